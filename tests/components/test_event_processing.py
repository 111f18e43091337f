"""EventProcessing: private, keyless Event Hubs and Service Bus Premium, and a private Function App that
reaches them, its storage and Key Vault by identity only."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pulumi
import pytest

from components.common import Common, PrivateLink, RoleGrant
from components.container_apps import ServiceIdentity
from components.event_processing import EventProcessing, EventProcessingArgs, EventProcessingError
from components.private_endpoint import ZONES_BY_GROUP, PrivateLinkError
from components.rbac import ROLES, RoleError
from dryrun.mocks import TENANT_ID
from dryrun.model import reveal
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config

EVH = T.EVENT_HUB_NAMESPACE
HUB = T.EVENT_HUB
SB = T.SERVICE_BUS
QUEUE = T.SERVICE_BUS_QUEUE
ACCOUNT = T.STORAGE
PLAN = T.APP_SERVICE_PLAN
APP = T.WEB_APP
ROLE = T.ROLE_ASSIGNMENT
PE = T.PRIVATE_ENDPOINT
DIAG = T.DIAGNOSTIC_SETTING
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-eastus2/providers"
PE_SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-private-endpoints"
FUNCTIONS_SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-functions"
WORKSPACE = f"{SUB}/Microsoft.OperationalInsights/workspaces/law"
VAULT = f"{SUB}/Microsoft.KeyVault/vaults/kv-aip-prod"
IDENTITY = ServiceIdentity(resource_id=f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-functions",
                           client_id="3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
                           principal_id="4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a")
PRODUCER = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
SECRET_URI = "https://kv-aip-prod.vault.azure.net/secrets/applicationinsights-connection-string"
ZONES = {zone: f"{SUB}/Microsoft.Network/privateDnsZones/{zone}"
         for group in ("namespace", "blob", "queue", "sites") for zone in ZONES_BY_GROUP[group]}


def _args(stack: str, *, common: dict[str, Any] | None = None, config: dict[str, Any] | None = None,
          **changes: Any) -> EventProcessingArgs:
    cfg = stack_config(stack)
    base = Common(
        resource_group_name="rg-eastus2", location="eastus2", tags=cfg.resource_tags(), workspace_id=WORKSPACE,
        private_link=PrivateLink(subnet_id=PE_SUBNET, zone_ids=dict(ZONES)),
        role_grants=[RoleGrant(principal_id=PRODUCER, role="Azure Event Hubs Data Sender", description="api-gateway")],
        protect=cfg.protect)
    args = EventProcessingArgs(
        common=dataclasses.replace(base, **(common or {})),
        # dev leaves the pattern off; its tests switch it on to see the dev sizing.
        config=cfg.event_processing.model_copy(update={"enabled": True, **(config or {})}),
        base_name=f"{cfg.name_prefix}-{cfg.environment}", stack=stack, tenant_id=TENANT_ID,
        environment=cfg.environment, subnet_id=FUNCTIONS_SUBNET, identity=IDENTITY,
        openai_endpoint="https://oai-aip-prod-eastus2.openai.azure.com/",
        key_vault_secrets={"applicationinsights-connection-string": SECRET_URI}, key_vault_id=VAULT)
    return dataclasses.replace(args, **changes)


def _declare(args: EventProcessingArgs) -> tuple[Declared, dict[str, Any]]:
    outputs: dict[str, Any] = {}

    def build() -> None:
        events = EventProcessing("events-eastus2", args)
        pulumi.Output.all(hosts=pulumi.Output.all(*events.private_host_names), app=events.function_app_name,
                          hub=events.event_hub_namespace_fqdn).apply(outputs.update)

    return declare(build, stack=args.stack), outputs


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, dict[str, Any]]:
    return _declare(_args("prod"))


@pytest.fixture(scope="module")
def dev() -> Declared:
    return _declare(_args("dev"))[0]


def settings(declared: Declared) -> dict[str, str]:
    return {s["name"]: s["value"] for s in declared.inputs(APP)["siteConfig"]["appSettings"]}


@pytest.mark.parametrize("kind", [EVH, SB])
def test_namespaces_are_keyless_private_and_tls12(prod, kind) -> None:
    ns = prod[0].inputs(kind)
    assert ns["disableLocalAuth"] is True
    assert ns["publicNetworkAccess"] == "Disabled"
    assert ns["minimumTlsVersion"] == "1.2"
    assert ns["zoneRedundant"] is True  # prod: eventHubZoneRedundant
    assert ns["tags"]["environment"] == "prod"
    assert re.fullmatch(r"(evh|sb)-aip-prod-eastus2-[0-9a-f]{6}", ns["namespaceName"])


def test_service_bus_is_premium_and_event_hubs_follows_the_config(prod) -> None:
    assert prod[0].inputs(SB)["sku"] == {"name": "Premium", "tier": "Premium", "capacity": 1}
    evh = prod[0].inputs(EVH)
    assert evh["sku"] == {"name": "Standard", "tier": "Standard", "capacity": 1}
    assert (evh["isAutoInflateEnabled"], evh["maximumThroughputUnits"]) == (True, 10)
    premium, _ = _declare(_args("prod", config={"event_hub_sku": "Premium"}))
    evh = premium.inputs(EVH)
    assert evh["sku"]["name"] == "Premium"
    assert evh["isAutoInflateEnabled"] is False and "maximumThroughputUnits" not in evh


def test_queue_and_event_hub_settings(prod) -> None:
    declared, _ = prod
    queue = declared.inputs(QUEUE)
    assert queue["queueName"] == "ai-jobs"
    assert queue["namespaceName"] == declared.inputs(SB)["namespaceName"]
    assert queue["deadLetteringOnMessageExpiration"] is True
    assert (queue["maxDeliveryCount"], queue["lockDuration"]) == (10, "PT5M")
    assert queue["requiresDuplicateDetection"] is True
    hub = declared.inputs(HUB)
    assert (hub["eventHubName"], hub["partitionCount"]) == ("ai-events", 8)
    assert hub["retentionDescription"] == {"cleanupPolicy": "Delete", "retentionTimeInHours": 168}
    group = declared.inputs(T.EVENT_HUB_CONSUMER_GROUP)
    assert (group["consumerGroupName"], group["eventHubName"]) == ("functions", "ai-events")


def test_function_storage_has_no_keys_and_no_public_access(prod) -> None:
    account = prod[0].inputs(ACCOUNT)
    assert re.fullmatch(r"[a-z0-9]{3,24}", account["accountName"])
    assert account["allowSharedKeyAccess"] is False
    assert account["allowBlobPublicAccess"] is False
    assert account["defaultToOAuthAuthentication"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["publicNetworkAccess"] == "Disabled"
    assert account["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "None"}
    assert account["sku"] == {"name": "Standard_ZRS"}
    assert prod[0].inputs(T.BLOB_CONTAINER)["publicAccess"] == "None"


def test_function_app_is_private_identity_only_and_tls12(prod) -> None:
    app = prod[0].inputs(APP)
    assert app["kind"] == "functionapp,linux"
    assert app["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY.resource_id]}
    assert app["keyVaultReferenceIdentity"] == IDENTITY.resource_id
    assert app["httpsOnly"] is True
    assert app["publicNetworkAccess"] == "Disabled"
    assert app["virtualNetworkSubnetId"] == FUNCTIONS_SUBNET
    site = app["siteConfig"]
    assert (site["minTlsVersion"], site["scmMinTlsVersion"], site["ftpsState"]) == ("1.2", "1.2", "Disabled")
    assert site["vnetRouteAllEnabled"] is True
    assert site["remoteDebuggingEnabled"] is False
    for kind in (T.WEB_APP_FTP_ALLOWED, T.WEB_APP_SCM_ALLOWED):
        assert prod[0].inputs(kind) == {"name": app["name"], "resourceGroupName": "rg-eastus2", "allow": False}


def test_connections_are_identity_based_and_secrets_are_key_vault_references(prod) -> None:
    declared, _ = prod
    values = settings(declared)
    account = declared.inputs(ACCOUNT)["accountName"]
    hub_ns, bus_ns = declared.inputs(EVH)["namespaceName"], declared.inputs(SB)["namespaceName"]
    for connection, target in (("AzureWebJobsStorage", account),
                               ("EventHubConnection", f"{hub_ns}.servicebus.windows.net"),
                               ("ServiceBusConnection", f"{bus_ns}.servicebus.windows.net")):
        key = "accountName" if connection == "AzureWebJobsStorage" else "fullyQualifiedNamespace"
        assert values[f"{connection}__{key}"] == target
        assert values[f"{connection}__credential"] == "managedidentity"
        assert values[f"{connection}__clientId"] == IDENTITY.client_id
    assert values["APPLICATIONINSIGHTS_CONNECTION_STRING"] == f"@Microsoft.KeyVault(SecretUri={SECRET_URI})"
    assert values["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == f"Authorization=AAD;ClientId={IDENTITY.client_id}"
    # The endpoint is not a secret (unlike the seed's Key Vault reference for it).
    assert values["AZURE_OPENAI_ENDPOINT"] == "https://oai-aip-prod-eastus2.openai.azure.com/"
    assert (values["EVENT_HUB_NAME"], values["SERVICE_BUS_QUEUE_NAME"]) == ("ai-events", "ai-jobs")
    assert not any(re.search(r"AccountKey=|SharedAccessKey=|SharedAccessSignature", v) for v in values.values())


def test_flex_consumption_runs_python_311_from_its_container_by_identity(prod) -> None:
    declared, _ = prod
    plan = declared.inputs(PLAN)
    assert (plan["kind"], plan["reserved"], plan["zoneRedundant"]) == ("functionapp", True, True)
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    config = declared.inputs(APP)["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    account = declared.inputs(ACCOUNT)["accountName"]
    assert config["deployment"]["storage"] == {
        "type": "blobContainer", "value": f"https://{account}.blob.core.windows.net/deployments",
        "authentication": {"type": "UserAssignedIdentity", "userAssignedIdentityResourceId": IDENTITY.resource_id}}
    assert config["scaleAndConcurrency"]["maximumInstanceCount"] == 100
    # Flex rejects the classic runtime settings.
    assert "FUNCTIONS_EXTENSION_VERSION" not in settings(declared)
    assert declared.inputs(APP)["serverFarmId"].endswith("/serverfarms/asp-aip-prod-eastus2-events")


def test_elastic_premium_is_functions_v4_run_from_package_by_identity() -> None:
    declared, _ = _declare(_args("prod", config={"function_plan": "ElasticPremium"}))
    plan = declared.inputs(PLAN)
    assert (plan["kind"], plan["reserved"], plan["maximumElasticWorkerCount"]) == ("elastic", True, 20)
    assert plan["sku"] == {"name": "EP1", "tier": "ElasticPremium", "capacity": 2}  # zone redundant: >= 2
    app = declared.inputs(APP)
    assert "functionAppConfig" not in app
    site = app["siteConfig"]
    assert (site["linuxFxVersion"], site["functionsRuntimeScaleMonitoringEnabled"]) == ("Python|3.11", True)
    assert site["minimumElasticInstanceCount"] == 2
    values = settings(declared)
    assert (values["FUNCTIONS_EXTENSION_VERSION"], values["FUNCTIONS_WORKER_RUNTIME"]) == ("~4", "python")
    account = declared.inputs(ACCOUNT)["accountName"]
    assert values["WEBSITE_RUN_FROM_PACKAGE"] == f"https://{account}.blob.core.windows.net/deployments/app.zip"
    assert values["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"] == IDENTITY.resource_id
    assert not any(k.startswith("WEBSITE_CONTENT") for k in values)  # no Azure Files share, no account key


def _assignments(declared: Declared) -> dict[tuple[str, str, str], dict[str, Any]]:
    by_role = {v: k for k, v in ROLES.items()}
    out = {}
    for ra in declared.of_type(ROLE):
        inputs = reveal(ra.inputs)
        out[(inputs["scope"].rsplit("/", 1)[1], by_role[inputs["roleDefinitionId"].rsplit("/", 1)[1]],
             inputs["principalId"])] = inputs
    return out


def test_roles_are_data_plane_and_scoped_to_each_resource(prod) -> None:
    declared, _ = prod
    hub_ns, bus_ns = declared.inputs(EVH)["namespaceName"], declared.inputs(SB)["namespaceName"]
    account = declared.inputs(ACCOUNT)["accountName"]
    me = IDENTITY.principal_id
    assert set(_assignments(declared)) == {
        (hub_ns, "Azure Event Hubs Data Receiver", me), (hub_ns, "Azure Event Hubs Data Sender", me),
        (bus_ns, "Azure Service Bus Data Receiver", me), (bus_ns, "Azure Service Bus Data Sender", me),
        (account, "Storage Blob Data Contributor", me), (account, "Storage Queue Data Contributor", me),
        ("kv-aip-prod", "Key Vault Secrets User", me),
        # The caller's grant for a producer lands on the namespace of its service.
        (hub_ns, "Azure Event Hubs Data Sender", PRODUCER),
    }
    assert all(a["principalType"] == "ServicePrincipal" for a in _assignments(declared).values())


def test_the_app_starts_only_after_its_roles_exist(prod) -> None:
    declared, _ = prod
    app = declared.one(APP)
    mine = {ra.urn for ra in declared.of_type(ROLE) if reveal(ra.inputs)["principalId"] == IDENTITY.principal_id}
    assert len(mine) == 7 and mine <= set(app.dependencies)


def test_private_endpoints_with_dns_zone_groups_for_every_data_plane(prod) -> None:
    declared, outputs = prod
    connections = [reveal(pe.inputs)["privateLinkServiceConnections"][0] for pe in declared.of_type(PE)]
    targets = sorted((c["groupIds"][0], c["privateLinkServiceId"].split("/providers/")[1]) for c in connections)
    hub_ns, bus_ns = declared.inputs(EVH)["namespaceName"], declared.inputs(SB)["namespaceName"]
    account, app = declared.inputs(ACCOUNT)["accountName"], declared.inputs(APP)["name"]
    assert targets == [
        ("blob", f"Microsoft.Storage/storageAccounts/{account}"),
        ("namespace", f"Microsoft.EventHub/namespaces/{hub_ns}"),
        ("namespace", f"Microsoft.ServiceBus/namespaces/{bus_ns}"),
        ("queue", f"Microsoft.Storage/storageAccounts/{account}"),
        ("sites", f"Microsoft.Web/sites/{app}"),
    ]
    assert all(pe.inputs["subnet"]["id"] == PE_SUBNET for pe in declared.of_type(PE))
    assert len(declared.of_type(T.DNS_ZONE_GROUP)) == 5
    # The names verify --resolve-private checks from inside the VNet.
    assert outputs["hosts"] == [
        outputs["hub"], f"{declared.inputs(SB)['namespaceName']}.servicebus.windows.net",
        f"{account}.blob.core.windows.net", f"{account}.queue.core.windows.net", f"{outputs['app']}.azurewebsites.net"]


def test_diagnostic_settings_on_everything_that_has_them(prod) -> None:
    declared, _ = prod
    targets = {reveal(d.inputs)["resourceUri"].split("/providers/", 1)[1]: reveal(d.inputs) for d in
               declared.of_type(DIAG)}
    hub_ns, bus_ns = declared.inputs(EVH)["namespaceName"], declared.inputs(SB)["namespaceName"]
    account, app = declared.inputs(ACCOUNT)["accountName"], declared.inputs(APP)["name"]
    assert set(targets) == {
        f"Microsoft.EventHub/namespaces/{hub_ns}", f"Microsoft.ServiceBus/namespaces/{bus_ns}",
        f"Microsoft.Web/sites/{app}", "Microsoft.Web/serverfarms/asp-aip-prod-eastus2-events",
        f"Microsoft.Storage/storageAccounts/{account}",
        f"Microsoft.Storage/storageAccounts/{account}/blobServices/default",
        f"Microsoft.Storage/storageAccounts/{account}/queueServices/default"}
    assert all(d["workspaceId"] == WORKSPACE for d in targets.values())
    assert targets[f"Microsoft.EventHub/namespaces/{hub_ns}"]["logs"] == [{"categoryGroup": "allLogs",
                                                                           "enabled": True}]


def test_prod_protects_stateful_resources_only(prod, dev) -> None:
    protected = {r.type for r in prod[0].resources if r.protect}
    assert protected == {EVH, HUB, SB, QUEUE, ACCOUNT}
    assert not any(r.protect for r in dev.resources)


def test_dev_is_small_and_not_zone_redundant(dev) -> None:
    assert dev.inputs(EVH)["zoneRedundant"] is False and dev.inputs(SB)["zoneRedundant"] is False
    assert dev.inputs(EVH)["maximumThroughputUnits"] == 2
    assert dev.inputs(HUB)["partitionCount"] == 2
    assert dev.inputs(HUB)["retentionDescription"]["retentionTimeInHours"] == 24
    assert dev.inputs(ACCOUNT)["sku"] == {"name": "Standard_LRS"}
    assert dev.inputs(PLAN)["zoneRedundant"] is False
    assert dev.inputs(APP)["functionAppConfig"]["scaleAndConcurrency"]["maximumInstanceCount"] == 20
    assert re.fullmatch(r"evh-aip-dev-eastus2-[0-9a-f]{6}", dev.inputs(EVH)["namespaceName"])


def test_every_taggable_resource_carries_the_stack_tags(prod) -> None:
    tagged = [r for r in prod[0].resources if r.custom and r.type in (EVH, SB, ACCOUNT, PLAN, APP, PE)]
    assert len(tagged) == 10
    assert all(reveal(r.inputs)["tags"]["cost-center"] == "cc-ai-prod" for r in tagged)


@pytest.mark.parametrize(("args", "error", "message"), [
    (lambda: _args("prod", config={"enabled": False}), EventProcessingError, "eventProcessing.enabled is false"),
    (lambda: _args("prod", common={"location": "westcentralus"}), EventProcessingError,
     "eventHubZoneRedundant needs availability zones"),
    (lambda: _args("prod", common={"private_link": None}), PrivateLinkError, "pass Common.private_link"),
    (lambda: _args("prod", common={"private_link": PrivateLink(subnet_id=PE_SUBNET, zone_ids={})}),
     PrivateLinkError, "privatelink.servicebus.windows.net"),
    (lambda: _args("prod", key_vault_id=None), EventProcessingError, "key_vault_secrets need key_vault_id"),
    (lambda: _args("prod", key_vault_secrets={"bad_name": SECRET_URI}), EventProcessingError,
     "bad_name are not Key Vault secret names"),
    (lambda: _args("prod", common={"role_grants": [
        RoleGrant(principal_id=PRODUCER, role="Storage Blob Data Reader", description="reader")]}),
     EventProcessingError, "Storage Blob Data Reader have no target here"),
    (lambda: _args("prod", common={"role_grants": [
        RoleGrant(principal_id=PRODUCER, role="Owner", description="admin")]}), RoleError, "privileged"),
])
def test_bad_inputs_fail_before_anything_is_declared(args, error, message) -> None:
    recorded: list[Any] = []

    def build() -> None:
        recorded.append(EventProcessing("events-eastus2", args()))

    with pytest.raises(error, match=message):
        declare(build, stack="prod")
    assert recorded == []
