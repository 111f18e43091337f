"""Reliability policies: recoverable baselines pass, each flipped setting fails, and zone
redundancy / protection follow policies/config/<env>.json (required in prod, advisory or off in dev)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_azure_native.app as app
import pulumi_azure_native.network as network
import pulumi_azure_native.servicebus as servicebus
import pulumi_azure_native.storage as storage
import pulumi_azure_native.trafficmanager as trafficmanager
import pytest

from policies.rules.app_gateway import app_gateway_health_probe_path
from policies.rules.backup import backup_vault_immutability, backup_vault_soft_delete
from policies.rules.container_apps import container_app_health_probes
from policies.rules.key_vault import key_vault_recoverable
from policies.rules.resources import stateful_resources_protected, zone_redundancy
from policies.rules.storage import blob_soft_delete
from policies.rules.traffic_manager import traffic_manager_failover
from tests.policies import secure_inputs as s
from tests.policies.support import case_ids, evaluate, file_config, names, sdk_resources

CONFIG = Path(__file__).resolve().parents[2] / "policies" / "config"
ZONES_REQUIRED = file_config({"zone-redundancy": {"requireZoneRedundancy": True}})
PROTECT_REQUIRED = file_config({"stateful-resources-protected": {"requireProtect": True}})
IMMUTABILITY_REQUIRED = file_config({"backup-vault-immutability": {"requireImmutability": True}})
LONG_SOFT_DELETE = file_config({"blob-soft-delete": {"minRetentionDays": 30}})
PROTECTED = pulumi.ResourceOptions(protect=True)

# The policies this module specifies (the pack's former reliability.py).
AREA = [
    key_vault_recoverable, zone_redundancy, container_app_health_probes, app_gateway_health_probe_path,
    traffic_manager_failover, backup_vault_soft_delete, backup_vault_immutability, blob_soft_delete,
    stateful_resources_protected,
]


def env_config(env: str, policy: Any) -> dict[str, Any]:
    """The policy's entry of policies/config/<env>.json (the others name policies outside this test's pack)."""
    entries = json.loads((CONFIG / f"{env}.json").read_text())
    return file_config({k: v for k, v in entries.items() if k == policy.name})


def fired(policy: Any, program: s.Program, config: dict[str, Any] | None = None) -> tuple[set[str], str]:
    found = evaluate([policy], sdk_resources(program), config)
    return names(found), "\n".join(v.message for v in found)


def probes(*kinds: str, path: str = "/health") -> list[app.ContainerAppProbeArgs]:
    return [app.ContainerAppProbeArgs(type=k, http_get=app.ContainerAppProbeHttpGetArgs(path=path, port=8000))
            for k in kinds]


def standard_service_bus() -> s.Program:
    """A Standard namespace: its SKU cannot be zone redundant."""
    return lambda: servicebus.Namespace(
        "bus", resource_group_name=s.RG, namespace_name="sbns-aip", location="eastus2",
        sku=servicebus.SBSkuArgs(name=servicebus.SkuName.STANDARD, tier=servicebus.SkuTier.STANDARD))


def retention(enabled: bool = True, days: int = 35, **extra: Any) -> storage.DeleteRetentionPolicyArgs:
    return storage.DeleteRetentionPolicyArgs(enabled=enabled, days=days, **extra)


def monitor(**overrides: Any) -> trafficmanager.MonitorConfigArgs:
    args = {"protocol": "HTTPS", "port": 443, "path": "/health", **overrides}
    return trafficmanager.MonitorConfigArgs(**args)


# (policy, program, config) — each passes.
PASSING = [
    (key_vault_recoverable, s.key_vault(), None),
    (zone_redundancy, s.app_gateway(), ZONES_REQUIRED),
    (zone_redundancy, s.public_ip(), ZONES_REQUIRED),
    (zone_redundancy, s.managed_environment(), ZONES_REQUIRED),
    (zone_redundancy, s.redis_cluster(), ZONES_REQUIRED),
    (zone_redundancy, s.redis_cluster(high_availability=None), ZONES_REQUIRED),  # Azure's default: Enabled
    (zone_redundancy, s.event_hub(), ZONES_REQUIRED),
    (zone_redundancy, s.backup_vault(), ZONES_REQUIRED),
    (zone_redundancy, s.backup_vault("ZoneRedundant"), ZONES_REQUIRED),
    (zone_redundancy, s.storage_account(), ZONES_REQUIRED),  # Standard_ZRS
    (zone_redundancy, s.storage_account(sku="Standard_GZRS"), ZONES_REQUIRED),
    (zone_redundancy, s.storage_account(sku="Standard_RAGZRS"), ZONES_REQUIRED),
    (zone_redundancy, s.service_bus(), ZONES_REQUIRED),
    (zone_redundancy, standard_service_bus(), ZONES_REQUIRED),  # only Premium can be zone redundant
    (zone_redundancy, s.managed_environment(zone_redundant=False), None),  # not required by default
    (zone_redundancy, s.storage_account(sku="Standard_LRS"), None),
    (container_app_health_probes, s.container_app(), None),
    (container_app_health_probes, s.container_app(containers=[s.container(probes=[
        *probes("Liveness"), app.ContainerAppProbeArgs(type="Readiness", tcp_socket=app.ContainerAppProbeTcpSocketArgs(
            port=8000))])]), None),
    (app_gateway_health_probe_path, s.app_gateway(), None),
    (traffic_manager_failover, s.traffic_manager(), None),
    (traffic_manager_failover, s.traffic_manager(monitor_config=monitor()), None),  # Azure's 30s x (3+1)
    (backup_vault_soft_delete, s.backup_vault(), None),
    (backup_vault_soft_delete, s.backup_vault(soft_delete="AlwaysOn"), None),
    (backup_vault_soft_delete, s.backup_vault(soft_delete=None), None),  # Azure's default for new vaults: On
    (backup_vault_immutability, s.backup_vault(), IMMUTABILITY_REQUIRED),  # Locked
    (backup_vault_immutability, s.backup_vault(immutability="Unlocked"), IMMUTABILITY_REQUIRED),
    (backup_vault_immutability, s.backup_vault(immutability="Disabled"), None),  # not required by default
    (blob_soft_delete, s.blob_service(), None),
    (blob_soft_delete, s.blob_service(), LONG_SOFT_DELETE),  # 35 days
    (blob_soft_delete, s.blob_service(delete_retention_policy=retention(days=7),
                                          container_delete_retention_policy=retention(days=7)), None),
    (stateful_resources_protected, s.key_vault(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.openai_account(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.redis_cluster(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.classic_redis(opts=PROTECTED), PROTECT_REQUIRED),
    (stateful_resources_protected, s.storage_account(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.backup_vault(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.workspace(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.key_vault(), None),  # not required by default
]

# (policy, program, config, fragment) — each fails with exactly that policy.
FAILING = [
    (key_vault_recoverable, s.key_vault(enable_purge_protection=None), None, "enablePurgeProtection"),
    (key_vault_recoverable, s.key_vault(enable_soft_delete=False), None, "enableSoftDelete is false"),
    (key_vault_recoverable, s.key_vault(soft_delete_retention_in_days=7),
     file_config({"key-vault-recoverable": {"minSoftDeleteRetentionDays": 90}}), "90+ days"),
    (zone_redundancy, s.app_gateway(zones=None), ZONES_REQUIRED, "v2 gateway"),
    (zone_redundancy, s.public_ip(zones=["1"]), ZONES_REQUIRED, "zone-redundant"),
    (zone_redundancy, s.managed_environment(zone_redundant=None), ZONES_REQUIRED, "zoneRedundant is not true"),
    (zone_redundancy, s.redis_cluster(high_availability="Disabled"), ZONES_REQUIRED, "highAvailability"),
    (zone_redundancy, s.event_hub(zone_redundant=False), ZONES_REQUIRED, "zoneRedundant is false"),
    (zone_redundancy, s.backup_vault("LocallyRedundant"), ZONES_REQUIRED, "'LocallyRedundant'"),
    (container_app_health_probes, s.container_app(containers=[s.container(probes=probes("Liveness"))]), None,
     "no Readiness probe"),
    (container_app_health_probes, s.container_app(containers=[s.container(probes=None)]), None,
     "no Liveness probe"),
    (container_app_health_probes, s.container_app(containers=[s.container(
        probes=probes("Liveness", "Readiness", path="/"))]), None, "requests '/'"),
    (app_gateway_health_probe_path, s.app_gateway(probes=[network.ApplicationGatewayProbeArgs(
        name="root", protocol="Https", path="/", interval=30, timeout=10, unhealthy_threshold=3)]), None,
     "probe 'root' requests '/'"),
    (traffic_manager_failover, s.traffic_manager(traffic_routing_method="Performance"), None, "'Priority'"),
    (traffic_manager_failover, s.traffic_manager(monitor_config=monitor(
        interval_in_seconds=30, tolerated_number_of_failures=9)), None, "after 300s"),
    (traffic_manager_failover, s.traffic_manager(monitor_config=monitor(
        interval_in_seconds=10, timeout_in_seconds=10)), None, "must be shorter"),
    (zone_redundancy, s.storage_account(sku="Standard_LRS"), ZONES_REQUIRED, "'Standard_LRS'"),
    (zone_redundancy, s.storage_account(sku="Standard_RAGRS"), ZONES_REQUIRED, "one zone"),
    (zone_redundancy, s.service_bus(zone_redundant=False), ZONES_REQUIRED, "Premium namespace"),
    (zone_redundancy, s.service_bus(zone_redundant=None), ZONES_REQUIRED, "zoneRedundant is not true"),
    (backup_vault_soft_delete, s.backup_vault(soft_delete="Off"), None, "'Off'"),
    (backup_vault_immutability, s.backup_vault(immutability="Disabled"), IMMUTABILITY_REQUIRED,
     "immutabilitySettings.state is 'Disabled'"),
    (backup_vault_immutability, s.backup_vault(immutability=None), IMMUTABILITY_REQUIRED,
     "absent (Azure's default: Disabled)"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=retention(enabled=False)), None,
     "deleteRetentionPolicy: blob soft delete is off"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=None), None, "blob soft delete is off"),
    (blob_soft_delete, s.blob_service(container_delete_retention_policy=None), None,
     "container soft delete is off"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=retention(days=14)), LONG_SOFT_DELETE,
     "14 days; this environment requires 30+"),
    (blob_soft_delete, s.blob_service(delete_retention_policy=retention(allow_permanent_delete=True)), None,
     "allows permanent delete"),
    (stateful_resources_protected, s.key_vault(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.openai_account(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.redis_cluster(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.classic_redis(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.storage_account(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.backup_vault(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.workspace(), PROTECT_REQUIRED, "not protected"),
]


@pytest.mark.parametrize("policy, program, config", PASSING, ids=case_ids(__file__, "PASSING", PASSING))
def test_reliable_setting_passes(policy: Any, program: s.Program, config: dict[str, Any] | None) -> None:
    found, messages = fired(policy, program, config)
    assert found == set(), messages


@pytest.mark.parametrize("policy, program, config, fragment", FAILING, ids=case_ids(__file__, "FAILING", FAILING))
def test_unreliable_setting_fails(policy: Any, program: s.Program, config: dict[str, Any] | None,
                                  fragment: str) -> None:
    found, messages = fired(policy, program, config)
    assert found == {policy.name}
    assert fragment in messages


def test_every_reliability_policy_has_pass_and_fail_cases() -> None:
    every = {p.name for p in AREA}
    assert every == {c[0].name for c in PASSING} == {c[0].name for c in FAILING}


def test_zone_redundancy_is_mandatory_in_prod_advisory_in_dev() -> None:
    single_zone = s.managed_environment(zone_redundant=False)
    prod = evaluate([zone_redundancy], sdk_resources(single_zone), env_config("prod", zone_redundancy))
    dev = evaluate([zone_redundancy], sdk_resources(single_zone), env_config("dev", zone_redundancy))
    assert [(v.policy, v.level) for v in prod] == [("zone-redundancy", "mandatory")]
    assert [(v.policy, v.level) for v in dev] == [("zone-redundancy", "advisory")]


def test_prod_requires_immutable_backups_and_long_blob_soft_delete() -> None:
    immutable = backup_vault_immutability
    unlocked = s.backup_vault(immutability=None)
    assert fired(immutable, unlocked, env_config("prod", immutable))[0] == {immutable.name}
    assert fired(immutable, unlocked, env_config("dev", immutable))[0] == set()
    soft_delete = blob_soft_delete
    short = s.blob_service(delete_retention_policy=retention(days=12), container_delete_retention_policy=retention(
        days=12))  # dev's backup account
    assert fired(soft_delete, short, env_config("prod", soft_delete))[0] == {soft_delete.name}
    assert fired(soft_delete, short, env_config("dev", soft_delete))[0] == set()


def test_prod_requires_protection_and_long_vault_retention() -> None:
    protect = stateful_resources_protected
    assert fired(protect, s.storage_account(), env_config("prod", protect))[0] == {protect.name}
    assert fired(protect, s.storage_account(), env_config("dev", protect))[0] == set()
    recoverable = key_vault_recoverable
    short = s.key_vault(soft_delete_retention_in_days=30)
    assert fired(recoverable, short, env_config("prod", recoverable))[0] == {recoverable.name}
    assert fired(recoverable, short, env_config("dev", recoverable))[0] == set()
