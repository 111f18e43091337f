"""Specification of policies/rules/redis.py (`redis-enterprise-private-access`, `redis-enterprise-tls`,
`redis-enterprise-access-keys-disabled`, `redis-classic-retired`, `redis-classic-private-access`,
`redis-classic-tls`, `redis-sku-allowed`, `cache-eviction-policy`): what each policy accepts and
what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from collections.abc import Callable

import pulumi_azure_native.redis as redis
import pulumi_azure_native.redisenterprise as redisenterprise
import pytest

from dryrun.model import Resource
from policies.rules.redis import (
    cache_eviction_policy,
    redis_classic_private_access,
    redis_classic_retired,
    redis_classic_tls,
    redis_enterprise_private_access,
    redis_enterprise_tls,
    redis_sku_allowed,
)
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, evaluate, names, sdk_resources, table_tests

RG = "rg-cost"


def _managed_redis(sku: str) -> list[Resource]:
    return sdk_resources(lambda: redisenterprise.RedisEnterprise(
        "redis", resource_group_name=RG, location="eastus2", sku=redisenterprise.SkuArgs(name=sku),
        minimum_tls_version="1.2", public_network_access="Disabled"))


def _classic_redis(sku: str) -> list[Resource]:
    family = "P" if sku == "Premium" else "C"
    return sdk_resources(lambda: redis.Redis(
        "classic", resource_group_name=RG, sku=redis.SkuArgs(name=sku, family=family, capacity=1)))


# (policy, compliant program[, config])
PASSING = [
    (redis_enterprise_private_access, s.redis_cluster()),
    (redis_enterprise_tls, s.redis_cluster()),
    (redis_enterprise_tls, s.redis_cluster(minimum_tls_version=None)),  # Managed Redis defaults to 1.2
    (redis_enterprise_tls, s.redis_database()),
    (redis_classic_private_access, s.classic_redis()),
    (redis_classic_tls, s.classic_redis()),
    (cache_eviction_policy, s.redis_database()),
    (cache_eviction_policy, s.redis_database(eviction_policy="NoEviction")),  # RediSearch needs it: a choice
    (cache_eviction_policy, s.classic_redis()),
    (redis_classic_retired, s.redis_cluster()),  # Azure Managed Redis replaces the classic cache
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (redis_enterprise_private_access, s.redis_cluster(public_network_access="Enabled"), "is 'Enabled'"),
    (redis_enterprise_tls, s.redis_cluster(minimum_tls_version="1.0"), "'1.0'"),
    (redis_enterprise_tls, s.redis_database(client_protocol="Plaintext"), "Plaintext"),
    (redis_classic_retired, s.classic_redis(), "no longer accepts new caches"),
    (redis_classic_private_access, s.classic_redis(public_network_access=None),
     "absent (Azure's default: Enabled)"),
    (redis_classic_tls, s.classic_redis(enable_non_ssl_port=True), "6379"),
    (redis_classic_tls, s.classic_redis(minimum_tls_version="1.1"), "'1.1'"),
    (redis_classic_tls, s.classic_redis(minimum_tls_version=None), "minimumTlsVersion is absent"),
    (cache_eviction_policy, s.redis_database(eviction_policy=None), "evictionPolicy is not set"),
    (cache_eviction_policy, s.classic_redis(redis_configuration=redis.RedisCommonPropertiesRedisConfigurationArgs(
        maxmemory_reserved="50")), "maxmemoryPolicy is not set"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [redis_enterprise_private_access, redis_enterprise_tls,
    redis_classic_private_access, redis_classic_tls, cache_eviction_policy, redis_classic_retired]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


@pytest.mark.parametrize("cache", [
    pytest.param(lambda: _managed_redis("Balanced_B10"), id="redis-sku-allowed/violates-when-managed-redis-above-dev"),
    pytest.param(lambda: _classic_redis("Premium"), id="redis-sku-allowed/violates-when-classic-premium-in-dev"),
])
def test_redis_sku_allow_lists_violates_in_dev(cache: Callable[[], list[Resource]]) -> None:
    assert names(evaluate([redis_sku_allowed], cache(), env_config("dev", redis_sku_allowed))) == {
        "redis-sku-allowed"}


def test_redis_sku_allow_lists_pass_per_environment() -> None:
    policies = [redis_sku_allowed]
    dev, prod = env_config("dev", redis_sku_allowed), env_config("prod", redis_sku_allowed)
    assert evaluate(policies, _managed_redis("Balanced_B0"), dev) == []
    assert evaluate(policies, _managed_redis("Balanced_B10"), prod) == []
    assert evaluate(policies, _classic_redis("Standard"), dev) == []
    # Without a config file any SKU passes: users' stacks are not blocked by our sizing choices.
    assert evaluate(policies, _managed_redis("MemoryOptimized_M2000") + _classic_redis("Premium")) == []
