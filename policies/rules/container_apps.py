"""Container Apps and their environments (app:ContainerApp, ManagedEnvironment): HTTPS, internal
environments, autoscale, health probes, CPU. Whether an app is reachable from the Internet needs
its environment and VNet: relations/edge.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, VIOLATES, Row, equals, is_not, value_policy
from ..framework.inputs import UNKNOWN, get, items, number, text
from ..framework.values import HEALTH_PATH, is_health_path


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


def _container_app_scale_rules(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    rules = items(args.props, "template", "scale", "rules")
    if rules is not UNKNOWN and not rules:
        yield ("template.scale has no rules, so Azure applies its default HTTP rule (10 concurrent requests); "
               "declare the HTTP concurrency (or CPU / queue) rule that fits the workload")


def _probe_problems(container: Any, path: str) -> Iterable[str]:
    name = get(container, "name")
    probes = items(container, "probes")
    if probes is UNKNOWN:
        return
    kinds = {text(p, "type") for p in probes}
    for wanted in ("liveness", "readiness"):
        if wanted not in kinds and UNKNOWN not in kinds:
            yield f"container '{name}' has no {wanted.capitalize()} probe"
    for probe in probes:
        found = get(probe, "httpGet", "path")
        if isinstance(found, str) and not is_health_path(found, path):
            yield f"container '{name}' {get(probe, 'type')} probe requests '{found}', not the health endpoint '{path}'"


def _container_app_probes(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    containers = items(args.props, "template", "containers")
    for container in [] if containers is UNKNOWN else containers:
        if container is not UNKNOWN:
            yield from _probe_problems(container, config["healthPath"])


def _container_cpu(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    limit = config["maxCpu"]
    containers = items(args.props, "template", "containers")
    if not limit or containers is UNKNOWN:
        return
    for i, container in enumerate(containers):
        cpu = number(container, "resources", "cpu")
        if cpu is not UNKNOWN and cpu is not None and cpu > limit:
            name = get(container, "name") or i
            yield f"container '{name}' requests {cpu:g} vCPU; this environment allows at most {limit}"


container_app_https_only = value_policy(
    name="container-app-https-only",
    description="Container app ingress does not serve plain HTTP.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `configuration.ingress.allow_insecure=False` (the default).",
    types=[T.CONTAINER_APP],
    rows=[
        Row(("configuration", "ingress", "allowInsecure"), is_not(True), absent=COMPLIES,
            message="configuration.ingress.allowInsecure is true: plain HTTP is served; set it to false"),
    ],
)


managed_environment_internal = value_policy(
    name="managed-environment-internal",
    description="Container Apps environments are VNet-injected with an internal load balancer.",
    checklist=["SEC-3", "SEC-6"],
    severity=Severity.CRITICAL,
    remediation="Set `vnet_configuration=VnetConfigurationArgs(infrastructure_subnet_id=<subnet id>, "
                "internal=True)` (a new environment: this cannot be changed in place).",
    types=[T.MANAGED_ENVIRONMENT],
    rows=[
        Row(("vnetConfiguration", "internal"), equals(True), absent=VIOLATES,
            message="vnetConfiguration.internal is not true: the environment has a public ingress endpoint; inject "
                    "it into a subnet (vnetConfiguration.infrastructureSubnetId) with internal true"),
    ],
)


container_app_autoscale = resource_policy(
    name="container-app-autoscale",
    description="Container apps autoscale between explicit bounds.",
    checklist=["PERF-1"],
    severity=Severity.MEDIUM,
    remediation="Set `template.scale=ScaleArgs(min_replicas=..., max_replicas=..., rules=[ScaleRuleArgs("
                "name='http', http=HttpScaleRuleArgs(metadata={'concurrentRequests': '20'})), ...])`, with "
                "min_replicas >= `minReplicasAtLeast` for this environment (prod: 2).",
    types=[T.CONTAINER_APP],
    check=_container_app_scale,
    config={"minReplicasAtLeast": {"type": "integer", "minimum": 0, "default": 0}},
)


# Advisory: without rules the app still scales, on Azure's default HTTP rule
# (https://learn.microsoft.com/azure/container-apps/scale-app#default-scale-rule).
container_app_scale_rules = resource_policy(
    name="container-app-scale-rules",
    description="Container apps declare the scale rule they scale on, instead of Azure's default HTTP rule.",
    checklist=["PERF-1"],
    severity=Severity.LOW,
    remediation="Add `template.scale.rules=[ScaleRuleArgs(name='http', http=HttpScaleRuleArgs(metadata="
                "{'concurrentRequests': '<what one replica serves>'}))]` (or a CPU / queue rule).",
    types=[T.CONTAINER_APP],
    check=_container_app_scale_rules,
    level=EnforcementLevel.ADVISORY,
)


container_app_health_probes = resource_policy(
    name="container-app-health-probes",
    description="Container app containers have liveness and readiness probes on the health endpoint.",
    checklist=["REL-6"],
    severity=Severity.MEDIUM,
    remediation="Add `probes=[ContainerAppProbeArgs(type='Liveness', http_get=ContainerAppProbeHttpGetArgs("
                "path='/health', port=<port>)), ContainerAppProbeArgs(type='Readiness', ...)]` to each container "
                "(the path is `healthPath` in the pack config; TCP probes are accepted for non-HTTP workers).",
    types=[T.CONTAINER_APP],
    check=_container_app_probes,
    config={"healthPath": HEALTH_PATH},
)


container_app_cpu_limit = resource_policy(
    name="container-app-cpu-limit",
    description="Container app containers request no more vCPU than the environment allows.",
    checklist=["COST-2"],
    severity=Severity.LOW,
    remediation="Lower `template.containers[].resources.cpu` to at most `maxCpu` (0 = no limit) for this "
                "environment.",
    types=[T.CONTAINER_APP],
    check=_container_cpu,
    config={"maxCpu": {"type": "number", "minimum": 0, "default": 0}},
)


POLICIES: list[Policy] = [
    container_app_https_only, managed_environment_internal, container_app_autoscale, container_app_scale_rules,
    container_app_health_probes, container_app_cpu_limit,
]
