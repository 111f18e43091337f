"""Storage accounts and their blob services (storage:StorageAccount, BlobServiceProperties): Entra ID
only, private access, secure transport, soft delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, PRIVATE_ACCESS, VIOLATES, Row, equals, is_not, tls_at_least, value_policy
from ..framework.inputs import UNKNOWN, get, items, number, text
from ..framework.values import show


def _storage_private(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "allowBlobPublicAccess") is True:
        yield "allowBlobPublicAccess is true: containers can be made anonymous; set it to false"
    access = text(args.props, "publicNetworkAccess")
    action = text(args.props, "networkRuleSet", "defaultAction")
    if access is UNKNOWN or access in {a.lower() for a in PRIVATE_ACCESS}:
        return
    shown = (show(get(args.props, "publicNetworkAccess"), "Enabled"),
             show(get(args.props, "networkRuleSet", "defaultAction"), "Allow"))
    if not config["acceptFirewallDenyByDefault"]:
        # A firewall that denies by default still exposes the endpoint to its trusted-service
        # bypass and to every IP rule added later; private endpoints are the only door here.
        yield (f"publicNetworkAccess is {shown[0]}; set it to 'Disabled' and reach the account through its "
               "private endpoints")
    elif action is not UNKNOWN and action != "deny":
        yield (f"publicNetworkAccess is {shown[0]} and networkRuleSet.defaultAction {shown[1]}: the "
               "account is reachable from any network; set publicNetworkAccess 'Disabled' (or defaultAction 'Deny')")


def _soft_delete_gap(policy: Any, what: str, floor: float) -> str | None:
    """Why a blob service's soft delete policy does not keep `what` recoverable, or None."""
    if policy is UNKNOWN:
        return None
    enabled = get(policy, "enabled")
    if enabled is not UNKNOWN and enabled is not True:  # absent: off
        return f"{what} soft delete is off; deleted {what}s are gone at once"
    days = number(policy, "days")
    if isinstance(days, float) and days < floor:
        return f"{what} soft delete keeps deleted {what}s {days:g} days; this environment requires {floor:g}+"
    if get(policy, "allowPermanentDelete") is True:
        return f"{what} soft delete allows permanent delete, so soft-deleted {what}s can be purged at once"
    return None


def _blob_soft_delete(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    floor = float(config["minRetentionDays"])
    for key, what in (("deleteRetentionPolicy", "blob"), ("containerDeleteRetentionPolicy", "container")):
        gap = _soft_delete_gap(get(args.props, key), what, floor)
        if gap:
            yield f"{key}: {gap}"


storage_shared_key_disabled = value_policy(
    name="storage-shared-key-disabled",
    description="Storage accounts accept Entra ID only: no account keys or SAS.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `allow_shared_key_access=False` (and `default_to_o_auth_authentication=True`), and grant "
                "'Storage Blob Data ...' roles to the identities that use the account.",
    types=[T.STORAGE],
    rows=[
        Row(("allowSharedKeyAccess",), equals(False), absent=VIOLATES, default="true",
            message="{path} is {shown}: account keys and SAS work; set it to false and use Entra ID"),
    ],
)


storage_private_access = resource_policy(
    name="storage-private-access",
    description="Storage accounts are closed to public networks and anonymous blob access.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and `allow_blob_public_access=False`, and add private "
                "endpoints (group 'blob', 'queue', ...). A stack that must use the account firewall instead sets "
                "`acceptFirewallDenyByDefault` in the pack config, and then `network_rule_set=NetworkRuleSetArgs("
                "default_action='Deny')`.",
    types=[T.STORAGE],
    check=_storage_private,
    config={"acceptFirewallDenyByDefault": {
        "type": "boolean", "default": False,
        "description": "accept publicNetworkAccess 'Enabled' when networkRuleSet.defaultAction is 'Deny'"}},
)


storage_secure_transport = value_policy(
    name="storage-secure-transport",
    description="Storage accounts accept HTTPS with TLS 1.2+ only.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `minimum_tls_version='TLS1_2'` and keep `enable_https_traffic_only=True`.",
    types=[T.STORAGE],
    rows=[
        Row(("minimumTlsVersion",), tls_at_least(), absent=VIOLATES, default="TLS1_0",
            message="{path} is {shown}; set it to 'TLS1_2'"),
        Row(("enableHttpsTrafficOnly",), is_not(False), absent=COMPLIES,
            message="enableHttpsTrafficOnly is false: plain HTTP is accepted; set it to true"),
    ],
)


blob_soft_delete = resource_policy(
    name="blob-soft-delete",
    description="Blob services keep deleted blobs and containers recoverable for the environment's minimum "
                "retention.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="On the storage:BlobServiceProperties set `delete_retention_policy` and "
                "`container_delete_retention_policy` to `DeleteRetentionPolicyArgs(enabled=True, days=<n>)` with n "
                ">= `minRetentionDays` (prod: 30), without `allow_permanent_delete`.",
    types=[T.BLOB_SERVICE],
    check=_blob_soft_delete,
    config={"minRetentionDays": {"type": "integer", "minimum": 1, "maximum": 365, "default": 7}},
)


def _blob_cors(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    rules = items(args.props, "cors", "corsRules")
    for rule in [] if rules is UNKNOWN else rules:
        origins = items(rule, "allowedOrigins")
        if rule is not UNKNOWN and origins is not UNKNOWN and "*" in origins:
            yield ("a CORS rule allows every origin ('*'): any web page can call the blob endpoint from a user's "
                   "browser; list the origins that need it")


storage_cross_tenant_replication_disabled = value_policy(
    name="storage-cross-tenant-replication-disabled",
    description="Storage accounts do not replicate objects to accounts in other Entra ID tenants.",
    checklist=["COMP-1"],
    severity=Severity.HIGH,
    remediation="Set `allow_cross_tenant_replication=False` (its default moved from true to false with API version "
                "2023-01-01, so declare it; https://learn.microsoft.com/azure/storage/blobs/"
                "object-replication-prevent-cross-tenant-policies).",
    types=[T.STORAGE],
    rows=[
        Row(("allowCrossTenantReplication",), equals(False), absent=VIOLATES, default="depends on the API version",
            message="{path} is {shown}: object replication can copy the data to another tenant; set it to false"),
    ],
)


blob_cors_restricted = resource_policy(
    name="blob-cors-restricted",
    description="Blob services allow CORS from listed origins only, never from any origin ('*').",
    checklist=["SEC-3"],
    severity=Severity.MEDIUM,
    remediation="Set each `cors.cors_rules[].allowed_origins` to the origins of the web apps that call the blob "
                "endpoint (e.g. 'https://app.contoso.com'), or drop the CORS rule.",
    types=[T.BLOB_SERVICE],
    check=_blob_cors,
)


POLICIES: list[Policy] = [
    storage_shared_key_disabled, storage_private_access, storage_secure_transport, blob_soft_delete,
    storage_cross_tenant_replication_disabled, blob_cors_restricted,
]
