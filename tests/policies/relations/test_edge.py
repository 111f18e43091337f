"""The public edge (policies/relations/edge.py): static content behind a CDN edge, related to each
site only by the input that names an origin's host; and which public IPs may exist without a WAF in front.

An API Management service in internal VNet mode uses its public IP "only for management operations, not for
API requests" (learn.microsoft.com/azure/reliability/reliability-api-management), so that address is no entry
point; the same address on a service in external mode serves API requests and still needs a WAF."""

from __future__ import annotations

import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.network as network
import pulumi_azure_native.storage as storage
import pytest

from policies.relations.edge import static_content_behind_cdn, waf_fronts_public_ips
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources

APIM_SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apim"


def test_static_site_served_by_a_front_door_origin_passes() -> None:
    assert evaluate([static_content_behind_cdn], sdk_resources(s.edge())) == []


def test_an_origin_sharing_only_the_resource_group_does_not_serve_the_site() -> None:
    # The site and the API origin both depend on the resource group; that is no edge for the site.
    found = evaluate([static_content_behind_cdn], sdk_resources(s.edge(site_origin=False)))
    assert names(found) == {"static-content-behind-cdn"}
    assert "static content 'web' is served without a CDN / Front Door" in found[0].message


def test_a_disabled_origin_serves_nothing() -> None:
    found = evaluate([static_content_behind_cdn], sdk_resources(s.edge(site_origin_enabled=False)))
    assert names(found) == {"static-content-behind-cdn"}


def _website(host: str | None) -> s.Program:
    def build() -> None:
        account = storage.StorageAccount("web", resource_group_name=s.RG, account_name="stwebaip", location="eastus2",
                                         kind=storage.Kind.STORAGE_V2, sku=storage.SkuArgs(name="Standard_ZRS"))
        storage.StorageAccountStaticWebsite("site", account_name=account.name, resource_group_name=s.RG,
                                            index_document="index.html")
        if host is not None:
            # A literal host name, as a file exported from another tool records it.
            cdn.AFDOrigin("origin", resource_group_name=s.RG, profile_name=s.PROFILE, origin_group_name="web",
                          host_name=host)

    return build


def test_a_storage_website_named_by_its_web_endpoint_passes() -> None:
    assert evaluate([static_content_behind_cdn], sdk_resources(_website("stwebaip.z13.web.core.windows.net"))) == []


def test_an_origin_for_another_host_leaves_the_storage_website_uncovered() -> None:
    found = evaluate([static_content_behind_cdn], sdk_resources(_website("api.contoso.com")))
    assert names(found) == {"static-content-behind-cdn"}
    assert evaluate([static_content_behind_cdn], sdk_resources(_website(None)))


def test_an_origin_host_unknown_during_preview_is_not_reported() -> None:
    def build() -> None:
        s.static_site()()
        cdn.AFDOrigin("origin", resource_group_name=s.RG, profile_name=s.PROFILE, origin_group_name="site",
                      host_name=s.unknown())

    assert evaluate([static_content_behind_cdn], sdk_resources(build)) == []


def gateway_with_ip(mode: str) -> s.Program:
    def build() -> None:
        ip = network.PublicIPAddress(
            "apim-pip", resource_group_name=s.RG, location="eastus2", public_ip_address_name="apim-aip-prod-pip",
            sku=network.PublicIPAddressSkuArgs(name="Standard"), public_ip_allocation_method="Static",
            zones=["1", "2", "3"], dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label="apim-aip"))
        apim.ApiManagementService(
            "gateway", resource_group_name=s.RG, service_name="apim-aip-prod", location="eastus2",
            publisher_email="engineering@contoso.com", publisher_name="Contoso",
            sku=apim.ApiManagementServiceSkuPropertiesArgs(name="Premium", capacity=2), zones=["1", "2"],
            virtual_network_type=mode, public_ip_address_id=ip.id,
            virtual_network_configuration=apim.VirtualNetworkConfigurationArgs(subnet_resource_id=APIM_SUBNET))
    return build


@pytest.mark.parametrize(("mode", "expected"), [
    pytest.param("Internal", [], id="internal-gateway-management-ip-complies"),
    pytest.param("External", ["public IP 'apim-pip' is not the frontend of an Application Gateway"],
                 id="external-gateway-ip-violates"),
])
def test_only_an_internal_gateways_management_ip_needs_no_waf(mode: str, expected: list[str]) -> None:
    found = [v.message for v in evaluate([waf_fronts_public_ips], sdk_resources(gateway_with_ip(mode)))]
    assert [m.splitlines()[-1].split(",")[0] for m in found] == expected
