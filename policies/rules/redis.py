"""Azure Managed Redis (redisenterprise:RedisEnterprise + Database) and classic Azure Cache for Redis
(redis:Redis): private access, TLS, SKU and eviction. Entra ID authentication of databases is a stack policy
(relations/databases.py): its one exception depends on who consumes the keys.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, VIOLATES, Row, closed, is_not, present, tls_at_least, value_policy
from ..framework.inputs import UNKNOWN, get


def _classic_redis_retired(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    yield ("Azure Cache for Redis (classic redis:Redis) no longer accepts new caches; use Azure Managed Redis "
           "(redisenterprise:RedisEnterprise + Database)")


def _allowed(sku: object, allowed: list[str]) -> bool:
    return not allowed or str(sku).lower() in {a.lower() for a in allowed}


def _redis_sku(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = get(args.props, "sku", "name")
    knob = "redisEnterpriseSkus" if args.resource_type == T.REDIS_ENTERPRISE else "classicRedisSkus"
    allowed = list(config[knob])
    if sku is not UNKNOWN and not _allowed(sku, allowed):
        yield f"SKU '{sku}' is not allowed in this environment (`{knob}`: {', '.join(allowed)})"


redis_enterprise_private_access = value_policy(
    name="redis-enterprise-private-access",
    description="Azure Managed Redis clusters are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'redisEnterprise') "
                "with the privatelink.redis.azure.net zone.",
    types=[T.REDIS_ENTERPRISE],
    rows=[
        closed("publicNetworkAccess"),
    ],
)


redis_enterprise_tls = value_policy(
    name="redis-enterprise-tls",
    description="Azure Managed Redis accepts TLS 1.2+ only, and databases use the encrypted client protocol.",
    checklist=["COMP-4", "PERF-2"],
    severity=Severity.HIGH,
    remediation="On the cluster set `minimum_tls_version='1.2'`; on each database set "
                "`client_protocol='Encrypted'`.",
    types=[T.REDIS_ENTERPRISE, T.REDIS_DATABASE],
    rows=[
        # Absent: Azure Managed Redis creates clusters with TLS 1.2 minimum.
        Row(("minimumTlsVersion",), tls_at_least(), absent=COMPLIES, types=frozenset({T.REDIS_ENTERPRISE}),
            message="{path} is '{value}'; set it to '1.2'"),
        Row(("clientProtocol",), is_not("Plaintext"), absent=COMPLIES, types=frozenset({T.REDIS_DATABASE}),
            message="clientProtocol is 'Plaintext'; set it to 'Encrypted' so clients connect over TLS only"),
    ],
)


redis_classic_retired = resource_policy(
    name="redis-classic-retired",
    description="No new Azure Cache for Redis (classic) caches: Azure no longer creates them.",
    checklist=["PERF-2"],
    severity=Severity.HIGH,
    remediation="Replace `redis.Redis` with Azure Managed Redis: `redisenterprise.RedisEnterprise` (e.g. "
                "Balanced_B10) plus a `redisenterprise.Database` (eviction_policy 'AllKeysLRU'). An existing cache "
                "kept until migration takes a suppression with a reason and an expiry date.",
    types=[T.CLASSIC_REDIS],
    check=_classic_redis_retired,
)


redis_classic_private_access = value_policy(
    name="redis-classic-private-access",
    description="Classic Redis caches are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'redisCache').",
    types=[T.CLASSIC_REDIS],
    rows=[
        closed("publicNetworkAccess"),
    ],
)


redis_classic_tls = value_policy(
    name="redis-classic-tls",
    description="Classic Redis caches serve TLS 1.2+ only (no non-TLS port).",
    checklist=["COMP-4", "PERF-2"],
    severity=Severity.HIGH,
    remediation="Set `enable_non_ssl_port=False` and `minimum_tls_version='1.2'`.",
    types=[T.CLASSIC_REDIS],
    rows=[
        Row(("enableNonSslPort",), is_not(True), absent=COMPLIES,
            message="enableNonSslPort is true: port 6379 accepts unencrypted traffic; set it to false"),
        Row(("minimumTlsVersion",), tls_at_least(), absent=VIOLATES, message="{path} is {shown}; set it to '1.2'"),
    ],
)


redis_sku_allowed = resource_policy(
    name="redis-sku-allowed",
    description="Redis caches use a SKU allowed in this environment (right-sizing).",
    checklist=["COST-2"],
    severity=Severity.MEDIUM,
    remediation="Pick a SKU from `redisEnterpriseSkus` (Azure Managed Redis) for this environment in "
                "policies/config/<env>.json (e.g. Balanced_B0..B5 in dev), or from `classicRedisSkus` for classic "
                "caches (dev: no Premium); an empty list allows any SKU.",
    types=[T.REDIS_ENTERPRISE, T.CLASSIC_REDIS],
    check=_redis_sku,
    config={
        "redisEnterpriseSkus": {"type": "array", "items": {"type": "string"}, "default": []},
        "classicRedisSkus": {"type": "array", "items": {"type": "string"}, "default": []},
    },
)


cache_eviction_policy = value_policy(
    name="cache-eviction-policy",
    description="Redis caches declare their eviction policy.",
    checklist=["PERF-2"],
    severity=Severity.MEDIUM,
    remediation="Azure Managed Redis: set `eviction_policy` on the Database (e.g. 'AllKeysLRU'; 'NoEviction' where "
                "RediSearch or geo-replication needs it). Classic: set `redis_configuration.maxmemory_policy`.",
    types=[T.REDIS_DATABASE, T.CLASSIC_REDIS],
    rows=[
        Row(("evictionPolicy",), present(), absent=VIOLATES, types=frozenset({T.REDIS_DATABASE}),
            message="evictionPolicy is not set; choose one (e.g. 'AllKeysLRU' for a cache) instead of the default"),
        Row(("redisConfiguration", "maxmemoryPolicy"), present(), absent=VIOLATES, types=frozenset({T.CLASSIC_REDIS}),
            message="redisConfiguration.maxmemoryPolicy is not set; choose one (e.g. 'allkeys-lru' for a cache)"),
    ],
)


POLICIES: list[Policy] = [
    redis_enterprise_private_access, redis_enterprise_tls,
    redis_classic_retired, redis_classic_private_access, redis_classic_tls, redis_sku_allowed,
    cache_eviction_policy,
]
