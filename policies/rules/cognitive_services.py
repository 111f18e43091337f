"""Cognitive Services / Azure OpenAI accounts (cognitiveservices:Account) and their model deployments."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import VIOLATES, Row, closed, deny_by_default, equals, is_not, present, value_policy
from ..framework.inputs import UNKNOWN, get, number, text
from ..framework.values import show

# Where a deployment SKU may process prompts (https://learn.microsoft.com/azure/ai-foundry/openai/how-to/
# deployment-types): Global* anywhere Azure OpenAI runs, DataZone* inside the account's data zone (US or EU),
# the others in the account's region. `dataProcessing` in the config is the widest a stack accepts.
PROCESSING_SCOPES = ("regional", "datazone", "global")


def _processing_scope(sku: str) -> str:
    return "global" if sku.startswith("global") else "datazone" if sku.startswith("datazone") else "regional"


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


def _openai_data_processing(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = text(args.props, "sku", "name")
    allowed = str(config["dataProcessing"]).lower()
    if not isinstance(sku, str) or allowed not in PROCESSING_SCOPES:
        return
    scope = _processing_scope(sku)
    if PROCESSING_SCOPES.index(scope) > PROCESSING_SCOPES.index(allowed):
        yield (f"sku.name {show(get(args.props, 'sku', 'name'))} may process prompts outside the "
               f"{'data zone' if allowed == 'datazone' else 'region'} this stack must keep them in; use a "
               f"{'DataZone' if allowed == 'datazone' else 'Standard / ProvisionedManaged'} deployment type")


def _openai_version_pinned(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not config["requireNoAutoUpgrade"]:
        return
    option = text(args.props, "properties", "versionUpgradeOption")
    if option is not UNKNOWN and option != "noautoupgrade":
        shown = show(get(args.props, "properties", "versionUpgradeOption"), "OnceNewDefaultVersionAvailable")
        yield (f"properties.versionUpgradeOption is {shown}: Azure swaps the model version under a production "
               "workload; set 'NoAutoUpgrade' and move versions deliberately")


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


openai_deployment_content_filter = value_policy(
    name="openai-deployment-content-filter",
    description="Model deployments name their content filter (RAI policy), and it is not the unfiltered one.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `properties.rai_policy_name` to 'Microsoft.DefaultV2' or to a cognitiveservices:RaiPolicy of "
                "the account (https://learn.microsoft.com/azure/ai-foundry/openai/how-to/content-filters).",
    types=[T.OPENAI_DEPLOYMENT],
    rows=[
        Row(("properties", "raiPolicyName"), present(), absent=VIOLATES,
            message="properties.raiPolicyName is absent: which content filter applies is left to the account's "
                    "default; name it ('Microsoft.DefaultV2' or the account's RAI policy)"),
        Row(("properties", "raiPolicyName"), is_not("Microsoft.Nil"), absent=VIOLATES,
            message="{path} is {shown}: prompts and completions are not filtered"),
    ],
)


openai_deployment_data_processing = resource_policy(
    name="openai-deployment-data-processing",
    description="Model deployments process prompts only where the stack's data residency allows (COMP-1): no "
                "Global deployment types when the stack requires data-zone or regional processing.",
    checklist=["COMP-1"],
    severity=Severity.HIGH,
    remediation="Use a 'DataZoneStandard' / 'DataZoneProvisionedManaged' deployment (dataProcessing 'datazone') "
                "or 'Standard' / 'ProvisionedManaged' (dataProcessing 'regional').",
    types=[T.OPENAI_DEPLOYMENT],
    check=_openai_data_processing,
    config={"dataProcessing": {"type": "string", "enum": list(PROCESSING_SCOPES), "default": "global",
                               "description": "the widest processing scope allowed: global, datazone or regional"}},
)


openai_deployment_version_pinned = resource_policy(
    name="openai-deployment-version-pinned",
    description="Model deployments do not upgrade their model version automatically (where the environment "
                "requires it).",
    checklist=["REL-5"],
    severity=Severity.MEDIUM,
    remediation="Set `properties.version_upgrade_option='NoAutoUpgrade'` and pin `model.version`; absent, Azure uses "
                "'OnceNewDefaultVersionAvailable'.",
    types=[T.OPENAI_DEPLOYMENT],
    check=_openai_version_pinned,
    config={"requireNoAutoUpgrade": {"type": "boolean", "default": False}},
)


POLICIES: list[Policy] = [
    cognitive_services_private_access, cognitive_services_local_auth_disabled,
    cognitive_services_outbound_restricted, cognitive_services_custom_subdomain, openai_deployment_capacity,
    openai_deployment_content_filter, openai_deployment_data_processing, openai_deployment_version_pinned,
]
