"""Service-level objectives and their cost (issue 18; MON-3, COST-1): log search alerts that ARM accepts and that
notify someone, and a token-spend budget over every Azure OpenAI account.

Log search alert limits: learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule (a rule reads
at most two days). Operators as the Microsoft.Insights scheduledQueryRules API spells them (azure-rest-api-specs
.../Microsoft.Insights/preview/2025-01-01-preview/examples/createOrUpdateScheduledQueryRule.json); the SDK's
ConditionOperator enum also carries `gt`/`lt`, which ARM rejects here. Budget filter shape: azure-rest-api-specs
.../Microsoft.Consumption/stable/2024-08-01/examples/CreateOrUpdateBudget.json.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, resource_policy, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, entries, get, items, number, text
from ..framework.stack import Finding, Stack
from ..framework.values import duration_seconds

OPERATORS = ("Equals", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual")
MAX_WINDOW = 2 * 24 * 3600
MIN_FREQUENCY = 60
OPENAI_KINDS = ("openai", "aiservices")


def _query_alert(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    kind = text(args.props, "kind")
    if kind not in (None, "logalert"):
        return
    if get(args.props, "enabled") is False:
        yield "enabled is false: the alert never fires"
    groups = items(args.props, "actions", "actionGroups")
    if groups is not UNKNOWN and not groups:
        yield "actions.actionGroups is empty: the alert fires to no one; wire it to the stack's action group"
    severity = number(args.props, "severity")
    if isinstance(severity, float) and not 0 <= severity <= 4:
        yield f"severity is {severity:g}; use 0 (critical) to 4 (verbose)"
    frequency = get(args.props, "evaluationFrequency")
    if isinstance(frequency, str) and (seconds := duration_seconds(frequency)) is not None and seconds < MIN_FREQUENCY:
        yield f"evaluationFrequency is {frequency}; log search alerts run at most every minute (PT1M)"
    for prop in ("windowSize", "overrideQueryTimeRange"):
        window = get(args.props, prop)
        if isinstance(window, str) and (seconds := duration_seconds(window)) is not None and seconds > MAX_WINDOW:
            yield f"{prop} is {window}; a log search alert reads at most two days (P2D)"
    conditions = items(args.props, "criteria", "allOf")
    for condition in [] if conditions is UNKNOWN else conditions:
        operator = get(condition, "operator")
        if isinstance(operator, str) and operator not in OPERATORS:
            yield (f"criteria operator '{operator}' is not accepted by scheduledQueryRules; write one of "
                   f"{', '.join(OPERATORS)}")


def _resource_ids(clause: Any) -> tuple[set[str], bool]:
    """The ids a ResourceId `In` clause lists, lower-cased; and whether they are unknown."""
    values = items(clause, "values")
    if values is UNKNOWN:
        return set(), True
    return {v.lower() for v in values if isinstance(v, str)}, any(v is UNKNOWN for v in values)


def _clauses(budget: PolicyResource) -> list[Any]:
    found = get(budget.props, "filter")
    if found is UNKNOWN or found is None:
        return []
    conjuncts = items(found, "and")
    return [c for c in (get(found, "dimensions"), *([] if conjuncts is UNKNOWN else
                                                      [get(x, "dimensions") for x in conjuncts])) if c]


def _notified(budget: PolicyResource) -> set[str]:
    """The threshold types of a budget's enabled notifications that have recipients."""
    kinds: set[str] = set()
    notifications = entries(budget.props, "notifications")
    for _, n in [] if notifications is UNKNOWN else notifications:
        recipients = [items(n, key) for key in ("contactEmails", "contactRoles", "contactGroups")]
        if get(n, "enabled") is not False and any(r is UNKNOWN or r for r in recipients):
            kinds.add(str(text(n, "thresholdType") or "actual"))
    return kinds


def _token_budget(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    accounts = [a for a in stack.of(T.COGNITIVE_ACCOUNT) if text(a.props, "kind") in OPENAI_KINDS]
    if not accounts:
        return
    budgets = stack.of(*C.BUDGETS)
    unfiltered = [number(b.props, "amount") for b in budgets if not _clauses(b)]
    ceiling = max((a for a in unfiltered if isinstance(a, float)), default=None)
    covered: set[str] = set()
    for budget in budgets:
        for clause in _clauses(budget):
            if text(clause, "name") != "resourceid" or text(clause, "operator") not in ("in", UNKNOWN):
                continue
            ids, unknown = _resource_ids(clause)
            linked = depends_on(budget, "filter")
            watched = {a.urn for a in accounts if a.urn in linked or unknown
                       or any(i.endswith(f"/accounts/{text(a.props, 'accountName')}") for i in ids)}
            if not watched:
                continue
            problems = []
            amount = number(budget.props, "amount")
            if text(budget.props, "timeGrain") not in ("monthly", UNKNOWN):
                problems.append("its timeGrain is not Monthly")
            if isinstance(amount, float) and (amount <= 0 or (ceiling is not None and amount > ceiling)):
                problems.append(f"its amount {amount:g} is not within (0, {ceiling:g}]" if ceiling is not None
                                else f"its amount {amount:g} is not positive")
            kinds = _notified(budget)
            if notifications_unknown := entries(budget.props, "notifications") is UNKNOWN:
                kinds = {"actual", "forecasted"}
            missing = [k for k in ("actual", "forecasted") if k not in kinds]
            if missing and not notifications_unknown:
                problems.append(f"it has no {' or '.join(m.capitalize() for m in missing)} notification with "
                                "recipients")
            if problems:
                yield (f"token-spend budget '{budget.name}' does not guard OpenAI spend: {'; '.join(problems)}",
                       budget.urn)
            covered |= watched
    for account in accounts:
        if account.urn not in covered:
            yield (f"OpenAI account '{account.name}' is not under a token-spend budget (a consumption:Budget "
                   "filtered on its ResourceId)", account.urn)


query_alert_wired_and_valid = resource_policy(
    name="query-alert-wired-and-valid",
    description="Log search alert rules are enabled, notify an action group, and use windows, severities and "
                "operators ARM accepts.",
    checklist=["MON-3"],
    severity=Severity.MEDIUM,
    remediation="Wire the rule to the stack's action group, keep its window within two days, and write the operator "
                "as the API spells it (`GreaterThan`).",
    types=[T.QUERY_ALERT],
    check=_query_alert,
)


token_spend_budget = stack_policy(
    name="token-spend-budget",
    description="Every Azure OpenAI account is under a monthly token-spend budget within the environment budget, "
                "with Actual and Forecasted notifications.",
    checklist=["COST-1"],
    severity=Severity.MEDIUM,
    remediation="Declare components.token_budget.TokenBudget with `ai-platform:slo.tokenSpendMonthly`: a "
                "consumption:Budget filtered on the accounts' ResourceId (operator In) with Actual and Forecasted "
                "notifications.",
    check=_token_budget,
    # Mandatory in prod (policies/config/prod.json); dev may run without one.
    level=EnforcementLevel.ADVISORY,
)


POLICIES: list[Policy] = [query_alert_wired_and_valid, token_spend_budget]
