"""Specification of policies/rules/resources.py (`required-tags`, `allowed-locations`,
`zone-redundancy`, `stateful-resources-protected`): what each policy accepts and what it reports, on
resources declared with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

import importlib
import inspect

import pulumi
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.resources as resources
import pulumi_azure_native.servicebus as servicebus
import pytest

from dryrun.model import Resource
from policies.azure import catalog as C
from policies.rules.governance import defender_plan_standard, policy_assignment_enforced
from policies.rules.resources import allowed_locations, required_tags, stateful_resources_protected, zone_redundancy
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, evaluate, file_config, fired, flagged, names, sdk_resources, table_tests

ZONES_REQUIRED = file_config({"zone-redundancy": {"requireZoneRedundancy": True}})

PROTECT_REQUIRED = file_config({"stateful-resources-protected": {"requireProtect": True}})

PROTECTED = pulumi.ResourceOptions(protect=True)


def standard_service_bus() -> s.Program:
    """A Standard namespace: its SKU cannot be zone redundant."""
    return lambda: servicebus.Namespace(
        "bus", resource_group_name=s.RG, namespace_name="sbns-aip", location="eastus2",
        sku=servicebus.SBSkuArgs(name=servicebus.SkuName.STANDARD, tier=servicebus.SkuTier.STANDARD))


ZONES = file_config({"zone-redundancy": {"requireZoneRedundancy": True}})

TAGS = {"environment": "prod", "owner": "ai-platform-team", "cost-center": "cc-ai-prod"}

ALLOWED = file_config({"allowed-locations": {"allowedLocations": ["eastus2", "westus3"]}})


def _vault(location: str = "eastus2", tags: dict[str, str] | None = None) -> list[Resource]:
    return sdk_resources(lambda: keyvault.Vault(
        "kv", resource_group_name="rg", location=location, tags=TAGS if tags is None else tags,
        properties=keyvault.VaultPropertiesArgs(
            tenant_id="t", sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD))))


# (policy, compliant program[, config])
PASSING = [
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
    (zone_redundancy, s.managed_environment(zone_redundant=False)),  # not required by default
    (zone_redundancy, s.storage_account(sku="Standard_LRS")),
    (stateful_resources_protected, s.key_vault(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.openai_account(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.redis_cluster(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.classic_redis(opts=PROTECTED), PROTECT_REQUIRED),
    (stateful_resources_protected, s.storage_account(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.backup_vault(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.workspace(protect=True), PROTECT_REQUIRED),
    (stateful_resources_protected, s.key_vault()),  # not required by default
    (zone_redundancy, s.app_service_plan("ElasticPremium", "EP1", capacity=2), ZONES),
    (zone_redundancy, s.app_service_plan("FlexConsumption", "FC1"), ZONES),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (zone_redundancy, s.app_gateway(zones=None), ZONES_REQUIRED, "v2 gateway"),
    (zone_redundancy, s.public_ip(zones=["1"]), ZONES_REQUIRED, "zone-redundant"),
    (zone_redundancy, s.managed_environment(zone_redundant=None), ZONES_REQUIRED, "zoneRedundant is not true"),
    (zone_redundancy, s.redis_cluster(high_availability="Disabled"), ZONES_REQUIRED, "highAvailability"),
    (zone_redundancy, s.event_hub(zone_redundant=False), ZONES_REQUIRED, "zoneRedundant is false"),
    (zone_redundancy, s.backup_vault("LocallyRedundant"), ZONES_REQUIRED, "'LocallyRedundant'"),
    (zone_redundancy, s.storage_account(sku="Standard_LRS"), ZONES_REQUIRED, "'Standard_LRS'"),
    (zone_redundancy, s.storage_account(sku="Standard_RAGRS"), ZONES_REQUIRED, "one zone"),
    (zone_redundancy, s.service_bus(zone_redundant=False), ZONES_REQUIRED, "Premium namespace"),
    (zone_redundancy, s.service_bus(zone_redundant=None), ZONES_REQUIRED, "zoneRedundant is not true"),
    (stateful_resources_protected, s.key_vault(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.openai_account(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.redis_cluster(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.classic_redis(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.storage_account(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.backup_vault(), PROTECT_REQUIRED, "not protected"),
    (stateful_resources_protected, s.workspace(), PROTECT_REQUIRED, "not protected"),
    (zone_redundancy, s.app_service_plan("ElasticPremium", "EP1", capacity=1), ZONES, "at least two instances"),
    (zone_redundancy, s.app_service_plan("PremiumV3", "P1v3", capacity=3, zone_redundant=None), ZONES,
     "zoneRedundant is not true"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [zone_redundancy, stateful_resources_protected]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


@pytest.mark.parametrize("env, level", [
    pytest.param("prod", "mandatory", id="zone-redundancy/violates-when-single-zone-in-prod-mandatory"),
    pytest.param("dev", "advisory", id="zone-redundancy/violates-when-single-zone-in-dev-advisory"),
])
def test_zone_redundancy_is_mandatory_in_prod_advisory_in_dev(env: str, level: str) -> None:
    single_zone = s.managed_environment(zone_redundant=False)
    found = evaluate([zone_redundancy], sdk_resources(single_zone), env_config(env, zone_redundancy))
    assert [(v.policy, v.level) for v in found] == [("zone-redundancy", level)]


@pytest.mark.parametrize("token", sorted(C.TAGGABLE))
def test_taggable_types_accept_tags(token: str) -> None:
    _, module, name = token.split(":")
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)
    assert "tags" in inspect.signature(cls._internal_init).parameters


def test_required_tags() -> None:
    found = evaluate([required_tags], _vault(tags={"environment": "prod", "owner": " "}))
    assert names(found) == {"required-tags"} and "owner, cost-center" in found[0].message
    assert evaluate([required_tags], _vault()) == []
    relaxed = file_config({"required-tags": {"requiredTags": ["environment"]}})
    assert evaluate([required_tags], _vault(tags={"environment": "dev"}), relaxed) == []


def test_required_tags_skip_untaggable_types() -> None:
    setting = sdk_resources(lambda: monitor.DiagnosticSetting(
        "diag", resource_uri="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        workspace_id="/w", logs=[monitor.DiagnosticsLogSettingsArgs(category_group="audit", enabled=True)]))
    assert evaluate([required_tags], setting) == []


def test_allowed_locations() -> None:
    found = evaluate([allowed_locations], _vault(location="West Europe"), ALLOWED)
    assert names(found) == {"allowed-locations"} and "'westeurope'" in found[0].message
    assert evaluate([allowed_locations], _vault(location="East US 2"), ALLOWED) == []
    alert = sdk_resources(lambda: monitor.ActionGroup(
        "ag", resource_group_name="rg", location="global", group_short_name="oncall", enabled=True, tags=TAGS))
    assert evaluate([allowed_locations], alert, ALLOWED) == []  # global resources have no residency
    assert evaluate([allowed_locations], _vault(location="westeurope")) == []  # no list: anywhere


def test_resource_group_tags_and_location_together() -> None:
    group = sdk_resources(lambda: resources.ResourceGroup("rg", location="swedencentral", tags=TAGS))
    assert names(evaluate([required_tags, allowed_locations, defender_plan_standard, policy_assignment_enforced], group,
                          ALLOWED)) == {"allowed-locations"}


def test_event_hubs_namespace_is_zone_redundant_by_default() -> None:
    zones = file_config({"zone-redundancy": {"requireZoneRedundancy": True}})
    assert flagged([zone_redundancy], sdk_resources(s.event_hub(zone_redundant=None)), zones) == set()
    assert flagged([zone_redundancy], sdk_resources(s.event_hub(zone_redundant=False)), zones) == {"zone-redundancy"}


def test_prod_requires_protection() -> None:
    protect = stateful_resources_protected
    assert fired(protect, s.storage_account(), env_config("prod", protect))[0] == {protect.name}
    assert fired(protect, s.storage_account(), env_config("dev", protect))[0] == set()


def test_unprotected_search_service_fails_where_protection_is_required() -> None:
    found = evaluate([stateful_resources_protected], sdk_resources(s.search_service()), PROTECT_REQUIRED)
    assert names(found) == {"stateful-resources-protected"}


def test_protected_search_service_passes() -> None:
    assert evaluate([stateful_resources_protected], sdk_resources(s.search_service(protect=True)),
                    PROTECT_REQUIRED) == []
