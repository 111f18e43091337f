"""Service-level objectives and their cost (issue 18; MON-3, COST-1, PERF-1): log search alerts that ARM accepts and
that notify someone, an alert per objective on every Application Insights component, a token-spend budget over every
Azure OpenAI account, and a load test resource.

Log search alert limits: learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule (a rule reads
at most two days). Operators as the Microsoft.Insights scheduledQueryRules API spells them (azure-rest-api-specs
.../Microsoft.Insights/preview/2025-01-01-preview/examples/createOrUpdateScheduledQueryRule.json); the SDK's
ConditionOperator enum also carries `gt`/`lt`, which ARM rejects here. Budget filter shape: azure-rest-api-specs
.../Microsoft.Consumption/stable/2024-08-01/examples/CreateOrUpdateBudget.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
from .observability import WORKLOAD_TYPES

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


@dataclass(frozen=True)
class Objective:
    """One objective's alert, recognised by what its query reads and the operator it fires on."""

    name: str
    terms: tuple[str, ...]
    operator: str
    without: tuple[str, ...] = ()
    # The window bound a burn-rate pair is told apart by: (config key, at most?).
    window: tuple[str, bool] | None = None

    def matches(self, query: Any, operator: Any, window: Any, config: Config) -> bool:
        if operator is not UNKNOWN and (not isinstance(operator, str) or operator.lower() != self.operator.lower()):
            return False
        if query is not UNKNOWN and not (isinstance(query, str) and all(t in query.lower() for t in self.terms)
                                         and not any(t in query.lower() for t in self.without)):
            return False
        if self.window is None or window is UNKNOWN:
            return True
        key, at_most = self.window
        seconds, bound = duration_seconds(window), duration_seconds(config[key])
        return seconds is not None and bound is not None and (seconds <= bound if at_most else seconds >= bound)


# The Kusto the SLO alerts read (components/slo.py): a percentile of `requests.duration`; failed over total
# requests; the multiwindow burn rate as min_of(long, short) (SRE workbook, "Alerting on SLOs"); web test results.
OBJECTIVES = (
    Objective("latency percentile", ("requests", "percentile(duration,"), "GreaterThan"),
    Objective("error rate", ("requests", "countif(success == false)", "count()", "/"), "GreaterThan",
              without=("min_of(",)),
    Objective("fast error-budget burn", ("requests", "min_of("), "GreaterThan", window=("maxFastBurnWindow", True)),
    Objective("slow error-budget burn", ("requests", "min_of("), "GreaterThan", window=("minSlowBurnWindow", False)),
)
AVAILABILITY = Objective("availability", ("availabilityresults",), "LessThan")
SLO_OBJECTIVES = [o.name for o in (*OBJECTIVES, AVAILABILITY)]


def _conditions(rule: PolicyResource) -> list[tuple[Any, Any]]:
    """(query, operator) of each condition of an enabled, wired log search alert; [] for any other rule."""
    if text(rule.props, "kind") not in (None, "logalert", UNKNOWN) or get(rule.props, "enabled") is False:
        return []
    groups = items(rule.props, "actions", "actionGroups")
    if groups is not UNKNOWN and not groups:
        return []
    conditions = items(rule.props, "criteria", "allOf")
    if conditions is UNKNOWN:
        return [(UNKNOWN, UNKNOWN)]
    return [(UNKNOWN, UNKNOWN) if c is UNKNOWN else (get(c, "query"), get(c, "operator")) for c in conditions]


def _web_test_targets(stack: Stack) -> set[str]:
    """The Application Insights components the web tests report to: Azure links them only through the test's
    `hidden-link:<component id>` tag, whose key is computed from the component (so its dependency names it even
    while the id is unknown in a preview)."""
    components = {c.urn for c in stack.of(T.APP_INSIGHTS)}
    targets: set[str] = set()
    for test in stack.of(T.WEB_TEST):
        targets |= depends_on(test, "tags") & components
        tags = get(test.props, "tags")
        for key in tags if isinstance(tags, Mapping) else ():
            if isinstance(key, str) and key.lower().startswith("hidden-link:"):
                target = stack.by_id(key.split(":", 1)[1])
                if target is not None and target.urn in components:
                    targets.add(target.urn)
    return targets


