"""Specification of policies/rules/governance.py (`defender-plan-standard`,
`policy-assignment-enforced`): what each policy accepts and what it reports, on resources declared
with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.security as security

from dryrun.model import Resource
from policies.rules.governance import defender_plan_standard, policy_assignment_enforced
from tests.policies.support import evaluate, names, sdk_resources


def _pricing(tier: str) -> list[Resource]:
    return sdk_resources(lambda: security.Pricing(
        "defender-ai", pricing_name="AI", pricing_tier=tier, scope_id="subscriptions/8f3c2d1e"))


def _assignment(mode: str) -> list[Resource]:
    return sdk_resources(lambda: authorization.PolicyAssignment(
        "allowed-locations", scope="/subscriptions/s/resourceGroups/rg", enforcement_mode=mode,
        policy_definition_id="/providers/Microsoft.Authorization/policyDefinitions/"
                             "e56962a6-4747-49cd-b67b-bf8b01975c4c"))


def test_defender_plan_standard() -> None:
    assert names(evaluate([defender_plan_standard], _pricing("Free"))) == {"defender-plan-standard"}
    assert evaluate([defender_plan_standard], _pricing("Standard")) == []


def test_policy_assignment_enforced() -> None:
    found = evaluate([policy_assignment_enforced], _assignment("DoNotEnforce"))
    assert names(found) == {"policy-assignment-enforced"}
    assert evaluate([policy_assignment_enforced], _assignment("Default")) == []
