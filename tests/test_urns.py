"""A deployed stack is never replaced by a refactoring: every URN the dev and prod stacks declared
when recorded (tests/fixtures/urns/<stack>.txt, from the dry-run) is still declared. A URN may only
go away with a `pulumi.Alias` on its successor, and then the file is re-recorded in the same change;
new resources are free to appear.

    .venv/bin/python -m dryrun <stack> --json out.json --quiet   # then the sorted `urn`s of out.json
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import program_run

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_recorded_urn_is_still_declared(stack: str) -> None:
    recorded = set((ROOT / "tests" / "fixtures" / "urns" / f"{stack}.txt").read_text().split())
    declared = {r.urn for r in program_run(stack).resources}
    assert sorted(recorded - declared) == []
