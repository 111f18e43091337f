"""Specification of policies/relations/governance.py (`resource-group-locks`, `budget-exists`,
`azure-policy-assigned`, `defender-plans-enabled`): a compliant and a violating deployment per
policy, declared with the SDK under mocks; relations come from the recorded property dependencies,
as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

import copy
import json

import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.security as security

from dryrun.model import UNKNOWN, Resource
from policies.azure import types as T
from policies.relations.governance import (
    azure_policy_assigned,
    budget_exists,
    defender_plans_enabled,
    resource_group_locks,
)
from tests.policies import stack_inputs as st
from tests.policies.support import CONFIG_DIR, env_config, evaluate, file_config, names, sdk_resources

LOCKS_REQUIRED = file_config({"resource-group-locks": {"requireResourceGroupLocks": True}})


def _locked_groups(level: str | None = "CanNotDelete", by_scope: bool = False) -> list[Resource]:
    def build() -> None:
        group, other = st.group(), st.group("westus3")
        authorization.ManagementLockAtResourceGroupLevel(
            "lock-eastus2", resource_group_name=group.name, lock_name="do-not-delete", level="CanNotDelete")
        if level is None:
            return
        if by_scope:
            authorization.ManagementLockByScope("lock-westus3", scope=other.id, lock_name="do-not-delete",
                                                level=level)
        else:
            authorization.ManagementLockAtResourceGroupLevel(
                "lock-westus3", resource_group_name=other.name, lock_name="do-not-delete", level=level)

    return sdk_resources(build)


def _filtered_budget(name: str, dimension: str, values: list[str]) -> list[Resource]:
    return sdk_resources(lambda: consumption.Budget(
        name, scope="/subscriptions/s", amount=500, category="Cost", time_grain="Monthly",
        time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01"),
        filter=consumption.BudgetFilterArgs(dimensions=consumption.BudgetComparisonExpressionArgs(
            name=dimension, operator="In", values=values))))


def test_resource_group_locks_compliant() -> None:
    assert evaluate([resource_group_locks], _locked_groups(), LOCKS_REQUIRED) == []
    assert evaluate([resource_group_locks], _locked_groups(by_scope=True), LOCKS_REQUIRED) == []
    assert evaluate([resource_group_locks], _locked_groups("ReadOnly"), LOCKS_REQUIRED) == []


def test_unlocked_resource_group_is_reported_where_locks_are_required() -> None:
    found = evaluate([resource_group_locks], _locked_groups(None), LOCKS_REQUIRED)
    assert [(where, "no CanNotDelete lock" in message) for where, message in st.where(found)] == [("rg-westus3", True)]


def test_unlocked_resource_group_passes_where_locks_are_not_required() -> None:
    assert evaluate([resource_group_locks], _locked_groups(None)) == []  # not required by default


def test_lock_on_a_resource_inside_the_group_is_no_lock_on_the_group() -> None:
    rs = _locked_groups(by_scope=True)
    lock = st.one(rs, T.SCOPE_LOCK)
    lock.inputs["scope"] += "/providers/Microsoft.Storage/storageAccounts/st"
    assert names(evaluate([resource_group_locks], rs, LOCKS_REQUIRED)) == {"resource-group-locks"}


def test_resource_group_locks_are_required_in_prod_only() -> None:
    rs = _locked_groups(None)
    assert names(evaluate([resource_group_locks], rs, env_config("prod", resource_group_locks))) == {
        "resource-group-locks"}
    assert resource_group_locks.name not in json.loads((CONFIG_DIR / "dev.json").read_text())


def test_resource_group_lock_matched_by_name_or_unknown_in_preview() -> None:
    rs = copy.deepcopy(_locked_groups())
    lock = st.one(rs, T.GROUP_LOCK, "lock-westus3")
    st.without_dependencies(lock, "resourceGroupName")
    assert evaluate([resource_group_locks], rs, LOCKS_REQUIRED) == []  # by the group's name
    lock.inputs["resourceGroupName"] = UNKNOWN
    assert evaluate([resource_group_locks], rs, LOCKS_REQUIRED) == []  # cannot tell: no false violation


def test_budget_exists() -> None:
    budget = sdk_resources(lambda: consumption.Budget(
        "budget", scope="/subscriptions/s", amount=2000, category="Cost", time_grain="Monthly",
        time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01")))
    group = sdk_resources(st.group)
    assert names(evaluate([budget_exists], group)) == {"budget-exists"}
    assert evaluate([budget_exists], group + budget) == []


def _two_groups_and_a_token_budget() -> list[Resource]:
    groups = sdk_resources(lambda: [st.group("eastus2"), st.group("westus3")])
    return groups + _filtered_budget("token-budget", "ResourceId", [
        "/subscriptions/s/resourceGroups/rg-ai-eastus2/providers/Microsoft.CognitiveServices/accounts/oai"])


def test_budget_exists_violates_when_only_a_token_budget_exists() -> None:
    found = evaluate([budget_exists], _two_groups_and_a_token_budget())
    assert names(found) == {"budget-exists"} and "no budget covers the whole environment" in found[0].message


def test_budget_exists_violates_when_the_budget_covers_one_group_of_two() -> None:
    one_group = _filtered_budget("budget", "ResourceGroupName", ["rg-ai-eastus2"])
    assert names(evaluate([budget_exists], _two_groups_and_a_token_budget() + one_group)) == {"budget-exists"}


def test_budget_exists_passes_when_the_budget_covers_every_group() -> None:
    both = _filtered_budget("budget", "ResourceGroupName", ["rg-ai-eastus2", "rg-ai-westus3"])
    assert evaluate([budget_exists], _two_groups_and_a_token_budget() + both) == []


def test_azure_policy_assigned_is_advisory() -> None:
    group = sdk_resources(st.group)
    found = evaluate([azure_policy_assigned], group)
    assert [(v.policy, v.level) for v in found] == [("azure-policy-assigned", "advisory")]
    assignment = sdk_resources(lambda: authorization.PolicyAssignment(
        "allowed-locations", scope="/subscriptions/s", policy_definition_id="/providers/Microsoft.Authorization/"
                                                                            "policyDefinitions/e56962a6"))
    assert evaluate([azure_policy_assigned], group + assignment) == []


def test_defender_plans_enabled() -> None:
    def plans(*tiers: tuple[str, str]) -> list[Resource]:
        return sdk_resources(lambda: [security.Pricing(f"defender-{n}", pricing_name=n, pricing_tier=t,
                                                       scope_id="subscriptions/s") for n, t in tiers])
    found = evaluate([defender_plans_enabled], plans(("AI", "Free")))
    assert [(v.policy, v.level) for v in found] == [("defender-plans-enabled", "advisory")]
    assert evaluate([defender_plans_enabled], plans(("AI", "Standard"))) == []
    required = file_config({"defender-plans-enabled": {"requiredPlans": ["AI", "KeyVaults"]}})
    found = evaluate([defender_plans_enabled], plans(("AI", "Standard")), required)
    assert names(found) == {"defender-plans-enabled"} and "KeyVaults" in found[0].message
