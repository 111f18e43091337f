"""Observability of a serving stack (MON-2..MON-5, COST-5): wired alerts, a custom-metric alert, a
dashboard with tokens and cost, an availability test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, entries, get, items, text
from ..framework.stack import Finding, Stack
from ..rules.monitor import RETIRED_WEB_TEST_KINDS

# A stack holding any of these serves traffic, so it needs alerts, a dashboard and availability tests.
WORKLOAD_TYPES: tuple[str, ...] = (T.APP_GATEWAY, T.CONTAINER_APP, T.WEB_APP, T.COGNITIVE_ACCOUNT, T.TM_PROFILE)


ERROR_RATE_METRICS = ["requests/failed", "exceptions/count", "exceptions/server", "Http5xx", "FailedRequests"]


OPENAI_KINDS = ("openai", "aiservices")


OPENAI_THROTTLING_METRICS = ["AzureOpenAIRequests", "ClientErrors", "Ratelimit", "TotalErrors"]


def _serves_traffic(stack: Stack) -> bool:
    return bool(stack.of(*WORKLOAD_TYPES))


def _wired(alert: PolicyResource) -> bool:
    """Enabled (or unknown) and notifying an action group (or unknown)."""
    actions = items(alert.props, "actions")
    if get(alert.props, "enabled") is False or not actions:
        return False
    return actions is UNKNOWN or any(a is UNKNOWN or get(a, "actionGroupId") for a in actions)


def _metric_names(alert: PolicyResource) -> set[Any]:
    criteria = items(alert.props, "criteria", "allOf")
    if criteria is UNKNOWN:
        return {UNKNOWN}
    return {UNKNOWN if c is UNKNOWN else text(c, "metricName") for c in criteria}


def _alerts_wired(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    alerts = [a for a in stack.of(T.METRIC_ALERT) if _wired(a)]
    error_metrics = {m.lower() for m in config["errorRateMetrics"]}
    throttling = {m.lower() for m in config["openaiThrottlingMetrics"]}
    names_of = {a.urn: _metric_names(a) for a in alerts}
    if not any(UNKNOWN in names or names & error_metrics for names in names_of.values()):
        yield (f"no enabled metric alert on the error rate ({', '.join(config['errorRateMetrics'])}) notifies an "
               "action group", None)
    alerted: dict[str, set[Any]] = defaultdict(set)  # target urn -> metric names alerted on
    blind = False
    for alert in alerts:
        scopes = items(alert.props, "scopes")
        urns, unresolved = stack.references(alert, "scopes", [UNKNOWN] if scopes is UNKNOWN else scopes)
        blind = blind or unresolved
        for urn in urns:
            alerted[urn] |= names_of[alert.urn]
    if blind:
        return
    for account in stack.of(T.COGNITIVE_ACCOUNT):
        if text(account.props, "kind") not in OPENAI_KINDS:
            continue
        names = alerted.get(account.urn, set())
        if UNKNOWN not in names and not names & throttling:
            yield (f"OpenAI account '{account.name}' has no enabled throttling alert "
                   f"({', '.join(config['openaiThrottlingMetrics'])}) wired to an action group", account.urn)
    for cache in stack.of(*C.REDIS_CACHES):
        if not alerted.get(cache.urn):
            yield (f"Redis cache '{cache.name}' has no enabled metric alert wired to an action group", cache.urn)


def _custom_metric_alert(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    for alert in stack.of(T.METRIC_ALERT):
        criteria = items(alert.props, "criteria", "allOf")
        if criteria is UNKNOWN:
            return
        for c in criteria:
            namespace = UNKNOWN if c is UNKNOWN else text(c, "metricNamespace")
            # Custom metrics live outside the `Microsoft.*` platform namespaces; an alert created
            # before its metric is first emitted must skip Azure's metric validation.
            if namespace is UNKNOWN or (namespace and not namespace.startswith("microsoft.")) \
                    or get(c, "skipMetricValidation") is True:
                return
    for rule in stack.of(T.QUERY_ALERT):
        criteria = items(rule.props, "criteria", "allOf")
        queries = [UNKNOWN] if criteria is UNKNOWN else [text(c, "query") for c in criteria]
        if any(q is UNKNOWN or (q and "custommetrics" in q) for q in queries):
            return
    yield ("no alert watches a custom metric (a metric alert criterion with a custom metricNamespace such "
           "as 'azure.applicationinsights' or skipMetricValidation, or a log alert on customMetrics)", None)


def _strings(value: Any) -> Iterable[Any]:
    """Every string inside a value (UNKNOWN for unknown parts)."""
    if value is UNKNOWN or isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        listed = entries(value)
        yield from [UNKNOWN] if listed is UNKNOWN else (s for _, v in listed for s in _strings(v))
    elif isinstance(value, Sequence):
        listed = items(value)
        yield from [UNKNOWN] if listed is UNKNOWN else (s for v in listed for s in _strings(v))


def _dashboard_exists(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    boards = stack.of(T.WORKBOOK, T.PORTAL_DASHBOARD)
    if not boards:
        yield ("the stack has no workbook or portal dashboard for its AI metrics", None)
        return
    terms = [t.lower() for t in config["requiredTerms"]]
    for board in boards:
        field = "serializedData" if board.resource_type == T.WORKBOOK else "properties"
        content = list(_strings(get(board.props, field)))
        if UNKNOWN in content:
            return
        joined = " ".join(content).lower()
        if all(t in joined for t in terms):
            return
    yield (f"no workbook or dashboard shows {' and '.join(terms)} (the seed's token-usage and cost-per-hour tiles)",
           None)


def _availability_test_exists(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    for test in stack.of(T.WEB_TEST):
        kind, enabled = text(test.props, "webTestKind"), get(test.props, "enabled")
        if kind not in RETIRED_WEB_TEST_KINDS and enabled is not False:
            return
    yield ("no enabled standard availability test probes the service's health endpoint", None)


# Activity log categories that report Azure's side of an outage
# (https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema).
HEALTH_CATEGORIES = ("servicehealth", "resourcehealth")


def _health_alert(alert: PolicyResource) -> bool:
    """Enabled, on a Service or Resource Health category, notifying an action group (unknown: maybe)."""
    conditions, groups = items(alert.props, "condition", "allOf"), items(alert.props, "actions", "actionGroups")
    if get(alert.props, "enabled") is False or not groups:
        return False
    if conditions is UNKNOWN:
        return True
    categories = [UNKNOWN if c is UNKNOWN else text(c, "equals") for c in conditions
                  if c is UNKNOWN or text(c, "field") == "category"]
    return any(c is UNKNOWN or c in HEALTH_CATEGORIES for c in categories)


def _service_health_alert(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if _serves_traffic(stack) and not any(_health_alert(a) for a in stack.of(T.ACTIVITY_LOG_ALERT)):
        yield ("no enabled activity log alert on Service Health (or Resource Health) notifies an action group: "
               "an Azure outage is learnt from users", None)


alerts_wired = stack_policy(
    name="alerts-wired",
    description="Metric alerts on the error rate, OpenAI throttling and each Redis cache notify an action group.",
    checklist=["MON-3"],
    severity=Severity.MEDIUM,
    remediation="Add enabled monitor:MetricAlert rules with `actions=[...action_group_id...]`: failed requests "
                "on App Insights, throttling (AzureOpenAIRequests 429 / ClientErrors) on each OpenAI account, and "
                "server load or memory on each Redis cache; tune the metric lists in the pack config.",
    check=_alerts_wired,
    config={"errorRateMetrics": {"type": "array", "items": {"type": "string"}, "default": ERROR_RATE_METRICS},
            "openaiThrottlingMetrics": {"type": "array", "items": {"type": "string"},
                                        "default": OPENAI_THROTTLING_METRICS}},
)


custom_metric_alert = stack_policy(
    name="custom-metric-alert",
    description="An alert watches a custom AI metric (e.g. tokens used).",
    checklist=["MON-2"],
    severity=Severity.LOW,
    remediation="Add a metric alert with a criterion `metric_namespace='azure.applicationinsights'` and "
                "`metric_name='openai_tokens_used'` (`skip_metric_validation=True` until the metric is emitted).",
    check=_custom_metric_alert,
)


dashboard_exists = stack_policy(
    name="dashboard-exists",
    description="A workbook or portal dashboard shows the AI workload, including token usage and cost.",
    checklist=["MON-4", "COST-5"],
    severity=Severity.LOW,
    remediation="Add an applicationinsights:Workbook whose tiles chart request volume, latency, tokens and cost "
                "per hour (its `serialized_data` must mention each of `requiredTerms`).",
    check=_dashboard_exists,
    config={"requiredTerms": {"type": "array", "items": {"type": "string"}, "default": ["token", "cost"]}},
)


availability_test_exists = stack_policy(
    name="availability-test-exists",
    description="An enabled standard availability test probes the service.",
    checklist=["MON-5"],
    severity=Severity.MEDIUM,
    remediation="Add an applicationinsights:WebTest of kind 'standard' against https://<public entry>/health "
                "from at least two locations.",
    check=_availability_test_exists,
)


service_health_alert = stack_policy(
    name="service-health-alert",
    description="A serving stack has an activity log alert on Service Health (or Resource Health) wired to an "
                "action group.",
    checklist=["MON-3"],
    severity=Severity.MEDIUM,
    remediation="Add a monitor:ActivityLogAlert with `scopes=['/subscriptions/<id>']`, `condition` allOf "
                "`field='category', equals='ServiceHealth'` and `actions.action_groups=[<action group id>]` "
                "(components.service_health.ServiceHealthAlert).",
    check=_service_health_alert,
)


POLICIES: list[Policy] = [
    alerts_wired, custom_metric_alert, dashboard_exists, availability_test_exists, service_health_alert,
]
