"""What one virtual user of the load test does: which request, how long it thinks, how it authenticates.

Plain Python (no Locust import) so the logic is tested offline and shared by `locustfile.py`, which
Azure Load Testing runs, and by `run()`, a small client for a smoke run from a workstation:

    python loadtest/scenario.py --host https://dev.ai.contoso.com --requests 20

Settings come from environment variables, which is how Azure Load Testing hands a Locust test its
parameters (the test YAML's `env`, secrets from Key Vault through `secrets`):

| variable              | meaning                                                                  |
|-----------------------|--------------------------------------------------------------------------|
| LOADTEST_MIX          | `METHOD /path=weight,...`, default `DEFAULT_MIX`                          |
| LOADTEST_THINK_MIN/MAX| seconds a user waits between requests, drawn uniformly (default 1-3)      |
| LOADTEST_TOKEN        | bearer token for the API (a load-test identity's token, never logged)     |
| LOADTEST_API_KEY      | alternatively a subscription key, sent as `Ocp-Apim-Subscription-Key`     |
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

CHAT_BODY = {"messages": [{"role": "user", "content": "Summarise the benefits of load testing in one sentence."}],
             "max_tokens": 64}
TEXT_BODY = {"input": "Azure Load Testing runs Locust scripts at cloud scale."}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    weight: int
    body: Mapping[str, object] | None = None

    @property
    def name(self) -> str:
        """The request's name in the statistics (and in per-request fail criteria)."""
        return f"{self.method} {self.path}"


# Mostly chat, some text processing, and the health check a real client polls: the seed's services.
DEFAULT_MIX: tuple[Call, ...] = (
    Call("POST", "/api/chat", 6, CHAT_BODY),
    Call("POST", "/api/text", 3, TEXT_BODY),
    Call("GET", "/health", 1),
)
_BODIES = {c.path: c.body for c in DEFAULT_MIX}


class ScenarioError(ValueError):
    """A setting the load test cannot run with; the message names the variable."""


def parse_mix(text: str) -> tuple[Call, ...]:
    """`POST /api/chat=6,GET /health=1` -> calls; known paths keep their default request body."""
    calls = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        spec, _, weight = part.rpartition("=")
        method, _, path = spec.strip().partition(" ")
        if not method.isalpha() or not path.startswith("/") or not weight.isdigit() or int(weight) < 1:
            raise ScenarioError(f"LOADTEST_MIX entry '{part}' is not 'METHOD /path=weight' with a weight of 1 or more")
        calls.append(Call(method.upper(), path.strip(), int(weight), _BODIES.get(path.strip())))
    if not calls:
        raise ScenarioError("LOADTEST_MIX lists no requests; write e.g. 'POST /api/chat=6,GET /health=1'")
    return tuple(calls)


def pick(calls: Sequence[Call], rng: random.Random) -> Call:
    return rng.choices(calls, weights=[c.weight for c in calls])[0]


def think_time(rng: random.Random, low: float, high: float) -> float:
    return rng.uniform(low, high)


def auth_headers(environ: Mapping[str, str]) -> dict[str, str]:
    token, key = environ.get("LOADTEST_TOKEN", "").strip(), environ.get("LOADTEST_API_KEY", "").strip()
    if token and key:
        raise ScenarioError("set LOADTEST_TOKEN or LOADTEST_API_KEY, not both")
    if token:
        return {"Authorization": f"Bearer {token}"}
    return {"Ocp-Apim-Subscription-Key": key} if key else {}


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ScenarioError(f"{name}='{raw}' is not a number of seconds") from None
    if not 0 <= value <= 60:
        raise ScenarioError(f"{name}={value:g} is outside 0-60 seconds")
    return value


@dataclass(frozen=True)
class Settings:
    mix: tuple[Call, ...] = DEFAULT_MIX
    think: tuple[float, float] = (1.0, 3.0)
    headers: Mapping[str, str] = field(default_factory=dict)


def settings_from_env(environ: Mapping[str, str]) -> Settings:
    mix = parse_mix(environ["LOADTEST_MIX"]) if environ.get("LOADTEST_MIX", "").strip() else DEFAULT_MIX
    low, high = _seconds(environ, "LOADTEST_THINK_MIN", 1.0), _seconds(environ, "LOADTEST_THINK_MAX", 3.0)
    if low > high:
        raise ScenarioError(f"LOADTEST_THINK_MIN {low:g} is above LOADTEST_THINK_MAX {high:g}")
    return Settings(mix, (low, high), auth_headers(environ))


@dataclass(frozen=True)
class Result:
    name: str
    status: int
    seconds: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def send(host: str, call: Call, headers: Mapping[str, str], timeout: float) -> Result:
    body = json.dumps(call.body).encode() if call.body is not None else None
    request = urllib.request.Request(host.rstrip("/") + call.path, data=body, method=call.method,
                                     headers={**headers, **({"Content-Type": "application/json"} if body else {})})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0
    return Result(call.name, status, time.monotonic() - started)


def run(host: str, settings: Settings, *, requests: int, rng: random.Random, timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep) -> list[Result]:
    """One user's loop, `requests` times: pick a call, send it, think."""
    results = []
    for _ in range(requests):
        results.append(send(host, pick(settings.mix, rng), settings.headers, timeout))
        sleep(think_time(rng, *settings.think))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One virtual user of the load test, for a smoke run")
    parser.add_argument("--host", required=True, help="https://<public host name>")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import os

    try:
        settings = settings_from_env(os.environ)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = run(args.host, settings, requests=args.requests, rng=random.Random(args.seed))
    for r in results:
        print(f"{'PASS' if r.ok else 'FAIL'} {r.name} {r.status} {r.seconds * 1000:.0f} ms")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
