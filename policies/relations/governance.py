"""Governance across the stack (REL-2, COST-1, COMP-3, COMP-4): resource group locks, a budget,
Azure Policy assignments and Defender plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity, StackValidationArgs

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, by_type, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, get, items, text
from ..framework.stack import Finding, Stack

# Lock levels that stop a delete (ReadOnly also stops every change).
DELETE_LOCKS = frozenset({"cannotdelete", "readonly"})


def _group_name_of_scope(scope: Any) -> str | None:
    """The resource group an ARM scope names, if the scope is exactly a resource group."""
    if not isinstance(scope, str):
        return None
    parts = scope.strip("/").lower().split("/")
    return parts[3] if len(parts) == 4 and parts[0] == "subscriptions" and parts[2] == "resourcegroups" else None


def _resource_group_locks(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    if not config["requireResourceGroupLocks"]:
        return
    stack = Stack(args.resources)
    groups = stack.of(T.RESOURCE_GROUP)
    group_urns = {g.urn for g in groups}
    by_name = {text(g.props, "resourceGroupName"): g.urn for g in groups}
    locked: set[str] = set()
    blind = False
    for lock in stack.of(T.GROUP_LOCK, T.SCOPE_LOCK):
        level = text(lock.props, "level")
        if level is not UNKNOWN and level not in DELETE_LOCKS:
            continue
        if lock.resource_type == T.GROUP_LOCK:
            prop, name = "resourceGroupName", text(lock.props, "resourceGroupName")
        else:
            # A scope computed from a group's id may name a resource inside it: only an unknown
            # scope falls back to the dependency.
            prop, name = "scope", _group_name_of_scope(get(lock.props, "scope"))
        value = get(lock.props, prop)
        urns = depends_on(lock, prop) & group_urns if value is UNKNOWN or lock.resource_type == T.GROUP_LOCK else set()
        if not urns and isinstance(name, str) and name in by_name:
            urns = {by_name[name]}
        blind = blind or (not urns and value is UNKNOWN)
        locked |= urns
    if blind:
        return
    for group in groups:
        if group.urn not in locked:
            yield (f"resource group '{group.name}' has no CanNotDelete lock: deleting the group (or a replace of "
                   "a stateful resource in it) goes through at once", group.urn)


def _dimension_filters(budget: Any) -> list[Any] | None:
    """The dimension filters of a budget (`filter.dimensions` and each `filter.and[*].dimensions`); [] when it has
    none (the whole scope), None when the filter is unknown."""
    found = get(budget.props, "filter")
    if found is UNKNOWN:
        return None
    conjuncts = items(found, "and")
    if conjuncts is UNKNOWN:
        return None
    clauses = [get(found, "dimensions"), *(get(c, "dimensions") for c in conjuncts)]
    if any(c is UNKNOWN for c in clauses):
        return None
    return [c for c in clauses if c is not None]


def _covers_environment(budget: Any, groups: dict[str, str]) -> bool:
    """Whether a budget watches the whole environment: no dimension filter, or a ResourceGroupName filter that
    lists every resource group of the stack (by name or by dependency). A filter on ResourceId (one service's
    spend, like the token budget) does not."""
    filters = _dimension_filters(budget)
    if not filters:  # none, or unknown during preview
        return True
    for clause in filters:
        if text(clause, "name") != "resourcegroupname" or text(clause, "operator") not in ("in", UNKNOWN):
            return False
        values = items(clause, "values")
        if values is UNKNOWN:
            continue
        named, linked = {v.lower() for v in values if isinstance(v, str)}, depends_on(budget, "filter")
        if any(name not in named and urn not in linked for name, urn in groups.items()):
            return False
    return True


def _budget_exists(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    budgets = by_type(args.resources, *C.BUDGETS)
    if not budgets:
        yield ("the stack declares no budget (consumption:Budget); spend would go unnoticed", None)
        return
    groups = {name: g.urn for g in by_type(args.resources, T.RESOURCE_GROUP)
              if isinstance(name := text(g.props, "resourceGroupName"), str)}
    if not any(_covers_environment(b, groups) for b in budgets):
        yield ("no budget covers the whole environment: every budget is filtered to some resources (e.g. the token "
               "budget's ResourceId filter), so spend elsewhere goes unnoticed", None)


def _policy_assigned(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    if not by_type(args.resources, T.POLICY_ASSIGNMENT):
        yield ("the stack assigns no Azure Policy (authorization:PolicyAssignment); nothing enforces the "
               "baseline on changes made outside Pulumi", None)


def _defender_plans(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    tiers: dict[str, Any] = {}
    for pricing in by_type(args.resources, T.DEFENDER_PRICING):
        name = text(pricing.props, "pricingName")
        tiers[name if isinstance(name, str) else pricing.name.lower()] = text(pricing.props, "pricingTier")
    enabled = {name for name, tier in tiers.items() if tier in ("standard", UNKNOWN)}
    if not enabled:
        yield ("no Defender for Cloud plan is enabled (security:Pricing with pricingTier 'Standard')", None)
    missing = [p for p in config["requiredPlans"] if p.lower() not in enabled]
    if enabled and missing:
        yield (f"Defender for Cloud plan(s) {', '.join(missing)} are not enabled at the Standard tier", None)


resource_group_locks = stack_policy(
    name="resource-group-locks",
    description="Every resource group the stack declares carries a CanNotDelete lock (where the environment "
                "requires it), so state survives a mistaken delete of the group or the stack.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Declare `authorization.ManagementLockAtResourceGroupLevel(resource_group_name=<group>.name, "
                "level='CanNotDelete', notes=<break-glass procedure>)` for each group; `requireResourceGroupLocks` "
                "is true in prod.",
    check=_resource_group_locks,
    config={"requireResourceGroupLocks": {"type": "boolean", "default": False}},
)


budget_exists = stack_policy(
    name="budget-exists",
    description="The stack declares a cost budget for the whole environment (unfiltered, or filtered to all of its "
                "resource groups).",
    checklist=["COST-1"],
    severity=Severity.MEDIUM,
    remediation="Declare a consumption:Budget (components/budget.py) for the environment with Actual and "
                "Forecasted notifications: no filter, or a ResourceGroupName filter listing every resource group of "
                "the stack. A budget filtered to some resources (components/token_budget.py) does not replace it.",
    check=_budget_exists,
)


azure_policy_assigned = stack_policy(
    name="azure-policy-assigned",
    description="The stack assigns Azure Policy, so the baseline also holds for changes made outside Pulumi.",
    checklist=["COMP-3"],
    severity=Severity.LOW,
    remediation="Declare an authorization:PolicyAssignment (e.g. the built-in 'Allowed locations' definition "
                "e56962a6-4747-49cd-b67b-bf8b01975c4c) at the resource group or subscription scope.",
    check=_policy_assigned,
    # Assignments often belong to a platform team's subscription baseline rather than the workload.
    level=EnforcementLevel.ADVISORY,
)


defender_plans_enabled = stack_policy(
    name="defender-plans-enabled",
    description="Defender for Cloud plans protect the workload's services.",
    checklist=["COMP-4"],
    severity=Severity.LOW,
    remediation="Declare security:Pricing resources with `pricing_tier='Standard'` for the plans in "
                "`requiredPlans` (e.g. AI, KeyVaults, StorageAccounts, Containers), or leave them to the "
                "subscription baseline and keep this advisory.",
    check=_defender_plans,
    config={"requiredPlans": {"type": "array", "items": {"type": "string"}, "default": []}},
    # Plans are subscription-wide; a workload stack usually inherits them.
    level=EnforcementLevel.ADVISORY,
)


POLICIES: list[Policy] = [
    resource_group_locks, budget_exists, azure_policy_assigned, defender_plans_enabled,
]
