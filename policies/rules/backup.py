"""Backup vaults (dataprotection:BackupVault): soft delete, immutability, cross-region restore."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, Row, is_not, value_policy
from ..framework.inputs import UNKNOWN, get, text
from ..framework.values import show

# Immutability states that keep recovery points from early deletion ('Unlocked' can still be turned off,
# but locking is irreversible, so the stack owner decides when).
IMMUTABLE_STATES = frozenset({"unlocked", "locked"})


def _required_state(args: ResourceValidationArgs, required: bool, path: tuple[str, ...], wanted: frozenset[str],
                    why: str) -> Iterable[str]:
    """When the environment requires it, the state at `path` is one of `wanted` (absent: Disabled)."""
    state = text(args.props, *path)
    if required and state is not UNKNOWN and state not in wanted:
        yield f"{'.'.join(path)} is {show(get(args.props, *path), 'Disabled')}: {why}"


def _backup_immutability(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    yield from _required_state(
        args, config["requireImmutability"], ("properties", "securitySettings", "immutabilitySettings", "state"),
        IMMUTABLE_STATES, "recovery points can be deleted before they expire; set it to 'Locked' (or 'Unlocked' "
        "until the lock is approved)")


backup_vault_soft_delete = value_policy(
    name="backup-vault-soft-delete",
    description="Backup vaults keep deleted backups recoverable (soft delete on).",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.security_settings=SecuritySettingsArgs(soft_delete_settings="
                "SoftDeleteSettingsArgs(state='On', retention_duration_in_days=14))` ('AlwaysOn' locks it).",
    types=[T.BACKUP_VAULT],
    rows=[
        Row(("properties", "securitySettings", "softDeleteSettings", "state"), is_not("Off"), absent=COMPLIES,
            message="properties.securitySettings.softDeleteSettings.state is 'Off': deleted backups are gone at once; "
                    "set it to 'On' (or 'AlwaysOn')"),
    ],
)


backup_vault_immutability = resource_policy(
    name="backup-vault-immutability",
    description="Backup vaults keep recovery points immutable until they expire (where the environment requires "
                "it), so a compromised operator cannot delete them early.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.security_settings=SecuritySettingsArgs(immutability_settings="
                "ImmutabilitySettingsArgs(state='Locked'))` (locking is irreversible: 'Unlocked' until approved); "
                "`requireImmutability` is true in prod.",
    types=[T.BACKUP_VAULT],
    check=_backup_immutability,
    config={"requireImmutability": {"type": "boolean", "default": False}},
)


def _cross_region_restore(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    yield from _required_state(
        args, config["requireCrossRegionRestore"], ("properties", "featureSettings", "crossRegionRestoreSettings",
                                                    "state"),
        frozenset({"enabled"}), "backups cannot be restored in the paired region while this one is down; enable it "
        "(on a GeoRedundant vault)")


backup_vault_cross_region_restore = resource_policy(
    name="backup-vault-cross-region-restore",
    description="Backup vaults can restore in the paired region (where the environment requires it).",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Use storage setting type 'GeoRedundant' and set `properties.feature_settings=FeatureSettingsArgs("
                "cross_region_restore_settings=CrossRegionRestoreSettingsArgs(state='Enabled'))` (it cannot be turned "
                "off later; https://learn.microsoft.com/azure/backup/backup-vault-overview#cross-region-restore).",
    types=[T.BACKUP_VAULT],
    check=_cross_region_restore,
    config={"requireCrossRegionRestore": {"type": "boolean", "default": False}},
)


POLICIES: list[Policy] = [
    backup_vault_soft_delete, backup_vault_immutability, backup_vault_cross_region_restore,
]
