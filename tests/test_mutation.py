"""Mutation test: every secure setting the components make is guarded by a mandatory policy.

The prod dry-run runs once; each case flips one setting (or drops one resource) in a copy of the
recorded resources, exactly as the engine would send them, and asserts that the named policy
reports it, at the mandatory level of policies/config/prod.json, on the resource it names.

Evaluating the whole pack over ~290 resources takes over a second (the SDK deserializes every
resource once per policy), so a case runs the resource policies on its mutated resource alone (a
resource policy sees nothing else, and the baseline has no finding) and the stack policies over
the whole mutated stack, only when the case expects a stack policy, and then only the stack
policies it expects (a gap runs them all). Tests prove each shortcut equals the full pack.
Settings no policy checks yet are `gap` cases: strict xfails, reported.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import StackValidationPolicy

from dryrun.model import Resource
from dryrun.policy_driver import Pack, Violation, parse_config_file
from policies.azure import types as T
from policies.azure.roles import PRIVILEGED
from policies.pack import ENFORCEMENT_LEVEL, POLICIES
from tests.harness import program_run

ROOT = Path(__file__).resolve().parent.parent

OPENAI = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
KEY_VAULT = "azure-native:keyvault:Vault"
REDIS = "azure-native:redisenterprise:RedisEnterprise"
REDIS_DB = "azure-native:redisenterprise:Database"
STORAGE = "azure-native:storage:StorageAccount"
EVENT_HUB = "azure-native:eventhub:Namespace"
SERVICE_BUS = "azure-native:servicebus:Namespace"
WEB_APP = "azure-native:web:WebApp"
ENVIRONMENT = "azure-native:app:ManagedEnvironment"
CONTAINER_APP = "azure-native:app:ContainerApp"
NSG = "azure-native:network:NetworkSecurityGroup"
VNET = "azure-native:network:VirtualNetwork"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
DNS_ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
WORKSPACE = "azure-native:operationalinsights:Workspace"
APP_INSIGHTS = "azure-native:applicationinsights:Component"
WEB_TEST = "azure-native:applicationinsights:WebTest"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
BUDGET = "azure-native:consumption:Budget"
TRAFFIC_MANAGER = "azure-native:trafficmanager:Profile"
BACKUP_VAULT = "azure-native:dataprotection:BackupVault"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
DEFENDER_PLAN = "azure-native:security:Pricing"
SEARCH = "azure-native:search:Service"
STATIC_SITE = "azure-native:web:StaticSite"
FD_WAF = "azure-native:frontdoor:Policy"
AFD_ORIGIN = "azure-native:cdn:AFDOrigin"
AFD_SECURITY = "azure-native:cdn:SecurityPolicy"
APIM = "azure-native:apimanagement:ApiManagementService"
APIM_BACKEND = "azure-native:apimanagement:Backend"
APIM_POLICY = "azure-native:apimanagement:ApiPolicy"
MONITOR_SCOPE = "azure-native:monitor:PrivateLinkScope"
MONITOR_SCOPED = "azure-native:monitor:PrivateLinkScopedResource"

OWNER_ROLE = PRIVILEGED["Owner"]
SUBSCRIPTION = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"


# --- locate ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class At:
    """Locates one resource by type token and logical name (logical names repeat across types)."""

    type: str
    name: str

    def find(self, resources: list[Resource]) -> Resource:
        found = [r for r in resources if r.type == self.type and r.name == self.name]
        assert len(found) == 1, f"expected one {self.type} named {self.name!r}, found {len(found)}"
        return found[0]


STACK = At("pulumi:pulumi:Stack", "")  # a stack policy's finding about the deployment as a whole (urn "")


# --- mutate ---------------------------------------------------------------------------------------

Mutate = Callable[[Resource], Resource | None]  # gets a copy with deep-copied inputs; None drops it


def _parent(inputs: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container holding the last segment of a dotted path ('subnets.0.name'), and that key."""
    *way, last = (int(p) if p.isdigit() else p for p in path.split("."))
    node: Any = inputs
    for key in way:
        node = node[key]
    return node, last


def setting(path: str, value: Any) -> Mutate:
    def mutate(r: Resource) -> Resource:
        node, key = _parent(r.inputs, path)
        node[key] = value
        return r
    return mutate


def without(path: str) -> Mutate:
    """Remove an input; a removed top-level input also loses its property dependencies, as it
    would in a real registration."""
    def mutate(r: Resource) -> Resource:
        node, key = _parent(r.inputs, path)
        del node[key]
        deps = {k: v for k, v in r.property_dependencies.items() if k != key} if "." not in path \
            else r.property_dependencies
        return replace(r, property_dependencies=deps)
    return mutate


def appending(path: str, item: Any) -> Mutate:
    def mutate(r: Resource) -> Resource:
        node, key = _parent(r.inputs, path)
        node[key] = [*node[key], item]
        return r
    return mutate


def editing(edit: Callable[[dict[str, Any]], None]) -> Mutate:
    def mutate(r: Resource) -> Resource:
        edit(r.inputs)
        return r
    return mutate


def dropped(r: Resource) -> None:
    return None


def unprotected(r: Resource) -> Resource:
    return replace(r, protect=False)


def _no_audit_logs(inputs: dict[str, Any]) -> None:
    inputs["logs"] = [log for log in inputs["logs"] if log.get("category") == "Trace"]


def _forecast_removed(inputs: dict[str, Any]) -> None:
    inputs["notifications"] = {k: v for k, v in inputs["notifications"].items() if v["thresholdType"] != "Forecasted"}


def _owner_role(inputs: dict[str, Any]) -> None:
    inputs["roleDefinitionId"] = inputs["roleDefinitionId"].rsplit("/", 1)[0] + "/" + OWNER_ROLE


def _policy_text(old: str, new: str) -> Mutate:
    """The gateway's policy document with one statement replaced (it must be there to replace)."""
    def edit(inputs: dict[str, Any]) -> None:
        assert old in inputs["value"], old
        inputs["value"] = inputs["value"].replace(old, new)
    return editing(edit)


