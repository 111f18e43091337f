"""The policy pages: docs/policies/<policy>.md and the index docs/policies/README.md, generated from
each policy's own metadata (description, checklist tags, severity, remediation, config schema, rows,
per-environment config) and from the first compliant and violating case of its test tables.

    .venv/bin/python -m tests.policies.pages      # rewrite the pages
tests/policies/test_pages.py fails when a page differs from what this writes (a stale page).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi_policy import Policy, StackValidationPolicy

from dryrun import lazy_imports
from dryrun.collector import collect_cycles_less_often
from dryrun.model import Resource, reveal
from dryrun.policy_driver import Violation
from policies import relations, rules
from policies.checklist import BY_ID, ITEMS
from policies.framework.expect import ROWS
from policies.framework.policy import TYPES
from policies.pack import ENFORCEMENT_LEVEL
from tests.policies import support
from tests.policies.support import case_ids, evaluate, sdk_resources

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "policies"
ENVIRONMENTS = ("dev", "prod")
# The policy tests mirror the pack: tests/policies/rules/test_<service>.py for policies/rules/<service>.py,
# tests/policies/relations/test_<concern>.py for policies/relations/<concern>.py.
TESTS = ROOT / "tests" / "policies"


def test_modules() -> list[str]:
    """The mirrored test modules, by name."""
    return [f"tests.policies.{path.parent.name}.{path.stem}"
            for kind in ("rules", "relations") for path in sorted((TESTS / kind).glob("test_*.py"))]


def mirror(policy: Policy) -> str:
    """The test module of the policy's module."""
    package, module = _module_of(policy).split(".")[1:]
    return f"tests.policies.{package}.test_{module}"

HOW_TO = """## Adding a policy

1. **The Azure facts.** A type token not yet in `policies/azure/types.py` goes there (once); an ARM
   path, a private-link zone or a role id goes to `policies/azure/catalog.py` / `roles.py`, with its
   source. Nothing else spells a token or a role id.
2. **The rule.** Put it in `policies/rules/<service>.py` (a new service gets a new module, listed in
   `policies/rules/__init__.py` `MODULES`); a rule over several resources goes to
   `policies/relations/<concern>.py`. A check that compares values at paths is rows:

   ```python
   key_vault_example = value_policy(
       name="key-vault-example", description="Key Vaults ... (one sentence: what holds).",
       checklist=["SEC-3"], severity=Severity.HIGH,
       remediation="Set `properties.x='Disabled'` ...",
       types=[T.KEY_VAULT],
       rows=[Row(("properties", "x"), equals("Disabled"), absent=VIOLATES, default="Enabled",
                 message="{path} is {shown}; set it to 'Disabled'")],
   )
   ```

   Expectations: `equals`, `is_not`, `tls_at_least`, `present`, `nonblank`, `empty`
   (`policies/framework/expect.py`); `absent` says whether Azure's default complies. Anything
   needing two values at once is a function with `resource_policy(check=...)` or `stack_policy`.
   Add the policy to the module's `POLICIES`; names are permanent (configs, suppressions and SARIF
   rule ids use them).
3. **The tests.** The rule's test module mirrors it: `tests/policies/rules/test_<service>.py` (or
   `relations/test_<concern>.py`). Add a compliant and a violating case to its tables (`PASSING` /
   `FAILING`: `(policy, program[, config])` and `(policy, program[, config], fragment of the
   message)`, run by `table_tests(__file__, AREA, PASSING, FAILING)`, which also checks that every
   policy of `AREA` has both), built on the SDK baselines in `tests/policies/secure_inputs.py`; logic
   a table cannot state is a plain test function. The case ids are derived from the case
   (`<policy>/violates-when-<what the program sets>`), and the first cases of the policy's own test
   module become the page's examples (`tests/policies/test_pages.py` fails when a page lacks one).
4. **The page.** `.venv/bin/python -m tests.policies.pages` writes `docs/policies/<name>.md` and this
   index; `./dev test` fails until they are current. Per-environment levels and knobs go to
   `policies/config/<env>.json`.
"""


@dataclass(frozen=True)
class Case:
    id: str
    module: str
    policy: Policy
    resources: list[Resource]
    config: dict[str, Any] | None


