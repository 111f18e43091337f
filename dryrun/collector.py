"""How a dry-run process uses CPython's cycle collector. Kept free of the rest of the dry-run (and of
pulumi) so that the benchmark's import floor can take the same setting without importing more."""

from __future__ import annotations

import atexit
import gc

# How often the collector runs: after 200,000 net allocations instead of 700, its older generations
# after 30 younger passes instead of 10. The modules a program loads leave over a million
# long-lived objects (classes, functions, annotations) that every older pass walks again, about a
# fifth of a prod dry-run's CPU, while the run's garbage is mostly acyclic (freed by reference
# counting). mypy runs with the same thresholds for the same reason (mypy/build.py, "we can spend
# a large fraction of cpu in gc"). Peak memory is unchanged within 1 % on prod and on a
# 20,000-resource `--resources` run (bench).
GC_THRESHOLDS = (200_000, 30, 30)


def collect_cycles_less_often() -> None:
    """A process setting (the command's, a test worker's, the benchmark probe's), not a library
    call's: it also freezes the heap at exit. Interpreter shutdown otherwise runs full collections
    over everything the modules left, about 1 s of a prod dry-run's 4 (bench); with the heap
    frozen it takes under 0.1 s. The trade: objects still in a reference cycle at exit are not
    finalized, which nothing here relies on (files are closed by `with`, and CPython flushes the
    standard streams whatever the collector does)."""
    gc.set_threshold(*GC_THRESHOLDS)
    atexit.unregister(gc.freeze)  # once per process, however often a process takes the settings
    atexit.register(gc.freeze)
