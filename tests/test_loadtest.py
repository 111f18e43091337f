"""The load test's own logic against a local HTTP server, and its test YAML against the stack's SLOs."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import threading
import types
from collections import Counter
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from loadtest import render, scenario
from tests.harness import stack_config

ROOT = Path(__file__).resolve().parent.parent


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, dict[str, str], object]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        type(self).seen.append((self.command, self.path, dict(self.headers), body))
        status = 500 if self.path == "/api/broken" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    """An API on 127.0.0.1 that records every request; shut down when the test ends."""
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_user_sends_the_weighted_mix_with_its_bodies_and_thinks_between_requests(api: str) -> None:
    waits: list[float] = []
    settings = scenario.settings_from_env({"LOADTEST_THINK_MIN": "0.5", "LOADTEST_THINK_MAX": "2"})
    results = scenario.run(api, settings, requests=200, rng=random.Random(7), timeout=5, sleep=waits.append)
    assert len(results) == 200 and all(r.ok for r in results)
    counts = Counter(f"{method} {path}" for method, path, _, _ in _Recorder.seen)
    assert set(counts) == {"POST /api/chat", "POST /api/text", "GET /health"}
    # Weights 6:3:1 over 200 draws.
    assert counts["POST /api/chat"] > counts["POST /api/text"] > counts["GET /health"] > 0
    chat = next(body for method, path, _, body in _Recorder.seen if path == "/api/chat")
    assert chat == scenario.CHAT_BODY
    assert len(waits) == 200 and all(0.5 <= w <= 2 for w in waits)


def test_the_token_is_sent_as_a_bearer_header_on_every_request(api: str) -> None:
    settings = scenario.settings_from_env({"LOADTEST_TOKEN": "t0ken", "LOADTEST_MIX": "GET /health=1"})
    scenario.run(api, settings, requests=3, rng=random.Random(1), timeout=5, sleep=lambda _: None)
    assert [headers["Authorization"] for _, _, headers, _ in _Recorder.seen] == ["Bearer t0ken"] * 3


def test_a_failing_endpoint_counts_as_failed_and_an_unreachable_host_does_not_hang(api: str) -> None:
    settings = scenario.Settings(mix=scenario.parse_mix("GET /api/broken=1"), think=(0, 0))
    (result,) = scenario.run(api, settings, requests=1, rng=random.Random(0), timeout=5, sleep=lambda _: None)
    assert (result.status, result.ok, result.name) == (500, False, "GET /api/broken")
    (down,) = scenario.run("http://127.0.0.1:9", settings, requests=1, rng=random.Random(0), timeout=2,
                           sleep=lambda _: None)
    assert (down.status, down.ok) == (0, False)


@pytest.mark.parametrize(("environ", "message"), [
    ({"LOADTEST_MIX": "POST api/chat=1"}, "is not 'METHOD /path=weight'"),
    ({"LOADTEST_MIX": "GET /health=0"}, "weight of 1 or more"),
    ({"LOADTEST_MIX": " , "}, "lists no requests"),
    ({"LOADTEST_THINK_MIN": "3", "LOADTEST_THINK_MAX": "1"}, "is above LOADTEST_THINK_MAX"),
    ({"LOADTEST_THINK_MAX": "soon"}, "is not a number of seconds"),
    ({"LOADTEST_TOKEN": "a", "LOADTEST_API_KEY": "b"}, "not both"),
], ids=["relative-path", "zero-weight", "empty-mix", "think-range", "think-not-a-number", "two-credentials"])
def test_bad_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(scenario.ScenarioError, match=message):
        scenario.settings_from_env(environ)


@given(st.lists(st.tuples(st.sampled_from(["GET", "POST", "put"]), st.from_regex(r"/[a-z]{1,8}", fullmatch=True),
                          st.integers(min_value=1, max_value=50)), min_size=1, max_size=6))
def test_any_written_mix_parses_back_to_its_calls(entries: list[tuple[str, str, int]]) -> None:
    text = ",".join(f"{m} {p}={w}" for m, p, w in entries)
    assert [(c.method, c.path, c.weight) for c in scenario.parse_mix(text)] == [(m.upper(), p, w)
                                                                               for m, p, w in entries]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_test_yaml_is_what_the_stacks_slos_render(stack: str) -> None:
    cfg = stack_config(stack)
    committed = (ROOT / "loadtest" / f"{stack}.yaml").read_text()
    assert committed == render.render(stack, f"{cfg.name_prefix}-{cfg.environment}", cfg.slo), (
        f"loadtest/{stack}.yaml is stale: run `.venv/bin/python -m loadtest.render {stack} > loadtest/{stack}.yaml`")


def test_fail_criteria_are_the_slos_and_the_load_is_the_seeds_run() -> None:
    dev = yaml.safe_load((ROOT / "loadtest" / "dev.yaml").read_text())
    slo = stack_config("dev").slo
    assert dev["testType"] == "Locust" and dev["testPlan"] == "locustfile.py"
    assert dev["failureCriteria"] == [f"p95(response_time_ms) > {slo.latency_threshold_ms}",
                                      f"percentage(error) > {slo.error_rate_percent:g}"]
    env = {e["name"]: e["value"] for e in dev["env"]}
    assert (dev["engineInstances"], env["LOCUST_USERS"], env["LOCUST_RUN_TIME"]) == (1, "100", "300s")
    assert float(env["LOCUST_SPAWN_RATE"]) * 60 == pytest.approx(100, rel=1e-4)
    assert all((ROOT / "loadtest" / f).is_file() for f in [dev["testPlan"], *dev["configurationFiles"]])
    assert 2 <= len(dev["testId"]) <= 50 and len(dev["description"]) <= 100


def test_the_1000_user_target_runs_on_four_engines_of_250() -> None:
    prod = yaml.safe_load((ROOT / "loadtest" / "prod.yaml").read_text())
    env = {e["name"]: e["value"] for e in prod["env"]}
    assert (prod["engineInstances"], env["LOCUST_USERS"]) == (4, "250")


def test_render_reports_an_unknown_stack_as_a_usage_error(capsys) -> None:
    assert render.main(["staging"]) == 2
    assert "no stack 'staging'" in capsys.readouterr().err


class _FakeClient:
    """Stands in for Locust's HttpSession: forwards each request to the loopback API."""

    def __init__(self, host: str) -> None:
        self.host, self.names = host, []

    def request(self, method: str, path: str, json: Mapping[str, object] | None = None,
                headers: dict | None = None,
                name: str = "") -> None:
        self.names.append(name)
        call = scenario.Call(method, path, 1, json)
        scenario.send(self.host, call, headers or {}, timeout=5)


