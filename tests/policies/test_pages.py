"""docs/policies/ is generated from the pack (tests/policies/pages.py): a page that differs is stale."""

from __future__ import annotations

from pulumi_policy import Policy

from policies.pack import POLICIES
from tests.policies.pages import DOCS, ROOT, render


def test_every_policy_page_and_the_index_are_current() -> None:
    stale = [str(path.relative_to(ROOT)) for path, text in render().items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"regenerate with `.venv/bin/python -m tests.policies.pages`: {stale}"


def test_no_page_outlives_its_policy() -> None:
    wanted = {f"{p.name}.md" for p in POLICIES} | {"README.md"}
    assert {p.name for p in DOCS.glob("*.md")} <= wanted


def test_every_policy_links_its_page() -> None:
    def url(p: Policy) -> str | None:
        return p.url

    assert all(url(p) == f"docs/policies/{p.name}.md" and (ROOT / (url(p) or "")).exists() for p in POLICIES)
