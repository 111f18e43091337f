"""Specification of policies/relations/databases.py (`postgres-connection-pooling`,
`redis-enterprise-access-keys-disabled`): a compliant and a
violating deployment per policy, declared with the SDK under mocks; relations come from the recorded
property dependencies, as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.app as app
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.network as network
import pulumi_azure_native.redisenterprise as redisenterprise
import pytest

from policies.relations.databases import postgres_connection_pooling, redis_enterprise_access_keys_disabled
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources, table_tests


def _postgres(pooling: str | None) -> list:
    import pulumi_azure_native.dbforpostgresql as postgres

    def build() -> None:
        server = postgres.Server("pg", resource_group_name="rg", location="eastus2", version="16",
                                 sku=postgres.SkuArgs(name="Standard_D2ds_v5", tier="GeneralPurpose"))
        if pooling is not None:
            postgres.Configuration("pgbouncer", resource_group_name="rg", server_name=server.name,
                                   configuration_name="pgbouncer.enabled", value=pooling, source="user-override")

    return sdk_resources(build)


@pytest.mark.parametrize("pooling", [
    pytest.param(None, id="postgres-connection-pooling/violates-when-pgbouncer-not-configured"),
    pytest.param("false", id="postgres-connection-pooling/violates-when-pgbouncer-disabled"),
])
def test_postgres_connection_pooling_violates(pooling: str | None) -> None:
    assert names(evaluate([postgres_connection_pooling], _postgres(pooling))) == {"postgres-connection-pooling"}


def test_postgres_connection_pooling_passes() -> None:
    assert evaluate([postgres_connection_pooling], _postgres("true")) == []


VAULT = "kv-aip-prod"
NAMED = "semantic-cache-redis"
PE_SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-pe"


@dataclass(frozen=True)
class CacheLayout:
    """The AI gateway's semantic cache (components/ai_gateway.py), one aspect at a time made worse."""

    public_network_access: str = "Disabled"
    private_endpoint: bool = True
    via_key_vault: bool = True  # False: the key sits in the Cache's connection string itself
    secret_named_value: bool = True
    cache_uses_named_value: bool = True
    policy_uses_named_value: bool = False
    app_reads_secret: bool = False  # a container app also reads the Key Vault secret
    app_gets_key: bool = False  # a container app also gets the key directly
    access_keys: str | None = "Enabled"


def _declare(layout: CacheLayout) -> None:
    cluster = redisenterprise.RedisEnterprise(
        "apim-cache", resource_group_name=s.RG, cluster_name="amr-apimcache", location="eastus2",
        sku=redisenterprise.SkuArgs(name="Balanced_B1"), minimum_tls_version="1.2",
        public_network_access=layout.public_network_access)
    database = redisenterprise.Database(
        "apim-cache-db", resource_group_name=s.RG, cluster_name=cluster.name, database_name="default",
        client_protocol="Encrypted", clustering_policy="EnterpriseCluster", eviction_policy="NoEviction",
        modules=[redisenterprise.ModuleArgs(name="RediSearch")], access_keys_authentication=layout.access_keys)
    if layout.private_endpoint:
        network.PrivateEndpoint(
            "apim-cache-pe", resource_group_name=s.RG, subnet=network.SubnetArgs(id=PE_SUBNET),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="redis", private_link_service_id=cluster.id, group_ids=["redisEnterprise"])])
    keys = redisenterprise.list_database_keys_output(cluster_name=cluster.name, database_name=database.name,
                                                     resource_group_name=s.RG)
    connection = pulumi.Output.secret(pulumi.Output.all(cluster.host_name, keys.primary_key).apply(
        lambda v: f"{v[0]}:10000,password={v[1]},ssl=True,abortConnect=False"))
    gateway = apim.ApiManagementService(
        "gateway", resource_group_name=s.RG, service_name="apim-aip-prod", publisher_email="a@contoso.com",
        publisher_name="Contoso", sku=apim.ApiManagementServiceSkuPropertiesArgs(name="Premium", capacity=2))
    if not layout.via_key_vault:
        apim.Cache("cache", resource_group_name=s.RG, service_name=gateway.name, cache_id="eastus2",
                   use_from_location="eastus2", connection_string=connection)
        return
    secret = keyvault.Secret(
        "cache-secret", resource_group_name=s.RG, vault_name=VAULT, secret_name="apim-semantic-cache-redis",
        properties=keyvault.SecretPropertiesArgs(value=connection, content_type="text/plain"))
    apim.NamedValue(
        "cache-connection", resource_group_name=s.RG, service_name=gateway.name, named_value_id=NAMED,
        display_name=NAMED, secret=layout.secret_named_value,
        key_vault=apim.KeyVaultContractCreatePropertiesArgs(secret_identifier=secret.properties.secret_uri))
    reference = f"{{{{{NAMED}}}}}"
    apim.Cache("cache", resource_group_name=s.RG, service_name=gateway.name, cache_id="eastus2",
               use_from_location="eastus2",
               connection_string=reference if layout.cache_uses_named_value else "redis.contoso.com:10000")
    if layout.policy_uses_named_value:
        apim.ApiPolicy("policy", resource_group_name=s.RG, service_name=gateway.name, api_id="azure-openai",
                       policy_id="policy", format="xml",
                       value=f'<policies><inbound><set-header name="x-cache"><value>{reference}</value></set-header>'
                             "</inbound></policies>")
    if layout.app_reads_secret or layout.app_gets_key:
        secrets = [app.SecretArgs(name="redis", key_vault_url=secret.properties.secret_uri, identity="system")] \
            if layout.app_reads_secret else [app.SecretArgs(name="redis", value=connection)]
        app.ContainerApp("chat", resource_group_name=s.RG, managed_environment_id="cae",
                         configuration=app.ConfigurationArgs(secrets=secrets))


