"""Specification of policies/rules/container_apps.py (`container-app-https-only`,
`managed-environment-internal`, `container-app-autoscale`, `container-app-scale-rules`,
`container-app-health-probes`, `container-app-cpu-limit`): what each policy accepts and what it
reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

import pulumi_azure_native.app as app

from dryrun.model import Resource
from policies.rules.container_apps import (
    container_app_autoscale,
    container_app_cpu_limit,
    container_app_health_probes,
    container_app_https_only,
    container_app_scale_rules,
    managed_environment_internal,
)
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, evaluate, fired, flagged, names, sdk_resources, table_tests


def probes(*kinds: str, path: str = "/health") -> list[app.ContainerAppProbeArgs]:
    return [app.ContainerAppProbeArgs(type=k, http_get=app.ContainerAppProbeHttpGetArgs(path=path, port=8000))
            for k in kinds]


RG = "rg-cost"


def _container_app(cpu: float) -> list[Resource]:
    return sdk_resources(lambda: app.ContainerApp(
        "chat", resource_group_name=RG, managed_environment_id="/env",
        template=app.TemplateArgs(containers=[app.ContainerArgs(
            name="chat", image="mcr.microsoft.com/k8se/quickstart:latest",
            resources=app.ContainerResourcesArgs(cpu=cpu, memory=f"{cpu * 2}Gi"))])))



def app_probes(live: str, ready: str) -> s.Program:
    def probe(kind: str, path: str) -> app.ContainerAppProbeArgs:
        return app.ContainerAppProbeArgs(type=kind, http_get=app.ContainerAppProbeHttpGetArgs(path=path, port=8000))
    return s.container_app(containers=[s.container(probes=[probe("Liveness", live), probe("Readiness", ready)])])


# (policy, compliant program[, config])
PASSING = [
    (container_app_https_only, s.container_app()),
    (managed_environment_internal, s.managed_environment()),
    (container_app_health_probes, s.container_app()),
    (container_app_health_probes, s.container_app(containers=[s.container(probes=[
        *probes("Liveness"), app.ContainerAppProbeArgs(type="Readiness", tcp_socket=app.ContainerAppProbeTcpSocketArgs(
            port=8000))])])),
    (container_app_autoscale, s.container_app()),
    (container_app_autoscale, s.container_app(scale_args=s.scale(rules=[app.ScaleRuleArgs(
        name="queue", azure_queue=app.QueueScaleRuleArgs(queue_name="jobs", queue_length=10))]))),
    (container_app_scale_rules, s.container_app()),
    (container_app_health_probes, app_probes("/health/live", "/health/ready")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (container_app_https_only, s.container_app(allow_insecure=True), "allowInsecure"),
    (managed_environment_internal, s.managed_environment(vnet_configuration=None), "public ingress"),
    (managed_environment_internal, s.managed_environment(vnet_configuration=app.VnetConfigurationArgs(
        infrastructure_subnet_id="/subnets/x", internal=False)), "public ingress"),
    (container_app_health_probes, s.container_app(containers=[s.container(probes=probes("Liveness"))]),
     "no Readiness probe"),
    (container_app_health_probes, s.container_app(containers=[s.container(probes=None)]),
     "no Liveness probe"),
    (container_app_health_probes, s.container_app(containers=[s.container(
        probes=probes("Liveness", "Readiness", path="/"))]), "requests '/'"),
    (container_app_autoscale, s.container_app(scale_args=s.scale(min_replicas=None)), "explicit minReplicas"),
    (container_app_scale_rules, s.container_app(scale_args=s.scale(rules=[])), "no rules"),
    (container_app_health_probes, app_probes("/", "/"), ""),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [container_app_https_only, managed_environment_internal, container_app_health_probes,
    container_app_autoscale, container_app_scale_rules]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_prod_keeps_two_warm_replicas_dev_may_scale_to_zero() -> None:
    scale_to_zero = s.container_app(scale_args=s.scale(min_replicas=0, max_replicas=3))
    policy = container_app_autoscale
    assert fired(policy, scale_to_zero, env_config("dev", policy))[0] == set()
    found, messages = fired(policy, scale_to_zero, env_config("prod", policy))
    assert found == {"container-app-autoscale"} and "at least 2 warm replicas" in messages
    assert fired(policy, s.container_app(), env_config("prod", policy))[0] == set()


def test_container_app_cpu_violates_above_the_dev_limit() -> None:
    dev = env_config("dev", container_app_cpu_limit)
    assert names(evaluate([container_app_cpu_limit], _container_app(2.0), dev)) == {"container-app-cpu-limit"}


def test_container_app_cpu_passes_per_environment() -> None:
    policies = [container_app_cpu_limit]
    assert evaluate(policies, _container_app(0.5), env_config("dev", container_app_cpu_limit)) == []
    assert evaluate(policies, _container_app(2.0), env_config("prod", container_app_cpu_limit)) == []
    assert evaluate(policies, _container_app(4.0)) == []


def test_container_app_without_scale_rules_is_advisory() -> None:
    unruled = sdk_resources(s.container_app(scale_args=s.scale(rules=[])))
    assert flagged([container_app_autoscale], unruled) == set()
    found = evaluate([container_app_scale_rules], unruled)
    assert names(found) == {"container-app-scale-rules"} and {v.level for v in found} == {"advisory"}