def _locustfile(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> Any:
    """Import loadtest/locustfile.py the way the engine does (scenario.py beside it, LOCUST_* and
    LOADTEST_* in the environment), with a two-name stand-in for the `locust` package."""
    locust = types.ModuleType("locust")

    class HttpUser:
        def __init__(self, client: _FakeClient) -> None:
            self.client = client

    locust.HttpUser = HttpUser  # type: ignore[attr-defined]
    locust.task = lambda f: f  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "locust", locust)
    monkeypatch.syspath_prepend(str(ROOT / "loadtest"))
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("locustfile_under_test", ROOT / "loadtest" / "locustfile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_locustfile_runs_the_scenario_with_its_settings(api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _locustfile(monkeypatch, {"LOADTEST_TOKEN": "t0ken", "LOADTEST_THINK_MIN": "0.2",
                                       "LOADTEST_THINK_MAX": "0.4", "LOADTEST_MIX": "POST /api/chat=1"})
    user = module.ApiUser(_FakeClient(api))
    user.on_start()
    for _ in range(5):
        user.call()
    assert user.client.names == ["POST /api/chat"] * 5
    assert all(0.2 <= user.wait_time() <= 0.4 for _ in range(20))
    assert [(m, p, h["Authorization"], b) for m, p, h, b in _Recorder.seen] == \
        [("POST", "/api/chat", "Bearer t0ken", scenario.CHAT_BODY)] * 5
