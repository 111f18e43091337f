"""Specification of policies/relations/databases.py (`postgres-connection-pooling`): a compliant and a
violating deployment per policy, declared with the SDK under mocks; relations come from the recorded
property dependencies, as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

import pytest

from policies.relations.databases import postgres_connection_pooling
from tests.policies.support import evaluate, names, sdk_resources


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
