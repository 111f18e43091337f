"""Pulumi mocks that answer like Azure Resource Manager, and a monitor that records every
registration exactly as the engine would receive it.

Outputs are deterministic (derived from the URN), so two runs of one stack are byte-identical.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from .model import Resource, reveal

SUBSCRIPTION_ID = "8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
TENANT_ID = "5b6c7d8e-1f2a-4b3c-8d4e-9f0a1b2c3d4e"
CLIENT_OBJECT_ID = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"

# type token -> (ARM id path under the resource group or scope, input holding the resource's own
# name). `{x}` placeholders are filled from the inputs; `{scope}` marks extension resources.
_ARM: dict[str, tuple[str, str]] = {
    "azure-native:resources:ResourceGroup": ("/subscriptions/{sub}/resourceGroups/{n}", "resourceGroupName"),
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks/{n}", "virtualNetworkName"),
    "azure-native:network:Subnet": (
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{n}", "subnetName"),
    "azure-native:network:NetworkSecurityGroup": (
        "Microsoft.Network/networkSecurityGroups/{n}", "networkSecurityGroupName"),
    "azure-native:network:SecurityRule": (
        "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{n}",
        "securityRuleName"),
    "azure-native:network:PrivateEndpoint": ("Microsoft.Network/privateEndpoints/{n}", "privateEndpointName"),
    "azure-native:network:PrivateDnsZoneGroup": (
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{n}",
        "privateDnsZoneGroupName"),
    "azure-native:network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses/{n}", "publicIpAddressName"),
    "azure-native:network:ApplicationGateway": (
        "Microsoft.Network/applicationGateways/{n}", "applicationGatewayName"),
    "azure-native:network:WebApplicationFirewallPolicy": (
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/{n}", "policyName"),
    "azure-native:trafficmanager:Profile": ("Microsoft.Network/trafficmanagerprofiles/{n}", "profileName"),
    "azure-native:trafficmanager:Endpoint": (
        "Microsoft.Network/trafficmanagerprofiles/{profileName}/{endpointType}/{n}", "endpointName"),
    "azure-native:privatedns:PrivateZone": ("Microsoft.Network/privateDnsZones/{n}", "privateZoneName"),
    "azure-native:privatedns:VirtualNetworkLink": (
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{n}", "virtualNetworkLinkName"),
    "azure-native:privatedns:PrivateRecordSet": (
        "Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{n}", "relativeRecordSetName"),
    "azure-native:keyvault:Vault": ("Microsoft.KeyVault/vaults/{n}", "vaultName"),
    "azure-native:keyvault:Secret": ("Microsoft.KeyVault/vaults/{vaultName}/secrets/{n}", "secretName"),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "Microsoft.ManagedIdentity/userAssignedIdentities/{n}", "resourceName"),
    "azure-native:managedidentity:FederatedIdentityCredential": (
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{n}",
        "federatedIdentityCredentialResourceName"),
    "azure-native:authorization:RoleAssignment": (
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{n}", "roleAssignmentName"),
    "azure-native:authorization:ManagementLockAtResourceGroupLevel": (
        "Microsoft.Authorization/locks/{n}", "lockName"),
    "azure-native:authorization:PolicyAssignment": (
        "{scope}/providers/Microsoft.Authorization/policyAssignments/{n}", "policyAssignmentName"),
    "azure-native:cognitiveservices:Account": ("Microsoft.CognitiveServices/accounts/{n}", "accountName"),
    "azure-native:cognitiveservices:Deployment": (
        "Microsoft.CognitiveServices/accounts/{accountName}/deployments/{n}", "deploymentName"),
    "azure-native:redisenterprise:RedisEnterprise": ("Microsoft.Cache/redisEnterprise/{n}", "clusterName"),
    "azure-native:redisenterprise:Database": (
        "Microsoft.Cache/redisEnterprise/{clusterName}/databases/{n}", "databaseName"),
    "azure-native:redisenterprise:AccessPolicyAssignment": (
        "Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}/accessPolicyAssignments/{n}",
        "accessPolicyAssignmentName"),
    "azure-native:redis:Redis": ("Microsoft.Cache/redis/{n}", "name"),
    "azure-native:app:ManagedEnvironment": ("Microsoft.App/managedEnvironments/{n}", "environmentName"),
    "azure-native:app:ContainerApp": ("Microsoft.App/containerApps/{n}", "containerAppName"),
    "azure-native:operationalinsights:Workspace": (
        "Microsoft.OperationalInsights/workspaces/{n}", "workspaceName"),
    "azure-native:applicationinsights:Component": ("Microsoft.Insights/components/{n}", "resourceName"),
    "azure-native:applicationinsights:WebTest": ("Microsoft.Insights/webtests/{n}", "webTestName"),
    "azure-native:applicationinsights:Workbook": ("Microsoft.Insights/workbooks/{n}", "resourceName"),
    "azure-native:monitor:ActionGroup": ("Microsoft.Insights/actionGroups/{n}", "actionGroupName"),
    "azure-native:monitor:MetricAlert": ("Microsoft.Insights/metricAlerts/{n}", "ruleName"),
    "azure-native:monitor:ScheduledQueryRule": ("Microsoft.Insights/scheduledQueryRules/{n}", "ruleName"),
    "azure-native:loadtestservice:LoadTest": ("Microsoft.LoadTestService/loadTests/{n}", "loadTestName"),
    "azure-native:monitor:DiagnosticSetting": (
        "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{n}", "name"),
    "azure-native:consumption:Budget": ("{scope}/providers/Microsoft.Consumption/budgets/{n}", "budgetName"),
    "azure-native:dataprotection:BackupVault": ("Microsoft.DataProtection/backupVaults/{n}", "vaultName"),
    "azure-native:dataprotection:BackupPolicy": (
        "Microsoft.DataProtection/backupVaults/{vaultName}/backupPolicies/{n}", "backupPolicyName"),
    "azure-native:dataprotection:BackupInstance": (
        "Microsoft.DataProtection/backupVaults/{vaultName}/backupInstances/{n}", "backupInstanceName"),
    "azure-native:storage:StorageAccount": ("Microsoft.Storage/storageAccounts/{n}", "accountName"),
    "azure-native:storage:BlobContainer": (
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{n}", "containerName"),
    "azure-native:storage:BlobServiceProperties": (
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/{n}", "blobServicesName"),
    "azure-native:eventhub:Namespace": ("Microsoft.EventHub/namespaces/{n}", "namespaceName"),
    "azure-native:eventhub:EventHub": ("Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{n}", "eventHubName"),
    "azure-native:eventhub:ConsumerGroup": (
        "Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{eventHubName}/consumergroups/{n}",
        "consumerGroupName"),
    "azure-native:servicebus:Namespace": ("Microsoft.ServiceBus/namespaces/{n}", "namespaceName"),
    "azure-native:servicebus:Queue": ("Microsoft.ServiceBus/namespaces/{namespaceName}/queues/{n}", "queueName"),
    "azure-native:web:AppServicePlan": ("Microsoft.Web/serverfarms/{n}", "name"),
    "azure-native:web:WebApp": ("Microsoft.Web/sites/{n}", "name"),
    "azure-native:security:Pricing": ("/subscriptions/{sub}/providers/Microsoft.Security/pricings/{n}", "pricingName"),
    "azure-native:search:Service": ("Microsoft.Search/searchServices/{n}", "searchServiceName"),
    "azure-native:web:StaticSite": ("Microsoft.Web/staticSites/{n}", "name"),
    "azure-native:frontdoor:Policy": ("Microsoft.Network/frontDoorWebApplicationFirewallPolicies/{n}", "policyName"),
    "azure-native:cdn:Profile": ("Microsoft.Cdn/profiles/{n}", "profileName"),
    "azure-native:cdn:AFDEndpoint": ("Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{n}", "endpointName"),
    "azure-native:cdn:AFDOriginGroup": ("Microsoft.Cdn/profiles/{profileName}/originGroups/{n}", "originGroupName"),
    "azure-native:cdn:AFDOrigin": (
        "Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{n}", "originName"),
    "azure-native:cdn:AFDCustomDomain": ("Microsoft.Cdn/profiles/{profileName}/customDomains/{n}", "customDomainName"),
    "azure-native:cdn:Route": (
        "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{n}", "routeName"),
    "azure-native:cdn:SecurityPolicy": (
        "Microsoft.Cdn/profiles/{profileName}/securityPolicies/{n}", "securityPolicyName"),
}

# Azure names that accept no hyphen: autonaming strips them, as the provider does.
_ALNUM_ONLY = {"azure-native:storage:StorageAccount"}


def _digest(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _uuid(text: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text))


def arm_name(typ: str, logical: str, inputs: dict[str, Any], urn: str) -> str:
    """The Azure name: the explicit name input, else an autoname like the provider's."""
    key = _ARM.get(typ, ("", "name"))[1]
    explicit = inputs.get(key)
    if isinstance(explicit, str) and explicit:
        return explicit
    name = f"{logical}{_digest(urn, 7)}" if typ in _ALNUM_ONLY else f"{logical}-{_digest(urn, 7)}"
    return re.sub(r"[^a-z0-9]", "", name.lower())[:24] if typ in _ALNUM_ONLY else name


