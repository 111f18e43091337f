"""Diagnostic settings coverage (MON-6, COMP-2): every resource that supports one has one, with its
audit logs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import ARM_PATHS, TYPE_OF_ARM, UNKNOWN, arm_type, depends_on, get, items, text
from ..framework.stack import Finding, Stack, ids_at
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


# The request logs of a storage data service, each in its own category: reads, writes, deletes
# (https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-storage-storageaccounts-blobservices-logs,
# and .../microsoft-storage-storageaccounts-queueservices-logs). Only `allLogs` is sure to hold all three:
# Microsoft's tables do not say which of them the `audit` group carries.
STORAGE_SERVICE_LOGS = ("StorageRead", "StorageWrite", "StorageDelete")
# What shows an account's blob or queue service is in use: the service's settings, its containers or
# queues, or a private endpoint for it.
_SERVICE_TYPES = {"blob": (T.BLOB_SERVICE, T.BLOB_CONTAINER), "queue": (T.QUEUE_SERVICE, T.QUEUE)}
_SERVICE_URI = re.compile(r"^(/subscriptions/.+/providers/microsoft\.storage/storageaccounts/[^/]+)/"
                          r"(blob|queue)services/default$")


def _storage_service_diagnostics(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    accounts = {a.urn: a for a in stack.of(T.STORAGE)}
    if not accounts:
        return
    used = _services_in_use(stack, accounts)
    settings: dict[tuple[str, str], list[PolicyResource]] = defaultdict(list)
    unresolved: set[str] = set()  # accounts with a workspace setting whose target is unknown until deployment
    for setting in stack.of(T.DIAGNOSTIC_SETTING):
        if not to_workspace(setting.props):
            continue
        uri = get(setting.props, "resourceUri")
        found = _SERVICE_URI.match(uri.lower()) if isinstance(uri, str) else None
        if found:
            account = stack.by_id(found.group(1))
            if account is not None:
                settings[(account.urn, found.group(2))].append(setting)
        elif not isinstance(uri, str):
            unresolved |= {d.urn for d in setting.property_dependencies.get("resourceUri", [])} & set(accounts)
    for urn, services in used.items():
        account = accounts[urn]
        for service in sorted(services):
            found_settings = settings.get((urn, service), [])
            if not found_settings:
                if urn not in unresolved:
                    yield (f"storage account '{account.name}' uses its {service} service, but no diagnostic setting "
                           f"on {service}Services/default sends its {', '.join(STORAGE_SERVICE_LOGS)} logs to Log "
                           "Analytics (the account-level setting has metrics only)", urn)
                continue
            gaps = [_missing_logs(s.props) for s in found_settings]
            if all(gaps):
                yield (f"the diagnostic setting on '{account.name}' {service}Services/default does not send "
                       f"{', '.join(gaps[0] or [])}: enable those categories, or the category group allLogs", urn)


def _services_in_use(stack: Stack, accounts: dict[str, PolicyResource]) -> dict[str, set[str]]:
    """Account urn -> the data services ('blob', 'queue') something in the stack uses it through."""
    by_name = {(text(a.props, "resourceGroupName"), text(a.props, "accountName")): a.urn for a in accounts.values()}
    used: dict[str, set[str]] = defaultdict(set)
    for service, types in _SERVICE_TYPES.items():
        for r in stack.of(*types):
            owners = depends_on(r, "accountName") & set(accounts)
            key = (text(r.props, "resourceGroupName"), text(r.props, "accountName"))
            if not owners and key in by_name:
                owners = {by_name[key]}
            for urn in owners:
                used[urn].add(service)
    for pe in stack.of(T.PRIVATE_ENDPOINT):
        for prop in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
            for connection in _known(items(pe.props, prop)):
                groups = {str(g).lower() for g in _known(items(connection, "groupIds"))} & set(_SERVICE_TYPES)
                urns, _ = stack.references(pe, prop, ids_at([connection], "privateLinkServiceId"))
                for urn in urns & set(accounts):
                    used[urn] |= groups
    return used


def _known(values: Any) -> list[Any]:
    return [] if values is UNKNOWN else [v for v in values if v is not UNKNOWN]


def _missing_logs(setting: Any) -> list[str] | None:
    """The request-log categories a storage service setting leaves out (None: its logs are unknown)."""
    logs = items(setting, "logs")
    if logs is UNKNOWN or UNKNOWN in logs:
        return None
    sent = set()
    for log in logs:
        if get(log, "enabled") is False:
            continue
        if text(log, "categoryGroup") == "alllogs":
            return []
        sent.add(text(log, "category"))
    return [c for c in STORAGE_SERVICE_LOGS if c.lower() not in sent]


storage_service_diagnostics = stack_policy(
    name="storage-service-diagnostics",
    description="Every storage account used through its blob or queue service has a diagnostic setting on "
                "that service (blobServices/default, queueServices/default) sending the StorageRead, StorageWrite "
                "and StorageDelete request logs to Log Analytics.",
    checklist=["MON-6", "COMP-2"],
    severity=Severity.MEDIUM,
    remediation="Add a monitor:DiagnosticSetting with `resource_uri=<account>.id.apply(lambda i: "
                "f'{i}/blobServices/default')` (and queueServices), `workspace_id` of the region's workspace and "
                "`logs=[DiagnosticsLogSettingsArgs(category_group='allLogs', enabled=True)]` "
                "(components.storage.secure_storage_account does this for each service it opens).",
    check=_storage_service_diagnostics,
)


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
    diagnostic_settings_coverage, storage_service_diagnostics,
]
