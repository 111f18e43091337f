"""Network security groups, subnets and public IPs (network:NetworkSecurityGroup, SecurityRule,
VirtualNetwork, Subnet, PublicIPAddress). Whether every subnet has an NSG is a stack policy
(relations/topology.py); whether every public IP sits behind the WAF is relations/edge.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import VIOLATES, Row, equals, value_policy
from ..framework.inputs import UNKNOWN, Unknown, get, items, text
from ..framework.values import show

# Subnets Azure reserves for its gateways, firewalls and Bastion: they hold no private endpoints.
RESERVED_SUBNETS = frozenset({
    "gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "azurebastionsubnet",
    "routeserversubnet",
})


INTERNET_SOURCES = frozenset({"*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0"})


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
    ports, protocol = _port_ranges(rule), text(rule, "protocol")
    if not internet or ports is UNKNOWN or protocol is UNKNOWN:
        return None
    # The allowed ports are the gateway's TCP listeners and its TCP management range: the same
    # port over UDP, ICMP or any protocol ('*') is another door.
    tcp = protocol == "tcp"
    exposed = [r for r in ports if not tcp or not any(lo <= r[0] and r[1] <= hi for lo, hi in allowed)]
    if not exposed:
        return None
    shown = ", ".join("*" if r == (0, 65535) else f"{r[0]}" if r[0] == r[1] else f"{r[0]}-{r[1]}" for r in exposed)
    name = get(rule, "name")
    label = f"rule '{name}'" if isinstance(name, str) else "the rule"
    over = "" if tcp else f" over protocol {show(get(rule, 'protocol'))}"
    return f"{label} allows inbound traffic from '{internet[0]}' to port(s) {shown}{over}"


def _allowed_ports(config: Config) -> list[tuple[int, int]]:
    out = []
    for entry in config["allowedInternetPorts"]:
        low, _, high = str(entry).partition("-")
        out.append((int(low), int(high or low)))
    return out


def _nsg_inbound(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    allowed = _allowed_ports(config)
    rules = [args.props] if args.resource_type == T.SECURITY_RULE else items(args.props, "securityRules")
    if rules is UNKNOWN:
        return
    for rule in rules:
        problem = _internet_exposure(rule, allowed)
        if problem:
            yield problem


def _subnets(args: ResourceValidationArgs) -> list[tuple[str, Any]]:
    """(name, subnet inputs) of a standalone subnet or of a VNet's inline subnets."""
    if args.resource_type == T.SUBNET:
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
            shown = show(get(subnet, "privateEndpointNetworkPolicies"), "Disabled")
            yield (f"subnet '{name}' has privateEndpointNetworkPolicies {shown}: NSG rules do not apply to its "
                   "private endpoints")


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
    types=[T.NSG, T.SECURITY_RULE],
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
    types=[T.SUBNET, T.VNET],
    check=_subnet_endpoint_policies,
)


public_ip_standard_sku = value_policy(
    name="public-ip-standard-sku",
    description="Public IPs use the Standard SKU (closed by default, zone-capable; Basic is retired).",
    checklist=["SEC-4"],
    severity=Severity.MEDIUM,
    remediation="Set `sku=PublicIPAddressSkuArgs(name='Standard', tier='Regional')` with "
                "`public_ip_allocation_method='Static'`.",
    types=[T.PUBLIC_IP],
    rows=[
        Row(("sku", "name"), equals("Standard"), absent=VIOLATES,
            message="{path} is {shown}; Basic public IPs are retired and open by default: use 'Standard' (closed "
                    "until an NSG allows traffic)"),
    ],
)


def _subnet_outbound(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    for name, subnet in _subnets(args):
        if subnet is UNKNOWN or name.lower() in RESERVED_SUBNETS:
            continue
        access = get(subnet, "defaultOutboundAccess")
        if access is not UNKNOWN and access is not False:
            shown = show(access, "true before the 2025 API versions")
            yield (f"subnet '{name}' has defaultOutboundAccess {shown}: its VMs and containers reach the Internet "
                   "through an implicit, shared Azure IP; set it to false and route egress explicitly (NAT gateway, "
                   "firewall)")


def _vnet_ddos(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not config["requireDdosProtection"]:
        return
    enabled, plan = get(args.props, "enableDdosProtection"), get(args.props, "ddosProtectionPlan", "id")
    if UNKNOWN in (enabled, plan):
        return
    if enabled is not True or not plan:
        yield ("no DDoS Network Protection plan (enableDdosProtection with ddosProtectionPlan.id): the public "
               "endpoints in this VNet get infrastructure-level protection only")


subnet_no_default_outbound = resource_policy(
    name="subnet-no-default-outbound",
    description="Subnets turn off default outbound access: egress goes through a route the stack declares.",
    checklist=["SEC-4"],
    severity=Severity.MEDIUM,
    remediation="Set `default_outbound_access=False` on every subnet (Azure retires default outbound access; "
                "https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access) and give "
                "subnets that call out a NAT gateway or a firewall route.",
    types=[T.SUBNET, T.VNET],
    check=_subnet_outbound,
)


vnet_ddos_protection = resource_policy(
    name="vnet-ddos-protection",
    description="VNets with public endpoints are covered by a DDoS Network Protection plan (where the environment "
                "asks for it; advisory by default, the plan is billed per month).",
    checklist=["SEC-6"],
    severity=Severity.MEDIUM,
    remediation="Create one network:DdosProtectionPlan per tenant or subscription and set "
                "`enable_ddos_protection=True`, `ddos_protection_plan=SubResourceArgs(id=<plan id>)` on the VNet "
                "(https://learn.microsoft.com/azure/ddos-protection/ddos-protection-overview); or IP Protection on "
                "the gateway's public IP.",
    types=[T.VNET],
    check=_vnet_ddos,
    config={"requireDdosProtection": {"type": "boolean", "default": False}},
    level=EnforcementLevel.ADVISORY,
)


POLICIES: list[Policy] = [
    nsg_no_internet_inbound, subnet_private_endpoint_policies, public_ip_standard_sku, subnet_no_default_outbound,
    vnet_ddos_protection,
]
