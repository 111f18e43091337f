"""Specification of policies/relations/ai_gateway.py (`apim-diagnostics`,
`gateway-policy-managed-identity`, `gateway-policy-token-limit`, `gateway-policy-retry`,
`openai-backend-pool`, `openai-only-through-gateway`): a compliant and a violating deployment per
policy, declared with the SDK under mocks; relations come from the recorded property dependencies,
as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor

from policies.relations.ai_gateway import (
    apim_diagnostics,
    gateway_policy_managed_identity,
    gateway_policy_retry,
    gateway_policy_token_limit,
    openai_backend_pool,
    openai_only_through_gateway,
)
from tests.policies import gateway_inputs as g
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, sdk_resources, table_tests


def observed(setting: bool = True, identity_client_id: str | None = "SystemAssigned",
             metrics: bool = True) -> s.Program:
    """A gateway with a diagnostic setting, an Application Insights logger and the applicationinsights Diagnostic."""
    def build() -> None:
        gw = g.service()
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


# (policy, compliant program[, config])
PASSING = [
    (gateway_policy_managed_identity, g.gateway()),
    (gateway_policy_token_limit, g.gateway()),
    (gateway_policy_retry, g.gateway()),
    (openai_backend_pool, g.gateway()),
    (openai_only_through_gateway, g.gateway()),
    (apim_diagnostics, observed()),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (gateway_policy_managed_identity, g.gateway(g.policy_document(**{
        '<authentication-managed-identity resource="https://cognitiveservices.azure.com" />':
            '<set-header name="api-key" exists-action="override"><value>{{openai-key}}</value></set-header>'})),
     "sets an api-key header"),
    (gateway_policy_managed_identity, g.gateway("<policies><inbound><base /></inbound>"),
     "not well-formed XML"),
    (gateway_policy_token_limit, g.gateway(g.policy_document(**{"azure-openai-token-limit": "rate-limit-by-key"})),
     "has no token limit"),
    (gateway_policy_token_limit, g.gateway(g.policy_document(**{"azure-openai-emit-token-metric": "emit-metric"})),
     "emits no token metric"),
    (gateway_policy_retry, g.gateway(g.policy_document(**{"context.Response.StatusCode == 429 || ": ""})),
     "does not retry throttled requests"),
    (gateway_policy_retry, g.gateway(g.policy_document(**{'backend-id="openai-pool"': 'backend-id="openai-eastus2"'})),
     "does not send requests to a Pool backend"),
    (openai_backend_pool, g.gateway(pooled=1), "backend 'openai-westus3' is in no Pool backend"),
    (openai_only_through_gateway, g.gateway(workload_grant=True), "other than the AI gateway"),
    (openai_only_through_gateway, g.gateway(direct_endpoint=True), "AZURE_OPENAI_ENDPOINT="),
    (apim_diagnostics, observed(setting=False), "has no diagnostic setting"),
    (apim_diagnostics, observed(identity_client_id=None), "Entra-authenticated logger"),
    (apim_diagnostics, observed(metrics=False), "sends no request metrics"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [gateway_policy_managed_identity, gateway_policy_token_limit, gateway_policy_retry, openai_backend_pool,
    openai_only_through_gateway, apim_diagnostics]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_without_a_gateway_workloads_may_call_openai_directly() -> None:
    def direct() -> None:
        account = cognitiveservices.Account(
            "openai", resource_group_name=s.RG, account_name="oai-aip", kind="OpenAI", location="eastus2",
            sku=cognitiveservices.SkuArgs(name="S0"))
        identity = managedidentity.UserAssignedIdentity("id-chat", resource_group_name=s.RG)
        authorization.RoleAssignment(
            "openai-user", principal_id=identity.principal_id, principal_type="ServicePrincipal", scope=account.id,
            role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{g.OPENAI_USER}")

    assert evaluate([openai_only_through_gateway], sdk_resources(direct)) == []
