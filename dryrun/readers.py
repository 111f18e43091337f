"""Read resources from files, so the pack can audit stacks this program did not declare.

Accepted: the dry-run's own `--json`, `pulumi stack export` (deployment v3), and
`pulumi preview --json` (its `steps[].newState`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import Resource
from .stackfile import UsageError


def _from_state(state: dict[str, Any]) -> Resource:
    """A deployment-state resource (stack export / preview newState)."""
    urn = state["urn"]
    return Resource(
        urn=urn,
        type=state.get("type") or urn.split("::")[2].split("$")[-1],
        name=urn.split("::")[-1],
        inputs=state.get("inputs") or {},
        parent=state.get("parent") or None,
        dependencies=list(state.get("dependencies") or []),
        property_dependencies={k: list(v) for k, v in (state.get("propertyDependencies") or {}).items()},
        custom=bool(state.get("custom", True)),
        protect=bool(state.get("protect", False)),
    )


def _from_dryrun(item: dict[str, Any]) -> Resource:
    return Resource(
        urn=item["urn"], type=item["type"], name=item["name"], inputs=item.get("inputs") or {},
        parent=item.get("parent"), dependencies=list(item.get("dependencies") or []),
        property_dependencies={k: list(v) for k, v in (item.get("propertyDependencies") or {}).items()},
        protect=bool(item.get("protect", False)),
    )


def read(path: Path) -> tuple[str, list[Resource]]:
    """Return (stack name, resources) from any of the three formats."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read resources: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a JSON object")
    if "deployment" in data:  # pulumi stack export
        version = data.get("version")
        if version not in (3, None):
            raise UsageError(f"{path}: deployment version {version} is not supported; export with a current CLI")
        states = [s for s in data["deployment"].get("resources") or []
                  if not s.get("type", "").startswith("pulumi:providers:") and not s.get("delete")]
        resources = [_from_state(s) for s in states]
    elif "steps" in data:  # pulumi preview --json
        states = [s["newState"] for s in data["steps"] if s.get("newState") and s.get("op") != "delete"]
        resources = [_from_state(s) for s in states if not s.get("type", "").startswith("pulumi:providers:")]
    elif "resources" in data:  # our own --json
        resources = [_from_dryrun(r) for r in data["resources"]]
    else:
        raise UsageError(f"{path}: not a dry-run JSON, `pulumi stack export` or `pulumi preview --json` file")
    stack = str(data.get("stack") or _stack_from_urns(resources))
    return stack, resources


def _stack_from_urns(resources: list[Resource]) -> str:
    for r in resources:
        parts = r.urn.split("::")
        if len(parts) > 1:
            return parts[0].removeprefix("urn:pulumi:")
    return "unknown"
