"""The response cache: Azure Managed Redis (`Microsoft.Cache/redisEnterprise`), private and keyless.

Why not the seed's Azure Cache for Redis (`Microsoft.Cache/redis`, Premium P1): that service stopped
accepting new caches in 2026 on its way to retirement, so a new stack cannot create one. Azure
Managed Redis is its successor. Every seed setting is carried over or replaced by something stricter:

Seed (`Microsoft.Cache/redis`)    -> here (`redisEnterprise` cluster + its `default` database)
- sku Premium P1                  -> `ai-platform:redis.sku` per stack (Balanced_B0 dev, Balanced_B10 prod)
- enableNonSslPort: false         -> clientProtocol Encrypted (no plaintext listener at all)
- minimumTlsVersion: '1.2'        -> minimumTlsVersion 1.2
- maxmemory-policy: allkeys-lru   -> evictionPolicy AllKeysLRU
- shardCount: 2 (clustering)      -> clusteringPolicy OSSCluster; the shard count follows the SKU
- redisVersion: '6.0'             -> the service's current version, upgrades not deferred
- listKeys().primaryKey in app    -> accessKeysAuthentication Disabled; an Entra ID access policy
                                     assignment per workload identity
- public endpoint                 -> publicNetworkAccess Disabled + private endpoint (redisEnterprise)
- no zones                        -> zone redundant when highAvailability is Enabled in a zonal region
- no persistence                  -> `ai-platform:redis.persistence` (AOF every second in prod)

Clustering: OSSCluster exposes the shards to cluster-aware clients, which is what the seed's
`shardCount: 2` Premium cache already required of its clients, and it scales throughput with the
shard count with no proxy hop. EnterpriseCluster would only be needed for RediSearch, which also
requires the NoEviction policy and so cannot coexist with the seed's allkeys-lru cache semantics.
The clustering policy cannot change after creation (a change replaces the database).

Zones: for Managed Redis SKUs Azure chooses the zones itself. A highly available cache created in a
region with availability zones is zone redundant with no `zones` input (the API's `zones` list is for
the older Enterprise SKUs), so this component sends none and reports `zone_redundant` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native.redisenterprise as redisenterprise

from stack_config.model import REDIS_ASSIGNMENT_NAME, Redis, redis_assignment_name

from .common import Common
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output
from .private_endpoint import check_private_link, private_endpoint
from .rbac import check_grants, grant_all

# The private-link group (sub-resource) of an Azure Managed Redis endpoint.
PRIVATE_LINK_GROUP = "redisEnterprise"

PORT = 10000
CLUSTERING_POLICY = redisenterprise.ClusteringPolicy.OSS_CLUSTER
# What clients connect to: the endpoint on 10000 and, under the OSS clustering policy, each shard
# directly on a port in 8500-8599 that the cluster's topology hands out (Azure Managed Redis
# architecture, learn.microsoft.com/azure/redis/architecture#cluster-policies). The NSG in front of
# the private endpoints must admit both (Microsoft Q&A 1513841: open 10000 and 8500-8599 for OSS
# cluster mode). An EnterpriseCluster database would need only 10000.
CLIENT_PORTS = (str(PORT), "8500-8599")
# The database of a Managed Redis cluster is always named 'default'.
DATABASE = "default"
# The built-in data access policy: full data-plane access, no administrative commands.
ACCESS_POLICY = "default"
# Cluster name: 1-60 characters; it becomes <name>.<region>.redis.azure.net.
_CLUSTER_MAX = 60


class RedisError(pulumi.RunError):
    """RedisCache was given inputs it cannot build securely."""


@dataclass(frozen=True)
class RedisCacheArgs:
    common: Common
    config: Redis
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # The Pulumi stack and the Entra tenant (`authorization.get_client_config_output().tenant_id`),
    # hashed into the cluster's DNS name.
    stack: str
    tenant_id: pulumi.Input[str]
    # Whether the region has availability zones (`Region.zonal`).
    zonal: bool
    # Workload name -> principal (object) id (`WorkloadIdentities.principal_ids`). The workload
    # name, without hyphens, names its access policy assignment.
    consumers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def _check(name: str, args: RedisCacheArgs) -> dict[str, str]:
    """Refuse unusable inputs before anything is declared; return each consumer's assignment name."""
    check_private_link(name, args.common, PRIVATE_LINK_GROUP)
    check_grants(name, args.common.role_grants)
    check_parts(name, base_name=args.base_name, location=args.common.location)
    return _assignment_names(name, args.consumers)


