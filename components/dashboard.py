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

from .ai_gateway_policy import CACHE_LOOKUPS_METRIC, CACHE_MISSES_METRIC
from .common import Common

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
     "customMetrics | where name == 'Total Tokens' | extend consumer = tostring(customDimensions['Consumer']) "
     "| summarize sum(value) by consumer, bin(timestamp, 1h)"),
    ("Semantic Cache Hit Ratio",
     f"customMetrics | where name in ('{CACHE_LOOKUPS_METRIC}', '{CACHE_MISSES_METRIC}') "
     f"| summarize lookups = sumif(value, name == '{CACHE_LOOKUPS_METRIC}'), "
     f"misses = sumif(value, name == '{CACHE_MISSES_METRIC}') by bin(timestamp, 1h) "
     "| extend hitRatio = iff(lookups == 0, 0.0, 1.0 - misses / lookups) | project timestamp, hitRatio"),
)


def _query_item(title: str, query: str, duration_ms: int = 86_400_000, visualization: str = "timechart") -> dict:
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
            "resourceType": "microsoft.insights/components",
            "visualization": visualization,
        },
    }


def slo_tiles(slo: Slo) -> tuple[tuple[str, str], ...]:
    """The SLO group: each objective's measure over time against its target, and the error budget left."""
    budget = slo.error_rate_percent / 100
    users = 'requests | where url !endswith "/health"'
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


def _slo_group(slo: Slo) -> dict:
    """A workbook group (item type 12) holding the SLO tiles over the error budget period."""
    days_ms = slo.error_budget_days * 86_400_000
    return {
        "type": 12,
        "name": "slo",
        "content": {
            "version": "NotebookGroup/1.0",
            "groupType": "editable",
            "title": "Service level objectives",
            "items": [_query_item(title, query, days_ms) for title, query in slo_tiles(slo)],
        },
    }


def workbook_content(app_insights_id: str, slo: Slo | None = None) -> str:
    """The workbook's serialized JSON (schema Notebook/1.0): one time chart per tile, then the SLO group."""
    items = [_query_item(title, query) for title, query in (*TILES, *GATEWAY_TILES)]
    if slo is not None:
        items.append(_slo_group(slo))
    return json.dumps({"version": "Notebook/1.0", "items": items, "isLocked": False,
                       "fallbackResourceIds": [app_insights_id]}, sort_keys=True)


@dataclass(frozen=True)
class DashboardArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    app_insights_id: pulumi.Input[str]
    # The objectives the SLO tile group charts against (ai-platform:slo); None leaves the group out.
    slo: Slo | None = None


class Dashboard(pulumi.ComponentResource):
    """A shared workbook with the seed's tiles: request volume, latency, tokens and cost per hour."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:dashboard:Dashboard", name, None, opts)
        common = args.common
        region = f"{args.base_name}-{common.location}"
        # Azure lower-cases a workbook's source id; sending it lower-case avoids a diff on every refresh.
        source = pulumi.Output.from_input(args.app_insights_id).apply(str.lower)
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
            serialized_data=source.apply(lambda ai: workbook_content(ai, args.slo)),
            tags=common.tags,
            opts=common.child(self),
        )
        self.id = workbook.id
        self.register_outputs({"id": self.id})
