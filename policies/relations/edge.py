"""The public edge (SEC-6, PERF-4): the only doors from the Internet are WAF gateways (public IPs,
container app ingress) and static content is served through a CDN.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import types as T
from ..framework import Config, by_type, stack_policy
from ..framework.inputs import UNKNOWN, arm_key, depends_on, get, id_key, items, text
from ..framework.stack import Finding, Stack, ids_at


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
    environments = by_type(args.resources, T.MANAGED_ENVIRONMENT)
    for container_app in by_type(args.resources, T.CONTAINER_APP):
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
    environments = by_type(args.resources, T.MANAGED_ENVIRONMENT)
    vnets, subnets = by_type(args.resources, T.VNET), by_type(args.resources, T.SUBNET)
    for container_app in by_type(args.resources, T.CONTAINER_APP):
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


# Resources that use a public IP for something other than serving web traffic.
NON_WEB_IP_USERS: tuple[str, ...] = (
    T.NAT_GATEWAY, T.BASTION_HOST, T.AZURE_FIREWALL,
    T.VPN_GATEWAY,
)


# Load balancer rules that accept connections from outside; a balancer with none of them (only
# outboundRules) uses its public IPs for egress SNAT, like a NAT gateway.
INBOUND_LB_RULES = ("loadBalancingRules", "inboundNatRules", "inboundNatPools")


def _inbound(balancer: PolicyResource) -> bool:
    """The load balancer has a known inbound rule (unknown rules: cannot tell, so not inbound)."""
    return any((rules := items(balancer.props, key)) is not UNKNOWN and rules for key in INBOUND_LB_RULES)


def _internal_apim_ips(stack: Stack) -> set[str]:
    """URNs of the public IPs of API Management services in internal VNet mode: "In an internal virtual network,
    the public IP address is used only for management operations, not for API requests"
    (learn.microsoft.com/azure/reliability/reliability-api-management, api-management-howto-ip-addresses)."""
    found: set[str] = set()
    for service in stack.of(T.API_MANAGEMENT):
        if text(service.props, "virtualNetworkType") != "internal":
            continue
        urns, _ = stack.references(service, "publicIpAddressId", [get(service.props, "publicIpAddressId")])
        found |= urns
    return found


def _outbound_or_management_ips(stack: Stack) -> set[str]:
    """URNs of public IPs that serve no web traffic: those of NAT gateways, Bastion, firewalls,
    VPN gateways, outbound-only load balancers and internal API Management services, by dependency or by id."""
    users = [*stack.of(*NON_WEB_IP_USERS), *(lb for lb in stack.of(T.LOAD_BALANCER) if not _inbound(lb))]
    exempt: set[str] = _internal_apim_ips(stack)
    for user in users:
        exempt |= {dep.urn for deps in user.property_dependencies.values() for dep in deps}
        ids = [*ids_at(items(user.props, "publicIpAddresses"), "id"),
               *ids_at(items(user.props, "frontendIPConfigurations"), "publicIPAddress", "id"),
               *ids_at(items(user.props, "ipConfigurations"), "publicIPAddress", "id")]
        exempt |= {ip.urn for value in ids if (ip := stack.by_id(value)) is not None}
    return exempt


def _waf_fronts_public_ips(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    gateways_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for gateway in stack.of(T.APP_GATEWAY):
        frontends = items(gateway.props, "frontendIPConfigurations")
        urns, unresolved = stack.references(
            gateway, "frontendIPConfigurations", ids_at(frontends, "publicIPAddress", "id"))
        blind = blind or unresolved
        for urn in urns:
            gateways_of[urn].append(gateway)
    exempt = _outbound_or_management_ips(stack)
    for ip in stack.of(T.PUBLIC_IP):
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


# Static hosting, and the input of each CDN / Front Door origin kind that names the host it serves
# (a classic cdn:Endpoint lists its origins inline).
STATIC_HOSTS = (T.STATIC_WEBSITE, T.STATIC_SITE)
ORIGIN_HOSTS: dict[str, str] = {T.AFD_ORIGIN: "hostName", T.CDN_ORIGIN: "hostName", T.CDN_ENDPOINT: "origins"}


def _edge_hosts(stack: Stack) -> tuple[set[str], list[str], bool]:
    """What the enabled origins serve: the URNs their host names were computed from, the literal host
    names, and whether some host name is unknown with nothing to relate it by."""
    served: set[str] = set()
    literal: list[str] = []
    blind = False
    for origin in stack.of(*ORIGIN_HOSTS):
        if text(origin.props, "enabledState") == "disabled":
            continue
        prop = ORIGIN_HOSTS[origin.resource_type]
        deps = depends_on(origin, prop)
        served |= deps
        hosts = [get(origin.props, prop)] if prop == "hostName" else ids_at(items(origin.props, prop), "hostName")
        for host in hosts:
            if host is UNKNOWN:
                blind = blind or not deps
            elif isinstance(host, str):
                literal.append(host.strip().lower())
    return served, literal, blind


def _website_served(site: PolicyResource, served: set[str], literal: list[str]) -> bool:
    """A storage static website is served from its account's web endpoint (<account>.z<N>.web.core.
    windows.net): an origin built from the account, or naming that endpoint, serves it."""
    if depends_on(site, "accountName") & served:
        return True
    account = text(site.props, "accountName")
    return isinstance(account, str) and any(h.startswith(f"{account}.") and ".web." in h for h in literal)


def _static_behind_cdn(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    hosts = stack.of(*STATIC_HOSTS)
    if not hosts:
        return
    # Only the input naming the origin's host counts: every origin also depends on its resource
    # group and profile, which a site in the same group shares.
    served, literal, blind = _edge_hosts(stack)
    if blind:
        return
    for host in hosts:
        if host.urn in served or (host.resource_type == T.STATIC_WEBSITE and _website_served(host, served, literal)):
            continue
        yield (f"static content '{host.name}' is served without a CDN / Front Door in front of it: no enabled "
               "origin's host name is built from it", host.urn)


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


waf_fronts_public_ips = stack_policy(
    name="waf-fronts-public-ips",
    description="Every public IP serving traffic is the frontend of an Application Gateway with a WAF policy.",
    checklist=["SEC-6"],
    severity=Severity.CRITICAL,
    remediation="Attach the public IP to an Application Gateway (WAF_v2) frontend IP configuration and set the "
                "gateway's `firewall_policy` to a WebApplicationFirewallPolicy; remove public IPs from anything "
                "else (NAT gateways, Bastion, Azure Firewall, VPN gateways and the management address of an internal "
                "API Management service are exempt).",
    check=_waf_fronts_public_ips,
)


static_content_behind_cdn = stack_policy(
    name="static-content-behind-cdn",
    description="Static content (Static Web Apps, storage static websites) is served through a CDN / Front Door: "
                "an enabled edge origin's host name is built from each site.",
    checklist=["PERF-4", "SEC-6"],
    severity=Severity.MEDIUM,
    remediation="Serve the site through the stack's Front Door: a cdn:AFDOrigin with `host_name=site."
                "default_hostname` (a storage static website: the account's `primary_endpoints.web` host) in an "
                "origin group a cdn:Route uses, as components/front_door.py does. The other half, the site "
                "answering only that Front Door, is the app's `staticwebapp.config.json` (`networking."
                "allowedIpRanges: ['AzureFrontDoor.Backend']` and `forwardingGateway.requiredHeaders.X-Azure-FDID`, "
                "the `staticWebAppConfig` stack output, docs/operations.md#perf-4), which ships with the content "
                "and which no policy sees.",
    check=_static_behind_cdn,
)


POLICIES: list[Policy] = [
    container_app_no_public_ingress, container_app_ingress_restricted, waf_fronts_public_ips,
    static_content_behind_cdn,
]
