"""SLO alerts: log search rules that compute the objective itself, per region, to the action group."""

from __future__ import annotations

import pytest

from components.common import Common
from components.slo import (
    FAST_BURN,
    SLOW_BURN,
    GatewayLogs,
    SloAlerts,
    SloAlertsArgs,
    availability_rule,
    request_rules,
)
from stack_config.model import Slo
from tests.harness import declare, stack_config

RULE = "azure-native:monitor:ScheduledQueryRule"
AI_ID = ("/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers/"
         "Microsoft.Insights/components/appi-aip-prod-eastus2")
AG_ID = ("/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers/"
         "Microsoft.Insights/actionGroups/ag-aip-prod")


WORKSPACE_ID = ("/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers/"
                "Microsoft.OperationalInsights/workspaces/log-aip-prod-eastus2")


def _rules(slo: Slo, availability: bool = True, location: str = "eastus2",
           gateway: GatewayLogs | None = None) -> dict[str, dict]:
    common = Common(resource_group_name=f"rg-aip-prod-{location}", location=location,
                    tags=stack_config("prod").resource_tags())
    d = declare(lambda: SloAlerts("slo", SloAlertsArgs(common=common, base_name="aip-prod", slo=slo,
                                                       app_insights_id=AI_ID, action_group_id=AG_ID,
                                                       availability=availability, gateway=gateway)), "prod")
    return {r.name.removeprefix("slo-"): d.inputs(RULE, r.name) for r in d.of_type(RULE)}


