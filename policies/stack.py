"""Stack policies: rules only the whole deployment shows (relations between resources).

Resources are related through property dependencies (the URNs an input was computed from, known
during preview even when the ids are not) and, failing those, through ARM id strings. When a
relation cannot be resolved because a value is unknown, the check stays silent rather than
report a false violation. Each check builds its lookups once, so it is linear in the stack size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, PolicyResource, Severity, StackValidationArgs

from .framework import Config, by_type, stack_policy
from .inputs import (
    ARM_PATHS,
    TYPE_OF_ARM,
    UNKNOWN,
    arm_key,
    arm_type,
    depends_on,
    entries,
    get,
    id_key,
    items,
    region,
    text,
)
from .monitoring import AUDIT_CATEGORIES, RETIRED_WEB_TEST_KINDS, audit_gap

Finding = tuple[str, str | None]

RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
DNS_ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
TM_PROFILE = "azure-native:trafficmanager:Profile"
TM_ENDPOINT = "azure-native:trafficmanager:Endpoint"
VNET = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
MANAGED_ENVIRONMENT = "azure-native:app:ManagedEnvironment"
CONTAINER_APP = "azure-native:app:ContainerApp"
WEB_APP = "azure-native:web:WebApp"
OPENAI = "azure-native:cognitiveservices:Account"
REDIS = ("azure-native:redisenterprise:RedisEnterprise", "azure-native:redis:Redis")
APP_INSIGHTS = "azure-native:applicationinsights:Component"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
QUERY_ALERT = "azure-native:monitor:ScheduledQueryRule"
WORKBOOK = "azure-native:applicationinsights:Workbook"
PORTAL_DASHBOARD = "azure-native:portal:Dashboard"
WEB_TEST = "azure-native:applicationinsights:WebTest"
BUDGETS = ("azure-native:consumption:Budget", "azure-native:costmanagement:Budget")
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
DEFENDER_PRICING = "azure-native:security:Pricing"
GROUP_LOCK = "azure-native:authorization:ManagementLockAtResourceGroupLevel"
SCOPE_LOCK = "azure-native:authorization:ManagementLockByScope"
# Basic-auth publishing credential policies of a site (the `name` input is the site's name), and of its slots.
BASIC_AUTH_POLICIES: dict[str, str] = {"azure-native:web:WebAppFtpAllowed": "FTP",
                                       "azure-native:web:WebAppScmAllowed": "SCM"}
SLOT_BASIC_AUTH_POLICIES: dict[str, str] = {"azure-native:web:WebAppFtpAllowedSlot": "FTP",
                                            "azure-native:web:WebAppScmAllowedSlot": "SCM"}
# Lock levels that stop a delete (ReadOnly also stops every change).
DELETE_LOCKS = frozenset({"cannotdelete", "readonly"})

# Data planes that take a private endpoint, and where each keeps `publicNetworkAccess`.
PRIVATE_LINK_TARGETS: dict[str, tuple[str, ...]] = {
    "azure-native:cognitiveservices:Account": ("properties", "publicNetworkAccess"),
    "azure-native:keyvault:Vault": ("properties", "publicNetworkAccess"),
    "azure-native:redisenterprise:RedisEnterprise": ("publicNetworkAccess",),
    "azure-native:redis:Redis": ("publicNetworkAccess",),
    "azure-native:storage:StorageAccount": ("publicNetworkAccess",),
    "azure-native:servicebus:Namespace": ("publicNetworkAccess",),
    "azure-native:eventhub:Namespace": ("publicNetworkAccess",),
}

# Types whose Azure resource supports diagnostic settings and whose logs or metrics matter.
# Azure Managed Redis logs connections on the database (the cluster only has metrics).
# Workspace-based App Insights is left out: its telemetry already lands in the workspace, and a
# diagnostic setting would ingest it twice.
DIAGNOSTIC_TYPES: tuple[str, ...] = (
    "azure-native:cognitiveservices:Account", "azure-native:keyvault:Vault",
    "azure-native:redisenterprise:Database", "azure-native:redis:Redis",
    "azure-native:network:ApplicationGateway", "azure-native:network:PublicIPAddress",
    "azure-native:network:NetworkSecurityGroup", "azure-native:trafficmanager:Profile",
    "azure-native:app:ManagedEnvironment", "azure-native:storage:StorageAccount",
    "azure-native:eventhub:Namespace", "azure-native:servicebus:Namespace", "azure-native:web:WebApp",
    "azure-native:dataprotection:BackupVault", "azure-native:operationalinsights:Workspace",
)

# Resources that use a public IP for something other than serving web traffic.
NON_WEB_IP_USERS: tuple[str, ...] = (
    "azure-native:network:NatGateway", "azure-native:network:BastionHost", "azure-native:network:AzureFirewall",
    "azure-native:network:VirtualNetworkGateway",
)

# Subnets Azure refuses an NSG on.
NSG_FORBIDDEN_SUBNETS: tuple[str, ...] = (
    "GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet")

# A stack holding any of these serves traffic, so it needs alerts, a dashboard and availability tests.
WORKLOAD_TYPES: tuple[str, ...] = (APP_GATEWAY, CONTAINER_APP, WEB_APP, OPENAI, TM_PROFILE)
# Regions that need a Traffic Manager endpoint: where traffic enters.
SERVING_TYPES: tuple[str, ...] = (APP_GATEWAY, MANAGED_ENVIRONMENT, WEB_APP)

ERROR_RATE_METRICS = ["requests/failed", "exceptions/count", "exceptions/server", "Http5xx", "FailedRequests"]
OPENAI_KINDS = ("openai", "aiservices")
OPENAI_THROTTLING_METRICS = ["AzureOpenAIRequests", "ClientErrors", "Ratelimit", "TotalErrors"]


class Stack:
    """One stack's resources with the lookups every check shares, built in one pass."""

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = resources
        self.by_type: dict[str, list[PolicyResource]] = defaultdict(list)
        self.by_key: dict[str, PolicyResource] = {}
        self.group_regions: dict[str, str] = {}  # resource group name -> region
        for r in resources:
            self.by_type[r.resource_type].append(r)
            key = arm_key(r)
            if key:
                self.by_key[key] = r
            if r.resource_type == RESOURCE_GROUP:
                name, location = text(r.props, "resourceGroupName"), text(r.props, "location")
                if isinstance(name, str) and isinstance(location, str):
                    self.group_regions[name] = region(location)

    def of(self, *types: str) -> list[PolicyResource]:
        return [r for t in types for r in self.by_type.get(t, [])]

    def by_id(self, value: Any) -> PolicyResource | None:
        key = id_key(value)
        return self.by_key.get(key) if key else None

    def references(self, r: PolicyResource, prop: str, ids: Iterable[Any]) -> tuple[set[str], bool]:
        """URNs of stack resources that `r` references through input `prop`, given the id values
        found in it; and whether some reference stays unresolved (unknown id, no dependency)."""
        deps = depends_on(r, prop)
        values = list(ids)
        urns = deps | {t.urn for v in values if v is not UNKNOWN and (t := self.by_id(v)) is not None}
        return urns, not deps and _unknown_in(values)

    def region(self, r: PolicyResource) -> Any:
        """The resource's region: its `location`, else its resource group's; UNKNOWN or None."""
        location = get(r.props, "location")
        if location is UNKNOWN or (isinstance(location, str) and location):
            return location if location is UNKNOWN else region(location)
        if r.resource_type == RESOURCE_GROUP:
            return None
        groups = r.property_dependencies.get("resourceGroupName", [])
        if groups:
            return self.region(groups[0])
        name = text(r.props, "resourceGroupName")
        return self.group_regions.get(name) if isinstance(name, str) else None

    def regions(self, resources: Iterable[PolicyResource]) -> set[Any]:
        return {self.region(r) for r in resources} - {None, "global"}


