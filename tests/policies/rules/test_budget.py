"""Specification of policies/rules/budget.py (`budget-notifications`, `budget-valid`): what each policy
accepts and what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.costmanagement as costmanagement
import pytest

from dryrun.model import Resource
from policies.rules.budget import budget_notifications, budget_valid
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, flagged, names, sdk_resources

RG = "rg-cost"


def _notification(threshold: float, kind: str, emails: list[str] | None = None,
                  groups: list[str] | None = None) -> consumption.NotificationArgs:
    return consumption.NotificationArgs(enabled=True, operator="GreaterThan", threshold=threshold,
                                        threshold_type=kind, contact_emails=emails or [], contact_groups=groups)


SEED_NOTIFICATIONS = {  # the seed's budget: actual-cost notifications only
    "warning": _notification(80, "Actual", ["finance@contoso.com"]),
    "critical": _notification(95, "Actual", ["cto@contoso.com"]),
}

GOOD_NOTIFICATIONS = {
    **SEED_NOTIFICATIONS,
    "forecast": _notification(100, "Forecasted", groups=["/subscriptions/s/resourceGroups/rg/providers/"
                                                         "Microsoft.Insights/actionGroups/ag"]),
}


def _budget(notifications=None, *, start: str = "2026-11-01", end: str | None = None, grain: str = "Monthly",
            amount: float = 2000) -> list[Resource]:
    return sdk_resources(lambda: consumption.Budget(
        "budget", budget_name="ai-budget", scope=f"/subscriptions/s/resourceGroups/{RG}", amount=amount,
        category="Cost", time_grain=grain, notifications=GOOD_NOTIFICATIONS if notifications is None else notifications,
        time_period=consumption.BudgetTimePeriodArgs(start_date=start, end_date=end)))


def _budget_notifying(**recipients: Any) -> list[Resource]:
    def notification(kind: str) -> consumption.NotificationArgs:
        return consumption.NotificationArgs(enabled=True, operator="GreaterThan", threshold=90, threshold_type=kind,
                                            **recipients)
    return sdk_resources(lambda: consumption.Budget(
        "budget", budget_name="ai", scope=f"{s.SUB}/resourceGroups/{s.RG}", amount=1000, category="Cost",
        time_grain="Monthly", time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01"),
        notifications={"actual": notification("Actual"), "forecast": notification("Forecasted")}))


def test_budget_notifications_violates_when_actual_cost_only() -> None:
    found = evaluate([budget_notifications], _budget(SEED_NOTIFICATIONS))
    assert names(found) == {"budget-notifications"} and "Forecasted" in found[0].message


def test_budget_notifications() -> None:
    policies = [budget_notifications]
    no_recipients = {**GOOD_NOTIFICATIONS, "forecast": _notification(100, "Forecasted")}
    found = evaluate(policies, _budget(no_recipients))
    assert {"notification 'forecast' has no contactEmails, contactGroups or contactRoles: nobody receives it",
            "no enabled Forecasted notification with recipients (the budget needs both Actual and Forecasted)"} \
        == {v.message.splitlines()[-1] for v in found}  # after the policy's description
    assert evaluate(policies, _budget()) == []


def test_budget_notifications_on_cost_management_budgets() -> None:
    resources = sdk_resources(lambda: costmanagement.Budget(
        "cm-budget", scope="/subscriptions/s", amount=100, category="Cost", time_grain="Monthly",
        time_period=costmanagement.BudgetTimePeriodArgs(start_date="2026-11-01"),
        notifications={"actual": costmanagement.NotificationArgs(
            enabled=True, operator="GreaterThan", threshold=80, contact_emails=["a@contoso.com"])}))
    assert names(evaluate([budget_notifications], resources)) == {"budget-notifications"}


@pytest.mark.parametrize("kwargs, problem", [
    ({"end": "2024-12-31"}, "has passed"),  # the seed's budget
    ({"start": "2026-11-15"}, "first day of a month"),
    ({"grain": "Annually"}, "timeGrain 'Annually'"),
    ({"amount": 0}, "greater than 0"),
])


def test_budget_valid(kwargs: dict, problem: str) -> None:
    found = evaluate([budget_valid], _budget(**kwargs))
    assert names(found) == {"budget-valid"} and problem in found[0].message


def test_budget_valid_compliant() -> None:
    assert evaluate([budget_valid], _budget()) == []
    assert evaluate([budget_valid], _budget(end="2999-12-31")) == []


def test_budget_notification_to_contact_roles_only_is_valid() -> None:
    roles_only = _budget_notifying(contact_emails=[], contact_roles=["Owner", "Contributor"])
    assert flagged([budget_notifications], roles_only) == set()
    assert flagged([budget_notifications], _budget_notifying(contact_emails=[])) == {"budget-notifications"}
