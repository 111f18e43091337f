import gc
import sys
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Time is the benchmark's measure, not a test's: on two shared cores an example's duration says
# nothing, so no example fails on a deadline. Example counts stay as each test sets them; a
# `--hypothesis-profile` on the command line still wins.
settings.register_profile("ai-platform", deadline=None)
settings.load_profile("ai-platform")

# A test worker loads azure-native as the dry-run command does (dryrun/lazy_imports.py), with its
# collector settings (dryrun/collector.py): it holds the same SDK modules and runs the same
# programs. The stock SDK is what tests/test_alias_contract.py and tests/test_lazy_imports.py
# compare with, each in a fresh process.
import pytest  # noqa: E402
from xdist.remote import Producer  # noqa: E402
from xdist.scheduler import LoadScopeScheduling  # noqa: E402

from dryrun import lazy_imports  # noqa: E402 - needs the root on sys.path
from dryrun.collector import collect_cycles_less_often  # noqa: E402

collect_cycles_less_often()
lazy_imports.install()


# The modules that read the composed stacks (harness.program_run): they run on one worker, so one
# recording of each real stack serves them all (tests/test_scheduling.py keeps the list whole).
SHARED_RECORDINGS = frozenset({
    "tests/components/test_ai_gateway_wiring.py", "tests/test_alias_contract.py", "tests/test_composition.py",
    "tests/test_deployability.py", "tests/test_dryrun.py", "tests/test_mutation.py", "tests/test_urns.py",
})
SHARED_RECORDINGS_SCOPE = "stack recordings"


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's: without xdist there is nothing to schedule
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    """`./dev test` (`--dist loadscope`) distributes by module: a module's tests stay on one worker,
    so its module fixtures run once; the SHARED_RECORDINGS modules go to one worker together.
    By module path, not by a mark: the controller schedules test ids and never imports a module
    (xdist's loadgroup would append the group to every id, which `--lf` and `--sw` then miss)."""
    return _ModulesSharingRecordings(config, log) if config.getvalue("dist") == "loadscope" else None


class _ModulesSharingRecordings(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return SHARED_RECORDINGS_SCOPE if module in SHARED_RECORDINGS else module


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection loaded (the SDKs, the pack, every test table) lives as long as the process:
    collected once and frozen, no collection walks it again, neither the rare full ones during the
    run nor pytest's own at the end (unraisableexception's sweep, which still sees all a test
    leaves: 1.0 -> 0.4 s per worker)."""
    gc.collect()  # what collection left in cycles is freed, and reports what it would, first
    gc.freeze()
