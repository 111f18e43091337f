"""MonitorPrivateLink: one Private Only AMPLS with every region's workspace and component scoped into it,
and its private endpoint with the five Azure Monitor zones."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pulumi
import pytest

from components.common import Common, PrivateLink
from components.monitor_private_link import MonitorPrivateLink, MonitorPrivateLinkArgs, MonitorPrivateLinkError
from components.private_endpoint import PrivateLinkError
from policies.azure import types as T
from policies.azure.catalog import ZONES_BY_GROUP
from tests.harness import declare

RG = "rg-aip-prod-eastus2"
SUBNET = f"/subscriptions/s/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-pe"
DNS = f"/subscriptions/s/resourceGroups/{RG}/providers/Microsoft.Network/privateDnsZones"
ZONE_IDS: dict[str, pulumi.Input[str]] = {z: f"{DNS}/{z}" for zones in ZONES_BY_GROUP.values() for z in zones}
COMMON = Common(resource_group_name=RG, location="eastus2", tags={"environment": "prod"},
                private_link=PrivateLink(subnet_id=SUBNET, zone_ids=ZONE_IDS))
REGIONS = ("eastus2", "westus3")


def _ids(kind: str, regions: tuple[str, ...] = REGIONS) -> Mapping[str, pulumi.Input[str]]:
    path = "Microsoft.OperationalInsights/workspaces/log" if kind == "log" else "Microsoft.Insights/components/appi"
    return {r: f"/subscriptions/s/resourceGroups/rg-aip-prod-{r}/providers/{path}-aip-prod-{r}" for r in regions}


def _scope(common: Common = COMMON, app_regions: tuple[str, ...] = REGIONS):
    return lambda: MonitorPrivateLink("monitor-private-link", MonitorPrivateLinkArgs(
        common=common, base_name="aip-prod", workspace_ids=_ids("log"), app_insights_ids=_ids("appi", app_regions)))


def test_scope_is_global_and_private_only() -> None:
    scope = declare(_scope()).inputs(T.MONITOR_PRIVATE_LINK_SCOPE)
    assert (scope["scopeName"], scope["location"], scope["resourceGroupName"]) == ("ampls-aip-prod", "global", RG)
    assert scope["accessModeSettings"] == {"ingestionAccessMode": "PrivateOnly", "queryAccessMode": "PrivateOnly",
                                           "exclusions": []}


def test_every_regions_workspace_and_component_is_scoped_in() -> None:
    d = declare(_scope())
    scope = d.one(T.MONITOR_PRIVATE_LINK_SCOPE)
    linked = {}
    for r in d.of_type(T.MONITOR_SCOPED_RESOURCE):
        inputs = d.inputs(T.MONITOR_SCOPED_RESOURCE, r.name)
        assert inputs["kind"] == "Resource" and scope.urn in r.property_dependencies["scopeName"]
        linked[inputs["name"]] = inputs["linkedResourceId"]
    assert linked == {**{f"log-{r}": i for r, i in _ids("log").items()},
                      **{f"appi-{r}": i for r, i in _ids("appi").items()}}


def test_endpoint_targets_the_scope_with_the_five_azure_monitor_zones() -> None:
    d = declare(_scope())
    endpoint = d.inputs(T.PRIVATE_ENDPOINT)
    [connection] = endpoint["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["azuremonitor"] and endpoint["subnet"]["id"] == SUBNET
    assert d.one(T.MONITOR_PRIVATE_LINK_SCOPE).urn in d.one(T.PRIVATE_ENDPOINT).property_dependencies[
        "privateLinkServiceConnections"]
    zones = {c["privateDnsZoneId"].rsplit("/", 1)[-1] for c in d.inputs(T.DNS_ZONE_GROUP)["privateDnsZoneConfigs"]}
    assert zones == {"privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
                     "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net",
                     "privatelink.blob.core.windows.net"}


def test_a_region_missing_its_component_is_refused_before_anything_is_declared() -> None:
    with pytest.raises(MonitorPrivateLinkError, match="with a component: eastus2"):
        _scope(app_regions=("eastus2",))()


def test_without_an_endpoint_subnet_it_is_refused() -> None:
    with pytest.raises(PrivateLinkError, match="no private endpoint subnet"):
        _scope(Common(resource_group_name=RG, location="eastus2", tags={}))()


def test_zones_missing_from_the_stacks_set_are_refused() -> None:
    zones = {z: i for z, i in ZONE_IDS.items() if z != "privatelink.monitor.azure.com"}
    common = Common(resource_group_name=RG, location="eastus2", tags={},
                    private_link=PrivateLink(subnet_id=SUBNET, zone_ids=zones))
    with pytest.raises(PrivateLinkError, match=re.escape("privatelink.monitor.azure.com")):
        _scope(common)()
