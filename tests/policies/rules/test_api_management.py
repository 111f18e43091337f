"""Specification of policies/rules/api_management.py (`apim-private-inbound`, `apim-tls`,
`apim-managed-identity`, `apim-zones-prod`, `openai-backend-circuit-breaker`): what each policy
accepts and what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.apimanagement as apim
import pytest

from policies.rules.api_management import (
    DISABLED_CIPHERS,
    DISABLED_PROTOCOLS,
    apim_managed_identity,
    apim_private_inbound,
    apim_tls,
    apim_zone_redundancy,
    openai_backend_circuit_breaker,
)
from tests.policies import gateway_inputs as g
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources, table_tests

ZONES_REQUIRED = file_config({"apim-zones-prod": {"requireZoneRedundancy": True}})


def gateway_service(**overrides: Any) -> s.Program:
    return lambda: g.service(**overrides)


def openai_backend(**overrides: Any) -> s.Program:
    return lambda: g.backend("openai-eastus2", g.service(), circuit_breaker=g.breaker(**overrides))


def unbroken_backend(url: str = g.OPENAI_HOST) -> s.Program:
    return lambda: apim.Backend("openai-eastus2", resource_group_name=s.RG, service_name="apim-aip-prod",
                                backend_id="openai-eastus2", url=url, protocol="http", type="Single")


# (policy, compliant program[, config])
PASSING = [
    (apim_private_inbound, gateway_service()),
    (apim_private_inbound, gateway_service(virtual_network_type="None", virtual_network_configuration=None,
                                           public_network_access="Disabled")),
    (apim_tls, gateway_service()),
    (apim_managed_identity, gateway_service()),
    (apim_managed_identity, gateway_service(identity=apim.ApiManagementServiceIdentityArgs(
        type="SystemAssigned, UserAssigned", user_assigned_identities={
            f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-gw":
                apim.UserIdentityPropertiesArgs()}))),
    (apim_zone_redundancy, gateway_service(), ZONES_REQUIRED),
    (apim_zone_redundancy, gateway_service(sku=apim.ApiManagementServiceSkuPropertiesArgs(
        name="Developer", capacity=1))),  # not required by default
    (openai_backend_circuit_breaker, openai_backend()),
    (openai_backend_circuit_breaker, unbroken_backend(
        "https://oai-aip-prod-eus2.openai.azure.com/openai/deployments/embeddings/embeddings")),
    (openai_backend_circuit_breaker, unbroken_backend("https://api.contoso.com")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (apim_private_inbound, gateway_service(virtual_network_type="External"),
     "takes requests from the Internet"),
    (apim_private_inbound, gateway_service(virtual_network_configuration=None),
     "subnetResourceId is not set"),
    (apim_tls, gateway_service(custom_properties={}), "Protocols.Tls10'] is absent"),
    (apim_tls, gateway_service(custom_properties={key: "true" for key in (*DISABLED_PROTOCOLS, *DISABLED_CIPHERS)}),
     "Ciphers.TripleDes168'] is 'true'"),
    (apim_managed_identity, gateway_service(identity=None), "identity.type is 'None'"),
    (apim_zone_redundancy, gateway_service(sku=apim.ApiManagementServiceSkuPropertiesArgs(
        name="Premium", capacity=1)), ZONES_REQUIRED, "needs 2+ units"),
    (apim_zone_redundancy, gateway_service(sku=apim.ApiManagementServiceSkuPropertiesArgs(
        name="Developer", capacity=1)), ZONES_REQUIRED, "only Premium"),
    (openai_backend_circuit_breaker, unbroken_backend(), "has no circuit breaker"),
    (openai_backend_circuit_breaker, openai_backend(failure_condition=apim.CircuitBreakerFailureConditionArgs(
        count=3, interval="PT60S", status_code_ranges=[apim.FailureStatusCodeRangeArgs(min=500, max=599)])),
     "does not trip on 429"),
    (openai_backend_circuit_breaker, openai_backend(accept_retry_after=False),
     "acceptRetryAfter is not true"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [apim_private_inbound, apim_tls, apim_managed_identity, apim_zone_redundancy, openai_backend_circuit_breaker]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


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
