from __future__ import annotations

import json
import uuid

from components.common import Common
from components.dashboard import TILES, Dashboard, DashboardArgs
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


def _workbook(location: str = "eastus2") -> dict:
    cfg = stack_config("prod")
    common = Common(resource_group_name=f"rg-aip-prod-{location}", location=location, tags=cfg.resource_tags())
    d = declare(lambda: Dashboard("dash", DashboardArgs(common=common, base_name="aip-prod", app_insights_id=AI_ID)),
                "prod")
    return d.inputs(WORKBOOK)


def test_workbook_holds_the_seed_tiles_as_kql_time_charts() -> None:
    data = json.loads(_workbook()["serializedData"])
    assert data["version"] == "Notebook/1.0"
    tiles = {item["content"]["title"]: item["content"] for item in data["items"]}
    assert {title: tile["query"] for title, tile in tiles.items()} == SEED_QUERIES == dict(TILES)
    assert all(tile["visualization"] == "timechart" and tile["queryType"] == 0 for tile in tiles.values())
    assert all(item["type"] == 3 for item in data["items"])
    assert data["fallbackResourceIds"] == [AI_ID.lower()]


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
