"""Specification of policies/relations/slo.py (`query-alert-wired-and-valid`, `token-spend-budget`,
`slo-alerts-present`, `load-testing-resource`): a compliant and a violating deployment per policy,
declared with the SDK under mocks; relations come from the recorded property dependencies, as the
engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

import json
from typing import Any

import pulumi_azure_native.applicationinsights as applicationinsights
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.loadtestservice as loadtestservice
import pulumi_azure_native.monitor as monitor

from components.slo import QueryRule, availability_rule, request_rules
from dryrun.model import Resource
from policies.relations.slo import (
    load_testing_resource,
    query_alert_wired_and_valid,
    slo_alerts_present,
    token_spend_budget,
)
from stack_config.model import Slo
from tests.policies import secure_inputs as s
from tests.policies.support import CONFIG_DIR, evaluate, file_config, names, sdk_resources

ACTION_GROUP = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Insights/actionGroups/ag-aip-prod"

APP_INSIGHTS = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Insights/components/appi-aip-prod"

NOTIFY = {"contact_emails": ["finance@contoso.com"], "enabled": True, "operator": "GreaterThan"}


def query_alert(operator: str = "GreaterThan", action_groups: list[str] | None = None, window: str = "PT6H",
                **overrides: Any) -> list[Resource]:
    args: dict[str, Any] = dict(
        resource_group_name=s.RG, location="eastus2", kind="LogAlert", severity=2, enabled=True,
        scopes=[APP_INSIGHTS], evaluation_frequency="PT15M", window_size=window,
        criteria=monitor.ScheduledQueryRuleCriteriaArgs(all_of=[monitor.ConditionArgs(
            query="requests | summarize latency_ms = percentile(duration, 95)", time_aggregation="Maximum",
            metric_measure_column="latency_ms", operator=operator, threshold=2000,
            failing_periods=monitor.ConditionFailingPeriodsArgs(
                number_of_evaluation_periods=1, min_failing_periods_to_alert=1))]),
        actions=monitor.ActionsArgs(action_groups=[ACTION_GROUP] if action_groups is None else action_groups))
    args.update(overrides)
    return sdk_resources(lambda: monitor.ScheduledQueryRule("slo-latency", **args))


def _accounts() -> list[cognitiveservices.Account]:
    return [cognitiveservices.Account(
        f"openai-{region}", resource_group_name=s.RG, account_name=f"oai-aip-{region}", kind="OpenAI",
        location=region, sku=cognitiveservices.SkuArgs(name="S0")) for region in ("eastus2", "westus3")]


def _budget(name: str, amount: float, dimension: consumption.BudgetComparisonExpressionArgs | None,
            forecast: bool = True) -> consumption.Budget:
    notifications = {"Actual_GreaterThan_80_Percent": consumption.NotificationArgs(
        threshold=80, threshold_type="Actual", **NOTIFY)}
    if forecast:
        notifications["Forecasted_GreaterThan_100_Percent"] = consumption.NotificationArgs(
            threshold=100, threshold_type="Forecasted", **NOTIFY)
    return consumption.Budget(
        name, scope=s.SUB, amount=amount, category="Cost", time_grain="Monthly",
        time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01T00:00:00Z"),
        filter=consumption.BudgetFilterArgs(dimensions=dimension) if dimension else None, notifications=notifications)


def token_budgeted(accounts: int = 2, amount: float = 500, forecast: bool = True) -> list[Resource]:
    def build() -> None:
        declared = _accounts()
        _budget("budget", 14000, None)
        _budget("token-budget", amount, consumption.BudgetComparisonExpressionArgs(
            name="ResourceId", operator="In", values=[a.id for a in declared[:accounts]]), forecast)
    return sdk_resources(build)


REGIONS = ("eastus2", "westus3")


def _component(region: str) -> applicationinsights.Component:
    return applicationinsights.Component(
        f"appi-{region}", resource_name_=f"appi-aip-prod-{region}", resource_group_name=s.RG, location=region,
        kind="web", application_type="web")


def _slo_rule(region: str, component: applicationinsights.Component, rule: QueryRule) -> None:
    monitor.ScheduledQueryRule(
        f"slo-{region}-{rule.key}", resource_group_name=s.RG, location=region, kind="LogAlert", severity=1,
        enabled=True, scopes=[component.id], evaluation_frequency=rule.frequency, window_size=rule.window,
        override_query_time_range=rule.query_range,
        criteria=monitor.ScheduledQueryRuleCriteriaArgs(all_of=[monitor.ConditionArgs(
            query=rule.query, time_aggregation="Maximum", metric_measure_column=rule.measure,
            operator=rule.operator, threshold=rule.threshold,
            failing_periods=monitor.ConditionFailingPeriodsArgs(
                number_of_evaluation_periods=1, min_failing_periods_to_alert=1))]),
        actions=monitor.ActionsArgs(action_groups=[ACTION_GROUP]))


def serving_stack(rules: dict[str, list[QueryRule]] | None = None, availability_in: str = "eastus2",
                  load_test: bool = True) -> list[Resource]:
    """The prod shape: an OpenAI account and an Application Insights component per region, the standard web test
    reporting to eastus2's component, and per region the given SLO rules (default: those components/slo.py
    declares, the availability rule on `availability_in`)."""
    slo = Slo()

    def build() -> None:
        _accounts()
        components = {region: _component(region) for region in REGIONS}
        applicationinsights.WebTest(
            "availability-webtest", resource_group_name=s.RG, location="eastus2",
            kind=applicationinsights.WebTestKind.STANDARD, web_test_kind=applicationinsights.WebTestKind.STANDARD,
            web_test_name="health", synthetic_monitor_id="health", enabled=True,
            locations=[applicationinsights.WebTestGeolocationArgs(location="us-va-ash-azr")],
            tags=components["eastus2"].id.apply(lambda ai: {f"hidden-link:{ai}": "Resource"}))
        declared = rules if rules is not None else {
            region: request_rules(slo) + ([availability_rule(slo)] if region == availability_in else [])
            for region in REGIONS}
        for region, region_rules in declared.items():
            for rule in region_rules:
                _slo_rule(region, components[region], rule)
        if load_test:
            loadtestservice.LoadTest("load-testing", resource_group_name=s.RG, location="eastus2",
                                     load_test_name="lt-aip-prod")
    return sdk_resources(build)


def messages(found: list[Any]) -> str:
    return "\n".join(v.message for v in found)


def test_query_alert_wired_and_valid_compliant() -> None:
    assert evaluate([query_alert_wired_and_valid], query_alert()) == []
    assert evaluate([query_alert_wired_and_valid], query_alert(window="P2D")) == []


def test_query_alert_with_an_operator_arm_rejects() -> None:
    found = evaluate([query_alert_wired_and_valid], query_alert(operator="gt"))
    assert names(found) == {"query-alert-wired-and-valid"} and "operator 'gt'" in found[0].message


def test_query_alert_wired_to_no_one_or_reading_too_far() -> None:
    assert "actionGroups is empty" in evaluate([query_alert_wired_and_valid], query_alert(action_groups=[]))[0].message
    assert "at most two days" in evaluate([query_alert_wired_and_valid], query_alert(window="P3D"))[0].message
    assert "0 (critical) to 4" in evaluate([query_alert_wired_and_valid], query_alert(severity=5))[0].message
    assert "never fires" in evaluate([query_alert_wired_and_valid], query_alert(enabled=False))[0].message


def test_token_spend_budget_compliant() -> None:
    assert evaluate([token_spend_budget], token_budgeted()) == []


def test_openai_account_outside_the_token_budget() -> None:
    found = evaluate([token_spend_budget], token_budgeted(accounts=1))
    assert names(found) == {"token-spend-budget"} and "'openai-westus3' is not under a token-spend budget" in \
        "\n".join(v.message for v in found)


def test_token_budget_above_the_environment_budget_or_without_forecast() -> None:
    over = "\n".join(v.message for v in evaluate([token_spend_budget], token_budgeted(amount=20000)))
    assert "amount 20000 is not within (0, 14000]" in over
    blind = "\n".join(v.message for v in evaluate([token_spend_budget], token_budgeted(forecast=False)))
    assert "no Forecasted notification" in blind


def test_token_spend_budget_is_mandatory_in_prod_advisory_in_dev() -> None:
    no_budget = sdk_resources(lambda: _accounts())
    prod = json.loads((CONFIG_DIR / "prod.json").read_text())["token-spend-budget"]
    assert {v.level for v in evaluate([token_spend_budget], no_budget)} == {"advisory"}
    assert {v.level for v in evaluate([token_spend_budget], no_budget,
                                      file_config({"token-spend-budget": prod}))} == {"mandatory"}


def test_slo_alerts_present_compliant() -> None:
    assert evaluate([slo_alerts_present], serving_stack()) == []


def test_slo_alerts_absent_when_only_metric_alerts_watch_the_stack() -> None:
    found = evaluate([slo_alerts_present], serving_stack(rules={}))
    assert names(found) == {"slo-alerts-present"}
    # Four request objectives per component, and availability where the web test reports.
    assert len(found) == 9
    assert "Application Insights 'appi-eastus2' has no latency percentile alert" in messages(found)
    assert "'appi-westus3' has no availability alert" not in messages(found)


def test_slo_alert_on_a_failure_count_is_not_an_error_rate_alert() -> None:
    slo = Slo()
    counted = QueryRule("slo-error-rate", "failures", "requests | summarize failed = countif(success == false)",
                        "failed", "GreaterThan", 10, "PT5M", "PT15M")
    rules = {region: [counted if r.key == "slo-error-rate" else r for r in request_rules(slo)]
             + ([availability_rule(slo)] if region == "eastus2" else []) for region in REGIONS}
    found = evaluate([slo_alerts_present], serving_stack(rules=rules))
    assert len(found) == 2 and all("has no error rate alert" in v.message for v in found)


def test_slo_availability_alert_on_a_component_the_web_tests_do_not_report_to() -> None:
    found = evaluate([slo_alerts_present], serving_stack(availability_in="westus3"))
    assert len(found) == 1 and "Application Insights 'appi-eastus2' has no availability alert" in found[0].message


def test_slo_slow_burn_alert_needs_a_long_window() -> None:
    slo = Slo()
    short = {region: [r if r.key != "slo-burn-slow" else QueryRule(
        r.key, r.description, r.query, r.measure, r.operator, r.threshold, r.frequency, "PT1H", "PT1H")
        for r in request_rules(slo)] + ([availability_rule(slo)] if region == "eastus2" else []) for region in REGIONS}
    found = evaluate([slo_alerts_present], serving_stack(rules=short))
    assert len(found) == 2 and all("has no slow error-budget burn alert" in v.message for v in found)


def test_slo_alerts_present_is_mandatory_in_prod_advisory_in_dev() -> None:
    bare = serving_stack(rules={})
    levels = {env: json.loads((CONFIG_DIR / f"{env}.json").read_text())["slo-alerts-present"]
              for env in ("dev", "prod")}
    assert levels == {"dev": "advisory", "prod": "mandatory"}
    assert {v.level for v in evaluate([slo_alerts_present], bare)} == {"advisory"}
    assert {v.level for v in evaluate([slo_alerts_present], bare,
                                      file_config({"slo-alerts-present": levels["prod"]}))} == {"mandatory"}


def test_load_testing_resource_compliant() -> None:
    assert evaluate([load_testing_resource], serving_stack()) == []


def test_load_testing_resource_absent() -> None:
    found = evaluate([load_testing_resource], serving_stack(load_test=False))
    assert names(found) == {"load-testing-resource"} and "no Azure Load Testing resource" in found[0].message
    assert {v.level for v in found} == {"advisory"}
