"""API Management resource rules (policies/rules/api_management.py).

`apim-zones-prod` (REL-5): automatic zone placement is "best-effort" with "no way to determine which availability
zones your units are placed into", and an instance injected in a VNet "must specify a public IP address resource"
for zone support (learn.microsoft.com/azure/reliability/reliability-api-management); units must "distribute evenly
across the availability zones" (learn.microsoft.com/azure/api-management/enable-availability-zone-support)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.apimanagement as apim
import pytest

from policies.rules.api_management import DISABLED_CIPHERS, DISABLED_PROTOCOLS, apim_zone_redundancy
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources

ZONES_REQUIRED = file_config({"apim-zones-prod": {"requireZoneRedundancy": True}})
APIM_SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apim"
MANAGEMENT_IP = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/publicIPAddresses/apim-aip-prod-pip"


def premium(capacity: int = 2, **overrides: Any) -> s.Program:
    """The prod gateway (components/ai_gateway.py): internal VNet mode, zones pinned, its management IP."""
    args: dict[str, Any] = dict(
        zones=["1", "2"], public_ip_address_id=MANAGEMENT_IP, virtual_network_type="Internal",
        virtual_network_configuration=apim.VirtualNetworkConfigurationArgs(subnet_resource_id=APIM_SUBNET))
    args.update(overrides)
    return lambda: apim.ApiManagementService(
        "gateway", resource_group_name=s.RG, service_name="apim-aip-prod", location="eastus2",
        publisher_email="engineering@contoso.com", publisher_name="Contoso",
        sku=apim.ApiManagementServiceSkuPropertiesArgs(name="Premium", capacity=capacity),
        identity=apim.ApiManagementServiceIdentityArgs(type="SystemAssigned"),
        custom_properties={key: "false" for key in (*DISABLED_PROTOCOLS, *DISABLED_CIPHERS)},
        **{k: v for k, v in args.items() if v is not None})


def zone_findings(program: s.Program) -> list[str]:
    return [v.message for v in evaluate([apim_zone_redundancy], sdk_resources(program), ZONES_REQUIRED)]


COMPLIANT = {
    "two-units-over-two-zones": premium(),
    "three-units-over-three-zones": premium(3, zones=["1", "2", "3"]),
    "four-units-over-two-zones": premium(4),
    "not-injected-needs-no-ip-of-its-own": premium(virtual_network_type="None", virtual_network_configuration=None,
                                                   public_ip_address_id=None),
}

VIOLATING = {
    "automatic-placement-is-best-effort": (premium(zones=None), "automatic placement is best-effort"),
    "one-zone-is-not-zone-redundant": (premium(zones=["1"]), "pin two or three zones"),
    "units-not-divisible-by-the-zones": (premium(3), "does not spread evenly"),
    "injected-without-its-own-public-ip": (premium(public_ip_address_id=None), "publicIpAddressId is not set"),
    "external-mode-without-its-own-public-ip": (premium(virtual_network_type="External", public_ip_address_id=None),
                                                "publicIpAddressId is not set"),
}


@pytest.mark.parametrize("program", COMPLIANT.values(), ids=COMPLIANT.keys())
def test_zone_redundant_gateways_comply(program: s.Program) -> None:
    assert zone_findings(program) == []


@pytest.mark.parametrize("program, fragment", VIOLATING.values(), ids=VIOLATING.keys())
def test_gateways_that_may_not_survive_a_zone_violate(program: s.Program, fragment: str) -> None:
    found = zone_findings(program)
    assert len(found) == 1 and fragment in found[0], found


def test_zone_redundancy_is_not_asked_outside_prod() -> None:
    assert evaluate([apim_zone_redundancy], sdk_resources(premium(zones=None, public_ip_address_id=None))) == []
