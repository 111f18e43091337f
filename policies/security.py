"""Security (SEC-*) and transport baseline (COMP-4) checked on each resource's own inputs.

Relations between resources (a private endpoint targets each private service, every public IP is
fronted by a WAF gateway, every subnet has an NSG) are stack policies in stack.py; the relations
here are a container app's ingress, which means nothing without its environment and its VNet.
Conventions every check here follows:
  * Azure compares these enum values case-insensitively (and the SDK itself sends Key Vault's
    default as 'enabled'), so values are read lower-cased with `inputs.text`.
  * An absent property means Azure's default; each check says whether that default complies.
    Where the default moved across API versions (TLS floors, App Gateway TLS policy) the setting
    must be explicit: the pack also audits stacks pinned to older API versions.
  * A value unknown during preview (ids of new resources, mostly) is never a violation, and counts
    as set where only presence matters (a gateway's WAF policy id).

Key Vault secret values: the brief asked for a check that `keyvault:Secret` values are Pulumi
secrets. The engine does send secrets to the analyzer wrapped, but pulumi-policy unwraps them
before any validation policy runs (`deserialize_properties` without `proxy_secrets` in Analyze and
AnalyzeStack; only Remediate keeps `pulumi_policy.Secret`), so `Output.secret("x")` and `"x"` are
indistinguishable to a policy. tests/policies/test_security.py pins that behaviour.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from .framework import Config, by_type, resource_policy, stack_policy
from .inputs import UNKNOWN, Unknown, arm_key, depends_on, get, id_key, items, text

COGNITIVE_ACCOUNT = "azure-native:cognitiveservices:Account"
REDIS_ENTERPRISE = "azure-native:redisenterprise:RedisEnterprise"
REDIS_DATABASE = "azure-native:redisenterprise:Database"
CLASSIC_REDIS = "azure-native:redis:Redis"
KEY_VAULT = "azure-native:keyvault:Vault"
NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
SUBNET = "azure-native:network:Subnet"
VNET = "azure-native:network:VirtualNetwork"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy"
CONTAINER_APP = "azure-native:app:ContainerApp"
MANAGED_ENVIRONMENT = "azure-native:app:ManagedEnvironment"
STORAGE = "azure-native:storage:StorageAccount"
EVENT_HUB = "azure-native:eventhub:Namespace"
SERVICE_BUS = "azure-native:servicebus:Namespace"
WEB_APP = "azure-native:web:WebApp"

# Subnets Azure reserves for its gateways, firewalls and Bastion: they hold no private endpoints.
RESERVED_SUBNETS = frozenset({
    "gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "azurebastionsubnet",
    "routeserversubnet",
})
INTERNET_SOURCES = frozenset({"*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0"})

# Built-in roles that can change anything or grant access (the same GUID in every subscription).
PRIVILEGED_ROLE_IDS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
}
_BROAD_SCOPE = re.compile(
    r"^/(subscriptions/[^/]+(/resourcegroups/[^/]+)?|providers/microsoft\.management/managementgroups/[^/]+)?/?$")

# Current App Gateway predefined TLS policies (TLS 1.2+); older ones still accept TLS 1.0/1.1.
CURRENT_SSL_POLICIES = frozenset({"appgwsslpolicy20220101", "appgwsslpolicy20220101s"})
# Oldest managed rule set version still counted as current, per rule set type.
MIN_RULE_SET_VERSION = {"owasp": (3, 2), "microsoft_defaultruleset": (2, 0)}

# A name whose last word says "credential" (API_KEY, ClientSecret, DB_PASSWORD, SAS_TOKEN,
# ConnectionString), anchored at the end so KEY_VAULT_URI or MAX_TOKENS are not secrets.
SECRET_NAME_PATTERN = r"(KEY|SECRET|PASSWORD|PASSWD|PWD|TOKEN|CONNECTION|CONNECTION_?STRING|CONNSTR)$"
# Values that carry a credential whatever their name (storage/Service Bus/SQL connection strings).
_CREDENTIAL_VALUE = re.compile(r"(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\s*=", re.I)
_KEY_VAULT_REFERENCE = "@microsoft.keyvault("


def _shown(value: Any, default: str = "") -> str:
    """A setting as a message shows it: its declared value, or that it is absent (and what Azure uses then)."""
    if value is None:
        return f"absent (Azure's default: {default})" if default else "absent"
    return f"'{value}'"


def _version(value: Any) -> tuple[int, ...]:
    """'1.2', 'TLS1_2', 'TLSv1_2' -> (1, 2); '3.2' -> (3, 2)."""
    return tuple(int(d) for d in re.findall(r"\d+", str(value))[:2])


def _tls_below(value: Any, floor: tuple[int, int] = (1, 2)) -> bool:
    """A known TLS version below the floor (unknown or absent: no; unreadable: yes)."""
    if value is UNKNOWN or value is None:
        return False
    version = _version(value)
    return not version or version < floor


def _id_name(resource_id: Any) -> str | Unknown | None:
    """The last segment of an ARM id, lower-cased."""
    if resource_id is UNKNOWN or resource_id is None:
        return resource_id
    return str(resource_id).rstrip("/").rsplit("/", 1)[-1].lower()


def _closed(props: Any, *path: str) -> Iterable[str]:
    """The public network access setting at `path` is Disabled (absent: Enabled, Azure's default)."""
    value = get(props, *path)
    if value is not UNKNOWN and str(value).strip().lower() != "disabled":
        yield (f"{'.'.join(path)} is {_shown(value, 'Enabled')}; set it to 'Disabled' and reach the service through "
               "its private endpoint")


def _deny_by_default(props: Any, *path: str) -> Iterable[str]:
    """The firewall's default action at `path` is Deny (absent: Allow, Azure's default)."""
    value = get(props, *path)
    if value is not UNKNOWN and str(value).strip().lower() != "deny":
        yield f"{'.'.join(path)} is {_shown(value, 'Allow')}; set it to 'Deny'"


def _public_access_disabled(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    yield from _closed(args.props, "publicNetworkAccess")


def _properties_closed(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    """Cognitive Services and Key Vault: public access off and the firewall denying by default."""
    yield from _closed(args.props, "properties", "publicNetworkAccess")
    yield from _deny_by_default(args.props, "properties", "networkAcls", "defaultAction")


# --- Cognitive Services -------------------------------------------------------------------------

def _cognitive_keyless(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    disabled = get(args.props, "properties", "disableLocalAuth")
    if disabled is not UNKNOWN and disabled is not True:
        yield "API keys are accepted (properties.disableLocalAuth is not true); authenticate with Entra ID only"


def _cognitive_outbound(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    restricted = get(args.props, "properties", "restrictOutboundNetworkAccess")
    if restricted is not UNKNOWN and restricted is not True:  # absent: false
        yield (f"properties.restrictOutboundNetworkAccess is {_shown(restricted, 'false')}: the account can send "
               "data to any host; set it to true and list the hosts it needs in properties.allowedFqdnList")


def _cognitive_subdomain(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "properties", "customSubDomainName") is None:
        yield ("properties.customSubDomainName is not set; Entra ID tokens and private endpoints need the "
               "account's own subdomain")


# --- Redis ----------------------------------------------------------------------------------------

def _redis_enterprise_tls(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if args.resource_type == REDIS_ENTERPRISE:
        # Absent: Azure Managed Redis creates clusters with TLS 1.2 minimum.
        version = get(args.props, "minimumTlsVersion")
        if _tls_below(version):
            yield f"minimumTlsVersion is '{version}'; set it to '1.2'"
        return
    protocol = text(args.props, "clientProtocol")
    if protocol == "plaintext":  # absent: Encrypted
        yield "clientProtocol is 'Plaintext'; set it to 'Encrypted' so clients connect over TLS only"


def _redis_enterprise_keys(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    # Explicit: the default changed across API versions.
    keys = text(args.props, "accessKeysAuthentication")
    if keys is not UNKNOWN and keys != "disabled":
        shown = _shown(get(args.props, "accessKeysAuthentication"), "depends on the API version")
        yield (f"accessKeysAuthentication is {shown}; set it to 'Disabled' and grant identities "
               "access-policy assignments (Entra ID authentication)")


def _classic_redis_retired(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    yield ("Azure Cache for Redis (classic redis:Redis) no longer accepts new caches; use Azure Managed Redis "
           "(redisenterprise:RedisEnterprise + Database)")


def _classic_redis_tls(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "enableNonSslPort") is True:
        yield "enableNonSslPort is true: port 6379 accepts unencrypted traffic; set it to false"
    version = get(args.props, "minimumTlsVersion")
    if version is None or _tls_below(version):
        yield f"minimumTlsVersion is {_shown(version)}; set it to '1.2'"


# --- Key Vault ------------------------------------------------------------------------------------

def _key_vault_rbac(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    rbac = get(args.props, "properties", "enableRbacAuthorization")
    if rbac is not UNKNOWN and rbac is not True:
        yield "properties.enableRbacAuthorization is not true; authorize data-plane access with Azure RBAC"
    policies = items(args.props, "properties", "accessPolicies")
    if policies is not UNKNOWN and policies:
        yield ("properties.accessPolicies grants vault access outside RBAC; remove the access policies and "
               "assign Key Vault roles instead")


# --- Network --------------------------------------------------------------------------------------

def _port_ranges(rule: Any) -> list[tuple[int, int]] | Unknown:
    ranges = [get(rule, "destinationPortRange")]
    listed = items(rule, "destinationPortRanges")
    if listed is UNKNOWN:
        return UNKNOWN
    out = []
    for value in [*ranges, *listed]:
        if value is UNKNOWN:
            return UNKNOWN
        if value is None:
            continue
        value = str(value).strip()
        if value in ("*", ""):
            out.append((0, 65535))
            continue
        low, _, high = value.partition("-")
        try:
            out.append((int(low), int(high or low)))
        except ValueError:
            out.append((0, 65535))  # unparseable: treat as every port, the safe reading
    return out


def _internet_exposure(rule: Any, allowed: list[tuple[int, int]]) -> str | None:
    """Why an inbound rule exposes ports to the Internet beyond `allowed`, or None."""
    if rule is UNKNOWN or text(rule, "direction") != "inbound" or text(rule, "access") != "allow":
        return None
    sources = items(rule, "sourceAddressPrefixes")
    if sources is UNKNOWN:
        return None
    prefixes = [get(rule, "sourceAddressPrefix"), *sources]
    internet = [p for p in prefixes if isinstance(p, str) and p.strip().lower() in INTERNET_SOURCES]
    ports = _port_ranges(rule)
    if not internet or ports is UNKNOWN:
        return None
    exposed = [r for r in ports if not any(lo <= r[0] and r[1] <= hi for lo, hi in allowed)]
    if not exposed:
        return None
    shown = ", ".join("*" if r == (0, 65535) else f"{r[0]}" if r[0] == r[1] else f"{r[0]}-{r[1]}" for r in exposed)
    name = get(rule, "name")
    label = f"rule '{name}'" if isinstance(name, str) else "the rule"
    return f"{label} allows inbound traffic from '{internet[0]}' to port(s) {shown}"


def _allowed_ports(config: Config) -> list[tuple[int, int]]:
    out = []
    for entry in config["allowedInternetPorts"]:
        low, _, high = str(entry).partition("-")
        out.append((int(low), int(high or low)))
    return out


def _nsg_inbound(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    allowed = _allowed_ports(config)
    rules = [args.props] if args.resource_type == SECURITY_RULE else items(args.props, "securityRules")
    if rules is UNKNOWN:
        return
    for rule in rules:
        problem = _internet_exposure(rule, allowed)
        if problem:
            yield problem


def _subnets(args: ResourceValidationArgs) -> list[tuple[str, Any]]:
    """(name, subnet inputs) of a standalone subnet or of a VNet's inline subnets."""
    if args.resource_type == SUBNET:
        name = get(args.props, "subnetName") or get(args.props, "name")
        return [(str(name) if isinstance(name, str) else args.name, args.props)]
    subnets = items(args.props, "subnets")
    if subnets is UNKNOWN:
        return []
    out = []
    for i, subnet in enumerate(subnets):
        name = get(subnet, "name")
        out.append((str(name) if isinstance(name, str) else f"subnets[{i}]", subnet))
    return out


def _subnet_endpoint_policies(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    for name, subnet in _subnets(args):
        if subnet is UNKNOWN or name.lower() in RESERVED_SUBNETS:
            continue
        delegations = items(subnet, "delegations")
        if delegations is UNKNOWN or delegations:
            continue  # a delegated subnet cannot hold private endpoints
        policies = text(subnet, "privateEndpointNetworkPolicies")
        if policies is not UNKNOWN and policies not in ("enabled", "networksecuritygroupenabled"):
            shown = _shown(get(subnet, "privateEndpointNetworkPolicies"), "Disabled")
            yield (f"subnet '{name}' has privateEndpointNetworkPolicies {shown}: NSG rules do not apply to its "
                   "private endpoints")


def _public_ip_sku(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = text(args.props, "sku", "name")
    if sku is not UNKNOWN and sku != "standard":
        yield (f"sku.name is {_shown(get(args.props, 'sku', 'name'))}; Basic public IPs are retired and open by "
               "default: use 'Standard' (closed until an NSG allows traffic)")


# --- Role assignments -----------------------------------------------------------------------------

def _workload_principal(args: ResourceValidationArgs) -> bool:
    """A service principal, or a principal whose type is not declared (it may be one). The Python SDK
    sends 'User' when principal_type is omitted, so only other sources reach the undeclared case."""
    kind = text(args.props, "principalType")
    return kind is None or kind == "serviceprincipal"


def _privileged_role(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not _workload_principal(args):
        return
    role = _id_name(get(args.props, "roleDefinitionId"))
    privileged = {str(k).lower(): str(v) for k, v in config["privilegedRoleIds"].items()}
    if isinstance(role, str) and role in privileged:
        yield (f"grants the privileged role '{privileged[role]}' to a workload identity (principalType "
               f"{_shown(get(args.props, 'principalType'))}); grant a data-plane role on the resource instead")


def _broad_scope(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not _workload_principal(args):
        return
    scope = get(args.props, "scope")
    role = _id_name(get(args.props, "roleDefinitionId"))
    if not isinstance(scope, str) or role is UNKNOWN:
        return
    allowed = {str(r).lower() for r in config["broadScopeRoleIds"]}
    if _BROAD_SCOPE.match(scope.lower()) and role not in allowed:
        yield (f"assigns role '{role}' at the broad scope '{scope}'; scope a workload's role to the resource "
               "it uses")


# --- Application Gateway and WAF policy -----------------------------------------------------------

def _app_gateway_waf(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    name, tier = text(args.props, "sku", "name"), text(args.props, "sku", "tier")
    if (name, tier) != ("waf_v2", "waf_v2") and UNKNOWN not in (name, tier):
        yield f"sku is {_shown(get(args.props, 'sku', 'name'))}/{_shown(get(args.props, 'sku', 'tier'))}; use WAF_v2"
    if get(args.props, "firewallPolicy", "id") is not None:
        return
    listeners = items(args.props, "httpListeners")
    if listeners is UNKNOWN:
        return
    if not listeners or any(get(listener, "firewallPolicy", "id") is None for listener in listeners):
        yield "no WAF policy is associated (firewallPolicy.id); associate a WebApplicationFirewallPolicy"


def _app_gateway_inline_waf(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "webApplicationFirewallConfiguration") is not None:
        yield ("webApplicationFirewallConfiguration (inline WAF settings) is retired by Azure in 2027; move the "
               "settings to a WebApplicationFirewallPolicy associated through firewallPolicy")


def _app_gateway_tls(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    policy = get(args.props, "sslPolicy")
    if policy is UNKNOWN:
        return
    if policy is None:
        yield ("no sslPolicy: the default depends on the API version (older ones accept TLS 1.0); set "
               "policyType 'Predefined' with policyName 'AppGwSslPolicy20220101S'")
        return
    kind, name = text(policy, "policyType"), text(policy, "policyName")
    if UNKNOWN in (kind, name):
        return
    if kind in ("custom", "customv2"):
        minimum = get(policy, "minProtocolVersion")
        if minimum is None or _tls_below(minimum):
            yield f"sslPolicy.minProtocolVersion is {_shown(minimum)}; set it to 'TLSv1_2' or later"
    elif name not in CURRENT_SSL_POLICIES:
        yield (f"sslPolicy.policyName is {_shown(get(policy, 'policyName'))}; use 'AppGwSslPolicy20220101S' or "
               "'AppGwSslPolicy20220101' (TLS 1.2+)")


def _app_gateway_redirect(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    listeners, rules = items(args.props, "httpListeners"), items(args.props, "requestRoutingRules")
    if listeners is UNKNOWN or rules is UNKNOWN:
        return
    plain = {str(get(listener, "name")).lower() for listener in listeners if text(listener, "protocol") == "http"}
    redirected: set[str] = set()
    for rule in rules:
        listener = _id_name(get(rule, "httpListener", "id"))
        if listener is UNKNOWN:
            return
        if isinstance(listener, str) and get(rule, "redirectConfiguration", "id") is not None:
            redirected.add(listener)
    for name in sorted(plain - redirected):
        yield (f"HTTP listener '{name}' serves plain HTTP; route it through a rule with a redirectConfiguration "
               "to the HTTPS listener")


def _waf_prevention(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    settings = get(args.props, "policySettings")
    if settings is UNKNOWN:
        return
    state, mode = text(settings, "state"), text(settings, "mode")
    if state is not UNKNOWN and state != "enabled":
        yield f"policySettings.state is {_shown(get(settings, 'state'))}; set it to 'Enabled'"
    if mode is not UNKNOWN and mode != "prevention":
        yield (f"policySettings.mode is {_shown(get(settings, 'mode'))}; set it to 'Prevention' so attacks are "
               "blocked, not logged")
    body = get(settings, "requestBodyCheck")
    if body is not UNKNOWN and body is not True:
        yield "policySettings.requestBodyCheck is not true; inspect request bodies"


def _waf_rule_set(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sets = items(args.props, "managedRules", "managedRuleSets")
    if sets is UNKNOWN or any(s is UNKNOWN for s in sets):
        return
    found = []
    for rule_set in sets:
        kind, version = text(rule_set, "ruleSetType"), get(rule_set, "ruleSetVersion")
        if UNKNOWN in (kind, version):
            return
        floor = MIN_RULE_SET_VERSION.get(str(kind))
        if floor and _version(version) >= floor:
            return
        found.append(f"{get(rule_set, 'ruleSetType')} {version}")
    yield (f"no current managed rule set ({', '.join(found) or 'none'}); use OWASP 3.2 or "
           "Microsoft_DefaultRuleSet 2.x")


# --- Container Apps -------------------------------------------------------------------------------

def _environment_of(container_app: PolicyResource, environments: list[PolicyResource]) -> PolicyResource | None:
    """The app's managed environment in this deployment: by property dependency (known during
    preview), else by the ARM id string (exported stacks, ids written out)."""
    by_urn = {e.urn: e for e in environments}
    for urn in depends_on(container_app, "managedEnvironmentId", "environmentId"):
        if urn in by_urn:
            return by_urn[urn]
    by_key = {key: e for e in environments if (key := arm_key(e))}
    for prop in ("managedEnvironmentId", "environmentId"):
        key = id_key(get(container_app.props, prop))
        if key in by_key:
            return by_key[key]
    return None


def _public_container_apps(args: StackValidationArgs, config: Config) -> Iterable[tuple[str, str | None]]:
    environments = by_type(args.resources, MANAGED_ENVIRONMENT)
    for container_app in by_type(args.resources, CONTAINER_APP):
        if get(container_app.props, "configuration", "ingress", "external") is not True:
            continue
        # In an internal environment, 'external' means reachable from the VNet (the WAF gateway's
        # backend), not from the Internet. An environment outside this deployment is checked by
        # managed-environment-internal where it is declared.
        environment = _environment_of(container_app, environments)
        internal = None if environment is None else get(environment.props, "vnetConfiguration", "internal")
        if environment is not None and internal is not True and internal is not UNKNOWN:
            yield (f"container app '{container_app.name}' has external ingress in environment '{environment.name}', "
                   "which is not internal: the app is reachable from the Internet without the WAF", container_app.urn)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(value: Any) -> Network | None:
    """An address range ('10.0.4.0/24', a single address), None when not a literal range."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def _vnet_ranges(environment: PolicyResource, vnets: list[PolicyResource],
                 subnets: list[PolicyResource]) -> list[Network]:
    """The address space of the VNet an environment is injected into, when this deployment declares
    it: through the subnet id's dependency (a VNet, or a standalone subnet of one), else its id string."""
    by_urn = {v.urn: v for v in vnets}
    subnet_by_urn = {s.urn: s for s in subnets}
    found: list[PolicyResource] = []
    for urn in depends_on(environment, "vnetConfiguration"):
        if urn in by_urn:
            found.append(by_urn[urn])
        elif urn in subnet_by_urn:
            found += [by_urn[u] for u in depends_on(subnet_by_urn[urn], "virtualNetworkName") if u in by_urn]
    key = id_key(get(environment.props, "vnetConfiguration", "infrastructureSubnetId"))
    if not found and key:
        parts = key.split("/")  # group/microsoft.network/virtualnetworks/<vnet>/subnets/<subnet>
        if parts[1:3] == ["microsoft.network", "virtualnetworks"] and len(parts) > 3:
            found = [v for v in vnets if (text(v.props, "resourceGroupName"), text(v.props, "virtualNetworkName"))
                     == (parts[0], parts[3])]
    ranges: list[Network] = []
    for vnet in found:
        prefixes = items(vnet.props, "addressSpace", "addressPrefixes")
        for prefix in [] if prefixes is UNKNOWN else prefixes:
            network = _network(prefix)
            if network is not None:
                ranges.append(network)
    return ranges


def _within(inner: Network, outer: Network) -> bool:
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def _too_wide(allowed: Network, vnet: list[Network]) -> str | None:
    """Why an Allow range admits more than the gateway: it is every address, or spans a whole VNet range."""
    if allowed.prefixlen == 0:
        return "every address"
    spanned = [str(r) for r in vnet if _within(r, allowed)]
    return f"the whole VNet range {spanned[0]}" if spanned else None


def _unrestricted_ingress(args: StackValidationArgs, config: Config) -> Iterable[tuple[str, str | None]]:
    environments = by_type(args.resources, MANAGED_ENVIRONMENT)
    vnets, subnets = by_type(args.resources, VNET), by_type(args.resources, SUBNET)
    for container_app in by_type(args.resources, CONTAINER_APP):
        ingress = get(container_app.props, "configuration", "ingress")
        if get(ingress, "external") is not True:
            continue
        restrictions = items(ingress, "ipSecurityRestrictions")
        if restrictions is UNKNOWN or UNKNOWN in restrictions:
            continue
        name = container_app.name
        if not restrictions:
            yield (f"container app '{name}' has external ingress without ipSecurityRestrictions: every host that "
                   "reaches its environment (the whole VNet, in an internal one) bypasses the WAF gateway",
                   container_app.urn)
            continue
        actions = {text(r, "action") for r in restrictions}
        if UNKNOWN in actions:
            continue
        if actions != {"allow"}:
            yield (f"container app '{name}' ipSecurityRestrictions deny listed ranges and admit every other "
                   "address; use Allow entries only (anything not allowed is then denied)", container_app.urn)
            continue
        environment = _environment_of(container_app, environments)
        vnet = [] if environment is None else _vnet_ranges(environment, vnets, subnets)
        for restriction in restrictions:
            allowed = _network(get(restriction, "ipAddressRange"))
            wide = None if allowed is None else _too_wide(allowed, vnet)
            if wide:
                yield (f"container app '{name}' ipSecurityRestrictions allow '{get(restriction, 'ipAddressRange')}'"
                       f", which spans {wide}: other hosts bypass the WAF gateway", container_app.urn)


def _container_app_https(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "configuration", "ingress", "allowInsecure") is True:
        yield "configuration.ingress.allowInsecure is true: plain HTTP is served; set it to false"


def _environment_internal(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    internal = get(args.props, "vnetConfiguration", "internal")
    if internal is not UNKNOWN and internal is not True:
        yield ("vnetConfiguration.internal is not true: the environment has a public ingress endpoint; inject it "
               "into a subnet (vnetConfiguration.infrastructureSubnetId) with internal true")


# --- Identity and secrets across compute ----------------------------------------------------------

def _managed_identity(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    kind = text(args.props, "identity", "type")
    if kind is not UNKNOWN and kind in (None, "none"):
        yield "no managed identity (identity.type); give the resource a system- or user-assigned identity"


def _looks_secret(name: Any, value: Any, config: Config) -> bool:
    if isinstance(value, str) and value.strip().lower().startswith(_KEY_VAULT_REFERENCE):
        return False
    if isinstance(value, str) and _CREDENTIAL_VALUE.search(value):
        return True
    if not isinstance(name, str) or name.upper() in {n.upper() for n in config["nonSecretNames"]}:
        return False
    return re.search(config["secretNamePattern"], name, re.I) is not None


def _container_app_secrets(props: Any, config: Config) -> Iterable[str]:
    secrets = items(props, "configuration", "secrets")
    for secret in [] if secrets is UNKNOWN else secrets:
        if secret is UNKNOWN:
            continue
        if get(secret, "value") is not None and get(secret, "keyVaultUrl") is None:
            yield (f"secret '{get(secret, 'name')}' holds its value in the app; reference Key Vault with keyVaultUrl "
                   "and the app's identity")
    for key in ("containers", "initContainers"):
        containers = items(props, "template", key)
        for container in [] if containers is UNKNOWN else containers:
            env = items(container, "env")
            for var in [] if env is UNKNOWN else env:
                if var is UNKNOWN or get(var, "secretRef") is not None:
                    continue
                name, value = get(var, "name"), get(var, "value")
                if value is not None and _looks_secret(name, value, config):
                    yield (f"container '{get(container, 'name')}' sets secret-looking env var '{name}' as a plain "
                           "value; use secretRef to a Key Vault-backed secret")


def _web_app_secrets(props: Any, config: Config) -> Iterable[str]:
    settings = items(props, "siteConfig", "appSettings")
    for setting in [] if settings is UNKNOWN else settings:
        if setting is UNKNOWN:
            continue
        name, value = get(setting, "name"), get(setting, "value")
        if value is not None and _looks_secret(name, value, config):
            yield (f"app setting '{name}' holds a secret-looking value; use a "
                   "'@Microsoft.KeyVault(SecretUri=...)' reference or identity-based connection settings")
    strings = items(props, "siteConfig", "connectionStrings")
    for entry in [] if strings is UNKNOWN else strings:
        value = get(entry, "connectionString")
        if entry is UNKNOWN or value is None:
            continue
        if not (isinstance(value, str) and value.strip().lower().startswith(_KEY_VAULT_REFERENCE)):
            yield (f"connection string '{get(entry, 'name')}' is stored in the site; use a Key Vault reference or an "
                   "identity-based connection")


def _secrets_in_key_vault(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if args.resource_type == CONTAINER_APP:
        yield from _container_app_secrets(args.props, config)
    else:
        yield from _web_app_secrets(args.props, config)


# --- Storage, messaging, web apps -----------------------------------------------------------------

def _storage_shared_key(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    allowed = get(args.props, "allowSharedKeyAccess")
    if allowed is not UNKNOWN and allowed is not False:
        yield (f"allowSharedKeyAccess is {_shown(allowed, 'true')}: account keys and SAS work; set it "
               "to false and use Entra ID")


def _storage_private(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "allowBlobPublicAccess") is True:
        yield "allowBlobPublicAccess is true: containers can be made anonymous; set it to false"
    access = text(args.props, "publicNetworkAccess")
    action = text(args.props, "networkRuleSet", "defaultAction")
    if access is UNKNOWN or access == "disabled":
        return
    shown = (_shown(get(args.props, "publicNetworkAccess"), "Enabled"),
             _shown(get(args.props, "networkRuleSet", "defaultAction"), "Allow"))
    if not config["acceptFirewallDenyByDefault"]:
        # A firewall that denies by default still exposes the endpoint to its trusted-service
        # bypass and to every IP rule added later; private endpoints are the only door here.
        yield (f"publicNetworkAccess is {shown[0]}; set it to 'Disabled' and reach the account through its "
               "private endpoints")
    elif action is not UNKNOWN and action != "deny":
        yield (f"publicNetworkAccess is {shown[0]} and networkRuleSet.defaultAction {shown[1]}: the "
               "account is reachable from any network; set publicNetworkAccess 'Disabled' (or defaultAction 'Deny')")


def _storage_transport(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    version = get(args.props, "minimumTlsVersion")
    if version is None or _tls_below(version):
        yield f"minimumTlsVersion is {_shown(version, 'TLS1_0')}; set it to 'TLS1_2'"
    if get(args.props, "enableHttpsTrafficOnly") is False:
        yield "enableHttpsTrafficOnly is false: plain HTTP is accepted; set it to true"


def _messaging_local_auth(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    disabled = get(args.props, "disableLocalAuth")
    if disabled is not UNKNOWN and disabled is not True:
        yield "SAS keys are accepted (disableLocalAuth is not true); authenticate with Entra ID only"


def _messaging_tls(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    version = get(args.props, "minimumTlsVersion")
    if version is None or _tls_below(version):
        yield f"minimumTlsVersion is {_shown(version)}; set it to '1.2'"


def _web_app_transport(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    https = get(args.props, "httpsOnly")
    if https is not UNKNOWN and https is not True:
        yield "httpsOnly is not true: the site answers plain HTTP; set it to true"
    for key in ("minTlsVersion", "scmMinTlsVersion"):  # absent: 1.2 (the site, and its Kudu/SCM endpoint)
        version = get(args.props, "siteConfig", key)
        if _tls_below(version):
            yield f"siteConfig.{key} is '{version}'; set it to '1.2'"
    ftps = text(args.props, "siteConfig", "ftpsState")
    if ftps is not UNKNOWN and ftps not in ("disabled", "ftpsonly"):
        shown = _shown(get(args.props, "siteConfig", "ftpsState"), "AllAllowed on older API versions")
        yield f"siteConfig.ftpsState is {shown}; set it to 'Disabled'"


def _web_app_remote_debugging(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "siteConfig", "remoteDebuggingEnabled") is True:  # absent: false
        yield ("siteConfig.remoteDebuggingEnabled is true: the site accepts Visual Studio remote debugger "
               "connections; set it to false")


def _web_app_private(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    access = text(args.props, "publicNetworkAccess")
    site_access = text(args.props, "siteConfig", "publicNetworkAccess")
    if UNKNOWN not in (access, site_access) and "disabled" not in (access, site_access):
        shown = _shown(get(args.props, "publicNetworkAccess"), "Enabled")
        yield (f"publicNetworkAccess is {shown}; set it to 'Disabled' and reach the "
               "site through a private endpoint or VNet integration")


# --- Policies -------------------------------------------------------------------------------------

cognitive_services_private_access = resource_policy(
    name="cognitive-services-private-access",
    description="Cognitive Services / Azure OpenAI accounts are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `properties.public_network_access='Disabled'` and "
                "`properties.network_acls=NetworkRuleSetArgs(default_action='Deny')`, and add a private endpoint "
                "(group 'account') with the privatelink.openai/cognitiveservices/services.ai DNS zones.",
    types=[COGNITIVE_ACCOUNT],
    check=_properties_closed,
)

cognitive_services_local_auth_disabled = resource_policy(
    name="cognitive-services-local-auth-disabled",
    description="Cognitive Services / Azure OpenAI accounts accept Entra ID tokens only, no API keys.",
    checklist=["SEC-1", "SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `properties.disable_local_auth=True` and grant callers 'Cognitive Services OpenAI User' on "
                "the account; nothing then needs `listKeys()`.",
    types=[COGNITIVE_ACCOUNT],
    check=_cognitive_keyless,
)

cognitive_services_outbound_restricted = resource_policy(
    name="cognitive-services-outbound-restricted",
    description="Cognitive Services / Azure OpenAI accounts call out only to listed hosts (data exfiltration guard).",
    checklist=["SEC-3"],
    severity=Severity.HIGH,
    remediation="Set `properties.restrict_outbound_network_access=True` and `properties.allowed_fqdn_list` to the "
                "hosts the account must reach (empty if none).",
    types=[COGNITIVE_ACCOUNT],
    check=_cognitive_outbound,
)

cognitive_services_custom_subdomain = resource_policy(
    name="cognitive-services-custom-subdomain",
    description="Cognitive Services accounts have a custom subdomain (required for Entra ID and private endpoints).",
    checklist=["SEC-1", "SEC-3"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.custom_sub_domain_name` to a globally unique name (it cannot be changed later).",
    types=[COGNITIVE_ACCOUNT],
    check=_cognitive_subdomain,
)

managed_identity_present = resource_policy(
    name="managed-identity-present",
    description="Services that call other services have a managed identity.",
    checklist=["SEC-1"],
    severity=Severity.MEDIUM,
    remediation="Set `identity` with type 'SystemAssigned' or 'UserAssigned' (with user_assigned_identities) "
                "and grant that identity its roles, instead of keys or connection strings.",
    types=[COGNITIVE_ACCOUNT, CONTAINER_APP, WEB_APP],
    check=_managed_identity,
)

redis_enterprise_private_access = resource_policy(
    name="redis-enterprise-private-access",
    description="Azure Managed Redis clusters are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'redisEnterprise') "
                "with the privatelink.redis.azure.net zone.",
    types=[REDIS_ENTERPRISE],
    check=_public_access_disabled,
)

redis_enterprise_tls = resource_policy(
    name="redis-enterprise-tls",
    description="Azure Managed Redis accepts TLS 1.2+ only, and databases use the encrypted client protocol.",
    checklist=["COMP-4", "PERF-2"],
    severity=Severity.HIGH,
    remediation="On the cluster set `minimum_tls_version='1.2'`; on each database set "
                "`client_protocol='Encrypted'`.",
    types=[REDIS_ENTERPRISE, REDIS_DATABASE],
    check=_redis_enterprise_tls,
)

redis_enterprise_access_keys_disabled = resource_policy(
    name="redis-enterprise-access-keys-disabled",
    description="Azure Managed Redis databases authenticate with Entra ID, not access keys.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `access_keys_authentication='Disabled'` on the database and add an "
                "AccessPolicyAssignment for each consumer identity.",
    types=[REDIS_DATABASE],
    check=_redis_enterprise_keys,
)

redis_classic_retired = resource_policy(
    name="redis-classic-retired",
    description="No new Azure Cache for Redis (classic) caches: Azure no longer creates them.",
    checklist=["PERF-2"],
    severity=Severity.HIGH,
    remediation="Replace `redis.Redis` with Azure Managed Redis: `redisenterprise.RedisEnterprise` (e.g. "
                "Balanced_B10) plus a `redisenterprise.Database` (eviction_policy 'AllKeysLRU'). An existing cache "
                "kept until migration takes a suppression with a reason and an expiry date.",
    types=[CLASSIC_REDIS],
    check=_classic_redis_retired,
)

redis_classic_private_access = resource_policy(
    name="redis-classic-private-access",
    description="Classic Redis caches are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'redisCache').",
    types=[CLASSIC_REDIS],
    check=_public_access_disabled,
)

redis_classic_tls = resource_policy(
    name="redis-classic-tls",
    description="Classic Redis caches serve TLS 1.2+ only (no non-TLS port).",
    checklist=["COMP-4", "PERF-2"],
    severity=Severity.HIGH,
    remediation="Set `enable_non_ssl_port=False` and `minimum_tls_version='1.2'`.",
    types=[CLASSIC_REDIS],
    check=_classic_redis_tls,
)

key_vault_rbac_authorization = resource_policy(
    name="key-vault-rbac-authorization",
    description="Key Vaults authorize data-plane access with Azure RBAC, not access policies.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Set `properties.enable_rbac_authorization=True`, remove `properties.access_policies`, and grant "
                "'Key Vault Secrets User' / 'Key Vault Certificate User' on the vault to the identities that read it.",
    types=[KEY_VAULT],
    check=_key_vault_rbac,
)

key_vault_private_access = resource_policy(
    name="key-vault-private-access",
    description="Key Vaults are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `properties.public_network_access='Disabled'` and "
                "`properties.network_acls=NetworkRuleSetArgs(default_action='Deny', bypass='AzureServices')`, and "
                "add a private endpoint (group 'vault') with the privatelink.vaultcore.azure.net zone.",
    types=[KEY_VAULT],
    check=_properties_closed,
)

nsg_no_internet_inbound = resource_policy(
    name="nsg-no-internet-inbound",
    description="NSG rules allow no inbound traffic from the Internet except the gateway's web and "
                "management ports.",
    checklist=["SEC-4"],
    severity=Severity.CRITICAL,
    remediation="Narrow the rule's source to a service tag or VNet range, or its destination ports to "
                "`allowedInternetPorts` (default 80, 443 and App Gateway v2's 65200-65535); put such rules only on "
                "the gateway subnet's NSG. A resource policy cannot see which subnet an NSG is attached to, so "
                "these ports are accepted on any NSG.",
    types=[NSG, SECURITY_RULE],
    check=_nsg_inbound,
    config={"allowedInternetPorts": {"type": "array", "items": {"type": "string", "pattern": r"^\d+(-\d+)?$"},
                                     "default": ["80", "443", "65200-65535"]}},
)

subnet_private_endpoint_policies = resource_policy(
    name="subnet-private-endpoint-network-policies",
    description="NSGs apply to private endpoints: subnets that can hold them enable private endpoint network "
                "policies.",
    checklist=["SEC-4"],
    severity=Severity.MEDIUM,
    remediation="Set `private_endpoint_network_policies='Enabled'` (or 'NetworkSecurityGroupEnabled') on every "
                "non-delegated subnet; Azure's default 'Disabled' bypasses the subnet's NSG for endpoints.",
    types=[SUBNET, VNET],
    check=_subnet_endpoint_policies,
)

public_ip_standard_sku = resource_policy(
    name="public-ip-standard-sku",
    description="Public IPs use the Standard SKU (closed by default, zone-capable; Basic is retired).",
    checklist=["SEC-4"],
    severity=Severity.MEDIUM,
    remediation="Set `sku=PublicIPAddressSkuArgs(name='Standard', tier='Regional')` with "
                "`public_ip_allocation_method='Static'`.",
    types=[PUBLIC_IP],
    check=_public_ip_sku,
)

role_assignment_not_privileged = resource_policy(
    name="role-assignment-not-privileged",
    description="Workload identities get no Owner, Contributor or User Access Administrator role.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Grant the least data-plane role the workload needs (e.g. 'Cognitive Services OpenAI User' "
                "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd) on the resource it uses. If the principal is a user or group, "
                "say so with `principal_type`.",
    types=[ROLE_ASSIGNMENT],
    check=_privileged_role,
    config={"privilegedRoleIds": {"type": "object", "additionalProperties": {"type": "string"},
                                  "default": PRIVILEGED_ROLE_IDS,
                                  "description": "role definition GUID -> role name"}},
)

role_assignment_resource_scope = resource_policy(
    name="role-assignment-resource-scope",
    description="Workload identities' roles are scoped to a resource, not a subscription, resource group or "
                "management group.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Set `scope` to the id of the resource the workload uses. A role that must be broad (e.g. a "
                "reader for an inventory job) goes into `broadScopeRoleIds` in the pack config.",
    types=[ROLE_ASSIGNMENT],
    check=_broad_scope,
    config={"broadScopeRoleIds": {"type": "array", "items": {"type": "string"}, "default": [],
                                  "description": "role definition GUIDs allowed at subscription/group scope"}},
)

app_gateway_waf_v2 = resource_policy(
    name="app-gateway-waf-v2",
    description="Application Gateways are WAF_v2 with an associated WAF policy.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Set `sku=ApplicationGatewaySkuArgs(name='WAF_v2', tier='WAF_v2')` and "
                "`firewall_policy=SubResourceArgs(id=<WebApplicationFirewallPolicy id>)`.",
    types=[APP_GATEWAY],
    check=_app_gateway_waf,
)

app_gateway_no_inline_waf = resource_policy(
    name="app-gateway-no-inline-waf",
    description="Application Gateways use a WAF policy, not the retired inline WAF configuration.",
    checklist=["SEC-6"],
    severity=Severity.MEDIUM,
    remediation="Remove `web_application_firewall_configuration`; declare a `WebApplicationFirewallPolicy` "
                "(mode Prevention, the same rule set) and associate it with `firewall_policy`.",
    types=[APP_GATEWAY],
    check=_app_gateway_inline_waf,
)

app_gateway_tls_policy = resource_policy(
    name="app-gateway-tls-policy",
    description="Application Gateways declare a TLS policy with TLS 1.2 minimum.",
    checklist=["SEC-6", "COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `ssl_policy=ApplicationGatewaySslPolicyArgs(policy_type='Predefined', "
                "policy_name='AppGwSslPolicy20220101S')` (or CustomV2 with min_protocol_version 'TLSv1_2').",
    types=[APP_GATEWAY],
    check=_app_gateway_tls,
)

app_gateway_https_redirect = resource_policy(
    name="app-gateway-https-redirect",
    description="Application Gateway HTTP listeners only redirect to HTTPS.",
    checklist=["SEC-6", "COMP-4"],
    severity=Severity.HIGH,
    remediation="For each HTTP listener, add a request routing rule with `redirect_configuration` pointing at a "
                "redirect configuration (redirect_type 'Permanent', target_listener = the HTTPS listener), or remove "
                "the HTTP listener.",
    types=[APP_GATEWAY],
    check=_app_gateway_redirect,
)

waf_policy_prevention = resource_policy(
    name="waf-policy-prevention",
    description="WAF policies are enabled, in Prevention mode, and inspect request bodies.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Set `policy_settings=PolicySettingsArgs(state='Enabled', mode='Prevention', "
                "request_body_check=True)`.",
    types=[WAF_POLICY],
    check=_waf_prevention,
)

waf_policy_managed_rule_set = resource_policy(
    name="waf-policy-managed-rule-set",
    description="WAF policies use a current managed rule set (OWASP 3.2 or Microsoft_DefaultRuleSet 2.x).",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Add `ManagedRuleSetArgs(rule_set_type='Microsoft_DefaultRuleSet', rule_set_version='2.1')` (or "
                "OWASP 3.2) to `managed_rules.managed_rule_sets`.",
    types=[WAF_POLICY],
    check=_waf_rule_set,
)

container_app_no_public_ingress = stack_policy(
    name="container-app-no-public-ingress",
    description="No container app is reachable from the Internet: external ingress only inside an internal "
                "environment, so the only public door is the WAF gateway.",
    checklist=["SEC-6", "SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Run the app in an internal environment (`vnet_configuration.internal=True`) and publish it through "
                "the WAF_v2 Application Gateway, or set `configuration.ingress.external=False` if nothing outside the "
                "environment calls it.",
    check=_public_container_apps,
)

container_app_ingress_restricted = stack_policy(
    name="container-app-ingress-restricted",
    description="Container apps with external ingress admit only listed source ranges (the WAF gateway's subnet), "
                "so no other host in the VNet bypasses the WAF.",
    checklist=["SEC-6", "SEC-4"],
    severity=Severity.HIGH,
    remediation="Set `configuration.ingress.ip_security_restrictions=[IpSecurityRestrictionRuleArgs(name="
                "'app-gateway', action='Allow', ip_address_range=<gateway subnet prefix>)]`: Allow entries only, "
                "none spanning the VNet's address space; or set `external=False` if only apps in the environment "
                "call it.",
    check=_unrestricted_ingress,
)

container_app_https_only = resource_policy(
    name="container-app-https-only",
    description="Container app ingress does not serve plain HTTP.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `configuration.ingress.allow_insecure=False` (the default).",
    types=[CONTAINER_APP],
    check=_container_app_https,
)

managed_environment_internal = resource_policy(
    name="managed-environment-internal",
    description="Container Apps environments are VNet-injected with an internal load balancer.",
    checklist=["SEC-3", "SEC-6"],
    severity=Severity.CRITICAL,
    remediation="Set `vnet_configuration=VnetConfigurationArgs(infrastructure_subnet_id=<subnet id>, "
                "internal=True)` (a new environment: this cannot be changed in place).",
    types=[MANAGED_ENVIRONMENT],
    check=_environment_internal,
)

secrets_in_key_vault = resource_policy(
    name="secrets-in-key-vault",
    description="Container apps and web apps hold no secret values: they reference Key Vault.",
    checklist=["SEC-2"],
    severity=Severity.HIGH,
    remediation="Container apps: declare secrets with `key_vault_url` + `identity` (no `value`) and use them "
                "through `secret_ref`. Web/function apps: use '@Microsoft.KeyVault(SecretUri=...)' app settings or "
                "identity-based connections (<NAME>__fullyQualifiedNamespace, __accountName). A setting the pattern "
                "wrongly catches goes into `nonSecretNames`.",
    types=[CONTAINER_APP, WEB_APP],
    check=_secrets_in_key_vault,
    config={
        "secretNamePattern": {"type": "string", "default": SECRET_NAME_PATTERN,
                              "description": "case-insensitive regex on env var / app setting names"},
        "nonSecretNames": {"type": "array", "items": {"type": "string"},
                           "default": ["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPINSIGHTS_INSTRUMENTATIONKEY"],
                           "description": "names matching the pattern that carry no credential"},
    },
)

storage_shared_key_disabled = resource_policy(
    name="storage-shared-key-disabled",
    description="Storage accounts accept Entra ID only: no account keys or SAS.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `allow_shared_key_access=False` (and `default_to_o_auth_authentication=True`), and grant "
                "'Storage Blob Data ...' roles to the identities that use the account.",
    types=[STORAGE],
    check=_storage_shared_key,
)

storage_private_access = resource_policy(
    name="storage-private-access",
    description="Storage accounts are closed to public networks and anonymous blob access.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and `allow_blob_public_access=False`, and add private "
                "endpoints (group 'blob', 'queue', ...). A stack that must use the account firewall instead sets "
                "`acceptFirewallDenyByDefault` in the pack config, and then `network_rule_set=NetworkRuleSetArgs("
                "default_action='Deny')`.",
    types=[STORAGE],
    check=_storage_private,
    config={"acceptFirewallDenyByDefault": {
        "type": "boolean", "default": False,
        "description": "accept publicNetworkAccess 'Enabled' when networkRuleSet.defaultAction is 'Deny'"}},
)

storage_secure_transport = resource_policy(
    name="storage-secure-transport",
    description="Storage accounts accept HTTPS with TLS 1.2+ only.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `minimum_tls_version='TLS1_2'` and keep `enable_https_traffic_only=True`.",
    types=[STORAGE],
    check=_storage_transport,
)

messaging_local_auth_disabled = resource_policy(
    name="messaging-local-auth-disabled",
    description="Event Hubs and Service Bus namespaces accept Entra ID only, no SAS keys.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `disable_local_auth=True` and grant 'Azure Event Hubs / Service Bus Data Sender/Receiver' on "
                "the namespace (or entity) to the identities that use it.",
    types=[EVENT_HUB, SERVICE_BUS],
    check=_messaging_local_auth,
)

messaging_private_access = resource_policy(
    name="messaging-private-access",
    description="Event Hubs and Service Bus namespaces are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'namespace') with the "
                "privatelink.servicebus.windows.net zone (Service Bus needs the Premium tier for this).",
    types=[EVENT_HUB, SERVICE_BUS],
    check=_public_access_disabled,
)

messaging_tls = resource_policy(
    name="messaging-tls",
    description="Event Hubs and Service Bus namespaces require TLS 1.2+.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `minimum_tls_version='1.2'`.",
    types=[EVENT_HUB, SERVICE_BUS],
    check=_messaging_tls,
)

web_app_secure_transport = resource_policy(
    name="web-app-secure-transport",
    description="Web and function apps serve HTTPS only with TLS 1.2+ (the site and its SCM/Kudu endpoint), and "
                "no plain FTP.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `https_only=True` and `site_config=SiteConfigArgs(min_tls_version='1.2', "
                "scm_min_tls_version='1.2', ftps_state='Disabled')`.",
    types=[WEB_APP],
    check=_web_app_transport,
)

web_app_remote_debugging_disabled = resource_policy(
    name="web-app-remote-debugging-disabled",
    description="Web and function apps do not accept remote debugger connections.",
    checklist=["COMP-4", "SEC-4"],
    severity=Severity.HIGH,
    remediation="Set `site_config=SiteConfigArgs(remote_debugging_enabled=False)` (Azure's default); debug a "
                "deployment slot outside production instead.",
    types=[WEB_APP],
    check=_web_app_remote_debugging,
)

web_app_private_access = resource_policy(
    name="web-app-private-access",
    description="Web and function apps are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and reach the site through a private endpoint (group "
                "'sites') or publish it through the WAF gateway.",
    types=[WEB_APP],
    check=_web_app_private,
)

POLICIES: list[Policy] = [
    cognitive_services_private_access, cognitive_services_local_auth_disabled, cognitive_services_outbound_restricted,
    cognitive_services_custom_subdomain, managed_identity_present,
    redis_enterprise_private_access, redis_enterprise_tls, redis_enterprise_access_keys_disabled,
    redis_classic_retired, redis_classic_private_access, redis_classic_tls,
    key_vault_rbac_authorization, key_vault_private_access,
    nsg_no_internet_inbound, subnet_private_endpoint_policies, public_ip_standard_sku,
    role_assignment_not_privileged, role_assignment_resource_scope,
    app_gateway_waf_v2, app_gateway_no_inline_waf, app_gateway_tls_policy, app_gateway_https_redirect,
    waf_policy_prevention, waf_policy_managed_rule_set,
    container_app_no_public_ingress, container_app_ingress_restricted, container_app_https_only,
    managed_environment_internal,
    secrets_in_key_vault,
    storage_shared_key_disabled, storage_private_access, storage_secure_transport,
    messaging_local_auth_disabled, messaging_private_access, messaging_tls,
    web_app_secure_transport, web_app_remote_debugging_disabled, web_app_private_access,
]
