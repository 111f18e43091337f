"""Specification of policies/relations/observability.py (`alerts-wired`, `custom-metric-alert`,
`dashboard-exists`, `availability-test-exists`, `service-health-alert`): a compliant and a violating
deployment per policy, declared with the SDK under mocks; relations come from the recorded property
dependencies, as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

import copy
import json

import pulumi
import pulumi_azure_native.applicationinsights as insights
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.portal as portal
import pulumi_azure_native.redisenterprise as redisenterprise
import pytest

from dryrun.model import UNKNOWN, Resource
from policies.azure import types as T
from policies.relations.observability import (
    alerts_wired,
    availability_test_exists,
    custom_metric_alert,
    dashboard_exists,
    service_health_alert,
)
from tests.policies import secure_inputs as s
from tests.policies import stack_inputs as st
from tests.policies.support import evaluate, names, sdk_resources, table_tests

ACTION_GROUP = f"{s.GROUP_SCOPE}/providers/Microsoft.Insights/actionGroups/ag-aip"


def served(category: str | None = "ServiceHealth", enabled: bool = True) -> s.Program:
    """An OpenAI account (a serving stack) with an activity log alert on `category` (None: no alert)."""
    def build() -> None:
        s.openai_account()()
        if category is not None:
            monitor.ActivityLogAlert(
                "health", resource_group_name=s.RG, location="global", enabled=enabled, scopes=[s.SUB],
                condition=monitor.AlertRuleAllOfConditionArgs(all_of=[
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(field="category", equals=category)]),
                actions=monitor.ActionListArgs(action_groups=[monitor.ActionGroupArgs(action_group_id=ACTION_GROUP)]))
    return build


def _metric_alert(name: str, scope: pulumi.Input[str], metric: str, group: monitor.ActionGroup | None,
                  namespace: str | None = None) -> None:
    monitor.MetricAlert(
        name, resource_group_name="rg-ai-eastus2", location="global", enabled=True, severity=2, scopes=[scope],
        evaluation_frequency="PT1M", window_size="PT5M",
        criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
            odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            all_of=[monitor.MetricCriteriaArgs(
                criterion_type="StaticThresholdCriterion", name=name, metric_name=metric, metric_namespace=namespace,
                operator="GreaterThan", threshold=10, time_aggregation="Total",
                skip_metric_validation=bool(namespace))]),
        actions=[monitor.MetricAlertActionArgs(action_group_id=group.id)] if group else None)


def _observed(*, skip: tuple[str, ...] = (), unwired: tuple[str, ...] = (), workbook: str | None = "tokens cost",
              web_test: str | None = "standard") -> list[Resource]:
    """A serving stack with the seed's observability: alerts, custom metric alert, workbook, web test."""
    def build() -> None:
        group = st.group()
        component = insights.Component("appi", resource_group_name=group.name, kind="web", application_type="web",
                                       workspace_resource_id=st.WORKSPACE_ID, disable_local_auth=True)
        account = cognitiveservices.Account(
            "oai", resource_group_name=group.name, kind="OpenAI", sku=cognitiveservices.SkuArgs(name="S0"))
        cache = redisenterprise.RedisEnterprise("amr", resource_group_name=group.name, public_network_access="Disabled",
                                                sku=redisenterprise.SkuArgs(name="Balanced_B10"))
        action_group = monitor.ActionGroup("oncall", resource_group_name=group.name, group_short_name="oncall",
                                           enabled=True, location="global")
        alerts = {
            "failed-requests": (component.id, "requests/failed", None),
            "openai-throttling": (account.id, "AzureOpenAIRequests", None),
            "redis-load": (cache.id, "serverLoad", None),
            "tokens": (component.id, "openai_tokens_used", "azure.applicationinsights"),
        }
        for name, (scope, metric, namespace) in alerts.items():
            if name not in skip:
                _metric_alert(name, scope, metric, None if name in unwired else action_group, namespace)
        if workbook is not None:
            insights.Workbook("ai-dashboard", resource_group_name=group.name, kind="shared", category="workbook",
                              display_name="AI operations", source_id=component.id,
                              serialized_data=json.dumps({"items": [{"title": workbook}]}))
        if web_test is not None:
            kind = insights.WebTestKind(web_test)
            insights.WebTest("health", resource_group_name=group.name, kind=kind, web_test_kind=kind,
                             web_test_name="health", synthetic_monitor_id="health", enabled=True,
                             locations=[insights.WebTestGeolocationArgs(location="us-va-ash-azr")],
                             request=insights.WebTestPropertiesRequestArgs(request_url="https://ai.contoso.com/health"))
    return sdk_resources(build)


MONITORING_STACK_POLICIES = [alerts_wired, custom_metric_alert, dashboard_exists,
                             availability_test_exists]


