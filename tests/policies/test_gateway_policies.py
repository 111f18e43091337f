"""AI gateway policies (docs/ai-gateway-policies-todo.md): the API Management service, its Azure OpenAI
backends, the policy document of the OpenAI API (rendered from the component's own template), and that
workloads reach Azure OpenAI only through the gateway."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.web as web
import pytest

from policies.azure.roles import ROLES
from policies.relations.ai_gateway import (
    apim_diagnostics,
    gateway_policy_managed_identity,
    gateway_policy_retry,
    gateway_policy_token_limit,
    openai_backend_pool,
    openai_only_through_gateway,
)
from policies.rules.api_management import (
    DISABLED_CIPHERS,
    DISABLED_PROTOCOLS,
    apim_managed_identity,
    apim_private_inbound,
    apim_tls,
    apim_zone_redundancy,
    openai_backend_circuit_breaker,
)
from tests.policies import secure_inputs as s
from tests.policies.support import case_ids, evaluate, file_config, names, sdk_resources

TEMPLATE = Path(__file__).resolve().parents[2] / "components" / "apim" / "openai-api-policy.xml"
ZONES_REQUIRED = file_config({"apim-zones-prod": {"requireZoneRedundancy": True}})
SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apim"
OPENAI_HOST = "https://oai-aip-prod-eus2.openai.azure.com/openai"
MANAGEMENT_IP = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/publicIPAddresses/apim-aip-prod-pip"
SECONDARY_HOST = "https://oai-aip-prod-wus3.openai.azure.com/openai"
OPENAI_USER = ROLES["Cognitive Services OpenAI User"]

AREA = [
    apim_private_inbound, apim_tls, apim_managed_identity, apim_zone_redundancy, openai_backend_circuit_breaker,
    gateway_policy_managed_identity, gateway_policy_token_limit, gateway_policy_retry, openai_backend_pool,
    openai_only_through_gateway, apim_diagnostics,
]


def policy_document(**overrides: str) -> str:
    """The component's template with one consumer, no semantic cache; `overrides` replace statements."""
    document = string.Template(TEMPLATE.read_text()).substitute(
        tenant_id=s.TENANT, client_application_ids="        <application-id>0f1e2d3c-aaaa-4bbb-8ccc-000000000001"
                                                   "</application-id>",
        consumer_cases='            case "0f1e2d3c-aaaa-4bbb-8ccc-000000000001": return "chat";',
        token_limits='      <when condition=\'@((string)context.Variables["consumer"] == "chat")\'>\n'
                     '        <azure-openai-token-limit counter-key="chat" tokens-per-minute="30000" />\n'
                     '      </when>',
        cache_lookup="", metric_namespace="ai-gateway", region="eastus2",
        pool_backend_id="openai-pool", retry_count="2", retry_interval="1", cache_store="")
    for old, new in overrides.items():
        assert old in document, old
        document = document.replace(old, new)
    return document


def service(**overrides: Any) -> apim.ApiManagementService:
    args: dict[str, Any] = dict(
        resource_group_name=s.RG, service_name="apim-aip-prod", location="eastus2",
        publisher_email="engineering@contoso.com", publisher_name="Contoso",
        sku=apim.ApiManagementServiceSkuPropertiesArgs(name="Premium", capacity=2),
        identity=apim.ApiManagementServiceIdentityArgs(type="SystemAssigned"),
        virtual_network_type="Internal",
        virtual_network_configuration=apim.VirtualNetworkConfigurationArgs(subnet_resource_id=SUBNET),
        zones=["1", "2"], public_ip_address_id=MANAGEMENT_IP,
        custom_properties={key: "false" for key in (*DISABLED_PROTOCOLS, *DISABLED_CIPHERS)})
    args.update(overrides)
    return apim.ApiManagementService("gateway", **{k: v for k, v in args.items() if v is not None})


def breaker(**overrides: Any) -> apim.BackendCircuitBreakerArgs:
    rule: dict[str, Any] = dict(
        name="throttled-or-failing", trip_duration="PT60S", accept_retry_after=True,
        failure_condition=apim.CircuitBreakerFailureConditionArgs(count=3, interval="PT60S", status_code_ranges=[
            apim.FailureStatusCodeRangeArgs(min=429, max=429), apim.FailureStatusCodeRangeArgs(min=500, max=599)]))
    rule.update(overrides)
    return apim.BackendCircuitBreakerArgs(rules=[apim.CircuitBreakerRuleArgs(**rule)])


def backend(name: str, gateway: apim.ApiManagementService, url: str = OPENAI_HOST,
            circuit_breaker: apim.BackendCircuitBreakerArgs | None = None) -> apim.Backend:
    return apim.Backend(name, resource_group_name=s.RG, service_name=gateway.name, backend_id=name, url=url,
                        protocol="http", type="Single", circuit_breaker=circuit_breaker or breaker())


def gateway_service(**overrides: Any) -> s.Program:
    return lambda: service(**overrides)


def openai_backend(**overrides: Any) -> s.Program:
    return lambda: backend("openai-eastus2", service(), circuit_breaker=breaker(**overrides))