def _table_cases(module: ModuleType, table: str, into: dict[str, Case]) -> None:
    """The first case per policy of the module's `table`."""
    rows = getattr(module, table, None)
    if not rows:
        return
    assert module.__file__ is not None
    for case_id, row in zip(case_ids(module.__file__, table, rows), rows, strict=True):
        if row[0].name not in into:
            config = row[2] if len(row) > 2 and not isinstance(row[2], str) else None
            into[row[0].name] = Case(case_id, module.__name__, row[0], sdk_resources(row[1]), config)


def _calls(test: Any) -> list[tuple[str, dict[str, Any]]]:
    """The calls pytest makes of a test function: one without arguments, or one per parameter set of
    its single `parametrize` mark (`<function>[<id or index>]`)."""
    marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    if not marks:
        return [] if inspect.signature(test).parameters else [(test.__name__, {})]
    if len(marks) > 1:
        return []
    argnames, argvalues = marks[0].args[0], marks[0].args[1]
    keys = [a.strip() for a in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
    calls = []
    for i, value in enumerate(argvalues):
        param = isinstance(value, tuple) and hasattr(value, "marks")  # a pytest.param(...)
        values, given = (getattr(value, "values"), getattr(value, "id")) if param else (value, None)  # noqa: B009
        values = values if len(keys) > 1 else (values[0] if param else value,)
        calls.append((f"{test.__name__}[{given or i}]", dict(zip(keys, values, strict=True))))
    return calls


def _function_cases(module: ModuleType, compliant: dict[str, Case], violating: dict[str, Case]) -> None:
    """Add the first evaluation of a single policy in each plain test function of the module (each
    parameter set of a parametrized one) that names a policy still lacking an example, recorded by
    running the function with `evaluate` wrapped (the module's own name and the one the support
    helpers call)."""
    for test_name, test in inspect.getmembers(module, inspect.isfunction):
        if not test_name.startswith("test_") or test.__module__ != module.__name__:
            continue
        named = {getattr(module, n).name for n in test.__code__.co_names
                 if isinstance(getattr(module, n, None), Policy)}
        if all(n in compliant and n in violating for n in named):
            continue
        for case_id, kwargs in _calls(test):

            def record(policies: Iterable[Policy], resources: list[Resource], config: dict[str, Any] | None = None,
                       stack: str = "test", case_id: str = case_id) -> list[Violation]:
                listed = list(policies)
                found = evaluate(listed, resources, config, stack)
                if len(listed) == 1 and stack == "test":
                    into = violating if found else compliant
                    into.setdefault(listed[0].name,
                                    Case(case_id, module.__name__, listed[0], copy.deepcopy(resources), config))
                return found

            patched = [m for m in (module, support) if getattr(m, "evaluate", None) is evaluate]
            for m in patched:
                setattr(m, "evaluate", record)  # noqa: B010 (the module's own name, for the test to call)
            try:
                test(**kwargs)
            finally:
                for m in patched:
                    setattr(m, "evaluate", evaluate)  # noqa: B010


def examples() -> tuple[dict[str, Case], dict[str, Case]]:
    """Per policy name, the first compliant and the first violating case of its own test module."""
    from policies.pack import POLICIES

    compliant: dict[str, Case] = {}
    violating: dict[str, Case] = {}
    for name in test_modules():
        module = importlib.import_module(name)
        own_compliant: dict[str, Case] = {}
        own_violating: dict[str, Case] = {}
        _table_cases(module, "PASSING", own_compliant)
        _table_cases(module, "FAILING", own_violating)
        _function_cases(module, own_compliant, own_violating)
        for found, into in ((own_compliant, compliant), (own_violating, violating)):
            for policy_name, case in found.items():
                if any(p is case.policy for p in POLICIES) and mirror(case.policy) == name:
                    into.setdefault(policy_name, case)
    return compliant, violating


def _module_of(policy: Policy) -> str:
    for package in (rules, relations):
        for module in package.MODULES:
            if any(p is policy for p in module.POLICIES):
                return module.__name__
    raise LookupError(policy.name)


def _levels(policy: Policy) -> dict[str, str]:
    default = (policy.enforcement_level or ENFORCEMENT_LEVEL).value
    out = {"default": default}
    for env in ENVIRONMENTS:
        raw = json.loads((ROOT / "policies" / "config" / f"{env}.json").read_text()).get(policy.name)
        level = raw if isinstance(raw, str) else (raw or {}).get("enforcementLevel")
        out[env] = level or default
    return out


def _env_settings(policy: Policy) -> dict[str, dict[str, Any]]:
    out = {}
    for env in ENVIRONMENTS:
        raw = json.loads((ROOT / "policies" / "config" / f"{env}.json").read_text()).get(policy.name)
        if isinstance(raw, dict):
            out[env] = {k: v for k, v in raw.items() if k != "enforcementLevel"}
    return out


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _example(case: Case, violating: bool) -> list[str]:
    resources = case.resources
    found = evaluate([case.policy], resources, case.config)
    assert bool(found) == violating, f"{case.id}: the test case no longer {'fails' if violating else 'passes'}"
    types = TYPES.get(case.policy.name)
    shown = [r for r in resources if types is None or r.type in types] if case.policy.name in TYPES else resources
    shown = shown or resources
    flagged = {v.urn for v in found}
    if violating and any(r.urn in flagged for r in shown):
        shown = [r for r in shown if r.urn in flagged]
    lines = [f"From `{case.module.replace('.', '/')}.py`, {'function' if case.id.startswith('test_') else 'case'} "
             f"`{case.id}`"
             + (f" with the pack config `{_json(case.config)}`" if case.config else "") + ":", ""]
    # Registration order follows how outputs resolve (it varies under load): list by type and name.
    for r in sorted(shown, key=lambda r: (r.type, r.name)):
        lines += [f"`{r.type}` `{r.name}`, inputs as the engine sends them:", "", "```json", _json(reveal(r.inputs)),
                  "```", ""]
    if violating:
        lines += ["Reports:", "", *sorted(f"> {v.message.split(chr(10), 1)[-1]}" for v in found), ""]
    return lines


def page(policy: Policy, compliant: Case | None, violating: Case | None) -> str:
    module = _module_of(policy)
    checklist = [t.removeprefix("checklist:") for t in policy.tags or [] if t.startswith("checklist:")]
    levels = _levels(policy)
    kind = "stack policy (relations between resources)" if isinstance(policy, StackValidationPolicy) else \
        "resource policy on " + (", ".join(f"`{t}`" for t in sorted(TYPES[policy.name] or [])) or "every resource")
    path = module.replace(".", "/") + ".py"
    lines = [f"# `{policy.name}`", "", policy.description, "",
             "| | |", "| --- | --- |",
             f"| Kind | {kind} |",
             f"| Defined in | [`{path}`](../../{path}) |",
             f"| Checklist | {', '.join(f'[{c}](README.md#{c.lower()}) {BY_ID[c].text}' for c in checklist)} |",
             f"| Severity | {policy.severity.value if policy.severity else '-'} |",
             f"| Level | default {levels['default']}; " + "; ".join(f"{e}: {levels[e]}" for e in ENVIRONMENTS) + " |",
             "", "## What it checks", ""]
    rows = ROWS.get(policy.name)
    if rows:
        lines += ["| Input | Must be | When absent | Applies to |", "| --- | --- | --- | --- |"]
        for row in rows:
            absent = row.absent + (f" (Azure's default: {row.default})" if row.default else "")
            applies = ", ".join(f"`{t}`" for t in sorted(row.types)) if row.types else "every type above"
            lines.append(f"| `{'.'.join(row.path)}` | {row.expect.text} | {absent} | {applies} |")
        lines.append("")
        lines += ["A value unknown during preview (computed by Azure) is never a violation.", ""]
    else:
        lines += [f"A hand-written check in `{path}`: {policy.description} A value unknown during preview is "
                  "never a violation.", ""]
    lines += ["## Why", "", *(f"- **{c}** {BY_ID[c].area}: {BY_ID[c].text}." for c in checklist), "",
              "## How to fix", "", policy.remediation_steps or "-", ""]
    schema = dict(policy.config_schema.properties) if policy.config_schema else {}
    schema.pop("suppressions", None)
    if schema:
        lines += ["## Configuration", "", "| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
        for key, spec in schema.items():
            lines.append(f"| `{key}` | {spec.get('type', '-')} | `{json.dumps(spec.get('default'))}` | "
                         f"{spec.get('description', '')} |")
        for env, settings in _env_settings(policy).items():
            if settings:
                lines.append(f"\n`policies/config/{env}.json` sets {', '.join(f'`{k}`' for k in settings)}.")
        lines.append("")
    lines += ["## Examples", ""]
    if compliant is None and violating is None:
        lines += [f"The cases are tests in `tests/policies/` named after `{policy.name}`.", ""]
    for title, case, bad in (("Compliant", compliant, False), ("Violating", violating, True)):
        if case is not None:
            lines += [f"### {title}", "", *_example(case, bad)]
    entry = {"resource": "<URN glob or logical name>", "reason": "<why the finding is accepted>",
             "expires": "YYYY-MM-DD"}
    suppression = {policy.name: {"suppressions": [entry]}}
    lines += ["## Suppressing a finding", "",
              "In the environment's pack config (`policies/config/<env>.json`); a suppression needs a reason and "
              "lapses after its expiry date:", "", "```json", _json(suppression), "```", ""]
    return "\n".join(lines)


def _service(module: str) -> str:
    return module.rsplit(".", 1)[-1].replace("_", " ")


def index(policies: Iterable[Policy]) -> str:
    listed = sorted(policies, key=lambda p: p.name)
    lines = ["# Policies", "",
             "Generated by `tests/policies/pages.py` from the pack's metadata; do not edit by hand "
             "(`.venv/bin/python -m tests.policies.pages` rewrites every page, and `./dev test` fails on a stale "
             "one).", "", "## By service", ""]
    by_module: dict[str, list[Policy]] = {}
    for p in listed:
        by_module.setdefault(_module_of(p), []).append(p)
    for module in sorted(by_module, key=lambda m: (".relations." in m, m)):
        kind = "relations" if ".relations." in module else "rules"
        lines.append(f"### {_service(module)} ({kind}, `{module.replace('.', '/')}.py`)")
        lines.append("")
        for p in by_module[module]:
            ids = ", ".join(t.removeprefix("checklist:") for t in p.tags or [] if t.startswith("checklist:"))
            lines.append(f"- [`{p.name}`]({p.name}.md) ({p.severity.value if p.severity else '-'}, {ids}): "
                         f"{p.description}")
        lines.append("")
    lines += ["## By checklist item", ""]
    for item in ITEMS:
        enforcing = [p for p in listed if f"checklist:{item.id}" in (p.tags or [])]
        lines.append(f"### {item.id}")
        lines.append("")
        lines.append(f"{item.area}: {item.text}.")
        lines.append("")
        lines += [f"- [`{p.name}`]({p.name}.md)" for p in enforcing] or [f"- process item: {item.process}"]
        lines.append("")
    lines += [HOW_TO.rstrip(), ""]
    return "\n".join(lines)


def render() -> dict[Path, str]:
    """Every page, by path."""
    from policies.pack import POLICIES

    compliant, violating = examples()
    pages = {DOCS / f"{p.name}.md": page(p, compliant.get(p.name), violating.get(p.name)) for p in POLICIES}
    pages[DOCS / "README.md"] = index(POLICIES)
    return pages


def stale_pages() -> list[str]:
    """Pages that differ from what the pack generates now (repository-relative paths)."""
    return sorted(str(path.relative_to(ROOT)) for path, text in render().items()
                  if not path.exists() or path.read_text() != text)


def main() -> None:
    # The examples are hundreds of small programs under the mocks, in a process of its own: it
    # loads azure-native as the dry-run command does.
    collect_cycles_less_often()
    lazy_imports.install()
    if sys.argv[1:] == ["--check"]:
        print(json.dumps(stale_pages()))
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    wanted = render()
    for stale in set(DOCS.glob("*.md")) - set(wanted):
        stale.unlink()
    for path, text in wanted.items():
        path.write_text(text)
    print(f"wrote {len(wanted)} pages to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
