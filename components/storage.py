"""The one locked-down storage account shape, shared by the components that own an account (Backup's AI
data account, EventProcessing's Functions host storage).

A function, not a component: the account and its endpoints and diagnostic settings stay children of the
caller, so their URNs (which are in users' state) are the ones they had before the shape was shared.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_azure_native.storage as storage

from .common import Common
from .diagnostics import diagnostic_setting
from .private_endpoint import private_endpoint

# The one exportable metric category of the blob and queue services: Azure stores a setting made
# with `AllMetrics` as `Transaction` and a refresh would show drift (supported metrics for
# Microsoft.Storage/storageAccounts/blobServices and /queueServices, learn.microsoft.com/azure/
# azure-monitor/reference/supported-metrics; Azure/terraform-azurerm-avm-res-storage-storageaccount#380).
DATA_SERVICE_METRICS = ("Transaction",)


def secure_storage_account(
    name: str,
    *,
    common: Common,
    parent: pulumi.Resource,
    account_name: pulumi.Input[str],
    sku: storage.SkuName,
    bypass: storage.Bypass,
    endpoints: Mapping[str, str],
    access_tier: storage.AccessTier | None = None,
) -> storage.StorageAccount:
    """A StorageV2 account reachable only through private endpoints and only with Entra ID, protected
    where the stack is (it holds the caller's data).

    `endpoints` maps each data service the account is used through ('blob', 'queue') to the name of
    its private endpoint; each of those services also gets its request logs sent to the workspace.
    `bypass` is the caller's choice of trusted-service exception to the deny-by-default network rules.
    The caller checks `common.private_link` (check_private_link) before declaring anything.
    """
    account = storage.StorageAccount(
        name,
        account_name=account_name,
        resource_group_name=common.resource_group_name,
        location=common.location,
        kind=storage.Kind.STORAGE_V2,
        sku=storage.SkuArgs(name=sku),
        access_tier=access_tier,
        minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
        enable_https_traffic_only=True,
        allow_blob_public_access=False,
        # Entra ID only (SEC-1): no account keys, no SAS signed with them.
        allow_shared_key_access=False,
        default_to_o_auth_authentication=True,
        allow_cross_tenant_replication=False,
        public_network_access=storage.PublicNetworkAccess.DISABLED,
        network_rule_set=storage.NetworkRuleSetArgs(default_action=storage.DefaultAction.DENY, bypass=bypass),
        tags=common.tags,
        opts=common.child(parent, stateful=True),
    )
    for service, endpoint_name in endpoints.items():
        private_endpoint(endpoint_name, common=common, target_id=account.id, group_id=service, parent=parent)
    # The account level has metrics only; the request logs are on each data service.
    diagnostic_setting(name, target_id=account.id, workspace_id=common.workspace_id, parent=parent, categories=[])
    for service in endpoints:
        diagnostic_setting(f"{name}-{service}", workspace_id=common.workspace_id, parent=parent,
                           metric_categories=DATA_SERVICE_METRICS,
                           target_id=account.id.apply(lambda i, s=service: f"{i}/{s}Services/default"))
    return account


def private_container(
    name: str,
    *,
    common: Common,
    parent: pulumi.Resource,
    account: storage.StorageAccount,
    container_name: str,
    depends_on: list[pulumi.Resource] | None = None,
) -> storage.BlobContainer:
    """A blob container with no anonymous access in an account from `secure_storage_account`."""
    return storage.BlobContainer(
        name,
        account_name=account.name,
        resource_group_name=common.resource_group_name,
        container_name=container_name,
        public_access=storage.PublicAccess.NONE,
        opts=common.child(parent, depends_on=depends_on),
    )
