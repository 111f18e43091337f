"""The stack's shape (REL-1, PERF-2, PERF-3, SEC-4): regions behind Traffic Manager, a cache in each
region, an NSG on every subnet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, by_type, stack_policy
from ..framework.inputs import UNKNOWN, get, items, region, text
from ..framework.stack import Finding, Stack

# Regions that need a Traffic Manager endpoint: where traffic enters.
SERVING_TYPES: tuple[str, ...] = (T.APP_GATEWAY, T.MANAGED_ENVIRONMENT, T.WEB_APP)


# Subnets Azure refuses an NSG on.
NSG_FORBIDDEN_SUBNETS: tuple[str, ...] = (
    "GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet")


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
    if not stack.of(T.TM_PROFILE):
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
        covered.update(stack.region(d) for d in deps if d.resource_type != T.RESOURCE_GROUP)
        for e in endpoints:
            location = text(e, "endpointLocation")
            target = stack.by_id(get(e, "targetResourceId"))
            if isinstance(location, str) and location:
                covered.add(region(location))
            elif target is not None:
                covered.add(stack.region(target))
            elif not deps:
                unsure = True  # an external target without a location, or unknown values

    for profile in stack.of(T.TM_PROFILE):
        endpoints = items(profile.props, "endpoints")
        if endpoints is UNKNOWN:
            unsure = True
        else:
            add(endpoints, profile.property_dependencies.get("endpoints", []))
    for endpoint in stack.of(T.TM_ENDPOINT):
        deps = endpoint.property_dependencies
        add([endpoint.props], [*deps.get("targetResourceId", []), *deps.get("target", [])])
    return covered - {None}, unsure


def _nsg_on_every_subnet(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    exempt = {s.lower() for s in config["exemptSubnets"]}

    def lacks_nsg(subnet: Any) -> bool:
        nsg = get(subnet, "networkSecurityGroup", "id")
        return nsg is not UNKNOWN and not nsg

    for vnet in by_type(args.resources, T.VNET):
        subnets = items(vnet.props, "subnets")
        if subnets is UNKNOWN:
            continue
        for s in subnets:
            name = text(s, "name")
            if s is UNKNOWN or name is UNKNOWN or name in exempt or not lacks_nsg(s):
                continue
            yield (f"subnet '{get(s, 'name')}' of virtual network '{vnet.name}' has no network security group",
                   vnet.urn)
    for subnet in by_type(args.resources, T.SUBNET):
        name = text(subnet.props, "subnetName") or text(subnet.props, "name") or subnet.name.lower()
        if name is UNKNOWN or name in exempt or not lacks_nsg(subnet.props):
            continue
        yield (f"subnet '{subnet.name}' has no network security group", subnet.urn)


def _redis_in_each_region(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    caches = stack.regions(stack.of(*C.REDIS_CACHES))
    if UNKNOWN in caches:
        return
    for environment in stack.of(T.MANAGED_ENVIRONMENT):
        where = stack.region(environment)
        if isinstance(where, str) and where not in caches:
            yield (f"container apps environment '{environment.name}' in {where} has no Redis cache in its region",
                   environment.urn)


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


POLICIES: list[Policy] = [
    multi_region, nsg_on_every_subnet, redis_in_each_region,
]
