"""How `./dev test` spreads the suite over its workers (tests/conftest.py): by module, and by xdist
group across modules, so that module fixtures and the stack recordings run once per suite."""

from __future__ import annotations

import pytest
from xdist.remote import Producer

from tests import conftest

pytest_plugins = ["pytester"]

_GROUPED = """
import pytest
pytestmark = pytest.mark.xdist_group("stack-programs")
def test_reads_a_recording(): pass
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_per_stack(stack): pass
"""


def _worker_items(pytester: pytest.Pytester, source: str, *, loadgroup: bool = True) -> list[str]:
    items = pytester.getitems(source)
    items[0].config.option.loadgroup = loadgroup  # what xdist sets on a worker under --dist loadgroup
    conftest.pytest_collection_modifyitems(items[0].config, items)
    return [item.nodeid for item in items]


def test_a_grouped_test_carries_its_group_in_the_id_the_controller_schedules_by(pytester: pytest.Pytester) -> None:
    ids = _worker_items(pytester, _GROUPED)
    assert ids == ["test_a_grouped_test_carries_its_group_in_the_id_the_controller_schedules_by.py::"
                   f"{name}@stack-programs" for name in ("test_reads_a_recording", "test_per_stack[dev]",
                                                         "test_per_stack[prod]")]


def test_an_ungrouped_test_keeps_its_id(pytester: pytest.Pytester) -> None:
    assert _worker_items(pytester, "def test_alone(): pass") == ["test_an_ungrouped_test_keeps_its_id.py::test_alone"]


def test_ids_are_left_alone_outside_loadgroup(pytester: pytest.Pytester) -> None:
    ids = _worker_items(pytester, _GROUPED, loadgroup=False)
    assert not any("@" in nodeid for nodeid in ids)


def test_the_suffix_is_written_once_even_where_xdist_writes_it_itself(pytester: pytest.Pytester) -> None:
    items = pytester.getitems(_GROUPED)
    items[0].config.option.loadgroup = True
    for _ in range(2):  # a fixed xdist's hook would have run first, as this one does the second time
        conftest.pytest_collection_modifyitems(items[0].config, items)
    assert all(item.nodeid.count("@stack-programs") == 1 for item in items)


@pytest.fixture
def loadgroup(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> pytest.Config:
    """The controller's config under `-n 2 --dist loadgroup`."""
    monkeypatch.setattr(pytestconfig.option, "dist", "loadgroup", raising=False)
    monkeypatch.setattr(pytestconfig.option, "tx", ["2*popen"], raising=False)
    return pytestconfig


@pytest.mark.parametrize(("nodeid", "scope"), [
    pytest.param("tests/test_a.py::test_x", "tests/test_a.py", id="a-test-goes-with-its-module"),
    pytest.param("tests/test_a.py::TestCase::test_x[1]", "tests/test_a.py", id="a-class-test-goes-with-its-module"),
    pytest.param("tests/test_a.py::test_x[user@host]", "tests/test_a.py", id="an-at-sign-in-a-parameter-is-no-group"),
    pytest.param(
        "tests/test_a.py::test_x[dev]@stack-programs", "stack-programs", id="a-grouped-test-goes-with-its-group",
    ),
])
def test_a_test_is_scheduled_with(loadgroup: pytest.Config, nodeid: str, scope: str) -> None:
    scheduler = conftest.pytest_xdist_make_scheduler(loadgroup, Producer("test"))
    assert scheduler is not None and scheduler._split_scope(nodeid) == scope  # pyright: ignore[reportPrivateUsage]


def test_other_modes_keep_xdists_scheduler(loadgroup: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadgroup.option, "dist", "load")
    assert conftest.pytest_xdist_make_scheduler(loadgroup, Producer("test")) is None
