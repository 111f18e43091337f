"""Alerts that measure the service level objectives themselves (ai-platform:slo), per serving region.

Metric alerts cannot take a percentile or a ratio of two metrics, so each objective is a log search
alert (`Microsoft.Insights/scheduledQueryRules`, kind LogAlert) over the region's Application
Insights tables: `requests` for what the services answered, `availabilityResults` for the
standard web tests. Health probes (`/health`) are excluded from the request objectives: they are
what the web tests and Traffic Manager measure, not what users get.

| rule             | table               | fires when                                            | every/over |
|------------------|---------------------|-------------------------------------------------------|------------|
| slo-latency      | requests            | p<latencyPercentile>(duration) > latencyThresholdMs   | 5 m / 15 m |
| slo-error-rate   | requests            | 100 * failed / total > errorRatePercent               | 5 m / 15 m |
| slo-availability | availabilityResults | 100 * passed / total < availabilityPercent            | 1 h / window|
| slo-burn-fast    | requests            | burn rate > 14.4 over both 1 h and 5 min (2 % / 1 h)  | 5 m / 1 h  |
| slo-burn-slow    | requests            | burn rate > 6 over both 6 h and 30 min (5 % / 6 h)    | 15 m / 6 h |
| slo-model-latency    | ApiManagementGatewayLogs | p<latencyPercentile>(TotalTime) > latencyThresholdMs | 5 m / 15 m |
| slo-model-error-rate | ApiManagementGatewayLogs | 100 * failed / total > errorRatePercent          | 5 m / 15 m |

With an AI gateway (`gateway`) the model path has objectives of its own, measured where the gateway
logs every call: the resource-specific `ApiManagementGatewayLogs` table of the region's workspace (the gateway's
diagnostic setting is `Dedicated`; columns TimeGenerated, ApiId, ResponseCode, BackendResponseCode, TotalTime in
ms: learn.microsoft.com/azure/azure-monitor/reference/tables/apimanagementgatewaylogs and api-management/
gateway-log-schema-reference). A failure is a 5xx, or a 429 the backends returned after the retries; the
gateway's own 429 (a consumer over its token limit) and 401 are the controls working, not the service failing.
The gateway's own request telemetry in Application Insights (`url` on `<name>.azure-api.net`,
api-management-howto-app-insights) is left out of the user objectives, which stay what the services answered.

Burn rate = error ratio / error budget (errorRatePercent / 100); a rate of 1 spends the budget in
exactly errorBudgetDays. The two burn alerts are the multiwindow, multi-burn-rate pair the Google
SRE workbook recommends for paging ("Alerting on SLOs", table 5-8): the long window makes a page
significant, the short one makes it reset soon after the errors stop. The thresholds scale with the
budget period (the workbook's are for 30 days: 14.4 = 2 % x 30 d x 24 h / 1 h).

Settings are those of the scheduledQueryRules API the SDK pins (2025-01-01-preview): windowSize is
the query's time range, evaluation every 5 minutes or slower, at most two days of data per query
(learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule); a query that names
its own range with `ago()` also sets overrideQueryTimeRange so the engine reads all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.monitor as monitor

from stack_config.model import Slo

from .common import Common

# scheduledQueryRules' condition operators (Equals, GreaterThan, GreaterThanOrEqual, LessThan,
# LessThanOrEqual; azure-rest-api-specs .../Microsoft.Insights/preview/2025-01-01-preview/examples/
# createOrUpdateScheduledQueryRule.json). Written as text: the SDK's `ConditionOperator` enum shares its type
# token with another API's filter operators ("gt", "lt") that ARM rejects here.
GREATER_THAN = "GreaterThan"
LESS_THAN = "LessThan"

# Requests that are not users' traffic.
_USER_REQUESTS = 'requests\n| where url !endswith "/health"'
# The AI gateway's own request telemetry in the same component: its only host is <name>.azure-api.net.
_NOT_GATEWAY = '\n| where url !contains ".azure-api.net/"'


@dataclass(frozen=True)
class BurnWindow:
    """One multiwindow burn-rate alert: the share of the budget spent in `long_hours` that pages."""

    key: str
    budget_share: float
    long_minutes: int
    short_minutes: int
    frequency: str

    def burn_rate(self, budget_days: int) -> float:
        return round(self.budget_share * budget_days * 24 * 60 / self.long_minutes, 2)


# The SRE workbook's two paging pairs (2 % in 1 h, 5 % in 6 h), with its recommended short windows (1/12).
FAST_BURN = BurnWindow("slo-burn-fast", 0.02, 60, 5, "PT5M")
SLOW_BURN = BurnWindow("slo-burn-slow", 0.05, 360, 30, "PT15M")


@dataclass(frozen=True)
class QueryRule:
    key: str
    description: str
    query: str
    measure: str
    operator: str
    threshold: float
    frequency: str
    window: str
    # Set when the query filters its own time with ago(): the range the engine must hand it.
    query_range: str | None = None


def _duration(minutes: int) -> str:
    """ISO 8601 as the alerts API writes it: whole days as PnD, then hours, then minutes."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    time = (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return (f"P{days}D" if days else "P") + (f"T{time}" if time else "")


