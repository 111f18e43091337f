"""Policies over many resource types at once: baseline tags, data residency, zone redundancy, and
protection of stateful resources. Zone redundancy and protection are environment decisions:
`requireZoneRedundancy` and `requireProtect` default to false (a stack audited without a config
file is not held to prod's bar) and policies/config/prod.json turns them on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, get, items, number, text

# Locations that are not regions: global resources have no residency of their own.
_NON_REGIONAL = frozenset({"global", ""})


def _required_tags(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    tags = args.props.get("tags") or {}
    missing = [t for t in config["requiredTags"] if not str(tags.get(t, "")).strip()]
    if missing:
        yield f"missing required tag(s) {', '.join(missing)}"


def _allowed_location(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    allowed = [str(x).lower() for x in config["allowedLocations"]]
    location = str(args.props.get("location") or "").lower().replace(" ", "")
    if allowed and location not in _NON_REGIONAL and location not in allowed:
        yield f"location '{location}' is outside the allowed locations {allowed}"


# Storage redundancy SKUs (the part after 'Standard_' / 'Premium_') that keep copies in 3 zones.
ZONE_REDUNDANT_STORAGE = frozenset({"zrs", "gzrs", "ragzrs"})


def _zones(props: Any) -> int | None:
    zones = items(props, "zones")
    return None if zones is UNKNOWN else len(zones)


# App Service plan tiers whose instances Azure places (no count to set): Consumption cannot be zone
# redundant, Flex Consumption can (zoneRedundant alone).
CONSUMPTION_TIER, FLEX_TIER = "dynamic", "flexconsumption"


def _plan_zone_gap(props: Any) -> str | None:
    """A zone-redundant App Service plan needs at least two instances, one per zone
    (https://learn.microsoft.com/azure/reliability/reliability-app-service)."""
    tier, capacity = text(props, "sku", "tier"), number(props, "sku", "capacity")
    if tier in (CONSUMPTION_TIER, UNKNOWN):
        return None
    if get(props, "zoneRedundant") in (None, False):
        return "zoneRedundant is not true: one zone's loss stops the plan's apps"
    if tier != FLEX_TIER and (capacity is None or (isinstance(capacity, float) and capacity < 2)):
        return "sku.capacity is below 2: a zone-redundant plan spreads at least two instances across zones"
    return None


def _zone_gap(resource_type: str, props: Any) -> str | None:
    """Why a resource is not zone redundant where its SKU allows it, or None."""
    if resource_type == T.APP_GATEWAY:
        tier = text(props, "sku", "tier")
        count = _zones(props)
        if tier in ("standard_v2", "waf_v2") and count is not None and count < 2:
            return "zones lists fewer than 2 availability zones; spread the v2 gateway with zones ['1', '2', '3']"
    elif resource_type == T.PUBLIC_IP:
        count = _zones(props)
        if text(props, "sku", "name") == "standard" and count is not None and count < 2:
            return "zones lists fewer than 2 availability zones; make the address zone-redundant (['1', '2', '3'])"
    elif resource_type == T.MANAGED_ENVIRONMENT:
        if get(props, "zoneRedundant") in (None, False):
            return "zoneRedundant is not true"
    elif resource_type == T.EVENT_HUB_NAMESPACE:
        # Event Hubs makes namespaces zone redundant by default in regions with availability zones
        # (https://learn.microsoft.com/azure/reliability/reliability-event-hubs): only an explicit false opts out.
        if get(props, "zoneRedundant") is False:
            return "zoneRedundant is false"
    elif resource_type == T.SERVICE_BUS:
        # Only Premium namespaces can be zone redundant.
        premium = "premium" in (text(props, "sku", "name"), text(props, "sku", "tier"))
        if premium and get(props, "zoneRedundant") in (None, False):
            return "zoneRedundant is not true on a Premium namespace"
    elif resource_type == T.STORAGE:
        sku = text(props, "sku", "name")
        if isinstance(sku, str) and sku.rsplit("_", 1)[-1] not in ZONE_REDUNDANT_STORAGE:
            return (f"sku.name is '{get(props, 'sku', 'name')}': the account's data lives in one zone; use "
                    "'Standard_ZRS' (or 'Standard_GZRS' / 'Standard_RAGZRS' to add a paired region)")
    elif resource_type == T.REDIS_ENTERPRISE:
        if text(props, "highAvailability") == "disabled":  # absent: Enabled
            return "highAvailability is 'Disabled': a zone or node failure loses the cache"
    elif resource_type == T.APP_SERVICE_PLAN:
        return _plan_zone_gap(props)
    elif resource_type == T.BACKUP_VAULT:
        settings = items(props, "properties", "storageSettings")
        if settings is not UNKNOWN and any(text(s, "type") == "locallyredundant" for s in settings):
            return "storageSettings type is 'LocallyRedundant'; use 'ZoneRedundant' or 'GeoRedundant'"
    return None


def _zone_redundancy(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not config["requireZoneRedundancy"]:
        return
    gap = _zone_gap(args.resource_type, args.props)
    if gap:
        yield gap


# A search service's indexes are state: rebuilding them means re-ingesting every document.
STATEFUL = (T.KEY_VAULT, T.COGNITIVE_ACCOUNT, T.REDIS_ENTERPRISE, T.CLASSIC_REDIS, T.STORAGE, T.BACKUP_VAULT,
            T.WORKSPACE, T.SEARCH_SERVICE)


def _protected(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if config["requireProtect"] and not args.opts.protect:
        yield "the resource holds state but is not protected: `pulumi destroy` or a replace would delete it"


required_tags = resource_policy(
    name="required-tags",
    description="Taggable resources carry the baseline tags (environment, owner, cost-center).",
    checklist=["COMP-4"],
    severity=Severity.MEDIUM,
    remediation="Add the missing tags to the resource (the components take them from `ai-platform:tags`; "
                "resources outside them need `tags={...}`), or change `requiredTags` in the pack config.",
    types=C.TAGGABLE,
    check=_required_tags,
    config={"requiredTags": {"type": "array", "items": {"type": "string"},
                             "default": ["environment", "owner", "cost-center"]}},
)


allowed_locations = resource_policy(
    name="allowed-locations",
    description="Every regional resource is in an allowed location (data residency).",
    checklist=["COMP-1"],
    severity=Severity.HIGH,
    remediation="Deploy the resource to one of `allowedLocations` (set per environment in "
                "policies/config/<env>.json), or extend that list after a residency review.",
    types=None,
    check=_allowed_location,
    config={"allowedLocations": {"type": "array", "items": {"type": "string"}, "default": []}},
)


zone_redundancy = resource_policy(
    name="zone-redundancy",
    description="Resources whose SKU allows it survive the loss of an availability zone (when the environment "
                "requires it).",
    checklist=["REL-5"],
    severity=Severity.MEDIUM,
    remediation="App Gateway v2 and Standard public IPs: `zones=['1','2','3']`; Container Apps environment, "
                "Event Hubs namespace and Premium Service Bus namespace: `zone_redundant=True`; storage account: "
                "`sku=SkuArgs(name='Standard_ZRS')` (or GZRS / RAGZRS); Azure Managed Redis: keep "
                "`high_availability='Enabled'`; backup vault: storage setting type 'ZoneRedundant' or "
                "'GeoRedundant'; App Service plan: `zone_redundant=True` and (Premium, Elastic Premium) "
                "`sku.capacity` >= 2. In a region without zones, suppress the finding with that reason.",
    types=[T.APP_GATEWAY, T.PUBLIC_IP, T.MANAGED_ENVIRONMENT, T.REDIS_ENTERPRISE, T.EVENT_HUB_NAMESPACE,
           T.SERVICE_BUS, T.STORAGE, T.BACKUP_VAULT, T.APP_SERVICE_PLAN],
    check=_zone_redundancy,
    config={"requireZoneRedundancy": {"type": "boolean", "default": False}},
)


stateful_resources_protected = resource_policy(
    name="stateful-resources-protected",
    description="Stateful resources (vaults, AI accounts, caches, storage, backup vaults, workspaces, search "
                "services) are protected from deletion where the environment requires it.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Declare the resource with `opts=ResourceOptions(protect=True)` (the components do this from "
                "`ai-platform:protect`); `requireProtect` is true in prod.",
    types=STATEFUL,
    check=_protected,
    config={"requireProtect": {"type": "boolean", "default": False}},
)


POLICIES: list[Policy] = [
    required_tags, allowed_locations, zone_redundancy, stateful_resources_protected,
]
