"""Evaluate policies on resources declared with the real SDK, through the CLI's analyzer calls."""

from __future__ import annotations

import ast
import json
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


def fired(policy: Policy, program: Callable[[], Any], config: dict[str, Any] | None = None) -> tuple[set[str], str]:
    """The policies `policy` reports on what `program` declares, and their messages."""
    found = evaluate([policy], sdk_resources(program), config)
    return names(found), "\n".join(v.message for v in found)


def flagged(policies: Iterable[Policy], resources: list[Resource], config: dict[str, Any] | None = None) -> set[str]:
    return names(evaluate(policies, resources, config))


CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"


def env_config(env: str, policy: Policy) -> dict[str, Any]:
    """The policy's entry of policies/config/<env>.json (the others name policies outside the test's pack)."""
    entries = json.loads((CONFIG_DIR / f"{env}.json").read_text())
    return file_config({k: v for k, v in entries.items() if k == policy.name})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _words(source: str, node: ast.expr) -> str:
    """A value of a case in words: constants as written (`None` absent, `*` any), names by name, calls
    by what they set, collections by their items."""
    if isinstance(node, ast.Constant):
        return "absent" if node.value is None else "any" if node.value == "*" else str(node.value)
    if isinstance(node, ast.Name | ast.Attribute):
        return node.id if isinstance(node, ast.Name) else node.attr
    if isinstance(node, ast.Call):
        return " ".join([_words(source, a) for a in node.args]
                        + [f"{k.arg or ''} {_words(source, k.value)}" for k in node.keywords])
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return " ".join(_words(source, e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return " ".join(f"{_words(source, k) if k else ''} {_words(source, v)}" for k, v in zip(node.keys, node.values,
                                                                                                 strict=True))
    return ast.get_source_segment(source, node) or ""


def _when(source: str, node: ast.expr) -> str:
    """What a case's program sets, in words: its arguments, else the builder's name."""
    func = getattr(node, "func", None)
    words = _words(source, node) if isinstance(node, ast.Call) else ""
    if not _slug(words):
        words = (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) if func is not None \
            else ast.get_source_segment(source, node) or ""
    return _slug(words)


def case_ids(module_file: str, table: str, cases: Sequence[tuple[Any, ...]]) -> list[str]:
    """Readable ids for a `PASSING` or `FAILING` table of `(policy, program[, config], ...)` cases:
    `<policy>/passes-when-<what the program sets>` or `<policy>/violates-when-<...>`, read from the case's
    own source text, so pytest prints `key-vault-recoverable/violates-when-enable-purge-protection-absent`."""
    source = Path(module_file).read_text()
    tree = ast.parse(source)
    rows = next(node.value for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                and any(isinstance(t, ast.Name) and t.id == table
                        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])))
    assert isinstance(rows, ast.List) and len(rows.elts) == len(cases), f"{table}: one source row per case"
    verb = "passes" if table == "PASSING" else "violates"
    ids: list[str] = []
    for case, row in zip(cases, rows.elts, strict=True):
        assert isinstance(row, ast.Tuple)
        what = _when(source, row.elts[1])[:70].rstrip("-")
        config = row.elts[2] if len(row.elts) > (3 if verb == "violates" else 2) else None
        if isinstance(config, ast.Name):
            what += "-with-" + _slug(config.id)
        base, n = f"{case[0].name}/{verb}-when-{what}", 2
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


def assert_provided_outside_stack(policy: Policy, resources: list[Resource], reason: str) -> None:
    """`providedOutsideStack` with a reason records every finding of `policy` as suppressed, citing it."""
    assert flagged([policy], resources) == {policy.name}
    pack = Pack.from_policies([policy])
    pack.configure(file_config({policy.name: {"providedOutsideStack": {"reason": reason}}}), stack="prod",
                   project="ai-platform")
    assert pack.analyze(resources) == []
    assert pack.suppressed and all(reason in x.reason and "provided outside this stack" in x.reason
                                   for x in pack.suppressed)
