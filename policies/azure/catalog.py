"""Azure facts the pack, the components and the dry-run share: where ARM puts each resource type,
which private DNS zones each private-link group needs, where each private service keeps its
public network access switch, and which log categories make a diagnostic setting an audit trail.

Sources: ARM resource ids and name parameters are those of the REST specs
(https://github.com/Azure/azure-rest-api-specs, `specification/<service>/resource-manager`), as
pulumi-azure-native names the inputs; the zones are
https://learn.microsoft.com/azure/private-link/private-endpoint-dns. The rows moved here unchanged
from dryrun/mocks.py, policies/inputs.py and components/ (not re-verified in the move).
Refresh: compare a row with the REST spec's path for its API version (or the DNS page), edit the
row, run `./dev test` (the dry-run's mocks build ids from ARM, so the policy and component tests
exercise every row they use).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from . import types as T


class ArmPath(NamedTuple):
    """Where ARM puts a resource: `path` is its id after `/subscriptions/<sub>/resourceGroups/<rg>/
    providers/`, with `{n}` for its own name and `{input}` for names it takes from other inputs;
    an absolute path starts with `/subscriptions/{sub}`, and an extension resource's starts with
    `{scope}` (or `{resourceUri}`). `name` is the input holding the resource's own name."""

    path: str
    name: str


