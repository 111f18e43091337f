from __future__ import annotations

import json
import uuid

from components.common import Common
from components.dashboard import GATEWAY_TILES, TILES, Dashboard, DashboardArgs, model_call_tiles
from components.slo import GatewayLogs
from policies.azure import types as T
from tests.harness import declare, stack_config

WORKBOOK = T.WORKBOOK
AI_ID = ("/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers/"
         "Microsoft.Insights/components/appi-aip-prod-eastus2")
SEED_QUERIES = {
    "OpenAI Request Volume": "requests | where name contains 'openai' | summarize count() by bin(timestamp, 5m)",
    "AI Response Latency": "requests | where name contains 'openai' | summarize avg(duration) by bin(timestamp, 5m)",
    "Token Usage": "customMetrics | where name == 'openai_tokens_used' | summarize sum(value) by bin(timestamp, 1h)",
    "Cost per Hour": "customMetrics | where name == 'openai_cost' | summarize sum(value) by bin(timestamp, 1h)",
}


WORKSPACE_ID = ("/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers/"
                "Microsoft.OperationalInsights/workspaces/log-aip-prod-eastus2")


def _workbook(location: str = "eastus2", gateway: bool = False) -> dict:
    cfg = stack_config("prod")
    common = Common(resource_group_name=f"rg-aip-prod-{location}", location=location, tags=cfg.resource_tags())
    logs = GatewayLogs(WORKSPACE_ID, "azure-openai") if gateway else None
    d = declare(lambda: Dashboard("dash", DashboardArgs(common=common, base_name="aip-prod", app_insights_id=AI_ID,
                                                        gateway=logs)), "prod")
    return d.inputs(WORKBOOK)


def test_workbook_holds_the_seed_tiles_as_kql_time_charts() -> None:
    data = json.loads(_workbook()["serializedData"])
    assert data["version"] == "Notebook/1.0"
    tiles = {item["content"]["title"]: item["content"] for item in data["items"]}
    assert dict(TILES) == SEED_QUERIES
    assert {title: tile["query"] for title, tile in tiles.items()} == SEED_QUERIES
    assert all(tile["visualization"] == "timechart" and tile["queryType"] == 0 for tile in tiles.values())
    assert all(item["type"] == 3 for item in data["items"])
    assert data["fallbackResourceIds"] == [AI_ID.lower()]


def test_workbook_reads_the_gateway_token_and_cache_metrics() -> None:
    items = json.loads(_workbook(gateway=True)["serializedData"])["items"]
    queries = {item["content"]["title"]: item["content"]["query"] for item in items}
    assert set(queries) == {*SEED_QUERIES, *dict(GATEWAY_TILES), *dict(model_call_tiles("azure-openai"))}
    assert queries["Tokens per Consumer"].startswith("customMetrics | where name == 'Total Tokens' ")
    assert "customDimensions['Consumer']" in queries["Tokens per Consumer"]
    assert "Semantic Cache Lookups" in queries["Semantic Cache Hit Ratio"]
    assert "Semantic Cache Misses" in queries["Semantic Cache Hit Ratio"]


def test_model_call_tiles_read_the_gateway_logs_in_the_workspace() -> None:
    items = json.loads(_workbook(gateway=True)["serializedData"])["items"]
    model = [i["content"] for i in items if i["content"]["title"].startswith("Model calls")]
    assert len(model) == 2
    for tile in model:
        assert tile["query"].startswith('ApiManagementGatewayLogs | where ApiId == "azure-openai" |')
        assert tile["resourceType"] == "microsoft.operationalinsights/workspaces"
        assert tile["crossComponentResources"] == [WORKSPACE_ID]
    others = [i["content"] for i in items if not i["content"]["title"].startswith("Model calls")]
    assert all(t["resourceType"] == "microsoft.insights/components" and "crossComponentResources" not in t
               for t in others)


def test_workbook_is_shared_and_sourced_from_app_insights() -> None:
    wb = _workbook()
    assert wb["kind"] == "shared" and wb["category"] == "workbook"
    assert wb["sourceId"] == AI_ID.lower()
    assert wb["location"] == "eastus2"
    assert wb["tags"]["environment"] == "prod"


def test_workbook_name_is_a_deterministic_uuid_per_region() -> None:
    first, again, other = _workbook()["resourceName"], _workbook()["resourceName"], _workbook("westus3")["resourceName"]
    assert str(uuid.UUID(first)) == first
    assert first == again
    assert first != other


def test_slo_group_charts_each_objective_against_its_target_over_the_budget_period() -> None:
    from components.dashboard import slo_tiles
    from stack_config.model import Slo

    slo = stack_config("prod").slo
    common = Common(resource_group_name="rg-aip-prod-eastus2", location="eastus2", tags={})
    d = declare(lambda: Dashboard("dash", DashboardArgs(common=common, base_name="aip-prod", app_insights_id=AI_ID,
                                                        slo=slo)), "prod")
    data = json.loads(d.inputs(WORKBOOK)["serializedData"])
    (group,) = [item for item in data["items"] if item["type"] == 12]
    tiles = {i["content"]["title"]: i["content"] for i in group["content"]["items"]}
    assert list(tiles) == [t for t, _ in slo_tiles(slo)]
    assert [t.split(" (")[0] for t in tiles] == ["SLO: p95 latency", "SLO: error rate", "SLO: availability",
                                                  "SLO: error budget burn"]
    assert "target_ms = 2000" in tiles["SLO: p95 latency (target < 2000 ms)"]["query"]
    assert all(t["timeContext"] == {"durationMs": 30 * 86_400_000} for t in tiles.values())
    assert "/ 0.01 by" in dict(slo_tiles(Slo(error_rate_percent=1.0)))["SLO: error budget burn (30 days)"]
