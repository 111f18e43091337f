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
# collector thresholds (dryrun/program.py): it holds the same SDK modules and runs the same
# programs. The stock SDK is what tests/test_alias_contract.py and tests/test_lazy_imports.py
# compare with, each in a fresh process.
import pytest  # noqa: E402

from dryrun import lazy_imports  # noqa: E402 - needs the root on sys.path
from dryrun.program import collect_cycles_less_often  # noqa: E402

collect_cycles_less_often()
lazy_imports.install()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`./dev test` distributes by xdist group: a module's tests stay together (module fixtures run
    once), and the modules marked with harness.STACK_PROGRAMS share a worker, so one recording of
    each real stack serves them all."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