ARM: Final[dict[str, ArmPath]] = {
    T.RESOURCE_GROUP: ArmPath("/subscriptions/{sub}/resourceGroups/{n}", "resourceGroupName"),
    T.VNET: ArmPath("Microsoft.Network/virtualNetworks/{n}", "virtualNetworkName"),
    T.SUBNET: ArmPath("Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{n}", "subnetName"),
    T.NSG: ArmPath("Microsoft.Network/networkSecurityGroups/{n}", "networkSecurityGroupName"),
    T.SECURITY_RULE: ArmPath(
        "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{n}",
        "securityRuleName"),
    T.PRIVATE_ENDPOINT: ArmPath("Microsoft.Network/privateEndpoints/{n}", "privateEndpointName"),
    T.DNS_ZONE_GROUP: ArmPath(
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{n}",
        "privateDnsZoneGroupName"),
    T.PUBLIC_IP: ArmPath("Microsoft.Network/publicIPAddresses/{n}", "publicIpAddressName"),
    T.APP_GATEWAY: ArmPath("Microsoft.Network/applicationGateways/{n}", "applicationGatewayName"),
    T.WAF_POLICY: ArmPath("Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/{n}", "policyName"),
    T.TM_PROFILE: ArmPath("Microsoft.Network/trafficmanagerprofiles/{n}", "profileName"),
    T.TM_ENDPOINT: ArmPath("Microsoft.Network/trafficmanagerprofiles/{profileName}/{endpointType}/{n}", "endpointName"),
    T.PRIVATE_ZONE: ArmPath("Microsoft.Network/privateDnsZones/{n}", "privateZoneName"),
    T.VNET_LINK: ArmPath(
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{n}",
        "virtualNetworkLinkName"),
    T.PRIVATE_RECORD_SET: ArmPath(
        "Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{n}",
        "relativeRecordSetName"),
    T.KEY_VAULT: ArmPath("Microsoft.KeyVault/vaults/{n}", "vaultName"),
    T.KEY_VAULT_SECRET: ArmPath("Microsoft.KeyVault/vaults/{vaultName}/secrets/{n}", "secretName"),
    T.USER_ASSIGNED_IDENTITY: ArmPath("Microsoft.ManagedIdentity/userAssignedIdentities/{n}", "resourceName"),
    T.FEDERATED_CREDENTIAL: ArmPath(
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{n}",
        "federatedIdentityCredentialResourceName"),
    T.ROLE_ASSIGNMENT: ArmPath("{scope}/providers/Microsoft.Authorization/roleAssignments/{n}", "roleAssignmentName"),
    T.GROUP_LOCK: ArmPath("Microsoft.Authorization/locks/{n}", "lockName"),
    T.POLICY_ASSIGNMENT: ArmPath(
        "{scope}/providers/Microsoft.Authorization/policyAssignments/{n}",
        "policyAssignmentName"),
    T.COGNITIVE_ACCOUNT: ArmPath("Microsoft.CognitiveServices/accounts/{n}", "accountName"),
    T.OPENAI_DEPLOYMENT: ArmPath(
        "Microsoft.CognitiveServices/accounts/{accountName}/deployments/{n}",
        "deploymentName"),
    T.REDIS_ENTERPRISE: ArmPath("Microsoft.Cache/redisEnterprise/{n}", "clusterName"),
    T.REDIS_DATABASE: ArmPath("Microsoft.Cache/redisEnterprise/{clusterName}/databases/{n}", "databaseName"),
    T.REDIS_ACCESS_POLICY_ASSIGNMENT: ArmPath(
        "Microsoft.Cache/redisEnterprise/{clusterName}/databases/{databaseName}/accessPolicyAssignments/{n}",
        "accessPolicyAssignmentName"),
    T.CLASSIC_REDIS: ArmPath("Microsoft.Cache/redis/{n}", "name"),
    T.MANAGED_ENVIRONMENT: ArmPath("Microsoft.App/managedEnvironments/{n}", "environmentName"),
    T.CONTAINER_APP: ArmPath("Microsoft.App/containerApps/{n}", "containerAppName"),
    T.WORKSPACE: ArmPath("Microsoft.OperationalInsights/workspaces/{n}", "workspaceName"),
    T.APP_INSIGHTS: ArmPath("Microsoft.Insights/components/{n}", "resourceName"),
    T.WEB_TEST: ArmPath("Microsoft.Insights/webtests/{n}", "webTestName"),
    T.WORKBOOK: ArmPath("Microsoft.Insights/workbooks/{n}", "resourceName"),
    T.ACTION_GROUP: ArmPath("Microsoft.Insights/actionGroups/{n}", "actionGroupName"),
    T.METRIC_ALERT: ArmPath("Microsoft.Insights/metricAlerts/{n}", "ruleName"),
    T.QUERY_ALERT: ArmPath("Microsoft.Insights/scheduledQueryRules/{n}", "ruleName"),
    T.MONITOR_PRIVATE_LINK_SCOPE: ArmPath("Microsoft.Insights/privateLinkScopes/{n}", "scopeName"),
    T.MONITOR_SCOPED_RESOURCE: ArmPath(
        "Microsoft.Insights/privateLinkScopes/{scopeName}/scopedResources/{n}", "name"),
    T.DIAGNOSTIC_SETTING: ArmPath("{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{n}", "name"),
    T.BUDGET: ArmPath("{scope}/providers/Microsoft.Consumption/budgets/{n}", "budgetName"),
    T.BACKUP_VAULT: ArmPath("Microsoft.DataProtection/backupVaults/{n}", "vaultName"),
    T.BACKUP_POLICY: ArmPath(
        "Microsoft.DataProtection/backupVaults/{vaultName}/backupPolicies/{n}",
        "backupPolicyName"),
    T.BACKUP_INSTANCE: ArmPath(
        "Microsoft.DataProtection/backupVaults/{vaultName}/backupInstances/{n}",
        "backupInstanceName"),
    T.STORAGE: ArmPath("Microsoft.Storage/storageAccounts/{n}", "accountName"),
    T.BLOB_CONTAINER: ArmPath(
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{n}",
        "containerName"),
    T.BLOB_SERVICE: ArmPath("Microsoft.Storage/storageAccounts/{accountName}/blobServices/{n}", "blobServicesName"),
    T.QUEUE: ArmPath("Microsoft.Storage/storageAccounts/{accountName}/queueServices/default/queues/{n}", "queueName"),
    T.QUEUE_SERVICE: ArmPath("Microsoft.Storage/storageAccounts/{accountName}/queueServices/{n}", "queueServiceName"),
    T.EVENT_HUB_NAMESPACE: ArmPath("Microsoft.EventHub/namespaces/{n}", "namespaceName"),
    T.EVENT_HUB: ArmPath("Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{n}", "eventHubName"),
    T.EVENT_HUB_CONSUMER_GROUP: ArmPath(
        "Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{eventHubName}/consumergroups/{n}",
        "consumerGroupName"),
    T.SERVICE_BUS: ArmPath("Microsoft.ServiceBus/namespaces/{n}", "namespaceName"),
    T.SERVICE_BUS_QUEUE: ArmPath("Microsoft.ServiceBus/namespaces/{namespaceName}/queues/{n}", "queueName"),
    T.APP_SERVICE_PLAN: ArmPath("Microsoft.Web/serverfarms/{n}", "name"),
    T.WEB_APP: ArmPath("Microsoft.Web/sites/{n}", "name"),
    T.DEFENDER_PRICING: ArmPath("/subscriptions/{sub}/providers/Microsoft.Security/pricings/{n}", "pricingName"),
    T.LOAD_TEST: ArmPath("Microsoft.LoadTestService/loadTests/{n}", "loadTestName"),
    T.SEARCH_SERVICE: ArmPath("Microsoft.Search/searchServices/{n}", "searchServiceName"),
    T.STATIC_SITE: ArmPath("Microsoft.Web/staticSites/{n}", "name"),
    T.FRONT_DOOR_WAF_POLICY: ArmPath("Microsoft.Network/frontDoorWebApplicationFirewallPolicies/{n}", "policyName"),
    T.CDN_PROFILE: ArmPath("Microsoft.Cdn/profiles/{n}", "profileName"),
    T.AFD_ENDPOINT: ArmPath("Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{n}", "endpointName"),
    T.AFD_ORIGIN_GROUP: ArmPath("Microsoft.Cdn/profiles/{profileName}/originGroups/{n}", "originGroupName"),
    T.AFD_ORIGIN: ArmPath("Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{n}",
                          "originName"),
    T.AFD_CUSTOM_DOMAIN: ArmPath("Microsoft.Cdn/profiles/{profileName}/customDomains/{n}", "customDomainName"),
    T.AFD_ROUTE: ArmPath("Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{n}", "routeName"),
    T.AFD_SECURITY_POLICY: ArmPath("Microsoft.Cdn/profiles/{profileName}/securityPolicies/{n}", "securityPolicyName"),
}


