"""Compliance policies on resources declared with the SDK: tags, residency, Defender plans, Azure Policy."""

from __future__ import annotations

import importlib
import inspect

import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.resources as resources
import pulumi_azure_native.security as security
import pytest

from dryrun.model import Resource
from policies.azure import catalog as C
from policies.rules.governance import defender_plan_standard, policy_assignment_enforced
from policies.rules.resources import allowed_locations, required_tags
from tests.policies.support import evaluate, file_config, names, sdk_resources

TAGS = {"environment": "prod", "owner": "ai-platform-team", "cost-center": "cc-ai-prod"}
ALLOWED = file_config({"allowed-locations": {"allowedLocations": ["eastus2", "westus3"]}})

# The policies this module specifies (the pack's former compliance.py).
AREA = [
    required_tags, allowed_locations, defender_plan_standard, policy_assignment_enforced,
]


@pytest.mark.parametrize("token", sorted(C.TAGGABLE))
def test_taggable_types_accept_tags(token: str) -> None:
    _, module, name = token.split(":")
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)
    assert "tags" in inspect.signature(cls._internal_init).parameters


def _vault(location: str = "eastus2", tags: dict[str, str] | None = None) -> list[Resource]:
    return sdk_resources(lambda: keyvault.Vault(
        "kv", resource_group_name="rg", location=location, tags=TAGS if tags is None else tags,
        properties=keyvault.VaultPropertiesArgs(
            tenant_id="t", sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD))))


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


def _pricing(tier: str) -> list[Resource]:
    return sdk_resources(lambda: security.Pricing(
        "defender-ai", pricing_name="AI", pricing_tier=tier, scope_id="subscriptions/8f3c2d1e"))


def test_defender_plan_standard() -> None:
    assert names(evaluate([defender_plan_standard], _pricing("Free"))) == {"defender-plan-standard"}
    assert evaluate([defender_plan_standard], _pricing("Standard")) == []


def _assignment(mode: str) -> list[Resource]:
    return sdk_resources(lambda: authorization.PolicyAssignment(
        "allowed-locations", scope="/subscriptions/s/resourceGroups/rg", enforcement_mode=mode,
        policy_definition_id="/providers/Microsoft.Authorization/policyDefinitions/"
                             "e56962a6-4747-49cd-b67b-bf8b01975c4c"))


def test_policy_assignment_enforced() -> None:
    found = evaluate([policy_assignment_enforced], _assignment("DoNotEnforce"))
    assert names(found) == {"policy-assignment-enforced"}
    assert evaluate([policy_assignment_enforced], _assignment("Default")) == []


def test_resource_group_tags_and_location_together() -> None:
    group = sdk_resources(lambda: resources.ResourceGroup("rg", location="swedencentral", tags=TAGS))
    assert names(evaluate(AREA, group, ALLOWED)) == {"allowed-locations"}
