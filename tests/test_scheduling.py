"""How `./dev test` spreads the suite over its workers (tests/conftest.py): by module, with the
modules that read the composed stacks on one worker, so that module fixtures and the stack
recordings run once per suite."""

from __future__ import annotations

import re

import pytest
from xdist.remote import Producer

from tests import conftest

TESTS = conftest.ROOT / "tests"


@pytest.fixture
def loadscope(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> pytest.Config:
    """The controller's config under `-n 2 --dist loadscope`."""
    monkeypatch.setattr(pytestconfig.option, "dist", "loadscope", raising=False)
    monkeypatch.setattr(pytestconfig.option, "tx", ["2*popen"], raising=False)
    return pytestconfig


@pytest.mark.parametrize(("nodeid", "scope"), [
    pytest.param("tests/test_a.py::test_x", "tests/test_a.py", id="a-test-goes-with-its-module"),
    pytest.param("tests/test_a.py::TestCase::test_x[1]", "tests/test_a.py",
                 id="a-class-test-goes-with-its-module-not-its-class"),
    pytest.param("tests/test_a.py::test_x[a::b]", "tests/test_a.py", id="a-parameter-with-colons-is-no-scope"),
    pytest.param("tests/test_mutation.py::test_mutation_is_caught[x]", conftest.SHARED_RECORDINGS_SCOPE,
                 id="a-module-reading-the-recordings-goes-with-the-others"),
    pytest.param("tests/components/test_ai_gateway_wiring.py::test_every_region_has_a_gateway[prod]",
                 conftest.SHARED_RECORDINGS_SCOPE, id="in-a-subdirectory-too"),
])
def test_a_test_is_scheduled_with(loadscope: pytest.Config, nodeid: str, scope: str) -> None:
    scheduler = conftest.pytest_xdist_make_scheduler(loadscope, Producer("test"))
    assert scheduler is not None and scheduler._split_scope(nodeid) == scope  # pyright: ignore[reportPrivateUsage]


def test_other_modes_keep_xdists_scheduler(loadscope: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadscope.option, "dist", "load")
    assert conftest.pytest_xdist_make_scheduler(loadscope, Producer("test")) is None


def test_every_module_reading_the_recordings_shares_their_worker() -> None:
    """A module that calls harness.program_run and is missing from the list would record both
    stacks again on whichever worker it lands (a second or more each); a module in the list that
    no longer calls it would only weigh on that worker."""
    callers = {str(path.relative_to(conftest.ROOT)) for path in TESTS.rglob("test_*.py")
               if re.search(r"\bprogram_run\(", path.read_text())}
    assert callers == conftest.SHARED_RECORDINGS