def layout(**changes: Any) -> s.Program:
    return lambda: _declare(replace(CacheLayout(), **changes))


def findings(program: s.Program) -> list[str]:
    return [v.message for v in evaluate([redis_enterprise_access_keys_disabled], sdk_resources(program))]


COMPLIANT = {
    "the-ai-gateway-semantic-cache": layout(),
    "entra-only-database": s.redis_database(),
    "entra-only-database-of-the-cache-cluster": layout(access_keys="Disabled", via_key_vault=False,
                                                      public_network_access="Enabled"),
}

VIOLATING = {
    "keyed-database-with-no-consumer": (s.redis_database(access_keys_authentication="Enabled"),
                                        "nothing in the stack uses its keys"),
    "keyed-by-default-with-no-consumer": (s.redis_database(access_keys_authentication=None), "absent"),
    "gateway-cache-on-a-public-cluster": (layout(public_network_access="Enabled"), "is open to public networks"),
    "gateway-cache-without-a-private-endpoint": (layout(private_endpoint=False), "has no private endpoint"),
    "key-inline-in-the-cache-connection-string": (layout(via_key_vault=False), "plain connection string"),
    "named-value-not-secret": (layout(secret_named_value=False), "shows the key in plain text"),
    "named-value-used-by-no-cache": (layout(cache_uses_named_value=False), "used by no API Management external"),
    "named-value-used-in-a-policy": (layout(policy_uses_named_value=True), "used in a policy document"),
    "key-vault-secret-also-read-by-an-app": (layout(app_reads_secret=True), "read by 'chat'"),
    "key-also-given-to-an-app": (layout(app_gets_key=True), "may reach 'chat'"),
}


@pytest.mark.parametrize("program", COMPLIANT.values(), ids=COMPLIANT.keys())
def test_entra_databases_and_the_gateway_cache_comply(program: s.Program) -> None:
    assert findings(program) == []


@pytest.mark.parametrize("program, fragment", VIOLATING.values(), ids=VIOLATING.keys())
def test_any_other_keyed_database_violates(program: s.Program, fragment: str) -> None:
    found = findings(program)
    assert len(found) == 1 and fragment in found[0], found
    assert "accessKeysAuthentication" in found[0]


# (policy, compliant program[, config])
PASSING = [
    (redis_enterprise_access_keys_disabled, s.redis_database()),
]

# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (redis_enterprise_access_keys_disabled, s.redis_database(access_keys_authentication="Enabled"), "Entra"),
    (redis_enterprise_access_keys_disabled, s.redis_database(access_keys_authentication=None), "absent"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [redis_enterprise_access_keys_disabled]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)