def arm_id(typ: str, name: str, inputs: dict[str, Any]) -> str:
    template = _ARM.get(typ, (f"{typ.split(':')[1]}/{typ.split(':')[2]}/{{n}}", ""))[0]
    values = {k: v for k, v in inputs.items() if isinstance(v, str)}
    values.update(sub=SUBSCRIPTION_ID, n=name)
    path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(1)), template)
    if path.startswith("/"):
        return path
    scope = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{inputs.get('resourceGroupName', 'rg')}"
    return f"{scope}/providers/{path}"


def _computed(typ: str, name: str, inputs: dict[str, Any], urn: str) -> dict[str, Any]:
    """Outputs Azure computes that callers of the components wire onward."""
    location = inputs.get("location", "eastus2")
    out: dict[str, Any] = {}
    identity = inputs.get("identity")
    if isinstance(identity, dict) and "SystemAssigned" in str(identity.get("type", "")):
        out["identity"] = {**identity, "principalId": _uuid(urn + "#system"), "tenantId": TENANT_ID}
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # The input lists identity ids; ARM answers a map of id -> {principalId, clientId}.
        out["identity"] = {**out.get("identity", identity), "userAssignedIdentities": {
            i: {"principalId": _uuid(i + "#principal"), "clientId": _uuid(i + "#client")}
            for i in identity["userAssignedIdentities"]}}
    kind = typ.split(":", 1)[1]
    if kind == "managedidentity:UserAssignedIdentity":
        out.update(principalId=_uuid(urn + "#principal"), clientId=_uuid(urn + "#client"), tenantId=TENANT_ID)
    elif kind == "cognitiveservices:Account":
        sub = (inputs.get("properties") or {}).get("customSubDomainName", name)
        # OpenAI answers on openai.azure.com; single-service kinds on cognitiveservices.azure.com.
        domain = "openai.azure.com" if inputs.get("kind") == "OpenAI" else "cognitiveservices.azure.com"
        out["properties"] = {**(inputs.get("properties") or {}),
                             "endpoint": f"https://{sub}.{domain}/", "provisioningState": "Succeeded"}
    elif kind == "redisenterprise:RedisEnterprise":
        out["hostName"] = f"{name}.{location}.redis.azure.net"
    elif kind == "redisenterprise:Database":
        out["port"] = inputs.get("port", 10000)
    elif kind == "network:PublicIPAddress":
        digest = int(_digest(urn, 4), 16)
        out["ipAddress"] = f"20.{digest % 200 + 10}.{digest // 200 % 250}.{digest % 250 + 1}"
        label = (inputs.get("dnsSettings") or {}).get("domainNameLabel")
        if label:
            out["dnsSettings"] = {**inputs["dnsSettings"], "fqdn": f"{label}.{location}.cloudapp.azure.com"}
    elif kind == "trafficmanager:Profile":
        relative = (inputs.get("dnsConfig") or {}).get("relativeName", name)
        out["dnsConfig"] = {**(inputs.get("dnsConfig") or {}), "fqdn": f"{relative}.trafficmanager.net"}
    elif kind == "app:ManagedEnvironment":
        out["defaultDomain"] = f"{_digest(urn, 10)}.{location}.azurecontainerapps.io"
        out["staticIp"] = f"10.{int(_digest(urn, 2), 16) % 250}.2.{int(_digest(urn + 'ip', 2), 16) % 250 + 4}"
    elif kind == "app:ContainerApp":
        # The environment's defaultDomain (digest of its id); internal-only ingress adds '.internal.'.
        env_id = inputs.get("environmentId") or inputs.get("managedEnvironmentId", urn)
        domain = f"{_digest(env_id, 10)}.{location}.azurecontainerapps.io"
        config = inputs.get("configuration") or {}
        external = isinstance(config.get("ingress"), dict) and config["ingress"].get("external") is True
        fqdn = f"{name}.{domain}" if external else f"{name}.internal.{domain}"
        out["latestRevisionFqdn"] = fqdn
        if isinstance(config.get("ingress"), dict):
            out["configuration"] = {**config, "ingress": {**config["ingress"], "fqdn": fqdn}}
    elif kind == "keyvault:Vault":
        out["properties"] = {**(inputs.get("properties") or {}), "vaultUri": f"https://{name}.vault.azure.net/"}
    elif kind == "keyvault:Secret":
        vault = inputs.get("vaultName", "vault")
        uri = f"https://{vault}.vault.azure.net/secrets/{name}"
        out["properties"] = {**(inputs.get("properties") or {}), "secretUri": uri,
                             "secretUriWithVersion": f"{uri}/{_digest(urn, 32)}"}
    elif kind == "operationalinsights:Workspace":
        out["customerId"] = _uuid(urn + "#workspace")
    elif kind == "applicationinsights:Component":
        key = _uuid(urn + "#ikey")
        ingestion = f"https://{location}.in.applicationinsights.azure.com/"
        out.update(instrumentationKey=key, appId=_uuid(urn + "#app"),
                   connectionString=f"InstrumentationKey={key};IngestionEndpoint={ingestion}")
    elif kind == "storage:StorageAccount":
        out["primaryEndpoints"] = {"blob": f"https://{name}.blob.core.windows.net/",
                                   "queue": f"https://{name}.queue.core.windows.net/"}
    elif kind in ("eventhub:Namespace", "servicebus:Namespace"):
        out["serviceBusEndpoint"] = f"https://{name}.servicebus.windows.net:443/"
    elif kind == "apimanagement:ApiManagementService":
        digest = int(_digest(urn, 2), 16)
        out.update(privateIPAddresses=[f"10.{digest % 250}.6.{digest % 20 + 4}"],
                   gatewayUrl=f"https://{name}.azure-api.net")
    elif kind == "web:WebApp":
        out["defaultHostName"] = f"{name}.azurewebsites.net"
    elif kind == "web:StaticSite":
        # Azure generates '<adjective>-<noun>-<hex>.<partition>.azurestaticapps.net'.
        out["defaultHostname"] = f"gentle-river-{_digest(urn, 9)}.5.azurestaticapps.net"
    elif kind == "cdn:Profile":
        out["frontDoorId"] = _uuid(urn + "#fdid")
    elif kind == "cdn:AFDEndpoint":
        out["hostName"] = f"{name}-{_digest(urn, 16)}.z01.azurefd.net"
    elif kind == "cdn:AFDCustomDomain":
        out["validationProperties"] = {"validationToken": _digest(urn, 32), "expirationDate": "2027-01-01T00:00:00Z"}
    return out


