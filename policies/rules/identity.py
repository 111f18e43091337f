"""Identity and secrets across compute (Cognitive Services accounts, container apps, web apps): a
managed identity, and no secret values held outside Key Vault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import VIOLATES, Row, is_not, value_policy
from ..framework.inputs import UNKNOWN, entries, get, items

# A name whose last word says "credential" (API_KEY, ClientSecret, DB_PASSWORD, SAS_TOKEN,
# ConnectionString), anchored at the end so KEY_VAULT_URI or MAX_TOKENS are not secrets.
SECRET_NAME_PATTERN = r"(KEY|SECRET|PASSWORD|PASSWD|PWD|TOKEN|CONNECTION|CONNECTION_?STRING|CONNSTR)$"


# Values that carry a credential whatever their name (storage/Service Bus/SQL connection strings).
_CREDENTIAL_VALUE = re.compile(r"(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\s*=", re.I)


_KEY_VAULT_REFERENCE = "@microsoft.keyvault("


# A bare `..._KEY` names a lookup key as often as a credential (COSMOS_PARTITION_KEY, CACHE_KEY);
# these words before it make it a credential whatever the value looks like.
_CREDENTIAL_KEY = re.compile(r"(API|ACCESS|ACCOUNT|AUTH|CLIENT|ENCRYPTION|MASTER|PRIMARY|PRIVATE|SECONDARY|SHARED|"
                             r"SIGNING|STORAGE|SUBSCRIPTION)_?KEY$", re.I)


def credential_shaped(value: str) -> bool:
    """A value that could be a key: one token, not a path or URL, long, or mixing letters and digits
    ('/tenantId', 'sessions' and 'v2' are not; 'Zx8f9Q2mK7pL4vR1' and base64 blobs are)."""
    value = value.strip()
    if not value or any(c.isspace() for c in value) or value.startswith(("/", "http://", "https://")):
        return False
    mixed = any(c.isalpha() for c in value) and any(c.isdigit() for c in value)
    return len(value) >= 20 or (len(value) >= 8 and mixed)


def _looks_secret(name: Any, value: Any, config: Config) -> bool:
    if isinstance(value, str) and value.strip().lower().startswith(_KEY_VAULT_REFERENCE):
        return False
    if isinstance(value, str) and _CREDENTIAL_VALUE.search(value):
        return True
    if not isinstance(name, str) or name.upper() in {n.upper() for n in config["nonSecretNames"]}:
        return False
    if re.search(config["secretNamePattern"], name, re.I) is None:
        return False
    # A bare ..._KEY is a secret only if its value has a key's shape.
    ambiguous = name.upper().endswith("KEY") and not _CREDENTIAL_KEY.search(name)
    return not ambiguous or (isinstance(value, str) and credential_shaped(value))


def _secret_setting(name: Any) -> str:
    return (f"app setting '{name}' holds a secret-looking value; use a '@Microsoft.KeyVault(SecretUri=...)' "
            "reference or identity-based connection settings")


def _stored_connection(name: Any) -> str:
    return (f"connection string '{name}' is stored in the site; use a Key Vault reference or an identity-based "
            "connection")


def _container_app_secrets(props: Any, config: Config) -> Iterable[str]:
    secrets = items(props, "configuration", "secrets")
    for secret in [] if secrets is UNKNOWN else secrets:
        if secret is UNKNOWN:
            continue
        if get(secret, "value") is not None and get(secret, "keyVaultUrl") is None:
            yield (f"secret '{get(secret, 'name')}' holds its value in the app; reference Key Vault with keyVaultUrl "
                   "and the app's identity")
    for key in ("containers", "initContainers"):
        containers = items(props, "template", key)
        for container in [] if containers is UNKNOWN else containers:
            env = items(container, "env")
            for var in [] if env is UNKNOWN else env:
                if var is UNKNOWN or get(var, "secretRef") is not None:
                    continue
                name, value = get(var, "name"), get(var, "value")
                if value is not None and _looks_secret(name, value, config):
                    yield (f"container '{get(container, 'name')}' sets secret-looking env var '{name}' as a plain "
                           "value; use secretRef to a Key Vault-backed secret")


def _web_app_secrets(props: Any, config: Config) -> Iterable[str]:
    settings = items(props, "siteConfig", "appSettings")
    for setting in [] if settings is UNKNOWN else settings:
        if setting is UNKNOWN:
            continue
        name, value = get(setting, "name"), get(setting, "value")
        if value is not None and _looks_secret(name, value, config):
            yield _secret_setting(name)
    strings = items(props, "siteConfig", "connectionStrings")
    for entry in [] if strings is UNKNOWN else strings:
        value = get(entry, "connectionString")
        if entry is UNKNOWN or value is None:
            continue
        if not (isinstance(value, str) and value.strip().lower().startswith(_KEY_VAULT_REFERENCE)):
            yield _stored_connection(get(entry, "name"))


def _setting_resources(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    """App settings and connection strings declared as their own resources: `properties` maps each
    name to its value (settings) or to {value, type} (connection strings)."""
    pairs = entries(args.props, "properties")
    for name, value in [] if pairs is UNKNOWN else pairs:
        if args.resource_type == T.WEB_APP_CONNECTION_STRINGS:
            value = UNKNOWN if value is UNKNOWN else get(value, "value")
            if isinstance(value, str) and not value.strip().lower().startswith(_KEY_VAULT_REFERENCE):
                yield _stored_connection(name)
        elif value is not UNKNOWN and value is not None and _looks_secret(name, value, config):
            yield _secret_setting(name)


def _secrets_in_key_vault(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if args.resource_type == T.CONTAINER_APP:
        yield from _container_app_secrets(args.props, config)
    elif args.resource_type == T.WEB_APP:
        yield from _web_app_secrets(args.props, config)
    else:
        yield from _setting_resources(args, config)


managed_identity_present = value_policy(
    name="managed-identity-present",
    description="Services that call other services have a managed identity.",
    checklist=["SEC-1"],
    severity=Severity.MEDIUM,
    remediation="Set `identity` with type 'SystemAssigned' or 'UserAssigned' (with user_assigned_identities) "
                "and grant that identity its roles, instead of keys or connection strings.",
    types=[T.COGNITIVE_ACCOUNT, T.CONTAINER_APP, T.WEB_APP],
    rows=[
        Row(("identity", "type"), is_not("None"), absent=VIOLATES,
            message="no managed identity (identity.type); give the resource a system- or user-assigned identity"),
    ],
)


secrets_in_key_vault = resource_policy(
    name="secrets-in-key-vault",
    description="Container apps and web apps hold no secret values, inline or in separate settings resources: they "
                "reference Key Vault.",
    checklist=["SEC-2"],
    severity=Severity.HIGH,
    remediation="Container apps: declare secrets with `key_vault_url` + `identity` (no `value`) and use them "
                "through `secret_ref`. Web/function apps: use '@Microsoft.KeyVault(SecretUri=...)' app settings or "
                "identity-based connections (<NAME>__fullyQualifiedNamespace, __accountName). A setting the pattern "
                "wrongly catches goes into `nonSecretNames`.",
    types=[T.CONTAINER_APP, T.WEB_APP, T.WEB_APP_SETTINGS, T.WEB_APP_SETTINGS_SLOT, T.WEB_APP_CONNECTION_STRINGS],
    check=_secrets_in_key_vault,
    config={
        "secretNamePattern": {"type": "string", "default": SECRET_NAME_PATTERN,
                              "description": "case-insensitive regex on env var / app setting names"},
        "nonSecretNames": {"type": "array", "items": {"type": "string"},
                           "default": ["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPINSIGHTS_INSTRUMENTATIONKEY"],
                           "description": "names matching the pattern that carry no credential"},
    },
)


POLICIES: list[Policy] = [
    managed_identity_present, secrets_in_key_vault,
]
