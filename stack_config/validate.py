"""Cross-field rules pydantic's per-field types cannot express.

Each rule returns `(path, message)` problems; paths use the YAML (camelCase) key names so the
user can find the line in `Pulumi.<stack>.yaml`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from datetime import date
from itertools import combinations
from typing import Any

from . import preflight
from .model import (
    AppGateway,
    Budget,
    ContainerApps,
    EventProcessing,
    Monitoring,
    Network,
    OpenAI,
    Region,
)

Problem = tuple[str, str]


def check_preflight(parsed: Mapping[str, Any], today: date) -> Iterator[Problem]:
    """What Azure itself would refuse at deployment time (stack_config/preflight)."""
    yield from preflight.run(parsed, today)

# Smallest subnets Azure accepts for each role (prefix length upper bounds).
# /29 is the smallest subnet Azure creates (learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
# Container Apps subnets are sized by the preflight, against the environment type (preflight/subnets.py).
_MAX_PREFIXLEN = {"privateEndpoints": 28, "appGateway": 26, "functions": 28, "operations": 29}
_REQUIRED_ROLES = ("privateEndpoints", "containerApps", "appGateway")


def _net(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(cidr)


def check_region(region: Region, path: str, needs_functions: bool) -> Iterator[Problem]:
    vnet = _net(region.address_space)
    seen: dict[str, int] = {}
    for j, subnet in enumerate(region.subnets):
        spath = f"{path}.subnets[{j}]"
        net = _net(subnet.prefix)
        if net.version != vnet.version or not net.subnet_of(vnet):  # type: ignore[arg-type]
            yield (f"{spath}.prefix", f"'{subnet.prefix}' is outside the VNet address space "
                   f"'{region.address_space}'; pick a prefix inside it")
        limit = _MAX_PREFIXLEN.get(subnet.role)
        if limit is not None and net.prefixlen > limit:
            yield (f"{spath}.prefix", f"'{subnet.prefix}' is too small for role '{subnet.role}'; "
                   f"use /{limit} or larger")
        if subnet.role in seen:
            yield (f"{spath}.role", f"role '{subnet.role}' is already used by subnets[{seen[subnet.role]}]; "
                   "each role takes one subnet")
        seen.setdefault(subnet.role, j)
    for (i, a), (j, b) in combinations(enumerate(region.subnets), 2):
        if _net(a.prefix).overlaps(_net(b.prefix)):  # type: ignore[arg-type]
            yield (f"{path}.subnets[{j}].prefix", f"'{b.prefix}' overlaps subnets[{i}] '{a.prefix}'; "
                   "subnets of one VNet must not overlap")
    required = (*_REQUIRED_ROLES, "functions") if needs_functions else _REQUIRED_ROLES
    for role in required:
        if role not in seen:
            yield (f"{path}.subnets", f"no subnet with role '{role}'; add one "
                   f"(e.g. {{role: {role}, prefix: <cidr inside {region.address_space}>}})")


def check_network(
    network: Network, allowed: list[str] | None, environment: str | None, needs_functions: bool
) -> Iterator[Problem]:
    regions = network.regions
    if environment == "prod" and len(regions) < 2:
        yield ("network.regions", f"prod needs at least 2 regions (REL-1), found {len(regions)}; "
               "add a secondary region after the primary")
    first_index: dict[str, int] = {}
    for i, region in enumerate(regions):
        path = f"network.regions[{i}]"
        if region.location in first_index:
            yield (f"{path}.location", f"'{region.location}' is already regions[{first_index[region.location]}]; "
                   "each region may appear once")
        first_index.setdefault(region.location, i)
        if allowed is not None and region.location not in allowed:
            yield (f"{path}.location", f"'{region.location}' is not in allowedLocations {allowed} (COMP-1); "
                   "add it there or pick an allowed region")
        yield from check_region(region, path, needs_functions)
    for (i, a), (j, b) in combinations(enumerate(regions), 2):
        if _net(a.address_space).overlaps(_net(b.address_space)):  # type: ignore[arg-type]
            yield (f"network.regions[{j}].addressSpace",
                   f"'{b.address_space}' overlaps regions[{i}] '{a.address_space}'; "
                   "regional VNets must not overlap so they can be peered")


def check_openai(openai: OpenAI) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, deployment in enumerate(openai.deployments):
        if deployment.name in seen:
            yield (f"openai.deployments[{i}].name", f"'{deployment.name}' is used twice; names must be unique")
        seen.add(deployment.name)


def check_app_gateway(gateway: AppGateway, environment: str | None) -> Iterator[Problem]:
    if gateway.min_capacity > gateway.max_capacity:
        yield ("appGateway.minCapacity", f"{gateway.min_capacity} is above maxCapacity "
               f"{gateway.max_capacity}; lower it or raise maxCapacity")
    if environment == "prod" and gateway.min_capacity < 2:
        yield ("appGateway.minCapacity", f"prod needs at least 2 instances (PERF-1, REL-5), found "
               f"{gateway.min_capacity}; set minCapacity: 2")


def check_container_apps(apps: ContainerApps) -> Iterator[Problem]:
    entrypoints = [i for i, s in enumerate(apps.services) if s.entrypoint]
    if len(entrypoints) != 1:
        yield ("containerApps.services", f"exactly one service needs `entrypoint: true` (the gateway's "
               f"backend), found {len(entrypoints)}")
    names: set[str] = set()
    for i, svc in enumerate(apps.services):
        path = f"containerApps.services[{i}]"
        if svc.name in names:
            yield (f"{path}.name", f"'{svc.name}' is used twice; names must be unique")
        names.add(svc.name)
        if svc.min_replicas > svc.max_replicas:
            yield (f"{path}.minReplicas", f"{svc.min_replicas} is above maxReplicas {svc.max_replicas}")
        expected = f"{svc.cpu * 2:g}Gi"
        if float(svc.memory[:-2]) != svc.cpu * 2:
            yield (f"{path}.memory", f"'{svc.memory}' does not match cpu {svc.cpu:g}; the Consumption "
                   f"profile takes memory = 2 x cpu, set memory: {expected}")


def check_monitoring(monitoring: Monitoring, environment: str | None) -> Iterator[Problem]:
    if environment == "prod" and monitoring.retention_days < 90:
        yield ("monitoring.retentionDays", f"prod keeps logs at least 90 days (MON-6), found "
               f"{monitoring.retention_days}; set retentionDays: 90 or more")


def check_budget(budget: Budget, today: date) -> Iterator[Problem]:
    if budget.start_date is not None and budget.start_date.day != 1:
        first = budget.start_date.replace(day=1).isoformat()
        yield ("budget.startDate", f"'{budget.start_date.isoformat()}' is not the first of a month; "
               f"Azure budgets start on a month boundary, use '{first}' (and never change it afterwards)")
    if budget.end_date is not None:
        if budget.start_date is not None and budget.end_date <= budget.start_date:
            yield ("budget.endDate", f"'{budget.end_date.isoformat()}' is not after startDate; remove it or move it")
        elif budget.end_date < today:
            yield ("budget.endDate", f"'{budget.end_date.isoformat()}' has passed: the budget would stop "
                   "alerting; remove endDate or set a future date")
    t = budget.thresholds
    if not t.warning < t.critical:
        yield ("budget.thresholds", f"warning ({t.warning}) must be below critical ({t.critical}); "
               "order them warning < critical")


def check_event_processing(events: EventProcessing, environment: str | None) -> Iterator[Problem]:
    if events.enabled and environment == "prod" and events.event_hub_sku == "Standard" \
            and not events.event_hub_zone_redundant:
        yield ("eventProcessing.eventHubZoneRedundant", "prod Event Hubs on Standard must be zone redundant "
               "(REL-5); set eventHubZoneRedundant: true or eventHubSku: Premium")
