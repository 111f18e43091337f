"""Property: any mutation of a valid stack config either parses or is refused as ConfigError with paths,
and no value that may be secret ever appears in what is reported."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stack_config
from stack_config import ConfigError
from tests.stack_config.config_cases import TODAY, as_raw, stack_values

BASES = {name: stack_values(name) for name in ("dev", "prod")}
SECRET = "Zq9-canary-secret-7Xw"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.sampled_from(["", "0", "true", "yes", "1e400", "NaN", "2026-11-01", "eastus2", "*", "0.0.0.0/0"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any], set[str]]:
    name = draw(st.sampled_from(sorted(BASES)))
    config = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(config)))
        *parents, last = path
        node: Any = config
        for part in parents:
            node = node[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del node[last]
        elif action == "add" and isinstance(node, dict):
            node[draw(st.text(min_size=1, max_size=12))] = draw(values)
        else:
            node[last] = draw(values)
    # Mark some keys secret, as `pulumi config set --secret` would.
    secret = set(draw(st.lists(st.sampled_from(sorted(config) or ["secrets"]), max_size=3)))
    for key in secret:
        if isinstance(config.get(key), dict):
            config[key]["canary"] = SECRET
    return name, config, secret


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_config_parses_or_is_refused_with_paths(case: tuple[str, dict[str, Any], set[str]]) -> None:
    stack, config, secret = case
    try:
        stack_config.parse(as_raw(config), {f"ai-platform:{k}" for k in secret}, stack, today=TODAY)
    except ConfigError as exc:
        assert exc.problems and all(path and message for path, message in exc.problems)
        assert SECRET not in str(exc)
