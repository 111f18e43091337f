"""Metric alerts for one region, wired to the stack's action group (MON-2, MON-3, PERF-6).

Each rule watches one resource whose id the caller passes in; a resource the region does not
have (None) simply gets no rule. Thresholds come from ai-platform:monitoring.thresholds so each
environment pages at its own level.

| rule                    | scope              | metric (aggregation)                        | sev | every / window |
|-------------------------|--------------------|---------------------------------------------|-----|----------------|
| failed-requests         | App Insights       | requests/failed (Count)                     | 2   | PT1M / PT5M    |
| tokens-per-hour         | App Insights       | custom openai_tokens_used (Total)           | 3   | PT15M / PT1H   |
|   with an AI gateway    | App Insights       | custom ai-gateway / Total Tokens (Total)    | 3   | PT15M / PT1H   |
| openai-throttled        | OpenAI account     | AzureOpenAIRequests, StatusCode=429 (Total) | 2   | PT1M / PT5M    |
| openai-latency          | OpenAI account     | AzureOpenAITimeToResponse, ms (Average)     | 3   | PT5M / PT15M   |
| redis-server-load       | Managed Redis      | serverLoad, % (Average)                     | 2   | PT5M / PT15M   |
| redis-memory            | Managed Redis      | usedmemorypercentage (Maximum)              | 2   | PT5M / PT15M   |
| gateway-unhealthy-hosts | App Gateway        | UnhealthyHostCount (Average)                | 1   | PT1M / PT5M    |
| gateway-5xx             | App Gateway        | ResponseStatus, HttpStatusGroup=5xx (Total) | 2   | PT1M / PT5M    |
| restarts-<app>          | each container app | RestartCount (Total)                        | 2   | PT5M / PT15M   |

Why these shapes: failed-requests is the seed's rule unchanged. Throttling and 5xx count events
over a short window (a burst is the signal). Latency, Redis load and restarts look at 15 minutes so
one slow call or a scale-out restart does not page; Redis publishes at PT5M grain, so it cannot be
evaluated more often. Unhealthy backends are severity 1: a region serving errors. Token usage is an
hourly budget (the seed's token tile), so its window is the hour the threshold is defined over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native.monitor as monitor

from stack_config.model import AlertThresholds

from .ai_gateway_policy import METRIC_NAMESPACE, TOTAL_TOKENS_METRIC
from .common import Common

AGG = monitor.AggregationTypeEnum


@dataclass(frozen=True)
class Rule:
    """One static-threshold metric rule: fires when the aggregated metric is above `threshold`."""

    key: str
    description: str
    namespace: str
    metric: str
    aggregation: monitor.AggregationTypeEnum
    threshold: float
    severity: int
    frequency: str
    window: str
    dimensions: Mapping[str, str] = field(default_factory=dict)
    # Custom (application) metrics exist only after the app first emits them; validation at
    # creation time would reject the rule on a fresh stack.
    custom: bool = False


def app_insights_rules(t: AlertThresholds, gateway: bool = False) -> list[Rule]:
    """With an AI gateway the token count is the gateway's: every call, of every consumer, counted where it
    passes (azure-openai-emit-token-metric's "Total Tokens" in the policy's namespace,
    learn.microsoft.com/azure/api-management/azure-openai-emit-token-metric-policy), not what the apps report."""
    tokens = (Rule("tokens-per-hour", "OpenAI token usage through the AI gateway is above the hourly budget",
                   METRIC_NAMESPACE, TOTAL_TOKENS_METRIC, AGG.TOTAL, t.tokens_per_hour, 3, "PT15M", "PT1H",
                   custom=True) if gateway else
              Rule("tokens-per-hour", "OpenAI token usage is above the hourly budget", "azure.applicationinsights",
                   "openai_tokens_used", AGG.TOTAL, t.tokens_per_hour, 3, "PT15M", "PT1H", custom=True))
    return [
        Rule("failed-requests", "AI service error rate is high (failed requests)", "Microsoft.Insights/components",
             "requests/failed", AGG.COUNT, t.failed_requests, 2, "PT1M", "PT5M"),
        tokens,
    ]


def openai_rules(t: AlertThresholds) -> list[Rule]:
    return [
        Rule("openai-throttled", "OpenAI is throttling requests (HTTP 429)", "Microsoft.CognitiveServices/accounts",
             "AzureOpenAIRequests", AGG.TOTAL, t.openai_throttled_requests, 2, "PT1M", "PT5M",
             dimensions={"StatusCode": "429"}),
        Rule("openai-latency", "OpenAI time to response is high", "Microsoft.CognitiveServices/accounts",
             "AzureOpenAITimeToResponse", AGG.AVERAGE, t.openai_latency_ms, 3, "PT5M", "PT15M"),
    ]


def redis_rules(t: AlertThresholds) -> list[Rule]:
    return [
        Rule("redis-server-load", "Redis server load is high", "Microsoft.Cache/redisEnterprise",
             "serverLoad", AGG.AVERAGE, t.redis_server_load_percent, 2, "PT5M", "PT15M"),
        Rule("redis-memory", "Redis memory is nearly full", "Microsoft.Cache/redisEnterprise",
             "usedmemorypercentage", AGG.MAXIMUM, t.redis_memory_percent, 2, "PT5M", "PT15M"),
    ]


def gateway_rules(t: AlertThresholds) -> list[Rule]:
    return [
        Rule("gateway-unhealthy-hosts", "Application Gateway has unhealthy backends",
             "Microsoft.Network/applicationGateways", "UnhealthyHostCount", AGG.AVERAGE,
             t.gateway_unhealthy_hosts, 1, "PT1M", "PT5M"),
        Rule("gateway-5xx", "Application Gateway is returning 5xx responses",
             "Microsoft.Network/applicationGateways", "ResponseStatus", AGG.TOTAL, t.gateway_failed_requests,
             2, "PT1M", "PT5M", dimensions={"HttpStatusGroup": "5xx"}),
    ]


def container_app_rules(t: AlertThresholds, app: str) -> list[Rule]:
    return [
        Rule(f"restarts-{app}", f"Container app '{app}' replicas keep restarting", "Microsoft.App/containerApps",
             "RestartCount", AGG.TOTAL, t.container_restarts, 2, "PT5M", "PT15M"),
    ]


@dataclass(frozen=True)
class AlertsArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    action_group_id: pulumi.Input[str]
    thresholds: AlertThresholds
    # None: a component watching only its own resources (the AI gateway's semantic cache).
    app_insights_id: pulumi.Input[str] | None
    openai_account_id: pulumi.Input[str] | None = None
    redis_cluster_id: pulumi.Input[str] | None = None
    gateway_id: pulumi.Input[str] | None = None
    # Container app name -> resource id; one restart rule each (metric alerts take one app).
    container_app_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # True where an AI gateway counts the tokens (its metrics in the same App Insights component).
    gateway_metrics: bool = False


class Alerts(pulumi.ComponentResource):
    """The region's metric alerts; `ids` maps each rule key to its alert id."""

    ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:alerts:Alerts", name, None, opts)
        t = args.thresholds
        targets: list[tuple[pulumi.Input[str], list[Rule]]] = []
        if args.app_insights_id is not None:
            targets.append((args.app_insights_id, app_insights_rules(t, args.gateway_metrics)))
        if args.openai_account_id is not None:
            targets.append((args.openai_account_id, openai_rules(t)))
        if args.redis_cluster_id is not None:
            targets.append((args.redis_cluster_id, redis_rules(t)))
        if args.gateway_id is not None:
            targets.append((args.gateway_id, gateway_rules(t)))
        for app, app_id in sorted(args.container_app_ids.items()):
            targets.append((app_id, container_app_rules(t, app)))

        self.ids = {}
        for scope, rules in targets:
            for rule in rules:
                self.ids[rule.key] = self._alert(name, args, scope, rule).id
        self.register_outputs({"ids": self.ids})

    def _alert(self, name: str, args: AlertsArgs, scope: pulumi.Input[str], rule: Rule) -> monitor.MetricAlert:
        common = args.common
        return monitor.MetricAlert(
            f"{name}-{rule.key}",
            rule_name=f"alert-{args.base_name}-{common.location}-{rule.key}",
            resource_group_name=common.resource_group_name,
            # Metric alert rules are global resources; they evaluate wherever the metric lives.
            location="global",
            description=rule.description,
            severity=rule.severity,
            enabled=True,
            auto_mitigate=True,
            scopes=[scope],
            evaluation_frequency=rule.frequency,
            window_size=rule.window,
            criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                all_of=[monitor.MetricCriteriaArgs(
                    criterion_type="StaticThresholdCriterion",
                    name=rule.key,
                    metric_namespace=rule.namespace,
                    metric_name=rule.metric,
                    operator=monitor.Operator.GREATER_THAN,
                    threshold=rule.threshold,
                    time_aggregation=rule.aggregation,
                    dimensions=[monitor.MetricDimensionArgs(name=k, operator="Include", values=[v])
                                for k, v in rule.dimensions.items()] or None,
                    skip_metric_validation=True if rule.custom else None,
                )],
            ),
            actions=[monitor.MetricAlertActionArgs(action_group_id=args.action_group_id)],
            tags=common.tags,
            opts=common.child(self),
        )
