"""The dry-run's lazily built property proxies behave exactly like pulumi-policy's eager ones."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy, unknown_checking_proxy

from dryrun.model import UNKNOWN
from dryrun.policy_driver import _lazy_proxy

PROPS: dict[str, Any] = {
    "name": "kv",
    "unknownId": UNKNOWN,
    "properties": {"sku": {"name": "premium"}, "flags": [True, UNKNOWN, {"deep": UNKNOWN, "ok": 1}], "n": 3},
    "empty": [],
}


def _read(proxy: Any, *path: Any) -> tuple[str, Any]:
    """What a policy gets from a chain of reads: the value (made plain) or the error and its path."""
    try:
        value = proxy
        for key in path:
            value = value[key]
        return "value", _plain(value)
    except UnknownValueError as exc:
        return "unknown", (exc.props, exc.message)
    except (KeyError, IndexError, TypeError) as exc:
        return type(exc).__name__, str(exc)


def _plain(value: Any) -> Any:
    if isinstance(value, _DictProxy):
        return {k: _read(value, k) for k in value}
    if isinstance(value, _ListProxy):
        return [_read(value, i) for i in range(len(value))]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


PATHS = [("name",), ("unknownId",), ("missing",), ("properties", "sku", "name"), ("properties", "flags", 1),
         ("properties", "flags", -1, "deep"), ("properties", "flags", -1, "ok"), ("properties", "flags", 3),
         ("properties", "flags", slice(0, 1)), ("properties", "flags", slice(1, None)), ("empty", 0),
         ("properties",), ()]


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_reads_match_the_sdk(path: tuple[Any, ...]) -> None:
    assert _read(_lazy_proxy(PROPS), *path) == _read(unknown_checking_proxy(PROPS), *path)


def test_shape_and_containers_match_the_sdk() -> None:
    lazy, eager = _lazy_proxy(PROPS), unknown_checking_proxy(PROPS)
    assert isinstance(lazy, _DictProxy) and isinstance(lazy["properties"]["flags"], _ListProxy)
    assert list(lazy) == list(eager) and len(lazy) == len(eager)
    assert set(lazy["__target"]) == set(eager["__target"])
    assert lazy.get("missing", "x") == eager.get("missing", "x") == "x"
    with pytest.raises(UnknownValueError):
        _ = "unknownId" in lazy  # Mapping.__contains__ reads the value, as the SDK's does


def test_writes_stay_in_the_proxy() -> None:
    lazy, eager = _lazy_proxy(PROPS), unknown_checking_proxy(PROPS)
    for proxy in (lazy, eager):
        proxy["added"] = "v"
        proxy["name"] = "changed"
        proxy["properties"]["n"] = 4
    assert _plain(lazy) == _plain(eager)
    assert "added" not in PROPS and PROPS["name"] == "kv" and PROPS["properties"]["n"] == 3
    assert _lazy_proxy(PROPS)["name"] == "kv"  # the next policy sees the original
