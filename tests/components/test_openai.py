"""SecureOpenAI: keyless, private, serialized deployments, per-environment capacity."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import pytest

from components.common import Common, RoleGrant
from components.openai import DEPLOYMENT_TIMEOUTS, SecureOpenAI, SecureOpenAIArgs
from components.private_endpoint import ZONES_BY_GROUP, PrivateLinkError
from components.rbac import ROLES, RoleError
from dryrun.mocks import TENANT_ID
from policies.azure import types as T
from tests.components.common_inputs import LINK, WORKSPACE, config_problems, make_common, resolve
from tests.harness import Declared, declare, stack_config, walk

ACCOUNT = T.COGNITIVE_ACCOUNT
DEPLOYMENT = T.OPENAI_DEPLOYMENT
ENDPOINT = T.PRIVATE_ENDPOINT
ZONE_GROUP = T.DNS_ZONE_GROUP
ROLE = T.ROLE_ASSIGNMENT
DIAG = T.DIAGNOSTIC_SETTING
CONSUMERS = {"chat": "11111111-1111-1111-1111-111111111111", "api-gateway": "22222222-2222-2222-2222-222222222222"}


def _build(stack: str = "prod", common: Common | None = None,
           tenant_id: str | None = None) -> tuple[Declared, SecureOpenAI]:
    cfg = stack_config(stack)
    built: list[SecureOpenAI] = []

    def build() -> None:
        built.append(SecureOpenAI("openai", SecureOpenAIArgs(
            common=common or make_common(protect=cfg.protect), config=cfg.openai,
            base_name=f"{cfg.name_prefix}-{cfg.environment}", stack=stack, tenant_id=tenant_id or TENANT_ID,
            consumers=CONSUMERS)))

    return declare(build), built[0]


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, SecureOpenAI]:
    return _build("prod")


def test_account_is_keyless_private_and_identified(prod: tuple[Declared, SecureOpenAI]) -> None:
    declared, _ = prod
    account = declared.inputs(ACCOUNT)
    props = account["properties"]
    assert account["kind"] == "OpenAI" and account["sku"] == {"name": "S0"}
    assert props["disableLocalAuth"] is True
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "None", "ipRules": [],
                                    "virtualNetworkRules": []}
    assert props["restrictOutboundNetworkAccess"] is True and props["allowedFqdnList"] == []
    assert account["identity"] == {"type": "SystemAssigned"}
    assert account["tags"] == make_common().tags
    assert account["location"] == "eastus2" and account["resourceGroupName"] == "rg-test"


def test_subdomain_is_a_stable_global_dns_label(prod: tuple[Declared, SecureOpenAI]) -> None:
    account = prod[0].inputs(ACCOUNT)
    subdomain = account["properties"]["customSubDomainName"]
    assert subdomain == account["accountName"]
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9]|-(?!-)){0,62}[a-z0-9]", subdomain)
    assert subdomain.startswith("oai-aip-prod-eastus2-")
    assert _build("prod")[0].inputs(ACCOUNT)["accountName"] == subdomain
    assert _build("dev")[0].inputs(ACCOUNT)["accountName"] != subdomain
    # Another organisation deploying this code with the same prefix and stack gets another name.
    other_tenant = "99999999-9999-9999-9999-999999999999"
    assert _build("prod", tenant_id=other_tenant)[0].inputs(ACCOUNT)["accountName"] != subdomain


def test_deployments_are_created_one_at_a_time(prod: tuple[Declared, SecureOpenAI]) -> None:
    declared, component = prod
    deployments = declared.of_type(DEPLOYMENT)
    account = declared.one(ACCOUNT)
    assert [d.name for d in deployments] == ["openai-chat", "openai-embeddings"]
    assert not any(d.urn in deployments[0].dependencies for d in deployments)
    for previous, current in pairwise(deployments):
        assert previous.urn in current.dependencies
    for deployment in deployments:
        assert account.urn in deployment.property_dependencies["accountName"]
        assert deployment.parent == account.parent
        assert deployment.custom_timeouts == {"create": DEPLOYMENT_TIMEOUTS.create,
                                              "update": DEPLOYMENT_TIMEOUTS.update,
                                              "delete": DEPLOYMENT_TIMEOUTS.delete}
    assert resolve(component.deployment_names) == ["chat", "embeddings"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_deployments_follow_the_stack_config(stack: str) -> None:
    cfg = stack_config(stack)
    declared, _ = _build(stack)
    for model in cfg.openai.deployments:
        inputs = declared.inputs(DEPLOYMENT, f"openai-{model.name}")
        assert inputs["deploymentName"] == model.name
        assert inputs["sku"] == {"name": model.sku, "capacity": model.capacity}
        assert inputs["properties"] == {
            "model": {"format": "OpenAI", "name": model.model, "version": model.version},
            "versionUpgradeOption": cfg.openai.version_upgrade_option,
            "raiPolicyName": model.rai_policy,
        }


def test_dev_and_prod_differ_as_configured() -> None:
    dev, prod = _build("dev")[0], _build("prod")[0]
    assert dev.inputs(DEPLOYMENT, "openai-chat")["sku"] == {"name": "GlobalStandard", "capacity": 10}
    assert prod.inputs(DEPLOYMENT, "openai-chat")["sku"] == {"name": "DataZoneStandard", "capacity": 100}
    assert prod.inputs(DEPLOYMENT, "openai-chat")["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"
    assert dev.inputs(DEPLOYMENT, "openai-chat")["properties"]["versionUpgradeOption"] == \
        "OnceNewDefaultVersionAvailable"
    assert prod.one(ACCOUNT).protect and not dev.one(ACCOUNT).protect
    # Deployments hold no data: removing one from config must not need an unprotect first.
    assert not any(d.protect for d in prod.of_type(DEPLOYMENT))


def test_private_endpoint_waits_for_the_last_deployment(prod: tuple[Declared, SecureOpenAI]) -> None:
    declared, _ = prod
    account_id = declared.one(ACCOUNT).urn
    endpoint = declared.one(ENDPOINT)
    connection = declared.inputs(ENDPOINT)["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["account"]
    assert connection["privateLinkServiceId"].endswith("/Microsoft.CognitiveServices/accounts/"
                                                       + declared.inputs(ACCOUNT)["accountName"])
    deps = endpoint.property_dependencies["privateLinkServiceConnections"]
    assert account_id in deps and declared.of_type(DEPLOYMENT)[-1].urn in deps
    zones = [c["privateDnsZoneId"] for c in declared.inputs(ZONE_GROUP)["privateDnsZoneConfigs"]]
    assert zones == [LINK.zone_ids[z] for z in ZONES_BY_GROUP["account"]]


def test_consumers_get_openai_user_on_the_account_only(prod: tuple[Declared, SecureOpenAI]) -> None:
    declared, _ = prod
    account_id = resolve(prod[1].account_id)
    assert {r.name for r in declared.of_type(ROLE)} == {f"openai-cognitive-services-openai-user-{c}" for c in CONSUMERS}
    for consumer, principal in CONSUMERS.items():
        inputs = declared.inputs(ROLE, f"openai-cognitive-services-openai-user-{consumer}")
        assert inputs["scope"] == account_id
        assert inputs["principalId"] == principal and inputs["principalType"] == "ServicePrincipal"
        assert inputs["roleDefinitionId"].endswith(ROLES["Cognitive Services OpenAI User"])


def test_common_role_grants_are_applied_and_checked() -> None:
    extra = RoleGrant(principal_id="33333333-3333-3333-3333-333333333333", role="Monitoring Metrics Publisher",
                      description="functions")
    declared, _ = _build("prod", make_common(role_grants=[extra]))
    inputs = declared.inputs(ROLE, "openai-monitoring-metrics-publisher-functions")
    assert inputs["roleDefinitionId"].endswith(ROLES[extra.role]) and inputs["principalId"] == extra.principal_id
    with pytest.raises(RoleError, match="privileged"):
        _build("prod", make_common(role_grants=[RoleGrant(principal_id=extra.principal_id, role="Owner",
                                                          description="chat")]))
    # A consumer listed again as a role grant would be the same Azure assignment declared twice.
    with pytest.raises(RoleError, match="repeats role"):
        _build("prod", make_common(role_grants=[RoleGrant(principal_id=CONSUMERS["chat"],
                                                          role="Cognitive Services OpenAI User",
                                                          description="chat")]))


def test_audit_logs_and_metrics_go_to_the_workspace(prod: tuple[Declared, SecureOpenAI]) -> None:
    declared, component = prod
    diag = declared.inputs(DIAG)
    assert diag["resourceUri"] == resolve(component.account_id)
    assert diag["workspaceId"] == WORKSPACE
    assert {log["category"] for log in diag["logs"]} == {"Audit", "RequestResponse", "Trace"}
    assert all(log["enabled"] for log in diag["logs"])
    assert diag["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_outputs_name_the_endpoint_and_never_a_key(prod: tuple[Declared, SecureOpenAI]) -> None:
    declared, component = prod
    subdomain = declared.inputs(ACCOUNT)["accountName"]
    outputs = resolve({"endpoint": component.endpoint, "accountId": component.account_id,
                       "accountName": component.account_name, "deploymentNames": component.deployment_names,
                       "principalId": component.principal_id})
    assert outputs["endpoint"] == f"https://{subdomain}.openai.azure.com/"
    assert outputs["accountName"] == subdomain and outputs["accountId"].endswith(f"/accounts/{subdomain}")
    assert re.fullmatch(r"[0-9a-f-]{36}", outputs["principalId"])
    assert not [v for v in walk(outputs) if isinstance(v, str) and "key" in v.lower()]
    # Nothing the component declares reads or stores a key.
    for resource in declared.resources:
        for value in walk(resource.inputs):
            if isinstance(value, dict):
                assert not [k for k in value if "key" in k.lower()], resource.name
            assert not (isinstance(value, str) and "listkeys" in value.lower()), resource.name


def test_missing_private_link_is_refused() -> None:
    with pytest.raises(PrivateLinkError, match="private endpoint"):
        _build("prod", make_common(private_link=None))


def test_config_rejects_zero_capacity_and_unknown_sku() -> None:
    def zero(openai: dict[str, Any]) -> None:
        openai["deployments"][0]["capacity"] = 0

    def unknown(openai: dict[str, Any]) -> None:
        openai["deployments"][1]["sku"] = "Premium"

    assert "greater than 0" in config_problems("dev", "openai", zero)["openai.deployments[0].capacity"]
    message = config_problems("prod", "openai", unknown)["openai.deployments[1].sku"]
    assert "'Premium' is not allowed" in message and "GlobalStandard" in message
