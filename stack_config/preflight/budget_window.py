"""A configured budget start date must be one Azure accepts on the day the budget is created.

Cost budgets (Microsoft.Consumption/budgets, timePeriod.startDate): "Must be first of the month and
should be less than the end date. Budget start date must be on or after June 1, 2017. Future start
date should not be more than twelve months. Past start date should be selected within the timegrain
period." (BudgetTimePeriod, learn.microsoft.com/rest/api/consumption/budgets/create-or-update and
the SDK references generated from it). The stack's budgets are Monthly, so the window is the first
of the current month to the first of the month twelve months ahead. The first-of-month rule itself
is stack_config.validate.check_budget.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from .problems import Problem

FUTURE_MONTHS = 12


def window(today: date) -> tuple[date, date]:
    """The earliest and latest start date a Monthly budget created `today` may have."""
    first = today.replace(day=1)
    months = first.year * 12 + first.month - 1 + FUTURE_MONTHS
    return first, date(months // 12, months % 12 + 1, 1)


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    budget = p.get("budget")
    if budget is None or budget.start_date is None:
        return
    start, (earliest, latest) = budget.start_date, window(today)
    keep = ("remove budget.startDate: the stack then starts the budget on the first of the month it is first "
            "deployed in, and for a budget that already exists it keeps the deployed start (ignore_changes)")
    if start < earliest:
        yield ("budget.startDate", f"'{start.isoformat()}' is before the current Monthly period, which began "
               f"{earliest.isoformat()}: Azure accepts a past start date only within the current time grain, so "
               f"creating the budget fails; {keep}, or set a date from '{earliest.isoformat()}' to "
               f"'{latest.isoformat()}'")
    elif start > latest:
        yield ("budget.startDate", f"'{start.isoformat()}' is more than {FUTURE_MONTHS} months ahead: Azure accepts "
               f"a future start date up to '{latest.isoformat()}'; {keep}, or set a date from "
               f"'{earliest.isoformat()}' to '{latest.isoformat()}'")
