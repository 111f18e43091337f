"""docs/policies/ is generated from the pack (tests/policies/pages.py): a page that differs is stale."""

from __future__ import annotations

import json

import pytest
from pulumi_policy import Policy

from policies.pack import POLICIES
from tests import fresh
from tests.policies.pages import DOCS, ROOT


def test_every_policy_page_and_the_index_are_current() -> None:
    # The examples come from importing and running the test tables: done in a fresh interpreter, so
    # nothing a test before it did to this worker (deep-recursion cases leave CPython 3.11's AST
    # depth counter off, "AST constructor recursion depth mismatch") can change the pages.
    out = fresh.run_module("tests.policies.pages", "--check")
    assert out.returncode == 0, out.stderr
    stale = json.loads(out.stdout.strip().splitlines()[-1])
    assert not stale, f"regenerate with `.venv/bin/python -m tests.policies.pages`: {stale}"


def test_no_page_outlives_its_policy() -> None:
    wanted = {f"{p.name}.md" for p in POLICIES} | {"README.md"}
    assert {p.name for p in DOCS.glob("*.md")} <= wanted


def test_every_policy_links_its_page() -> None:
    def url(p: Policy) -> str | None:
        return p.url

    assert all(url(p) == f"docs/policies/{p.name}.md" and (ROOT / (url(p) or "")).exists() for p in POLICIES)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_page_shows_a_compliant_and_a_violating_example(policy: Policy) -> None:
    """Taken from the policy's own test module (tests/policies/rules|relations/test_<module>.py): its
    first passing and first violating case."""
    text = (DOCS / f"{policy.name}.md").read_text()
    assert "### Compliant\n" in text, f"{policy.name}: add a compliant case to its test module"
    assert "### Violating\n" in text, f"{policy.name}: add a violating case to its test module"
