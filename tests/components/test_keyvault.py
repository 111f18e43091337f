"""KeyVault: RBAC-only, private-only, purge-protected, audited; secrets only as Pulumi secrets."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pulumi
import pytest

from components.common import Common, PrivateLink, RoleGrant
from components.keyvault import KeyVault, KeyVaultArgs, KeyVaultError
from components.naming import NamingError, unique_name
from components.private_endpoint import PrivateLinkError
from components.rbac import ROLES, RoleError
from dryrun.mocks import TENANT_ID
from dryrun.model import SECRET_SIG, SIG_KEY
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config, walk

VAULT = T.KEY_VAULT
SECRET = T.KEY_VAULT_SECRET
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-eastus2/providers"
SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-private-endpoints"
ZONE_ID = f"{SUB}/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"
WORKSPACE = f"{SUB}/Microsoft.OperationalInsights/workspaces/law"
CHAT = "0d6f1c3a-2b4e-4c5d-8e9f-0a1b2c3d4e5f"
GATEWAY = "1e7a2d4b-3c5f-4d6e-9fa0-1b2c3d4e5f60"


def _common(stack: str, **changes: Any) -> Common:
    cfg = stack_config(stack)
    common = Common(
        resource_group_name="rg-eastus2", location="eastus2", tags=cfg.resource_tags(), workspace_id=WORKSPACE,
        private_link=PrivateLink(subnet_id=SUBNET, zone_ids={"privatelink.vaultcore.azure.net": ZONE_ID}),
        role_grants=[RoleGrant(principal_id=CHAT, role="Key Vault Secrets User", description="chat"),
                     RoleGrant(principal_id=GATEWAY, role="Key Vault Secrets User", description="gateway")],
        protect=cfg.protect,
    )
    return dataclasses.replace(common, **changes)


def _vault(stack: str, secrets: dict[str, str] | None = None, **changes: Any) -> tuple[Declared, dict[str, Any]]:
    cfg = stack_config(stack)
    outputs: dict[str, Any] = {}

    def build() -> None:
        vault = KeyVault("kv-eastus2", KeyVaultArgs(
            common=_common(stack, **changes), base_name=f"{cfg.name_prefix}-{cfg.environment}", stack=stack,
            tenant_id=TENANT_ID,
            sku="premium" if cfg.is_prod else "standard",
            secrets={"openai-api-key": "sk-test-value"} if secrets is None else secrets))
        pulumi.Output.all(id=vault.id, name=vault.name, uri=vault.uri, secret_uris=vault.secret_uris).apply(
            outputs.update)

    return declare(build, stack=stack), outputs


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, dict[str, Any]]:
    return _vault("prod")


def test_vault_is_rbac_only_private_and_purge_protected(prod) -> None:
    declared, _ = prod
    props = declared.inputs(VAULT)["properties"]
    assert props["tenantId"] == TENANT_ID
    assert props["enableRbacAuthorization"] is True
    assert "accessPolicies" not in props
    assert (props["enableSoftDelete"], props["softDeleteRetentionInDays"]) == (True, 90)
    assert props["enablePurgeProtection"] is True
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert (props["enabledForDeployment"], props["enabledForDiskEncryption"],
            props["enabledForTemplateDeployment"]) == (False, False, False)


@pytest.mark.parametrize(("stack", "sku", "protect"), [("prod", "premium", True), ("dev", "standard", False)])
def test_premium_and_protected_in_prod_only(stack: str, sku: str, protect: bool) -> None:
    declared, _ = _vault(stack)
    vault = declared.one(VAULT)
    assert declared.inputs(VAULT)["properties"]["sku"] == {"family": "A", "name": sku}
    assert vault.protect is protect
    # Only the vault holds state; endpoints, secrets (re-written from config) and grants do not.
    assert [r.name for r in declared.resources if r.protect] == (["kv-eastus2-vault"] if protect else [])


def _name(base_name: str = "aip-prod", location: str = "eastus2", stack: str = "prod",
          tenant: str = TENANT_ID) -> str:
    return unique_name("kv", base_name=base_name, location=location, stack=stack, tenant_id=tenant, max_length=24)


def test_name_is_globally_unique_valid_and_stable(prod) -> None:
    declared, outputs = prod
    name = declared.inputs(VAULT)["vaultName"]
    assert outputs["name"] == name == _name()
    assert re.fullmatch(r"kv-[a-z0-9-]{0,20}[a-z0-9]", name) and "--" not in name
    assert _vault("prod")[0].inputs(VAULT)["vaultName"] == name
    others = {_name(location="westus3"), _name(base_name="aip-dev"), _name(stack="prod-eu"),
              _name(tenant="00000000-0000-0000-0000-000000000000")}
    assert name not in others and len(others) == 4
    long = _name(base_name="a-very-long-name-prefix-for-the-org-prod", location="germanywestcentral")
    assert len(long) == 24 and re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", long) and "--" not in long


def test_private_endpoint_targets_the_vault(prod) -> None:
    declared, outputs = prod
    endpoint = declared.inputs(T.PRIVATE_ENDPOINT)
    connection = endpoint["privateLinkServiceConnections"][0]
    assert connection["privateLinkServiceId"] == outputs["id"]
    assert connection["groupIds"] == ["vault"]
    assert endpoint["subnet"]["id"] == SUBNET
    group = declared.inputs(T.DNS_ZONE_GROUP)
    assert [c["privateDnsZoneId"] for c in group["privateDnsZoneConfigs"]] == [ZONE_ID]


def test_zone_group_is_skipped_where_policy_manages_dns() -> None:
    declared, _ = _vault("dev", private_link=PrivateLink(subnet_id=SUBNET, zone_ids={}, zone_groups=False))
    assert len(declared.of_type(T.PRIVATE_ENDPOINT)) == 1
    assert not declared.of_type(T.DNS_ZONE_GROUP)


def test_audit_events_and_metrics_go_to_the_workspace(prod) -> None:
    declared, outputs = prod
    diag = declared.inputs(T.DIAGNOSTIC_SETTING)
    assert diag["resourceUri"] == outputs["id"]
    assert diag["workspaceId"] == WORKSPACE
    assert diag["logs"] == [{"category": "AuditEvent", "enabled": True}]
    assert diag["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_secrets_are_written_only_as_pulumi_secrets(prod) -> None:
    declared, outputs = prod
    secret = declared.one(SECRET)
    value = secret.inputs["properties"]["value"]
    assert value[SIG_KEY] == SECRET_SIG  # what the engine receives: encrypted in state, masked in output
    assert declared.inputs(SECRET)["secretName"] == "openai-api-key"
    assert declared.inputs(SECRET)["vaultName"] == outputs["name"]
    assert outputs["secret_uris"] == {"openai-api-key": f"https://{outputs['name']}.vault.azure.net/secrets/openai-api-key"}
    assert "sk-test-value" not in [v for v in walk(outputs) if isinstance(v, str)]


def test_role_grants_are_resource_scoped_service_principals(prod) -> None:
    declared, outputs = prod
    assignments = {r.name: declared.inputs(r.type, r.name)
                   for r in declared.of_type(T.ROLE_ASSIGNMENT)}
    assert set(assignments) == {"kv-eastus2-key-vault-secrets-user-chat", "kv-eastus2-key-vault-secrets-user-gateway"}
    for assignment in assignments.values():
        assert assignment["scope"] == outputs["id"]
        assert assignment["principalType"] == "ServicePrincipal"
        assert assignment["roleDefinitionId"].endswith(ROLES["Key Vault Secrets User"])
    assert {a["principalId"] for a in assignments.values()} == {CHAT, GATEWAY}


def test_outputs_and_parents(prod) -> None:
    declared, outputs = prod
    assert outputs["uri"] == f"https://{outputs['name']}.vault.azure.net/"
    component = declared.one("ai-platform:keyvault:KeyVault")
    endpoint = declared.one(T.PRIVATE_ENDPOINT)
    for r in declared.resources:
        if r is not component:
            # The zone group hangs off its endpoint; everything else off the component.
            assert r.parent == (endpoint.urn if r.type == T.DNS_ZONE_GROUP else component.urn)
    assert all(declared.inputs(r.type, r.name)["tags"] == stack_config("prod").resource_tags()
               for r in declared.resources if r.type in (VAULT, SECRET, T.PRIVATE_ENDPOINT))


def _refused(error: type[Exception], secrets: dict[str, str] | None = None, tenant: str = TENANT_ID,
             base_name: str = "aip-dev", **changes: Any) -> str:
    errors: list[Exception] = []

    def build() -> None:
        try:
            KeyVault("kv", KeyVaultArgs(common=_common("dev", **changes), base_name=base_name, stack="dev",
                                        tenant_id=tenant, secrets=secrets or {}))
        except error as exc:
            errors.append(exc)

    assert not declare(build, stack="dev").resources  # refused before anything is declared
    assert len(errors) == 1
    return str(errors[0])


def test_bad_input_is_refused_before_anything_is_declared() -> None:
    assert "no private endpoint subnet" in _refused(PrivateLinkError, private_link=None)
    assert "privatelink.vaultcore.azure.net" in _refused(
        PrivateLinkError, private_link=PrivateLink(subnet_id=SUBNET, zone_ids={}))
    assert "secret name 'openai_key' is invalid" in _refused(KeyVaultError, secrets={"openai_key": "x"})
    assert "differ only in case" in _refused(KeyVaultError, secrets={"Api-Key": "a", "api-key": "b"})
    assert "is not a GUID" in _refused(KeyVaultError, tenant="contoso.onmicrosoft.com")
    assert "base_name 'AIP_dev'" in _refused(NamingError, base_name="AIP_dev")
    assert "privileged" in _refused(RoleError, role_grants=[RoleGrant(principal_id=CHAT, role="Owner",
                                                                       description="chat")])
