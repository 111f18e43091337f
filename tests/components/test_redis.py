"""RedisCache: Azure Managed Redis, private, Entra ID only, the seed's cache semantics."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import pytest

from components.common import Common, RoleGrant
from components.private_endpoint import PrivateLinkError
from components.rbac import RoleError
from components.redis import PORT, RedisCache, RedisCacheArgs, RedisError
from dryrun.mocks import TENANT_ID
from dryrun.model import reveal
from policies.azure import types as T
from stack_config.model import Redis
from tests.components.common_inputs import LINK, WORKSPACE, config_problems, make_common, resolve
from tests.harness import Declared, declare, stack_config, walk

CLUSTER = T.REDIS_ENTERPRISE
DATABASE = T.REDIS_DATABASE
ASSIGNMENT = T.REDIS_ACCESS_POLICY_ASSIGNMENT
ENDPOINT = T.PRIVATE_ENDPOINT
ZONE_GROUP = T.DNS_ZONE_GROUP
DIAG = T.DIAGNOSTIC_SETTING
ROLE = T.ROLE_ASSIGNMENT
CONSUMERS = {"chat": "11111111-1111-1111-1111-111111111111", "api-gateway": "22222222-2222-2222-2222-222222222222",
             "vision": "33333333-3333-3333-3333-333333333333"}


def _build(stack: str = "prod", *, config: Redis | None = None, common: Common | None = None,
           consumers: dict[str, str] | None = None, zonal: bool | None = None) -> tuple[Declared, RedisCache]:
    cfg = stack_config(stack)
    region = cfg.primary
    built: list[RedisCache] = []

    def build() -> None:
        built.append(RedisCache("cache", RedisCacheArgs(
            common=common or make_common(location=region.location, protect=cfg.protect), config=config or cfg.redis,
            base_name=f"{cfg.name_prefix}-{cfg.environment}", stack=stack, tenant_id=TENANT_ID,
            zonal=region.zonal if zonal is None else zonal,
            consumers=CONSUMERS if consumers is None else consumers)))

    return declare(build), built[0]


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, RedisCache]:
    return _build("prod")


@pytest.fixture(scope="module")
def dev() -> tuple[Declared, RedisCache]:
    return _build("dev")


def test_cluster_is_private_and_tls_only(prod: tuple[Declared, RedisCache]) -> None:
    cluster = prod[0].inputs(CLUSTER)
    assert cluster["publicNetworkAccess"] == "Disabled"
    assert cluster["minimumTlsVersion"] == "1.2"
    assert cluster["tags"] == make_common().tags
    assert cluster["location"] == "eastus2" and cluster["resourceGroupName"] == "rg-test"
    # Managed Redis places zones itself; a `zones` list is only for the older Enterprise SKUs.
    assert "zones" not in cluster
    name = cluster["clusterName"]
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9]|-(?!-)){0,58}[a-z0-9]", name)
    assert name.startswith("redis-aip-prod-eastus2-") and name != _build("dev")[0].inputs(CLUSTER)["clusterName"]


def test_database_keeps_the_seed_semantics_with_entra_only(prod: tuple[Declared, RedisCache]) -> None:
    declared, _ = prod
    database = declared.inputs(DATABASE)
    assert database["databaseName"] == "default"
    assert database["clientProtocol"] == "Encrypted"  # the seed's enableNonSslPort: false
    assert database["port"] == PORT == 10000
    assert database["evictionPolicy"] == "AllKeysLRU"  # the seed's maxmemory-policy: allkeys-lru
    assert database["clusteringPolicy"] == "OSSCluster"
    assert database["accessKeysAuthentication"] == "Disabled"
    assert database["deferUpgrade"] == "NotDeferred"
    assert database["clusterName"] == declared.inputs(CLUSTER)["clusterName"]
    assert declared.one(CLUSTER).urn in declared.one(DATABASE).property_dependencies["clusterName"]


def test_dev_and_prod_get_their_configured_sku_and_resilience(
        dev: tuple[Declared, RedisCache], prod: tuple[Declared, RedisCache]) -> None:
    dev_cluster, prod_cluster = dev[0].inputs(CLUSTER), prod[0].inputs(CLUSTER)
    assert dev_cluster["sku"] == {"name": stack_config("dev").redis.sku} == {"name": "Balanced_B0"}
    assert prod_cluster["sku"] == {"name": stack_config("prod").redis.sku} == {"name": "Balanced_B10"}
    assert dev_cluster["highAvailability"] == "Disabled" and prod_cluster["highAvailability"] == "Enabled"
    assert dev[0].inputs(DATABASE)["persistence"] == {"aofEnabled": False, "rdbEnabled": False}
    assert prod[0].inputs(DATABASE)["persistence"] == {"aofEnabled": True, "aofFrequency": "1s", "rdbEnabled": False}
    assert prod[1].zone_redundant and not dev[1].zone_redundant
    assert prod[0].one(CLUSTER).protect and prod[0].one(DATABASE).protect
    assert not dev[0].one(CLUSTER).protect and not dev[0].one(DATABASE).protect


def test_rdb_persistence_and_non_zonal_region() -> None:
    declared, cache = _build("prod", config=Redis(sku="Balanced_B5", persistence="rdb"),
                             common=make_common(location="westus"), zonal=False)
    assert declared.inputs(DATABASE)["persistence"] == {"rdbEnabled": True, "rdbFrequency": "1h", "aofEnabled": False}
    assert declared.inputs(CLUSTER)["highAvailability"] == "Enabled"
    assert not cache.zone_redundant  # highly available, but westus has no availability zones


def test_each_consumer_gets_the_default_access_policy_one_at_a_time(prod: tuple[Declared, RedisCache]) -> None:
    declared, _ = prod
    assignments = declared.of_type(ASSIGNMENT)
    assert [a.name for a in assignments] == [f"cache-{c}-access" for c in CONSUMERS]
    for assignment, principal in zip(assignments, CONSUMERS.values(), strict=True):
        inputs = reveal(assignment.inputs)
        assert inputs["accessPolicyName"] == "default"
        assert inputs["user"] == {"objectId": principal}
        assert re.fullmatch(r"[A-Za-z0-9]{1,60}", inputs["accessPolicyAssignmentName"])
        assert declared.one(DATABASE).urn in assignment.property_dependencies["databaseName"]
    assert [reveal(a.inputs)["accessPolicyAssignmentName"] for a in assignments] == ["chat", "apigateway", "vision"]
    for previous, current in pairwise(assignments):
        assert previous.urn in current.dependencies


def test_consumer_names_must_make_distinct_assignment_names() -> None:
    with pytest.raises(RedisError, match="same access policy assignment name"):
        _build("dev", consumers={"api-gateway": "a", "apigateway": "b"})
    with pytest.raises(RedisError, match="cannot name an access policy assignment"):
        _build("dev", consumers={"chat.svc": "a"})


def test_common_role_grants_land_on_the_cluster_and_are_checked_first() -> None:
    extra = RoleGrant(principal_id="44444444-4444-4444-4444-444444444444", role="Monitoring Metrics Publisher",
                      description="ops")
    declared, cache = _build("dev", common=make_common(role_grants=[extra]))
    inputs = declared.inputs(ROLE, "cache-monitoring-metrics-publisher-ops")
    assert inputs["scope"] == resolve(cache.cluster_id) and inputs["principalId"] == extra.principal_id
    with pytest.raises(RoleError, match="privileged"):
        _build("dev", common=make_common(role_grants=[RoleGrant(principal_id="x", role="Contributor",
                                                                description="ops")]))


def test_private_endpoint_targets_the_cluster(prod: tuple[Declared, RedisCache]) -> None:
    declared, cache = prod
    connection = declared.inputs(ENDPOINT)["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["redisEnterprise"]
    assert connection["privateLinkServiceId"] == resolve(cache.cluster_id)
    zones = [c["privateDnsZoneId"] for c in declared.inputs(ZONE_GROUP)["privateDnsZoneConfigs"]]
    assert zones == [LINK.zone_ids["privatelink.redis.azure.net"]]


def test_missing_private_link_is_refused() -> None:
    with pytest.raises(PrivateLinkError, match="private endpoint"):
        _build("dev", common=make_common(private_link=None))


def test_cluster_metrics_and_database_logs_go_to_the_workspace(prod: tuple[Declared, RedisCache]) -> None:
    declared, cache = prod
    cluster_id, database_id = resolve(cache.cluster_id), resolve(cache.database_id)
    settings = {d["resourceUri"]: d for d in (declared.inputs(DIAG, r.name) for r in declared.of_type(DIAG))}
    assert set(settings) == {cluster_id, database_id}
    assert settings[cluster_id]["logs"] == []
    assert settings[cluster_id]["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert settings[database_id]["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert "metrics" not in settings[database_id]
    assert all(s["workspaceId"] == WORKSPACE for s in settings.values())


def test_outputs_give_host_and_port_and_never_a_key(prod: tuple[Declared, RedisCache]) -> None:
    declared, cache = prod
    name = declared.inputs(CLUSTER)["clusterName"]
    outputs = resolve({"hostName": cache.host_name, "port": cache.port, "clusterId": cache.cluster_id,
                       "databaseId": cache.database_id})
    assert outputs["hostName"] == f"{name}.eastus2.redis.azure.net"
    assert outputs["port"] == 10000
    assert outputs["clusterId"].endswith(f"/redisEnterprise/{name}")
    assert outputs["databaseId"] == f"{outputs['clusterId']}/databases/default"
    assert not [v for v in walk(outputs) if isinstance(v, str) and "key" in v.lower()]
    for resource in declared.resources:
        for value in walk(resource.inputs):
            if isinstance(value, dict):
                # accessKeysAuthentication is the switch that turns keys off; nothing else may mention keys.
                assert not [k for k in value if "key" in k.lower() and k != "accessKeysAuthentication"], resource.name


def test_config_rejects_an_unknown_sku_with_suggestions() -> None:
    def classic(redis: dict[str, Any]) -> None:
        redis["sku"] = "Premium_P1"  # the seed's classic SKU

    message = config_problems("prod", "redis", classic)["redis.sku"]
    assert "'Premium_P1' is not an Azure Managed Redis SKU" in message and "supported SKUs, e.g." in message