def in_resource_group(path: ArmPath) -> bool:
    """The resource lives under a resource group's `providers/` (not absolute, not an extension)."""
    return not path.path.startswith(("/", "{"))


# Private DNS zones per private-link group id. OpenAI needs all three AI zones together: the
# account answers on openai.azure.com, cognitiveservices.azure.com and services.ai.azure.com.
ZONES_BY_GROUP: Final[dict[str, tuple[str, ...]]] = {
    "account": ("privatelink.openai.azure.com", "privatelink.cognitiveservices.azure.com",
                "privatelink.services.ai.azure.com"),
    "vault": ("privatelink.vaultcore.azure.net",),
    "redisEnterprise": ("privatelink.redis.azure.net",),
    "blob": ("privatelink.blob.core.windows.net",),
    "queue": ("privatelink.queue.core.windows.net",),
    "namespace": ("privatelink.servicebus.windows.net",),  # Service Bus and Event Hubs alike
    "sites": ("privatelink.azurewebsites.net",),
    # https://learn.microsoft.com/azure/search/service-create-private-endpoint
    "searchService": ("privatelink.search.windows.net",),
    # An Azure Monitor Private Link Scope's endpoint: the global App Insights and query endpoints, the
    # workspaces' OMS / ODS / agent service endpoints, and the agents' solution-pack storage account
    # (https://learn.microsoft.com/azure/azure-monitor/logs/private-link-configure#review-your-endpoints-dns-settings).
    "azuremonitor": ("privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
                     "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net",
                     "privatelink.blob.core.windows.net"),
}

# An `account` endpoint's zone group may carry all three AI zones, but only OpenAI and multi-service
# AI Services accounts answer on the openai / services.ai names; every other kind (ComputerVision,
# FormRecognizer, ...) answers on <name>.cognitiveservices.azure.com alone
# (https://learn.microsoft.com/azure/ai-services/cognitive-services-virtual-networks#dns-changes-for-private-endpoints).
AI_ZONE_KINDS: Final = frozenset({"openai", "aiservices"})
COGNITIVE_ZONE: Final = "privatelink.cognitiveservices.azure.com"

# Data planes that take a private endpoint, and where each keeps `publicNetworkAccess`.
PRIVATE_LINK_TARGETS: Final[dict[str, tuple[str, ...]]] = {
    T.COGNITIVE_ACCOUNT: ("properties", "publicNetworkAccess"),
    T.KEY_VAULT: ("properties", "publicNetworkAccess"),
    T.REDIS_ENTERPRISE: ("publicNetworkAccess",),
    T.CLASSIC_REDIS: ("publicNetworkAccess",),
    T.STORAGE: ("publicNetworkAccess",),
    T.SERVICE_BUS: ("publicNetworkAccess",),
    T.EVENT_HUB_NAMESPACE: ("publicNetworkAccess",),
    # https://learn.microsoft.com/azure/search/service-create-private-endpoint (REST 2025-05-01
    # `publicNetworkAccess`: 'Disabled' leaves private endpoints as the only way in).
    T.SEARCH_SERVICE: ("publicNetworkAccess",),
}

