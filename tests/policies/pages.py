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
from typing import Any

from pulumi_policy import Policy, StackValidationPolicy

from dryrun.model import Resource, reveal
from dryrun.policy_driver import Violation
from policies import relations, rules
from policies.checklist import BY_ID, ITEMS
from policies.framework.expect import ROWS
from policies.framework.policy import TYPES
from policies.pack import ENFORCEMENT_LEVEL
from tests.policies.support import case_ids, evaluate, sdk_resources

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "policies"
ENVIRONMENTS = ("dev", "prod")
# Test modules whose PASSING / FAILING tables hold `(policy, program[, config], ...)` cases.
TABLES = ("tests.policies.test_security", "tests.policies.test_reliability", "tests.policies.test_performance",
          "tests.policies.test_blind_spots",
          "tests.policies.test_gateway_policies",
          "tests.policies.rules.test_search", "tests.policies.rules.test_static_web_apps",
          "tests.policies.rules.test_front_door", "tests.policies.relations.test_frontend")
# Test modules of plain test functions: a function that evaluates one policy is that policy's example.
FUNCTIONS = ("tests.policies.test_monitoring", "tests.policies.test_cost", "tests.policies.test_compliance",
             "tests.policies.test_stack", "tests.policies.test_slo_policies")


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
3. **The tests.** Add a compliant and a violating case to the table of the test module that covers
   the service (`PASSING` / `FAILING`: `(policy, program)` and `(policy, program, fragment of the
   message)`), built on the SDK baselines in `tests/policies/secure_inputs.py`. The case ids are
   derived from the case (`<policy>/violates-<fragment>`), and the first cases become the page's
   examples.
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


def _table_cases(table: str) -> dict[str, Case]:
    """The first case per policy of each module's `table`."""
    first: dict[str, Case] = {}
    for name in TABLES:
        module = importlib.import_module(name)
        rows = getattr(module, table)
        assert module.__file__ is not None
        for case_id, row in zip(case_ids(module.__file__, table, rows), rows, strict=True):
            if row[0].name not in first:
                config = row[2] if len(row) > 2 and not isinstance(row[2], str) else None
                first[row[0].name] = Case(case_id, name, row[0], sdk_resources(row[1]), config)
    return first


def _function_cases(compliant: dict[str, Case], violating: dict[str, Case]) -> None:
    """Add the first evaluation of a single policy in each plain test function that names a policy
    still lacking an example, recorded by running the function with its module's `evaluate` wrapped."""
    for name in FUNCTIONS:
        module = importlib.import_module(name)
        for test_name, test in inspect.getmembers(module, inspect.isfunction):
            if not test_name.startswith("test_") or inspect.signature(test).parameters:
                continue
            named = {getattr(module, n).name for n in test.__code__.co_names
                     if isinstance(getattr(module, n, None), Policy)}
            if all(n in compliant and n in violating for n in named):
                continue

            def record(policies: Iterable[Policy], resources: list[Resource], config: dict[str, Any] | None = None,
                       stack: str = "test", test_name: str = test_name, name: str = name) -> list[Violation]:
                listed = list(policies)
                found = evaluate(listed, resources, config, stack)
                if len(listed) == 1 and stack == "test":
                    into = violating if found else compliant
                    into.setdefault(listed[0].name, Case(test_name, name, listed[0], copy.deepcopy(resources), config))
                return found

            original = module.evaluate
            setattr(module, "evaluate", record)  # noqa: B010 (the module's own name, for the test to call)
            try:
                test()
            finally:
                setattr(module, "evaluate", original)  # noqa: B010


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

    compliant, violating = _table_cases("PASSING"), _table_cases("FAILING")
    _function_cases(compliant, violating)
    pages = {DOCS / f"{p.name}.md": page(p, compliant.get(p.name), violating.get(p.name)) for p in POLICIES}
    pages[DOCS / "README.md"] = index(POLICIES)
    return pages


def stale_pages() -> list[str]:
    """Pages that differ from what the pack generates now (repository-relative paths)."""
    return sorted(str(path.relative_to(ROOT)) for path, text in render().items()
                  if not path.exists() or path.read_text() != text)


def main() -> None:
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
