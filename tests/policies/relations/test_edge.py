"""The public edge (policies/relations/edge.py): which public IPs may exist without a WAF in front.

An API Management service in internal VNet mode uses its public IP "only for management operations, not for
API requests" (learn.microsoft.com/azure/reliability/reliability-api-management), so that address is no entry
point; the same address on a service in external mode serves API requests and still needs a WAF."""

from __future__ import annotations

import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.network as network
import pytest

from policies.relations.edge import waf_fronts_public_ips
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, sdk_resources

APIM_SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apim"


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
