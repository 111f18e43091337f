from __future__ import annotations

from datetime import date

import pytest

from components.budget import Budget, BudgetArgs, BudgetError
from components.common import Common
from policies.azure import types as T
from tests.harness import declare, stack_config

BUDGET = T.BUDGET
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
AG_ID = f"{SUB}/resourceGroups/rg-aip-prod-eastus2/providers/Microsoft.Insights/actionGroups/ag-aip-prod"


def _groups(stack: str) -> list[str]:
    return [f"{SUB}/resourceGroups/rg-aip-{stack}-{r.location}" for r in stack_config(stack).network.regions]


def _budget(stack: str, **changes) -> dict:
    cfg = stack_config(stack)
    budget_cfg = cfg.budget.model_copy(update=changes)
    common = Common(resource_group_name=f"rg-aip-{stack}-eastus2", location="eastus2", tags=cfg.resource_tags())
    d = declare(lambda: Budget("budget", BudgetArgs(common=common, base_name=f"aip-{stack}", budget=budget_cfg,
                                                    resource_group_ids=_groups(stack), action_group_id=AG_ID)),
                stack)
    return d.inputs(BUDGET)


@pytest.mark.parametrize(("stack", "amount"), [("dev", 300), ("prod", 2000)])
def test_monthly_cost_budget_with_pinned_start_and_no_end(stack: str, amount: float) -> None:
    b = _budget(stack)
    assert b["amount"] == amount
    assert b["category"] == "Cost" and b["timeGrain"] == "Monthly"
    # Straight from config, never "this month": Azure rejects a changed start date.
    assert b["timePeriod"] == {"startDate": "2026-11-01T00:00:00Z"}
    assert b["budgetName"] == f"budget-aip-{stack}"


def test_three_notifications_to_emails_roles_and_action_group() -> None:
    cfg = stack_config("prod").budget
    notes = _budget("prod")["notifications"]
    assert {k: (n["thresholdType"], n["threshold"]) for k, n in notes.items()} == {
        "Actual_GreaterThan_80_Percent": ("Actual", 80),
        "Actual_GreaterThan_95_Percent": ("Actual", 95),
        "Forecasted_GreaterThan_100_Percent": ("Forecasted", 100),
    }
    for n in notes.values():
        assert n["enabled"] is True and n["operator"] == "GreaterThan"
        assert n["contactEmails"] == cfg.contact_emails
        assert n["contactRoles"] == ["Owner", "Contributor"]
        assert n["contactGroups"] == [AG_ID]


def test_single_group_budget_sits_on_the_resource_group() -> None:
    b = _budget("dev")
    assert b["scope"] == _groups("dev")[0]
    assert "filter" not in b


def test_multi_region_budget_covers_every_group_of_the_environment() -> None:
    b = _budget("prod")
    assert b["scope"] == SUB
    assert b["filter"] == {"dimensions": {"name": "ResourceGroupName", "operator": "In",
                                          "values": ["rg-aip-prod-eastus2", "rg-aip-prod-westus3"]}}


def test_subscription_scope_watches_everything() -> None:
    b = _budget("dev", scope="subscription")
    assert b["scope"] == SUB and "filter" not in b


def test_configured_end_date_is_kept() -> None:
    b = _budget("dev", end_date=date(2027, 10, 31))
    assert b["timePeriod"] == {"startDate": "2026-11-01T00:00:00Z", "endDate": "2027-10-31T00:00:00Z"}


def test_thresholds_come_from_config() -> None:
    cfg = stack_config("dev")
    thresholds = cfg.budget.thresholds.model_copy(update={"warning": 50, "critical": 90, "forecast": 110})
    notes = _budget("dev", thresholds=thresholds)["notifications"]
    assert sorted(n["threshold"] for n in notes.values()) == [50, 90, 110]


@pytest.mark.parametrize(("changes", "match"), [
    ({"start_date": date(2026, 11, 15)}, "first of a month"),
    ({"end_date": date(2026, 10, 1)}, "not after startDate"),
])
def test_bad_dates_are_rejected(changes: dict, match: str) -> None:
    cfg = stack_config("dev")
    common = Common(resource_group_name="rg", location="eastus2", tags={})
    with pytest.raises(BudgetError, match=match):
        Budget("budget", BudgetArgs(common=common, base_name="aip-dev", budget=cfg.budget.model_copy(update=changes),
                                    resource_group_ids=_groups("dev")))
