"""Read a stack's configuration the way the Pulumi CLI hands it to the program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stack_config import stackfile as stack_yaml
from stack_config.secrets import PLACEHOLDER


class UsageError(Exception):
    """A problem with how the dry-run was called (exit code 2)."""


def _unsecure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ...}` ciphertext (undecryptable offline) with a placeholder."""
    if isinstance(value, dict):
        if stack_yaml.is_secure(value):
            return PLACEHOLDER, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], inner = _unsecure(v)
            found |= inner
        return out, found
    if isinstance(value, list):
        items = [_unsecure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _as_config_string(value: Any) -> str:
    # The CLI passes strings verbatim and everything else as JSON text.
    return value if isinstance(value, str) else json.dumps(value)


def load(root: Path, stack: str) -> tuple[str, dict[str, str], list[str]]:
    """Return (project name, config map, secret keys) for `Pulumi.<stack>.yaml` under `root`."""
    project_file = root / "Pulumi.yaml"
    stack_file = root / f"Pulumi.{stack}.yaml"
    if not project_file.exists():
        raise UsageError(f"no Pulumi.yaml in {root}")
    if not stack_file.exists():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise UsageError(f"no stack '{stack}': {stack_file.name} does not exist; known stacks: {', '.join(stacks)}")
    try:
        project = stack_yaml.read(project_file)
        name = str(project.get("name", ""))
        defaults = stack_yaml.config_section(project, project_file.name)
        written = stack_yaml.qualified(stack_yaml.config_section(stack_yaml.read(stack_file), stack_file.name), name)
    except stack_yaml.StackFileError as exc:
        raise UsageError(str(exc)) from None
    config: dict[str, str] = {}
    secrets: list[str] = []
    # Project-level defaults first (`config: {key: {default|value: ...}}`), then the stack file.
    for key, spec in stack_yaml.qualified(defaults, name).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            config[key] = _as_config_string(spec.get("value", spec.get("default")))
    for key, raw in written.items():
        value, secret = _unsecure(raw)
        config[key] = _as_config_string(value)
        if secret:
            secrets.append(key)
    return name, config, sorted(secrets)
