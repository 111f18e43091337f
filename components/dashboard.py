"""The seed's AI dashboard as an Azure Monitor workbook over the region's App Insights (MON-4, COST-5).

A workbook rather than a portal dashboard: it is plain JSON with the KQL inline, renders without
pinning tiles by hand, and opens on the component it describes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.applicationinsights as applicationinsights

from stack_config.model import Slo

from .ai_gateway_policy import CACHE_LOOKUPS_METRIC, CACHE_MISSES_METRIC, TOTAL_TOKENS_METRIC
from .common import Common
from .slo import MODEL_CALL_FAILED, GatewayLogs, model_calls, user_requests

# The seed's four tiles and queries, unchanged.
TILES: tuple[tuple[str, str], ...] = (
    ("OpenAI Request Volume",
     "requests | where name contains 'openai' | summarize count() by bin(timestamp, 5m)"),
    ("AI Response Latency",
     "requests | where name contains 'openai' | summarize avg(duration) by bin(timestamp, 5m)"),
    ("Token Usage",
     "customMetrics | where name == 'openai_tokens_used' | summarize sum(value) by bin(timestamp, 1h)"),
    ("Cost per Hour",
     "customMetrics | where name == 'openai_cost' | summarize sum(value) by bin(timestamp, 1h)"),
)


# The AI gateway's metrics (components/ai_gateway_policy.py): tokens by the caller's service, and the share of
# requests the semantic cache answered (hits = lookups - misses).
GATEWAY_TILES: tuple[tuple[str, str], ...] = (
    ("Tokens per Consumer",
     f"customMetrics | where name == '{TOTAL_TOKENS_METRIC}' "
     "| extend consumer = tostring(customDimensions['Consumer']) "
     "| summarize sum(value) by consumer, bin(timestamp, 1h)"),
    ("Semantic Cache Hit Ratio",
     f"customMetrics | where name in ('{CACHE_LOOKUPS_METRIC}', '{CACHE_MISSES_METRIC}') "
     f"| summarize lookups = sumif(value, name == '{CACHE_LOOKUPS_METRIC}'), "
     f"misses = sumif(value, name == '{CACHE_MISSES_METRIC}') by bin(timestamp, 1h) "
     "| extend hitRatio = iff(lookups == 0, 0.0, 1.0 - misses / lookups) | project timestamp, hitRatio"),
)


def model_call_tiles(api_id: str) -> tuple[tuple[str, str], ...]:
    """The gateway's log of every model call (ApiManagementGatewayLogs, in the workspace): what the SLO rules
    slo-model-latency and slo-model-error-rate measure, by backend, so a failover shows."""
    calls = model_calls(api_id).replace("\n", " ")
    return (
        ("Model calls: p95 time by backend (ms)",
         f"{calls} | summarize p95_ms = percentile(TotalTime, 95) by BackendId, bin(TimeGenerated, 5m)"),
        ("Model calls: failed and throttled",
         f"{calls} | summarize failed = countif({MODEL_CALL_FAILED}), token_limited = countif(ResponseCode == 429 "
         "and BackendResponseCode != 429) by bin(TimeGenerated, 5m)"),
    )


def _query_item(title: str, query: str, duration_ms: int = 86_400_000, visualization: str = "timechart",
                workspace_id: str | None = None) -> dict:
    """A KQL tile over the App Insights component, or over a Log Analytics workspace when one is given."""
    scope = ({"resourceType": "microsoft.operationalinsights/workspaces", "crossComponentResources": [workspace_id]}
             if workspace_id else {"resourceType": "microsoft.insights/components"})
    return {
        "type": 3,  # a KQL query item
        "name": title.lower().replace(" ", "-"),
        "content": {
            "version": "KqlItem/1.0",
            "title": title,
            "query": query,
            "size": 0,
            "timeContext": {"durationMs": duration_ms},
            "queryType": 0,  # Application Insights / Log Analytics
            **scope,
            "visualization": visualization,
        },
    }


def slo_tiles(slo: Slo, gateway: bool = False) -> tuple[tuple[str, str], ...]:
    """The SLO group: each objective's measure over time against its target, and the error budget left."""
    budget = slo.error_rate_percent / 100
    users = user_requests(gateway).replace("\n", " ")
    return (
        (f"SLO: p{slo.latency_percentile} latency (target < {slo.latency_threshold_ms} ms)",
         f"{users} | summarize latency_ms = percentile(duration, {slo.latency_percentile}), "
         f"target_ms = {slo.latency_threshold_ms} by bin(timestamp, 5m)"),
        (f"SLO: error rate (target < {slo.error_rate_percent:g} %)",
         f"{users} | summarize error_rate_percent = 100.0 * countif(success == false) / count(), "
         f"target_percent = {slo.error_rate_percent!r} by bin(timestamp, 5m)"),
        (f"SLO: availability (target >= {slo.availability_percent:g} %)",
         "availabilityResults | summarize availability_percent = 100.0 * countif(success == 1) / count(), "
         f"target_percent = {slo.availability_percent!r} by bin(timestamp, 1h)"),
        (f"SLO: error budget burn ({slo.error_budget_days} days)",
         f"{users} | summarize burn_rate = 1.0 * countif(success == false) / count() / {budget!r} "
         "by bin(timestamp, 1h)"),
    )


