"""Cost budgets (consumption:Budget, costmanagement:Budget): notifications that reach people, and
budgets Azure accepts and that keep alerting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import catalog as C
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, entries, get, number, text


def _today() -> date:
    return date.today()


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# A budget notification's recipients (Consumption REST API, Notification:
# https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update).
RECIPIENTS = ("contactEmails", "contactGroups", "contactRoles")


def _budget_notifications(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    notifications = entries(args.props, "notifications")
    if notifications is UNKNOWN:
        return
    kinds: set[str] = set()
    for key, n in notifications:
        if n is UNKNOWN or get(n, "enabled") is False:
            continue
        # Any recipient list reaches someone: contactRoles mails the scope's Owners / Contributors / Readers.
        if not any(get(n, field) for field in RECIPIENTS):
            yield f"notification '{key}' has no contactEmails, contactGroups or contactRoles: nobody receives it"
            continue
        kind = text(n, "thresholdType")
        if kind is UNKNOWN:
            return
        kinds.add(kind or "actual")  # Azure's default threshold type
    for wanted in ("Actual", "Forecasted"):
        if wanted.lower() not in kinds:
            yield f"no enabled {wanted} notification with recipients (the budget needs both Actual and Forecasted)"


def _budget_valid(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    amount = number(args.props, "amount")
    if amount is not UNKNOWN and (amount or 0) <= 0:
        yield "amount must be greater than 0"
    grain = get(args.props, "timeGrain")
    allowed = [str(g).lower() for g in config["allowedTimeGrains"]]
    if grain is not UNKNOWN and str(grain or "").lower() not in allowed:
        yield f"timeGrain '{grain}' is not one of {config['allowedTimeGrains']}"
    start, end = get(args.props, "timePeriod", "startDate"), get(args.props, "timePeriod", "endDate")
    if start is not UNKNOWN and start is not None:
        first = _date(start)
        if first is None or first.day != 1:
            yield f"timePeriod.startDate '{start}' must be the first day of a month (Azure rejects others)"
    if end is not UNKNOWN and end is not None:
        last = _date(end)
        if last is None:
            yield f"timePeriod.endDate '{end}' is not a date"
        elif last < _today():
            yield f"timePeriod.endDate {last} has passed: the budget no longer alerts"


budget_notifications = resource_policy(
    name="budget-notifications",
    description="Budgets notify people on actual and on forecasted spend.",
    checklist=["COST-1"],
    severity=Severity.MEDIUM,
    remediation="Add enabled `notifications` with `threshold_type='Actual'` (e.g. 80 and 95%) and "
                "`threshold_type='Forecasted'` (100%), each with `contact_emails` or `contact_groups` "
                "(an action group id).",
    types=C.BUDGETS,
    check=_budget_notifications,
)


budget_valid = resource_policy(
    name="budget-valid",
    description="Budgets are monthly, have a positive amount, a first-of-month start and no expired end date.",
    checklist=["COST-1"],
    severity=Severity.HIGH,
    remediation="Set `amount` > 0, `time_grain='Monthly'`, `time_period.start_date` to the first of a month "
                "pinned in config, and drop `end_date` (or set one in the future): an expired budget stops "
                "alerting silently.",
    types=C.BUDGETS,
    check=_budget_valid,
    config={"allowedTimeGrains": {"type": "array", "items": {"type": "string"}, "default": ["Monthly"]}},
)


POLICIES: list[Policy] = [
    budget_notifications, budget_valid,
]