class AzureMocks(Mocks):
    """Answers resource registrations and invokes as Azure would, deterministically."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return "", {}
        inputs = reveal(args.inputs)
        urn = f"{args.typ}::{args.name}::{inputs.get('resourceGroupName', '')}::{inputs.get('location', '')}"
        name = arm_name(args.typ, args.name, inputs, urn)
        rid = arm_id(args.typ, name, inputs)
        state = {**args.inputs, "id": rid, "name": name}
        state.update(_computed(args.typ, name, inputs, rid))
        return rid, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        # The failures list must be a list: MockMonitor.Invoke iterates it (None raises TypeError).
        if args.token == "azure-native:authorization:getClientConfig":
            return {"clientId": _uuid("client"), "objectId": CLIENT_OBJECT_ID,
                    "subscriptionId": SUBSCRIPTION_ID, "tenantId": TENANT_ID}, []
        if args.token == "azure-native:resources:getResourceGroup":
            name = args.args.get("resourceGroupName", "rg")
            return {"id": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{name}", "name": name,
                    "location": "eastus2"}, []
        if args.token == "azure-native:redisenterprise:listDatabaseKeys":
            return {"primaryKey": _digest(str(args.args.get("clusterName")), 32),
                    "secondaryKey": _digest(str(args.args.get("clusterName")) + "#2", 32)}, []
        return {}, []


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every RegisterResource request as the engine would see it."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Resource] = []
        self.stack_outputs: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine does not qualify children of the root stack with the stack's type.
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        inputs = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        timeouts = {k: v for k, v in (("create", request.customTimeouts.create),
                                      ("update", request.customTimeouts.update),
                                      ("delete", request.customTimeouts.delete)) if v}
        self.recorded.append(Resource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            inputs=inputs,
            parent=request.parent or None,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            custom=request.custom,
            protect=request.protect,
            custom_timeouts=timeouts,
        ))
        return response

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == "pulumi:pulumi:Stack":
            self.stack_outputs = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)


def configure(stack: str, project: str, monitor: RecordingMonitor) -> None:
    """Point the Pulumi runtime at the recording monitor, with a fresh root stack each time."""
    pulumi.runtime.settings.ROOT.set(None)
    # A previous run that failed inside an output leaves its tasks behind; they must not fail this run.
    pulumi.runtime.settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor)