def user_requests(gateway: bool = False) -> str:
    """The services' own requests: no health probes, and none of the AI gateway's telemetry."""
    return _USER_REQUESTS + (_NOT_GATEWAY if gateway else "")


def latency_query(slo: Slo, gateway: bool = False) -> str:
    return (f"{user_requests(gateway)}\n| summarize latency_ms = percentile(duration, {slo.latency_percentile}), "
            "requests = count()")


def error_rate_query(gateway: bool = False) -> str:
    return (f"{user_requests(gateway)}\n| summarize total = count(), failed = countif(success == false)\n"
            "| extend error_rate_percent = iff(total == 0, 0.0, 100.0 * failed / total)")


def model_calls(api_id: str) -> str:
    """The AI gateway's log of every call to its OpenAI API (resource-specific table in the workspace)."""
    return f'ApiManagementGatewayLogs\n| where ApiId == "{api_id}"'


# A model call that failed the caller: a 5xx, or the backends' 429 after every retry (the gateway's own 429 is a
# consumer over its token limit, which forwards nothing, so BackendResponseCode is not 429).
MODEL_CALL_FAILED = "ResponseCode >= 500 or (ResponseCode == 429 and BackendResponseCode == 429)"


def model_latency_query(slo: Slo, api_id: str) -> str:
    return (f"{model_calls(api_id)}\n| summarize latency_ms = percentile(TotalTime, {slo.latency_percentile}), "
            "requests = count()")


def model_error_rate_query(api_id: str) -> str:
    return (f"{model_calls(api_id)}\n| summarize total = count(), failed = countif({MODEL_CALL_FAILED})\n"
            "| extend error_rate_percent = iff(total == 0, 0.0, 100.0 * failed / total)")


def availability_query(slo: Slo) -> str:
    return (f"availabilityResults\n| where timestamp > ago({slo.availability_window_hours}h)\n"
            # Fail closed: no result in the window (tests stopped, or results not ingested) is a breach,
            # not a silent rule; summarize without `by` returns its one row on an empty table too.
            "| summarize total = count(), passed = countif(success == 1)\n"
            "| extend availability_percent = iff(total == 0, 0.0, 100.0 * passed / total)")


def burn_rate_query(slo: Slo, window: BurnWindow, gateway: bool = False) -> str:
    """The smaller of the long- and short-window burn rates: above the threshold only when both are."""
    budget = slo.error_rate_percent / 100
    return (f"let budget = {budget!r};\n{user_requests(gateway)}\n| where timestamp > ago({window.long_minutes}m)\n"
            f"| extend recent = timestamp > ago({window.short_minutes}m)\n"
            "| summarize long_total = count(), long_failed = countif(success == false),\n"
            "            short_total = countif(recent), short_failed = countif(recent and success == false)\n"
            "| extend long_burn = iff(long_total == 0, 0.0, 1.0 * long_failed / long_total / budget),\n"
            "         short_burn = iff(short_total == 0, 0.0, 1.0 * short_failed / short_total / budget)\n"
            "| extend burn_rate = min_of(long_burn, short_burn)")


def request_rules(slo: Slo, gateway: bool = False) -> list[QueryRule]:
    """The objectives every serving region's traffic is held to (without the gateway's own telemetry)."""
    gt = GREATER_THAN
    rules = [
        QueryRule("slo-latency", f"p{slo.latency_percentile} response time is above {slo.latency_threshold_ms} ms",
                  latency_query(slo, gateway), "latency_ms", gt, slo.latency_threshold_ms, "PT5M", "PT15M"),
        QueryRule("slo-error-rate", f"more than {slo.error_rate_percent:g} % of requests failed",
                  error_rate_query(gateway), "error_rate_percent", gt, slo.error_rate_percent, "PT5M", "PT15M"),
    ]
    for window in (FAST_BURN, SLOW_BURN):
        rate = window.burn_rate(slo.error_budget_days)
        rules.append(QueryRule(
            window.key, f"error budget burning at more than {rate:g}x over {_duration(window.long_minutes)} and "
                        f"{_duration(window.short_minutes)} ({window.budget_share:.0%} of "
                        f"{slo.error_budget_days} days' budget)",
            burn_rate_query(slo, window, gateway), "burn_rate", gt, rate, window.frequency,
            _duration(window.long_minutes), query_range=_duration(window.long_minutes)))
    return rules