def _slo_alerts(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    components = stack.of(T.APP_INSIGHTS)
    if not components or not stack.of(*WORKLOAD_TYPES):
        return
    required = {o.lower() for o in config["requiredObjectives"]}
    met: dict[str, set[str]] = {c.urn: set() for c in components}
    everywhere: set[str] = set()  # objectives met by a rule whose scopes stay unknown
    for rule in stack.of(T.QUERY_ALERT):
        conditions = _conditions(rule)
        if not conditions:
            continue
        window = get(rule.props, "windowSize")
        names = {o.name for o in (*OBJECTIVES, AVAILABILITY) for query, operator in conditions
                 if o.matches(query, operator, window, config)}
        scopes = items(rule.props, "scopes")
        urns, unresolved = stack.references(rule, "scopes", [UNKNOWN] if scopes is UNKNOWN else scopes)
        if unresolved:
            everywhere |= names
        for urn in urns & met.keys():
            met[urn] |= names
    targets = _web_test_targets(stack)
    for component in components:
        objectives = [o for o in OBJECTIVES if o.name in required]
        if AVAILABILITY.name in required and component.urn in targets:
            objectives.append(AVAILABILITY)
        for objective in objectives:
            if objective.name not in met[component.urn] | everywhere:
                yield (f"Application Insights '{component.name}' has no {objective.name} alert (an enabled log search "
                       f"alert on its `{objective.terms[0]}` table, operator {objective.operator}, wired to an "
                       "action group)", component.urn)
    if (AVAILABILITY.name in required and not targets
            and not any(AVAILABILITY.name in names for names in (*met.values(), everywhere))):
        yield ("no availability alert: no enabled log search alert reads `availabilityResults` with operator "
               "LessThan, wired to an action group", None)


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


slo_alerts_present = stack_policy(
    name="slo-alerts-present",
    description="Every Application Insights component of a serving stack has log search alerts on its service level "
                "objectives (latency percentile, error rate, fast and slow error-budget burn, and availability where "
                "the web tests report), wired to an action group.",
    checklist=["MON-3"],
    severity=Severity.HIGH,
    remediation="Declare components.slo.SloAlerts per serving region (`ai-platform:slo`) on the region's Application "
                "Insights, with `availability=True` where the standard web tests report.",
    check=_slo_alerts,
    config={"requiredObjectives": {"type": "array", "items": {"type": "string", "enum": SLO_OBJECTIVES},
                                   "default": SLO_OBJECTIVES},
            "maxFastBurnWindow": {"type": "string", "default": "PT1H"},
            "minSlowBurnWindow": {"type": "string", "default": "PT6H"}},
    # Mandatory in prod (policies/config/prod.json); dev may run without them.
    level=EnforcementLevel.ADVISORY,
)


def _load_testing(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if stack.of(*WORKLOAD_TYPES) and not stack.of(T.LOAD_TEST):
        yield ("no Azure Load Testing resource (loadtestservice:LoadTest): the stack's load test "
               "(loadtest/<stack>.yaml, deploy workflow job `loadtest`) has nowhere to run", None)


load_testing_resource = stack_policy(
    name="load-testing-resource",
    description="A serving stack declares an Azure Load Testing resource, where the deploy workflow runs its load "
                "test (loadtest/<stack>.yaml) with the SLOs as pass/fail criteria.",
    checklist=["PERF-1"],
    severity=Severity.LOW,
    remediation="Declare components.load_testing.LoadTesting (a loadtestservice:LoadTest); the deploy workflow's "
                "`loadtest` job runs loadtest/<stack>.yaml on it.",
    check=_load_testing,
    # Advisory everywhere: the run itself happens in the deploy workflow, which the pack cannot see.
    level=EnforcementLevel.ADVISORY,
)


POLICIES: list[Policy] = [query_alert_wired_and_valid, token_spend_budget, slo_alerts_present, load_testing_resource]
