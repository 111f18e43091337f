"""Performance (PERF-*): autoscaling, load balancing with health probes, cache eviction.

PERF-6 (explicit model deployment capacity per environment) is `openai-deployment-capacity` in
cost.py, which checks the capacity and its per-environment ceiling together with COST-2.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from .framework import Config, resource_policy
from .inputs import UNKNOWN, get, items, number, text

CONTAINER_APP = "azure-native:app:ContainerApp"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
REDIS_DATABASE = "azure-native:redisenterprise:Database"
CLASSIC_REDIS = "azure-native:redis:Redis"
TRAFFIC_MANAGER = "azure-native:trafficmanager:Profile"

HEALTH_PATH = {"type": "string", "default": "/health", "description": "the services' health endpoint path"}


def _container_app_scale(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    scale = get(args.props, "template", "scale")
    if scale is UNKNOWN:
        return
    low, high = number(scale, "minReplicas"), number(scale, "maxReplicas")
    if low is None or high is None:
        yield "template.scale needs explicit minReplicas and maxReplicas"
    floor = config["minReplicasAtLeast"]
    if isinstance(low, float) and low < floor:
        yield f"template.scale.minReplicas is {low:g}; this environment keeps at least {floor:g} warm replicas"
    rules = items(scale, "rules")
    if rules is not UNKNOWN and not rules:
        yield "template.scale has no rules; add an HTTP concurrency rule (or CPU / queue rule) to scale on load"


def _app_gateway_autoscale(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    autoscale = get(args.props, "autoscaleConfiguration")
    if autoscale is UNKNOWN:
        return
    if autoscale is None:
        yield "no autoscaleConfiguration: the gateway runs a fixed instance count"
        return
    low, high = number(autoscale, "minCapacity"), number(autoscale, "maxCapacity")
    if low is None or high is None:
        yield "autoscaleConfiguration needs explicit minCapacity and maxCapacity"
    floor = config["minCapacityAtLeast"]
    if isinstance(low, float) and low < floor:
        yield f"autoscaleConfiguration.minCapacity is {low:g}; this environment needs at least {floor:g}"


def _app_gateway_load_balancing(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    pools, probes = items(args.props, "backendAddressPools"), items(args.props, "probes")
    settings = items(args.props, "backendHttpSettingsCollection")
    if pools is not UNKNOWN and not pools:
        yield "no backendAddressPools: the gateway has nothing to balance across"
    if probes is not UNKNOWN and not probes:
        yield "no custom health probes: backends are judged by the default probe on '/'"
    for entry in [] if settings is UNKNOWN else settings:
        if entry is not UNKNOWN and get(entry, "probe", "id") is None:
            yield f"backend settings '{get(entry, 'name')}' use no custom probe; set probe to the health probe"


def _cache_eviction(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if args.resource_type == REDIS_DATABASE:
        if get(args.props, "evictionPolicy") is None:
            yield "evictionPolicy is not set; choose one (e.g. 'AllKeysLRU' for a cache) instead of the default"
    elif get(args.props, "redisConfiguration", "maxmemoryPolicy") is None:
        yield "redisConfiguration.maxmemoryPolicy is not set; choose one (e.g. 'allkeys-lru' for a cache)"


def _traffic_manager_monitor(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    monitor = get(args.props, "monitorConfig")
    if monitor is UNKNOWN:
        return
    protocol, path = text(monitor, "protocol"), get(monitor, "path")
    if protocol is not UNKNOWN and protocol != "https":
        yield f"monitorConfig.protocol is {protocol or 'absent'}; probe the endpoints over HTTPS"
    if path is not UNKNOWN and path != config["healthPath"]:
        yield f"monitorConfig.path is {path or 'absent'}; probe the health endpoint '{config['healthPath']}'"


container_app_autoscale = resource_policy(
    name="container-app-autoscale",
    description="Container apps autoscale between explicit bounds on at least one load signal.",
    checklist=["PERF-1"],
    severity=Severity.MEDIUM,
    remediation="Set `template.scale=ScaleArgs(min_replicas=..., max_replicas=..., rules=[ScaleRuleArgs("
                "name='http', http=HttpScaleRuleArgs(metadata={'concurrentRequests': '20'})), ...])`, with "
                "min_replicas >= `minReplicasAtLeast` for this environment (prod: 2).",
    types=[CONTAINER_APP],
    check=_container_app_scale,
    config={"minReplicasAtLeast": {"type": "integer", "minimum": 0, "default": 0}},
)

app_gateway_autoscale = resource_policy(
    name="app-gateway-autoscale",
    description="Application Gateways autoscale between explicit bounds.",
    checklist=["PERF-1"],
    severity=Severity.MEDIUM,
    remediation="Set `autoscale_configuration=ApplicationGatewayAutoscaleConfigurationArgs(min_capacity=..., "
                "max_capacity=...)` (and no fixed sku.capacity), min_capacity >= `minCapacityAtLeast` (prod: 2).",
    types=[APP_GATEWAY],
    check=_app_gateway_autoscale,
    config={"minCapacityAtLeast": {"type": "integer", "minimum": 0, "default": 0}},
)

app_gateway_load_balancing = resource_policy(
    name="app-gateway-load-balancing",
    description="Application Gateways balance across backend pools judged by custom health probes.",
    checklist=["PERF-3"],
    severity=Severity.MEDIUM,
    remediation="Declare `backend_address_pools`, a `probes` entry on the health endpoint, and reference it from "
                "every `backend_http_settings_collection` entry (`probe=SubResourceArgs(id=<probe id>)`).",
    types=[APP_GATEWAY],
    check=_app_gateway_load_balancing,
)

cache_eviction_policy = resource_policy(
    name="cache-eviction-policy",
    description="Redis caches declare their eviction policy.",
    checklist=["PERF-2"],
    severity=Severity.MEDIUM,
    remediation="Azure Managed Redis: set `eviction_policy` on the Database (e.g. 'AllKeysLRU'; 'NoEviction' where "
                "RediSearch or geo-replication needs it). Classic: set `redis_configuration.maxmemory_policy`.",
    types=[REDIS_DATABASE, CLASSIC_REDIS],
    check=_cache_eviction,
)

traffic_manager_health_monitor = resource_policy(
    name="traffic-manager-health-monitor",
    description="Traffic Manager probes each endpoint's health endpoint over HTTPS.",
    checklist=["PERF-3", "REL-1"],
    severity=Severity.MEDIUM,
    remediation="Set `monitor_config=MonitorConfigArgs(protocol='HTTPS', port=443, path='/health')` (the path is "
                "`healthPath` in the pack config).",
    types=[TRAFFIC_MANAGER],
    check=_traffic_manager_monitor,
    config={"healthPath": HEALTH_PATH},
)

POLICIES: list[Policy] = [
    container_app_autoscale, app_gateway_autoscale, app_gateway_load_balancing, cache_eviction_policy,
    traffic_manager_health_monitor,
]
