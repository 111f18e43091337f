"""Governance the stack applies to itself: Azure Policy's "Allowed locations" on every resource
group (COMP-1, COMP-3) and Defender for Cloud plans on the subscription (COMP-4).

The policy pack checks changes made through Pulumi; the assignment also stops a portal click or a
script from creating resources outside the allowed regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.security as security

from stack_config.model import Governance as GovernanceConfig

from .common import Common

# Defender for Storage's current plan, set explicitly rather than left to the server's default: the
# per-transaction (classic) plan is retired, and IaC enablement documents `subPlan:
# DefenderForStorageV2` (learn.microsoft.com/azure/defender-for-cloud/tutorial-enable-storage-plan,
# "Enable and configure with IaC" / the Microsoft.Security/pricings ARM template).
SUB_PLANS = {"StorageAccounts": "DefenderForStorageV2"}

# Built-in "Allowed locations"; it exempts resource groups and location "global" by itself.
ALLOWED_LOCATIONS_DEFINITION = (
    "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c")


@dataclass(frozen=True)
class GovernanceArgs:
    common: Common
    config: GovernanceConfig
    # Every resource group of the environment; the first one's subscription gets the Defender plans.
    resource_group_ids: Sequence[pulumi.Input[str]]
    allowed_locations: Sequence[str]


class Governance(pulumi.ComponentResource):
    assignment_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: GovernanceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:governance:Governance", name, None, opts)
        self.assignment_ids = []
        if args.config.assign_allowed_locations:
            for index, group_id in enumerate(args.resource_group_ids):
                assignment = authorization.PolicyAssignment(
                    f"{name}-allowed-locations-{index}",
                    policy_assignment_name="allowed-locations",
                    display_name="Allowed locations (ai-platform data residency)",
                    scope=group_id,
                    policy_definition_id=ALLOWED_LOCATIONS_DEFINITION,
                    enforcement_mode=authorization.EnforcementMode.DEFAULT,
                    parameters={"listOfAllowedLocations": authorization.ParameterValuesValueArgs(
                        value=list(args.allowed_locations))},
                    non_compliance_messages=[authorization.NonComplianceMessageArgs(
                        message="ai-platform keeps data in its allowed locations; deploy to one of them.")],
                    opts=pulumi.ResourceOptions(parent=self))
                self.assignment_ids.append(assignment.id)
        subscription = pulumi.Output.from_input(args.resource_group_ids[0]).apply(
            lambda group_id: "/".join(group_id.split("/")[:3]))
        for plan in args.config.defender_plans:
            security.Pricing(
                f"{name}-defender-{plan.lower()}",
                pricing_name=plan,
                pricing_tier=security.PricingTier.STANDARD,
                sub_plan=SUB_PLANS.get(plan),
                scope_id=subscription,
                # Plans are subscription-wide: keep them when this stack is destroyed.
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True))
        self.register_outputs({"assignmentIds": self.assignment_ids})
