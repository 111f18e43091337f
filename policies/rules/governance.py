"""Governance resources the stack declares: Defender for Cloud plans (security:Pricing) and Azure
Policy assignments (authorization:PolicyAssignment). Whether the stack has them at all is
relations/governance.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, Row, is_not, value_policy
from ..framework.inputs import UNKNOWN, get, text


def _defender_standard(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    tier = text(args.props, "pricingTier")
    if tier is not UNKNOWN and tier != "standard":
        yield f"Defender plan '{get(args.props, 'pricingName')}' is on the '{get(args.props, 'pricingTier')}' tier"


defender_plan_standard = resource_policy(
    name="defender-plan-standard",
    description="Defender for Cloud plans declared by the stack are on the Standard tier.",
    checklist=["COMP-4"],
    severity=Severity.MEDIUM,
    remediation="Set `pricing_tier='Standard'` on the security:Pricing resource (the Free tier only assesses "
                "posture; it does not detect threats).",
    types=[T.DEFENDER_PRICING],
    check=_defender_standard,
)


policy_assignment_enforced = value_policy(
    name="policy-assignment-enforced",
    description="Azure Policy assignments declared by the stack enforce their effect.",
    checklist=["COMP-3"],
    severity=Severity.MEDIUM,
    remediation="Set `enforcement_mode='Default'` on the authorization:PolicyAssignment once its audit results "
                "are clean.",
    types=[T.POLICY_ASSIGNMENT],
    rows=[
        Row(("enforcementMode",), is_not("DoNotEnforce"), absent=COMPLIES,
            message="the policy assignment only audits (enforcementMode DoNotEnforce); non-compliant changes still "
                    "deploy"),
    ],
)


POLICIES: list[Policy] = [
    defender_plan_standard, policy_assignment_enforced,
]
