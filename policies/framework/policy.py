"""How every policy in the pack is built: checklist IDs, severity, remediation, and suppressions.

A policy's check is a plain function returning messages, so it is testable without the SDK's
plumbing. The wrapper adds what every policy shares:
  * every type token in its canonical form (azure/tokens.py) before the check runs: a resource
    declared with an explicit API version or a v2 module name meets the same rules;
  * `suppressions` in the policy's pack config: `[{"resource": "<urn glob or logical name>",
    "reason": "...", "expires": "YYYY-MM-DD"}]`. A matching, valid suppression silences the
    finding and reports it through `not_applicable` (so the CLI and the dry-run both record it,
    with the reason); a suppression without a reason, or past its expiry, is itself a violation.
  * `providedOutsideStack` in a stack policy's config: `{"reason": "...", "expires": "YYYY-MM-DD"}`
    says that what the policy looks for is deployed by something else in a landing zone (Azure
    Policy DeployIfNotExists writes the diagnostic settings; the hub owns the private endpoints
    and DNS zones). Every finding of the policy is then recorded as suppressed with that reason,
    instead of one per resource; without a reason, or past its expiry, the switch is a violation.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..azure.tokens import canonical
from ..checklist import BY_ID

Config = Mapping[str, Any]

# Where each policy's page lives (docs/policies/<name>.md, generated from the policy's metadata),
# relative to the repository root: the console prints it, and SARIF makes it absolute for its helpUri.
DOCS = "docs/policies/"


def doc_url(name: str) -> str:
    return f"{DOCS}{name}.md"


# Policy name -> the type tokens a resource policy reads (None: every resource), for the pages and
# the index by service; a stack policy has no entry.
TYPES: dict[str, frozenset[str] | None] = {}

ResourceCheck = Callable[[ResourceValidationArgs, Config], Iterable[str]]
# A stack check yields (message, urn of the offending resource or None for the stack).
StackCheck = Callable[[StackValidationArgs, Config], Iterable[tuple[str, str | None]]]

SUPPRESSIONS_SCHEMA = {
    "type": "array",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "description": "URN glob (fnmatch) or logical name"},
            "reason": {"type": "string"},
            "expires": {"type": "string", "description": "YYYY-MM-DD; the suppression lapses after it"},
        },
        "required": ["resource"],
    },
}


OUTSIDE_SCHEMA = {
    "type": "object",
    "description": "what this policy looks for is provided outside this stack (a landing zone's Azure Policy, "
                   "a hub stack): every finding is recorded as suppressed with this reason",
    "properties": {
        "reason": {"type": "string", "description": "what provides it, e.g. 'ALZ policy Deploy-Diag-LogAnalytics'"},
        "expires": {"type": "string", "description": "YYYY-MM-DD; the switch lapses after it"},
    },
}


def _today() -> date:
    return date.today()


def _schema(config: Mapping[str, dict[str, Any]] | None, stack: bool = False) -> PolicyConfigSchema:
    extra = {"providedOutsideStack": OUTSIDE_SCHEMA} if stack else {}
    return PolicyConfigSchema(properties={**(config or {}), "suppressions": SUPPRESSIONS_SCHEMA, **extra})


def _tags(checklist: list[str], extra: list[str] | None) -> list[str]:
    unknown = [c for c in checklist if c not in BY_ID]
    if not checklist or unknown:
        raise ValueError(f"policy must name known checklist IDs, got {checklist}")
    areas = sorted({BY_ID[c].area.lower() for c in checklist})
    return [*(f"checklist:{c}" for c in checklist), *areas, *(extra or [])]


class Suppressions:
    """The suppressions of one policy, as configured, with their own problems."""

    def __init__(self, config: Config) -> None:
        self.entries = list(config.get("suppressions") or [])
        outside = config.get("providedOutsideStack")
        # The landing-zone switch is a suppression of every finding, stack-wide.
        self.outside = ({**outside, "resource": "providedOutsideStack", "providedOutsideStack": True}
                        if isinstance(outside, Mapping) else None)

    def problems(self) -> Iterable[str]:
        for entry in [*self.entries, *([self.outside] if self.outside else [])]:
            target = entry.get("resource", "?")
            if not str(entry.get("reason", "")).strip():
                yield (f"suppression for '{target}' has no reason; every suppression needs a 'reason' "
                       "saying why the finding is accepted")
            expires = entry.get("expires")
            if expires:
                try:
                    lapsed = date.fromisoformat(expires) < _today()
                except ValueError:
                    yield f"suppression for '{target}' has an invalid 'expires' date {expires!r}; use YYYY-MM-DD"
                    continue
                if lapsed:
                    yield (f"suppression for '{target}' expired on {expires}; fix the finding, or renew the "
                           "suppression with a new date and reason")

    def match(self, urn: str | None, name: str | None) -> dict[str, Any] | None:
        """The valid suppression covering this resource (or the stack), if any."""
        for entry in [*([self.outside] if self.outside else []), *self.entries]:
            if not str(entry.get("reason", "")).strip():
                continue
            expires = entry.get("expires")
            try:
                if expires and date.fromisoformat(expires) < _today():
                    continue
            except ValueError:
                continue
            pattern = entry.get("resource", "")
            if entry is self.outside or (urn and fnmatch.fnmatchcase(urn, pattern)) or (name and name == pattern):
                return entry
        return None


def _note(entry: Mapping[str, Any]) -> str:
    until = f" until {entry['expires']}" if entry.get("expires") else ""
    what = "as provided outside this stack" if "providedOutsideStack" in entry else f"'{entry['resource']}'"
    return f"suppressed {what}{until}: {entry['reason']}"


def resource_policy(
    *,
    name: str,
    description: str,
    checklist: list[str],
    severity: Severity,
    remediation: str,
    types: Iterable[str] | None,
    check: ResourceCheck,
    config: Mapping[str, dict[str, Any]] | None = None,
    level: EnforcementLevel | None = None,
    tags: list[str] | None = None,
) -> ResourceValidationPolicy:
    """A per-resource policy for the given type tokens (None: every resource)."""
    wanted = frozenset(types) if types is not None else None
    TYPES[name] = wanted

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        args.resource_type = canonical(args.resource_type)
        cfg = dict(args.get_config() or {})
        suppressions = Suppressions(cfg)
        for problem in suppressions.problems():
            report(problem, None)
        if wanted is not None and args.resource_type not in wanted:
            return
        messages = list(check(args, cfg))
        if not messages:
            return
        entry = suppressions.match(args.urn, args.name)
        if entry is not None:
            args.not_applicable(_note(entry))
        for message in messages:
            report(message, None)

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level,
        config_schema=_schema(config), severity=severity, tags=_tags(checklist, tags),
        remediation_steps=remediation, url=doc_url(name))


def stack_policy(
    *,
    name: str,
    description: str,
    checklist: list[str],
    severity: Severity,
    remediation: str,
    check: StackCheck,
    config: Mapping[str, dict[str, Any]] | None = None,
    level: EnforcementLevel | None = None,
    tags: list[str] | None = None,
) -> StackValidationPolicy:
    """A policy over the whole deployment (relations between resources)."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        for resource in args.resources:
            resource.resource_type = canonical(resource.resource_type)
        cfg = dict(args.get_config() or {})
        suppressions = Suppressions(cfg)
        for problem in suppressions.problems():
            report(problem, None)
        names = {r.urn: r.name for r in args.resources}
        suppressed = []
        for message, urn in check(args, cfg):
            entry = suppressions.match(urn, names.get(urn or ""))
            if entry is not None:
                suppressed.append(f"{_note(entry)} [{urn or 'stack'}] ({message})")
            else:
                report(message, urn)
        if suppressed:
            # Recorded after every real violation was reported, so none is lost.
            # One line per finding, each naming its resource, so reports can attribute it.
            args.not_applicable("\n".join(suppressed))

    return StackValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level,
        config_schema=_schema(config, stack=True), severity=severity, tags=_tags(checklist, tags),
        remediation_steps=remediation, url=doc_url(name))


def by_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]