def _client_tls10_on(inputs: dict[str, Any]) -> None:
    inputs["customProperties"]["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"] = "true"


def _retry_removed(inputs: dict[str, Any]) -> None:
    inputs["value"] = re.sub(r"<retry .*?</retry>", "<forward-request />", inputs["value"], flags=re.S)


def _workload_granted_openai(r: Resource) -> Resource:
    """The gateway's grant on the account given to a workload identity instead (principal and its dependency)."""
    workload = "urn:pulumi:prod::ai-platform::ai-platform:identity:WorkloadIdentities" \
               "$azure-native:managedidentity:UserAssignedIdentity::id-eastus2-chat"
    return replace(r, property_dependencies={**r.property_dependencies, "principalId": [workload]})


def _plain_secret(inputs: dict[str, Any]) -> None:
    inputs["configuration"]["secrets"][0] = {"name": "applicationinsights-connection-string",
                                             "value": "InstrumentationKey=00000000-0000-0000-0000-000000000000"}


def _ping_kind(inputs: dict[str, Any]) -> None:
    inputs["kind"] = inputs["webTestKind"] = "ping"


def _container_cpu(inputs: dict[str, Any]) -> None:
    inputs["template"]["containers"][0]["resources"] = {"cpu": 8.0, "memory": "16Gi"}


def _api_origin_on_chat_app(r: Resource) -> Resource:
    """The frontend's API origin pointed at the chat container app instead of Traffic Manager (host name
    and its dependency, as `host_name=chat.fqdn` would record them)."""
    chat = "urn:pulumi:prod::ai-platform::ai-platform:container_apps:ContainerApps" \
           "$azure-native:app:ContainerApp::cae-eastus2-chat"
    r.inputs["hostName"] = "cae-eastus2-chat.internal.example.azurecontainerapps.io"
    return replace(r, property_dependencies={**r.property_dependencies, "hostName": [chat]})


def _secondary_endpoint_removed(r: Resource) -> Resource:
    """Traffic Manager without its second region's endpoint: the input and the dependency on
    that region's public IP go together, as they would in a real registration."""
    *kept, removed = r.inputs["endpoints"]
    r.inputs["endpoints"] = kept
    target = "::" + removed["targetResourceId"].rsplit("/", 1)[-1]
    deps = {**r.property_dependencies,
            "endpoints": [u for u in r.property_dependencies["endpoints"] if not u.endswith(target)]}
    return replace(r, property_dependencies=deps)


# --- the table ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mutation:
    id: str
    target: At
    mutate: Mutate
    expected: frozenset[str]  # any one of these policies legitimately reports the flip
    reported_on: At | None = None  # where the finding lands: the target unless said
    # A flip no policy catches yet: the reason names the setting and the policy it needs. The case
    # is a strict xfail that accepts any mandatory finding, so it fails loudly once a policy lands
    # (then replace `gap` with the policy's name).
    gap: str = ""

    @property
    def where(self) -> At:
        return self.reported_on or self.target


def case(name: str, target: At, mutate: Mutate, *expected: str, on: At | None = None) -> Mutation:
    return Mutation(name, target, mutate, frozenset(expected), on)


def gap(name: str, target: At, mutate: Mutate, reason: str) -> Mutation:
    return Mutation(name, target, mutate, frozenset(), None, reason)


AOAI = At(OPENAI, "openai-eastus2")
KV = At(KEY_VAULT, "kv-eastus2-vault")
AMR = At(REDIS, "redis-eastus2")
AMR_DB = At(REDIS_DB, "redis-eastus2-db")
GATEWAY_CACHE_DB = At(REDIS_DB, "ai-gateway-eastus2-redis-db")
ST = At(STORAGE, "events-st")
EVH = At(EVENT_HUB, "events-evh")
SB = At(SERVICE_BUS, "events-sb")
FUNC = At(WEB_APP, "events-func")
CAE = At(ENVIRONMENT, "cae-eastus2-env")
ENTRY_APP = At(CONTAINER_APP, "cae-eastus2-api-gateway")  # the one app with (VNet-)external ingress
CHAT_APP = At(CONTAINER_APP, "cae-eastus2-chat")
AGW = At(APP_GATEWAY, "agw-eastus2")
WAF = At(WAF_POLICY, "agw-eastus2-waf")
VNET_E = At(VNET, "net-eastus2-vnet")
LOG = At(WORKSPACE, "monitoring-eastus2-log")
APPI = At(APP_INSIGHTS, "monitoring-eastus2-appi")
WEBTEST = At(WEB_TEST, "availability-health")
AMPLS = At(MONITOR_SCOPE, "monitor-private-link-ampls")
COST = At(BUDGET, "budget")
TM = At(TRAFFIC_MANAGER, "traffic-manager")
BVAULT = At(BACKUP_VAULT, "backup-vault")
VISION = At(OPENAI, "cv-eastus2")
DOCS = At(OPENAI, "di-eastus2")
SRCH = At(SEARCH, "search-eastus2")
SWA = At(STATIC_SITE, "web")
EDGE_WAF = At(FD_WAF, "edge-waf")
GATEWAY = At(APIM, "ai-gateway-eastus2")
GATEWAY_POLICY = At(APIM_POLICY, "ai-gateway-eastus2-openai-policy")
GATEWAY_BACKEND = At(APIM_BACKEND, "ai-gateway-eastus2-backend-eastus2")

