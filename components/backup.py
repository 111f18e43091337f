"""The stack's AI data account (datasets, model artifacts) and the backup that protects it (REL-2).

Blobs get both backup tiers from one policy:
- operational: continuous, kept in the account itself (point-in-time restore), for "undo";
- vaulted: a daily copy into the Data Protection vault (the seed's 02:00 schedule), which
  survives the account's deletion or a ransomware overwrite.

The vault must sit in the account's region; callers create one Backup, in the primary region.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi
import pulumi_azure_native.dataprotection as dataprotection
import pulumi_azure_native.storage as storage

from stack_config.model import MIN_VAULT_RETENTION_DAYS, ZONAL_REGIONS
from stack_config.model import Backup as BackupConfig

from . import rbac
from .common import Common
from .diagnostics import diagnostic_setting
from .private_endpoint import check_private_link
from .storage import private_container, secure_storage_account

# The private-link group of the backup account's one endpoint.
PRIVATE_LINK_GROUP = "blob"

# Containers created in the account and protected by the vaulted tier (which backs up named
# containers only).
CONTAINERS = ("ai-data", "model-artifacts")
BLOB_DATASOURCE = "Microsoft.Storage/storageAccounts/blobServices"
# The schedule's anchor date. Azure takes only the time of day and the period from it, but
# changing it shows as a policy change, so it is a constant, not "today".
SCHEDULE_ANCHOR = "2026-01-01"
# Vaulted blob backups keep recovery points at least this long.
# Point-in-time restore needs blob soft delete to outlast it; Azure Backup uses the same margin.
SOFT_DELETE_MARGIN_DAYS = 5
VAULT_SOFT_DELETE_DAYS = 14


class BackupError(pulumi.RunError):
    """A backup configuration Azure would reject."""


def storage_account_name(base_name: str, location: str, stack: str, tenant_id: str) -> str:
    """'st' + base name (letters and digits) + a hash, <= 24 characters.

    Account names are global DNS labels: the hash covers the stack, region and Entra tenant (as
    components.naming does for hyphenated names) so another organisation deploying this code with
    the default prefix gets a different name, and a rerun never renames (replaces) the account.
    """
    digest = hashlib.sha256(f"{tenant_id}|{stack}|{base_name}|{location}|st".encode()).hexdigest()[:8]
    return f"st{re.sub(r'[^a-z0-9]', '', base_name.lower())[:14]}{digest}"


def storage_sku(redundancy: str, location: str) -> storage.SkuName:
    """The account's replication, matching the vault's: the data is only as durable as its copies."""
    if redundancy == "LocallyRedundant":
        return storage.SkuName.STANDARD_LRS
    if redundancy == "ZoneRedundant":
        return storage.SkuName.STANDARD_ZRS
    return storage.SkuName.STANDARD_GZRS if location in ZONAL_REGIONS else storage.SkuName.STANDARD_GRS


def _principal(identity: Any) -> str:
    if identity is None or not identity.principal_id:
        raise BackupError("the backup vault returned no system-assigned identity")
    return identity.principal_id


@dataclass(frozen=True)
class BackupArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    backup: BackupConfig
    # The Pulumi stack and the Entra tenant (`authorization.get_client_config_output().tenant_id`),
    # hashed into the globally unique storage account name.
    stack: str
    tenant_id: pulumi.Input[str]


class Backup(pulumi.ComponentResource):
    """Backup vault + blob policy + the AI data storage account it protects.

    `common.role_grants` are applied to the storage account (e.g. Storage Blob Data Reader for
    a workload identity); `common.private_link` is required (the account has no public access).
    """

    vault_id: pulumi.Output[str]
    vault_principal_id: pulumi.Output[str]
    policy_id: pulumi.Output[str]
    storage_account_id: pulumi.Output[str]
    storage_account_name: pulumi.Output[str]
    blob_endpoint: pulumi.Output[str]
    backup_instance_id: pulumi.Output[str]

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cfg, common = args.backup, args.common
        if cfg.retention_days < MIN_VAULT_RETENTION_DAYS:
            raise BackupError(f"{name}: backup.retentionDays {cfg.retention_days} is below the "
                              f"{MIN_VAULT_RETENTION_DAYS} days vaulted blob backups keep; set "
                              f"ai-platform:backup.retentionDays to {MIN_VAULT_RETENTION_DAYS} or more")
        if cfg.redundancy == "ZoneRedundant" and common.location not in ZONAL_REGIONS:
            raise BackupError(f"{name}: backup.redundancy ZoneRedundant needs availability zones, which "
                              f"{common.location} lacks; use LocallyRedundant or GeoRedundant")
        # The account has no public access: without its private endpoint nothing could reach it.
        check_private_link(f"{name}-st", common, PRIVATE_LINK_GROUP)
        rbac.check_grants(name, common.role_grants)
        super().__init__("ai-platform:backup:Backup", name, None, opts)
        region = f"{args.base_name}-{common.location}"

        account_name = pulumi.Output.from_input(args.tenant_id).apply(
            lambda tenant: storage_account_name(args.base_name, common.location, args.stack, tenant))
        account = secure_storage_account(
            f"{name}-st", common=common, parent=self, account_name=account_name,
            sku=storage_sku(cfg.redundancy, common.location), access_tier=storage.AccessTier.HOT,
            # AzureServices lets trusted services such as Azure Backup in.
            bypass=storage.Bypass.AZURE_SERVICES,
            # Its one endpoint carries the account's name, as first deployed (a new name would replace it).
            endpoints={"blob": f"{name}-st"},
        )
        soft_delete_days = cfg.retention_days + SOFT_DELETE_MARGIN_DAYS
        # Operational backup runs on blob point-in-time restore, which needs versioning, change feed
        # and soft delete. Azure Backup switches these on itself; declaring the same values keeps
        # a later `pulumi up` from turning them off again.
        blob_service = storage.BlobServiceProperties(
            f"{name}-st-blob",
            account_name=account.name,
            resource_group_name=common.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            change_feed=storage.ChangeFeedArgs(enabled=True, retention_in_days=soft_delete_days),
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=soft_delete_days),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=soft_delete_days),
            restore_policy=storage.RestorePolicyPropertiesArgs(enabled=True, days=cfg.retention_days),
            opts=common.child(self),
        )
        containers = [
            private_container(f"{name}-st-{container}", common=common, parent=self, account=account,
                              container_name=container, depends_on=[blob_service])
            for container in CONTAINERS
        ]
        rbac.grant_all(f"{name}-st", scope=account.id, grants=common.role_grants, parent=self)

        if cfg.immutable:
            # Locked cannot be undone, so only where the stack is protected; elsewhere Unlocked
            # still blocks early deletion of recovery points but can be switched off for teardown.
            immutability = (dataprotection.ImmutabilityState.LOCKED if common.protect
                            else dataprotection.ImmutabilityState.UNLOCKED)
        else:
            immutability = dataprotection.ImmutabilityState.DISABLED
        vault = dataprotection.BackupVault(
            f"{name}-vault",
            vault_name=f"bvault-{region}",
            resource_group_name=common.resource_group_name,
            location=common.location,
            identity=dataprotection.DppIdentityDetailsArgs(type="SystemAssigned"),
            properties=dataprotection.BackupVaultArgs(
                storage_settings=[dataprotection.StorageSettingArgs(
                    datastore_type=dataprotection.StorageSettingStoreTypes.VAULT_STORE,
                    type=dataprotection.StorageSettingTypes(cfg.redundancy),
                )],
                security_settings=dataprotection.SecuritySettingsArgs(
                    soft_delete_settings=dataprotection.SoftDeleteSettingsArgs(
                        state=dataprotection.SoftDeleteState.ON,
                        retention_duration_in_days=VAULT_SOFT_DELETE_DAYS,
                    ),
                    immutability_settings=dataprotection.ImmutabilitySettingsArgs(state=immutability),
                ),
                # A geo-redundant vault restores in the paired region too (backup-vault-cross-region-restore);
                # Azure allows it on GeoRedundant storage only, and it cannot be turned off again.
                feature_settings=dataprotection.FeatureSettingsArgs(
                    cross_region_restore_settings=dataprotection.CrossRegionRestoreSettingsArgs(
                        state=dataprotection.CrossRegionRestoreState.ENABLED))
                if cfg.redundancy == "GeoRedundant" else None,
                # Azure Monitor (not classic) alerts for every failed backup or restore job.
                monitoring_settings=dataprotection.MonitoringSettingsArgs(
                    azure_monitor_alert_settings=dataprotection.AzureMonitorAlertSettingsArgs(
                        alerts_for_all_job_failures=dataprotection.AlertsState.ENABLED)),
            ),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        diagnostic_setting(f"{name}-vault", target_id=vault.id, workspace_id=common.workspace_id, parent=self)
        vault_principal = vault.identity.apply(_principal)
        backup_role = rbac.grant(f"{name}-vault-backup-contributor", scope=account.id, principal_id=vault_principal,
                            role="Storage Account Backup Contributor", parent=self,
                            description="Backup vault manages point-in-time restore and reads blobs to back up")

        retention = f"P{cfg.retention_days}D"
        policy = dataprotection.BackupPolicy(
            f"{name}-policy",
            backup_policy_name="ai-data-backup-policy",
            vault_name=vault.name,
            resource_group_name=common.resource_group_name,
            properties=dataprotection.BackupPolicyArgs(
                object_type="BackupPolicy",
                datasource_types=[BLOB_DATASOURCE],
                policy_rules=[
                    _retention_rule(dataprotection.DataStoreTypes.OPERATIONAL_STORE, retention),
                    dataprotection.AzureBackupRuleArgs(
                        object_type="AzureBackupRule",
                        name="BackupDaily",
                        backup_parameters=dataprotection.AzureBackupParamsArgs(
                            object_type="AzureBackupParams", backup_type="Discrete"),
                        data_store=dataprotection.DataStoreInfoBaseArgs(
                            object_type="DataStoreInfoBase",
                            data_store_type=dataprotection.DataStoreTypes.VAULT_STORE),
                        trigger=dataprotection.ScheduleBasedTriggerContextArgs(
                            object_type="ScheduleBasedTriggerContext",
                            schedule=dataprotection.BackupScheduleArgs(
                                repeating_time_intervals=[
                                    f"R/{SCHEDULE_ANCHOR}T{cfg.schedule_time}:00+00:00/P1D"],
                                time_zone="UTC",
                            ),
                            tagging_criteria=[dataprotection.TaggingCriteriaArgs(
                                is_default=True, tagging_priority=99,
                                tag_info=dataprotection.RetentionTagArgs(tag_name="Default"))],
                        ),
                    ),
                    _retention_rule(dataprotection.DataStoreTypes.VAULT_STORE, retention),
                ],
            ),
            opts=common.child(self),
        )
        instance = dataprotection.BackupInstance(
            f"{name}-instance",
            backup_instance_name=account_name,
            vault_name=vault.name,
            resource_group_name=common.resource_group_name,
            properties=dataprotection.BackupInstanceArgs(
                object_type="BackupInstance",
                friendly_name=account_name,
                data_source_info=_account_source(dataprotection.DatasourceArgs, "Datasource", account.id,
                                                 common.location),
                data_source_set_info=_account_source(dataprotection.DatasourceSetArgs, "DatasourceSet", account.id,
                                                     common.location),
                policy_info=dataprotection.PolicyInfoArgs(
                    policy_id=policy.id,
                    policy_parameters=dataprotection.PolicyParametersArgs(backup_datasource_parameters_list=[
                        dataprotection.BlobBackupDatasourceParametersArgs(
                            object_type="BlobBackupDatasourceParameters", containers_list=list(CONTAINERS))]),
                ),
            ),
            tags=common.tags,
            # The vault validates its role and the containers when protection is configured.
            opts=common.child(self, depends_on=[backup_role, blob_service, *containers]),
        )

        self.vault_id = vault.id
        self.vault_principal_id = vault_principal
        self.policy_id = policy.id
        self.storage_account_id = account.id
        self.storage_account_name = account_name
        self.blob_endpoint = account.primary_endpoints.apply(lambda e: e.blob)
        self.backup_instance_id = instance.id
        self.register_outputs({
            "vault_id": self.vault_id,
            "vault_principal_id": self.vault_principal_id,
            "policy_id": self.policy_id,
            "storage_account_id": self.storage_account_id,
            "storage_account_name": self.storage_account_name,
            "blob_endpoint": self.blob_endpoint,
            "backup_instance_id": self.backup_instance_id,
        })


_Source = TypeVar("_Source", dataprotection.DatasourceArgs, dataprotection.DatasourceSetArgs)


def _account_source(kind: type[_Source], object_type: str, account_id: pulumi.Input[str], location: str) -> _Source:
    # A backup instance names the account twice, as its data source and as that source's set.
    return kind(object_type=object_type, datasource_type=BLOB_DATASOURCE, resource_id=account_id,
                resource_uri=account_id, resource_type="Microsoft.Storage/storageAccounts",
                resource_location=location)


def _retention_rule(store: dataprotection.DataStoreTypes, duration: str) -> dataprotection.AzureRetentionRuleArgs:
    # Each tier's default rule is named "Default" (as Azure's own templates do): the name pairs
    # with the backup rule's "Default" tag.
    return dataprotection.AzureRetentionRuleArgs(
        object_type="AzureRetentionRule",
        name="Default",
        is_default=True,
        lifecycles=[dataprotection.SourceLifeCycleArgs(
            delete_after=dataprotection.AbsoluteDeleteOptionArgs(object_type="AbsoluteDeleteOption",
                                                                 duration=duration),
            source_data_store=dataprotection.DataStoreInfoBaseArgs(object_type="DataStoreInfoBase",
                                                                   data_store_type=store),
        )],
    )
