from __future__ import annotations

import re

import pytest

from components.backup import (
    CONTAINERS,
    SCHEDULE_ANCHOR,
    Backup,
    BackupArgs,
    BackupError,
    storage_account_name,
)
from components.common import Common, PrivateLink, RoleGrant
from components.private_endpoint import PrivateLinkError
from components.rbac import ROLES, RoleError
from dryrun.mocks import TENANT_ID, _uuid
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config

ST = T.STORAGE
BLOB = T.BLOB_SERVICE
VAULT = T.BACKUP_VAULT
POLICY = T.BACKUP_POLICY
INSTANCE = T.BACKUP_INSTANCE
RA = T.ROLE_ASSIGNMENT
DIAG = T.DIAGNOSTIC_SETTING
PE = T.PRIVATE_ENDPOINT
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
WORKSPACE = f"{SUB}/resourceGroups/rg-aip-prod-eastus2/providers/Microsoft.OperationalInsights/workspaces/log"
SUBNET = f"{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"
BLOB_ZONE = f"{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"
WORKLOAD = "11111111-2222-4333-8444-555555555555"


def _common(stack: str, location: str = "eastus2", private_link: bool = True, **extra) -> Common:
    cfg = stack_config(stack)
    link = PrivateLink(subnet_id=SUBNET, zone_ids={"privatelink.blob.core.windows.net": BLOB_ZONE})
    return Common(resource_group_name=f"rg-aip-{stack}-{location}", location=location, tags=cfg.resource_tags(),
                  workspace_id=WORKSPACE, private_link=link if private_link else None, protect=cfg.protect,
                  **extra)


def _args(stack: str, common: Common, **changes) -> BackupArgs:
    backup = stack_config(stack).backup.model_copy(update=changes)
    return BackupArgs(common=common, base_name=f"aip-{stack}", backup=backup, stack=stack, tenant_id=TENANT_ID)


def _declare(stack: str, **extra) -> Declared:
    common = _common(stack, **extra)
    return declare(lambda: Backup("backup", _args(stack, common)), stack)


def _account_id(d: Declared) -> str:
    st = d.inputs(ST)
    group, name = st["resourceGroupName"], st["accountName"]
    return f"{SUB}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}"


