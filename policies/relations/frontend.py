"""The web frontend's edge (SEC-6, PERF-3): every public Front Door name has a WAF policy attached,
and the frontend's API route leads to the platform's public entry point (Traffic Manager or a WAF
gateway), never around it. Static content behind the edge (PERF-4) is edge.py's
static-content-behind-cdn.

Front Door attaches a WAF policy to endpoints and custom domains through a security policy
(Microsoft.Cdn 2025-06-01 `securityPolicies`, parameters of type WebApplicationFirewall:
`wafPolicy.id` and `associations[].domains[].id` with `patternsToMatch`;
https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-configure-endpoints).
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, arm_type, depends_on, get, items, text
from ..framework.stack import Finding, Stack, ids_at

FRONT_DOOR_WAF_ARM = "microsoft.network/frontdoorwebapplicationfirewallpolicies"
# The public names a Front Door profile answers on.
PUBLIC_NAMES = (T.AFD_ENDPOINT, T.AFD_CUSTOM_DOMAIN)
# What an API origin may be built from: the platform's public entry points.
ENTRY_POINTS = (T.TM_PROFILE, T.PUBLIC_IP, T.APP_GATEWAY)


def _protected_names(stack: Stack) -> tuple[set[str], bool]:
    """URNs of endpoints and custom domains a WAF security policy covers for every path ('/*'), and
    whether some association cannot be read."""
    names = {r.urn for r in stack.of(*PUBLIC_NAMES)}
    covered: set[str] = set()
    blind = False
    for security in stack.of(T.AFD_SECURITY_POLICY):
        params = get(security.props, "parameters")
        kind, waf = text(params, "type"), get(params, "wafPolicy", "id")
        associations = items(params, "associations")
        if UNKNOWN in (params, kind) or associations is UNKNOWN:
            blind = True
            continue
        if kind != "webapplicationfirewall" or (isinstance(waf, str) and arm_type(waf) != FRONT_DOOR_WAF_ARM):
            continue
        unresolved = False
        for association in associations:
            patterns = UNKNOWN if association is UNKNOWN else items(association, "patternsToMatch")
            if patterns is UNKNOWN:
                unresolved = True
                continue
            if "/*" not in patterns:
                continue  # a WAF on some paths only leaves the others open
            for value in ids_at(items(association, "domains"), "id"):
                target = None if value is UNKNOWN else stack.by_id(value)
                if value is UNKNOWN:
                    unresolved = True
                elif target is not None:
                    covered.add(target.urn)
        if unresolved:
            # Ids computed during deployment: the names the parameters were built from.
            covered |= depends_on(security, "parameters") & names
    return covered, blind


def _waf_attached(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    covered, blind = _protected_names(stack)
    if blind:
        return
    for name in stack.of(*PUBLIC_NAMES):
        if name.urn not in covered:
            what = "endpoint" if name.resource_type == T.AFD_ENDPOINT else "custom domain"
            yield (f"Front Door {what} '{name.name}' is in no WAF security policy (a cdn:SecurityPolicy of type "
                   "WebApplicationFirewall associating it for '/*'): its requests reach the origins unfiltered",
                   name.urn)


def _api_origins(stack: Stack, prefix: str) -> list[PolicyResource]:
    """The origins of the origin groups that routes matching the API path prefix forward to."""
    groups: set[str] = set()
    for route in stack.of(T.AFD_ROUTE):
        patterns = items(route.props, "patternsToMatch")
        if patterns is UNKNOWN or not any(str(p).startswith(prefix) for p in patterns if p is not UNKNOWN):
            continue
        urns, _ = stack.references(route, "originGroup", [get(route.props, "originGroup", "id")])
        groups |= urns
    by_name: dict[tuple[object, object, object], str] = {
        (text(g.props, "resourceGroupName"), text(g.props, "profileName"), text(g.props, "originGroupName")): g.urn
        for g in stack.of(T.AFD_ORIGIN_GROUP)}
    origins = []
    for origin in stack.of(T.AFD_ORIGIN):
        group = depends_on(origin, "originGroupName") or {by_name.get((
            text(origin.props, "resourceGroupName"), text(origin.props, "profileName"),
            text(origin.props, "originGroupName")), "")}
        if group & groups:
            origins.append(origin)
    return origins


def _gateway_frontends(stack: Stack) -> set[str]:
    """URNs of public IPs that are an Application Gateway's frontend (by dependency or id)."""
    frontends: set[str] = set()
    for gateway in stack.of(T.APP_GATEWAY):
        urns, _ = stack.references(gateway, "frontendIPConfigurations", ids_at(
            items(gateway.props, "frontendIPConfigurations"), "publicIPAddress", "id"))
        frontends |= urns
    return frontends


