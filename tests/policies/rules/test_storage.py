"""Specification of policies/rules/storage.py (`storage-shared-key-disabled`, `storage-private-access`,
`storage-secure-transport`, `blob-soft-delete`, `storage-cross-tenant-replication-disabled`,
`blob-cors-restricted`): what each policy accepts and what it reports, on resources declared with
the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

import pulumi_azure_native.storage as storage

from policies.rules.storage import (
    blob_cors_restricted,
    blob_soft_delete,
    storage_cross_tenant_replication_disabled,
    storage_private_access,
    storage_secure_transport,
    storage_shared_key_disabled,
)
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, file_config, fired, table_tests

LONG_SOFT_DELETE = file_config({"blob-soft-delete": {"minRetentionDays": 30}})


def cors(*origins: str) -> s.Program:
    return s.blob_service(cors=storage.CorsRulesArgs(cors_rules=[storage.CorsRuleArgs(
        allowed_origins=list(origins), allowed_methods=["GET"], allowed_headers=["*"], exposed_headers=["*"],
        max_age_in_seconds=3600)]))


# (policy, compliant program[, config])
PASSING = [
    (storage_shared_key_disabled, s.storage_account()),
    (storage_private_access, s.storage_account()),
    (storage_private_access, s.storage_account(network_rule_set=None)),  # closed: the firewall is moot
    (storage_secure_transport, s.storage_account()),
    (blob_soft_delete, s.blob_service()),
    (blob_soft_delete, s.blob_service(), LONG_SOFT_DELETE),  # 35 days
    (blob_soft_delete, s.blob_service(delete_retention_policy=s.retention(days=7),
                                          container_delete_retention_policy=s.retention(days=7))),
    (storage_cross_tenant_replication_disabled, s.storage_account(allow_cross_tenant_replication=False)),
    (blob_cors_restricted, cors("https://app.contoso.com")),
    (blob_cors_restricted, s.blob_service()),
    # a network security perimeter secures the endpoint
    (storage_private_access, s.storage_account(public_network_access="SecuredByPerimeter")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (storage_shared_key_disabled, s.storage_account(allow_shared_key_access=None),
     "absent (Azure's default: true)"),
    (storage_private_access, s.storage_account(allow_blob_public_access=True), "anonymous"),
    (storage_private_access, s.storage_account(public_network_access="Enabled", network_rule_set=None),
     "publicNetworkAccess is 'Enabled'; set it to 'Disabled'"),
    (storage_private_access, s.storage_account(public_network_access="Enabled"),  # firewall default Deny
     "publicNetworkAccess is 'Enabled'; set it to 'Disabled'"),
    (storage_private_access, s.storage_account(public_network_access=None),
     "publicNetworkAccess is absent (Azure's default: Enabled)"),
    (storage_secure_transport, s.storage_account(minimum_tls_version=None), "absent (Azure's default: TLS1_0)"),
    (storage_secure_transport, s.storage_account(minimum_tls_version="TLS1_1"), "'TLS1_1'"),
    (storage_secure_transport, s.storage_account(enable_https_traffic_only=False), "plain HTTP"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=s.retention(enabled=False)),
     "deleteRetentionPolicy: blob soft delete is off"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=None), "blob soft delete is off"),
    (blob_soft_delete, s.blob_service(container_delete_retention_policy=None),
     "container soft delete is off"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=s.retention(days=14)), LONG_SOFT_DELETE,
     "14 days; this environment requires 30+"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=s.retention(allow_permanent_delete=True)),
     "allows permanent delete"),
    (storage_cross_tenant_replication_disabled, s.storage_account(allow_cross_tenant_replication=None),
     "allowCrossTenantReplication is absent"),
    (blob_cors_restricted, cors("https://app.contoso.com", "*"), "every origin"),
    (storage_private_access, s.storage_account(public_network_access="Enabled"), "publicNetworkAccess is 'Enabled'"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [storage_shared_key_disabled, storage_private_access, storage_secure_transport, blob_soft_delete,
    storage_cross_tenant_replication_disabled, blob_cors_restricted]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


# `acceptFirewallDenyByDefault` relaxes storage-private-access to the account firewall: an open
# endpoint that denies by default passes, one that allows by default still fails.
FIREWALL = file_config({"storage-private-access": {"acceptFirewallDenyByDefault": True}})
DENIED_BY_FIREWALL = s.storage_account(public_network_access="Enabled")


def test_storage_firewall_is_not_accepted_by_default() -> None:
    assert fired(storage_private_access, DENIED_BY_FIREWALL)[0] == {"storage-private-access"}


def test_storage_firewall_is_accepted_when_configured() -> None:
    assert fired(storage_private_access, DENIED_BY_FIREWALL, FIREWALL)[0] == set()


def test_storage_firewall_allowing_by_default_still_fails_when_configured() -> None:
    found, messages = fired(storage_private_access, s.storage_account(
        public_network_access="Enabled", network_rule_set=None), FIREWALL)
    assert found == {"storage-private-access"} and "reachable from any network" in messages


def test_prod_requires_long_blob_soft_delete() -> None:
    soft_delete = blob_soft_delete
    short = s.blob_service(delete_retention_policy=s.retention(days=12), container_delete_retention_policy=s.retention(
        days=12))  # dev's backup account
    assert fired(soft_delete, short, env_config("prod", soft_delete))[0] == {soft_delete.name}
    assert fired(soft_delete, short, env_config("dev", soft_delete))[0] == set()
