"""Cross-field rules pydantic's per-field types cannot express.

Each rule returns `(path, message)` problems; paths use the YAML (camelCase) key names so the
user can find the line in `Pulumi.<stack>.yaml`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import date
from itertools import combinations

from .model import (
    STATIC_WEB_APP_REGIONS,
    AIServices,
    AppGateway,
    Budget,
    ContainerApps,
    EventProcessing,
    Frontend,
    Monitoring,
    Network,
    OpenAI,
    Region,
    Search,
)

Problem = tuple[str, str]

# Smallest subnets Azure accepts for each role (prefix length upper bounds).
_MAX_PREFIXLEN = {"privateEndpoints": 28, "containerApps": 27, "appGateway": 26, "functions": 28}
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
        if net.prefixlen > _MAX_PREFIXLEN[subnet.role]:
            yield (f"{spath}.prefix", f"'{subnet.prefix}' is too small for role '{subnet.role}'; "
                   f"use /{_MAX_PREFIXLEN[subnet.role]} or larger")
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
    if budget.start_date.day != 1:
        first = budget.start_date.replace(day=1).isoformat()
        yield ("budget.startDate", f"'{budget.start_date.isoformat()}' is not the first of a month; "
               f"Azure budgets start on a month boundary, use '{first}' (and never change it afterwards)")
    if budget.end_date is not None:
        if budget.end_date <= budget.start_date:
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


# Azure AI Search capacity per SKU: (most replicas, partition counts, most search units = R x P).
# https://learn.microsoft.com/azure/search/search-limits-quotas-capacity (Basic 3 SU, every other
# billable tier 36 SU; Basic takes up to 3 partitions on services created since April 2024) and
# https://learn.microsoft.com/azure/search/search-capacity-planning (12 replicas on Standard, 3 on
# Basic); partition counts 1, 2, 3, 4, 6 or 12 per the REST spec's `partitionCount`
# (azure-rest-api-specs, specification/search/resource-manager, Microsoft.Search 2025-05-01).
SEARCH_LIMITS: dict[str, tuple[int, tuple[int, ...], int]] = {
    "basic": (3, (1, 2, 3), 3),
    **{sku: (12, (1, 2, 3, 4, 6, 12), 36) for sku in (
        "standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2")},
}
# The read SLA needs two replicas, read-write three. https://learn.microsoft.com/azure/search/search-reliability
PROD_MIN_SEARCH_REPLICAS = 2


def check_search(search: Search, environment: str | None, services: list[str] | None) -> Iterator[Problem]:
    max_replicas, partitions, max_units = SEARCH_LIMITS[search.sku]
    if search.replicas > max_replicas:
        yield ("search.replicas", f"{search.replicas} is above the {max_replicas} replicas sku '{search.sku}' "
               f"allows; lower it or pick a larger sku")
    if search.partitions not in partitions:
        yield ("search.partitions", f"{search.partitions} partitions are not available on sku '{search.sku}'; "
               f"use one of {', '.join(map(str, partitions))}")
    elif search.replicas * search.partitions > max_units:
        yield ("search.replicas", f"{search.replicas} replicas x {search.partitions} partitions = "
               f"{search.replicas * search.partitions} search units, above the {max_units} sku '{search.sku}' "
               "allows; lower replicas or partitions")
    if environment == "prod":
        if search.sku == "basic":
            yield ("search.sku", "prod runs on a Standard or Storage Optimized tier (the seed's AZURE_SEARCH_SKU "
                   "'standard'); 'basic' is for dev and test, set sku: standard")
        if search.replicas < PROD_MIN_SEARCH_REPLICAS:
            yield ("search.replicas", f"prod needs at least {PROD_MIN_SEARCH_REPLICAS} replicas for the query "
                   f"SLA (REL-5), found {search.replicas}; set replicas: {PROD_MIN_SEARCH_REPLICAS} or more")
    if services is not None:
        for i, reader in enumerate(search.readers):
            if reader not in services:
                yield (f"search.readers[{i}]", f"'{reader}' is not a containerApps service; use one of "
                       f"{', '.join(services)}")


def check_ai_services(ai: AIServices, services: list[str] | None) -> Iterator[Problem]:
    if services is None:
        return
    for key, account in (("vision", ai.vision), ("documentIntelligence", ai.document_intelligence)):
        if account.consumer not in services:
            yield (f"aiServices.{key}.consumer", f"'{account.consumer}' is not a containerApps service; add it "
                   f"to containerApps.services or use one of {', '.join(services)}")


def check_frontend(frontend: Frontend, allowed: list[str] | None, environment: str | None,
                   gateway: AppGateway | None) -> Iterator[Problem]:
    if frontend.location not in STATIC_WEB_APP_REGIONS:
        yield ("frontend.location", f"'{frontend.location}' does not host Static Web Apps; use one of "
               f"{', '.join(sorted(STATIC_WEB_APP_REGIONS))}")
    elif allowed is not None and frontend.location not in allowed:
        yield ("frontend.location", f"'{frontend.location}' is not in allowedLocations {allowed} (COMP-1); "
               "add it there or pick an allowed region")
    if gateway is not None and gateway.host_name is None:
        yield ("appGateway.hostName", "the frontend's /api/* route reaches the gateway under this name (its "
               "certificate's); set it, e.g. hostName: api.contoso.com")
    if gateway is not None and frontend.custom_domain is not None and frontend.custom_domain == gateway.host_name:
        yield ("frontend.customDomain", f"'{gateway.host_name}' is already appGateway.hostName (the API's public "
               "name); give the frontend its own host name")
    if environment != "prod":
        return
    prod_rules = (
        ("sku", frontend.sku == "Standard", "prod serves the frontend on the Standard plan (SLA, Front Door "
         "restriction); set sku: Standard"),
        ("edgeSku", frontend.edge_sku == "Premium_AzureFrontDoor", "prod needs Front Door Premium for the "
         "managed WAF rule sets (SEC-6); set edgeSku: Premium_AzureFrontDoor"),
        ("stagingEnvironments", not frontend.staging_environments, "prod allows no public preview environments; "
         "set stagingEnvironments: false"),
        ("wafMode", frontend.waf_mode == "Prevention", "prod blocks what the WAF detects (SEC-6); set wafMode: "
         "Prevention"),
        ("customDomain", frontend.custom_domain is not None, "prod serves the frontend on its own host name; set "
         "customDomain (e.g. www.contoso.com)"),
    )
    for key, ok, message in prod_rules:
        if not ok:
            yield (f"frontend.{key}", message)
