"""Specification of policies/rules/monitor.py (`app-insights-workspace-based`,
`app-insights-local-auth-disabled`, `web-test-standard-kind`, `web-test-coverage`,
`web-test-health-path`, `log-retention-minimum`, `log-analytics-local-auth-disabled`,
`metric-alert-actionable`, `diagnostic-setting-to-workspace`,
`diagnostic-setting-audit-categories`): what each policy accepts and what it reports, on resources
declared with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

import copy
from typing import Any

import pulumi_azure_native.applicationinsights as insights
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.operationalinsights as operationalinsights
import pytest

from dryrun.model import UNKNOWN, Resource
from policies.rules.monitor import (
    app_insights_local_auth_disabled,
    app_insights_workspace_based,
    diagnostic_setting_audit_categories,
    diagnostic_setting_to_workspace,
    log_analytics_local_auth_disabled,
    log_retention_minimum,
    metric_alert_actionable,
    web_test_coverage,
    web_test_health_path,
    web_test_standard_kind,
)
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, names, sdk_resources, table_tests

MONITOR = [
    app_insights_workspace_based, app_insights_local_auth_disabled, web_test_standard_kind, web_test_coverage,
    web_test_health_path, log_retention_minimum, log_analytics_local_auth_disabled, metric_alert_actionable,
    diagnostic_setting_to_workspace, diagnostic_setting_audit_categories,
]


RG = "rg-mon"

SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-mon/providers"

VAULT_ID = f"{SUB}/Microsoft.KeyVault/vaults/kv-1"

OPENAI_ID = f"{SUB}/Microsoft.CognitiveServices/accounts/oai-1"

WORKSPACE_ID = f"{SUB}/Microsoft.OperationalInsights/workspaces/log-1"

ACTION_GROUP_ID = f"{SUB}/Microsoft.Insights/actionGroups/ag-1"


def _component(**overrides) -> list[Resource]:
    args = {"kind": "web", "application_type": "web", "workspace_resource_id": WORKSPACE_ID,
            "disable_local_auth": True, **overrides}
    return sdk_resources(lambda: insights.Component("appi", resource_group_name=RG, **args))


def _web_test(kind: str = "standard", locations: int = 2, url: str = "https://ai.contoso.com/health",
              enabled: bool = True) -> list[Resource]:
    where = ["us-va-ash-azr", "us-ca-sjc-azr", "emea-nl-ams-azr"][:locations]
    web_kind = insights.WebTestKind(kind)
    return sdk_resources(lambda: insights.WebTest(
        "health", resource_group_name=RG, kind=web_kind, web_test_kind=web_kind, synthetic_monitor_id="health",
        web_test_name="health", enabled=enabled, frequency=300, timeout=30,
        locations=[insights.WebTestGeolocationArgs(location=w) for w in where],
        request=insights.WebTestPropertiesRequestArgs(request_url=url, http_verb="GET")))


def _workspace(days: int | None = 90, disable_local_auth: bool | None = True) -> list[Resource]:
    return sdk_resources(lambda: operationalinsights.Workspace(
        "log", resource_group_name=RG, retention_in_days=days,
        sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
        features=operationalinsights.WorkspaceFeaturesArgs(disable_local_auth=disable_local_auth)))


def _alert(enabled: bool = True, action: bool = True) -> list[Resource]:
    return sdk_resources(lambda: monitor.MetricAlert(
        "failed-requests", resource_group_name=RG, location="global", enabled=enabled, severity=2,
        scopes=[f"{SUB}/Microsoft.Insights/components/appi"], evaluation_frequency="PT1M", window_size="PT5M",
        criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
            odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            all_of=[monitor.MetricCriteriaArgs(
                criterion_type="StaticThresholdCriterion", name="failed", metric_name="requests/failed",
                operator="GreaterThan", threshold=10, time_aggregation="Count")]),
        actions=[monitor.MetricAlertActionArgs(action_group_id=ACTION_GROUP_ID)] if action else None))


def _setting(target: str, *, categories: list[str] | None = None, group: str | None = None,
             workspace: str | None = WORKSPACE_ID) -> list[Resource]:
    logs = ([monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories or []]
            + ([monitor.DiagnosticsLogSettingsArgs(category_group=group, enabled=True)] if group else []))
    return sdk_resources(lambda: monitor.DiagnosticSetting(
        "diag", name="to-log-analytics", resource_uri=target, workspace_id=workspace, logs=logs,
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)]))


@pytest.mark.parametrize("overrides", [
    pytest.param({"workspace_resource_id": None}, id="app-insights-workspace-based/violates-when-no-workspace"),
    pytest.param({"ingestion_mode": "ApplicationInsights"},
                 id="app-insights-workspace-based/violates-when-classic-ingestion"),
])
def test_app_insights_workspace_based_violates(overrides: dict[str, Any]) -> None:
    assert names(evaluate([app_insights_workspace_based], _component(**overrides))) == {
        "app-insights-workspace-based"}


def test_app_insights_workspace_based_passes() -> None:
    assert evaluate([app_insights_workspace_based], _component()) == []


@pytest.mark.parametrize("disable_local_auth", [
    # Absent means Azure's default: instrumentation-key ingestion allowed.
    pytest.param(None, id="app-insights-local-auth-disabled/violates-when-disable-local-auth-absent"),
    pytest.param(False, id="app-insights-local-auth-disabled/violates-when-disable-local-auth-false"),
])
def test_app_insights_local_auth_violates(disable_local_auth: bool | None) -> None:
    assert names(evaluate([app_insights_local_auth_disabled], _component(disable_local_auth=disable_local_auth))) == {
        "app-insights-local-auth-disabled"}


def test_app_insights_local_auth_passes() -> None:
    assert evaluate([app_insights_local_auth_disabled], _component()) == []


@pytest.mark.parametrize("kind", ["ping", "multistep"])
def test_retired_web_test_kinds(kind: str) -> None:
    found = evaluate([web_test_standard_kind], _web_test(kind=kind))
    assert names(found) == {"web-test-standard-kind"} and "retired" in found[0].message
    assert evaluate([web_test_standard_kind], _web_test()) == []


STRICT_COVERAGE = file_config({"web-test-coverage": {"minLocations": 3}})


@pytest.mark.parametrize("overrides, config", [
    pytest.param({"locations": 1}, None, id="web-test-coverage/violates-when-one-location"),
    pytest.param({"enabled": False}, None, id="web-test-coverage/violates-when-disabled"),
    pytest.param({"locations": 2}, STRICT_COVERAGE, id="web-test-coverage/violates-when-below-min-locations"),
])
def test_web_test_coverage_violates(overrides: dict[str, Any], config: dict[str, Any] | None) -> None:
    assert names(evaluate([web_test_coverage], _web_test(**overrides), config)) == {"web-test-coverage"}


def test_web_test_coverage_passes() -> None:
    assert evaluate([web_test_coverage], _web_test(locations=2)) == []


def test_web_test_health_path() -> None:
    policies = [web_test_health_path]
    assert names(evaluate(policies, _web_test(url="https://ai.contoso.com/"))) == {"web-test-health-path"}
    assert evaluate(policies, _web_test()) == []
    custom = file_config({"web-test-health-path": {"healthPath": "/healthz"}})
    assert evaluate(policies, _web_test(url="https://ai.contoso.com/healthz/"), custom) == []


LONG_RETENTION = file_config({"log-retention-minimum": {"minRetentionDays": 90}})


@pytest.mark.parametrize("days", [
    pytest.param(30, id="log-retention-minimum/violates-when-30-days-of-90"),
    pytest.param(None, id="log-retention-minimum/violates-when-absent"),  # default: 30 days
])
def test_log_retention_per_environment_violates(days: int | None) -> None:
    assert names(evaluate([log_retention_minimum], _workspace(days), LONG_RETENTION)) == {"log-retention-minimum"}


def test_log_retention_per_environment_passes() -> None:
    assert evaluate([log_retention_minimum], _workspace(90), LONG_RETENTION) == []
    assert evaluate([log_retention_minimum], _workspace(30)) == []  # the default minimum is 30


def test_log_analytics_local_auth_violates_when_enabled() -> None:
    found = evaluate([log_analytics_local_auth_disabled], _workspace(disable_local_auth=False))
    assert names(found) == {"log-analytics-local-auth-disabled"} and "shared keys" in found[0].message


def test_log_analytics_local_auth_violates_when_absent() -> None:
    # Absent means Azure's default: the workspace keys work.
    assert names(evaluate([log_analytics_local_auth_disabled], _workspace(disable_local_auth=None))) == {
        "log-analytics-local-auth-disabled"}


def test_log_analytics_local_auth_passes() -> None:
    policies = [log_analytics_local_auth_disabled]
    assert evaluate(policies, _workspace()) == []
    unknown = copy.deepcopy(_workspace(disable_local_auth=None))
    unknown[0].inputs["features"] = UNKNOWN
    assert evaluate(policies, unknown) == []


@pytest.mark.parametrize("overrides", [
    pytest.param({"action": False}, id="metric-alert-actionable/violates-when-no-action-group"),
    pytest.param({"enabled": False}, id="metric-alert-actionable/violates-when-disabled"),
])
def test_metric_alert_actionable_violates(overrides: dict[str, Any]) -> None:
    assert names(evaluate([metric_alert_actionable], _alert(**overrides))) == {"metric-alert-actionable"}


def test_metric_alert_actionable_passes() -> None:
    assert evaluate([metric_alert_actionable], _alert()) == []


def test_diagnostic_setting_to_workspace() -> None:
    policies = [diagnostic_setting_to_workspace]
    assert names(evaluate(policies, _setting(VAULT_ID, group="allLogs", workspace=None))) == {
        "diagnostic-setting-to-workspace"}
    assert evaluate(policies, _setting(VAULT_ID, group="allLogs")) == []


@pytest.mark.parametrize("target, logs, ok", [
    (VAULT_ID, {"categories": ["AzurePolicyEvaluationDetails"]}, False),
    (VAULT_ID, {"categories": ["AuditEvent"]}, True),
    (VAULT_ID, {"group": "audit"}, True),
    (OPENAI_ID, {"categories": ["Trace"]}, False),
    (OPENAI_ID, {"categories": ["Audit", "RequestResponse", "Trace"]}, True),
    (OPENAI_ID, {"group": "allLogs"}, True),
    (WORKSPACE_ID, {"categories": ["LAQueryLogs"]}, True),  # no audit categories required for this type
])


def test_diagnostic_setting_audit_categories(target: str, logs: dict, ok: bool) -> None:
    found = evaluate([diagnostic_setting_audit_categories], _setting(target, **logs))
    assert names(found) == (set() if ok else {"diagnostic-setting-audit-categories"})


def test_unknown_values_are_no_violation() -> None:
    """During preview the target id and the instrumentation flags may be unknown: no finding."""
    setting = copy.deepcopy(_setting(VAULT_ID, categories=["AzurePolicyEvaluationDetails"]))
    setting[0].inputs["resourceUri"] = UNKNOWN
    component = copy.deepcopy(_component(workspace_resource_id=None, disable_local_auth=None))
    component[0].inputs.update(workspaceResourceId=UNKNOWN, disableLocalAuth=UNKNOWN)
    assert evaluate(MONITOR, setting + component) == []



def health_web_test(url: str) -> s.Program:
    kind = insights.WebTestKind.STANDARD
    return lambda: insights.WebTest(
        "health", resource_group_name=s.RG, kind=kind, web_test_kind=kind, web_test_name="health",
        synthetic_monitor_id="health", enabled=True,
        locations=[insights.WebTestGeolocationArgs(location="us-va-ash-azr")],
        request=insights.WebTestPropertiesRequestArgs(request_url=url))


PASSING = [
    (web_test_health_path, health_web_test("https://ai.contoso.com/health/ready")),
]

FAILING = [
    (web_test_health_path, health_web_test("https://ai.contoso.com/healthcheck"), ""),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [web_test_health_path]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


LOG_AIP_WORKSPACE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log-aip"
SEARCH_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Search/searchServices/srch-aip-prod-eus2"
PROFILE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Cdn/profiles/{s.PROFILE}"


def _pattern1_setting(target: str, categories: list[str]) -> list[Resource]:
    return sdk_resources(lambda: monitor.DiagnosticSetting(
        "diag", name="to-log-analytics", resource_uri=target, workspace_id=LOG_AIP_WORKSPACE_ID,
        logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories],
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)]))


@pytest.mark.parametrize("target, categories, ok", [
    pytest.param(SEARCH_ID, ["OperationLogs"], True, id="search-operation-logs-complies"),
    pytest.param(SEARCH_ID, [], False, id="search-without-operation-logs-violates"),
    pytest.param(PROFILE_ID, ["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"],
                 True, id="front-door-access-and-waf-logs-comply"),
    pytest.param(PROFILE_ID, ["FrontDoorHealthProbeLog"], False, id="front-door-health-probe-log-only-violates"),
    pytest.param(PROFILE_ID, ["AzureCdnAccessLog"], True, id="classic-cdn-access-log-complies"),
])
def test_pattern1_audit_categories(target: str, categories: list[str], ok: bool) -> None:
    found = evaluate([diagnostic_setting_audit_categories], _pattern1_setting(target, categories))
    assert names(found) == (set() if ok else {"diagnostic-setting-audit-categories"})
