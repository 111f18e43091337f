"""Key Vaults (keyvault:Vault): RBAC authorization, private access, recoverability; their secrets
(keyvault:Secret): expiry and content type.

Key Vault secret values: the brief asked for a check that `keyvault:Secret` values are Pulumi
secrets. The engine does send secrets to the analyzer wrapped, but pulumi-policy unwraps them
before any validation policy runs (`deserialize_properties` without `proxy_secrets` in Analyze and
AnalyzeStack; only Remediate keeps `pulumi_policy.Secret`), so `Output.secret("x")` and `"x"` are
indistinguishable to a policy. tests/policies/rules/test_key_vault.py pins that behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import (
    COMPLIES,
    VIOLATES,
    Row,
    closed,
    deny_by_default,
    empty,
    equals,
    nonblank,
    present,
    value_policy,
)
from ..framework.inputs import UNKNOWN, get, number


def _key_vault_recoverable(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "properties", "enableSoftDelete") is False:  # absent: on
        yield "properties.enableSoftDelete is false: deleted secrets and keys cannot be recovered"
    purge = get(args.props, "properties", "enablePurgeProtection")
    if purge is not UNKNOWN and purge is not True:
        yield ("properties.enablePurgeProtection is not true: a deleted vault can be purged before its retention "
               "ends")
    days = number(args.props, "properties", "softDeleteRetentionInDays")
    floor = config["minSoftDeleteRetentionDays"]
    if isinstance(days, float) and days < floor:  # absent: 90
        yield f"properties.softDeleteRetentionInDays is {days:g}; this environment keeps deleted items {floor:g}+ days"


key_vault_rbac_authorization = value_policy(
    name="key-vault-rbac-authorization",
    description="Key Vaults authorize data-plane access with Azure RBAC, not access policies.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Set `properties.enable_rbac_authorization=True`, remove `properties.access_policies`, and grant "
                "'Key Vault Secrets User' / 'Key Vault Certificate User' on the vault to the identities that read it.",
    types=[T.KEY_VAULT],
    rows=[
        Row(("properties", "enableRbacAuthorization"), equals(True), absent=VIOLATES,
            message="properties.enableRbacAuthorization is not true; authorize data-plane access with Azure RBAC"),
        Row(("properties", "accessPolicies"), empty(), absent=COMPLIES,
            message="properties.accessPolicies grants vault access outside RBAC; remove the access policies and "
                    "assign Key Vault roles instead"),
    ],
)


key_vault_private_access = value_policy(
    name="key-vault-private-access",
    description="Key Vaults are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `properties.public_network_access='Disabled'` and "
                "`properties.network_acls=NetworkRuleSetArgs(default_action='Deny', bypass='AzureServices')`, and "
                "add a private endpoint (group 'vault') with the privatelink.vaultcore.azure.net zone.",
    types=[T.KEY_VAULT],
    rows=[
        closed("properties", "publicNetworkAccess"), deny_by_default("properties", "networkAcls", "defaultAction"),
    ],
)


key_vault_recoverable = resource_policy(
    name="key-vault-recoverable",
    description="Key Vaults keep deleted items recoverable: soft delete and purge protection.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.enable_soft_delete=True`, `properties.enable_purge_protection=True` (cannot be "
                "turned off later) and `properties.soft_delete_retention_in_days` >= `minSoftDeleteRetentionDays` "
                "(prod: 90).",
    types=[T.KEY_VAULT],
    check=_key_vault_recoverable,
    config={"minSoftDeleteRetentionDays": {"type": "integer", "minimum": 7, "maximum": 90, "default": 7}},
)


key_vault_secret_expiry = value_policy(
    name="key-vault-secret-expiry",
    description="Key Vault secrets carry an expiry date and a content type.",
    checklist=["SEC-2"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.attributes=SecretAttributesArgs(expires=<unix seconds>)` to the secret's rotation "
                "date and `properties.content_type` (e.g. 'text/plain', 'application/x-pkcs12'); Azure Policy "
                "'Key Vault secrets should have an expiration date', PSRule Azure.KeyVault.SecretExpiry.",
    types=[T.KEY_VAULT_SECRET],
    rows=[
        Row(("properties", "attributes", "expires"), present(), absent=VIOLATES, default="never expires",
            message="{path} is {shown}: a leaked or forgotten secret stays valid; set the rotation date"),
        Row(("properties", "contentType"), nonblank(), absent=VIOLATES,
            message="{path} is {shown}; say what the secret holds (e.g. 'text/plain') so rotation tooling can "
                    "handle it"),
    ],
)


POLICIES: list[Policy] = [
    key_vault_rbac_authorization, key_vault_private_access, key_vault_recoverable, key_vault_secret_expiry,
]
