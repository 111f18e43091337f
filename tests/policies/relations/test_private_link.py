"""Private link (policies/relations/private_link.py) for the pattern 1 data planes: a closed Azure AI
Search service needs a private endpoint whose DNS zone group holds privatelink.search.windows.net."""

from __future__ import annotations

import pulumi_azure_native.network as network

from policies.relations.private_link import private_dns_zone_wiring, private_endpoint_coverage
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources

SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-pe"
ZONES = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/privateDnsZones/"


def _search(endpoint: bool = True, zone: str = "privatelink.search.windows.net") -> s.Program:
    def build() -> None:
        service = s.search_service()()
        if not endpoint:
            return
        pe = network.PrivateEndpoint(
            "search-pe", resource_group_name=s.RG, private_endpoint_name="pe-srch", location="eastus2",
            subnet=network.SubnetArgs(id=SUBNET),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="search", private_link_service_id=service.id, group_ids=["searchService"])])
        network.PrivateDnsZoneGroup(
            "search-pe-dns", resource_group_name=s.RG, private_endpoint_name=pe.name,
            private_dns_zone_group_name="default", private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(name="search", private_dns_zone_id=ZONES + zone)])

    return build


def test_search_service_with_private_endpoint_and_zone_passes() -> None:
    assert evaluate([private_endpoint_coverage, private_dns_zone_wiring], sdk_resources(_search())) == []


def test_closed_search_service_without_private_endpoint_fails() -> None:
    found = evaluate([private_endpoint_coverage], sdk_resources(_search(endpoint=False)))
    assert names(found) == {"private-endpoint-coverage"}
    assert "'search' (azure-native:search:Service) has public network access disabled" in found[0].message


def test_search_endpoint_in_the_wrong_zone_fails() -> None:
    found = evaluate([private_dns_zone_wiring], sdk_resources(_search(zone="privatelink.blob.core.windows.net")))
    assert names(found) == {"private-dns-zone-wiring"}
    assert "needs privatelink.search.windows.net" in "\n".join(v.message for v in found)
