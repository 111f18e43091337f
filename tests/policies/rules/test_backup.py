"""Specification of policies/rules/backup.py (`backup-vault-soft-delete`, `backup-vault-immutability`,
`backup-vault-cross-region-restore`): what each policy accepts and what it reports, on resources
declared with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

import pulumi_azure_native.dataprotection as dataprotection

from policies.rules.backup import backup_vault_cross_region_restore, backup_vault_immutability, backup_vault_soft_delete
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, file_config, fired, table_tests

IMMUTABILITY_REQUIRED = file_config({"backup-vault-immutability": {"requireImmutability": True}})

CROSS_REGION = file_config({"backup-vault-cross-region-restore": {"requireCrossRegionRestore": True}})


def geo_vault(cross_region: str | None) -> s.Program:
    restore = dataprotection.CrossRegionRestoreSettingsArgs(state=cross_region) if cross_region else None
    features = dataprotection.FeatureSettingsArgs(cross_region_restore_settings=restore) if restore else None
    return lambda: dataprotection.BackupVault(
        "backup", resource_group_name=s.RG, vault_name="bvault-aip",
        identity=dataprotection.DppIdentityDetailsArgs(type="SystemAssigned"),
        properties=dataprotection.BackupVaultArgs(
            storage_settings=[dataprotection.StorageSettingArgs(datastore_type="VaultStore", type="GeoRedundant")],
            feature_settings=features))


# (policy, compliant program[, config])
PASSING = [
    (backup_vault_soft_delete, s.backup_vault()),
    (backup_vault_soft_delete, s.backup_vault(soft_delete="AlwaysOn")),
    (backup_vault_soft_delete, s.backup_vault(soft_delete=None)),  # Azure's default for new vaults: On
    (backup_vault_immutability, s.backup_vault(), IMMUTABILITY_REQUIRED),  # Locked
    (backup_vault_immutability, s.backup_vault(immutability="Unlocked"), IMMUTABILITY_REQUIRED),
    (backup_vault_immutability, s.backup_vault(immutability="Disabled")),  # not required by default
    (backup_vault_cross_region_restore, geo_vault(None)),  # not required by default
    (backup_vault_cross_region_restore, geo_vault("Enabled"), CROSS_REGION),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (backup_vault_soft_delete, s.backup_vault(soft_delete="Off"), "'Off'"),
    (backup_vault_immutability, s.backup_vault(immutability="Disabled"), IMMUTABILITY_REQUIRED,
     "immutabilitySettings.state is 'Disabled'"),
    (backup_vault_immutability, s.backup_vault(immutability=None), IMMUTABILITY_REQUIRED,
     "absent (Azure's default: Disabled)"),
    (backup_vault_cross_region_restore, geo_vault(None), CROSS_REGION, "crossRegionRestoreSettings.state is absent"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [backup_vault_soft_delete, backup_vault_immutability, backup_vault_cross_region_restore]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_prod_requires_immutable_backups() -> None:
    immutable = backup_vault_immutability
    unlocked = s.backup_vault(immutability=None)
    assert fired(immutable, unlocked, env_config("prod", immutable))[0] == {immutable.name}
    assert fired(immutable, unlocked, env_config("dev", immutable))[0] == set()
