"""Cognitive Services / Azure OpenAI accounts (cognitiveservices:Account) and their model deployments."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import VIOLATES, Row, closed, deny_by_default, equals, present, value_policy
from ..framework.inputs import UNKNOWN, number


def _openai_capacity(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    capacity = number(args.props, "sku", "capacity")
    if capacity is UNKNOWN:
        return
    if capacity is None:
        yield "the deployment has no explicit sku.capacity (thousands of tokens per minute)"
        return
    limit = config["maxCapacity"]
    if limit and capacity > limit:
        yield f"sku.capacity {capacity:g}K TPM exceeds this environment's maximum of {limit}K"


cognitive_services_private_access = value_policy(
    name="cognitive-services-private-access",
    description="Cognitive Services / Azure OpenAI accounts are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `properties.public_network_access='Disabled'` and "
                "`properties.network_acls=NetworkRuleSetArgs(default_action='Deny')`, and add a private endpoint "
                "(group 'account') with the privatelink.openai/cognitiveservices/services.ai DNS zones.",
    types=[T.COGNITIVE_ACCOUNT],
    rows=[
        closed("properties", "publicNetworkAccess"), deny_by_default("properties", "networkAcls", "defaultAction"),
    ],
)


cognitive_services_local_auth_disabled = value_policy(
    name="cognitive-services-local-auth-disabled",
    description="Cognitive Services / Azure OpenAI accounts accept Entra ID tokens only, no API keys.",
    checklist=["SEC-1", "SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `properties.disable_local_auth=True` and grant callers 'Cognitive Services OpenAI User' on "
                "the account; nothing then needs `listKeys()`.",
    types=[T.COGNITIVE_ACCOUNT],
    rows=[
        Row(("properties", "disableLocalAuth"), equals(True), absent=VIOLATES,
            message="API keys are accepted (properties.disableLocalAuth is not true); authenticate with Entra ID only"),
    ],
)


cognitive_services_outbound_restricted = value_policy(
    name="cognitive-services-outbound-restricted",
    description="Cognitive Services / Azure OpenAI accounts call out only to listed hosts (data exfiltration guard).",
    checklist=["SEC-3"],
    severity=Severity.HIGH,
    remediation="Set `properties.restrict_outbound_network_access=True` and `properties.allowed_fqdn_list` to the "
                "hosts the account must reach (empty if none).",
    types=[T.COGNITIVE_ACCOUNT],
    rows=[
        Row(("properties", "restrictOutboundNetworkAccess"), equals(True), absent=VIOLATES, default="false",
            message="{path} is {shown}: the account can send data to any host; set it to true and list the hosts it "
                    "needs in properties.allowedFqdnList"),
    ],
)


cognitive_services_custom_subdomain = value_policy(
    name="cognitive-services-custom-subdomain",
    description="Cognitive Services accounts have a custom subdomain (required for Entra ID and private endpoints).",
    checklist=["SEC-1", "SEC-3"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.custom_sub_domain_name` to a globally unique name (it cannot be changed later).",
    types=[T.COGNITIVE_ACCOUNT],
    rows=[
        Row(("properties", "customSubDomainName"), present(), absent=VIOLATES,
            message="properties.customSubDomainName is not set; Entra ID tokens and private endpoints need the "
                    "account's own subdomain"),
    ],
)


openai_deployment_capacity = resource_policy(
    name="openai-deployment-capacity",
    description="Model deployments declare their capacity (TPM), within the environment's maximum.",
    checklist=["COST-2", "PERF-6"],
    severity=Severity.MEDIUM,
    remediation="Set `sku=SkuArgs(name=..., capacity=<thousands of TPM>)` from the stack config, at most "
                "`maxCapacity` (0 = no limit) for this environment.",
    types=[T.OPENAI_DEPLOYMENT],
    check=_openai_capacity,
    config={"maxCapacity": {"type": "number", "minimum": 0, "default": 0}},
)


POLICIES: list[Policy] = [
    cognitive_services_private_access, cognitive_services_local_auth_disabled,
    cognitive_services_outbound_restricted, cognitive_services_custom_subdomain, openai_deployment_capacity,
]
