"""Governance: allowed-locations policy on every resource group, Defender plans from config."""

from __future__ import annotations

from components.common import Common
from components.governance import ALLOWED_LOCATIONS_DEFINITION, Governance, GovernanceArgs
from policies.azure import types as T
from stack_config.model import Governance as GovernanceConfig
from tests.harness import declare

GROUPS = ["/subscriptions/sub-1/resourceGroups/rg-a", "/subscriptions/sub-1/resourceGroups/rg-b"]


def _declare(config: GovernanceConfig):
    common = Common(resource_group_name="rg-a", location="eastus2", tags={"environment": "prod"})
    return declare(lambda: Governance("gov", GovernanceArgs(
        common=common, config=config, resource_group_ids=GROUPS, allowed_locations=["eastus2", "westus3"])))


def test_allowed_locations_assigned_to_every_group() -> None:
    declared = _declare(GovernanceConfig())
    assignments = declared.of_type(T.POLICY_ASSIGNMENT)
    assert sorted(a.inputs["scope"] for a in assignments) == GROUPS
    for a in assignments:
        assert a.inputs["policyDefinitionId"] == ALLOWED_LOCATIONS_DEFINITION
        assert a.inputs["enforcementMode"] == "Default"
        assert a.inputs["parameters"]["listOfAllowedLocations"]["value"] == ["eastus2", "westus3"]
    assert declared.of_type(T.DEFENDER_PRICING) == []


def test_defender_plans_on_the_subscription() -> None:
    declared = _declare(GovernanceConfig(assign_allowed_locations=False, defender_plans=["AI", "KeyVaults"]))
    plans = declared.of_type(T.DEFENDER_PRICING)
    assert {p.inputs["pricingName"] for p in plans} == {"AI", "KeyVaults"}
    assert {p.inputs["pricingTier"] for p in plans} == {"Standard"}
    assert {p.inputs["scopeId"] for p in plans} == {"/subscriptions/sub-1"}
    assert declared.of_type(T.POLICY_ASSIGNMENT) == []
