"""Reliability (REL-*): recoverability, zone redundancy, health probes, health-driven failover, and
protection of stateful resources.

Zone redundancy, protection and backup immutability are environment decisions:
`requireZoneRedundancy`, `requireProtect` and `requireImmutability` default to false (a stack
audited without a config file is not held to prod's bar) and policies/config/prod.json turns them
on. Whether prod spans two regions, and resource group locks, are stack policies (stack.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from .framework import Config, resource_policy
from .inputs import UNKNOWN, Unknown, get, items, number, text
from .performance import HEALTH_PATH

KEY_VAULT = "azure-native:keyvault:Vault"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
MANAGED_ENVIRONMENT = "azure-native:app:ManagedEnvironment"
CONTAINER_APP = "azure-native:app:ContainerApp"
REDIS_ENTERPRISE = "azure-native:redisenterprise:RedisEnterprise"
CLASSIC_REDIS = "azure-native:redis:Redis"
EVENT_HUB = "azure-native:eventhub:Namespace"
SERVICE_BUS = "azure-native:servicebus:Namespace"
BACKUP_VAULT = "azure-native:dataprotection:BackupVault"
TRAFFIC_MANAGER = "azure-native:trafficmanager:Profile"
COGNITIVE_ACCOUNT = "azure-native:cognitiveservices:Account"
STORAGE = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
WORKSPACE = "azure-native:operationalinsights:Workspace"

STATEFUL = (KEY_VAULT, COGNITIVE_ACCOUNT, REDIS_ENTERPRISE, CLASSIC_REDIS, STORAGE, BACKUP_VAULT, WORKSPACE)

# Storage redundancy SKUs (the part after 'Standard_' / 'Premium_') that keep copies in 3 zones.
ZONE_REDUNDANT_STORAGE = frozenset({"zrs", "gzrs", "ragzrs"})
# Immutability states that keep recovery points from early deletion ('Unlocked' can still be turned off,
# but locking is irreversible, so the stack owner decides when).
IMMUTABLE_STATES = frozenset({"unlocked", "locked"})

# Azure's monitorConfig defaults for absent fields.
_TM_DEFAULTS = {"intervalInSeconds": 30.0, "toleratedNumberOfFailures": 3.0, "timeoutInSeconds": 10.0}


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


def _zones(props: Any) -> int | None:
    zones = items(props, "zones")
    return None if zones is UNKNOWN else len(zones)


def _zone_gap(resource_type: str, props: Any) -> str | None:
    """Why a resource is not zone redundant where its SKU allows it, or None."""
    if resource_type == APP_GATEWAY:
        tier = text(props, "sku", "tier")
        count = _zones(props)
        if tier in ("standard_v2", "waf_v2") and count is not None and count < 2:
            return "zones lists fewer than 2 availability zones; spread the v2 gateway with zones ['1', '2', '3']"
    elif resource_type == PUBLIC_IP:
        count = _zones(props)
        if text(props, "sku", "name") == "standard" and count is not None and count < 2:
            return "zones lists fewer than 2 availability zones; make the address zone-redundant (['1', '2', '3'])"
    elif resource_type in (MANAGED_ENVIRONMENT, EVENT_HUB):
        if get(props, "zoneRedundant") in (None, False):
            return "zoneRedundant is not true"
    elif resource_type == SERVICE_BUS:
        # Only Premium namespaces can be zone redundant.
        premium = "premium" in (text(props, "sku", "name"), text(props, "sku", "tier"))
        if premium and get(props, "zoneRedundant") in (None, False):
            return "zoneRedundant is not true on a Premium namespace"
    elif resource_type == STORAGE:
        sku = text(props, "sku", "name")
        if isinstance(sku, str) and sku.rsplit("_", 1)[-1] not in ZONE_REDUNDANT_STORAGE:
            return (f"sku.name is '{get(props, 'sku', 'name')}': the account's data lives in one zone; use "
                    "'Standard_ZRS' (or 'Standard_GZRS' / 'Standard_RAGZRS' to add a paired region)")
    elif resource_type == REDIS_ENTERPRISE:
        if text(props, "highAvailability") == "disabled":  # absent: Enabled
            return "highAvailability is 'Disabled': a zone or node failure loses the cache"
    elif resource_type == BACKUP_VAULT:
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


def _probe_problems(container: Any, path: str) -> Iterable[str]:
    name = get(container, "name")
    probes = items(container, "probes")
    if probes is UNKNOWN:
        return
    kinds = {text(p, "type") for p in probes}
    for wanted in ("liveness", "readiness"):
        if wanted not in kinds and UNKNOWN not in kinds:
            yield f"container '{name}' has no {wanted.capitalize()} probe"
    for probe in probes:
        found = get(probe, "httpGet", "path")
        if isinstance(found, str) and found != path:
            yield f"container '{name}' {get(probe, 'type')} probe requests '{found}', not the health endpoint '{path}'"


def _container_app_probes(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    containers = items(args.props, "template", "containers")
    for container in [] if containers is UNKNOWN else containers:
        if container is not UNKNOWN:
            yield from _probe_problems(container, config["healthPath"])


def _app_gateway_probe_path(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    probes = items(args.props, "probes")
    for probe in [] if probes is UNKNOWN else probes:
        path = get(probe, "path")
        if isinstance(path, str) and path != config["healthPath"]:
            yield f"probe '{get(probe, 'name')}' requests '{path}', not the health endpoint '{config['healthPath']}'"


def _monitor_setting(monitor: Any, key: str) -> float | Unknown:
    value = number(monitor, key)
    return _TM_DEFAULTS[key] if value is None else value


def _traffic_manager_failover(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    method = text(args.props, "trafficRoutingMethod")
    if method is not UNKNOWN and method != "priority":
        yield f"trafficRoutingMethod is {method or 'absent'}; use 'Priority' for primary/secondary failover"
    monitor = get(args.props, "monitorConfig")
    if monitor is UNKNOWN:
        return
    interval, failures, timeout = (_monitor_setting(monitor, key) for key in _TM_DEFAULTS)
    if not (isinstance(interval, float) and isinstance(failures, float) and isinstance(timeout, float)):
        return
    detection = interval * (failures + 1)
    if detection > config["maxDetectionSeconds"]:
        yield (f"an outage is detected after {detection:g}s (interval {interval:g}s x {failures:g}+1 probes); keep "
               f"it within {config['maxDetectionSeconds']:g}s")
    if timeout >= interval:
        yield f"monitorConfig.timeoutInSeconds {timeout:g} must be shorter than intervalInSeconds {interval:g}"


def _backup_soft_delete(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    state = text(args.props, "properties", "securitySettings", "softDeleteSettings", "state")
    if state == "off":  # absent: On (Azure's default for new vaults)
        yield ("properties.securitySettings.softDeleteSettings.state is 'Off': deleted backups are gone at once; "
               "set it to 'On' (or 'AlwaysOn')")


def _backup_immutability(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not config["requireImmutability"]:
        return
    state = text(args.props, "properties", "securitySettings", "immutabilitySettings", "state")
    if state is not UNKNOWN and state not in IMMUTABLE_STATES:  # absent: Disabled
        shown = get(args.props, "properties", "securitySettings", "immutabilitySettings", "state")
        shown = "absent (Azure's default: Disabled)" if shown is None else f"'{shown}'"
        yield (f"properties.securitySettings.immutabilitySettings.state is {shown}: recovery points can be deleted "
               "before they expire; set it to 'Locked' (or 'Unlocked' until the lock is approved)")


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


def _protected(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if config["requireProtect"] and not args.opts.protect:
        yield "the resource holds state but is not protected: `pulumi destroy` or a replace would delete it"


key_vault_recoverable = resource_policy(
    name="key-vault-recoverable",
    description="Key Vaults keep deleted items recoverable: soft delete and purge protection.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.enable_soft_delete=True`, `properties.enable_purge_protection=True` (cannot be "
                "turned off later) and `properties.soft_delete_retention_in_days` >= `minSoftDeleteRetentionDays` "
                "(prod: 90).",
    types=[KEY_VAULT],
    check=_key_vault_recoverable,
    config={"minSoftDeleteRetentionDays": {"type": "integer", "minimum": 7, "maximum": 90, "default": 7}},
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
                "'GeoRedundant'. In a region without zones, suppress the finding with that reason.",
    types=[APP_GATEWAY, PUBLIC_IP, MANAGED_ENVIRONMENT, REDIS_ENTERPRISE, EVENT_HUB, SERVICE_BUS, STORAGE,
           BACKUP_VAULT],
    check=_zone_redundancy,
    config={"requireZoneRedundancy": {"type": "boolean", "default": False}},
)

container_app_health_probes = resource_policy(
    name="container-app-health-probes",
    description="Container app containers have liveness and readiness probes on the health endpoint.",
    checklist=["REL-6"],
    severity=Severity.MEDIUM,
    remediation="Add `probes=[ContainerAppProbeArgs(type='Liveness', http_get=ContainerAppProbeHttpGetArgs("
                "path='/health', port=<port>)), ContainerAppProbeArgs(type='Readiness', ...)]` to each container "
                "(the path is `healthPath` in the pack config; TCP probes are accepted for non-HTTP workers).",
    types=[CONTAINER_APP],
    check=_container_app_probes,
    config={"healthPath": HEALTH_PATH},
)

app_gateway_health_probe_path = resource_policy(
    name="app-gateway-health-probe-path",
    description="Application Gateway health probes request the services' health endpoint.",
    checklist=["REL-6"],
    severity=Severity.MEDIUM,
    remediation="Set each `probes[].path` to '/health' (`healthPath` in the pack config).",
    types=[APP_GATEWAY],
    check=_app_gateway_probe_path,
    config={"healthPath": HEALTH_PATH},
)

traffic_manager_failover = resource_policy(
    name="traffic-manager-failover",
    description="Traffic Manager fails over by priority, and detects an unhealthy region quickly.",
    checklist=["REL-4", "REL-1"],
    severity=Severity.MEDIUM,
    remediation="Set `traffic_routing_method='Priority'` and `monitor_config` with interval_in_seconds 30, "
                "tolerated_number_of_failures 3 and timeout_in_seconds 10 (detection within "
                "`maxDetectionSeconds`, default 120).",
    types=[TRAFFIC_MANAGER],
    check=_traffic_manager_failover,
    config={"maxDetectionSeconds": {"type": "number", "minimum": 10, "default": 120}},
)

backup_vault_soft_delete = resource_policy(
    name="backup-vault-soft-delete",
    description="Backup vaults keep deleted backups recoverable (soft delete on).",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.security_settings=SecuritySettingsArgs(soft_delete_settings="
                "SoftDeleteSettingsArgs(state='On', retention_duration_in_days=14))` ('AlwaysOn' locks it).",
    types=[BACKUP_VAULT],
    check=_backup_soft_delete,
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
    types=[BACKUP_VAULT],
    check=_backup_immutability,
    config={"requireImmutability": {"type": "boolean", "default": False}},
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
    types=[BLOB_SERVICE],
    check=_blob_soft_delete,
    config={"minRetentionDays": {"type": "integer", "minimum": 1, "maximum": 365, "default": 7}},
)

stateful_resources_protected = resource_policy(
    name="stateful-resources-protected",
    description="Stateful resources (vaults, AI accounts, caches, storage, backup vaults, workspaces) are "
                "protected from deletion where the environment requires it.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Declare the resource with `opts=ResourceOptions(protect=True)` (the components do this from "
                "`ai-platform:protect`); `requireProtect` is true in prod.",
    types=STATEFUL,
    check=_protected,
    config={"requireProtect": {"type": "boolean", "default": False}},
)

POLICIES: list[Policy] = [
    key_vault_recoverable, zone_redundancy, container_app_health_probes, app_gateway_health_probe_path,
    traffic_manager_failover, backup_vault_soft_delete, backup_vault_immutability, blob_soft_delete,
    stateful_resources_protected,
]
