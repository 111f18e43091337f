"""Specification of policies/rules/cognitive_services.py (`cognitive-services-private-access`,
`cognitive-services-local-auth-disabled`, `cognitive-services-outbound-restricted`,
`cognitive-services-custom-subdomain`, `openai-deployment-capacity`,
`openai-deployment-content-filter`, `openai-deployment-data-processing`,
`openai-deployment-version-pinned`): what each policy accepts and what it reports, on resources
declared with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.cognitiveservices as cognitiveservices

from dryrun.model import Resource
from policies.rules.cognitive_services import (
    cognitive_services_custom_subdomain,
    cognitive_services_local_auth_disabled,
    cognitive_services_outbound_restricted,
    cognitive_services_private_access,
    openai_deployment_capacity,
    openai_deployment_content_filter,
    openai_deployment_data_processing,
    openai_deployment_version_pinned,
)
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, evaluate, file_config, names, sdk_resources, table_tests

DATA_ZONE = file_config({"openai-deployment-data-processing": {"dataProcessing": "datazone"}})

REGIONAL = file_config({"openai-deployment-data-processing": {"dataProcessing": "regional"}})

PINNED = file_config({"openai-deployment-version-pinned": {"requireNoAutoUpgrade": True}})


def deployment(**overrides: Any) -> s.Program:
    args = {"sku": "DataZoneStandard", "rai_policy_name": "Microsoft.DefaultV2",
            "version_upgrade_option": "NoAutoUpgrade", **overrides}
    sku = args.pop("sku")
    return lambda: cognitiveservices.Deployment(
        "chat", resource_group_name=s.RG, account_name="oai-aip-prod-eus2", deployment_name="chat",
        sku=cognitiveservices.SkuArgs(name=sku, capacity=50),
        properties=cognitiveservices.DeploymentPropertiesArgs(
            model=cognitiveservices.DeploymentModelArgs(format="OpenAI", name="gpt-4o", version="2024-11-20"), **args))


RG = "rg-cost"


def _deployment(capacity: int | None) -> list[Resource]:
    return sdk_resources(lambda: cognitiveservices.Deployment(
        "chat", resource_group_name=RG, account_name="oai", deployment_name="chat",
        sku=cognitiveservices.SkuArgs(name="GlobalStandard", capacity=capacity),
        properties=cognitiveservices.DeploymentPropertiesArgs(
            model=cognitiveservices.DeploymentModelArgs(format="OpenAI", name="gpt-4o", version="2024-11-20"))))


# (policy, compliant program[, config])
PASSING = [
    (cognitive_services_private_access, s.openai_account()),
    (cognitive_services_local_auth_disabled, s.openai_account()),
    (cognitive_services_outbound_restricted, s.openai_account()),
    (cognitive_services_outbound_restricted, s.openai_account(allowed_fqdn_list=["api.contoso.com"])),
    (cognitive_services_custom_subdomain, s.openai_account()),
    (openai_deployment_content_filter, deployment()),
    (openai_deployment_data_processing, deployment(), DATA_ZONE),
    (openai_deployment_data_processing, deployment(sku="GlobalStandard")),  # the default allows Global
    (openai_deployment_data_processing, deployment(sku="Standard"), REGIONAL),
    (openai_deployment_version_pinned, deployment(), PINNED),
    (openai_deployment_version_pinned, deployment(version_upgrade_option=None)),  # not required by default
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (cognitive_services_private_access, s.openai_account(public_network_access="Enabled"), "is 'Enabled'"),
    (cognitive_services_private_access, s.openai_account(public_network_access=None),
     "publicNetworkAccess is absent (Azure's default: Enabled)"),
    (cognitive_services_private_access, s.openai_account(network_acls=None),
     "defaultAction is absent (Azure's default: Allow)"),
    (cognitive_services_local_auth_disabled, s.openai_account(disable_local_auth=False), "API keys"),
    (cognitive_services_local_auth_disabled, s.openai_account(disable_local_auth=None), "API keys"),
    (cognitive_services_outbound_restricted, s.openai_account(restrict_outbound_network_access=False),
     "restrictOutboundNetworkAccess is 'False'"),
    (cognitive_services_outbound_restricted, s.openai_account(restrict_outbound_network_access=None),
     "absent (Azure's default: false)"),
    (cognitive_services_custom_subdomain, s.openai_account(custom_sub_domain_name=None), "customSubDomainName"),
    (openai_deployment_content_filter, deployment(rai_policy_name=None), "raiPolicyName is absent"),
    (openai_deployment_content_filter, deployment(rai_policy_name="Microsoft.Nil"), "not filtered"),
    (openai_deployment_data_processing, deployment(sku="GlobalStandard"), DATA_ZONE, "outside the data zone"),
    (openai_deployment_data_processing, deployment(sku="DataZoneStandard"), REGIONAL, "outside the region"),
    (openai_deployment_version_pinned, deployment(version_upgrade_option=None), PINNED,
     "absent (Azure's default: OnceNewDefaultVersionAvailable)"),
    (openai_deployment_version_pinned, deployment(version_upgrade_option="OnceCurrentVersionExpired"), PINNED,
     "'OnceCurrentVersionExpired'"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [cognitive_services_private_access, cognitive_services_local_auth_disabled,
    cognitive_services_outbound_restricted, cognitive_services_custom_subdomain, openai_deployment_content_filter,
    openai_deployment_data_processing, openai_deployment_version_pinned]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_openai_capacity_violates_when_above_the_dev_limit() -> None:
    dev = env_config("dev", openai_deployment_capacity)
    assert names(evaluate([openai_deployment_capacity], _deployment(100), dev)) == {"openai-deployment-capacity"}


def test_openai_capacity_violates_when_capacity_absent() -> None:
    found = evaluate([openai_deployment_capacity], _deployment(None))
    assert names(found) == {"openai-deployment-capacity"} and "explicit sku.capacity" in found[0].message


def test_openai_capacity_passes_within_each_environments_limit() -> None:
    policies = [openai_deployment_capacity]
    assert evaluate(policies, _deployment(10), env_config("dev", openai_deployment_capacity)) == []
    assert evaluate(policies, _deployment(100), env_config("prod", openai_deployment_capacity)) == []
