"""The region's Key Vault: RBAC-only, private-only, purge-protected (SEC-2, SEC-5, REL-2, COMP-2)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import pulumi
import pulumi_azure_native.keyvault as keyvault

from stack_config.model import KEY_VAULT_SECRET_NAME

from .common import Common
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output
from .private_endpoint import check_private_link, private_endpoint
from .rbac import check_grants, grant_all

# The private-link group (sub-resource) of a Key Vault's endpoint.
PRIVATE_LINK_GROUP = "vault"

# Every secret expires (key-vault-secret-expiry): on 1 January two years after the year it is
# deployed, so a stack deployed at least once a year never holds an expired secret, and the date
# (hence the secret's version) moves once a year, not on every `pulumi up`.
SECRET_LIFETIME_YEARS = 2
SOFT_DELETE_DAYS = 90
MAX_NAME_LENGTH = 24


def secret_expiry(now: datetime | None = None) -> int:
    """The secrets' expiry, in the seconds since the epoch Key Vault's `exp` attribute takes."""
    year = (now or datetime.now(UTC)).year + SECRET_LIFETIME_YEARS
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())


class KeyVaultError(pulumi.RunError):
    """Key Vault inputs Azure would reject; raised before anything is declared."""


@dataclass(frozen=True)
class KeyVaultArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # The Pulumi stack, hashed into the globally unique name with the tenant.
    stack: str
    # Entra tenant of the vault (`authorization.get_client_config_output().tenant_id`).
    tenant_id: pulumi.Input[str]
    # Premium (HSM-backed keys) in prod, as the seed asks; standard elsewhere.
    sku: Literal["standard", "premium"] = "standard"
    # Secret name -> value, from the stack's `secrets` config (set with --secret).
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def _check(name: str, args: KeyVaultArgs) -> None:
    check_private_link(name, args.common, PRIVATE_LINK_GROUP)
    check_grants(name, args.common.role_grants)
    check_parts(name, base_name=args.base_name, location=args.common.location)
    if isinstance(args.tenant_id, str):
        try:
            uuid.UUID(args.tenant_id)
        except ValueError:
            raise KeyVaultError(f"{name}: tenant_id '{args.tenant_id}' is not a GUID; pass "
                                "authorization.get_client_config_output().tenant_id") from None
    seen: dict[str, str] = {}
    for secret in args.secrets:
        if not KEY_VAULT_SECRET_NAME.match(secret):
            raise KeyVaultError(f"{name}: secret name '{secret}' is invalid; Key Vault takes 1-127 letters, digits "
                                "and hyphens (rename the key under `ai-platform:secrets`)")
        if secret.lower() in seen:
            raise KeyVaultError(f"{name}: secrets '{seen[secret.lower()]}' and '{secret}' differ only in case; "
                                "Key Vault names are case-insensitive, keep one")
        seen[secret.lower()] = secret


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class KeyVault(pulumi.ComponentResource):
    """A Key Vault reachable only through its private endpoint, with RBAC data-plane access."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]
    uri: pulumi.Output[str]
    # Secret name -> versionless URI, for Key Vault references in app settings and container secrets.
    secret_uris: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:keyvault:KeyVault", name, None, opts)
        common = args.common
        vault = keyvault.Vault(
            f"{name}-vault",
            # Globally unique and 3-24 characters; stable for the stack, since a deleted name stays
            # reserved for the soft-delete period and a renamed vault would strand the old one.
            vault_name=unique_name_output("kv", base_name=args.base_name, location=common.location,
                                          stack=args.stack, tenant_id=args.tenant_id, max_length=MAX_NAME_LENGTH),
            resource_group_name=common.resource_group_name,
            location=common.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName(args.sku)),
                # Data-plane access only through role assignments, never access policies (SEC-5).
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=SOFT_DELETE_DAYS,
                # Irreversible by design: a deleted vault or secret can be recovered, never purged early.
                enable_purge_protection=True,
                public_network_access="Disabled",
                # Second line if public access is ever re-enabled: deny by default, trusted Azure
                # services only.
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action=keyvault.NetworkRuleAction.DENY,
                    bypass=keyvault.NetworkRuleBypassOptions.AZURE_SERVICES,
                ),
                # No VM, disk-encryption or ARM-template reads of secrets: only workload identities.
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
            ),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        private_endpoint(name, common=common, target_id=vault.id, group_id=PRIVATE_LINK_GROUP, parent=self)
        diagnostic_setting(f"{name}-vault", target_id=vault.id, workspace_id=common.workspace_id, parent=self,
                           categories=["AuditEvent"])
        grant_all(name, scope=vault.id, grants=common.role_grants, parent=self)

        self.secret_uris = {}
        for secret, value in args.secrets.items():
            # Written through ARM (control plane), so public network access can stay disabled.
            created = keyvault.Secret(
                f"{name}-secret-{_slug(secret)}",
                secret_name=secret,
                vault_name=vault.name,
                resource_group_name=common.resource_group_name,
                properties=keyvault.SecretPropertiesArgs(
                    value=pulumi.Output.secret(value), content_type="text/plain",
                    attributes=keyvault.SecretAttributesArgs(enabled=True, expires=secret_expiry())),
                tags=common.tags,
                opts=common.child(self),
            )
            self.secret_uris[secret] = created.properties.secret_uri

        self.id = vault.id
        self.name = vault.name
        self.uri = vault.properties.vault_uri
        self.register_outputs({"id": self.id, "name": self.name, "uri": self.uri, "secretUris": self.secret_uris})
