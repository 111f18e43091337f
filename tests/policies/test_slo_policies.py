"""SLO alert and token budget policies (docs/slo-policies-todo.md): log search alerts ARM accepts and that notify
someone; every Azure OpenAI account under a monthly token-spend budget within the environment budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.monitor as monitor

from dryrun.model import Resource
from policies.relations.slo import query_alert_wired_and_valid, token_spend_budget
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, names, sdk_resources

CONFIG = Path(__file__).resolve().parents[2] / "policies" / "config"

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
    prod = json.loads((CONFIG / "prod.json").read_text())["token-spend-budget"]
    assert {v.level for v in evaluate([token_spend_budget], no_budget)} == {"advisory"}
    assert {v.level for v in evaluate([token_spend_budget], no_budget,
                                      file_config({"token-spend-budget": prod}))} == {"mandatory"}
