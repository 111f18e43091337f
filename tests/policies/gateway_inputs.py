"""The AI gateway declared with the SDK: the API Management service, its OpenAI backends and the API
policy document rendered from components/apim/openai-api-policy.xml, shared by the API Management
rule tests and the ai_gateway relation tests."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.web as web

from policies.azure.roles import ROLES
from policies.rules.api_management import (
    DISABLED_CIPHERS,
    DISABLED_PROTOCOLS,
)
from tests.policies import secure_inputs as s

TEMPLATE = Path(__file__).resolve().parents[2] / "components" / "apim" / "openai-api-policy.xml"
SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apim"
OPENAI_HOST = "https://oai-aip-prod-eus2.openai.azure.com/openai"
MANAGEMENT_IP = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/publicIPAddresses/apim-aip-prod-pip"
SECONDARY_HOST = "https://oai-aip-prod-wus3.openai.azure.com/openai"
OPENAI_USER = ROLES["Cognitive Services OpenAI User"]

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