class RedisCache(pulumi.ComponentResource):
    """An Azure Managed Redis cluster and database reachable only privately, with Entra ID auth."""

    cluster: redisenterprise.RedisEnterprise
    database: redisenterprise.Database
    cluster_id: pulumi.Output[str]
    database_id: pulumi.Output[str]
    host_name: pulumi.Output[str]
    port: pulumi.Output[int]
    zone_redundant: bool

    def __init__(self, name: str, args: RedisCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        assignments = _check(name, args)
        super().__init__("ai-platform:redis:RedisCache", name, None, opts)
        common, config = args.common, args.config
        cluster_name = unique_name_output("redis", base_name=args.base_name, location=common.location,
                                          stack=args.stack, tenant_id=args.tenant_id, max_length=_CLUSTER_MAX)

        self.cluster = redisenterprise.RedisEnterprise(
            name,
            cluster_name=cluster_name,
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=redisenterprise.SkuArgs(name=config.sku),
            # Without high availability the data has one copy and no SLA: dev only. It cannot be
            # turned off again once enabled.
            high_availability=(redisenterprise.HighAvailability.ENABLED if config.high_availability
                               else redisenterprise.HighAvailability.DISABLED),
            minimum_tls_version=redisenterprise.TlsVersion.TLS_VERSION_1_2,
            public_network_access=redisenterprise.PublicNetworkAccess.DISABLED,
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        self.database = redisenterprise.Database(
            f"{name}-db",
            database_name=DATABASE,
            cluster_name=self.cluster.name,
            resource_group_name=common.resource_group_name,
            port=PORT,
            client_protocol=redisenterprise.Protocol.ENCRYPTED,
            clustering_policy=CLUSTERING_POLICY,
            eviction_policy=redisenterprise.EvictionPolicy.ALL_KEYS_LRU,
            access_keys_authentication=redisenterprise.AccessKeysAuthentication.DISABLED,
            persistence=_persistence(config.persistence),
            # The seed pinned 6.0, then current; taking each version as Azure rolls it out keeps that intent.
            defer_upgrade=redisenterprise.DeferUpgradeSetting.NOT_DEFERRED,
            opts=common.child(self, stateful=True),
        )

        # The database applies one access policy change at a time; assignments made in parallel
        # fail intermittently, so each waits for the one before it.
        previous: list[pulumi.Resource] = []
        for consumer, principal_id in args.consumers.items():
            assignment = redisenterprise.AccessPolicyAssignment(
                f"{name}-{consumer}-access",
                access_policy_assignment_name=assignments[consumer],
                access_policy_name=ACCESS_POLICY,
                cluster_name=self.cluster.name,
                database_name=self.database.name,
                resource_group_name=common.resource_group_name,
                user=redisenterprise.AccessPolicyAssignmentPropertiesUserArgs(object_id=principal_id),
                opts=common.child(self, depends_on=previous),
            )
            previous = [assignment]
        # Azure RBAC on the cluster is control plane only; data access is the assignments above.
        grant_all(name, scope=self.cluster.id, grants=common.role_grants, parent=self)

        private_endpoint(name, common=common, target_id=self.cluster.id, group_id=PRIVATE_LINK_GROUP, parent=self)
        # The cluster emits metrics only and the database logs only (connection events).
        diagnostic_setting(name, target_id=self.cluster.id, workspace_id=common.workspace_id, parent=self,
                           categories=[])
        diagnostic_setting(f"{name}-db", target_id=self.database.id, workspace_id=common.workspace_id,
                           parent=self, metrics=False)

        self.cluster_id = self.cluster.id
        self.database_id = self.database.id
        self.host_name = self.cluster.host_name
        self.port = self.database.port.apply(lambda p: p or PORT)
        self.zone_redundant = args.zonal and config.high_availability
        self.register_outputs({
            "clusterId": self.cluster_id,
            "databaseId": self.database_id,
            "hostName": self.host_name,
            "port": self.port,
            "zoneRedundant": self.zone_redundant,
        })


def _persistence(mode: str) -> redisenterprise.PersistenceArgs:
    """AOF every second loses at most a second of writes on a double node failure; RDB hourly is
    the cheaper snapshot. 'none' is stated explicitly so that drift to a persisted cache shows."""
    if mode == "aof":
        return redisenterprise.PersistenceArgs(
            aof_enabled=True, aof_frequency=redisenterprise.AofFrequency.AOF_FREQUENCY_1S, rdb_enabled=False)
    if mode == "rdb":
        return redisenterprise.PersistenceArgs(
            rdb_enabled=True, rdb_frequency=redisenterprise.RdbFrequency.RDB_FREQUENCY_1H, aof_enabled=False)
    return redisenterprise.PersistenceArgs(aof_enabled=False, rdb_enabled=False)


def _assignment_names(name: str, consumers: Mapping[str, pulumi.Input[str]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for consumer in consumers:
        assignment = redis_assignment_name(consumer)
        if not REDIS_ASSIGNMENT_NAME.match(assignment):
            raise RedisError(f"{name}: consumer '{consumer}' cannot name an access policy assignment; use up to 60 "
                             "letters, digits and hyphens")
        clash = next((c for c, n in names.items() if n.lower() == assignment.lower()), None)
        if clash is not None:
            raise RedisError(f"{name}: consumers '{clash}' and '{consumer}' map to the same access policy "
                             f"assignment name '{assignment}'; rename one")
        names[consumer] = assignment
    return names
