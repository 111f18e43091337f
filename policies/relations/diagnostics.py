"""Diagnostic settings coverage (MON-6, COMP-2): every resource that supports one has one, with its
audit logs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import ARM_PATHS, TYPE_OF_ARM, arm_type, get, text
from ..framework.stack import Finding, Stack
from ..rules.monitor import audit_gap, to_workspace

_AUDITED = {token: arm for arm, token in TYPE_OF_ARM.items() if arm in C.AUDIT_CATEGORIES}


def _diagnostic_settings_coverage(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    settings_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for setting in stack.of(T.DIAGNOSTIC_SETTING):
        if not to_workspace(setting.props):
            continue  # a second stream (SIEM, archive): it does not put the logs in Log Analytics
        uri = get(setting.props, "resourceUri")
        deps = setting.property_dependencies.get("resourceUri", [])
        if isinstance(uri, str):
            target = stack.by_id(uri)
            # A known uri names the exact target: a dependency counts only if it is that type
            # (a setting on `<account id>/blobServices/default` does not cover the account).
            urns = {target.urn} if target else {d.urn for d in deps if _arm_of(d.resource_type) == arm_type(uri)}
        else:
            urns = {d.urn for d in deps}
            blind = blind or not urns
        for urn in urns:
            settings_of[urn].append(setting)
    for r in stack.of(*config["resourceTypes"]):
        settings = settings_of.get(r.urn, [])
        if not settings:
            if not blind and not _logs_flow_natively(r):
                yield (f"'{r.name}' ({r.resource_type}) has no diagnostic setting sending its logs to Log "
                       "Analytics", r.urn)
            continue
        # Settings whose resourceUri is known are checked one by one by diagnostic-setting-audit-categories.
        if r.resource_type in _AUDITED and not any(isinstance(get(s.props, "resourceUri"), str) for s in settings):
            gaps = [audit_gap(s.props, _AUDITED[r.resource_type]) for s in settings]
            if all(gaps):
                yield (f"the diagnostic setting of '{r.name}' {gaps[0]}", r.urn)


def _arm_of(token: str) -> str:
    path = ARM_PATHS.get(token)
    return arm_type("/providers/" + path) if path else ""


def _logs_flow_natively(r: PolicyResource) -> bool:
    """A Container Apps environment with the `log-analytics` destination writes its logs to the
    workspace itself; Azure offers diagnostic settings only for the `azure-monitor` destination."""
    return (r.resource_type == T.MANAGED_ENVIRONMENT
            and text(r.props, "appLogsConfiguration", "destination") == "log-analytics")


diagnostic_settings_coverage = stack_policy(
    name="diagnostic-settings-coverage",
    description="Every resource whose type supports diagnostic settings has one (with audit logs where the "
                "service has them).",
    checklist=["MON-6", "COMP-2"],
    severity=Severity.MEDIUM,
    remediation="Add a monitor:DiagnosticSetting with `resource_uri=<resource>.id` and `workspace_id` of the "
                "region's workspace (components.diagnostics.diagnostic_setting); tune `resourceTypes` to change "
                "which types need one.",
    check=_diagnostic_settings_coverage,
    config={"resourceTypes": {"type": "array", "items": {"type": "string"}, "default": list(C.DIAGNOSTIC_TYPES)}},
)


POLICIES: list[Policy] = [
    diagnostic_settings_coverage,
]
