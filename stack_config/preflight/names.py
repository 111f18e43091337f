"""Every resource name the stack generates must satisfy Azure's naming rules for its type.

Names are built from namePrefix, environment, region, service / deployment / secret names
(components/*); ARM refuses a name that is too long, uses a character the type does not take, or
starts or ends wrongly. Rules per type from learn.microsoft.com/azure/azure-resource-manager/
management/resource-name-rules (scope "global" = unique across all of Azure: those names carry the
tenant/stack hash of components.naming, which is why they fit by construction, but their readable
part must still be valid). Each rule is checked on the names the config at hand produces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from components.naming import NamingError, role_slug, unique_name

from .problems import Problem


@dataclass(frozen=True)
class NameRule:
    type: str
    min: int
    max: int
    pattern: re.Pattern[str]
    allowed: str  # the rule in words, for the message
    scope: str = "resource group"


def _rule(type_: str, lo: int, hi: int, pattern: str, allowed: str, scope: str = "resource group") -> NameRule:
    return NameRule(type_, lo, hi, re.compile(pattern), allowed, scope)


_ALNUM_HYPHEN_LETTER_START = r"^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"
RULES: dict[str, NameRule] = {r.type: r for r in (
    _rule("Microsoft.Resources/resourceGroups", 1, 90, r"^[-\w.()]*[-\w()]$",
          "letters, digits, underscores, hyphens, periods and parentheses, not ending in a period", "subscription"),
    _rule("Microsoft.OperationalInsights/workspaces", 4, 63, r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",
          "letters, digits and hyphens, starting and ending with a letter or digit"),
    _rule("Microsoft.Insights/components", 1, 260, r"^[^%&\\?/]*[^%&\\?/ .]$",
          "anything but % & \\ ? /, not ending in a space or period"),
    _rule("Microsoft.Network/virtualNetworks", 2, 64, r"^[A-Za-z0-9][\w.-]*[\w]$",
          "letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a "
          "letter, digit or underscore"),
    _rule("Microsoft.Network/networkSecurityGroups", 1, 80, r"^[A-Za-z0-9](?:[\w.-]*\w)?$",
          "letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a "
          "letter, digit or underscore"),
    _rule("Microsoft.ManagedIdentity/userAssignedIdentities", 3, 128, r"^[A-Za-z0-9][\w-]*$",
          "letters, digits, hyphens and underscores, starting with a letter or digit"),
    _rule("Microsoft.Insights/actionGroups", 1, 260, r"^[^:<>+/&%\\?]*[^:<>+/&%\\? .]$",
          "anything but : < > + / & % \\ ?, not ending in a space or period"),
    _rule("Microsoft.Insights/metricAlerts", 1, 260, r"^[^*#&+:<>?@%{}\\/]*[^*#&+:<>?@%{}\\/ .]$",
          "anything but * # & + : < > ? @ % { } \\ /, not ending in a space or period"),
    _rule("Microsoft.DataProtection/backupVaults", 2, 50, _ALNUM_HYPHEN_LETTER_START,
          "letters, digits and hyphens, starting with a letter"),
    _rule("Microsoft.Consumption/budgets", 1, 63, r"^[A-Za-z0-9][\w-]*$",
          "letters, digits, underscores and hyphens", "subscription"),
    _rule("Microsoft.Web/serverfarms", 1, 60, r"^[A-Za-z0-9-]+$", "letters, digits and hyphens"),
    _rule("Microsoft.App/containerApps", 2, 32, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$",
          "lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit"),
    _rule("Microsoft.KeyVault/vaults/secrets", 1, 127, r"^[A-Za-z0-9-]+$", "letters, digits and hyphens", "vault"),
    _rule("Microsoft.CognitiveServices/accounts/deployments", 2, 64, r"^[A-Za-z0-9][\w.-]*$",
          "letters, digits, underscores, periods and hyphens, starting with a letter or digit", "account"),
    _rule("Microsoft.KeyVault/vaults", 3, 24, r"^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-))*[a-zA-Z0-9]$",
          "letters, digits and single hyphens, starting with a letter and ending with a letter or digit", "global"),
    _rule("Microsoft.CognitiveServices/accounts (customSubDomainName)", 2, 64,
          r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$", "lowercase letters, digits and single hyphens", "global"),
    _rule("Microsoft.Cache/redisEnterprise", 1, 60, r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?!-))*[A-Za-z0-9]$",
          "letters, digits and single hyphens, starting and ending with a letter or digit", "global"),
    _rule("Microsoft.EventHub/namespaces", 6, 50, _ALNUM_HYPHEN_LETTER_START,
          "letters, digits and hyphens, starting with a letter and ending with a letter or digit", "global"),
    _rule("Microsoft.ServiceBus/namespaces", 6, 50, _ALNUM_HYPHEN_LETTER_START,
          "letters, digits and hyphens, starting with a letter and ending with a letter or digit", "global"),
    _rule("Microsoft.Storage/storageAccounts", 3, 24, r"^[a-z0-9]+$", "lowercase letters and digits", "global"),
    _rule("Microsoft.Web/sites", 2, 60, r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",
          "letters, digits and hyphens, not starting or ending with a hyphen", "global"),
    _rule("Microsoft.Network/trafficManagerProfiles", 1, 63, r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",
          "letters, digits and hyphens, starting and ending with a letter or digit", "global"),
    _rule("Microsoft.Network/publicIPAddresses (domainNameLabel)", 3, 63, r"^[a-z][a-z0-9-]*[a-z0-9]$",
          "lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit",
          "region"),
)}

# (type, unique_name kind, max_length) for the globally unique names (components: keyvault, openai, redis,
# event_processing, stamp, __main__).
_UNIQUE = (
    ("Microsoft.KeyVault/vaults", "kv", 24),
    ("Microsoft.CognitiveServices/accounts (customSubDomainName)", "oai", 64),
    ("Microsoft.Cache/redisEnterprise", "redis", 60),
    ("Microsoft.Network/publicIPAddresses (domainNameLabel)", "agw", 63),
)
_EVENTS_UNIQUE = (
    ("Microsoft.EventHub/namespaces", "evh", 50),
    ("Microsoft.ServiceBus/namespaces", "sb", 50),
    ("Microsoft.Web/sites", "func", 60),
)
_PLACEHOLDER_TENANT = "00000000-0000-0000-0000-000000000000"


def _unique(kind: str, base: str, location: str, max_length: int) -> str:
    """The shape of a components.naming unique name (the hash differs per stack and tenant, not its shape);
    parts it cannot use give the readable name, which then fails its rule here instead of in the program."""
    try:
        return unique_name(kind, base_name=base, location=location, stack="s", tenant_id=_PLACEHOLDER_TENANT,
                           max_length=max_length)
    except NamingError:
        return f"{kind}-{base}-{location}"


def generated(p: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(config field that shapes it, resource type, name) for every name the config generates."""
    prefix, env = p.get("name_prefix", "aip"), p.get("environment")
    network, apps, events = p.get("network"), p.get("container_apps"), p.get("event_processing")
    if env is None or network is None:
        return
    base = f"{prefix}-{env}"
    yield "namePrefix", "Microsoft.Insights/actionGroups", f"ag-{base}"
    yield "namePrefix", "Microsoft.Consumption/budgets", f"budget-{base}"
    yield "namePrefix", "Microsoft.Insights/metricAlerts", f"alert-{base}-health-failed-locations"
    yield "namePrefix", "Microsoft.Network/trafficManagerProfiles", _unique("tm", base, "global", 63)
    workloads = [s.name for s in apps.services] if apps is not None else []
    workloads += ["gateway", *(["functions"] if events is not None and events.enabled else [])]
    for i, region in enumerate(network.regions):
        loc, field = region.location, f"network.regions[{i}].location"
        yield field, "Microsoft.Resources/resourceGroups", f"rg-{base}-{loc}"
        yield field, "Microsoft.OperationalInsights/workspaces", f"log-{base}-{loc}"
        yield field, "Microsoft.Insights/components", f"appi-{base}-{loc}"
        yield field, "Microsoft.Network/virtualNetworks", f"vnet-{base}-{loc}"
        for subnet in region.subnets:
            yield field, "Microsoft.Network/networkSecurityGroups", f"nsg-{base}-{loc}-{role_slug(subnet.role)}"
        for workload in workloads:
            yield field, "Microsoft.ManagedIdentity/userAssignedIdentities", f"id-{base}-{loc}-{workload}"
        uniques = [*_UNIQUE, *(_EVENTS_UNIQUE if events is not None and events.enabled and i == 0 else ())]
        for type_, kind, max_length in uniques:
            yield field, type_, _unique(kind, base, loc, max_length)
        if i == 0:
            yield field, "Microsoft.DataProtection/backupVaults", f"bvault-{base}-{loc}"
            if events is not None and events.enabled:
                yield field, "Microsoft.Web/serverfarms", f"asp-{base}-{loc}-events"
    for i, svc in enumerate(apps.services if apps is not None else []):
        yield f"containerApps.services[{i}].name", "Microsoft.App/containerApps", svc.name
    openai = p.get("openai")
    for i, d in enumerate(openai.deployments if openai is not None else []):
        yield f"openai.deployments[{i}].name", "Microsoft.CognitiveServices/accounts/deployments", d.name
    for secret in p.get("secrets", {}) or {}:
        yield f"secrets.{secret}", "Microsoft.KeyVault/vaults/secrets", secret
    gateway = p.get("app_gateway")
    if gateway is not None:
        yield "appGateway.certificateName", "Microsoft.KeyVault/vaults/secrets", gateway.certificate_name


def violation(rule: NameRule, name: str) -> str | None:
    if not rule.min <= len(name) <= rule.max:
        return f"is {len(name)} characters; {rule.type} names take {rule.min}-{rule.max}"
    if not rule.pattern.match(name):
        return f"breaks the {rule.type} rule: {rule.allowed}"
    return None


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    gateway, secrets = p.get("app_gateway"), p.get("secrets") or {}
    if gateway is not None:
        clash = next((s for s in secrets if s.lower() == gateway.certificate_name.lower()), None)
        if clash is not None:
            yield ("appGateway.certificateName", f"'{gateway.certificate_name}' is also secrets.{clash}: both would be "
                   "the same Key Vault secret (names are case-insensitive); rename one")
    seen: set[tuple[str, str]] = set()
    for field, type_, name in generated(p):
        why = violation(RULES[type_], name)
        if why is None or (field, type_) in seen:
            continue
        seen.add((field, type_))
        shaped_by = "namePrefix and the region" if field.startswith("network.") else field
        fix = (f"shorten {shaped_by}" if "characters" in why else f"change {shaped_by}")
        yield (field, f"generates the {RULES[type_].scope}-scoped {type_} name '{name}', which {why}; {fix} "
               "(learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules)")
