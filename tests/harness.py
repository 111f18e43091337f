"""Run component code under the dry-run's mocks and look at what it declared."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from dryrun.mocks import AzureMocks, RecordingMonitor, configure
from dryrun.model import Resource, reveal
from dryrun.program import ProgramResult, run, sdk_shortcuts

ROOT = Path(__file__).resolve().parent.parent


class Declared:
    """The resources one test declared, with lookups by type and logical name."""

    def __init__(self, resources: list[Resource]) -> None:
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}

    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> Resource:
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_token} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def inputs(self, type_token: str, name: str | None = None) -> dict[str, Any]:
        return reveal(self.one(type_token, name).inputs)

    def children(self, parent: Resource) -> list[Resource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def types(self) -> set[str]:
        return {r.type for r in self.resources}


def declare(build: Callable[[], Any], stack: str = "test", config: dict[str, str] | None = None) -> Declared:
    """Run `build` as a Pulumi program under the Azure mocks and return what it registered."""
    from pulumi.runtime import config as runtime_config

    runtime_config.set_all_config(dict(config or {}), [])
    monitor = RecordingMonitor(AzureMocks())
    configure(stack, "ai-platform", monitor)
    result: list[Any] = []
    # The dry-run's shortcuts: the same requests (tests/test_alias_contract.py), without the URN
    # work per alias that was most of a declaration's CPU, nor the source lines of pytest's frames.
    with sdk_shortcuts():
        _sync_await(run_pulumi_func(lambda: result.append(build())))
    return Declared([r for r in monitor.recorded if r.type != "pulumi:pulumi:Stack"])


def walk(value: Any) -> Iterable[Any]:
    """Every nested value, for assertions like 'no key anywhere in the outputs'."""
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from walk(v)


def stack_file(stack: str) -> tuple[str, dict[str, str], list[str]]:
    """What `dryrun.stackfile.load` reads from a real stack file (project, config map, secret keys);
    each call gets its own copy to edit."""
    project, config, secrets = _loaded_stack_file(stack)
    return project, dict(config), list(secrets)


@functools.cache
def _loaded_stack_file(stack: str) -> tuple[str, dict[str, str], list[str]]:
    # Read once per process: a hundred tests start from the same two files, unchanged in a run.
    from dryrun import stackfile

    return stackfile.load(ROOT, stack)


def stack_config(stack: str) -> Any:
    """The validated config of a real stack file (Pulumi.<stack>.yaml); each call gets its own copy."""
    return copy.deepcopy(_parsed_stack_config(stack))


@functools.cache
def _parsed_stack_config(stack: str) -> Any:
    # Parsed once per process: hundreds of tests build on the same two files, and parsing one
    # (YAML, validation, preflight) costs more than a test's own work.
    import stack_config as sc

    _, config, secrets = stack_file(stack)
    return sc.parse(config, set(secrets), stack)


def program_run(stack: str) -> ProgramResult:
    """What `python -m dryrun <stack>` records for a real stack: the whole program under the mocks.
    It runs once per test process (the modules that call this share a worker: conftest.py
    SHARED_RECORDINGS); each caller gets its own copy of the resources and outputs to read or
    mutate (the requests, protobuf messages nobody edits, are shared)."""
    recorded = _recorded_program(stack)
    return replace(recorded, resources=copy.deepcopy(recorded.resources), outputs=copy.deepcopy(recorded.outputs))


@functools.cache
def _recorded_program(stack: str) -> ProgramResult:
    # Deterministic (tests/test_dryrun.py checks two runs are byte-identical), and a second or
    # more of CPU per run: the modules that read the composed stacks share one.
    return run(ROOT, stack)
