"""Specification of policies/rules/key_vault.py (`key-vault-rbac-authorization`,
`key-vault-private-access`, `key-vault-recoverable`, `key-vault-secret-expiry`): what each policy
accepts and what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.keyvault as keyvault

from policies.rules.key_vault import (
    key_vault_private_access,
    key_vault_rbac_authorization,
    key_vault_recoverable,
    key_vault_secret_expiry,
)
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, file_config, fired, table_tests

EXPIRES = 1_830_297_600  # 2028-01-01T00:00:00Z, in the seconds since the epoch Key Vault takes


def secret(**overrides: Any) -> s.Program:
    args = {"content_type": "text/plain", "attributes": keyvault.SecretAttributesArgs(enabled=True, expires=EXPIRES),
            **overrides}
    return lambda: keyvault.Secret(
        "secret", resource_group_name=s.RG, vault_name="kv-aip-prod-eus2", secret_name="search-key",
        properties=keyvault.SecretPropertiesArgs(value="x", **args))


# (policy, compliant program[, config])
PASSING = [
    (key_vault_rbac_authorization, s.key_vault()),
    (key_vault_private_access, s.key_vault()),
    (key_vault_recoverable, s.key_vault()),
    (key_vault_secret_expiry, secret()),
    # a network security perimeter secures the endpoint
    (key_vault_private_access, s.key_vault(public_network_access="SecuredByPerimeter")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (key_vault_rbac_authorization, s.key_vault(enable_rbac_authorization=None), "enableRbacAuthorization"),
    (key_vault_rbac_authorization, s.key_vault(access_policies=[keyvault.AccessPolicyEntryArgs(
        tenant_id=s.TENANT, object_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
        permissions=keyvault.PermissionsArgs(secrets=["get", "list"]))]), "accessPolicies"),
    (key_vault_private_access, s.key_vault(public_network_access=None), "is 'enabled'"),
    (key_vault_private_access, s.key_vault(network_acls=None), "absent (Azure's default: Allow)"),
    (key_vault_recoverable, s.key_vault(enable_purge_protection=None), "enablePurgeProtection"),
    (key_vault_recoverable, s.key_vault(enable_soft_delete=False), "enableSoftDelete is false"),
    (key_vault_recoverable, s.key_vault(soft_delete_retention_in_days=7),
     file_config({"key-vault-recoverable": {"minSoftDeleteRetentionDays": 90}}), "90+ days"),
    (key_vault_secret_expiry, secret(attributes=keyvault.SecretAttributesArgs(enabled=True)),
     "attributes.expires is absent"),
    (key_vault_secret_expiry, secret(content_type=None), "contentType is absent"),
    (key_vault_private_access, s.key_vault(public_network_access="Enabled"), "publicNetworkAccess is 'Enabled'"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [key_vault_rbac_authorization, key_vault_private_access, key_vault_recoverable, key_vault_secret_expiry]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_prod_requires_long_vault_retention() -> None:
    recoverable = key_vault_recoverable
    short = s.key_vault(soft_delete_retention_in_days=30)
    assert fired(recoverable, short, env_config("prod", recoverable))[0] == {recoverable.name}
    assert fired(recoverable, short, env_config("dev", recoverable))[0] == set()
