"""The token-spend budget: the OpenAI accounts only, the configured monthly limit, actual + forecast."""

from __future__ import annotations

from datetime import date

import pytest

from components.budget import BudgetError
from components.common import Common
from components.token_budget import TokenBudget, TokenBudgetArgs
from tests.harness import declare, stack_config

BUDGET = "azure-native:consumption:Budget"
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
ACCOUNTS = [f"{SUB}/resourceGroups/rg-aip-prod-{r}/providers/Microsoft.CognitiveServices/accounts/oai-{r}"
            for r in ("eastus2", "westus3")]
AG_ID = f"{SUB}/resourceGroups/rg-aip-prod-eastus2/providers/Microsoft.Insights/actionGroups/ag-aip-prod"


TODAY = date(2026, 12, 17)


def _budget(accounts: list[str] = ACCOUNTS, amount: float | None = None, today: date = TODAY) -> dict:
    cfg = stack_config("prod")
    common = Common(resource_group_name="rg-aip-prod-eastus2", location="eastus2", tags=cfg.resource_tags())
    d = declare(lambda: TokenBudget("tokens", TokenBudgetArgs(
        common=common, base_name="aip-prod", amount=amount or cfg.slo.token_spend_monthly, budget=cfg.budget,
        account_ids=accounts, action_group_id=AG_ID, today=today)), "prod")
    return d.inputs(BUDGET)


def test_prod_token_budget_is_the_seeds_500_a_month_on_every_openai_account() -> None:
    b = _budget()
    assert b["amount"] == 500 and b["category"] == "Cost" and b["timeGrain"] == "Monthly"
    assert b["budgetName"] == "budget-aip-prod-openai-tokens"
    assert b["scope"] == SUB
    assert b["filter"] == {"dimensions": {"name": "ResourceId", "operator": "In", "values": ACCOUNTS}}
    # Like the environment budget: the first of the deploying month, kept afterwards.
    assert b["timePeriod"] == {"startDate": "2026-12-01T00:00:00Z"}


def test_actual_and_forecast_thresholds_reach_the_same_people_as_the_environment_budget() -> None:
    cfg = stack_config("prod").budget
    notes = _budget()["notifications"]
    assert {n["thresholdType"] for n in notes.values()} == {"Actual", "Forecasted"}
    assert sorted(n["threshold"] for n in notes.values()) == sorted(
        [cfg.thresholds.warning, cfg.thresholds.critical, cfg.thresholds.forecast])
    for n in notes.values():
        assert n["contactEmails"] == cfg.contact_emails and n["contactGroups"] == [AG_ID]


def test_no_accounts_is_refused() -> None:
    with pytest.raises(BudgetError, match="no OpenAI account ids"):
        _budget(accounts=[])


def test_an_account_id_that_is_not_a_resource_id_is_refused() -> None:
    with pytest.raises(Exception, match="is not a resource id"):
        _budget(accounts=["oai-eastus2"])
