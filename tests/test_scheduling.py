"""How `./dev test` spreads the suite over its workers (tests/conftest.py): by module, and by xdist
group across modules, so that module fixtures and the stack recordings run once per suite."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from xdist.remote import Producer

from tests import conftest


def _worker_ids(request: pytest.FixtureRequest, *groups: tuple[str, ...], loadgroup: bool = True,
                passes: int = 1) -> list[str]:
    """The ids a worker sends the controller for tests of this module with those xdist marks."""
    items = []
    for index, marks in enumerate(groups):
        item = pytest.Function.from_parent(request.node.parent, name=f"test_probe_{index}", callobj=lambda: None)
        for group in marks:
            item.add_marker(pytest.mark.xdist_group(group))
        items.append(item)
    config = SimpleNamespace(option=SimpleNamespace(loadgroup=loadgroup))  # a worker's, as xdist sets it
    for _ in range(passes):
        conftest.pytest_collection_modifyitems(config, items)  # pyright: ignore[reportArgumentType]
    return [item.nodeid.split("::", 1)[1] for item in items]


def test_a_grouped_test_carries_its_group_in_the_id_the_controller_schedules_by(request: pytest.FixtureRequest) -> None:
    assert _worker_ids(request, ("stack-programs",), ("b", "a")) == ["test_probe_0@stack-programs", "test_probe_1@a_b"]


def test_an_ungrouped_test_keeps_its_id(request: pytest.FixtureRequest) -> None:
    assert _worker_ids(request, ()) == ["test_probe_0"]


def test_ids_are_left_alone_outside_loadgroup(request: pytest.FixtureRequest) -> None:
    assert _worker_ids(request, ("stack-programs",), loadgroup=False) == ["test_probe_0"]


def test_the_suffix_is_written_once_even_where_xdist_writes_it_itself(request: pytest.FixtureRequest) -> None:
    # A fixed xdist's hook would have run first, as this one does on the second pass.
    assert _worker_ids(request, ("stack-programs",), passes=2) == ["test_probe_0@stack-programs"]


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