def _entry_host_names(stack: Stack, listed: Iterable[str]) -> set[str]:
    """Literal host names of the stack's entry points: Traffic Manager names, gateway public IPs' FQDNs,
    and those the config lists (a custom DNS name in front of them)."""
    names = {str(h).strip().lower() for h in listed}
    for profile in stack.of(T.TM_PROFILE):
        relative = text(profile.props, "dnsConfig", "relativeName")
        if isinstance(relative, str):
            names.add(f"{relative}.trafficmanager.net")
    for ip in stack.of(T.PUBLIC_IP):
        fqdn, label, where = text(ip.props, "dnsSettings", "fqdn"), text(ip.props, "dnsSettings", "domainNameLabel"), \
            stack.region(ip)
        if isinstance(fqdn, str):
            names.add(fqdn)
        if isinstance(label, str) and isinstance(where, str):
            # https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#dns-name-label
            names.add(f"{label}.{where}.cloudapp.azure.com")
    return names


def _api_through_entry(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    by_urn = {r.urn: r for r in args.resources}
    frontends = _gateway_frontends(stack)
    known = _entry_host_names(stack, config["entryHosts"])
    for origin in _api_origins(stack, config["apiPathPrefix"]):
        sources = [by_urn[u] for u in depends_on(origin, "hostName") if u in by_urn]
        host = text(origin.props, "hostName")
        if sources:
            bypass = [s for s in sources if s.resource_type not in ENTRY_POINTS]
            loose = [s for s in sources if s.resource_type == T.PUBLIC_IP and s.urn not in frontends]
            for s in [*bypass, *loose]:
                yield (f"Front Door origin '{origin.name}' serves the API from '{s.name}' ({s.resource_type}), "
                       "which is not the platform's public entry point: API calls would bypass the WAF gateway",
                       origin.urn)
        elif isinstance(host, str) and host not in known and not host.endswith(".trafficmanager.net"):
            yield (f"Front Door origin '{origin.name}' serves the API from '{host}', which is neither this stack's "
                   "Traffic Manager profile nor a WAF gateway's address: API calls may bypass the WAF gateway; list "
                   "the name in entryHosts if it is the public entry point's", origin.urn)


front_door_waf_attached = stack_policy(
    name="front-door-waf-attached",
    description="Every Front Door endpoint and custom domain is covered by a WAF security policy for every path.",
    checklist=["SEC-6"],
    severity=Severity.CRITICAL,
    remediation="Declare a cdn:SecurityPolicy with `parameters=SecurityPolicyWebApplicationFirewallParametersArgs("
                "type='WebApplicationFirewall', waf_policy=ResourceReferenceArgs(id=<frontdoor:Policy>.id), "
                "associations=[SecurityPolicyWebApplicationFirewallAssociationArgs(domains=[<endpoint and every "
                "custom domain>], patterns_to_match=['/*'])])` (components/front_door.py does this).",
    check=_waf_attached,
)


frontend_api_through_public_entry = stack_policy(
    name="frontend-api-through-public-entry",
    description="The frontend's API route leads to the platform's public entry point (Traffic Manager or a WAF "
                "gateway), never straight to a container app or web app.",
    checklist=["SEC-6", "PERF-3"],
    severity=Severity.HIGH,
    remediation="Build the API origin's `host_name` from the Traffic Manager profile's FQDN (multi-region) or the "
                "WAF gateway's public IP FQDN (`FrontDoorArgs(api_origin=...)`), with `origin_host_header` the "
                "gateway's certificate host; list a custom DNS name of that entry point in `entryHosts`.",
    check=_api_through_entry,
    config={
        "apiPathPrefix": {"type": "string", "default": "/api",
                          "description": "routes whose patternsToMatch start with this serve the API"},
        "entryHosts": {"type": "array", "items": {"type": "string"}, "default": [],
                       "description": "host names (custom DNS) of the public entry point an API origin may use"},
    },
)


POLICIES: list[Policy] = [
    front_door_waf_attached, frontend_api_through_public_entry,
]
