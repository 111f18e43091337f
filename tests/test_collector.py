"""The dry-run's cycle-collector settings (dryrun/collector.py), as a process that takes them sees them."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from dryrun.collector import GC_THRESHOLDS
from tests.fresh import ROOT

# Registered before the settings, so atexit runs it after their handler: what shutdown then walks.
_PROCESS = """
import atexit, gc, json
atexit.register(lambda: print(json.dumps({"frozen_at_exit": gc.get_freeze_count()})))
from dryrun.collector import collect_cycles_less_often
collect_cycles_less_often()
collect_cycles_less_often()  # a second caller in the same process (the handler is registered once)
objects = [[] for _ in range(1000)]
print(json.dumps({"threshold": gc.get_threshold(), "frozen_before_exit": gc.get_freeze_count()}))
"""


def _printed(code: str) -> list[Any]:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_the_collector_runs_rarely_and_never_walks_the_heap_at_exit() -> None:
    running, at_exit = _printed(_PROCESS)
    assert running == {"threshold": list(GC_THRESHOLDS), "frozen_before_exit": 0}
    # Every object alive at exit is frozen (the thousand lists among them), so shutdown's
    # collections pass over none of them.
    assert at_exit["frozen_at_exit"] > 1000


def test_importing_the_settings_changes_nothing_until_a_process_takes_them() -> None:
    printed = _printed("import atexit, gc, json\n"
                       "atexit.register(lambda: print(json.dumps({'frozen_at_exit': gc.get_freeze_count()})))\n"
                       "import dryrun.collector\nprint(json.dumps({'threshold': gc.get_threshold()}))")
    assert printed == [{"threshold": [700, 10, 10]}, {"frozen_at_exit": 0}]