def test_prod_declares_the_five_objectives_wired_to_the_action_group_at_the_slo_severity() -> None:
    slo = stack_config("prod").slo
    rules = _rules(slo)
    assert set(rules) == {"slo-latency", "slo-error-rate", "slo-availability", "slo-burn-fast", "slo-burn-slow"}
    for key, rule in rules.items():
        assert rule["kind"] == "LogAlert" and rule["enabled"] is True and rule["autoMitigate"] is True
        assert rule["scopes"] == [AI_ID] and rule["location"] == "eastus2"
        assert rule["actions"] == {"actionGroups": [AG_ID]}
        assert rule["severity"] == slo.alert_severity == 1
        assert rule["ruleName"] == f"alert-aip-prod-eastus2-{key}"
        (condition,) = rule["criteria"]["allOf"]
        assert condition["timeAggregation"] == "Maximum"
        assert condition["failingPeriods"] == {"numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1}


def test_latency_is_the_configured_percentile_of_user_requests_over_the_threshold() -> None:
    slo = Slo(latency_percentile=99, latency_threshold_ms=1500)
    (c,) = _rules(slo)["slo-latency"]["criteria"]["allOf"]
    assert "percentile(duration, 99)" in c["query"] and '!endswith "/health"' in c["query"]
    assert (c["metricMeasureColumn"], c["operator"], c["threshold"]) == ("latency_ms", "GreaterThan", 1500)


def test_error_rate_is_failed_over_total_not_a_count() -> None:
    rule = _rules(Slo(error_rate_percent=0.5))["slo-error-rate"]
    (c,) = rule["criteria"]["allOf"]
    assert "100.0 * failed / total" in c["query"] and "countif(success == false)" in c["query"]
    assert (c["metricMeasureColumn"], c["threshold"]) == ("error_rate_percent", 0.5)
    assert (rule["evaluationFrequency"], rule["windowSize"]) == ("PT5M", "PT15M")


def test_availability_reads_the_web_test_results_over_the_rolling_window() -> None:
    rule = _rules(Slo(availability_window_hours=48))["slo-availability"]
    (c,) = rule["criteria"]["allOf"]
    assert c["query"].startswith("availabilityResults") and "ago(48h)" in c["query"]
    assert (c["operator"], c["threshold"]) == ("LessThan", 99.9)
    assert rule["overrideQueryTimeRange"] == "P2D"


def test_availability_fails_closed_when_no_web_test_result_arrives() -> None:
    # Results that stop arriving (tests disabled, ingestion refused) must breach, not silence the rule.
    (c,) = _rules(Slo())["slo-availability"]["criteria"]["allOf"]
    assert "where total > 0" not in c["query"]
    assert "availability_percent = iff(total == 0, 0.0, 100.0 * passed / total)" in c["query"]


@pytest.mark.parametrize(("hours", "iso"), [(1, "PT1H"), (24, "P1D"), (30, "P1DT6H"), (48, "P2D")])
def test_availability_window_is_an_iso_8601_duration(hours: int, iso: str) -> None:
    assert availability_rule(Slo(availability_window_hours=hours)).query_range == iso


def test_only_the_region_where_web_tests_report_gets_the_availability_rule() -> None:
    assert "slo-availability" not in _rules(Slo(), availability=False, location="westus3")


@pytest.mark.parametrize(("window", "rate", "long", "short"), [
    (FAST_BURN, 14.4, "PT1H", "ago(5m)"),
    (SLOW_BURN, 6.0, "PT6H", "ago(30m)"),
])
def test_burn_rate_pairs_follow_the_sre_workbook_for_a_30_day_budget(window, rate, long, short) -> None:
    rule = _rules(Slo(error_rate_percent=0.1))[window.key]
    (c,) = rule["criteria"]["allOf"]
    assert c["threshold"] == rate and c["metricMeasureColumn"] == "burn_rate"
    assert rule["windowSize"] == rule["overrideQueryTimeRange"] == long
    assert short in c["query"] and "min_of(long_burn, short_burn)" in c["query"]
    assert "let budget = 0.001;" in c["query"]


def test_burn_thresholds_scale_with_the_budget_period() -> None:
    rules = {r.key: r for r in request_rules(Slo(error_budget_days=7))}
    assert rules["slo-burn-fast"].threshold == pytest.approx(14.4 * 7 / 30, abs=0.01)
    assert rules["slo-burn-slow"].threshold == pytest.approx(6 * 7 / 30, abs=0.01)


def test_every_rule_stays_inside_what_log_search_alerts_accept() -> None:
    # Evaluation every 5 minutes or slower; at most two days of data per query.
    for rule in [*request_rules(Slo()), availability_rule(Slo(availability_window_hours=48))]:
        assert rule.frequency in ("PT5M", "PT15M", "PT1H")
        assert rule.query_range in (None, "PT1H", "PT6H", "P2D")


def test_with_a_gateway_the_model_path_has_objectives_from_its_logs_in_the_workspace() -> None:
    slo = stack_config("prod").slo
    rules = _rules(slo, gateway=GatewayLogs(WORKSPACE_ID, "azure-openai"))
    assert {"slo-model-latency", "slo-model-error-rate"} <= set(rules)
    for key in ("slo-model-latency", "slo-model-error-rate"):
        rule = rules[key]
        assert rule["scopes"] == [WORKSPACE_ID] and rule["actions"] == {"actionGroups": [AG_ID]}
        (c,) = rule["criteria"]["allOf"]
        assert c["query"].startswith('ApiManagementGatewayLogs\n| where ApiId == "azure-openai"')
        assert (rule["evaluationFrequency"], rule["windowSize"]) == ("PT5M", "PT15M")
    (latency,) = rules["slo-model-latency"]["criteria"]["allOf"]
    assert f"percentile(TotalTime, {slo.latency_percentile})" in latency["query"]
    assert (latency["metricMeasureColumn"], latency["threshold"]) == ("latency_ms", slo.latency_threshold_ms)
    (errors,) = rules["slo-model-error-rate"]["criteria"]["allOf"]
    assert "ResponseCode >= 500 or (ResponseCode == 429 and BackendResponseCode == 429)" in errors["query"]
    assert (errors["metricMeasureColumn"], errors["threshold"]) == ("error_rate_percent", slo.error_rate_percent)


def test_with_a_gateway_the_user_objectives_leave_out_its_own_telemetry() -> None:
    slo = stack_config("prod").slo
    with_gateway = _rules(slo, gateway=GatewayLogs(WORKSPACE_ID, "azure-openai"))
    without = _rules(slo)
    for key in ("slo-latency", "slo-error-rate", "slo-burn-fast", "slo-burn-slow"):
        (c,) = with_gateway[key]["criteria"]["allOf"]
        assert '| where url !contains ".azure-api.net/"' in c["query"] and with_gateway[key]["scopes"] == [AI_ID]
        (plain,) = without[key]["criteria"]["allOf"]
        assert ".azure-api.net" not in plain["query"]
    assert not {"slo-model-latency", "slo-model-error-rate"} & set(without)
