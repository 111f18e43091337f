"""Specification of policies/rules/api_management.py (`apim-private-inbound`, `apim-tls`,
`apim-managed-identity`, `apim-zones-prod`, `openai-backend-circuit-breaker`): what each policy
accepts and what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.apimanagement as apim

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
from tests.policies.support import file_config, table_tests

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
