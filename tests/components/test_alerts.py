from __future__ import annotations

from typing import Any

import pytest

from components.alerts import Alerts, AlertsArgs
from components.common import Common
from policies.azure import types as T
from tests.harness import declare, stack_config

ALERT = T.METRIC_ALERT
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers"
AI_ID = f"{SUB}/Microsoft.Insights/components/appi-aip-prod-eastus2"
OPENAI_ID = f"{SUB}/Microsoft.CognitiveServices/accounts/oai-aip-prod-eastus2"
REDIS_ID = f"{SUB}/Microsoft.Cache/redisEnterprise/redis-aip-prod-eastus2"
GATEWAY_ID = f"{SUB}/Microsoft.Network/applicationGateways/agw-aip-prod-eastus2"
APPS = {"api-gateway": f"{SUB}/Microsoft.App/containerApps/ca-api-gateway",
        "chat": f"{SUB}/Microsoft.App/containerApps/ca-chat"}
AG_ID = f"{SUB}/Microsoft.Insights/actionGroups/ag-aip-prod"


def _alerts(stack: str, full: bool = True, gateway_metrics: bool = False):
    cfg = stack_config(stack)
    common = Common(resource_group_name=f"rg-aip-{stack}-eastus2", location="eastus2", tags=cfg.resource_tags())
    extra: dict[str, Any] = dict(openai_account_id=OPENAI_ID, redis_cluster_id=REDIS_ID, gateway_id=GATEWAY_ID,
                                 container_app_ids=APPS) if full else {}
    return lambda: Alerts("alerts", AlertsArgs(common=common, base_name=f"aip-{stack}", action_group_id=AG_ID,
                                               thresholds=cfg.monitoring.thresholds, app_insights_id=AI_ID,
                                               gateway_metrics=gateway_metrics, **extra))


def _by_key(stack: str, full: bool = True, gateway_metrics: bool = False) -> dict[str, dict]:
    d = declare(_alerts(stack, full, gateway_metrics), stack)
    return {r.name.removeprefix("alerts-"): d.inputs(ALERT, r.name) for r in d.of_type(ALERT)}


def _criterion(alert: dict) -> dict:
    criteria = alert["criteria"]
    assert criteria["odataType"] == "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"
    assert len(criteria["allOf"]) == 1
    return criteria["allOf"][0]


def test_every_rule_exists_once_on_its_single_resource_and_notifies_the_action_group() -> None:
    alerts = _by_key("prod")
    assert set(alerts) == {"failed-requests", "tokens-per-hour", "openai-throttled", "openai-latency",
                           "redis-server-load", "redis-memory", "gateway-unhealthy-hosts", "gateway-5xx",
                           "restarts-api-gateway", "restarts-chat"}
    scopes = {"failed-requests": AI_ID, "tokens-per-hour": AI_ID, "openai-throttled": OPENAI_ID,
              "openai-latency": OPENAI_ID, "redis-server-load": REDIS_ID, "redis-memory": REDIS_ID,
              "gateway-unhealthy-hosts": GATEWAY_ID, "gateway-5xx": GATEWAY_ID,
              "restarts-api-gateway": APPS["api-gateway"], "restarts-chat": APPS["chat"]}
    for key, alert in alerts.items():
        assert alert["scopes"] == [scopes[key]], key
        assert alert["actions"] == [{"actionGroupId": AG_ID}], key
        assert alert["location"] == "global" and alert["enabled"] is True and alert["autoMitigate"] is True
        assert alert["ruleName"] == f"alert-aip-prod-eastus2-{key}"
        assert alert["tags"]["environment"] == "prod"
        assert _criterion(alert)["operator"] == "GreaterThan"


def test_failed_requests_is_the_seed_rule() -> None:
    alert = _by_key("prod")["failed-requests"]
    c = _criterion(alert)
    assert (c["metricName"], c["timeAggregation"], c["threshold"]) == ("requests/failed", "Count", 10)
    assert (alert["evaluationFrequency"], alert["windowSize"], alert["severity"]) == ("PT1M", "PT5M", 2)


