"""The places the policy pack points users to exist."""

from __future__ import annotations

import re
from pathlib import Path

from policies.checklist import ITEMS

ROOT = Path(__file__).resolve().parent.parent


def test_every_process_item_has_a_section_in_the_operations_guide() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    process = guide.split("## Process items", 1)[1]
    headings = set(re.findall(r"^### ([A-Z]+-\d+):", process, re.M))
    missing = [item.id for item in ITEMS if item.process and item.id not in headings]
    assert not missing, f"docs/operations.md#process-items lacks {missing}"
    assert all("docs/operations.md#process-items" in item.process for item in ITEMS if item.process)


def test_checklist_matches_the_shared_contract() -> None:
    contract = ROOT.parent / "shared" / "CHECKLIST.md"
    ids = [item.id for item in ITEMS]
    assert len(ids) == len(set(ids)) == 36
    if contract.exists():  # beside the repo in CI and sessions; absent in a bare clone
        assert re.findall(r"^\| ([A-Z]+-\d+) \|", contract.read_text(), re.M) == ids
