"""Human and machine reports of a dry-run."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from policies.checklist import ITEMS

from .model import SECRET_SIG, SIG_KEY, Resource
from .policy_driver import Pack, Suppressed, Violation

AREAS = {"SEC": "Security", "PERF": "Performance", "MON": "Monitoring", "REL": "Reliability",
         "COST": "Cost", "COMP": "Compliance"}


# Shorter strings are words a message would use anyway ("true", a SKU): scrubbing them would garble it.
_SECRET_MIN_LENGTH = 4


def secret_texts(resources: list[Resource]) -> set[str]:
    """Every string inside a secret in the resources' inputs (a `--show-secrets` file holds them in clear)."""
    found: set[str] = set()

    def walk(value: Any, inside: bool) -> None:
        if isinstance(value, dict):
            secret = value.get(SIG_KEY) == SECRET_SIG
            for v in value.values():
                walk(v, inside or secret)
        elif isinstance(value, list):
            for v in value:
                walk(v, inside)
        elif inside and isinstance(value, str) and len(value) >= _SECRET_MIN_LENGTH and value != SECRET_SIG:
            found.add(value)

    for r in resources:
        walk(r.inputs, False)
    return found


def scrub(violations: list[Violation], suppressed: list[Suppressed], secrets: set[str]) -> None:
    """Blind secret values a policy quoted in a message: policies see secrets unwrapped, reports must not."""
    if not secrets:
        return
    ordered = sorted(secrets, key=len, reverse=True)  # a secret containing another is blinded whole

    def blind(text: str) -> str:
        for secret in ordered:
            text = text.replace(secret, "[secret]")
        return text

    for v in violations:
        v.message = blind(v.message)
    for s in suppressed:
        s.reason = blind(s.reason)


def tree(resources: list[Resource]) -> str:
    children: dict[str | None, list[Resource]] = defaultdict(list)
    known = {r.urn for r in resources}
    for r in resources:
        children[r.parent if r.parent in known else None].append(r)
    lines: list[str] = []
    # Depth first without recursion: a file's parent chains can be as deep as it likes.
    pending = [(r, 0) for r in reversed(sorted(children.get(None, []), key=lambda x: (x.type, x.name)))]
    while pending:
        r, depth = pending.pop()
        lines.append(f"{'  ' * depth}{'+ ' if children.get(r.urn) else '- '}{r.type}  {r.name}")
        pending += [(c, depth + 1) for c in reversed(sorted(children.get(r.urn, []), key=lambda x: (x.type, x.name)))]
    return "\n".join(lines)


def counts(resources: list[Resource]) -> str:
    by_type = Counter(r.type for r in resources)
    width = max((len(t) for t in by_type), default=0)
    rows = [f"  {t:<{width}}  {n:>4}" for t, n in sorted(by_type.items())]
    return "\n".join([*rows, f"  {'total':<{width}}  {len(resources):>4}"])


def area_of(policy: str, pack: Pack) -> str:
    """The area of the policy's first checklist ID, in the order the policy names them (its main concern)."""
    info = pack.policies.get(policy)
    first = next((t.removeprefix("checklist:") for t in (info.tags if info else []) if t.startswith("checklist:")),
                 "")
    return AREAS.get(first.split("-")[0], "Other")


def _where(urn: str) -> str:
    return urn.split("::")[-1] if urn else "stack"