def _unknown_in(values: Iterable[Any]) -> bool:
    return any(v is UNKNOWN for v in values)


def _ids(values: Any, *path: str | int) -> list[Any]:
    """The value at `path` of each element (UNKNOWN for unknown elements)."""
    if values is UNKNOWN:
        return [UNKNOWN]
    return [UNKNOWN if v is UNKNOWN else get(v, *path) for v in values]


# --- SEC-3 -------------------------------------------------------------------------------------

def _private_endpoint_coverage(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    endpoints_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for pe in stack.of(PRIVATE_ENDPOINT):
        for prop in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
            urns, unresolved = stack.references(pe, prop, _ids(items(pe.props, prop), "privateLinkServiceId"))
            blind = blind or unresolved
            for urn in urns:
                endpoints_of[urn].append(pe)
    targets_of: dict[str, list[PolicyResource]] = defaultdict(list)
    for target in stack.of(*PRIVATE_LINK_TARGETS):
        for pe in endpoints_of.get(target.urn, []):
            targets_of[pe.urn].append(target)
        if text(target.props, *PRIVATE_LINK_TARGETS[target.resource_type]) != "disabled":
            continue  # public (flagged by resource policies) or unknown: it may not need an endpoint yet
        if not endpoints_of.get(target.urn) and not blind:
            yield (f"'{target.name}' ({target.resource_type}) has public network access disabled but no "
                   "private endpoint connects to it, so nothing can reach it", target.urn)
    zoned, zones_blind = _zone_grouped_endpoints(stack)
    if config["dnsManagedByPolicy"] or zones_blind:
        return
    # Every endpoint, whatever its target's public access: once that access is closed, an endpoint
    # without DNS records leaves clients resolving the public address.
    for pe in stack.of(PRIVATE_ENDPOINT):
        if pe.urn not in zoned:
            targets = targets_of.get(pe.urn)
            shown = f" for '{targets[0].name}'" if targets else ""
            yield (f"private endpoint '{pe.name}'{shown} has no private DNS zone group, so clients resolve the "
                   "public address", pe.urn)


def _zone_grouped_endpoints(stack: Stack) -> tuple[set[str], bool]:
    """URNs of private endpoints that have a DNS zone group, and whether some group's endpoint is unknown."""
    by_name: dict[tuple[Any, Any], str] = {
        (text(pe.props, "resourceGroupName"), text(pe.props, "privateEndpointName")): pe.urn
        for pe in stack.of(PRIVATE_ENDPOINT)}
    zoned: set[str] = set()
    blind = False
    for group in stack.of(DNS_ZONE_GROUP):
        urns = depends_on(group, "privateEndpointName")
        name = text(group.props, "privateEndpointName")
        if not urns and isinstance(name, str):
            found = by_name.get((text(group.props, "resourceGroupName"), name))
            urns = {found} if found else set()
        blind = blind or (not urns and name is UNKNOWN)
        zoned |= urns
    return zoned, blind


# --- SEC-1 -------------------------------------------------------------------------------------

def _basic_auth_disabled(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    sites = stack.of(WEB_APP)
    site_urns = {s.urn for s in sites}
    by_name = {(text(s.props, "resourceGroupName"), text(s.props, "name")): s.urn for s in sites}
    declared: dict[str, set[str]] = defaultdict(set)  # site urn -> endpoints with a basic-auth policy
    blind = False
    for token, endpoint in {**BASIC_AUTH_POLICIES, **SLOT_BASIC_AUTH_POLICIES}.items():
        for policy in stack.of(token):
            allow = get(policy.props, "allow")
            if allow is not UNKNOWN and allow is not False:
                yield (f"'{policy.name}' ({token}) lets {endpoint} sign in with basic-auth publishing credentials "
                       f"(allow is {'absent' if allow is None else allow}); set allow to false", policy.urn)
            if token in SLOT_BASIC_AUTH_POLICIES:
                continue
            urns = depends_on(policy, "name") & site_urns
            key = (text(policy.props, "resourceGroupName"), text(policy.props, "name"))
            if not urns and UNKNOWN in key:
                blind = True
            elif not urns and key in by_name:
                urns = {by_name[key]}
            for urn in urns:
                declared[urn].add(endpoint)
    if blind:
        return
    for site in sites:
        missing = sorted(set(BASIC_AUTH_POLICIES.values()) - declared[site.urn])
        if missing:
            yield (f"web app '{site.name}' does not turn off basic-auth publishing credentials for "
                   f"{' and '.join(missing)}, which Azure allows by default", site.urn)


# --- MON-6 / COMP-2 ----------------------------------------------------------------------------

_AUDITED = {token: arm for arm, token in TYPE_OF_ARM.items() if arm in AUDIT_CATEGORIES}


def _diagnostic_settings_coverage(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    settings_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for setting in stack.of(DIAGNOSTIC_SETTING):
        uri = get(setting.props, "resourceUri")
        deps = setting.property_dependencies.get("resourceUri", [])
        if isinstance(uri, str):
            target = stack.by_id(uri)
            # A known uri names the exact target: a dependency counts only if it is that type
            # (a setting on `<account id>/blobServices/default` does not cover the account).
            urns = {target.urn} if target else {d.urn for d in deps if _arm_of(d.resource_type) == arm_type(uri)}
        else:
            urns = {d.urn for d in deps}
            blind = blind or not urns
        for urn in urns:
            settings_of[urn].append(setting)
    for r in stack.of(*config["resourceTypes"]):
        settings = settings_of.get(r.urn, [])
        if not settings:
            if not blind and not _logs_flow_natively(r):
                yield (f"'{r.name}' ({r.resource_type}) has no diagnostic setting sending its logs to Log "
                       "Analytics", r.urn)
            continue
        # Settings whose resourceUri is known are checked one by one by diagnostic-setting-audit-categories.
        if r.resource_type in _AUDITED and not any(isinstance(get(s.props, "resourceUri"), str) for s in settings):
            gaps = [audit_gap(s.props, _AUDITED[r.resource_type]) for s in settings]
            if all(gaps):
                yield (f"the diagnostic setting of '{r.name}' {gaps[0]}", r.urn)


def _arm_of(token: str) -> str:
    path = ARM_PATHS.get(token)
    return arm_type("/providers/" + path) if path else ""


def _logs_flow_natively(r: PolicyResource) -> bool:
    """A Container Apps environment with the `log-analytics` destination writes its logs to the
    workspace itself; Azure offers diagnostic settings only for the `azure-monitor` destination."""
    return (r.resource_type == MANAGED_ENVIRONMENT
            and text(r.props, "appLogsConfiguration", "destination") == "log-analytics")


# --- SEC-6 -------------------------------------------------------------------------------------

def _waf_fronts_public_ips(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    gateways_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for gateway in stack.of(APP_GATEWAY):
        frontends = items(gateway.props, "frontendIPConfigurations")
        urns, unresolved = stack.references(
            gateway, "frontendIPConfigurations", _ids(frontends, "publicIPAddress", "id"))
        blind = blind or unresolved
        for urn in urns:
            gateways_of[urn].append(gateway)
    exempt = {dep.urn for user in stack.of(*NON_WEB_IP_USERS)
              for deps in user.property_dependencies.values() for dep in deps}
    for ip in stack.of(PUBLIC_IP):
        if ip.urn in exempt:
            continue
        gateways = gateways_of.get(ip.urn)
        if not gateways:
            if not blind:
                yield (f"public IP '{ip.name}' is not the frontend of an Application Gateway, so it is a public "
                       "entry point without a WAF", ip.urn)
        elif not any(_has_waf_policy(g) for g in gateways):
            yield (f"public IP '{ip.name}' is fronted by Application Gateway '{gateways[0].name}', which has no "
                   "WAF policy (firewallPolicy)", ip.urn)


def _has_waf_policy(gateway: PolicyResource) -> bool:
    policy = get(gateway.props, "firewallPolicy", "id")
    return policy is UNKNOWN or bool(policy) or bool(depends_on(gateway, "firewallPolicy"))


# --- COST-1, COMP-3, COMP-4 --------------------------------------------------------------------

# Static hosting, and what a CDN / Front Door origin that serves it looks like.
STATIC_HOSTS = ("azure-native:storage:StorageAccountStaticWebsite", "azure-native:web:StaticSite")
CDN_ORIGINS = ("azure-native:cdn:AFDOrigin", "azure-native:cdn:Endpoint", "azure-native:cdn:Origin")
POSTGRES_SERVERS = ("azure-native:dbforpostgresql:Server",)
POSTGRES_CONFIGURATION = "azure-native:dbforpostgresql:Configuration"


def _static_behind_cdn(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    hosts = by_type(args.resources, *STATIC_HOSTS)
    if not hosts:
        return
    served: set[str] = set()
    for origin in by_type(args.resources, *CDN_ORIGINS):
        served.update(dep.urn for dep in origin.dependencies)
        served.update(dep.urn for deps in origin.property_dependencies.values() for dep in deps)
    for host in hosts:
        # A storage static website is served from its account: an origin built from either counts.
        account = {dep.urn for dep in host.dependencies}
        if host.urn not in served and not account & served:
            yield (f"static content '{host.name}' is served without a CDN / Front Door origin in front of it", host.urn)


def _postgres_pooling(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    servers = by_type(args.resources, *POSTGRES_SERVERS)
    if not servers:
        return
    pooled: set[str] = set()
    for cfg in by_type(args.resources, POSTGRES_CONFIGURATION):
        name, value = text(cfg.props, "configurationName"), text(cfg.props, "value")
        if name is UNKNOWN or value is UNKNOWN:
            pooled.update(depends_on(cfg, "serverName"))  # cannot tell in preview: no false report
        elif name == "pgbouncer.enabled" and str(value).lower() == "true":
            pooled.update(depends_on(cfg, "serverName"))
    for server in servers:
        if server.urn not in pooled:
            yield (f"PostgreSQL server '{server.name}' has no built-in connection pooling "
                   "(configuration pgbouncer.enabled = true)", server.urn)


def _budget_exists(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    if not by_type(args.resources, *BUDGETS):
        yield ("the stack declares no budget (consumption:Budget); spend would go unnoticed", None)


def _policy_assigned(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    if not by_type(args.resources, POLICY_ASSIGNMENT):
        yield ("the stack assigns no Azure Policy (authorization:PolicyAssignment); nothing enforces the "
               "baseline on changes made outside Pulumi", None)


def _defender_plans(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    tiers: dict[str, Any] = {}
    for pricing in by_type(args.resources, DEFENDER_PRICING):
        name = text(pricing.props, "pricingName")
        tiers[name if isinstance(name, str) else pricing.name.lower()] = text(pricing.props, "pricingTier")
    enabled = {name for name, tier in tiers.items() if tier in ("standard", UNKNOWN)}
    if not enabled:
        yield ("no Defender for Cloud plan is enabled (security:Pricing with pricingTier 'Standard')", None)
    missing = [p for p in config["requiredPlans"] if p.lower() not in enabled]
    if enabled and missing:
        yield (f"Defender for Cloud plan(s) {', '.join(missing)} are not enabled at the Standard tier", None)


# --- REL-1 -------------------------------------------------------------------------------------

def _multi_region(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    # Where traffic is served (a secondary storage account elsewhere is no second region), else
    # wherever anything is deployed.
    regions = stack.regions(stack.of(*SERVING_TYPES)) or stack.regions(stack.resources)
    if UNKNOWN in regions:
        return
    wanted = int(config["minRegions"])
    if len(regions) < wanted:
        yield (f"the stack serves from {len(regions)} region(s) ({', '.join(sorted(regions)) or 'none'}); "
               f"at least {wanted} are required", None)
    if not config["requireTrafficManager"] or len(regions) < 2:
        return
    if not stack.of(TM_PROFILE):
        yield ("no Traffic Manager profile routes traffic between the regions", None)
        return
    covered, unsure = _endpoint_regions(stack)
    if unsure:
        return
    for missing in sorted(regions - covered):
        yield (f"region '{missing}' serves traffic but no Traffic Manager endpoint points to it", None)


def _endpoint_regions(stack: Stack) -> tuple[set[Any], bool]:
    """Regions that Traffic Manager endpoints (inline or standalone) point to, and whether some
    endpoint's region cannot be told."""
    covered: set[Any] = set()
    unsure = False

    def add(endpoints: list[Any], deps: list[PolicyResource]) -> None:
        nonlocal unsure
        covered.update(stack.region(d) for d in deps if d.resource_type != RESOURCE_GROUP)
        for e in endpoints:
            location = text(e, "endpointLocation")
            target = stack.by_id(get(e, "targetResourceId"))
            if isinstance(location, str) and location:
                covered.add(region(location))
            elif target is not None:
                covered.add(stack.region(target))
            elif not deps:
                unsure = True  # an external target without a location, or unknown values

    for profile in stack.of(TM_PROFILE):
        endpoints = items(profile.props, "endpoints")
        if endpoints is UNKNOWN:
            unsure = True
        else:
            add(endpoints, profile.property_dependencies.get("endpoints", []))
    for endpoint in stack.of(TM_ENDPOINT):
        deps = endpoint.property_dependencies
        add([endpoint.props], [*deps.get("targetResourceId", []), *deps.get("target", [])])
    return covered - {None}, unsure


# --- REL-2 -------------------------------------------------------------------------------------

def _group_name_of_scope(scope: Any) -> str | None:
    """The resource group an ARM scope names, if the scope is exactly a resource group."""
    if not isinstance(scope, str):
        return None
    parts = scope.strip("/").lower().split("/")
    return parts[3] if len(parts) == 4 and parts[0] == "subscriptions" and parts[2] == "resourcegroups" else None


def _resource_group_locks(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    if not config["requireResourceGroupLocks"]:
        return
    stack = Stack(args.resources)
    groups = stack.of(RESOURCE_GROUP)
    group_urns = {g.urn for g in groups}
    by_name = {text(g.props, "resourceGroupName"): g.urn for g in groups}
    locked: set[str] = set()
    blind = False
    for lock in stack.of(GROUP_LOCK, SCOPE_LOCK):
        level = text(lock.props, "level")
        if level is not UNKNOWN and level not in DELETE_LOCKS:
            continue
        if lock.resource_type == GROUP_LOCK:
            prop, name = "resourceGroupName", text(lock.props, "resourceGroupName")
        else:
            # A scope computed from a group's id may name a resource inside it: only an unknown
            # scope falls back to the dependency.
            prop, name = "scope", _group_name_of_scope(get(lock.props, "scope"))
        value = get(lock.props, prop)
        urns = depends_on(lock, prop) & group_urns if value is UNKNOWN or lock.resource_type == GROUP_LOCK else set()
        if not urns and isinstance(name, str) and name in by_name:
            urns = {by_name[name]}
        blind = blind or (not urns and value is UNKNOWN)
        locked |= urns
    if blind:
        return
    for group in groups:
        if group.urn not in locked:
            yield (f"resource group '{group.name}' has no CanNotDelete lock: deleting the group (or a replace of "
                   "a stateful resource in it) goes through at once", group.urn)


# --- SEC-4 -------------------------------------------------------------------------------------

def _nsg_on_every_subnet(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    exempt = {s.lower() for s in config["exemptSubnets"]}

    def lacks_nsg(subnet: Any) -> bool:
        nsg = get(subnet, "networkSecurityGroup", "id")
        return nsg is not UNKNOWN and not nsg

    for vnet in by_type(args.resources, VNET):
        subnets = items(vnet.props, "subnets")
        if subnets is UNKNOWN:
            continue
        for s in subnets:
            name = text(s, "name")
            if s is UNKNOWN or name is UNKNOWN or name in exempt or not lacks_nsg(s):
                continue
            yield (f"subnet '{get(s, 'name')}' of virtual network '{vnet.name}' has no network security group",
                   vnet.urn)
    for subnet in by_type(args.resources, SUBNET):
        name = text(subnet.props, "subnetName") or text(subnet.props, "name") or subnet.name.lower()
        if name is UNKNOWN or name in exempt or not lacks_nsg(subnet.props):
            continue
        yield (f"subnet '{subnet.name}' has no network security group", subnet.urn)


# --- PERF-2 ------------------------------------------------------------------------------------

def _redis_in_each_region(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    caches = stack.regions(stack.of(*REDIS))
    if UNKNOWN in caches:
        return
    for environment in stack.of(MANAGED_ENVIRONMENT):
        where = stack.region(environment)
        if isinstance(where, str) and where not in caches:
            yield (f"container apps environment '{environment.name}' in {where} has no Redis cache in its region",
                   environment.urn)


# --- MON-2..MON-5, COST-5 ----------------------------------------------------------------------

def _serves_traffic(stack: Stack) -> bool:
    return bool(stack.of(*WORKLOAD_TYPES))


def _wired(alert: PolicyResource) -> bool:
    """Enabled (or unknown) and notifying an action group (or unknown)."""
    actions = items(alert.props, "actions")
    if get(alert.props, "enabled") is False or not actions:
        return False
    return actions is UNKNOWN or any(a is UNKNOWN or get(a, "actionGroupId") for a in actions)


def _metric_names(alert: PolicyResource) -> set[Any]:
    criteria = items(alert.props, "criteria", "allOf")
    if criteria is UNKNOWN:
        return {UNKNOWN}
    return {UNKNOWN if c is UNKNOWN else text(c, "metricName") for c in criteria}


def _alerts_wired(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    alerts = [a for a in stack.of(METRIC_ALERT) if _wired(a)]
    error_metrics = {m.lower() for m in config["errorRateMetrics"]}
    throttling = {m.lower() for m in config["openaiThrottlingMetrics"]}
    names_of = {a.urn: _metric_names(a) for a in alerts}
    if not any(UNKNOWN in names or names & error_metrics for names in names_of.values()):
        yield (f"no enabled metric alert on the error rate ({', '.join(config['errorRateMetrics'])}) notifies an "
               "action group", None)
    alerted: dict[str, set[Any]] = defaultdict(set)  # target urn -> metric names alerted on
    blind = False
    for alert in alerts:
        scopes = items(alert.props, "scopes")
        urns, unresolved = stack.references(alert, "scopes", [UNKNOWN] if scopes is UNKNOWN else scopes)
        blind = blind or unresolved
        for urn in urns:
            alerted[urn] |= names_of[alert.urn]
    if blind:
        return
    for account in stack.of(OPENAI):
        if text(account.props, "kind") not in OPENAI_KINDS:
            continue
        names = alerted.get(account.urn, set())
        if UNKNOWN not in names and not names & throttling:
            yield (f"OpenAI account '{account.name}' has no enabled throttling alert "
                   f"({', '.join(config['openaiThrottlingMetrics'])}) wired to an action group", account.urn)
    for cache in stack.of(*REDIS):
        if not alerted.get(cache.urn):
            yield (f"Redis cache '{cache.name}' has no enabled metric alert wired to an action group", cache.urn)


def _custom_metric_alert(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    for alert in stack.of(METRIC_ALERT):
        criteria = items(alert.props, "criteria", "allOf")
        if criteria is UNKNOWN:
            return
        for c in criteria:
            namespace = UNKNOWN if c is UNKNOWN else text(c, "metricNamespace")
            # Custom metrics live outside the `Microsoft.*` platform namespaces; an alert created
            # before its metric is first emitted must skip Azure's metric validation.
            if namespace is UNKNOWN or (namespace and not namespace.startswith("microsoft.")) \
                    or get(c, "skipMetricValidation") is True:
                return
    for rule in stack.of(QUERY_ALERT):
        criteria = items(rule.props, "criteria", "allOf")
        queries = [UNKNOWN] if criteria is UNKNOWN else [text(c, "query") for c in criteria]
        if any(q is UNKNOWN or (q and "custommetrics" in q) for q in queries):
            return
    yield ("no alert watches a custom metric (a metric alert criterion with a custom metricNamespace such "
           "as 'azure.applicationinsights' or skipMetricValidation, or a log alert on customMetrics)", None)


def _strings(value: Any) -> Iterable[Any]:
    """Every string inside a value (UNKNOWN for unknown parts)."""
    if value is UNKNOWN or isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        listed = entries(value)
        yield from [UNKNOWN] if listed is UNKNOWN else (s for _, v in listed for s in _strings(v))
    elif isinstance(value, Sequence):
        listed = items(value)
        yield from [UNKNOWN] if listed is UNKNOWN else (s for v in listed for s in _strings(v))


def _dashboard_exists(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    boards = stack.of(WORKBOOK, PORTAL_DASHBOARD)
    if not boards:
        yield ("the stack has no workbook or portal dashboard for its AI metrics", None)
        return
    terms = [t.lower() for t in config["requiredTerms"]]
    for board in boards:
        field = "serializedData" if board.resource_type == WORKBOOK else "properties"
        content = list(_strings(get(board.props, field)))
        if UNKNOWN in content:
            return
        joined = " ".join(content).lower()
        if all(t in joined for t in terms):
            return
    yield (f"no workbook or dashboard shows {' and '.join(terms)} (the seed's token-usage and cost-per-hour tiles)",
           None)


def _availability_test_exists(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    if not _serves_traffic(stack):
        return
    for test in stack.of(WEB_TEST):
        kind, enabled = text(test.props, "webTestKind"), get(test.props, "enabled")
        if kind not in RETIRED_WEB_TEST_KINDS and enabled is not False:
            return
    yield ("no enabled standard availability test probes the service's health endpoint", None)


private_endpoint_coverage = stack_policy(
    name="private-endpoint-coverage",
    description="Every data plane with public access disabled has a private endpoint targeting it, and every "
                "private endpoint has a private DNS zone group.",
    checklist=["SEC-3"],
    severity=Severity.HIGH,
    remediation="Create a network:PrivateEndpoint whose `private_link_service_connections[].private_link_service_id` "
                "is the resource's id (components.private_endpoint.private_endpoint does this) and a "
                "network:PrivateDnsZoneGroup on it; set `dnsManagedByPolicy` if Azure Policy writes the records.",
    check=_private_endpoint_coverage,
    config={"dnsManagedByPolicy": {"type": "boolean", "default": False}},
)

web_app_basic_auth_disabled = stack_policy(
    name="web-app-basic-auth-disabled",
    description="Web and function apps turn off basic-auth publishing credentials for FTP and SCM/Kudu (and no "
                "slot turns them on): deployments authenticate with Entra ID.",
    checklist=["SEC-1"],
    severity=Severity.HIGH,
    remediation="Declare `web.WebAppFtpAllowed` and `web.WebAppScmAllowed` (`...Slot` for slots) with "
                "`name=<site>.name` and `allow=False` for every site, and deploy with an identity-based method "
                "(e.g. a user-assigned identity with 'Website Contributor', or the storage deployment of Flex "
                "Consumption).",
    check=_basic_auth_disabled,
)

resource_group_locks = stack_policy(
    name="resource-group-locks",
    description="Every resource group the stack declares carries a CanNotDelete lock (where the environment "
                "requires it), so state survives a mistaken delete of the group or the stack.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Declare `authorization.ManagementLockAtResourceGroupLevel(resource_group_name=<group>.name, "
                "level='CanNotDelete', notes=<break-glass procedure>)` for each group; `requireResourceGroupLocks` "
                "is true in prod.",
    check=_resource_group_locks,
    config={"requireResourceGroupLocks": {"type": "boolean", "default": False}},
)

diagnostic_settings_coverage = stack_policy(
    name="diagnostic-settings-coverage",
    description="Every resource whose type supports diagnostic settings has one (with audit logs where the "
                "service has them).",
    checklist=["MON-6", "COMP-2"],
    severity=Severity.MEDIUM,
    remediation="Add a monitor:DiagnosticSetting with `resource_uri=<resource>.id` and `workspace_id` of the "
                "region's workspace (components.diagnostics.diagnostic_setting); tune `resourceTypes` to change "
                "which types need one.",
    check=_diagnostic_settings_coverage,
    config={"resourceTypes": {"type": "array", "items": {"type": "string"}, "default": list(DIAGNOSTIC_TYPES)}},
)

waf_fronts_public_ips = stack_policy(
    name="waf-fronts-public-ips",
    description="Every public IP serving traffic is the frontend of an Application Gateway with a WAF policy.",
    checklist=["SEC-6"],
    severity=Severity.CRITICAL,
    remediation="Attach the public IP to an Application Gateway (WAF_v2) frontend IP configuration and set the "
                "gateway's `firewall_policy` to a WebApplicationFirewallPolicy; remove public IPs from anything "
                "else (NAT gateways, Bastion, Azure Firewall and VPN gateways are exempt).",
    check=_waf_fronts_public_ips,
)

static_content_behind_cdn = stack_policy(
    name="static-content-behind-cdn",
    description="Static content (storage static websites, Static Web Apps) is served through a CDN / Front Door.",
    checklist=["PERF-4"],
    severity=Severity.MEDIUM,
    remediation="Put an Azure Front Door (cdn:Profile + AFDEndpoint + AFDOriginGroup + AFDOrigin whose host_name "
                "is the site's host) in front of the static site; this stack itself serves no static content "
                "(the web frontend is out of its scope, see docs/operations.md#process-items).",
    check=_static_behind_cdn,
)

postgres_connection_pooling = stack_policy(
    name="postgres-connection-pooling",
    description="Every PostgreSQL flexible server has built-in connection pooling (PgBouncer) enabled.",
    checklist=["PERF-5"],
    severity=Severity.MEDIUM,
    remediation="Declare dbforpostgresql:Configuration(configuration_name='pgbouncer.enabled', value='true', "
                "source='user-override', server_name=<server>.name) and connect through port 6432.",
    check=_postgres_pooling,
)

budget_exists = stack_policy(
    name="budget-exists",
    description="The stack declares a cost budget.",
    checklist=["COST-1"],
    severity=Severity.MEDIUM,
    remediation="Declare a consumption:Budget (components/budget.py) for the environment with Actual and "
                "Forecasted notifications.",
    check=_budget_exists,
)

multi_region = stack_policy(
    name="multi-region",
    description="The stack spans the required number of regions behind Traffic Manager, one endpoint per "
                "serving region.",
    checklist=["REL-1", "PERF-3"],
    severity=Severity.HIGH,
    remediation="Deploy a regional stamp per region (`network.regions` in the stack config) and a "
                "trafficmanager:Profile with an endpoint targeting each region's gateway public IP.",
    check=_multi_region,
    config={"minRegions": {"type": "integer", "minimum": 1, "default": 2},
            "requireTrafficManager": {"type": "boolean", "default": True}},
    # Single-region stacks are legitimate outside production; prod.json makes this mandatory.
    level=EnforcementLevel.ADVISORY,
)

nsg_on_every_subnet = stack_policy(
    name="nsg-on-every-subnet",
    description="Every subnet, inline or standalone, has a network security group (except where Azure forbids).",
    checklist=["SEC-4"],
    severity=Severity.HIGH,
    remediation="Set `network_security_group=NetworkSecurityGroupArgs(id=<nsg id>)` on the subnet; the subnets "
                "listed in `exemptSubnets` (Azure refuses NSGs there) are skipped.",
    check=_nsg_on_every_subnet,
    config={"exemptSubnets": {"type": "array", "items": {"type": "string"}, "default": list(NSG_FORBIDDEN_SUBNETS)}},
)

redis_in_each_region = stack_policy(
    name="redis-in-each-region",
    description="Every region running a Container Apps environment has a Redis cache.",
    checklist=["PERF-2"],
    severity=Severity.MEDIUM,
    remediation="Add a RedisCache (Azure Managed Redis) to each regional stamp that runs container apps.",
    check=_redis_in_each_region,
)

alerts_wired = stack_policy(
    name="alerts-wired",
    description="Metric alerts on the error rate, OpenAI throttling and each Redis cache notify an action group.",
    checklist=["MON-3"],
    severity=Severity.MEDIUM,
    remediation="Add enabled monitor:MetricAlert rules with `actions=[...action_group_id...]`: failed requests "
                "on App Insights, throttling (AzureOpenAIRequests 429 / ClientErrors) on each OpenAI account, and "
                "server load or memory on each Redis cache; tune the metric lists in the pack config.",
    check=_alerts_wired,
    config={"errorRateMetrics": {"type": "array", "items": {"type": "string"}, "default": ERROR_RATE_METRICS},
            "openaiThrottlingMetrics": {"type": "array", "items": {"type": "string"},
                                        "default": OPENAI_THROTTLING_METRICS}},
)

custom_metric_alert = stack_policy(
    name="custom-metric-alert",
    description="An alert watches a custom AI metric (e.g. tokens used).",
    checklist=["MON-2"],
    severity=Severity.LOW,
    remediation="Add a metric alert with a criterion `metric_namespace='azure.applicationinsights'` and "
                "`metric_name='openai_tokens_used'` (`skip_metric_validation=True` until the metric is emitted).",
    check=_custom_metric_alert,
)

dashboard_exists = stack_policy(
    name="dashboard-exists",
    description="A workbook or portal dashboard shows the AI workload, including token usage and cost.",
    checklist=["MON-4", "COST-5"],
    severity=Severity.LOW,
    remediation="Add an applicationinsights:Workbook whose tiles chart request volume, latency, tokens and cost "
                "per hour (its `serialized_data` must mention each of `requiredTerms`).",
    check=_dashboard_exists,
    config={"requiredTerms": {"type": "array", "items": {"type": "string"}, "default": ["token", "cost"]}},
)

availability_test_exists = stack_policy(
    name="availability-test-exists",
    description="An enabled standard availability test probes the service.",
    checklist=["MON-5"],
    severity=Severity.MEDIUM,
    remediation="Add an applicationinsights:WebTest of kind 'standard' against https://<public entry>/health "
                "from at least two locations.",
    check=_availability_test_exists,
)

azure_policy_assigned = stack_policy(
    name="azure-policy-assigned",
    description="The stack assigns Azure Policy, so the baseline also holds for changes made outside Pulumi.",
    checklist=["COMP-3"],
    severity=Severity.LOW,
    remediation="Declare an authorization:PolicyAssignment (e.g. the built-in 'Allowed locations' definition "
                "e56962a6-4747-49cd-b67b-bf8b01975c4c) at the resource group or subscription scope.",
    check=_policy_assigned,
    # Assignments often belong to a platform team's subscription baseline rather than the workload.
    level=EnforcementLevel.ADVISORY,
)

defender_plans_enabled = stack_policy(
    name="defender-plans-enabled",
    description="Defender for Cloud plans protect the workload's services.",
    checklist=["COMP-4"],
    severity=Severity.LOW,
    remediation="Declare security:Pricing resources with `pricing_tier='Standard'` for the plans in "
                "`requiredPlans` (e.g. AI, KeyVaults, StorageAccounts, Containers), or leave them to the "
                "subscription baseline and keep this advisory.",
    check=_defender_plans,
    config={"requiredPlans": {"type": "array", "items": {"type": "string"}, "default": []}},
    # Plans are subscription-wide; a workload stack usually inherits them.
    level=EnforcementLevel.ADVISORY,
)

POLICIES: list[Policy] = [
    private_endpoint_coverage, web_app_basic_auth_disabled, resource_group_locks, diagnostic_settings_coverage,
    waf_fronts_public_ips, budget_exists, multi_region, nsg_on_every_subnet, redis_in_each_region, alerts_wired,
    custom_metric_alert, dashboard_exists, availability_test_exists, azure_policy_assigned, defender_plans_enabled,
    static_content_behind_cdn, postgres_connection_pooling,
]
