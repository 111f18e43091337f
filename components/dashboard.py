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


def workbook_content(app_insights_id: str) -> str:
    """The workbook's serialized JSON (schema Notebook/1.0): one time chart per tile."""
    items = [
        {
            "type": 3,  # a KQL query item
            "name": title.lower().replace(" ", "-"),
            "content": {
                "version": "KqlItem/1.0",
                "title": title,
                "query": query,
                "size": 0,
                "timeContext": {"durationMs": 86_400_000},
                "queryType": 0,  # Application Insights / Log Analytics
                "resourceType": "microsoft.insights/components",
                "visualization": "timechart",
            },
        }
        for title, query in (*TILES, *GATEWAY_TILES)
    ]
    return json.dumps({"version": "Notebook/1.0", "items": items, "isLocked": False,
                       "fallbackResourceIds": [app_insights_id]}, sort_keys=True)


@dataclass(frozen=True)
class DashboardArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    app_insights_id: pulumi.Input[str]


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
            serialized_data=source.apply(workbook_content),
            tags=common.tags,
            opts=common.child(self),
        )
        self.id = workbook.id
        self.register_outputs({"id": self.id})