def test_data_account_is_private_entra_only_and_tls12() -> None:
    st = _declare("prod").inputs(ST)
    assert st["kind"] == "StorageV2"
    assert st["minimumTlsVersion"] == "TLS1_2"
    assert st["enableHttpsTrafficOnly"] is True
    assert st["allowBlobPublicAccess"] is False
    assert st["allowSharedKeyAccess"] is False
    assert st["defaultToOAuthAuthentication"] is True
    assert st["publicNetworkAccess"] == "Disabled"
    assert st["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert st["tags"]["environment"] == "prod"
    assert re.fullmatch(r"[a-z0-9]{3,24}", st["accountName"])


@pytest.mark.parametrize(("stack", "sku", "redundancy"), [("dev", "Standard_LRS", "LocallyRedundant"),
                                                          ("prod", "Standard_GZRS", "GeoRedundant")])
def test_redundancy_follows_config(stack: str, sku: str, redundancy: str) -> None:
    d = _declare(stack)
    assert d.inputs(ST)["sku"] == {"name": sku}
    assert d.inputs(VAULT)["properties"]["storageSettings"] == [{"datastoreType": "VaultStore", "type": redundancy}]


def test_blob_service_supports_point_in_time_restore() -> None:
    retention = stack_config("prod").backup.retention_days
    blob = _declare("prod").inputs(BLOB)
    assert blob["blobServicesName"] == "default"
    assert blob["isVersioningEnabled"] is True
    assert blob["changeFeed"]["enabled"] is True
    assert blob["restorePolicy"] == {"enabled": True, "days": retention}
    # Point-in-time restore only works while soft delete outlasts it.
    assert blob["deleteRetentionPolicy"]["enabled"] is True
    assert blob["deleteRetentionPolicy"]["days"] > retention
    assert blob["containerDeleteRetentionPolicy"]["enabled"] is True


def test_private_endpoint_and_diagnostics_target_the_account() -> None:
    d = _declare("prod")
    account = _account_id(d)
    pe = d.inputs(PE)
    assert pe["privateLinkServiceConnections"][0]["groupIds"] == ["blob"]
    assert pe["privateLinkServiceConnections"][0]["privateLinkServiceId"] == account
    diags = {d.inputs(DIAG, r.name)["resourceUri"]: d.inputs(DIAG, r.name) for r in d.of_type(DIAG)}
    vault_id = f"{SUB}/resourceGroups/rg-aip-prod-eastus2/providers/Microsoft.DataProtection/backupVaults/" \
               "bvault-aip-prod-eastus2"
    assert set(diags) == {account, f"{account}/blobServices/default", vault_id}
    assert all(s["workspaceId"] == WORKSPACE for s in diags.values())
    assert diags[account]["logs"] == []  # the account level has metrics only
    assert diags[f"{account}/blobServices/default"]["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert diags[vault_id]["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]


@pytest.mark.parametrize(("stack", "immutability"), [("dev", "Disabled"), ("prod", "Locked")])
def test_vault_identity_soft_delete_and_immutability(stack: str, immutability: str) -> None:
    vault = _declare(stack).inputs(VAULT)
    assert vault["identity"] == {"type": "SystemAssigned"}
    security = vault["properties"]["securitySettings"]
    assert security["softDeleteSettings"] == {"state": "On", "retentionDurationInDays": 14}
    assert security["immutabilitySettings"] == {"state": immutability}
    alerts = vault["properties"]["monitoringSettings"]["azureMonitorAlertSettings"]
    assert alerts == {"alertsForAllJobFailures": "Enabled"}


def test_immutable_config_outside_protected_stacks_stays_unlocked() -> None:
    common = _common("dev")
    d = declare(lambda: Backup("backup", _args("dev", common, immutable=True)), "dev")
    assert d.inputs(VAULT)["properties"]["securitySettings"]["immutabilitySettings"] == {"state": "Unlocked"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policy_is_daily_at_the_configured_time_with_both_tiers(stack: str) -> None:
    cfg = stack_config(stack).backup
    props = _declare(stack).inputs(POLICY)["properties"]
    assert props["datasourceTypes"] == ["Microsoft.Storage/storageAccounts/blobServices"]
    rules = props["policyRules"]
    backup_rule = next(r for r in rules if r["objectType"] == "AzureBackupRule")
    schedule = backup_rule["trigger"]["schedule"]
    assert schedule["repeatingTimeIntervals"] == [f"R/{SCHEDULE_ANCHOR}T{cfg.schedule_time}:00+00:00/P1D"]
    assert not SCHEDULE_ANCHOR.startswith("2024")
    assert backup_rule["dataStore"]["dataStoreType"] == "VaultStore"
    assert backup_rule["backupParameters"]["backupType"] == "Discrete"
    retention = {r["lifecycles"][0]["sourceDataStore"]["dataStoreType"]: r["lifecycles"][0]["deleteAfter"]["duration"]
                 for r in rules if r["objectType"] == "AzureRetentionRule"}
    assert retention == {"OperationalStore": f"P{cfg.retention_days}D", "VaultStore": f"P{cfg.retention_days}D"}


def test_vault_identity_gets_backup_contributor_on_the_account() -> None:
    d = _declare("prod")
    ra = d.inputs(RA)
    assert ra["scope"] == _account_id(d)
    assert ra["roleDefinitionId"].endswith(ROLES["Storage Account Backup Contributor"])
    vault_id = f"{SUB}/resourceGroups/rg-aip-prod-eastus2/providers/Microsoft.DataProtection/backupVaults/" \
               "bvault-aip-prod-eastus2"
    assert ra["principalId"] == _uuid(vault_id + "#system")  # the vault's system identity, as the mock answers
    assert ra["principalType"] == "ServicePrincipal"


def test_backup_instance_protects_the_account_with_the_policy() -> None:
    d = _declare("prod")
    props = d.inputs(INSTANCE)["properties"]
    account = _account_id(d)
    assert props["dataSourceInfo"]["resourceID"] == account
    assert props["dataSourceInfo"]["datasourceType"] == "Microsoft.Storage/storageAccounts/blobServices"
    assert props["dataSourceSetInfo"]["resourceID"] == account
    assert props["policyInfo"]["policyId"].endswith("/backupPolicies/ai-data-backup-policy")
    params = props["policyInfo"]["policyParameters"]["backupDatasourceParametersList"]
    assert params == [{"objectType": "BlobBackupDatasourceParameters", "containersList": list(CONTAINERS)}]
    # Protection is configured only after the vault holds its role and the containers exist.
    deps = set(d.one(INSTANCE).dependencies)
    assert d.one(RA).urn in deps
    assert {c.urn for c in d.of_type(T.BLOB_CONTAINER)} <= deps


def test_workload_grants_land_on_the_account() -> None:
    grant = RoleGrant(principal_id=WORKLOAD, role="Storage Blob Data Reader", description="chat")
    d = _declare("dev", role_grants=[grant])
    workload = next(d.inputs(RA, r.name) for r in d.of_type(RA) if d.inputs(RA, r.name)["principalId"] == WORKLOAD)
    assert workload["scope"] == _account_id(d)
    assert workload["roleDefinitionId"].endswith(ROLES["Storage Blob Data Reader"])


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("prod", True)])
def test_account_and_vault_are_protected_in_prod_only(stack: str, protected: bool) -> None:
    d = _declare(stack)
    assert d.one(ST).protect is protected and d.one(VAULT).protect is protected
    stateless = [r for r in d.resources if r.type not in (ST, VAULT)]
    assert stateless and not any(r.protect for r in stateless)


