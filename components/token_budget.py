"""A monthly budget on the OpenAI accounts alone: the seed's "token spend < $500/month" (COST-1).

The environment budget (components/budget.py) watches everything; model tokens are the cost that
moves fastest, so they get their own limit (ai-platform:slo.tokenSpendMonthly). The budget sits on
the subscription and is filtered to the accounts' resource ids, which is how Cost Management scopes
a budget to resources: `filter.dimensions` with name `ResourceId`, operator `In` (consumption
2024-08-01, azure-rest-api-specs .../Microsoft.Consumption/stable/2024-08-01/examples/
CreateOrUpdateBudget.json). Thresholds and recipients are the environment budget's, so the same
people hear about both; the start date follows the environment budget's rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pulumi
import pulumi_azure_native.consumption as consumption

from stack_config.model import Budget as BudgetConfig

from .budget import BudgetError, notifications, start_date, utc_today
from .common import Common


def _subscription_of(resource_id: str) -> str:
    parts = resource_id.strip("/").split("/")
    if len(parts) < 8 or parts[0].lower() != "subscriptions" or parts[4].lower() != "providers":
        raise BudgetError(f"'{resource_id}' is not a resource id "
                          "(/subscriptions/<id>/resourceGroups/<rg>/providers/...)")
    return f"/subscriptions/{parts[1]}"


@dataclass(frozen=True)
class TokenBudgetArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # ai-platform:slo.tokenSpendMonthly, in the billing currency.
    amount: float
    # The environment budget: start date, thresholds and recipients are shared with it.
    budget: BudgetConfig
    # Every region's OpenAI account id.
    account_ids: Sequence[pulumi.Input[str]]
    action_group_id: pulumi.Input[str] | None = None
    # The day the program runs (UTC); picks the default start like the environment budget's.
    today: date = field(default_factory=utc_today)


class TokenBudget(pulumi.ComponentResource):
    """A monthly Cost budget filtered to the OpenAI accounts, with actual and forecast notifications."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: TokenBudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not args.account_ids:
            raise BudgetError(f"{name}: no OpenAI account ids; pass every region's account")
        if args.amount <= 0:
            raise BudgetError(f"{name}: amount {args.amount:g} must be positive; set ai-platform:slo.tokenSpendMonthly")
        super().__init__("ai-platform:token_budget:TokenBudget", name, None, opts)
        cfg = args.budget
        accounts = pulumi.Output.all(*args.account_ids)
        budget = consumption.Budget(
            name,
            budget_name=f"budget-{args.base_name}-openai-tokens",
            scope=accounts.apply(lambda ids: _subscription_of(ids[0])),
            amount=args.amount,
            category=consumption.CategoryType.COST,
            time_grain=consumption.TimeGrainType.MONTHLY,
            time_period=consumption.BudgetTimePeriodArgs(
                start_date=f"{start_date(cfg, args.today).isoformat()}T00:00:00Z",
                end_date=f"{cfg.end_date.isoformat()}T00:00:00Z" if cfg.end_date is not None else None,
            ),
            # `ResourceId` with the ids as ARM returns them, exactly as the spec's example writes its filter
            # (CreateOrUpdateBudget.json, consumption 2024-08-01; re-checked December 2026).
            filter=consumption.BudgetFilterArgs(dimensions=consumption.BudgetComparisonExpressionArgs(
                name="ResourceId",
                operator=consumption.BudgetOperatorType.IN_,
                values=accounts.apply(list),
            )),
            notifications=notifications(cfg, args.action_group_id),
            # Kept like the environment budget's: a later month's default would be refused as an update.
            opts=args.common.child(self, ignore_changes=["timePeriod.startDate"]),
        )
        self.id = budget.id
        self.register_outputs({"id": self.id})
