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
from _pytest.nodeid import NodeId  # noqa: E402
from xdist.remote import Producer  # noqa: E402
from xdist.scheduler import LoadGroupScheduling  # noqa: E402

from dryrun import lazy_imports  # noqa: E402 - needs the root on sys.path
from dryrun.collector import collect_cycles_less_often  # noqa: E402

collect_cycles_less_often()
lazy_imports.install()


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadGroupScheduling | None:
    """`./dev test` distributes by module, and by xdist group across modules: a module's tests stay
    on one worker (its module fixtures run once), and the modules marked with
    harness.STACK_PROGRAMS share one, so one recording of each real stack serves them all."""
    return _ModuleOrGroup(config, log) if config.getvalue("dist") == "loadgroup" else None


class _ModuleOrGroup(LoadGroupScheduling):
    """xdist's loadgroup, with a test outside any group scheduled with its module, as under
    `--dist loadscope`, instead of alone as under `--dist load`."""

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        return nodeid.split("::", 1)[0] if scope == nodeid else scope


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection loaded (the SDKs, the pack, every test table) lives as long as the process:
    frozen, no collection walks it again, neither the rare full ones during the run nor pytest's
    own at the end (unraisableexception's sweep, which still sees all a test leaves: 1.0 -> 0.4 s
    per worker)."""
    gc.freeze()


@pytest.hookimpl(trylast=True)  # after xdist's own hook
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The controller reads a test's group from the `@group` suffix of its id. xdist 3.8 writes the
    suffix to `item._nodeid`, which pytest 9 no longer reads (the id is `item._id`, a NodeId):
    without this, a group is split across the workers like any other tests."""
    if not getattr(config.option, "loadgroup", False):  # set on a worker under --dist loadgroup
        return
    for item in items:
        groups = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                  for mark in item.iter_markers("xdist_group")}
        suffix = "@" + "_".join(sorted(groups))
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)  # pyright: ignore[reportPrivateUsage]
