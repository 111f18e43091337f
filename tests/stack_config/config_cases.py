"""Named stack configs for the config tests: the real stack files, and a way to feed them to `parse`."""

from __future__ import annotations

import copy
import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import stack_config
from stack_config import ConfigError
from stack_config.stackfile import read

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 1)


def stack_values(name: str) -> dict[str, Any]:
    """`ai-platform:*` values of a real stack file, keyed without the namespace (a fresh copy)."""
    return copy.deepcopy(_read_stack(name))


@functools.cache
def _read_stack(name: str) -> dict[str, Any]:
    # Read once: the config tests start from the same two files.
    raw = read(ROOT / f"Pulumi.{name}.yaml")["config"]
    return {k.removeprefix("ai-platform:"): v for k, v in raw.items() if k.startswith("ai-platform:")}


def as_raw(values: dict[str, Any], namespace: str = "ai-platform") -> dict[str, str]:
    """What the CLI hands the program: strings verbatim, everything else as JSON text."""
    return {k if ":" in k else f"{namespace}:{k}": v if isinstance(v, str) else json.dumps(v)
            for k, v in values.items()}


def parse(values: dict[str, Any], stack: str = "prod", secret: set[str] = frozenset(),  # type: ignore[assignment]
          stack_file: dict[str, Any] | None = None) -> stack_config.StackConfig:
    return stack_config.parse(as_raw(values), {f"ai-platform:{k}" for k in secret}, stack, today=TODAY,
                              stack_file=stack_file)


def problems(values: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse(values, **kwargs)
    return dict(info.value.problems)