def test_openai_throttling_counts_429s_and_latency_uses_time_to_response() -> None:
    alerts = _by_key("prod")
    t = stack_config("prod").monitoring.thresholds
    throttled = _criterion(alerts["openai-throttled"])
    assert throttled["metricNamespace"] == "Microsoft.CognitiveServices/accounts"
    assert (throttled["metricName"], throttled["timeAggregation"]) == ("AzureOpenAIRequests", "Total")
    assert throttled["dimensions"] == [{"name": "StatusCode", "operator": "Include", "values": ["429"]}]
    assert throttled["threshold"] == t.openai_throttled_requests
    latency = _criterion(alerts["openai-latency"])
    assert (latency["metricName"], latency["timeAggregation"]) == ("AzureOpenAITimeToResponse", "Average")
    assert latency["threshold"] == t.openai_latency_ms


def test_redis_gateway_and_restart_metrics() -> None:
    alerts = _by_key("prod")
    t = stack_config("prod").monitoring.thresholds
    expected = {
        "redis-server-load": ("Microsoft.Cache/redisEnterprise", "serverLoad", t.redis_server_load_percent),
        "redis-memory": ("Microsoft.Cache/redisEnterprise", "usedmemorypercentage", t.redis_memory_percent),
        "gateway-unhealthy-hosts": ("Microsoft.Network/applicationGateways", "UnhealthyHostCount",
                                    t.gateway_unhealthy_hosts),
        "gateway-5xx": ("Microsoft.Network/applicationGateways", "ResponseStatus", t.gateway_failed_requests),
        "restarts-chat": ("Microsoft.App/containerApps", "RestartCount", t.container_restarts),
    }
    for key, (namespace, metric, threshold) in expected.items():
        c = _criterion(alerts[key])
        assert (c["metricNamespace"], c["metricName"], c["threshold"]) == (namespace, metric, threshold), key
    assert _criterion(alerts["gateway-5xx"])["dimensions"] == [
        {"name": "HttpStatusGroup", "operator": "Include", "values": ["5xx"]}]
    # Redis publishes at PT5M grain: it cannot be evaluated every minute.
    assert alerts["redis-memory"]["evaluationFrequency"] == "PT5M"
    assert alerts["gateway-unhealthy-hosts"]["severity"] == 1


def test_token_alert_is_a_custom_app_insights_metric_over_the_hour() -> None:
    alert = _by_key("dev")["tokens-per-hour"]
    c = _criterion(alert)
    assert c["metricNamespace"] == "azure.applicationinsights"
    assert c["metricName"] == "openai_tokens_used"
    assert c["skipMetricValidation"] is True
    assert c["timeAggregation"] == "Total" and alert["windowSize"] == "PT1H"
    assert c["threshold"] == 200_000  # dev's tokensPerHour, not the default


def test_with_a_gateway_the_token_alert_counts_the_gateways_total_tokens() -> None:
    alert = _by_key("dev", gateway_metrics=True)["tokens-per-hour"]
    c = _criterion(alert)
    assert (c["metricNamespace"], c["metricName"]) == ("ai-gateway", "Total Tokens")
    assert alert["scopes"] == [AI_ID] and c["skipMetricValidation"] is True
    assert c["timeAggregation"] == "Total" and c["threshold"] == 200_000 and alert["windowSize"] == "PT1H"


def test_thresholds_differ_per_environment() -> None:
    dev, prod = _by_key("dev")["tokens-per-hour"], _by_key("prod")["tokens-per-hour"]
    assert _criterion(dev)["threshold"] == stack_config("dev").monitoring.thresholds.tokens_per_hour
    assert _criterion(prod)["threshold"] == stack_config("prod").monitoring.thresholds.tokens_per_hour
    assert _criterion(dev)["threshold"] != _criterion(prod)["threshold"]


def test_platform_metrics_are_validated_custom_ones_are_not() -> None:
    for key, alert in _by_key("prod").items():
        assert _criterion(alert).get("skipMetricValidation") is (True if key == "tokens-per-hour" else None), key


def test_missing_resources_get_no_rules() -> None:
    assert set(_by_key("dev", full=False)) == {"failed-requests", "tokens-per-hour"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_alerts_do_not_need_diagnostic_settings_or_protection(stack: str) -> None:
    d = declare(_alerts(stack), stack)
    assert not d.of_type(T.DIAGNOSTIC_SETTING)
    assert not any(r.protect for r in d.resources)
