"""Performance policies: secure/sized baselines pass, each removed or undersized setting fails, and
the per-environment floors follow policies/config/<env>.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi_azure_native.app as app
import pulumi_azure_native.network as network
import pulumi_azure_native.redis as redis
import pulumi_azure_native.trafficmanager as trafficmanager
import pytest

from policies.rules.app_gateway import app_gateway_autoscale, app_gateway_load_balancing
from policies.rules.container_apps import container_app_autoscale, container_app_scale_rules
from policies.rules.redis import cache_eviction_policy
from policies.rules.traffic_manager import traffic_manager_health_monitor
from tests.policies import secure_inputs as s
from tests.policies.support import case_ids, evaluate, file_config, names, sdk_resources

CONFIG = Path(__file__).resolve().parents[2] / "policies" / "config"

# The policies this module specifies (the pack's former performance.py).
AREA = [
    container_app_autoscale, container_app_scale_rules, app_gateway_autoscale, app_gateway_load_balancing,
    cache_eviction_policy, traffic_manager_health_monitor,
]


def env_config(env: str, policy: Any) -> dict[str, Any]:
    """The policy's entry of policies/config/<env>.json (the others name policies outside this test's pack)."""
    entries = json.loads((CONFIG / f"{env}.json").read_text())
    return file_config({k: v for k, v in entries.items() if k == policy.name})


def fired(policy: Any, program: s.Program, config: dict[str, Any] | None = None) -> tuple[set[str], str]:
    found = evaluate([policy], sdk_resources(program), config)
    return names(found), "\n".join(v.message for v in found)


def monitor(**overrides: Any) -> trafficmanager.MonitorConfigArgs:
    args = {"protocol": "HTTPS", "port": 443, "path": "/health", **overrides}
    return trafficmanager.MonitorConfigArgs(**args)


PASSING = [
    (container_app_autoscale, s.container_app()),
    (container_app_autoscale, s.container_app(scale_args=s.scale(rules=[app.ScaleRuleArgs(
        name="queue", azure_queue=app.QueueScaleRuleArgs(queue_name="jobs", queue_length=10))]))),
    (container_app_scale_rules, s.container_app()),
    (app_gateway_autoscale, s.app_gateway()),
    (app_gateway_load_balancing, s.app_gateway()),
    (cache_eviction_policy, s.redis_database()),
    (cache_eviction_policy, s.redis_database(eviction_policy="NoEviction")),  # RediSearch needs it: a choice
    (cache_eviction_policy, s.classic_redis()),
    (traffic_manager_health_monitor, s.traffic_manager()),
]

FAILING = [
    (container_app_autoscale, s.container_app(scale_args=s.scale(min_replicas=None)), "explicit minReplicas"),
    (container_app_scale_rules, s.container_app(scale_args=s.scale(rules=[])), "no rules"),
    (app_gateway_autoscale, s.app_gateway(
        autoscale_configuration=None, sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2",
                                                                             capacity=2)), "fixed instance count"),
    (app_gateway_autoscale, s.app_gateway(
        autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(min_capacity=1)),
     "explicit minCapacity and maxCapacity"),
    (app_gateway_load_balancing, s.app_gateway(backend_address_pools=[]), "no backendAddressPools"),
    (app_gateway_load_balancing, s.app_gateway(probes=[]), "no custom health probes"),
    (app_gateway_load_balancing, s.app_gateway(
        backend_http_settings_collection=[network.ApplicationGatewayBackendHttpSettingsArgs(
            name="apps", port=443, protocol="Https")]), "backend settings 'apps' use no custom probe"),
    (cache_eviction_policy, s.redis_database(eviction_policy=None), "evictionPolicy is not set"),
    (cache_eviction_policy, s.classic_redis(redis_configuration=redis.RedisCommonPropertiesRedisConfigurationArgs(
        maxmemory_reserved="50")), "maxmemoryPolicy is not set"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=monitor(protocol="HTTP", port=80)),
     "over HTTPS"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=monitor(path="/")), "'/health'"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=None), "protocol is absent"),
]


@pytest.mark.parametrize("policy, program", PASSING, ids=case_ids(__file__, "PASSING", PASSING))
def test_configured_setting_passes(policy: Any, program: s.Program) -> None:
    found, messages = fired(policy, program)
    assert found == set(), messages


@pytest.mark.parametrize("policy, program, fragment", FAILING, ids=case_ids(__file__, "FAILING", FAILING))
def test_missing_setting_fails(policy: Any, program: s.Program, fragment: str) -> None:
    found, messages = fired(policy, program)
    assert found == {policy.name}
    assert fragment in messages


def test_every_performance_policy_has_pass_and_fail_cases() -> None:
    every = {p.name for p in AREA}
    assert every == {c[0].name for c in PASSING} == {c[0].name for c in FAILING}


def test_prod_keeps_two_warm_replicas_dev_may_scale_to_zero() -> None:
    scale_to_zero = s.container_app(scale_args=s.scale(min_replicas=0, max_replicas=3))
    policy = container_app_autoscale
    assert fired(policy, scale_to_zero, env_config("dev", policy))[0] == set()
    found, messages = fired(policy, scale_to_zero, env_config("prod", policy))
    assert found == {"container-app-autoscale"} and "at least 2 warm replicas" in messages
    assert fired(policy, s.container_app(), env_config("prod", policy))[0] == set()


def test_prod_gateway_keeps_two_instances() -> None:
    single = s.app_gateway(autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(
        min_capacity=1, max_capacity=10))
    policy = app_gateway_autoscale
    assert fired(policy, single, env_config("dev", policy))[0] == set()
    assert fired(policy, single, env_config("prod", policy))[0] == {"app-gateway-autoscale"}
    assert fired(policy, s.app_gateway(), env_config("prod", policy))[0] == set()


def test_health_path_is_configurable() -> None:
    program = s.traffic_manager(monitor_config=monitor(path="/healthz"))
    assert fired(traffic_manager_health_monitor, program)[0] == {"traffic-manager-health-monitor"}
    custom = file_config({"traffic-manager-health-monitor": {"healthPath": "/healthz"}})
    assert fired(traffic_manager_health_monitor, program, custom)[0] == set()
