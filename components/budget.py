"""A monthly cost budget per environment with actual and forecast alerts (COST-1).

Start date: Azure accepts a past start date only inside the current time-grain period (this month
for a Monthly budget) and a future one at most twelve months ahead, always the first of a month
(BudgetTimePeriod, learn.microsoft.com/rest/api/consumption/budgets/create-or-update). A date pinned
in the stack file therefore goes stale a month after it is written. Omitted in config, the start is
the first of the current month (UTC) when the budget is first created; `ignore_changes` on
`timePeriod.startDate` keeps the deployed value afterwards, so next month's run neither recomputes
nor resends it (Azure also refuses an update that moves a budget's start). A start date given in
config is checked against today's window by the preflight (stack_config/preflight/budget.py).
The end date is omitted unless configured (Azure then tracks for ten years), so the budget never
quietly stops alerting the way the seed's (ended 2024-12-31) did.

Scope: `budget.scope: resourceGroup` watches the environment's resource groups. With one group
the budget sits on it; with several (prod: one per region) a resource-group budget would see only
part of the spend, so the budget sits on the subscription filtered to exactly those groups.
`subscription` watches the whole subscription.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pulumi
import pulumi_azure_native.consumption as consumption

from stack_config.model import Budget as BudgetConfig

from .common import Common


class BudgetError(pulumi.RunError):
    """A budget Azure would reject or that would never alert."""


def _subscription(group_id: str) -> str:
    parts = group_id.strip("/").split("/")
    if len(parts) != 4 or parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups":
        raise BudgetError(f"'{group_id}' is not a resource group id (/subscriptions/<id>/resourceGroups/<name>)")
    return f"/subscriptions/{parts[1]}"


def _group_name(group_id: str) -> str:
    return group_id.rstrip("/").split("/")[-1]


def notifications(cfg: BudgetConfig,
                  action_group_id: pulumi.Input[str] | None) -> dict[str, consumption.NotificationArgs]:
    """The seed's 80 % warning and 95 % critical on actual cost, plus an early warning when the month is
    forecast to overrun; to the configured e-mails and roles and the action group. Every budget of the
    stack notifies this way."""
    t = cfg.thresholds
    contact_groups = [action_group_id] if action_group_id is not None else None

    def notify(threshold: int, kind: consumption.ThresholdType) -> consumption.NotificationArgs:
        return consumption.NotificationArgs(
            enabled=True,
            operator=consumption.OperatorType.GREATER_THAN,
            threshold=threshold,
            threshold_type=kind,
            contact_emails=list(cfg.contact_emails),
            contact_roles=list(cfg.contact_roles),
            contact_groups=contact_groups,
            locale=consumption.CultureCode.EN_US,
        )

    return {
        f"Actual_GreaterThan_{t.warning}_Percent": notify(t.warning, consumption.ThresholdType.ACTUAL),
        f"Actual_GreaterThan_{t.critical}_Percent": notify(t.critical, consumption.ThresholdType.ACTUAL),
        f"Forecasted_GreaterThan_{t.forecast}_Percent": notify(t.forecast, consumption.ThresholdType.FORECASTED),
    }


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class BudgetArgs:
    # Only the base name matters here: budgets are neither regional nor taggable.
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    budget: BudgetConfig
    # Every resource group of the environment, primary first.
    resource_group_ids: Sequence[pulumi.Input[str]]
    action_group_id: pulumi.Input[str] | None = None
    # The day the program runs (UTC, the calendar Cost Management uses); picks the default start.
    today: date = field(default_factory=utc_today)


def start_date(cfg: BudgetConfig, today: date) -> date:
    """The configured start, or the first of the current month for a budget created today."""
    return cfg.start_date or today.replace(day=1)


class Budget(pulumi.ComponentResource):
    """A monthly Cost budget with warning / critical (actual) and forecast notifications."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cfg = args.budget
        if not args.resource_group_ids:
            raise BudgetError(f"{name}: no resource group ids; pass the environment's resource groups")
        start = start_date(cfg, args.today)
        if start.day != 1:
            raise BudgetError(f"{name}: budget.startDate {start.isoformat()} is not the first of a month; "
                              f"use {start.replace(day=1).isoformat()} and never change it afterwards")
        if cfg.end_date is not None and cfg.end_date <= start:
            raise BudgetError(f"{name}: budget.endDate {cfg.end_date.isoformat()} is not after startDate; remove it")
        super().__init__("ai-platform:budget:Budget", name, None, opts)

        groups = pulumi.Output.all(*args.resource_group_ids)
        whole_subscription = cfg.scope == "subscription" or len(args.resource_group_ids) > 1
        scope = groups.apply(lambda ids: _subscription(ids[0]) if whole_subscription else ids[0])
        budget_filter = None
        if cfg.scope == "resourceGroup" and len(args.resource_group_ids) > 1:
            budget_filter = consumption.BudgetFilterArgs(dimensions=consumption.BudgetComparisonExpressionArgs(
                name="ResourceGroupName",
                operator=consumption.BudgetOperatorType.IN_,
                values=groups.apply(lambda ids: [_group_name(i) for i in ids]),
            ))

        budget = consumption.Budget(
            name,
            budget_name=f"budget-{args.base_name}",
            scope=scope,
            amount=cfg.amount,
            category=consumption.CategoryType.COST,
            time_grain=consumption.TimeGrainType.MONTHLY,
            time_period=consumption.BudgetTimePeriodArgs(
                start_date=f"{start.isoformat()}T00:00:00Z",
                end_date=f"{cfg.end_date.isoformat()}T00:00:00Z" if cfg.end_date is not None else None,
            ),
            filter=budget_filter,
            notifications=notifications(cfg, args.action_group_id),
            # The first deployment's start stays: a later month's default would be refused as an update.
            opts=args.common.child(self, ignore_changes=["timePeriod.startDate"]),
        )
        self.id = budget.id
        self.register_outputs({"id": self.id})