# Types whose Azure resource supports diagnostic settings and whose logs or metrics matter.
# Azure Managed Redis logs connections on the database (the cluster only has metrics).
# Workspace-based App Insights is left out: its telemetry already lands in the workspace, and a
# diagnostic setting would ingest it twice. A Front Door WAF policy (frontdoor:Policy) has no
# diagnostic settings of its own: its log is the profile's FrontDoorWebApplicationFirewallLog
# (https://learn.microsoft.com/azure/frontdoor/front-door-diagnostics), so the cdn:Profile covers it.
# A Static Web App exports nothing through diagnostic settings (components/static_web_app.py).
DIAGNOSTIC_TYPES: Final[tuple[str, ...]] = (
    T.COGNITIVE_ACCOUNT, T.KEY_VAULT, T.REDIS_DATABASE, T.CLASSIC_REDIS, T.APP_GATEWAY, T.PUBLIC_IP, T.NSG,
    T.TM_PROFILE, T.MANAGED_ENVIRONMENT, T.STORAGE, T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS, T.WEB_APP,
    T.BACKUP_VAULT, T.WORKSPACE, T.SEARCH_SERVICE, T.CDN_PROFILE,
)

# Log categories that make a diagnostic setting an audit trail, per target ARM type (COMP-2).
# Either category group covers them: `audit` is the audit subset, `allLogs` everything.
AUDIT_CATEGORIES: Final[dict[str, frozenset[str]]] = {
    "microsoft.keyvault/vaults": frozenset({"AuditEvent"}),
    "microsoft.cognitiveservices/accounts": frozenset({"Audit", "RequestResponse"}),
    # https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-search-searchservices-logs
    "microsoft.search/searchservices": frozenset({"OperationLogs"}),
    # Front Door Standard/Premium: who asked for what, and what the WAF did with it; a classic CDN
    # profile's only log is AzureCdnAccessLog (the health probe log is no audit trail).
    # https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-cdn-profiles-logs
    "microsoft.cdn/profiles": frozenset({"FrontDoorAccessLog", "FrontDoorWebApplicationFirewallLog",
                                         "AzureCdnAccessLog"}),
}
AUDIT_GROUPS: Final = frozenset({"audit", "alllogs"})

# Types whose Args accept `tags` (checked against the SDK by tests/policies/rules/test_resources.py).
TAGGABLE: Final = frozenset({
    T.RESOURCE_GROUP, T.VNET, T.NSG, T.PRIVATE_ENDPOINT, T.PUBLIC_IP, T.APP_GATEWAY, T.WAF_POLICY, T.PRIVATE_ZONE,
    T.KEY_VAULT, T.USER_ASSIGNED_IDENTITY, T.COGNITIVE_ACCOUNT, T.REDIS_ENTERPRISE, T.CLASSIC_REDIS,
    T.MANAGED_ENVIRONMENT, T.CONTAINER_APP, T.WORKSPACE, T.APP_INSIGHTS, T.WORKBOOK, T.METRIC_ALERT, T.ACTION_GROUP,
    T.STORAGE, T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS, T.APP_SERVICE_PLAN, T.WEB_APP, T.TM_PROFILE, T.BACKUP_VAULT,
    T.SEARCH_SERVICE, T.STATIC_SITE, T.CDN_PROFILE, T.AFD_ENDPOINT, T.FRONT_DOOR_WAF_POLICY,
})

# Azure AI Search capacity per tier: (max replicas, allowed partition counts, max search units =
# replicas x partitions). https://learn.microsoft.com/azure/search/search-limits-quotas-capacity (Basic
# 3 SU, every other billable tier 36 SU; Basic takes up to 3 partitions on services created since
# April 2024) and https://learn.microsoft.com/azure/search/search-capacity-planning (12 replicas on
# Standard, 3 on Basic); partition counts 1, 2, 3, 4, 6 or 12 per the REST spec's `partitionCount`
# (azure-rest-api-specs, specification/search/resource-manager, Microsoft.Search 2025-05-01).
# Config validation (stack_config/validate.py) and search-capacity-within-sku read it.
SEARCH_LIMITS: Final[dict[str, tuple[int, tuple[int, ...], int]]] = {
    "basic": (3, (1, 2, 3), 3),
    **{sku: (12, (1, 2, 3, 4, 6, 12), 36) for sku in (
        "standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2")},
}

# Regions Azure accepts for Microsoft.Web/staticSites (ARM's own answer to any other location:
# "List of available regions for the resource type is 'westus2,centralus,eastus2,westeurope,
# eastasia'", https://github.com/Azure/azure-dev/issues/995; refresh with
# `az provider show -n Microsoft.Web --query "resourceTypes[?resourceType=='staticSites'].locations"`).
# The location only holds the site's metadata; content is served from the global edge. Dated 2026-12-01.
STATIC_WEB_APP_REGIONS: Final = frozenset({"westus2", "centralus", "eastus2", "westeurope", "eastasia"})

# The two Redis offerings, and the two budget resources, wherever a policy treats them alike.
REDIS_CACHES: Final = (T.REDIS_ENTERPRISE, T.CLASSIC_REDIS)
BUDGETS: Final = (T.BUDGET, T.COST_MANAGEMENT_BUDGET)
