"""Cross-field rules pydantic's per-field types cannot express.

Each rule returns `(path, message)` problems; paths use the YAML (camelCase) key names so the
user can find the line in `Pulumi.<stack>.yaml`.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from itertools import combinations
from typing import Any

from policies.azure import catalog as C

from . import preflight
from .model import (
    CONTAINER_APP_SECRET_NAME,
    KEY_VAULT_SECRET_NAME,
    MIN_VAULT_RETENTION_DAYS,
    PLATFORM_IDENTITIES,
    REDIS_ASSIGNMENT_NAME,
    SEED_AVAILABILITY_PERCENT,
    SEED_ERROR_RATE_PERCENT,
    SEED_LATENCY_MS,
    SEED_RECOVERY_MINUTES,
    STATIC_WEB_APP_REGIONS,
    WEB_TEST_FREQUENCY_SECONDS,
    AIGateway,
    AIServices,
    AppGateway,
    Backup,
    Budget,
    ContainerApps,
    EventProcessing,
    Frontend,
    Monitoring,
    Network,
    OpenAI,
    Region,
    Search,
    Slo,
    failover_seconds,
    redis_assignment_name,
)

Problem = tuple[str, str]


def check_preflight(parsed: Mapping[str, Any], today: date) -> Iterator[Problem]:
    """What Azure itself would refuse at deployment time (stack_config/preflight)."""
    yield from preflight.run(parsed, today)

# Smallest subnets Azure accepts for each role (prefix length upper bounds).
# /29 is the smallest subnet Azure creates (learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
# Container Apps subnets are sized by the preflight, against the environment type (preflight/subnets.py).
# apiManagement: /29 is the smallest subnet a VNet-injected (stv2) instance takes; each scale unit needs two
# addresses more (learn.microsoft.com/azure/api-management/virtual-network-injection-resources#subnet-size).
_MAX_PREFIXLEN = {"privateEndpoints": 28, "appGateway": 26, "functions": 28, "operations": 29, "apiManagement": 29}
_REQUIRED_ROLES = ("privateEndpoints", "containerApps", "appGateway")


def repeats(values: Sequence[str], path: str, field: str = "", fold: bool = False) -> Iterator[Problem]:
    """Each list entry that repeats an earlier one: it would declare the same Azure resource or
    setting twice (ARM rejects the duplicate, or the second silently replaces the first)."""
    first: dict[str, int] = {}
    name = path.rsplit(".", 1)[-1]
    for i, value in enumerate(values):
        key = value.lower() if fold else value
        if key in first:
            yield (f"{path}[{i}]{field}", f"'{value}' is already {name}[{first[key]}]{field}; list it once")
        first.setdefault(key, i)


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
    yield from repeats([r.location for r in regions], "network.regions", ".location")
    for i, region in enumerate(regions):
        path = f"network.regions[{i}]"
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
    yield from repeats([d.name for d in openai.deployments], "openai.deployments", ".name")


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
    yield from repeats([s.name for s in apps.services], "containerApps.services", ".name")
    for i, svc in enumerate(apps.services):
        path = f"containerApps.services[{i}]"
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

# Written to every region's vault by the stack itself (components/stamp.py).
PLATFORM_SECRETS = ("applicationinsights-connection-string",)
# Stack names people give an environment's stack, and the environment they mean.
_ENVIRONMENT_WORDS = {"dev": "dev", "development": "dev", "test": "test", "prod": "prod", "production": "prod"}


def check_stack_name(stack: str, environment: str) -> Iterator[Problem]:
    words = {_ENVIRONMENT_WORDS[w] for w in re.split(r"[-_.]", stack.lower()) if w in _ENVIRONMENT_WORDS}
    if words and environment not in words:
        meant = sorted(words)[0]
        yield ("environment", f"stack '{stack}' is named for {meant} but declares environment '{environment}'; "
               f"set environment: {meant}, or give the stack a name that does not say {meant}")


def check_lists(p: dict) -> Iterator[Problem]:
    """Lists whose entries become resources or settings of their own."""
    if "allowed_locations" in p:
        yield from repeats(p["allowed_locations"], "allowedLocations")
    if (monitoring := p.get("monitoring")) is not None:
        yield from repeats(monitoring.alert_emails, "monitoring.alertEmails", fold=True)
        yield from repeats(monitoring.availability_locations, "monitoring.availabilityLocations")
    if (budget := p.get("budget")) is not None:
        yield from repeats(budget.contact_emails, "budget.contactEmails", fold=True)
        yield from repeats(budget.contact_roles, "budget.contactRoles")
    if (governance := p.get("governance")) is not None:
        yield from repeats(governance.defender_plans, "governance.defenderPlans")


def check_secrets(secrets: dict) -> Iterator[Problem]:
    """Each secret becomes a Key Vault secret, a Container Apps secret (lowercased) and an env var."""
    taken = {name.lower(): f"the platform's own '{name}'" for name in PLATFORM_SECRETS}
    for name in secrets:
        path = f"secrets.{name}"
        if not KEY_VAULT_SECRET_NAME.match(name):
            yield (path, "is not a Key Vault secret name; use 1-127 letters, digits and hyphens")
        elif not CONTAINER_APP_SECRET_NAME.match(name.lower()):
            yield (path, "is not a Container Apps secret name once lowercased; start and end with a letter "
                         "or digit")
        elif name.lower() in taken:
            yield (path, f"names the same Key Vault secret as {taken[name.lower()]} (names are case-insensitive); "
                         "rename one")
        taken.setdefault(name.lower(), f"secrets.{name}")


def check_workloads(apps: ContainerApps, functions: bool) -> Iterator[Problem]:
    """Service names also name identities and Redis access policy assignments."""
    services = [s.name for s in apps.services]
    consumers = services + (["functions"] if functions else [])
    assignments = [redis_assignment_name(c) for c in consumers]
    for i, name in enumerate(services):
        path = f"containerApps.services[{i}].name"
        if name in PLATFORM_IDENTITIES:
            yield (path, f"'{name}' is the name of the platform's own {name} identity; rename the service")
            continue
        if not REDIS_ASSIGNMENT_NAME.match(assignments[i]):
            yield (path, f"'{name}' cannot name a Redis access policy assignment; use at most 60 letters, "
                         "digits and hyphens")
        # An earlier service, or the functions identity that follows the services; exact repeats are
        # reported by `repeats`.
        clash = next((consumers[j] for j in [*range(i), *range(len(services), len(consumers))]
                      if assignments[j].lower() == assignments[i].lower() and consumers[j] != name), None)
        if clash is not None:
            yield (path, f"'{name}' and '{clash}' name the same Redis access policy assignment "
                         f"'{assignments[i]}' (separators are dropped); rename one")


def check_backup(backup: Backup) -> Iterator[Problem]:
    if backup.retention_days < MIN_VAULT_RETENTION_DAYS:
        yield ("backup.retentionDays", f"{backup.retention_days} is below the {MIN_VAULT_RETENTION_DAYS} days "
               f"vaulted blob backups keep; set {MIN_VAULT_RETENTION_DAYS} or more")


# The seed's latency target is a p95; prod may be stricter (a higher percentile), never looser.
SEED_LATENCY_PERCENTILE = 95
# Percentiles Azure Load Testing fail criteria take (`pNN(response_time_ms)`,
# learn.microsoft.com/azure/load-testing/reference-test-config-yaml#supported-client-metrics).
LOAD_TEST_PERCENTILES = (50, 90, 95, 99)


def check_slo(slo: Slo, environment: str | None) -> Iterator[Problem]:
    """The objectives on their own: prod keeps the seed's targets, the load test's shape is runnable."""
    if environment == "prod":
        seed = (
            ("latencyThresholdMs", slo.latency_threshold_ms, slo.latency_threshold_ms > SEED_LATENCY_MS,
             f"{SEED_LATENCY_MS} or less"),
            ("latencyPercentile", slo.latency_percentile, slo.latency_percentile < SEED_LATENCY_PERCENTILE,
             f"{SEED_LATENCY_PERCENTILE} or higher"),
            ("availabilityPercent", slo.availability_percent, slo.availability_percent < SEED_AVAILABILITY_PERCENT,
             f"{SEED_AVAILABILITY_PERCENT} or higher"),
            ("errorRatePercent", slo.error_rate_percent, slo.error_rate_percent > SEED_ERROR_RATE_PERCENT,
             f"{SEED_ERROR_RATE_PERCENT} or lower"),
            ("recoveryTimeMinutes", slo.recovery_time_minutes, slo.recovery_time_minutes > SEED_RECOVERY_MINUTES,
             f"{SEED_RECOVERY_MINUTES} or less"),
        )
        for key, value, looser, fix in seed:
            if looser:
                yield (f"slo.{key}", f"{value:g} is looser than the seed's production target; prod keeps it at "
                       f"{fix} (only dev and test may relax it)")
    if slo.latency_percentile not in LOAD_TEST_PERCENTILES:
        yield ("slo.latencyPercentile", f"{slo.latency_percentile} is not a percentile the load test's fail criteria "
               f"accept; use one of {', '.join(map(str, LOAD_TEST_PERCENTILES))}")
    load = slo.load_test
    if load.ramp_up_seconds >= load.duration_seconds:
        yield ("slo.loadTest.rampUpSeconds", f"{load.ramp_up_seconds} s leaves no steady load inside durationSeconds "
               f"{load.duration_seconds}; ramp up in less time than the test runs")
    low, high = load.think_time_seconds
    if low > high:
        yield ("slo.loadTest.thinkTimeSeconds", f"[{low:g}, {high:g}] is not a range; write [min, max]")


def check_slo_fits(p: dict) -> Iterator[Problem]:
    """The objectives against the rest of the stack: the budget they sit in, the failover they rely on,
    the availability tests that measure them."""
    slo: Slo = p["slo"]
    budget: Budget | None = p.get("budget")
    if budget is not None and slo.token_spend_monthly > budget.amount:
        yield ("slo.tokenSpendMonthly", f"{slo.token_spend_monthly:g} is above the whole environment's "
               f"budget.amount {budget.amount:g}, so that budget fires first; lower it or raise the budget")
    tm = p.get("traffic_manager")
    failover = failover_seconds()
    if (tm is None or tm.enabled) and failover > slo.recovery_time_minutes * 60:
        yield ("slo.recoveryTimeMinutes", f"{slo.recovery_time_minutes} min is shorter than Traffic Manager's "
               f"worst-case failover ({failover} s: probe interval x (tolerated failures + 1) + probe timeout "
               f"+ DNS TTL); allow at least {math.ceil(failover / 60)} min")
    monitoring: Monitoring | None = p.get("monitoring")
    if monitoring is not None:
        # One failed web test result must not breach the objective on its own, or every dropped probe pages.
        locations = len(set(monitoring.availability_locations))
        per_hour = 3600 // WEB_TEST_FREQUENCY_SECONDS * locations
        results = slo.availability_window_hours * per_hour
        budget_percent = round(100 - slo.availability_percent, 9)
        needed = math.floor(100 / budget_percent) + 1
        if results < needed:
            yield ("slo.availabilityWindowHours", f"{slo.availability_window_hours} h of web tests from {locations} "
                   f"location(s) is {results} results, so one failed probe ({100 / results:.3f} %) breaches "
                   f"{slo.availability_percent:g} %; measure over at least {math.ceil(needed / per_hour)} h "
                   "or add monitoring.availabilityLocations")

# Azure AI Search capacity per SKU: the dated table policies/azure/catalog.py keeps (search-capacity-within-sku
# checks the same limits on the declared resource).
SEARCH_LIMITS = C.SEARCH_LIMITS
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
def check_ai_gateway(p: dict) -> Iterator[Problem]:
    """The gateway's consumers, backends and cache refer to things the stack has, and prod gets a tier with an
    SLA and zones (Premium; Developer has neither: learn.microsoft.com/azure/api-management/api-management-features)."""
    gateway: AIGateway | None = p.get("ai_gateway")
    if gateway is None or not gateway.enabled:
        return
    environment = p.get("environment")
    if environment == "prod" and gateway.sku != "Premium":
        yield ("aiGateway.sku", f"'{gateway.sku}' has no SLA and no availability zones; prod needs "
               "sku: Premium (REL-5)")
    if gateway.sku == "Developer" and gateway.capacity != 1:
        yield ("aiGateway.capacity", f"Developer runs exactly one unit, found {gateway.capacity}; set capacity: 1")
    network = p.get("network")
    regions = network.regions if network is not None else []
    # Premium pins its units evenly over two or three zones (components.ai_gateway.gateway_zones, REL-5).
    if gateway.sku == "Premium" and environment == "prod" and any(r.zonal for r in regions) and (
            gateway.capacity < 2 or (gateway.capacity % 2 and gateway.capacity % 3)):
        yield ("aiGateway.capacity", f"{gateway.capacity} unit(s) cannot spread evenly over availability zones; set "
               "a multiple of 2 or 3 (e.g. capacity: 2) so a zone outage leaves units serving")
    for i, region in enumerate(regions):
        if region.subnet("apiManagement") is None:
            yield (f"network.regions[{i}].subnets", "the AI gateway is injected into a subnet of its own; add "
                   f"{{role: apiManagement, prefix: <a /27 inside {region.address_space}>}}")
    apps = p.get("container_apps")
    events = p.get("event_processing")
    callers = [s.name for s in apps.services] if apps is not None else []
    if events is not None and events.enabled:
        callers.append("functions")
    yield from repeats([c.service for c in gateway.consumers], "aiGateway.consumers", ".service")
    for i, consumer in enumerate(gateway.consumers):
        if callers and consumer.service not in callers:
            yield (f"aiGateway.consumers[{i}].service", f"'{consumer.service}' is not a workload of this stack; "
                   f"use one of {', '.join(callers)}")
    locations = [r.location for r in regions]
    yield from repeats([b.location for b in gateway.backends], "aiGateway.backends", ".location")
    for i, backend in enumerate(gateway.backends):
        if locations and backend.location not in locations:
            yield (f"aiGateway.backends[{i}].location", f"'{backend.location}' has no OpenAI account in this "
                   f"stack; use one of {', '.join(locations)}")
    if gateway.backends and locations and {b.location for b in gateway.backends} != set(locations):
        missing = sorted(set(locations) - {b.location for b in gateway.backends})
        if missing:
            yield ("aiGateway.backends", f"every region's account needs a place in the pool; add {', '.join(missing)} "
                   "(or remove backends to use local-first ordering)")
    openai = p.get("openai")
    cache = gateway.semantic_cache
    if cache.enabled and openai is not None:
        deployments = [d.name for d in openai.deployments]
        if cache.embeddings_deployment not in deployments:
            yield ("aiGateway.semanticCache.embeddingsDeployment", f"'{cache.embeddings_deployment}' is not an "
                   f"OpenAI deployment of this stack; use one of {', '.join(deployments)}")
