"""The `slo` section: the seed's targets by default, prod never looser, and the objectives fit the stack."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack_config.model import (
    TM_DNS_TTL_SECONDS,
    TM_PROBE_INTERVAL_SECONDS,
    TM_PROBE_TIMEOUT_SECONDS,
    TM_TOLERATED_FAILURES,
    LoadProfile,
    Slo,
    failover_seconds,
)
from tests.components.common_inputs import config_problems
from tests.harness import stack_config


def _edit(**changes: Any):
    def change(value: dict[str, Any]) -> None:
        for key, v in changes.items():
            *parents, last = key.split(".")
            node = value
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = v
    return change


def test_defaults_are_the_seeds_production_targets() -> None:
    slo = Slo()
    assert (slo.latency_percentile, slo.latency_threshold_ms) == (95, 2000)
    assert (slo.availability_percent, slo.error_rate_percent) == (99.9, 0.1)
    assert (slo.token_spend_monthly, slo.recovery_time_minutes) == (500, 60)
    load = slo.load_test
    assert (load.users, load.duration_seconds, load.ramp_up_seconds) == (100, 300, 60)


def test_both_stacks_declare_their_objectives_and_dev_relaxes_them() -> None:
    dev, prod = stack_config("dev").slo, stack_config("prod").slo
    assert prod.latency_threshold_ms == 2000 and prod.load_test.users == 1000
    assert dev.latency_threshold_ms > prod.latency_threshold_ms and dev.error_rate_percent > prod.error_rate_percent


@pytest.mark.parametrize(("key", "value", "fix"), [
    ("latencyThresholdMs", 3000, "2000 or less"),
    ("latencyPercentile", 90, "95 or higher"),
    ("availabilityPercent", 99.5, "99.9 or higher"),
    ("errorRatePercent", 0.5, "0.1 or lower"),
    ("recoveryTimeMinutes", 120, "60 or less"),
], ids=["latency", "percentile", "availability", "error-rate", "recovery"])
def test_prod_may_not_relax_a_seed_target(key: str, value: Any, fix: str) -> None:
    problems = config_problems("prod", "slo", _edit(**{key: value}))
    assert fix in problems[f"slo.{key}"] and "looser than the seed's" in problems[f"slo.{key}"]


def test_dev_may_relax_the_targets() -> None:
    # config_problems fails when validation accepts the edit; a relaxed dev only trips the unrelated typo.
    problems = config_problems("dev", "slo", _edit(latencyThresholdMs=8000, errorRatePercent=5, typo=1))
    assert list(problems) == ["slo.typo"]


def test_token_spend_above_the_environment_budget_is_refused() -> None:
    problems = config_problems("dev", "slo", _edit(tokenSpendMonthly=500))
    assert "above the whole environment's budget.amount 400" in problems["slo.tokenSpendMonthly"]


def test_recovery_objective_shorter_than_traffic_manager_failover_is_refused() -> None:
    problems = config_problems("prod", "slo", _edit(recoveryTimeMinutes=2))
    assert f"worst-case failover ({failover_seconds()} s" in problems["slo.recoveryTimeMinutes"]
    assert "allow at least 3 min" in problems["slo.recoveryTimeMinutes"]


def test_failover_is_probe_interval_times_failures_plus_timeout_and_ttl() -> None:
    assert failover_seconds() == (TM_TOLERATED_FAILURES + 1) * TM_PROBE_INTERVAL_SECONDS + \
        TM_PROBE_TIMEOUT_SECONDS + TM_DNS_TTL_SECONDS == 160
    assert failover_seconds() <= Slo().recovery_time_minutes * 60


def test_an_availability_window_where_one_failed_probe_breaches_the_objective_is_refused() -> None:
    # 5 locations x 12 results an hour x 12 h = 720 results: one failure is 0.139 % > the 0.1 % budget.
    problems = config_problems("prod", "slo", _edit(availabilityWindowHours=12))
    assert "720 results" in problems["slo.availabilityWindowHours"]
    assert "at least 17 h" in problems["slo.availabilityWindowHours"]


def test_a_percentile_the_load_test_cannot_gate_on_is_refused() -> None:
    problems = config_problems("prod", "slo", _edit(latencyPercentile=97))
    assert "use one of 50, 90, 95, 99" in problems["slo.latencyPercentile"]


@pytest.mark.parametrize(("change", "path"), [
    (_edit(**{"loadTest.rampUpSeconds": 300}), "slo.loadTest.rampUpSeconds"),
    (_edit(**{"loadTest.thinkTimeSeconds": [5, 1]}), "slo.loadTest.thinkTimeSeconds"),
    (_edit(**{"loadTest.users": 20_000}), "slo.loadTest.users"),
    (_edit(alertSeverity=5), "slo.alertSeverity"),
    (_edit(availabilityWindowHours=72), "slo.availabilityWindowHours"),
], ids=["ramp-up-past-duration", "think-time-not-a-range", "users-past-45-engines", "severity", "window-past-2-days"])
def test_unrunnable_load_tests_and_alerts_are_refused(change, path: str) -> None:
    assert path in config_problems("dev", "slo", change)


@given(st.integers(min_value=1, max_value=250 * 45))
def test_engines_carry_every_user_and_none_carries_more_than_250(users: int) -> None:
    load = LoadProfile(users=users)
    assert load.engine_instances * load.users_per_engine >= users
    assert load.users_per_engine <= 250 and load.engine_instances <= 45
    assert (load.engine_instances - 1) * load.users_per_engine < users
