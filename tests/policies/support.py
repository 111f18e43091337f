"""Evaluate policies on resources declared with the real SDK, through the CLI's analyzer calls."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, Policy

from dryrun.model import Resource
from dryrun.policy_driver import Pack, Violation
from tests.harness import declare


def evaluate(policies: Iterable[Policy], resources: list[Resource],
             config: dict[str, Any] | None = None, stack: str = "test") -> list[Violation]:
    """Run `policies` (mandatory) over `resources` as `pulumi preview --policy-pack` would."""
    pack = Pack.from_policies(list(policies), EnforcementLevel.MANDATORY)
    pack.configure(config, stack=stack, project="ai-platform")
    return pack.analyze(resources)


def sdk_resources(build: Callable[[], Any]) -> list[Resource]:
    """Declare resources with the SDK under mocks; their inputs are exactly what the engine receives."""
    return declare(build).resources


def names(violations: Iterable[Violation]) -> set[str]:
    return {v.policy for v in violations}


def assert_complies(policy: Policy, build: Callable[[], Any], config: dict[str, Any] | None = None) -> None:
    """The policy reports nothing on what `build` declares (a PASSING case of a case table)."""
    found = evaluate([policy], sdk_resources(build), config)
    assert found == [], [v.message for v in found]


def assert_caught(policy: Policy, build: Callable[[], Any], config: dict[str, Any] | None, fragment: str) -> None:
    """Only this policy reports what `build` declares, in a message holding `fragment` (a FAILING case)."""
    found = evaluate([policy], sdk_resources(build), config)
    assert names(found) == {policy.name}
    assert any(fragment in v.message for v in found), [v.message for v in found]


def file_config(raw: dict[str, Any]) -> dict[str, Any]:
    """A --policy-pack-config document in the parsed form `Pack.configure` takes."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            out[key] = {"enforcementLevel": value, "properties": {}}
        else:
            props = dict(value)
            out[key] = {"enforcementLevel": props.pop("enforcementLevel", None), "properties": props}
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def case_ids(module_file: str, table: str, cases: Sequence[tuple[Any, ...]]) -> list[str]:
    """Readable ids for a table of `(policy, program, ...)` cases: `<policy>/complies-<what differs>`
    or `<policy>/violates-<fragment expected in the message>`, read from the case's own source text,
    so pytest prints `key-vault-recoverable/violates-enablepurgeprotection-is-not-true`."""
    tree = ast.parse(Path(module_file).read_text())
    source = Path(module_file).read_text()
    rows = next(node.value for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                and any(isinstance(t, ast.Name) and t.id == table
                        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])))
    assert isinstance(rows, ast.List) and len(rows.elts) == len(cases), f"{table}: one source row per case"
    ids: list[str] = []
    for case, row in zip(cases, rows.elts, strict=True):
        assert isinstance(row, ast.Tuple)
        fragment = case[-1] if isinstance(case[-1], str) else None
        if fragment is not None:
            what = "violates-" + _slug(fragment)
        else:
            program = row.elts[1]
            func = getattr(program, "func", None)
            words = [func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")]
            words += [ast.get_source_segment(source, a) or "" for a in getattr(program, "args", [])]
            words += [ast.get_source_segment(source, k) or "" for k in getattr(program, "keywords", [])]
            what = "complies-" + (_slug(" ".join(words))[:60].rstrip("-") or "baseline")
        base, n = f"{case[0].name}/{what}", 2
        candidate = base
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


Case = tuple[Any, ...]


def table_tests(module_file: str, area: Sequence[Policy], passing: Sequence[Case],
                failing: Sequence[Case]) -> tuple[Callable[..., None], ...]:
    """The tests of a module's case tables, for the module to bind to `test_*` names: each
    `(policy, program[, config])` of PASSING reports nothing; each `(policy, program[, config], fragment)`
    of FAILING reports exactly its policy with the fragment in the message; every policy of `area`
    has a case in both tables."""

    @pytest.mark.parametrize("case", passing, ids=case_ids(module_file, "PASSING", passing))
    def compliant(case: Case) -> None:
        policy, program, *config = case
        found = evaluate([policy], sdk_resources(program), config[0] if config else None)
        assert found == [], [v.message for v in found]

    @pytest.mark.parametrize("case", failing, ids=case_ids(module_file, "FAILING", failing))
    def violating(case: Case) -> None:
        policy, program, *config, fragment = case
        found = evaluate([policy], sdk_resources(program), config[0] if config else None)
        assert names(found) == {policy.name}
        assert fragment in "\n".join(v.message for v in found)

    def covered() -> None:
        every = {p.name for p in area}
        assert every == {c[0].name for c in passing} == {c[0].name for c in failing}

    return compliant, violating, covered
