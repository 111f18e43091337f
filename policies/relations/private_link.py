"""Private link (SEC-3): every closed data plane has a private endpoint, every endpoint its DNS records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, items, text
from ..framework.stack import Finding, Stack, ids_at


def _private_endpoint_coverage(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    endpoints_of: dict[str, list[PolicyResource]] = defaultdict(list)
    blind = False
    for pe in stack.of(T.PRIVATE_ENDPOINT):
        for prop in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
            urns, unresolved = stack.references(pe, prop, ids_at(items(pe.props, prop), "privateLinkServiceId"))
            blind = blind or unresolved
            for urn in urns:
                endpoints_of[urn].append(pe)
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


POLICIES: list[Policy] = [
    private_endpoint_coverage,
]
