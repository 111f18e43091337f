"""Azure Monitor (MON-*, COMP-2): App Insights, availability tests, Log Analytics retention and keys,
metric alerts and diagnostic settings, each checked on the resource itself. Whether every resource
has a diagnostic setting, or the stack has alerts and dashboards at all, is for relations/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, VIOLATES, Row, equals, nonblank, value_policy
from ..framework.inputs import UNKNOWN, arm_type, get, items, number, text
from ..framework.values import is_health_path

# Kinds Azure has retired: URL ping tests (September 2026) and multi-step tests (August 2024).
RETIRED_WEB_TEST_KINDS = frozenset({"ping", "multistep"})


def audit_gap(setting: Mapping[str, Any], target_arm_type: str) -> str | None:
    """Why a diagnostic setting on a resource of this ARM type is no audit trail (None: it is,
    or the type has no audit categories, or its logs are unknown until deployment)."""
    wanted = C.AUDIT_CATEGORIES.get(target_arm_type)
    logs = items(setting, "logs")
    if wanted is None or logs is UNKNOWN:
        return None
    categories = {c.lower() for c in wanted}
    for log in logs:
        if log is UNKNOWN:
            return None
        enabled = get(log, "enabled")
        if enabled is UNKNOWN or (enabled is True and (
                text(log, "categoryGroup") in C.AUDIT_GROUPS or text(log, "category") in categories)):
            return None
    return (f"sends no audit logs of its {target_arm_type} target: enable the log category "
            f"{' or '.join(sorted(wanted))}, or the category group audit or allLogs")


def _web_test_kind(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    for key in ("webTestKind", "kind"):
        kind = text(args.props, key)
        if isinstance(kind, str) and kind in RETIRED_WEB_TEST_KINDS:
            yield f"{key} '{kind}' is retired by Azure; use a 'standard' availability test"
            return


def _web_test_coverage(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "enabled") is False:
        yield "the availability test is disabled"
    locations = items(args.props, "locations")
    wanted = int(config["minLocations"])
    if locations is not UNKNOWN and len(locations) < wanted:
        yield (f"the test runs from {len(locations)} location(s); use at least {wanted} so that one probe "
               "location's outage raises no alert")


def _web_test_health_path(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    kind = text(args.props, "webTestKind")
    if kind != "standard":
        return  # retired kinds are flagged by web-test-standard-kind; their URL sits in XML
    url = get(args.props, "request", "requestUrl")
    if url is UNKNOWN:
        return
    wanted = str(config["healthPath"])
    if not is_health_path(urlparse(str(url or "")).path, wanted):
        yield f"the test requests '{url or ''}', not the health endpoint path '{wanted.rstrip('/')}'"


def _retention(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    days = number(args.props, "retentionInDays")
    if days is UNKNOWN:
        return
    days = 30.0 if days is None else days  # Azure's default for PerGB2018 workspaces
    if days < config["minRetentionDays"]:
        yield f"retentionInDays is {days:g}; this environment requires at least {config['minRetentionDays']}"


def _alert_actionable(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "enabled") is False:
        yield "the alert rule is disabled"
    actions = items(args.props, "actions")
    if actions is UNKNOWN:
        return
    if not any(a is UNKNOWN or get(a, "actionGroupId") for a in actions):
        yield "the alert notifies nobody: add an action with an actionGroupId"


# Where a diagnostic setting can stream besides Log Analytics (a SIEM's Event Hub, an archive, a
# partner solution); REST: https://learn.microsoft.com/rest/api/monitor/diagnostic-settings/create-or-update
OTHER_DESTINATIONS = ("eventHubAuthorizationRuleId", "storageAccountId", "marketplacePartnerId")


def to_workspace(props: Any) -> bool:
    """The setting sends to a Log Analytics workspace (or may: its workspaceId is unknown)."""
    workspace = get(props, "workspaceId")
    return workspace is UNKNOWN or bool(str(workspace or "").strip())


def _setting_destination(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    # A setting streaming to a SIEM next to the resource's workspace setting is fine; that the
    # resource has a workspace setting at all is diagnostic-settings-coverage's question.
    if not to_workspace(args.props) and not any(get(args.props, d) for d in OTHER_DESTINATIONS):
        yield "the diagnostic setting has no destination; set workspaceId to the Log Analytics workspace"
    logs, metrics = items(args.props, "logs"), items(args.props, "metrics")
    if logs is UNKNOWN or metrics is UNKNOWN:
        return
    if not any(x is UNKNOWN or get(x, "enabled") is not False for x in [*logs, *metrics]):
        yield "the diagnostic setting enables no log category and no metric"


def _setting_audit(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    target = get(args.props, "resourceUri")
    if not isinstance(target, str) or not to_workspace(args.props):
        # Unknown until the target exists, or a second stream (a SIEM's Event Hub): the audit trail
        # is the workspace settings', which diagnostic-settings-coverage checks by dependency.
        return
    gap = audit_gap(args.props, arm_type(target))
    if gap:
        yield f"the diagnostic setting {gap}"


app_insights_workspace_based = value_policy(
    name="app-insights-workspace-based",
    description="Application Insights is workspace-based and ingests into Log Analytics.",
    checklist=["MON-1"],
    severity=Severity.MEDIUM,
    remediation="Set `workspaceResourceId` to the Log Analytics workspace id and leave `ingestionMode` at "
                "'LogAnalytics' (classic App Insights is retired).",
    types=[T.APP_INSIGHTS],
    rows=[
        Row(("workspaceResourceId",), nonblank(), absent=VIOLATES,
            message="Application Insights is classic (no workspaceResourceId); link it to the Log Analytics workspace"),
        Row(("ingestionMode",), equals("LogAnalytics"), absent=COMPLIES,
            message="{path} is '{value}'; telemetry must go to Log Analytics"),
    ],
)


app_insights_local_auth_disabled = value_policy(
    name="app-insights-local-auth-disabled",
    description="Application Insights accepts telemetry only with Entra ID, not the instrumentation key.",
    checklist=["MON-1", "SEC-1"],
    severity=Severity.MEDIUM,
    remediation="Set `disableLocalAuth=True` and grant the app's identity 'Monitoring Metrics Publisher' on "
                "the component; connect with the connection string plus a token credential.",
    types=[T.APP_INSIGHTS],
    rows=[
        Row(("disableLocalAuth",), equals(True), absent=VIOLATES,
            message="instrumentation-key ingestion is allowed (disableLocalAuth is not true); ingest with Entra ID "
                    "only"),
    ],
)


web_test_standard_kind = resource_policy(
    name="web-test-standard-kind",
    description="Availability tests use the 'standard' kind; 'ping' and 'multistep' are retired.",
    checklist=["MON-5"],
    severity=Severity.HIGH,
    remediation="Declare the test with `kind='standard'`, `web_test_kind='standard'` and a "
                "`request=WebTestPropertiesRequestArgs(request_url=...)` instead of the XML `configuration`.",
    types=[T.WEB_TEST],
    check=_web_test_kind,
)


web_test_coverage = resource_policy(
    name="web-test-coverage",
    description="Availability tests are enabled and probe from several locations.",
    checklist=["MON-5"],
    severity=Severity.MEDIUM,
    remediation="Set `enabled=True` and list at least `minLocations` entries in `locations` "
                "(e.g. us-va-ash-azr, us-ca-sjc-azr, emea-nl-ams-azr).",
    types=[T.WEB_TEST],
    check=_web_test_coverage,
    config={"minLocations": {"type": "integer", "minimum": 1, "default": 2}},
)


web_test_health_path = resource_policy(
    name="web-test-health-path",
    description="Standard availability tests request the service's health endpoint.",
    checklist=["MON-5", "REL-6"],
    severity=Severity.LOW,
    remediation="Point `request.request_url` at `https://<public entry>/health` (or set `healthPath` in the "
                "pack config to the service's health path).",
    types=[T.WEB_TEST],
    check=_web_test_health_path,
    config={"healthPath": {"type": "string", "default": "/health"}},
)


log_retention_minimum = resource_policy(
    name="log-retention-minimum",
    description="Log Analytics keeps logs at least the environment's minimum retention.",
    checklist=["MON-6"],
    severity=Severity.MEDIUM,
    remediation="Set `retention_in_days` on the workspace to at least `minRetentionDays` "
                "(policies/config/prod.json requires 90).",
    types=[T.WORKSPACE],
    check=_retention,
    config={"minRetentionDays": {"type": "integer", "minimum": 0, "default": 30}},
)


log_analytics_local_auth_disabled = value_policy(
    name="log-analytics-local-auth-disabled",
    description="Log Analytics workspaces accept Entra ID only, not their shared keys.",
    checklist=["SEC-1"],
    severity=Severity.HIGH,
    remediation="Set `features=WorkspaceFeaturesArgs(disable_local_auth=True)`; agents and the Logs Ingestion API "
                "then authenticate with managed identities (Azure Monitor Agent, data collection rules).",
    types=[T.WORKSPACE],
    rows=[
        Row(("features", "disableLocalAuth"), equals(True), absent=VIOLATES,
            message="the workspace accepts its shared keys for ingestion and queries (features.disableLocalAuth is not "
                    "true); require Entra ID"),
    ],
)


metric_alert_actionable = resource_policy(
    name="metric-alert-actionable",
    description="Metric alert rules are enabled and notify an action group.",
    checklist=["MON-3"],
    severity=Severity.MEDIUM,
    remediation="Set `enabled=True` and `actions=[MetricAlertActionArgs(action_group_id=<action group id>)]`.",
    types=[T.METRIC_ALERT],
    check=_alert_actionable,
)


diagnostic_setting_to_workspace = resource_policy(
    name="diagnostic-setting-to-workspace",
    description="Diagnostic settings send logs or metrics to a Log Analytics workspace.",
    checklist=["MON-6", "COMP-2"],
    severity=Severity.MEDIUM,
    remediation="Set `workspace_id` to the region's workspace and enable `logs` (category group 'allLogs') "
                "and `metrics` ('AllMetrics'); use components.diagnostics.diagnostic_setting.",
    types=[T.DIAGNOSTIC_SETTING],
    check=_setting_destination,
)


diagnostic_setting_audit_categories = resource_policy(
    name="diagnostic-setting-audit-categories",
    description="Diagnostic settings of Key Vaults and Cognitive Services accounts include their audit logs.",
    checklist=["COMP-2"],
    severity=Severity.HIGH,
    remediation="Enable the category group 'audit' or 'allLogs', or the categories AuditEvent (Key Vault) / "
                "Audit and RequestResponse (Cognitive Services) in `logs`.",
    types=[T.DIAGNOSTIC_SETTING],
    check=_setting_audit,
)


POLICIES: list[Policy] = [
    app_insights_workspace_based, app_insights_local_auth_disabled, web_test_standard_kind, web_test_coverage,
    web_test_health_path, log_retention_minimum, log_analytics_local_auth_disabled, metric_alert_actionable,
    diagnostic_setting_to_workspace, diagnostic_setting_audit_categories,
]
