"""Private link (SEC-3): every closed data plane has a private endpoint, every endpoint its DNS records."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, get, items, text
from ..framework.stack import Finding, Stack, ids_at
from ..framework.values import id_name


def endpoints_by_target(stack: Stack) -> tuple[dict[str, list[PolicyResource]], bool]:
    """Target urn -> the private endpoints that connect to it; and whether some connection's target is unknown."""
    endpoints_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for pe in stack.of(T.PRIVATE_ENDPOINT):
        for prop in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
            urns, unresolved = stack.references(pe, prop, ids_at(items(pe.props, prop), "privateLinkServiceId"))
            blind = blind or unresolved
            for urn in urns:
                endpoints_of[urn].append(pe)
    return endpoints_of, blind


def _private_endpoint_coverage(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    endpoints_of, blind = endpoints_by_target(stack)
    targets_of: dict[str, list[PolicyResource]] = defaultdict(list)
    for target in stack.of(*C.PRIVATE_LINK_TARGETS):
        for pe in endpoints_of.get(target.urn, []):
            targets_of[pe.urn].append(target)
        if text(target.props, *C.PRIVATE_LINK_TARGETS[target.resource_type]) != "disabled":
            continue  # public (flagged by resource policies) or unknown: it may not need an endpoint yet
        if not endpoints_of.get(target.urn) and not blind:
            yield (f"'{target.name}' ({target.resource_type}) has public network access disabled but no "
                   "private endpoint connects to it, so nothing can reach it", target.urn)
    zoned, zones_blind = _zone_grouped_endpoints(stack)
    if config["dnsManagedByPolicy"] or zones_blind:
        return
    # Every endpoint, whatever its target's public access: once that access is closed, an endpoint
    # without DNS records leaves clients resolving the public address.
    for pe in stack.of(T.PRIVATE_ENDPOINT):
        if pe.urn not in zoned:
            targets = targets_of.get(pe.urn)
            shown = f" for '{targets[0].name}'" if targets else ""
            yield (f"private endpoint '{pe.name}'{shown} has no private DNS zone group, so clients resolve the "
                   "public address", pe.urn)


def _zone_grouped_endpoints(stack: Stack) -> tuple[set[str], bool]:
    """URNs of private endpoints that have a DNS zone group, and whether some group's endpoint is unknown."""
    by_name: dict[tuple[Any, Any], str] = {
        (text(pe.props, "resourceGroupName"), text(pe.props, "privateEndpointName")): pe.urn
        for pe in stack.of(T.PRIVATE_ENDPOINT)}
    zoned: set[str] = set()
    blind = False
    for group in stack.of(T.DNS_ZONE_GROUP):
        urns = depends_on(group, "privateEndpointName")
        name = text(group.props, "privateEndpointName")
        if not urns and isinstance(name, str):
            found = by_name.get((text(group.props, "resourceGroupName"), name))
            urns = {found} if found else set()
        blind = blind or (not urns and name is UNKNOWN)
        zoned |= urns
    return zoned, blind


def _vnet_name(by_urn: Mapping[str, PolicyResource], urn: str) -> str | None:
    """The VNet name of a VNet or subnet resource of the stack, by urn."""
    r = by_urn.get(urn)
    if r is None:
        return None
    name = text(r.props, "virtualNetworkName")
    return name if isinstance(name, str) else None


def _vnets(by_urn: Mapping[str, PolicyResource], r: PolicyResource, prop: str, value: Any) -> set[str] | None:
    """Names of the VNets input `prop` points into (an id string or its dependencies); None: cannot tell."""
    if isinstance(value, str):
        found = _VNET_IN_ID.search(value.lower())
        return {found.group(1)} if found else None
    names = {_vnet_name(by_urn, urn) for urn in depends_on(r, prop)}
    return None if not names or None in names else {n for n in names if n}


_VNET_IN_ID = re.compile(r"/virtualnetworks/([^/]+)")


def _private_dns_wiring(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    by_urn = {r.urn: r for r in args.resources}
    links: dict[str, set[str]] = defaultdict(set)  # zone name -> linked VNet names
    blind_links = False
    for link in stack.of(T.VNET_LINK):
        zone = text(link.props, "privateZoneName")
        vnets = _vnets(by_urn, link, "virtualNetwork", get(link.props, "virtualNetwork", "id"))
        if not isinstance(zone, str) or vnets is None:
            blind_links = True
            continue
        links[zone] |= vnets
    declared = {text(z.props, "privateZoneName") for z in stack.of(T.PRIVATE_ZONE)}
    by_name = {(text(pe.props, "resourceGroupName"), text(pe.props, "privateEndpointName")): pe
               for pe in stack.of(T.PRIVATE_ENDPOINT)}
    for group in stack.of(T.DNS_ZONE_GROUP):
        endpoint = next((by_urn[u] for u in depends_on(group, "privateEndpointName") if u in by_urn),
                        by_name.get((text(group.props, "resourceGroupName"), text(group.props, "privateEndpointName"))))
        if endpoint is None:
            continue
        wanted = _zones_for(endpoint)
        used = _zone_names(by_urn, group)
        if wanted is None or used is None:
            continue
        required = _required_zones(by_urn, endpoint, wanted)
        for zone in sorted(used - wanted) if wanted else []:
            yield (f"the DNS zone group of private endpoint '{endpoint.name}' uses zone '{zone}', which does not "
                   f"serve its group id (needs {', '.join(sorted(wanted))})", endpoint.urn)
        for zone in sorted(required - used) if used & wanted else []:
            yield (f"the DNS zone group of private endpoint '{endpoint.name}' lacks zone '{zone}'", endpoint.urn)
        hosts = _vnets(by_urn, endpoint, "subnet", get(endpoint.props, "subnet", "id"))
        if hosts is None or blind_links:
            continue
        for zone in sorted(used & declared):
            if not links.get(zone, set()) & hosts:
                yield (f"private DNS zone '{zone}' is linked to no VNet hosting private endpoint '{endpoint.name}' "
                       f"({', '.join(sorted(hosts))}): clients there resolve the public address", endpoint.urn)


def _zones_for(endpoint: PolicyResource) -> set[str] | None:
    """The zones the endpoint's group ids need (empty: a group id the catalogue does not know)."""
    wanted: set[str] = set()
    for prop in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
        connections = items(endpoint.props, prop)
        if connections is UNKNOWN:
            return None
        for connection in connections:
            ids = UNKNOWN if connection is UNKNOWN else items(connection, "groupIds")
            if ids is UNKNOWN:
                return None
            for group_id in ids:
                known = {g.lower(): z for g, z in C.ZONES_BY_GROUP.items()}.get(str(group_id).lower())
                if known is None:
                    return set()
                wanted |= set(known)
    return wanted


def _required_zones(by_urn: Mapping[str, PolicyResource], endpoint: PolicyResource, wanted: set[str]) -> set[str]:
    """The zones the endpoint's target answers on: a Cognitive Services account that is neither OpenAI
    nor AI Services needs only the cognitiveservices zone of the `account` group's three."""
    targets = [by_urn[u] for u in depends_on(endpoint, "privateLinkServiceConnections") if u in by_urn]
    kinds = [text(t.props, "kind") for t in targets if t.resource_type == T.COGNITIVE_ACCOUNT]
    if C.COGNITIVE_ZONE in wanted and kinds and all(isinstance(k, str) and k.lower() not in C.AI_ZONE_KINDS
                                                     for k in kinds):
        return wanted - (set(C.ZONES_BY_GROUP["account"]) - {C.COGNITIVE_ZONE})
    return wanted


def _zone_names(by_urn: Mapping[str, PolicyResource], group: PolicyResource) -> set[str] | None:
    """Names of the zones a zone group writes into, from the zone ids or else the zones it depends on
    (None: cannot tell)."""
    names = {id_name(zone_id) for zone_id in ids_at(items(group.props, "privateDnsZoneConfigs"), "privateDnsZoneId")}
    if names and all(isinstance(n, str) for n in names):
        return {str(n) for n in names}
    zones = [by_urn[u] for u in depends_on(group, "privateDnsZoneConfigs") if u in by_urn]
    found = {text(z.props, "privateZoneName") for z in zones if z.resource_type == T.PRIVATE_ZONE}
    return {str(n) for n in found} if found and all(isinstance(n, str) for n in found) else None


# Azure Monitor's public access switches, on workspaces and App Insights components alike (REST: Workspaces
# and Components, `publicNetworkAccessForIngestion` / `publicNetworkAccessForQuery`, default Enabled).
MONITOR_ACCESS = ("publicNetworkAccessForIngestion", "publicNetworkAccessForQuery")


def _monitor_private_link(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    if not config["requirePrivateLink"]:
        return
    stack = Stack(args.resources)
    monitored = stack.of(T.WORKSPACE, T.APP_INSIGHTS)
    for r in monitored:
        for key in MONITOR_ACCESS:
            value = text(r.props, key)
            if value is not UNKNOWN and value != "disabled":
                shown = f"'{get(r.props, key)}'" if value else "absent (Azure's default: Enabled)"
                yield (f"'{r.name}' ({r.resource_type}) has {key} {shown}: anyone on the Internet with a token "
                       "reaches it; set it to 'Disabled' and reach it through the Azure Monitor Private Link Scope",
                       r.urn)
    scoped: set[str] = set()
    blind = False
    for link in stack.of(T.MONITOR_SCOPED_RESOURCE):
        urns, unresolved = stack.references(link, "linkedResourceId", [get(link.props, "linkedResourceId")])
        scoped |= urns
        blind = blind or unresolved
    for r in monitored:
        if r.urn not in scoped and not blind:
            yield (f"'{r.name}' ({r.resource_type}) is in no Azure Monitor Private Link Scope (no "
                   "monitor:PrivateLinkScopedResource links it), so with public access off nothing reaches it",
                   r.urn)
    yield from _scopes(stack)


def _scopes(stack: Stack) -> Iterable[Finding]:
    """Each AMPLS admits private traffic only, has a private endpoint, and shares its DNS zones with no other."""
    endpoints_of, blind = endpoints_by_target(stack)
    zones_of = _endpoint_zones(stack)
    owner_of_zone: dict[str, PolicyResource] = {}
    for scope in stack.of(T.MONITOR_PRIVATE_LINK_SCOPE):
        for key in ("ingestionAccessMode", "queryAccessMode"):
            mode = text(scope.props, "accessModeSettings", key)
            if mode is not UNKNOWN and mode != "privateonly":
                shown = f"'{get(scope.props, 'accessModeSettings', key)}'" if mode else "absent (Azure's default: Open)"
                yield (f"Azure Monitor Private Link Scope '{scope.name}' has accessModeSettings.{key} {shown}: its "
                       "networks still reach resources outside it; set it to 'PrivateOnly'", scope.urn)
        exclusions = items(scope.props, "accessModeSettings", "exclusions")
        for exclusion in [] if exclusions is UNKNOWN else exclusions:
            if exclusion is not UNKNOWN and "open" in {text(exclusion, "ingestionAccessMode"),
                                                        text(exclusion, "queryAccessMode")}:
                yield (f"Azure Monitor Private Link Scope '{scope.name}' opens endpoint connection "
                       f"'{get(exclusion, 'privateEndpointConnectionName')}' to resources outside it (an 'Open' "
                       "exclusion)", scope.urn)
        endpoints = endpoints_of.get(scope.urn, [])
        if not endpoints and not blind:
            yield (f"Azure Monitor Private Link Scope '{scope.name}' has no private endpoint, so no network "
                   "reaches the resources in it", scope.urn)
        for zone in sorted({z for pe in endpoints for z in zones_of.get(pe.urn, set())}):
            other = owner_of_zone.setdefault(zone, scope)
            if other is not scope:
                yield (f"Azure Monitor Private Link Scopes '{other.name}' and '{scope.name}' write into the same "
                       f"private DNS zone ({zone}): Azure Monitor's endpoints are shared, so the last one written "
                       "overrides the other; networks that share DNS use one scope", scope.urn)


def _endpoint_zones(stack: Stack) -> dict[str, set[str]]:
    """Private endpoint urn -> the zones (urn, or lower-cased id) its DNS zone groups write into."""
    zones: dict[str, set[str]] = defaultdict(set)
    for group in stack.of(T.DNS_ZONE_GROUP):
        used = depends_on(group, "privateDnsZoneConfigs")
        used |= {str(i).lower() for i in ids_at(items(group.props, "privateDnsZoneConfigs"), "privateDnsZoneId")
                 if isinstance(i, str)}
        for urn in depends_on(group, "privateEndpointName"):
            zones[urn] |= used
    return zones


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


private_dns_zone_wiring = stack_policy(
    name="private-dns-zone-wiring",
    description="Each private endpoint's DNS zone group writes into the zones its group id needs, and each of "
                "those zones (declared in the stack) is linked to a VNet hosting the endpoint.",
    checklist=["SEC-3"],
    severity=Severity.HIGH,
    remediation="Point `private_dns_zone_configs` at the zones of the endpoint's group id "
                "(https://learn.microsoft.com/azure/private-link/private-endpoint-dns; policies/azure/catalog.py "
                "ZONES_BY_GROUP) and add a privatedns:VirtualNetworkLink from each zone to the endpoint's VNet; "
                "set `providedOutsideStack` when a hub owns the zones and links.",
    check=_private_dns_wiring,
)


monitor_private_link = stack_policy(
    name="monitor-private-link",
    description="Where required (prod), Log Analytics workspaces and App Insights components take no public "
                "ingestion or queries and are scoped into an Azure Monitor Private Link Scope that admits private "
                "traffic only, has a private endpoint and shares its DNS zones with no other scope.",
    checklist=["SEC-3", "MON-1"],
    severity=Severity.HIGH,
    remediation="Set `public_network_access_for_ingestion` and `public_network_access_for_query` to 'Disabled', "
                "link each workspace and component with a monitor:PrivateLinkScopedResource "
                "(`linked_resource_id=<resource>.id`) to one monitor:PrivateLinkScope with "
                "`access_mode_settings` ingestion and query 'PrivateOnly', and give the scope a private endpoint "
                "(group id 'azuremonitor'; components.monitor_private_link.MonitorPrivateLink does all of it). One "
                "scope per DNS: https://learn.microsoft.com/azure/azure-monitor/logs/private-link-design.",
    check=_monitor_private_link,
    config={"requirePrivateLink": {
        "type": "boolean", "default": False,
        "description": "check the stack at all (prod.json: true); off, Azure Monitor may be reached publicly"}},
)


POLICIES: list[Policy] = [
    private_endpoint_coverage, private_dns_zone_wiring, monitor_private_link,
]
