"""private_endpoint(): an endpoint for the target in the endpoint subnet, with every zone of the service."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pytest

from components.common import Common, PrivateLink
from components.private_endpoint import ZONES_BY_GROUP, PrivateLinkError, check_private_link, private_endpoint
from policies.azure import types as T
from tests.harness import Declared, declare

ENDPOINT = T.PRIVATE_ENDPOINT
ZONE_GROUP = T.DNS_ZONE_GROUP
SUBNET = "/subscriptions/s/resourceGroups/rg-ai/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-pe"
DNS = "/subscriptions/s/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones"
ZONE_IDS: dict[str, pulumi.Input[str]] = {zone: f"{DNS}/{zone}" for zones in ZONES_BY_GROUP.values() for zone in zones}
COMMON = Common(resource_group_name="rg-ai", location="eastus2", tags={"environment": "test"},
                private_link=PrivateLink(subnet_id=SUBNET, zone_ids=ZONE_IDS))


class Owner(pulumi.ComponentResource):
    def __init__(self) -> None:
        super().__init__("test:pe:Owner", "owner")


def _openai(common: Common = COMMON) -> tuple[Declared, dict[str, Any]]:
    outputs: dict[str, Any] = {}

    def build() -> None:
        owner = Owner()
        account = cognitiveservices.Account("oai", account_name="oai-test", resource_group_name="rg-ai",
                                             location="eastus2", kind="OpenAI",
                                             sku=cognitiveservices.SkuArgs(name="S0"))
        endpoint = private_endpoint("oai", common=common, target_id=account.id, group_id="account", parent=owner)
        pulumi.Output.all(account=account.id, endpoint=endpoint.name).apply(outputs.update)

    return declare(build), outputs


def test_endpoint_targets_the_resource_in_the_endpoint_subnet() -> None:
    declared, outputs = _openai()
    endpoint = declared.inputs(ENDPOINT)
    assert endpoint["privateEndpointName"] == "pe-oai"
    assert endpoint["customNetworkInterfaceName"] == "nic-pe-oai"
    assert endpoint["subnet"]["id"] == SUBNET
    assert endpoint["subnet"]["privateEndpointNetworkPolicies"] == "Enabled"
    assert (endpoint["resourceGroupName"], endpoint["location"], endpoint["tags"]) == (
        "rg-ai", "eastus2", {"environment": "test"})
    [connection] = endpoint["privateLinkServiceConnections"]
    assert connection["privateLinkServiceId"] == outputs["account"]
    assert connection["groupIds"] == ["account"]
    account = declared.one(T.COGNITIVE_ACCOUNT)
    assert account.urn in declared.one(ENDPOINT).property_dependencies["privateLinkServiceConnections"]


def test_openai_zone_group_holds_all_three_ai_zones() -> None:
    declared, outputs = _openai()
    group = declared.inputs(ZONE_GROUP)
    assert group["privateEndpointName"] == outputs["endpoint"]
    assert sorted(c["privateDnsZoneId"] for c in group["privateDnsZoneConfigs"]) == sorted(
        str(ZONE_IDS[z]) for z in ("privatelink.openai.azure.com", "privatelink.cognitiveservices.azure.com",
                              "privatelink.services.ai.azure.com"))
    assert declared.one(ZONE_GROUP).parent == declared.one(ENDPOINT).urn
    assert declared.one(ENDPOINT).parent == declared.one("test:pe:Owner").urn


def test_no_zone_group_where_azure_policy_writes_dns() -> None:
    common = dataclasses.replace(COMMON, private_link=PrivateLink(subnet_id=SUBNET, zone_ids={}, zone_groups=False))
    declared, _ = _openai(common)
    assert len(declared.of_type(ENDPOINT)) == 1
    assert not declared.of_type(ZONE_GROUP)


@pytest.mark.parametrize(("link", "group", "message"), [
    (None, "vault", "no private endpoint subnet given"),
    (PrivateLink(subnet_id=SUBNET, zone_ids=ZONE_IDS), "mysqlServer", "unknown private-link group 'mysqlServer'"),
    (PrivateLink(subnet_id=SUBNET, zone_ids={"privatelink.openai.azure.com": "/z"}), "account",
     "privatelink.cognitiveservices.azure.com, privatelink.services.ai.azure.com are not in the stack's zone set"),
])
def test_unusable_links_are_refused_before_anything_is_declared(
        link: PrivateLink | None, group: str, message: str) -> None:
    common = dataclasses.replace(COMMON, private_link=link)
    with pytest.raises(PrivateLinkError, match="x: "):
        check_private_link("x", common, group)
    errors: list[PrivateLinkError] = []

    def build() -> None:
        try:
            private_endpoint("x", common=common, target_id="/t", group_id=group, parent=Owner())
        except PrivateLinkError as exc:
            errors.append(exc)

    declared = declare(build)
    assert [r.type for r in declared.resources] == ["test:pe:Owner"]
    assert len(errors) == 1 and message in str(errors[0])
