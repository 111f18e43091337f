"""Human and machine reports of a dry-run."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .model import Resource
from .policy_driver import Pack, Violation

AREAS = {"SEC": "Security", "PERF": "Performance", "MON": "Monitoring", "REL": "Reliability",
         "COST": "Cost", "COMP": "Compliance"}


def tree(resources: list[Resource]) -> str:
    children: dict[str | None, list[Resource]] = defaultdict(list)
    known = {r.urn for r in resources}
    for r in resources:
        children[r.parent if r.parent in known else None].append(r)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda x: (x.type, x.name)):
            lines.append(f"{'  ' * depth}{'+ ' if children.get(r.urn) else '- '}{r.type}  {r.name}")
            walk(r.urn, depth + 1)

    walk(None, 0)
    return "\n".join(lines)


def counts(resources: list[Resource]) -> str:
    by_type = Counter(r.type for r in resources)
    width = max((len(t) for t in by_type), default=0)
    rows = [f"  {t:<{width}}  {n:>4}" for t, n in sorted(by_type.items())]
    return "\n".join([*rows, f"  {'total':<{width}}  {len(resources):>4}"])


def area_of(v: Violation) -> str:
    prefixes = sorted({c.split("-")[0] for c in v.checklist})
    return AREAS.get(prefixes[0], "Other") if prefixes else "Other"


def violations_text(violations: list[Violation], pack: Pack) -> str:
    if not violations:
        return "  none"
    grouped: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        grouped[area_of(v)].append(v)
    lines = []
    for area in [*AREAS.values(), "Other"]:
        items = grouped.get(area)
        if not items:
            continue
        lines.append(f"  {area}")
        for v in sorted(items, key=lambda x: (x.level != "mandatory", x.policy, x.urn)):
            ids = ",".join(v.checklist) or "-"
            detail = v.message.split("\n", 1)[-1] if "\n" in v.message else v.message
            lines.append(f"    [{v.level}] {v.policy} ({ids}) {v.urn.split('::')[-1] or 'stack'}")
            lines.append(f"        {detail}")
            info = pack.policies.get(v.policy)
            if info and info.remediation:
                lines.append(f"        fix: {info.remediation}")
    return "\n".join(lines)


def _sorted_violations(violations: list[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (v.policy, v.urn, v.message))


def to_json(stack: str, resources: list[Resource], violations: list[Violation]) -> str:
    doc: dict[str, Any] = {
        "stack": stack,
        "resources": [r.to_json() for r in resources],
        "violations": [v.to_json() for v in _sorted_violations(violations)],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