def _slo_group(slo: Slo, gateway: bool) -> dict:
    """A workbook group (item type 12) holding the SLO tiles over the error budget period."""
    days_ms = slo.error_budget_days * 86_400_000
    return {
        "type": 12,
        "name": "slo",
        "content": {
            "version": "NotebookGroup/1.0",
            "groupType": "editable",
            "title": "Service level objectives",
            "items": [_query_item(title, query, days_ms) for title, query in slo_tiles(slo, gateway)],
        },
    }


def workbook_content(app_insights_id: str, slo: Slo | None = None, gateway: GatewayView | None = None) -> str:
    """The workbook's serialized JSON (schema Notebook/1.0): one time chart per tile, the gateway's tiles when
    there is one, then the SLO group."""
    items = [_query_item(title, query) for title, query in TILES]
    if gateway is not None:
        items += [_query_item(title, query) for title, query in GATEWAY_TILES]
        items += [_query_item(title, query, workspace_id=gateway.workspace_id)
                  for title, query in model_call_tiles(gateway.api_id)]
    if slo is not None:
        items.append(_slo_group(slo, gateway is not None))
    return json.dumps({"version": "Notebook/1.0", "items": items, "isLocked": False,
                       "fallbackResourceIds": [app_insights_id]}, sort_keys=True)


@dataclass(frozen=True)
class GatewayView:
    """The AI gateway as the workbook reads it (GatewayLogs with the workspace id resolved)."""

    workspace_id: str
    api_id: str


@dataclass(frozen=True)
class DashboardArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    app_insights_id: pulumi.Input[str]
    # The objectives the SLO tile group charts against (ai-platform:slo); None leaves the group out.
    slo: Slo | None = None
    # With an AI gateway: where its logs land and its OpenAI API's id; None leaves the gateway tiles out.
    gateway: GatewayLogs | None = None


class Dashboard(pulumi.ComponentResource):
    """A shared workbook with the seed's tiles: request volume, latency, tokens and cost per hour."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:dashboard:Dashboard", name, None, opts)
        common = args.common
        region = f"{args.base_name}-{common.location}"
        # Azure lower-cases a workbook's source id; sending it lower-case avoids a diff on every refresh.
        source = pulumi.Output.from_input(args.app_insights_id).apply(str.lower)
        gateway = args.gateway
        workbook = applicationinsights.Workbook(
            f"{name}-workbook",
            # Workbook names must be GUIDs; derived from the stack and region so reruns update in place.
            resource_name_=str(uuid.uuid5(uuid.NAMESPACE_URL, f"ai-platform/workbook/{region}")),
            resource_group_name=common.resource_group_name,
            location=common.location,
            kind=applicationinsights.WorkbookSharedTypeKind.SHARED,
            category="workbook",
            display_name=f"AI Application Monitoring ({region})",
            description="OpenAI request volume, response latency, token usage and cost per hour",
            version="Notebook/1.0",
            source_id=source,
            serialized_data=pulumi.Output.all(source, gateway.workspace_id if gateway else None).apply(
                lambda v: workbook_content(v[0], args.slo, GatewayView(v[1], gateway.api_id) if gateway else None)),
            tags=common.tags,
            opts=common.child(self),
        )
        self.id = workbook.id
        self.register_outputs({"id": self.id})
