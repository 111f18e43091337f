"""PrivateDnsZones: the zones each service needs, once per stack, linked to every regional VNet."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.common import Common
from components.network import SecureNetwork, SecureNetworkArgs
from components.private_dns import PrivateDnsZones, PrivateDnsZonesArgs, zones_for
from components.private_endpoint import PrivateLinkError
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config

ZONE = T.PRIVATE_ZONE
LINK = T.VNET_LINK


def _stack(stack: str, groups: list[str]) -> tuple[Declared, dict[str, Any]]:
    cfg = stack_config(stack)
    outputs: dict[str, Any] = {}

    def build() -> None:
        nets = {}
        for region in cfg.network.regions:
            common = Common(resource_group_name=f"rg-{region.location}", location=region.location,
                            tags=cfg.resource_tags(), protect=cfg.protect)
            nets[region.location] = SecureNetwork(f"net-{region.location}", SecureNetworkArgs(
                common=common, region=region, base_name=f"{cfg.name_prefix}-{cfg.environment}"))
        primary = Common(resource_group_name=f"rg-{cfg.primary.location}", location=cfg.primary.location,
                         tags=cfg.resource_tags(), protect=cfg.protect)
        dns = PrivateDnsZones("dns", PrivateDnsZonesArgs(
            common=primary, vnet_ids={loc: n.vnet_id for loc, n in nets.items()}, groups=groups))
        pulumi.Output.all(zone_ids=dns.zone_ids,
                          vnet_ids={loc: n.vnet_id for loc, n in nets.items()}).apply(outputs.update)

    return declare(build, stack=stack), outputs


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, dict[str, Any]]:
    return _stack("prod", ["account", "vault", "redisEnterprise"])


def test_openai_needs_all_three_ai_zones_together() -> None:
    assert zones_for(["account"]) == ["privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com",
                                      "privatelink.services.ai.azure.com"]
    # Service Bus and Event Hubs share one zone: asked twice, created once.
    assert zones_for(["namespace", "namespace", "vault"]) == ["privatelink.servicebus.windows.net",
                                                              "privatelink.vaultcore.azure.net"]


def test_azure_monitor_private_link_shares_the_blob_zone_with_storage() -> None:
    # The AMPLS endpoint writes the agents' solution-pack storage record into the same blob zone the
    # stack's storage endpoints use: one zone, listed once.
    assert zones_for(["blob", "azuremonitor"]) == [
        "privatelink.agentsvc.azure-automation.net", "privatelink.blob.core.windows.net",
        "privatelink.monitor.azure.com", "privatelink.ods.opinsights.azure.com",
        "privatelink.oms.opinsights.azure.com"]


def test_zones_are_global_in_the_primary_group(prod) -> None:
    declared, outputs = prod
    zones = {declared.inputs(ZONE, z.name)["privateZoneName"]: declared.inputs(ZONE, z.name)
             for z in declared.of_type(ZONE)}
    assert sorted(zones) == sorted(outputs["zone_ids"]) == [
        "privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com", "privatelink.redis.azure.net",
        "privatelink.services.ai.azure.com", "privatelink.vaultcore.azure.net"]
    assert {z["location"] for z in zones.values()} == {"global"}
    assert {z["resourceGroupName"] for z in zones.values()} == {"rg-eastus2"}
    assert all(z["tags"]["environment"] == "prod" for z in zones.values())


def test_every_zone_is_linked_to_every_vnet(prod) -> None:
    declared, outputs = prod
    linked = {(declared.inputs(LINK, r.name)["privateZoneName"], declared.inputs(LINK, r.name)["virtualNetwork"]["id"])
              for r in declared.of_type(LINK)}
    assert linked == {(zone, vnet) for zone in outputs["zone_ids"] for vnet in outputs["vnet_ids"].values()}
    assert len(declared.of_type(LINK)) == len(outputs["zone_ids"]) * 2


def test_links_never_auto_register_and_are_named_by_region(prod) -> None:
    declared, _ = prod
    links = [declared.inputs(LINK, r.name) for r in declared.of_type(LINK)]
    assert {link["registrationEnabled"] for link in links} == {False}
    assert {link["location"] for link in links} == {"global"}
    assert {link["virtualNetworkLinkName"] for link in links} == {"link-eastus2", "link-westus3"}


def test_zones_are_protected_in_prod_only(prod) -> None:
    declared, _ = prod
    assert all(z.protect for z in declared.of_type(ZONE))
    assert not any(r.protect for r in declared.of_type(LINK))
    dev, _ = _stack("dev", ["vault"])
    assert not any(r.protect for r in dev.resources)
    assert len(dev.of_type(LINK)) == 1


def test_zone_and_link_wiring_and_parents(prod) -> None:
    declared, outputs = prod
    component = declared.one("ai-platform:private_dns:PrivateDnsZones")
    for link in declared.of_type(LINK):
        zone = declared.inputs(LINK, link.name)["privateZoneName"]
        zone_resource = next(z for z in declared.of_type(ZONE) if declared.inputs(ZONE, z.name)["privateZoneName"]
                             == zone)
        assert zone_resource.urn in link.dependencies
        assert link.parent == component.urn
    assert all(z.parent == component.urn for z in declared.of_type(ZONE))
    assert all(zid.endswith(f"/privateDnsZones/{zone}") for zone, zid in outputs["zone_ids"].items())


@pytest.mark.parametrize(("vnets", "groups", "message"), [
    ({"eastus2": "/vnet"}, ["vault", "sql"], "unknown private-link group(s) sql; known: account"),
    ({}, ["vault"], "no VNet to link; pass vnet_ids"),
    ({"eastus2": "/vnet"}, [], "no private-link groups"),
])
def test_bad_input_fails_before_anything_is_declared(vnets: dict[str, str], groups: list[str], message: str) -> None:
    common = Common(resource_group_name="rg", location="eastus2", tags={})
    errors: list[PrivateLinkError] = []

    def build() -> None:
        try:
            PrivateDnsZones("dns", PrivateDnsZonesArgs(common=common, vnet_ids=vnets, groups=groups))
        except PrivateLinkError as exc:
            errors.append(exc)

    assert not declare(build, stack="dev").resources
    assert len(errors) == 1 and message in str(errors[0])