def unbroken_backend(url: str = OPENAI_HOST) -> s.Program:
    return lambda: apim.Backend("openai-eastus2", resource_group_name=s.RG, service_name="apim-aip-prod",
                                backend_id="openai-eastus2", url=url, protocol="http", type="Single")


def gateway(document: str | None = None, pooled: int = 2, workload_grant: bool = False,
            direct_endpoint: bool = False) -> s.Program:
    """A gateway with two regional backends (`pooled` of them in the pool), the OpenAI API and its policy."""
    def build() -> None:
        gw = service()
        account = cognitiveservices.Account(
            "openai", resource_group_name=s.RG, account_name="oai-aip-prod-eus2", kind="OpenAI", location="eastus2",
            sku=cognitiveservices.SkuArgs(name="S0"),
            properties=cognitiveservices.AccountPropertiesArgs(public_network_access="Disabled"))
        members = [backend("openai-eastus2", gw), backend("openai-westus3", gw, SECONDARY_HOST)]
        apim.Backend("openai-pool", resource_group_name=s.RG, service_name=gw.name, backend_id="openai-pool",
                     type="Pool", pool=apim.BackendBaseParametersPoolArgs(services=[
                         apim.BackendPoolItemArgs(id=m.id, priority=i + 1) for i, m in enumerate(members[:pooled])]))
        api = apim.Api("openai-api", resource_group_name=s.RG, service_name=gw.name, api_id="azure-openai",
                       path="openai", protocols=["https"], display_name="Azure OpenAI",
                       service_url=account.properties.apply(lambda _: OPENAI_HOST))
        apim.ApiPolicy("openai-policy", resource_group_name=s.RG, service_name=gw.name, api_id=api.name,
                       policy_id="policy", format="xml", value=document or policy_document())
        principal = gw.identity.apply(lambda i: i.principal_id if i else "") if not workload_grant else \
            managedidentity.UserAssignedIdentity("id-chat", resource_group_name=s.RG).principal_id
        authorization.RoleAssignment(
            "openai-user", principal_id=principal, principal_type="ServicePrincipal", scope=account.id,
            role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_USER}")
        if direct_endpoint:
            s.web_app(app_settings=[web.NameValuePairArgs(name="AZURE_OPENAI_ENDPOINT", value=OPENAI_HOST)])()
    return build


def observed(setting: bool = True, identity_client_id: str | None = "SystemAssigned",
             metrics: bool = True) -> s.Program:
    """A gateway with a diagnostic setting, an Application Insights logger and the applicationinsights Diagnostic."""
    def build() -> None:
        gw = service()
        if setting:
            monitor.DiagnosticSetting("gateway-diag", resource_uri=gw.id, workspace_id=f"{s.SUB}/resourceGroups/{s.RG}"
                                      "/providers/Microsoft.OperationalInsights/workspaces/log-aip",
                                      logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)])
        credentials = {"connectionString": "InstrumentationKey=00000000-0000-0000-0000-000000000000"}
        if identity_client_id:
            credentials["identityClientId"] = identity_client_id
        logger = apim.Logger("logger", resource_group_name=s.RG, service_name=gw.name, logger_id="appinsights",
                             logger_type="applicationInsights", credentials=credentials)
        apim.Diagnostic("appinsights", resource_group_name=s.RG, service_name=gw.name,
                        diagnostic_id="applicationinsights", logger_id=logger.id, metrics=metrics)
    return build


# (policy, program, config) — each passes.
PASSING = [
    (apim_private_inbound, gateway_service(), None),
    (apim_private_inbound, gateway_service(virtual_network_type="None", virtual_network_configuration=None,
                                           public_network_access="Disabled"), None),
    (apim_tls, gateway_service(), None),
    (apim_managed_identity, gateway_service(), None),
    (apim_managed_identity, gateway_service(identity=apim.ApiManagementServiceIdentityArgs(
        type="SystemAssigned, UserAssigned", user_assigned_identities={
            f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-gw":
                apim.UserIdentityPropertiesArgs()})),
     None),
    (apim_zone_redundancy, gateway_service(), ZONES_REQUIRED),
    (apim_zone_redundancy, gateway_service(sku=apim.ApiManagementServiceSkuPropertiesArgs(
        name="Developer", capacity=1)), None),  # not required by default
    (openai_backend_circuit_breaker, openai_backend(), None),
    (openai_backend_circuit_breaker, unbroken_backend(
        "https://oai-aip-prod-eus2.openai.azure.com/openai/deployments/embeddings/embeddings"), None),
    (openai_backend_circuit_breaker, unbroken_backend("https://api.contoso.com"), None),
    (gateway_policy_managed_identity, gateway(), None),
    (gateway_policy_token_limit, gateway(), None),
    (gateway_policy_retry, gateway(), None),
    (openai_backend_pool, gateway(), None),
    (openai_only_through_gateway, gateway(), None),
    (apim_diagnostics, observed(), None),
]

