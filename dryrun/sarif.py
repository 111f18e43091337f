"""SARIF 2.1.0 for GitHub code scanning: one rule per policy in the pack, one result per finding.

A finding belongs to a resource, not to a line of source: each result points at the file the
resources came from (the stack's `Pulumi.<stack>.yaml`, or the `--resources` file) at line 1, and
names the resource's URN as its logical location. Suppressed findings are results too, carrying
the suppression's reason, so a reviewer sees what was accepted and why.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .model import Resource
from .policy_driver import Pack, PolicyInfo, Suppressed, Violation

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
CROSSGUARD_URI = "https://www.pulumi.com/docs/iac/crossguard/"
# GitHub's scale for `security-severity` (a number as a string): >9.0 critical, 7.0-8.9 high,
# 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
# GitHub shows security-severity only for rules tagged "security"; these areas are security findings.
_SECURITY_AREAS = ("SEC-", "COMP-")


def artifact_uri(path: Path) -> str:
    """The file as GitHub names it: relative to the working directory (the repository root in CI)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_uri()


# The policies' pages are named relative to the repository root (docs/policies/<policy>.md).
_REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def help_uri(url: str, repository: str = "") -> str:
    """A policy's page as an absolute URI (SARIF's helpUri): a URL stays; a repository-relative
    path goes to the pack's repository page (`repository` in PulumiPolicy.yaml), else in GitHub
    Actions to the commit being scanned, else to the file in this checkout."""
    if urlparse(url).scheme:
        return url
    if repository:
        return f"{repository.rstrip('/')}/blob/HEAD/{url}"
    server, repo, sha = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha:
        return f"{server}/{repo}/blob/{sha}/{url}"
    return (_REPOSITORY_ROOT / url).as_uri()


def _level(enforcement: str) -> str:
    return "error" if enforcement in ("mandatory", "remediate") else "warning"


def _fingerprint(policy: str, urn: str, message: str) -> str:
    return hashlib.sha256("\0".join((policy, urn, message)).encode()).hexdigest()[:32]


def _rule(info: PolicyInfo, level: str, repository: str) -> dict[str, Any]:
    tags = list(dict.fromkeys(info.tags))
    if any(c.startswith(_SECURITY_AREAS) for c in info.checklist) and "security" not in tags:
        tags.append("security")
    # The checks read declared inputs, not heuristics: a finding is a fact about the resource.
    properties: dict[str, Any] = {"tags": tags, "precision": "very-high"}
    if info.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[info.severity]
    rule: dict[str, Any] = {
        "id": info.name,
        "name": info.name,
        "shortDescription": {"text": info.description},
        # GitHub requires a full description; the checklist items say what the rule is there to prove.
        "fullDescription": {"text": f"{info.description} Checklist: {', '.join(info.checklist) or '-'}."},
        "help": {"text": info.remediation or info.description},
        "defaultConfiguration": {"level": _level(level), "enabled": level != "disabled"},
        "properties": properties,
    }
    if info.url:
        rule["helpUri"] = help_uri(info.url, repository)
    return rule


def _location(artifact: str, urn: str, names: dict[str, str]) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": artifact},
                                                     "region": {"startLine": 1}}}
    if urn:
        location["logicalLocations"] = [{"name": names.get(urn, urn.split("::")[-1]),
                                         "fullyQualifiedName": urn, "kind": "resource"}]
    return location


def to_sarif(pack: Pack, stack: str, artifact: str, resources: list[Resource], violations: list[Violation],
             suppressed: list[Suppressed]) -> str:
    """The SARIF log as text; the same inputs give byte-identical output."""
    infos = sorted(pack.policies.values(), key=lambda p: p.name)
    index = {p.name: i for i, p in enumerate(infos)}
    names = {r.urn: r.name for r in resources}
    # A stack policy's finding has no resource: it is located at the stack itself.
    stack_urn = next((r.urn for r in resources if r.type == "pulumi:pulumi:Stack"), "")

    def result(policy: str, level: str, urn: str, message: str) -> dict[str, Any]:
        out: dict[str, Any] = {"ruleId": policy}
        if policy in index:
            out["ruleIndex"] = index[policy]
        out.update({
            "level": _level(level),
            "message": {"text": message},
            "locations": [_location(artifact, urn or stack_urn, names)],
            # Every finding of a file sits on line 1, so GitHub's own line hash would merge them: the
            # finding's identity (policy, resource, message) is the fingerprint instead.
            "partialFingerprints": {"primaryLocationLineHash": _fingerprint(policy, urn, message)},
        })
        return out

    results = [result(v.policy, v.level, v.urn, v.message)
               for v in sorted(violations, key=lambda v: (v.policy, v.urn, v.message))]
    for s in sorted(suppressed, key=lambda s: (s.policy, s.urn, s.reason)):
        # Shaped like a violation's message (the policy's description, then the detail).
        described = pack.policies.get(s.policy)
        entry = result(s.policy, s.level, s.urn, f"{described.description}\n{s.reason}" if described else s.reason)
        entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": s.reason}]
        results.append(entry)

    driver: dict[str, Any] = {
        "name": pack.name,
        "version": pack.version,
        "informationUri": pack.info.repository or CROSSGUARD_URI,
        "rules": [_rule(p, pack.levels.get(p.name, p.level), pack.info.repository or "") for p in infos],
    }
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            # One category per stack, so uploads for dev and prod do not close each other's alerts.
            "automationDetails": {"id": f"pulumi-policy/{stack}/"},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
