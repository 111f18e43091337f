"""Read a stack's configuration the way the Pulumi CLI hands it to the program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"


class UsageError(Exception):
    """A problem with how the dry-run was called (exit code 2)."""


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path.name}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path.name}: expected a mapping at the top level")
    return data


def _unsecure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ...}` ciphertext (undecryptable offline) with a placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
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
    project = _load_yaml(project_file)
    name = str(project.get("name", ""))
    config: dict[str, str] = {}
    secrets: list[str] = []

    def qualify(key: str) -> str:
        return key if ":" in key else f"{name}:{key}"

    # Project-level defaults first (`config: {key: {default|value: ...}}`), then the stack file.
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            config[qualify(key)] = _as_config_string(spec.get("value", spec.get("default")))
    for key, raw in (_load_yaml(stack_file).get("config") or {}).items():
        value, secret = _unsecure(raw)
        config[qualify(key)] = _as_config_string(value)
        if secret:
            secrets.append(qualify(key))
    return name, config, sorted(secrets)