# (policy, program, config, fragment) — each fails with exactly that policy.
FAILING = [
    (apim_private_inbound, gateway_service(virtual_network_type="External"), None,
     "takes requests from the Internet"),
    (apim_private_inbound, gateway_service(virtual_network_configuration=None), None,
     "subnetResourceId is not set"),
    (apim_tls, gateway_service(custom_properties={}), None, "Protocols.Tls10'] is absent"),
    (apim_tls, gateway_service(custom_properties={key: "true" for key in (*DISABLED_PROTOCOLS, *DISABLED_CIPHERS)}),
     None, "Ciphers.TripleDes168'] is 'true'"),
    (apim_managed_identity, gateway_service(identity=None), None, "identity.type is 'None'"),
    (apim_zone_redundancy, gateway_service(sku=apim.ApiManagementServiceSkuPropertiesArgs(
        name="Premium", capacity=1)), ZONES_REQUIRED, "needs 2+ units"),
    (apim_zone_redundancy, gateway_service(sku=apim.ApiManagementServiceSkuPropertiesArgs(
        name="Developer", capacity=1)), ZONES_REQUIRED, "only Premium"),
    (openai_backend_circuit_breaker, unbroken_backend(), None, "has no circuit breaker"),
    (openai_backend_circuit_breaker, openai_backend(failure_condition=apim.CircuitBreakerFailureConditionArgs(
        count=3, interval="PT60S", status_code_ranges=[apim.FailureStatusCodeRangeArgs(min=500, max=599)])), None,
     "does not trip on 429"),
    (openai_backend_circuit_breaker, openai_backend(accept_retry_after=False), None,
     "acceptRetryAfter is not true"),
    (gateway_policy_managed_identity, gateway(policy_document(**{
        '<authentication-managed-identity resource="https://cognitiveservices.azure.com" />':
            '<set-header name="api-key" exists-action="override"><value>{{openai-key}}</value></set-header>'})),
     None, "sets an api-key header"),
    (gateway_policy_managed_identity, gateway("<policies><inbound><base /></inbound>"), None,
     "not well-formed XML"),
    (gateway_policy_token_limit, gateway(policy_document(**{"azure-openai-token-limit": "rate-limit-by-key"})),
     None, "has no token limit"),
    (gateway_policy_token_limit, gateway(policy_document(**{"azure-openai-emit-token-metric": "emit-metric"})),
     None, "emits no token metric"),
    (gateway_policy_retry, gateway(policy_document(**{"context.Response.StatusCode == 429 || ": ""})), None,
     "does not retry throttled requests"),
    (gateway_policy_retry, gateway(policy_document(**{'backend-id="openai-pool"': 'backend-id="openai-eastus2"'})),
     None, "does not send requests to a Pool backend"),
    (openai_backend_pool, gateway(pooled=1), None, "backend 'openai-westus3' is in no Pool backend"),
    (openai_only_through_gateway, gateway(workload_grant=True), None, "other than the AI gateway"),
    (openai_only_through_gateway, gateway(direct_endpoint=True), None, "AZURE_OPENAI_ENDPOINT="),
    (apim_diagnostics, observed(setting=False), None, "has no diagnostic setting"),
    (apim_diagnostics, observed(identity_client_id=None), None, "Entra-authenticated logger"),
    (apim_diagnostics, observed(metrics=False), None, "sends no request metrics"),
]


def fired(policy: Any, program: s.Program, config: dict[str, Any] | None = None) -> tuple[set[str], str]:
    found = evaluate([policy], sdk_resources(program), config)
    return names(found), "\n".join(v.message for v in found)


@pytest.mark.parametrize("policy, program, config", PASSING, ids=case_ids(__file__, "PASSING", PASSING))
def test_gateway_control_passes(policy: Any, program: s.Program, config: dict[str, Any] | None) -> None:
    found, messages = fired(policy, program, config)
    assert found == set(), messages


@pytest.mark.parametrize("policy, program, config, fragment", FAILING, ids=case_ids(__file__, "FAILING", FAILING))
def test_missing_gateway_control_fails(policy: Any, program: s.Program, config: dict[str, Any] | None,
                                       fragment: str) -> None:
    found, messages = fired(policy, program, config)
    assert found == {policy.name}, messages
    assert fragment in messages, messages


def test_every_gateway_policy_has_pass_and_fail_cases() -> None:
    every = {p.name for p in AREA}
    assert every == {c[0].name for c in PASSING} == {c[0].name for c in FAILING}


def test_without_a_gateway_workloads_may_call_openai_directly() -> None:
    def direct() -> None:
        account = cognitiveservices.Account(
            "openai", resource_group_name=s.RG, account_name="oai-aip", kind="OpenAI", location="eastus2",
            sku=cognitiveservices.SkuArgs(name="S0"))
        identity = managedidentity.UserAssignedIdentity("id-chat", resource_group_name=s.RG)
        authorization.RoleAssignment(
            "openai-user", principal_id=identity.principal_id, principal_type="ServicePrincipal", scope=account.id,
            role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_USER}")

    assert evaluate([openai_only_through_gateway], sdk_resources(direct)) == []