def _by_area(items: list[Any], pack: Pack) -> list[tuple[str, list[Any]]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        grouped[area_of(item.policy, pack)].append(item)
    return [(area, grouped[area]) for area in [*AREAS.values(), "Other"] if area in grouped]


def violations_text(violations: list[Violation], pack: Pack) -> str:
    if not violations:
        return "  none"
    lines = []
    for area, items in _by_area(violations, pack):
        lines.append(f"  {area}")
        for v in sorted(items, key=lambda x: (x.level != "mandatory", x.policy, x.urn, x.message)):
            ids = ",".join(v.checklist) or "-"
            # The analyzer prefixes every message with the policy's description; the rest is the finding.
            detail = v.message.split("\n", 1)[-1]
            lines.append(f"    [{v.level}] {v.policy} ({ids}) {_where(v.urn)}")
            lines.append(f"        {detail}")
            info = pack.policies.get(v.policy)
            if info and info.remediation:
                lines.append(f"        fix: {info.remediation}")
            if info and info.url:
                lines.append(f"        docs: {info.url}")
    return "\n".join(lines)


def suppressed_text(suppressed: list[Suppressed], pack: Pack) -> str:
    if not suppressed:
        return "  none"
    lines = []
    for area, items in _by_area(suppressed, pack):
        lines.append(f"  {area}")
        for s in sorted(items, key=lambda x: (x.policy, x.urn, x.reason)):
            lines.append(f"    [suppressed] {s.policy} ({','.join(s.checklist) or '-'}) {_where(s.urn)}")
            lines.append(f"        {s.reason}")
    return "\n".join(lines)


@dataclass
class ChecklistRow:
    id: str
    area: str
    text: str
    status: str  # failing | suppressed | passing | process | not enforced
    enforced_by: list[str]
    violations: int
    suppressed: int
    process: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "area": self.area, "text": self.text, "status": self.status,
                "enforcedBy": self.enforced_by, "violations": self.violations, "suppressed": self.suppressed,
                "process": self.process}


def checklist(pack: Pack, violations: list[Violation], suppressed: list[Suppressed]) -> list[ChecklistRow]:
    """Each checklist item for this run: which enabled policies enforce it, and how it fared."""
    rows = []
    for item in ITEMS:
        # A policy that did not run (a stack policy on a partial preview) proves nothing either way.
        enforced_by = sorted(name for name, info in pack.policies.items()
                             if item.id in info.checklist and pack.levels.get(name, info.level) != "disabled"
                             and name not in pack.not_run)
        failed = sum(item.id in v.checklist for v in violations)
        silenced = sum(item.id in s.checklist for s in suppressed)
        if not enforced_by:
            status = "process" if item.process else "not enforced"
        else:
            status = "failing" if failed else "suppressed" if silenced else "passing"
        rows.append(ChecklistRow(id=item.id, area=item.area, text=item.text, status=status,
                                 enforced_by=enforced_by, violations=failed, suppressed=silenced,
                                 process=item.process if status == "process" else ""))
    return rows


def checklist_summary(rows: list[ChecklistRow]) -> str:
    by_status = Counter(r.status for r in rows)
    enforced = sum(1 for r in rows if r.enforced_by)
    return (f"{enforced} of {len(rows)} enforced by policies, {by_status['process']} process items; "
            f"{by_status['passing']} passing, {by_status['failing']} failing, {by_status['suppressed']} suppressed, "
            f"{by_status['not enforced']} not enforced")


def checklist_text(rows: list[ChecklistRow]) -> str:
    width = max(len(r.status) for r in rows)
    lines = []
    for area in dict.fromkeys(r.area for r in rows):
        lines.append(f"  {area}")
        for r in (r for r in rows if r.area == area):
            counts_note = ""
            if r.violations or r.suppressed:
                counts_note = f"  ({r.violations} violation(s), {r.suppressed} suppressed)"
            lines.append(f"    {r.id:<7} {r.status:<{width}}  {r.text}{counts_note}")
            if r.enforced_by:
                lines.append(f"            enforced by: {', '.join(r.enforced_by)}")
            elif r.process:
                lines.append(f"            process: {r.process}")
    lines.append(f"  {checklist_summary(rows)}")
    return "\n".join(lines)


def checklist_json(stack: str, rows: list[ChecklistRow]) -> str:
    doc = {"stack": stack, "summary": checklist_summary(rows), "items": [r.to_json() for r in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _sorted_violations(violations: list[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (v.policy, v.urn, v.message))


def to_json(stack: str, resources: list[Resource], violations: list[Violation],
            suppressed: list[Suppressed] | None = None, notes: list[str] | None = None) -> str:
    doc: dict[str, Any] = {
        "stack": stack,
        # Registration order depends on how the program's outputs resolve; URN order does not.
        "resources": [r.to_json() for r in sorted(resources, key=lambda r: r.urn)],
        "violations": [v.to_json() for v in _sorted_violations(violations)],
    }
    # Only when something was suppressed: a run without suppressions keeps the documented three-key shape.
    if suppressed:
        doc["suppressed"] = [s.to_json() for s in sorted(suppressed, key=lambda s: (s.policy, s.urn, s.reason))]
    # What the reader could not evaluate (pending deletions, reads, a partial preview), when there is any.
    if notes:
        doc["notes"] = list(notes)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
