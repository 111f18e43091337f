from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from components.budget import Budget, BudgetArgs, BudgetError
from components.common import Common
from dryrun.mocks import RecordingMonitor
from policies.azure import types as T
from tests.harness import declare, stack_config

BUDGET = T.BUDGET
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
AG_ID = f"{SUB}/resourceGroups/rg-aip-prod-eastus2/providers/Microsoft.Insights/actionGroups/ag-aip-prod"


def _groups(stack: str) -> list[str]:
    return [f"{SUB}/resourceGroups/rg-aip-{stack}-{r.location}" for r in stack_config(stack).network.regions]


TODAY = date(2026, 12, 17)


def _budget(stack: str, today: date = TODAY, **changes) -> dict:
    cfg = stack_config(stack)
    budget_cfg = cfg.budget.model_copy(update=changes)
    common = Common(resource_group_name=f"rg-aip-{stack}-eastus2", location="eastus2", tags=cfg.resource_tags())
    d = declare(lambda: Budget("budget", BudgetArgs(common=common, base_name=f"aip-{stack}", budget=budget_cfg,
                                                    resource_group_ids=_groups(stack), action_group_id=AG_ID,
                                                    today=today)),
                stack)
    return d.inputs(BUDGET)


@pytest.mark.parametrize(("stack", "amount"), [("dev", 400), ("prod", 14000)])
def test_monthly_cost_budget_starting_this_month_with_no_end(stack: str, amount: float) -> None:
    b = _budget(stack)
    assert b["amount"] == amount
    assert b["category"] == "Cost" and b["timeGrain"] == "Monthly"
    # The shipped stacks give no start: the first of the month of the first deployment, which
    # Azure accepts (a past start only inside the current Monthly period).
    assert b["timePeriod"] == {"startDate": "2026-12-01T00:00:00Z"}
    assert b["budgetName"] == f"budget-aip-{stack}"


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 1, 31), date(2028, 2, 29)])
def test_default_start_is_the_first_of_the_deploying_month(today: date) -> None:
    assert _budget("dev", today=today)["timePeriod"]["startDate"] == f"{today.replace(day=1).isoformat()}T00:00:00Z"


def test_a_configured_start_is_sent_as_given() -> None:
    assert _budget("dev", start_date=date(2027, 3, 1))["timePeriod"]["startDate"] == "2027-03-01T00:00:00Z"


def test_the_deployed_start_is_kept_when_the_month_rolls_over(monkeypatch: pytest.MonkeyPatch) -> None:
    # Next month's run computes a new default; ignore_changes keeps the created budget's start
    # (Azure refuses an update that moves it).
    seen: list[list[str]] = []
    register = RecordingMonitor.RegisterResource

    def record(self: RecordingMonitor, request: Any) -> Any:
        if request.type == BUDGET:
            seen.append(list(request.ignoreChanges))
        return register(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", record)
    _budget("dev")
    assert seen == [["timePeriod.startDate"]]


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
    assert b["timePeriod"] == {"startDate": "2026-12-01T00:00:00Z", "endDate": "2027-10-31T00:00:00Z"}


def test_thresholds_come_from_config() -> None:
    cfg = stack_config("dev")
    thresholds = cfg.budget.thresholds.model_copy(update={"warning": 50, "critical": 90, "forecast": 110})
    notes = _budget("dev", thresholds=thresholds)["notifications"]
    assert sorted(n["threshold"] for n in notes.values()) == [50, 90, 110]


@pytest.mark.parametrize(("changes", "match"), [
    ({"start_date": date(2026, 11, 15)}, "first of a month"),
    ({"end_date": date(2026, 12, 1)}, "not after startDate"),
])
def test_bad_dates_are_rejected(changes: dict, match: str) -> None:
    cfg = stack_config("dev")
    common = Common(resource_group_name="rg", location="eastus2", tags={})
    with pytest.raises(BudgetError, match=match):
        Budget("budget", BudgetArgs(common=common, base_name="aip-dev", budget=cfg.budget.model_copy(update=changes),
                                    resource_group_ids=_groups("dev"), today=TODAY))