INTERNET_SSH = {"name": "allow-ssh-internet", "access": "Allow", "direction": "Inbound", "priority": 200.0,
                "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                "destinationAddressPrefix": "*", "destinationPortRange": "22"}
INLINE_WAF = {"enabled": True, "firewallMode": "Prevention", "ruleSetType": "OWASP", "ruleSetVersion": "3.2"}

MUTATIONS: list[Mutation] = [
    # Azure OpenAI
    case("openai-public-network-access-enabled", AOAI, setting("properties.publicNetworkAccess", "Enabled"),
         "cognitive-services-private-access"),
    case("openai-local-auth-enabled", AOAI, setting("properties.disableLocalAuth", False),
         "cognitive-services-local-auth-disabled"),
    case("openai-network-acls-allow", AOAI, setting("properties.networkAcls.defaultAction", "Allow"),
         "cognitive-services-private-access"),
    case("openai-custom-subdomain-removed", AOAI, without("properties.customSubDomainName"),
         "cognitive-services-custom-subdomain"),
    case("openai-managed-identity-removed", AOAI, without("identity"), "managed-identity-present"),
    case("openai-deployment-capacity-above-prod-max", At(DEPLOYMENT, "openai-eastus2-chat"),
         setting("sku.capacity", 1000.0), "openai-deployment-capacity"),
    # Key Vault
    case("key-vault-public-network-access-enabled", KV, setting("properties.publicNetworkAccess", "Enabled"),
         "key-vault-private-access"),
    case("key-vault-network-acls-allow", KV, setting("properties.networkAcls.defaultAction", "Allow"),
         "key-vault-private-access"),
    case("key-vault-rbac-off", KV, setting("properties.enableRbacAuthorization", False),
         "key-vault-rbac-authorization"),
    case("key-vault-purge-protection-off", KV, setting("properties.enablePurgeProtection", False),
         "key-vault-recoverable"),
    case("key-vault-soft-delete-retention-7-days", KV, setting("properties.softDeleteRetentionInDays", 7.0),
         "key-vault-recoverable"),
    case("key-vault-soft-delete-off", KV, setting("properties.enableSoftDelete", False), "key-vault-recoverable"),
    # Azure Managed Redis
    case("redis-public-network-access-enabled", AMR, setting("publicNetworkAccess", "Enabled"),
         "redis-enterprise-private-access"),
    case("redis-minimum-tls-1.0", AMR, setting("minimumTlsVersion", "1.0"), "redis-enterprise-tls"),
    case("redis-high-availability-disabled", AMR, setting("highAvailability", "Disabled"), "zone-redundancy"),
    case("redis-sku-outside-prod-allow-list", AMR, setting("sku.name", "Balanced_B0"), "redis-sku-allowed"),
    case("redis-database-plaintext-protocol", AMR_DB, setting("clientProtocol", "Plaintext"),
         "redis-enterprise-tls"),
    case("redis-database-access-keys-enabled", AMR_DB, setting("accessKeysAuthentication", "Enabled"),
         "redis-enterprise-access-keys-disabled"),
    case("redis-database-eviction-policy-removed", AMR_DB, without("evictionPolicy"), "cache-eviction-policy"),
    # Storage
    case("storage-shared-key-access-enabled", ST, setting("allowSharedKeyAccess", True),
         "storage-shared-key-disabled"),
    case("storage-blob-public-access-enabled", ST, setting("allowBlobPublicAccess", True),
         "storage-private-access"),
    case("storage-minimum-tls-1.0", ST, setting("minimumTlsVersion", "TLS1_0"), "storage-secure-transport"),
    case("storage-http-allowed", ST, setting("enableHttpsTrafficOnly", False), "storage-secure-transport"),
    case("storage-public-network-access-enabled-firewall-allow", ST,
         editing(lambda i: i.update(publicNetworkAccess="Enabled", networkRuleSet={"defaultAction": "Allow"})),
         "storage-private-access"),
    # Event Hubs / Service Bus / Functions
    case("event-hub-local-auth-enabled", EVH, setting("disableLocalAuth", False), "messaging-local-auth-disabled"),
    case("event-hub-public-network-access-enabled", EVH, setting("publicNetworkAccess", "Enabled"),
         "messaging-private-access"),
    case("event-hub-zone-redundancy-off", EVH, setting("zoneRedundant", False), "zone-redundancy"),
    case("service-bus-local-auth-enabled", SB, setting("disableLocalAuth", False), "messaging-local-auth-disabled"),
    case("service-bus-minimum-tls-1.0", SB, setting("minimumTlsVersion", "1.0"), "messaging-tls"),
    case("function-app-http-allowed", FUNC, setting("httpsOnly", False), "web-app-secure-transport"),
    case("function-app-public-network-access-enabled", FUNC, setting("publicNetworkAccess", "Enabled"),
         "web-app-private-access"),
    case("function-app-plain-secret-setting", FUNC,
         appending("siteConfig.appSettings", {"name": "OPENAI_API_KEY", "value": "0123456789abcdef"}),
         "secrets-in-key-vault"),
    # Container Apps
    case("container-apps-environment-not-internal", CAE, setting("vnetConfiguration.internal", False),
         "managed-environment-internal"),
    case("container-app-ingress-on-external-environment", CAE, setting("vnetConfiguration.internal", False),
         "container-app-no-public-ingress", on=ENTRY_APP),
    case("container-apps-environment-zone-redundancy-off", CAE, setting("zoneRedundant", False), "zone-redundancy"),
    case("container-app-min-replicas-below-prod-floor", CHAT_APP, setting("template.scale.minReplicas", 1.0),
         "container-app-autoscale"),
    case("container-app-insecure-ingress", CHAT_APP, setting("configuration.ingress.allowInsecure", True),
         "container-app-https-only"),
    case("container-app-probes-removed", CHAT_APP, without("template.containers.0.probes"),
         "container-app-health-probes"),
    case("container-app-plain-secret", CHAT_APP, editing(_plain_secret), "secrets-in-key-vault"),
    case("container-app-cpu-above-prod-max", CHAT_APP, editing(_container_cpu), "container-app-cpu-limit"),
    # Network
    case("nsg-allows-internet-ssh", At(NSG, "net-eastus2-nsg-private-endpoints"),
         appending("securityRules", INTERNET_SSH), "nsg-no-internet-inbound"),
    case("subnet-nsg-removed", VNET_E, without("subnets.0.networkSecurityGroup"), "nsg-on-every-subnet"),
    case("subnet-private-endpoint-network-policies-disabled", VNET_E,
         setting("subnets.0.privateEndpointNetworkPolicies", "Disabled"), "subnet-private-endpoint-network-policies"),
    case("public-ip-basic-sku", At(PUBLIC_IP, "agw-eastus2-pip"), setting("sku", {"name": "Basic"}),
         "public-ip-standard-sku"),
    case("openai-private-endpoint-removed", At(PRIVATE_ENDPOINT, "openai-eastus2-pe"), dropped,
         "private-endpoint-coverage", on=AOAI),
    case("key-vault-private-endpoint-removed", At(PRIVATE_ENDPOINT, "kv-eastus2-pe"), dropped,
         "private-endpoint-coverage", on=KV),
    case("openai-private-dns-zone-group-removed", At(DNS_ZONE_GROUP, "openai-eastus2-pe-dns"), dropped,
         "private-endpoint-coverage", on=At(PRIVATE_ENDPOINT, "openai-eastus2-pe")),
    # Application Gateway and WAF
    case("waf-policy-detection-mode", WAF, setting("policySettings.mode", "Detection"), "waf-policy-prevention"),
    case("waf-policy-disabled", WAF, setting("policySettings.state", "Disabled"), "waf-policy-prevention"),
    case("waf-policy-old-rule-set", WAF, setting("managedRules.managedRuleSets",
                                                 [{"ruleSetType": "OWASP", "ruleSetVersion": "3.0"}]),
         "waf-policy-managed-rule-set"),
    case("app-gateway-without-firewall-policy", AGW, without("firewallPolicy"), "app-gateway-waf-v2"),
    case("app-gateway-without-firewall-policy-leaves-ip-unguarded", AGW, without("firewallPolicy"),
         "waf-fronts-public-ips", on=At(PUBLIC_IP, "agw-eastus2-pip")),
    case("app-gateway-inline-waf-configuration", AGW, setting("webApplicationFirewallConfiguration", INLINE_WAF),
         "app-gateway-no-inline-waf"),
    case("app-gateway-old-ssl-policy", AGW, setting("sslPolicy.policyName", "AppGwSslPolicy20150501"),
         "app-gateway-tls-policy"),
    case("app-gateway-ssl-policy-removed", AGW, without("sslPolicy"), "app-gateway-tls-policy"),
    case("app-gateway-zones-removed", AGW, without("zones"), "zone-redundancy"),
    case("app-gateway-min-capacity-1", AGW, setting("autoscaleConfiguration.minCapacity", 1.0),
         "app-gateway-autoscale"),
    case("app-gateway-max-capacity-above-prod-max", AGW, setting("autoscaleConfiguration.maxCapacity", 50.0),
         "app-gateway-max-capacity"),
    case("app-gateway-http-listener-not-redirected", AGW, without("requestRoutingRules.1.redirectConfiguration"),
         "app-gateway-https-redirect"),
    case("app-gateway-probe-not-on-health-path", AGW, setting("probes.0.path", "/"),
         "app-gateway-health-probe-path"),
    # Monitoring
    case("openai-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "openai-eastus2-diag"), dropped,
         "diagnostic-settings-coverage", on=AOAI),
    case("redis-database-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "redis-eastus2-db-diag"), dropped,
         "diagnostic-settings-coverage", on=AMR_DB),
    case("openai-diagnostic-setting-without-audit-logs", At(DIAGNOSTIC_SETTING, "openai-eastus2-diag"),
         editing(_no_audit_logs), "diagnostic-setting-audit-categories"),
    case("diagnostic-setting-without-workspace", At(DIAGNOSTIC_SETTING, "kv-eastus2-vault-diag"),
         without("workspaceId"), "diagnostic-setting-to-workspace"),
    case("workspace-retention-30-days", LOG, setting("retentionInDays", 30.0), "log-retention-minimum"),
    case("app-insights-local-auth-enabled", APPI, setting("disableLocalAuth", False),
         "app-insights-local-auth-disabled"),
    case("app-insights-classic", APPI, without("workspaceResourceId"), "app-insights-workspace-based"),
    # Storage data-service request logs
    case("storage-queue-service-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "events-st-queue-diag"), dropped,
         "storage-service-diagnostics", on=ST),
    case("storage-blob-service-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "backup-st-blob-diag"), dropped,
         "storage-service-diagnostics", on=At(STORAGE, "backup-st")),
    case("storage-blob-service-diagnostic-setting-without-reads", At(DIAGNOSTIC_SETTING, "events-st-blob-diag"),
         setting("logs", [{"category": c, "enabled": True} for c in ("StorageWrite", "StorageDelete")]),
         "storage-service-diagnostics", on=ST),
    # Azure Monitor over private link (prod)
    case("workspace-public-ingestion-enabled", LOG, setting("publicNetworkAccessForIngestion", "Enabled"),
         "monitor-private-link"),
    case("workspace-public-query-enabled", LOG, setting("publicNetworkAccessForQuery", "Enabled"),
         "monitor-private-link"),
    case("app-insights-public-ingestion-enabled", APPI, setting("publicNetworkAccessForIngestion", "Enabled"),
         "monitor-private-link"),
    case("app-insights-public-query-absent", APPI, without("publicNetworkAccessForQuery"), "monitor-private-link"),
    case("app-insights-not-scoped-into-ampls", At(MONITOR_SCOPED, "monitor-private-link-appi-westus3"), dropped,
         "monitor-private-link", on=At(APP_INSIGHTS, "monitoring-westus3-appi")),
    case("ampls-ingestion-open", AMPLS, setting("accessModeSettings.ingestionAccessMode", "Open"),
         "monitor-private-link"),
    case("ampls-query-open", AMPLS, setting("accessModeSettings.queryAccessMode", "Open"), "monitor-private-link"),
    case("ampls-private-endpoint-removed", At(PRIVATE_ENDPOINT, "monitor-private-link-pe"), dropped,
         "monitor-private-link", on=AMPLS),
    case("web-test-ping-kind", WEBTEST, editing(_ping_kind), "web-test-standard-kind"),
    case("web-test-one-location", WEBTEST, setting("locations", [{"location": "us-va-ash-azr"}]),
         "web-test-coverage"),
    case("metric-alert-disabled", At(METRIC_ALERT, "alerts-eastus2-failed-requests"), setting("enabled", False),
         "metric-alert-actionable"),
    # Cost
    case("budget-without-notifications", COST, setting("notifications", {}), "budget-notifications"),
    case("budget-without-forecast-notification", COST, editing(_forecast_removed), "budget-notifications"),
    case("budget-expired-end-date", COST, setting("timePeriod.endDate", "2024-12-31T00:00:00Z"), "budget-valid"),
    case("budget-removed", COST, dropped, "budget-exists", on=STACK),
    case("token-budget-removed", At(BUDGET, "token-budget"), dropped, "token-spend-budget", on=AOAI),
    case("token-budget-without-forecast-notification", At(BUDGET, "token-budget"), editing(_forecast_removed),
         "token-spend-budget"),
    case("slo-alert-unwired", At(T.QUERY_ALERT, "slo-eastus2-slo-latency"), setting("actions", {}),
         "query-alert-wired-and-valid"),
    case("slo-alert-operator-gt", At(T.QUERY_ALERT, "slo-eastus2-slo-latency"),
         setting("criteria.allOf.0.operator", "gt"), "query-alert-wired-and-valid"),
    case("slo-latency-alert-removed", At(T.QUERY_ALERT, "slo-eastus2-slo-latency"), dropped, "slo-alerts-present",
         on=APPI),
    case("slo-availability-alert-removed", At(T.QUERY_ALERT, "slo-eastus2-slo-availability"), dropped,
         "slo-alerts-present", on=APPI),
    case("slo-slow-burn-alert-reads-one-hour", At(T.QUERY_ALERT, "slo-eastus2-slo-burn-slow"),
         setting("windowSize", "PT1H"), "slo-alerts-present", on=APPI),
    # Reliability
    case("traffic-manager-removed", TM, dropped, "multi-region", on=STACK),
    case("traffic-manager-second-region-endpoint-removed", TM, _secondary_endpoint_removed, "multi-region",
         on=STACK),
    case("traffic-manager-performance-routing", TM, setting("trafficRoutingMethod", "Performance"),
         "traffic-manager-failover"),
    case("traffic-manager-http-probe", TM, setting("monitorConfig.protocol", "HTTP"),
         "traffic-manager-health-monitor"),
    case("backup-vault-locally-redundant", BVAULT, setting("properties.storageSettings.0.type", "LocallyRedundant"),
         "zone-redundancy"),
    case("backup-vault-soft-delete-off", BVAULT, setting("properties.securitySettings.softDeleteSettings.state", "Off"),
         "backup-vault-soft-delete"),
    *(case(f"unprotected-{target.name}", target, unprotected, "stateful-resources-protected")
      for target in (KV, AOAI, AMR, ST, BVAULT, LOG)),
    # Identity and governance
    case("role-assignment-owner", At(ROLE_ASSIGNMENT, "cae-eastus2-chat-kv-secrets"), editing(_owner_role),
         "role-assignment-not-privileged"),
    case("role-assignment-subscription-scope", At(ROLE_ASSIGNMENT, "cae-eastus2-chat-kv-secrets"),
         setting("scope", SUBSCRIPTION), "role-assignment-resource-scope"),
    case("location-outside-prod-residency", ST, setting("location", "swedencentral"), "allowed-locations"),
    case("owner-tag-removed", KV, without("tags.owner"), "required-tags"),
    case("policy-assignment-audit-only", At(POLICY_ASSIGNMENT, "governance-allowed-locations-0"),
         setting("enforcementMode", "DoNotEnforce"), "policy-assignment-enforced"),
    case("defender-plan-free", At(DEFENDER_PLAN, "governance-defender-ai"), setting("pricingTier", "Free"),
         "defender-plan-standard"),
    # Settings the policies above did not check until they were added (formerly `gap` cases).
    case("storage-public-network-access-enabled", ST, setting("publicNetworkAccess", "Enabled"),
         "storage-private-access"),
    case("workspace-local-auth-enabled", LOG, setting("features.disableLocalAuth", False),
         "log-analytics-local-auth-disabled"),
    case("function-app-ftp-basic-auth", At(T.WEB_APP_FTP_ALLOWED, "events-func-ftp"),
         setting("allow", True), "web-app-basic-auth-disabled"),
    case("function-app-scm-basic-auth", At(T.WEB_APP_SCM_ALLOWED, "events-func-scm"),
         setting("allow", True), "web-app-basic-auth-disabled"),
    case("function-app-scm-tls-1.0", FUNC, setting("siteConfig.scmMinTlsVersion", "1.0"), "web-app-secure-transport"),
    case("function-app-remote-debugging", FUNC, setting("siteConfig.remoteDebuggingEnabled", True),
         "web-app-remote-debugging-disabled"),
    case("openai-outbound-unrestricted", AOAI, setting("properties.restrictOutboundNetworkAccess", False),
         "cognitive-services-outbound-restricted"),
    case("storage-locally-redundant", ST, setting("sku.name", "Standard_LRS"), "zone-redundancy"),
    case("service-bus-zone-redundancy-off", SB, setting("zoneRedundant", False), "zone-redundancy"),
    case("backup-vault-immutability-disabled", BVAULT,
         setting("properties.securitySettings.immutabilitySettings.state", "Disabled"), "backup-vault-immutability"),
    case("backup-blob-soft-delete-off", At(T.BLOB_SERVICE, "backup-st-blob"),
         setting("deleteRetentionPolicy.enabled", False), "blob-soft-delete"),
    case("resource-group-lock-removed",
         At(T.GROUP_LOCK, "lock-eastus2-lock"), dropped,
         "resource-group-locks", on=At(T.RESOURCE_GROUP, "rg-eastus2")),
    case("entry-app-ip-restrictions-removed", ENTRY_APP, without("configuration.ingress.ipSecurityRestrictions"),
         "container-app-ingress-restricted"),
    # The AI gateway (policies/rules/api_management.py, policies/relations/ai_gateway.py).
    case("gateway-public-inbound", GATEWAY, setting("virtualNetworkType", "External"), "apim-private-inbound"),
    case("gateway-tls-1.0", GATEWAY, editing(_client_tls10_on), "apim-tls"),
    case("gateway-managed-identity-removed", GATEWAY, without("identity"), "apim-managed-identity"),
    case("gateway-one-unit-in-prod", GATEWAY, setting("sku.capacity", 1.0), "apim-zones-prod"),
    case("gateway-zones-left-to-best-effort", GATEWAY, without("zones"), "apim-zones-prod"),
    case("gateway-without-its-management-ip", GATEWAY, without("publicIpAddressId"), "apim-zones-prod"),
    case("gateway-management-ip-serving-external-mode", GATEWAY, setting("virtualNetworkType", "External"),
         "waf-fronts-public-ips", on=At(PUBLIC_IP, "ai-gateway-eastus2-pip")),
    case("gateway-backend-circuit-breaker-removed", GATEWAY_BACKEND, without("circuitBreaker"),
         "openai-backend-circuit-breaker"),
    case("gateway-backend-ignores-retry-after", At(APIM_BACKEND, "ai-gateway-eastus2-backend-westus3"),
         setting("circuitBreaker.rules.0.acceptRetryAfter", False), "openai-backend-circuit-breaker"),
    case("gateway-backend-out-of-pool", At(APIM_BACKEND, "ai-gateway-eastus2-backend-pool"),
         without("pool"), "openai-backend-pool", on=GATEWAY_BACKEND),
    case("gateway-policy-without-managed-identity", GATEWAY_POLICY,
         _policy_text('<authentication-managed-identity resource="https://cognitiveservices.azure.com" />', ""),
         "gateway-policy-managed-identity"),
    case("gateway-policy-without-token-limit", GATEWAY_POLICY, _policy_text("azure-openai-token-limit",
                                                                           "rate-limit-by-key"),
         "gateway-policy-token-limit"),
    case("gateway-policy-without-retry", GATEWAY_POLICY, editing(_retry_removed), "gateway-policy-retry"),
    case("gateway-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "ai-gateway-eastus2-diag"), dropped,
         "apim-diagnostics", "diagnostic-settings-coverage", on=GATEWAY),
    case("gateway-logger-with-instrumentation-key", At(T.APIM_LOGGER, "ai-gateway-eastus2-logger"),
         without("credentials.identityClientId"), "apim-diagnostics", on=GATEWAY),
    case("openai-granted-to-a-workload", At(ROLE_ASSIGNMENT, "ai-gateway-eastus2-openai-eastus2"),
         _workload_granted_openai, "openai-only-through-gateway"),
    # The gateway's semantic cache: the one keyed Redis database, accepted only in its private Key Vault shape.
    case("gateway-cache-cluster-public", At(REDIS, "ai-gateway-eastus2-redis"),
         setting("publicNetworkAccess", "Enabled"), "redis-enterprise-access-keys-disabled", on=GATEWAY_CACHE_DB),
    case("gateway-cache-private-endpoint-removed", At(PRIVATE_ENDPOINT, "ai-gateway-eastus2-redis-pe"), dropped,
         "redis-enterprise-access-keys-disabled", on=GATEWAY_CACHE_DB),
    case("gateway-cache-named-value-not-secret", At(T.APIM_NAMED_VALUE, "ai-gateway-eastus2-cache-connection"),
         setting("secret", False), "redis-enterprise-access-keys-disabled", on=GATEWAY_CACHE_DB),
    case("gateway-cache-not-using-the-named-value", At(T.APIM_CACHE, "ai-gateway-eastus2-cache"),
         setting("connectionString", "redis.contoso.com:10000"), "redis-enterprise-access-keys-disabled",
         on=GATEWAY_CACHE_DB),
    case("gateway-cache-secret-never-expires", At(T.KEY_VAULT_SECRET, "ai-gateway-eastus2-cache-secret"),
         without("properties.attributes.expires"), "key-vault-secret-expiry"),
    # Pattern 1: Computer Vision and Document Intelligence, caught by the Cognitive Services policies.
    case("vision-local-auth-enabled", VISION, setting("properties.disableLocalAuth", False),
         "cognitive-services-local-auth-disabled"),
    case("vision-public-network-access-enabled", VISION, setting("properties.publicNetworkAccess", "Enabled"),
         "cognitive-services-private-access"),
    case("vision-custom-subdomain-removed", VISION, without("properties.customSubDomainName"),
         "cognitive-services-custom-subdomain"),
    case("document-intelligence-network-acls-allow", DOCS, setting("properties.networkAcls.defaultAction", "Allow"),
         "cognitive-services-private-access"),
    case("document-intelligence-outbound-unrestricted", DOCS, setting("properties.restrictOutboundNetworkAccess",
                                                                      False), "cognitive-services-outbound-restricted"),
    case("document-intelligence-managed-identity-removed", DOCS, without("identity"), "managed-identity-present"),
    case("vision-private-endpoint-removed", At(PRIVATE_ENDPOINT, "cv-eastus2-pe"), dropped,
         "private-endpoint-coverage", on=VISION),
    case("document-intelligence-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "di-eastus2-diag"), dropped,
         "diagnostic-settings-coverage", on=DOCS),
    case("vision-diagnostic-setting-without-audit-logs", At(DIAGNOSTIC_SETTING, "cv-eastus2-diag"),
         editing(_no_audit_logs), "diagnostic-setting-audit-categories"),
    *(case(f"unprotected-{target.name}", target, unprotected, "stateful-resources-protected")
      for target in (VISION, DOCS)),
    # Pattern 1: the frontend's static content through the CDN edge (PERF-4); only the origin's host
    # name relates it to the site (its resource group, which every origin shares, does not).
    case("static-site-origin-removed", At(AFD_ORIGIN, "edge-site-origin"), dropped, "static-content-behind-cdn",
         on=SWA),
    # Pattern 1: Azure AI Search (docs/pattern1-policies.md).
    case("search-local-auth-enabled", SRCH, setting("disableLocalAuth", False), "search-local-auth-disabled"),
    case("search-api-key-auth-options", SRCH, setting("authOptions", {"apiKeyOnly": {}}),
         "search-local-auth-disabled"),
    case("search-public-network-access-enabled", SRCH, setting("publicNetworkAccess", "Enabled"),
         "search-private-access"),
    case("search-ip-rule-added", SRCH, setting("networkRuleSet.ipRules", [{"value": "203.0.113.0/24"}]),
         "search-private-access"),
    case("search-one-replica-in-prod", SRCH, setting("replicaCount", 1.0), "search-replicas"),
    case("search-basic-sku-in-prod", SRCH, setting("sku.name", "basic"), "search-sku-allowed"),
    case("search-partitions-not-offered", SRCH, setting("partitionCount", 5.0), "search-capacity-within-sku"),
    case("search-managed-identity-removed", SRCH, without("identity"), "search-managed-identity"),
    case("search-private-endpoint-removed", At(PRIVATE_ENDPOINT, "search-eastus2-pe"), dropped,
         "private-endpoint-coverage", on=SRCH),
    case("search-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "search-eastus2-diag"), dropped,
         "diagnostic-settings-coverage", on=SRCH),
    case("search-diagnostic-setting-without-audit-logs", At(DIAGNOSTIC_SETTING, "search-eastus2-diag"),
         setting("logs", []), "diagnostic-setting-audit-categories"),
    case("unprotected-search-eastus2", SRCH, unprotected, "stateful-resources-protected"),
    # Pattern 1: the Static Web App.
    case("static-site-free-sku-in-prod", SWA, setting("sku", {"name": "Free", "tier": "Free"}), "static-site-sku"),
    case("static-site-staging-environments-enabled", SWA, setting("stagingEnvironmentPolicy", "Enabled"),
         "static-site-no-public-staging"),
    case("static-site-outside-static-web-apps-regions", SWA, setting("location", "westus3"), "static-site-location"),
    # Pattern 1: Front Door and its WAF.
    case("front-door-waf-detection-mode", EDGE_WAF, setting("policySettings.mode", "Detection"),
         "front-door-waf-prevention"),
    case("front-door-waf-disabled", EDGE_WAF, setting("policySettings.enabledState", "Disabled"),
         "front-door-waf-prevention"),
    case("front-door-waf-without-managed-rules", EDGE_WAF, setting("managedRules.managedRuleSets", []),
         "front-door-waf-managed-rule-set"),
    case("front-door-waf-standard-in-prod", EDGE_WAF, setting("sku", {"name": "Standard_AzureFrontDoor"}),
         "front-door-waf-managed-rule-set"),
    case("front-door-waf-unlinked", At(AFD_SECURITY, "edge-waf-link"), dropped, "front-door-waf-attached",
         on=At(T.AFD_ENDPOINT, "edge-endpoint")),
    case("front-door-diagnostic-setting-removed", At(DIAGNOSTIC_SETTING, "edge-diag"), dropped,
         "diagnostic-settings-coverage", on=At(T.CDN_PROFILE, "edge-profile")),
    case("front-door-custom-domain-tls-1.0", At(T.AFD_CUSTOM_DOMAIN, "edge-domain"),
         setting("tlsSettings.minimumTlsVersion", "TLS10"), "front-door-tls"),
    case("front-door-route-forwards-http", At(T.AFD_ROUTE, "edge-api"), setting("forwardingProtocol", "MatchRequest"),
         "front-door-https-only"),
    case("front-door-route-no-https-redirect", At(T.AFD_ROUTE, "edge-site"), setting("httpsRedirect", "Disabled"),
         "front-door-https-only"),
    case("front-door-origin-certificate-check-off", At(AFD_ORIGIN, "edge-api-origin"),
         setting("enforceCertificateNameCheck", False), "front-door-origin-certificate-check"),
    case("frontend-api-origin-bypasses-the-gateway", At(AFD_ORIGIN, "edge-api-origin"), _api_origin_on_chat_app,
         "frontend-api-through-public-entry"),
]


# --- fixtures and evaluation ----------------------------------------------------------------------

@dataclass
class Baseline:
    resources: list[Resource]
    pack: Pack  # the whole pack, configured with prod.json, as `python -m dryrun prod` runs it
    stack_pack: Pack  # its stack policies alone, configured the same way
    file_config: dict[str, Any] | None
    stack: str
    project: str
    subsets: dict[frozenset[str], Pack] = field(default_factory=dict)

    def stack_pack_of(self, names: frozenset[str]) -> Pack:
        """The stack policies among `names`, configured like `stack_pack` (built once per set)."""
        if names not in self.subsets:
            self.subsets[names] = _stack_only(self.file_config, self.stack, self.project, names)
        return self.subsets[names]


def _stack_only(file_config: dict[str, Any] | None, stack: str, project: str,
                among: frozenset[str] | None = None) -> Pack:
    """The pack's stack policies (those `among` the names, if given) with the pack's default level
    and their entries of the config."""
    policies = [p for p in POLICIES if isinstance(p, StackValidationPolicy) and (among is None or p.name in among)]
    names = {p.name for p in policies}
    pack = Pack.from_policies(policies, ENFORCEMENT_LEVEL)
    pack.configure({k: v for k, v in (file_config or {}).items() if k in names}, stack=stack, project=project)
    return pack


@pytest.fixture(scope="module")
def baseline() -> Baseline:
    result = program_run("prod")
    file_config = parse_config_file(ROOT / "policies" / "config" / "prod.json")
    pack = Pack(ROOT / "policies")
    # Configured once: analyze() leaves the configuration alone, so every case reuses these packs.
    pack.configure(file_config, stack=result.stack, project=result.project)
    return Baseline(result.resources, pack, _stack_only(file_config, result.stack, result.project), file_config,
                    result.stack, result.project)


def apply(resources: list[Resource], m: Mutation) -> list[Resource]:
    """The resources with the mutation applied to a copy of its target; the others are shared."""
    target = m.target.find(resources)
    out = []
    for r in resources:
        if r is not target:
            out.append(r)
            continue
        changed = m.mutate(replace(r, inputs=copy.deepcopy(r.inputs),
                                   property_dependencies=dict(r.property_dependencies)))
        if changed is not None:
            out.append(changed)
    return out


def resource_only(pack: Pack, m: Mutation) -> bool:
    return bool(m.expected) and all(pack.policies[p].kind == "resource" for p in m.expected)


def mandatory_findings(base: Baseline, m: Mutation, only_expected: bool = False) -> list[Violation]:
    """What the full pack reports on the mutated stack. The baseline has no finding, and a resource
    policy sees only its resource, so resource policies run on the mutated target alone; stack
    policies run over the whole mutated stack unless the case expects only resource policies.
    With `only_expected`, only the stack policies the case expects run (each stack policy walks
    the whole stack, so this is most of a case's time); their findings are the full pack's."""
    mutated = apply(base.resources, m)
    changed = [r for r in mutated if r.type == m.target.type and r.name == m.target.name]
    # pack.analyze() also runs the stack policies over its argument: over one resource they mean nothing.
    found = [v for v in base.pack.analyze(changed) if base.pack.policies[v.policy].kind == "resource"] \
        if changed else []
    if not resource_only(base.pack, m):
        found += (base.stack_pack_of(m.expected) if only_expected else base.stack_pack).analyze(mutated)
    return [v for v in found if v.level == "mandatory"]


def urn_of(resources: list[Resource], where: At) -> str:
    return "" if where == STACK else where.find(resources).urn


def _shown(findings: list[Violation]) -> str:
    return "\n".join(f"  {v.policy} @ {v.urn.rsplit('::', 1)[-1] or 'stack'}: {v.message}" for v in findings) \
        or "  (no mandatory finding)"


def test_table_names_real_policies_and_unique_ids(baseline: Baseline) -> None:
    ids = [m.id for m in MUTATIONS]
    assert len(ids) == len(set(ids))
    assert all(bool(m.expected) != bool(m.gap) for m in MUTATIONS), "a case names policies or a gap, not both"
    unknown = {p for m in MUTATIONS for p in m.expected} - set(baseline.pack.policies)
    assert not unknown, f"the table names policies the pack does not have: {unknown}"


def test_baseline_has_no_mandatory_violation(baseline: Baseline) -> None:
    violations = baseline.pack.analyze(baseline.resources)
    assert len(baseline.resources) > 250
    assert not [v for v in violations if v.level == "mandatory"], _shown(violations)
    assert all(baseline.pack.levels[p] == "mandatory" for m in MUTATIONS for p in m.expected), \
        "every expected policy must be mandatory in prod.json"


def test_stack_pack_is_the_packs_stack_half(baseline: Baseline) -> None:
    stack_names = {name for name, info in baseline.pack.policies.items() if info.kind == "stack"}
    assert set(baseline.stack_pack.policies) == stack_names
    assert baseline.stack_pack.levels == {name: baseline.pack.levels[name] for name in stack_names}


@pytest.mark.parametrize("m", [
    pytest.param(m, id=m.id, marks=[pytest.mark.xfail(strict=True, reason=m.gap)] if m.gap else [])
    for m in MUTATIONS])
def test_mutation_is_caught(baseline: Baseline, m: Mutation) -> None:
    if m.gap:
        assert mandatory_findings(baseline, m), f"{m.id}: no mandatory policy reports it ({m.gap})"
        return
    where = urn_of(baseline.resources, m.where)
    # Only an expected policy can catch it; the message shows what the whole pack found instead.
    caught = [v for v in mandatory_findings(baseline, m, only_expected=True)
              if v.policy in m.expected and v.urn == where]
    assert caught, (f"{m.id}: expected one of {sorted(m.expected)} on {m.where.name or 'the stack'}; "
                    f"mandatory findings:\n{_shown(mandatory_findings(baseline, m))}")


def test_resource_mutations_survive_the_full_pack(baseline: Baseline) -> None:
    """All resource-policy cases at once, through the full pack: the per-resource shortcut finds
    what the complete evaluation finds."""
    cases = [m for m in MUTATIONS if resource_only(baseline.pack, m)]
    resources = baseline.resources
    for m in cases:
        resources = apply(resources, m)
    found = {(v.policy, v.urn) for v in baseline.pack.analyze(resources) if v.level == "mandatory"}
    missed = [m.id for m in cases if not any((p, urn_of(resources, m.where)) in found for p in m.expected)]
    assert len(cases) > 50 and not missed, missed


@pytest.mark.parametrize("case_id", ["openai-private-endpoint-removed", "app-gateway-without-firewall-policy"])
def test_shortcut_equals_the_full_pack(baseline: Baseline, case_id: str) -> None:
    m = next(m for m in MUTATIONS if m.id == case_id)
    full = baseline.pack.analyze(apply(baseline.resources, m))
    shortcut = mandatory_findings(baseline, replace(m, expected=frozenset({"multi-region"})))  # forces the stack pass
    assert {(v.policy, v.urn, v.message) for v in full if v.level == "mandatory"} == \
        {(v.policy, v.urn, v.message) for v in shortcut}
    assert full


@pytest.mark.parametrize("case_id", ["openai-private-endpoint-removed", "gateway-diagnostic-setting-removed"])
def test_expected_stack_policies_alone_find_what_the_stack_pack_finds(baseline: Baseline, case_id: str) -> None:
    """The shortcut of `only_expected`: a pack of the expected stack policies alone reports, on the
    mutated stack, exactly the findings of those policies in the whole stack pass."""
    m = next(m for m in MUTATIONS if m.id == case_id)
    mutated = apply(baseline.resources, m)
    subset = baseline.stack_pack_of(m.expected)
    assert set(subset.policies) == {p for p in m.expected if baseline.pack.policies[p].kind == "stack"}
    assert subset.levels == {p: baseline.stack_pack.levels[p] for p in subset.policies}
    whole = {(v.policy, v.level, v.urn, v.message) for v in baseline.stack_pack.analyze(mutated)
             if v.policy in m.expected}
    assert whole and whole == {(v.policy, v.level, v.urn, v.message) for v in subset.analyze(mutated)}


def test_mutations_do_not_touch_the_recorded_inputs(baseline: Baseline) -> None:
    before = copy.deepcopy([(r.inputs, r.property_dependencies, r.protect) for r in baseline.resources])
    for m in MUTATIONS:
        apply(baseline.resources, m)
    assert [(r.inputs, r.property_dependencies, r.protect) for r in baseline.resources] == before
