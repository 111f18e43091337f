"""Evaluate policies on resources declared with the real SDK, through the CLI's analyzer calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from dryrun.model import Resource
from dryrun.policy_driver import Pack, Violation
from tests.harness import declare


def evaluate(policies: Iterable[Policy], resources: list[Resource],
             config: dict[str, Any] | None = None, stack: str = "test") -> list[Violation]:
    """Run `policies` (mandatory) over `resources` as `pulumi preview --policy-pack` would."""
    pack = Pack.from_policies(list(policies), EnforcementLevel.MANDATORY)
    pack.configure(config, stack=stack, project="ai-platform")
    return pack.analyze(resources)


def sdk_resources(build: Callable[[], Any]) -> list[Resource]:
    """Declare resources with the SDK under mocks; their inputs are exactly what the engine receives."""
    return declare(build).resources


def names(violations: Iterable[Violation]) -> set[str]:
    return {v.policy for v in violations}


def file_config(raw: dict[str, Any]) -> dict[str, Any]:
    """A --policy-pack-config document in the parsed form `Pack.configure` takes."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            out[key] = {"enforcementLevel": value, "properties": {}}
        else:
            props = dict(value)
            out[key] = {"enforcementLevel": props.pop("enforcementLevel", None), "properties": props}
    return out
