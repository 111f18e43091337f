"""The load test Azure Load Testing runs (testType: Locust, loadtest/<stack>.yaml).

Users, spawn rate, run time and host come from Locust's own LOCUST_* environment variables, which
the test YAML sets per engine; what each user does is loadtest/scenario.py, uploaded beside this
file (`configurationFiles`) and unit-tested offline.
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, task  # type: ignore[import-not-found]  # only on the test engines
from scenario import pick, settings_from_env, think_time  # type: ignore[import-not-found]  # uploaded alongside

SETTINGS = settings_from_env(os.environ)


class ApiUser(HttpUser):
    """A client of the public API: weighted requests with think time in between, authenticated."""

    def on_start(self) -> None:
        self.rng = random.Random()

    def wait_time(self) -> float:
        return think_time(self.rng, *SETTINGS.think)

    @task
    def call(self) -> None:
        call = pick(SETTINGS.mix, self.rng)
        # `name` groups the statistics per endpoint, so a failure shows which call broke.
        self.client.request(call.method, call.path, json=call.body, headers=dict(SETTINGS.headers), name=call.name)