# (policy, compliant program[, config])
PASSING = [
    (service_health_alert, served()),
    (service_health_alert, served("ResourceHealth")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (service_health_alert, served(None), "no enabled activity log alert on Service Health"),
    (service_health_alert, served("Administrative"), "no enabled activity log alert on Service Health"),
    (service_health_alert, served(enabled=False), "no enabled activity log alert on Service Health"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [service_health_alert]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_observed_stack_is_compliant() -> None:
    assert evaluate(MONITORING_STACK_POLICIES, _observed()) == []


def test_stack_without_workload_needs_no_monitoring() -> None:
    assert evaluate(MONITORING_STACK_POLICIES, sdk_resources(st.group)) == []


@pytest.mark.parametrize("kwargs, expected", [
    ({"skip": ("failed-requests",)}, "no enabled metric alert on the error rate"),
    ({"unwired": ("failed-requests",)}, "no enabled metric alert on the error rate"),
    ({"skip": ("openai-throttling",)}, "OpenAI account 'oai' has no enabled throttling alert"),
    ({"skip": ("redis-load",)}, "Redis cache 'amr' has no enabled metric alert wired to an action group"),
    ({"unwired": ("redis-load",)}, "Redis cache 'amr' has no enabled metric alert wired to an action group"),
])


def test_alerts_wired(kwargs: dict, expected: str) -> None:
    found = evaluate([alerts_wired], _observed(**kwargs))
    assert names(found) == {"alerts-wired"} and all(m.startswith(expected) for m in st.messages(found))


def test_preview_unknown_alert_scopes_are_resolved_by_dependency() -> None:
    rs = copy.deepcopy(_observed())
    for alert in [r for r in rs if r.type == T.METRIC_ALERT]:
        alert.inputs["scopes"] = [UNKNOWN]
    assert evaluate([alerts_wired], rs) == []
    alert = st.one(rs, T.METRIC_ALERT, "redis-load")
    st.without_dependencies(alert, "scopes")
    alert.inputs["criteria"]["allOf"][0]["metricName"] = "anything"
    assert evaluate([alerts_wired], rs) == []  # this alert may target the cache: no finding


def test_custom_metric_alert() -> None:
    found = evaluate([custom_metric_alert], _observed(skip=("tokens",)))
    assert names(found) == {"custom-metric-alert"}
    log_alert = sdk_resources(lambda: monitor.ScheduledQueryRule(
        "tokens-log", resource_group_name="rg", scopes=[st.WORKSPACE_ID], enabled=True, severity=3,
        evaluation_frequency="PT5M", window_size="PT5M",
        criteria=monitor.ScheduledQueryRuleCriteriaArgs(all_of=[monitor.ConditionArgs(
            query="customMetrics | where name == 'openai_tokens_used'", time_aggregation="Count",
            operator="GreaterThan", threshold=1)])))
    assert evaluate([custom_metric_alert], _observed(skip=("tokens",)) + log_alert) == []
    # A custom metric named without its namespace still needs skipMetricValidation until first emitted.
    rs = copy.deepcopy(_observed())
    criterion = st.one(rs, T.METRIC_ALERT, "tokens").inputs["criteria"]["allOf"][0]
    del criterion["metricNamespace"]
    assert evaluate([custom_metric_alert], rs) == []
    criterion["skipMetricValidation"] = False
    assert names(evaluate([custom_metric_alert], rs)) == {"custom-metric-alert"}


def test_dashboard_exists() -> None:
    assert names(evaluate([dashboard_exists], _observed(workbook=None))) == {"dashboard-exists"}
    found = evaluate([dashboard_exists], _observed(workbook="request volume and latency"))
    assert names(found) == {"dashboard-exists"} and "token and cost" in found[0].message
    dashboard = sdk_resources(lambda: portal.Dashboard(
        "board", resource_group_name="rg", properties=portal.DashboardPropertiesWithProvisioningStateArgs(
            lenses=[portal.DashboardLensArgs(order=0, parts=[portal.DashboardPartsArgs(
                position=portal.DashboardPartsPositionArgs(x=0, y=0, col_span=6, row_span=4),
                metadata=portal.DashboardPartMetadataArgs(
                    type="Extension/HubsExtension/PartType/MarkdownPart",
                    settings={"content": {"settings": {"content": "Token usage and cost per hour"}}}))])])))
    assert evaluate([dashboard_exists], _observed(workbook=None) + dashboard) == []


def test_availability_test_exists() -> None:
    assert names(evaluate([availability_test_exists], _observed(web_test=None))) == {
        "availability-test-exists"}
    assert names(evaluate([availability_test_exists], _observed(web_test="ping"))) == {
        "availability-test-exists"}


def test_availability_test_exists_compliant() -> None:
    assert evaluate([availability_test_exists], _observed()) == []