def test_account_name_is_stable_valid_and_unique_per_stack_region_and_tenant() -> None:
    name = storage_account_name("aip-prod", "eastus2", "prod", TENANT_ID)
    assert name == storage_account_name("aip-prod", "eastus2", "prod", TENANT_ID)
    others = {storage_account_name("aip-prod", "westus3", "prod", TENANT_ID),
              storage_account_name("aip-prod", "eastus2", "prod-eu", TENANT_ID),
              storage_account_name("aip-prod", "eastus2", "prod", "00000000-0000-4000-8000-000000000000")}
    assert name not in others and len(others) == 3
    assert re.fullmatch(r"[a-z0-9]{3,24}", storage_account_name("a-very-long-name-prefix-for-prod", "eastus2",
                                                                 "prod", TENANT_ID))
    assert _declare("prod").inputs(ST)["accountName"] == name


def test_short_retention_is_rejected() -> None:
    with pytest.raises(BackupError, match="retentionDays"):
        Backup("backup", _args("dev", _common("dev"), retention_days=3))


def test_zone_redundancy_needs_a_zonal_region() -> None:
    with pytest.raises(BackupError, match="ZoneRedundant"):
        Backup("backup", _args("dev", _common("dev", location="westcentralus"), redundancy="ZoneRedundant"))


def test_missing_private_link_is_rejected() -> None:
    with pytest.raises(PrivateLinkError, match="private_link"):
        Backup("backup", _args("dev", _common("dev", private_link=False)))


def test_grant_without_a_grantee_is_rejected() -> None:
    grant = RoleGrant(principal_id=WORKLOAD, role="Storage Blob Data Reader")
    with pytest.raises(RoleError, match="description"):
        Backup("backup", _args("dev", _common("dev", role_grants=[grant])))
