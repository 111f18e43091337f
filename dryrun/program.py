"""Run the real Pulumi program under mocks and record what it declares."""

from __future__ import annotations

import os
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from . import stackfile
from .mocks import AzureMocks, RecordingMonitor, configure
from .model import Resource


@dataclass
class ProgramResult:
    project: str
    stack: str
    resources: list[Resource]
    outputs: dict[str, Any]


class ProgramError(Exception):
    """The program stopped with an error (a config problem, or a bug)."""


def run(root: Path, stack: str) -> ProgramResult:
    project, config, secret_keys = stackfile.load(root, stack)
    runtime_config.set_all_config(config, secret_keys)
    monitor = RecordingMonitor(AzureMocks())
    configure(stack, project, monitor)
    main = root / "__main__.py"
    cwd = os.getcwd()
    sys.path.insert(0, str(root))
    try:
        # The CLI runs the program from the project directory; do the same.
        os.chdir(root)
        _sync_await(run_pulumi_func(lambda: _run_main(main)))
    except pulumi.RunError as exc:
        raise ProgramError(str(exc)) from None
    finally:
        os.chdir(cwd)
        sys.path.remove(str(root))
    return ProgramResult(project, stack, monitor.recorded, _exports())


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def _exports() -> dict[str, Any]:
    """Resolve `pulumi.export`ed values (unknown ones stay None, as preview shows them)."""
    root_resource = pulumi.runtime.get_root_resource()
    exported = dict(getattr(root_resource, "outputs", {}) or {})
    resolved = _sync_await(pulumi.Output.from_input(exported).future(with_unknowns=False)) or {}
    return {k: resolved[k] for k in sorted(resolved)}
