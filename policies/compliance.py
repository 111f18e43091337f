"""Compliance (COMP-*): data residency, tagging baseline and governance resources in the stack.

TLS floors (COMP-4) are checked per service in security.py; whether the stack assigns Azure Policy
or enables Defender plans at all is a stack policy (stack.py)."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from .framework import Config, resource_policy
from .inputs import UNKNOWN, get, text

# Types whose Args accept `tags` (checked against the SDK by tests/policies/test_compliance.py).
TAGGABLE = frozenset({
    "azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork",
    "azure-native:network:NetworkSecurityGroup", "azure-native:network:PrivateEndpoint",
    "azure-native:network:PublicIPAddress", "azure-native:network:ApplicationGateway",
    "azure-native:network:WebApplicationFirewallPolicy", "azure-native:privatedns:PrivateZone",
    "azure-native:keyvault:Vault", "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:cognitiveservices:Account", "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redis:Redis", "azure-native:app:ManagedEnvironment", "azure-native:app:ContainerApp",
    "azure-native:operationalinsights:Workspace", "azure-native:applicationinsights:Component",
    "azure-native:applicationinsights:Workbook", "azure-native:monitor:MetricAlert",
    "azure-native:monitor:ActionGroup", "azure-native:storage:StorageAccount",
    "azure-native:eventhub:Namespace", "azure-native:servicebus:Namespace",
    "azure-native:web:AppServicePlan", "azure-native:web:WebApp",
    "azure-native:trafficmanager:Profile", "azure-native:dataprotection:BackupVault",
})

# Locations that are not regions: global resources have no residency of their own.
_NON_REGIONAL = frozenset({"global", ""})


def _required_tags(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    tags = args.props.get("tags") or {}
    missing = [t for t in config["requiredTags"] if not str(tags.get(t, "")).strip()]
    if missing:
        yield f"missing required tag(s) {', '.join(missing)}"


def _allowed_location(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    allowed = [str(x).lower() for x in config["allowedLocations"]]
    location = str(args.props.get("location") or "").lower().replace(" ", "")
    if allowed and location not in _NON_REGIONAL and location not in allowed:
        yield f"location '{location}' is outside the allowed locations {allowed}"


def _defender_standard(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    tier = text(args.props, "pricingTier")
    if tier is not UNKNOWN and tier != "standard":
        yield f"Defender plan '{get(args.props, 'pricingName')}' is on the '{get(args.props, 'pricingTier')}' tier"


def _assignment_enforced(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if text(args.props, "enforcementMode") == "donotenforce":
        yield "the policy assignment only audits (enforcementMode DoNotEnforce); non-compliant changes still deploy"


required_tags = resource_policy(
    name="required-tags",
    description="Taggable resources carry the baseline tags (environment, owner, cost-center).",
    checklist=["COMP-4"],
    severity=Severity.MEDIUM,
    remediation="Add the missing tags to the resource (the components take them from `ai-platform:tags`; "
                "resources outside them need `tags={...}`), or change `requiredTags` in the pack config.",
    types=TAGGABLE,
    check=_required_tags,
    config={"requiredTags": {"type": "array", "items": {"type": "string"},
                             "default": ["environment", "owner", "cost-center"]}},
)

allowed_locations = resource_policy(
    name="allowed-locations",
    description="Every regional resource is in an allowed location (data residency).",
    checklist=["COMP-1"],
    severity=Severity.HIGH,
    remediation="Deploy the resource to one of `allowedLocations` (set per environment in "
                "policies/config/<env>.json), or extend that list after a residency review.",
    types=None,
    check=_allowed_location,
    config={"allowedLocations": {"type": "array", "items": {"type": "string"}, "default": []}},
)

defender_plan_standard = resource_policy(
    name="defender-plan-standard",
    description="Defender for Cloud plans declared by the stack are on the Standard tier.",
    checklist=["COMP-4"],
    severity=Severity.MEDIUM,
    remediation="Set `pricing_tier='Standard'` on the security:Pricing resource (the Free tier only assesses "
                "posture; it does not detect threats).",
    types=["azure-native:security:Pricing"],
    check=_defender_standard,
)

policy_assignment_enforced = resource_policy(
    name="policy-assignment-enforced",
    description="Azure Policy assignments declared by the stack enforce their effect.",
    checklist=["COMP-3"],
    severity=Severity.MEDIUM,
    remediation="Set `enforcement_mode='Default'` on the authorization:PolicyAssignment once its audit results "
                "are clean.",
    types=["azure-native:authorization:PolicyAssignment"],
    check=_assignment_enforced,
)

POLICIES: list[Policy] = [required_tags, allowed_locations, defender_plan_standard, policy_assignment_enforced]