def model_rules(slo: Slo, api_id: str) -> list[QueryRule]:
    """The model path's objectives, from the AI gateway's log of every call to its OpenAI API."""
    return [
        QueryRule("slo-model-latency", f"p{slo.latency_percentile} model call time through the AI gateway is above "
                  f"{slo.latency_threshold_ms} ms", model_latency_query(slo, api_id), "latency_ms", GREATER_THAN,
                  slo.latency_threshold_ms, "PT5M", "PT15M"),
        QueryRule("slo-model-error-rate", f"more than {slo.error_rate_percent:g} % of model calls through the AI "
                  "gateway failed", model_error_rate_query(api_id), "error_rate_percent", GREATER_THAN,
                  slo.error_rate_percent, "PT5M", "PT15M"),
    ]


def availability_rule(slo: Slo) -> QueryRule:
    # Web tests report every few minutes per location: evaluating hourly over the rolling window is enough.
    return QueryRule("slo-availability", f"availability over {slo.availability_window_hours} h is below "
                     f"{slo.availability_percent:g} %", availability_query(slo), "availability_percent",
                     LESS_THAN, slo.availability_percent, "PT1H", "PT1H",
                     query_range=_duration(slo.availability_window_hours * 60))


@dataclass(frozen=True)
class GatewayLogs:
    # The region's Log Analytics workspace (the gateway's diagnostic setting writes there).
    workspace_id: pulumi.Input[str]
    # The gateway's OpenAI API (components.ai_gateway.API_ID).
    api_id: str


@dataclass(frozen=True)
class SloAlertsArgs:
    # The region's common inputs; the rules live in its resource group and region.
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    slo: Slo
    app_insights_id: pulumi.Input[str]
    action_group_id: pulumi.Input[str]
    # True where the standard web tests report (the primary region's Application Insights).
    availability: bool = False
    # With an AI gateway: where its logs land and which API is the model path.
    gateway: GatewayLogs | None = None


class SloAlerts(pulumi.ComponentResource):
    """The region's SLO alerts; `ids` maps each rule key to its alert id."""

    ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SloAlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:slo:SloAlerts", name, None, opts)
        rules = [(args.app_insights_id, r) for r in request_rules(args.slo, args.gateway is not None)]
        if args.availability:
            rules.append((args.app_insights_id, availability_rule(args.slo)))
        if args.gateway is not None:
            rules += [(args.gateway.workspace_id, r) for r in model_rules(args.slo, args.gateway.api_id)]
        self.ids = {rule.key: self._rule(name, args, scope, rule).id for scope, rule in rules}
        self.register_outputs({"ids": self.ids})

    def _rule(self, name: str, args: SloAlertsArgs, scope: pulumi.Input[str],
              rule: QueryRule) -> monitor.ScheduledQueryRule:
        common = args.common
        return monitor.ScheduledQueryRule(
            f"{name}-{rule.key}",
            rule_name=f"alert-{args.base_name}-{common.location}-{rule.key}",
            resource_group_name=common.resource_group_name,
            # Log search alert rules are regional: they run beside the data they query.
            location=common.location,
            kind=monitor.Kind.LOG_ALERT,
            description=rule.description,
            display_name=f"{args.base_name} {common.location} {rule.key}",
            severity=args.slo.alert_severity,
            enabled=True,
            auto_mitigate=True,
            scopes=[scope],
            evaluation_frequency=rule.frequency,
            window_size=rule.window,
            override_query_time_range=rule.query_range,
            criteria=monitor.ScheduledQueryRuleCriteriaArgs(all_of=[monitor.ConditionArgs(
                query=rule.query,
                time_aggregation=monitor.TimeAggregation.MAXIMUM,
                metric_measure_column=rule.measure,
                operator=rule.operator,
                threshold=rule.threshold,
                failing_periods=monitor.ConditionFailingPeriodsArgs(
                    number_of_evaluation_periods=1, min_failing_periods_to_alert=1),
            )]),
            actions=monitor.ActionsArgs(action_groups=[args.action_group_id]),
            tags=common.tags,
            opts=common.child(self),
        )
