"""rbac: built-in roles by name, resource scope only, deterministic names, privileged roles refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native.keyvault as keyvault
import pytest
from pulumi.runtime.settings import SETTINGS

from components.common import RoleGrant
from components.rbac import PRIVILEGED, ROLES, RoleError, assignment_name, grant, grant_all
from dryrun.mocks import SUBSCRIPTION_ID
from policies.azure import types as T
from tests.harness import Declared, declare

ASSIGNMENT = T.ROLE_ASSIGNMENT
RG = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-ai"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/kv-one"
CHAT = "0d6f1c3a-2b4e-4c5d-8e9f-0a1b2c3d4e5f"
API = "1e7a2d4b-3c5f-4d6e-9fa0-1b2c3d4e5f60"


class Owner(pulumi.ComponentResource):
    def __init__(self) -> None:
        super().__init__("test:rbac:Owner", "owner")


def _declare(body: Callable[[Owner], Any]) -> Declared:
    return declare(lambda: body(Owner()))


def _assignments(declared: Declared) -> dict[str, dict[str, Any]]:
    return {r.name: declared.inputs(ASSIGNMENT, r.name) for r in declared.of_type(ASSIGNMENT)}


def test_the_issue_role_ids_and_no_privileged_role_in_the_table() -> None:
    assert ROLES["Cognitive Services OpenAI User"] == "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
    assert not set(ROLES) & set(PRIVILEGED)
    assert not set(ROLES.values()) & set(PRIVILEGED.values())


def test_assignment_is_resource_scoped_service_principal() -> None:
    declared = _declare(lambda p: grant("chat-kv", scope=VAULT, principal_id=CHAT, role="Key Vault Secrets User",
                                        parent=p))
    assignment = declared.inputs(ASSIGNMENT)
    assert assignment["scope"] == VAULT
    assert assignment["principalId"] == CHAT
    # ServicePrincipal lets ARM skip the Entra lookup that fails while a new identity replicates.
    assert assignment["principalType"] == "ServicePrincipal"
    assert assignment["roleDefinitionId"] == (
        f"/subscriptions/{SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/"
        f"{ROLES['Key Vault Secrets User']}")
    assert assignment["roleAssignmentName"] == assignment_name(VAULT, CHAT, "Key Vault Secrets User")
    assert declared.one(ASSIGNMENT).parent == declared.one("test:rbac:Owner").urn


def test_names_are_deterministic_and_stable_across_runs() -> None:
    def run() -> str:
        declared = _declare(lambda p: grant("g", scope=VAULT, principal_id=CHAT, role="AcrPull", parent=p))
        return declared.inputs(ASSIGNMENT)["roleAssignmentName"]

    first = run()
    assert run() == first
    assert uuid.UUID(first).version == 5
    # ARM ids are case-insensitive: the same scope in another case is the same assignment.
    assert assignment_name(VAULT.upper(), CHAT, "AcrPull") == first
    assert len({first, assignment_name(VAULT, API, "AcrPull"), assignment_name(VAULT, CHAT, "Storage Blob Data Reader"),
                assignment_name(f"{VAULT}2", CHAT, "AcrPull")}) == 4


def test_scope_from_another_resource_is_wired_and_named_from_its_id() -> None:
    def body(p: Owner) -> None:
        vault = keyvault.Vault("kv", vault_name="kv-one", resource_group_name="rg-ai", location="eastus2",
                               properties=keyvault.VaultPropertiesArgs(
                                   tenant_id=CHAT,
                                   sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.STANDARD)))
        grant("g", scope=vault.id, principal_id=CHAT, role="AcrPull", parent=p)

    declared = _declare(body)
    assignment = declared.inputs(ASSIGNMENT)
    assert assignment["scope"] == VAULT
    assert assignment["roleAssignmentName"] == assignment_name(VAULT, CHAT, "AcrPull")
    assert declared.one(T.KEY_VAULT).urn in declared.one(ASSIGNMENT).dependencies


def _refused(body: Callable[[Owner], Any]) -> tuple[Declared, str]:
    errors: list[RoleError] = []

    def guarded(p: Owner) -> None:
        try:
            body(p)
        except RoleError as exc:
            errors.append(exc)

    declared = _declare(guarded)
    assert len(errors) == 1
    return declared, str(errors[0])


@pytest.mark.parametrize("role", sorted(PRIVILEGED))
def test_privileged_roles_are_refused(role: str) -> None:
    declared, message = _refused(lambda p: grant("g", scope=VAULT, principal_id=CHAT, role=role, parent=p))
    assert f"role '{role}' is privileged" in message and "SEC-5" in message
    assert not declared.of_type(ASSIGNMENT)


def test_unknown_roles_are_refused_with_the_known_ones() -> None:
    declared, message = _refused(lambda p: grant("g", scope=VAULT, principal_id=CHAT, role="Reader", parent=p))
    assert "unknown role 'Reader'" in message and "Key Vault Secrets User" in message
    assert not declared.of_type(ASSIGNMENT)


@pytest.mark.parametrize("scope", [f"/subscriptions/{SUBSCRIPTION_ID}", RG, f"{RG}/",
                                   f"/subscriptions/{SUBSCRIPTION_ID}/providers/Microsoft.Security/pricings/x"])
def test_subscription_and_resource_group_scopes_are_refused(scope: str) -> None:
    declared, message = _refused(lambda p: grant("g", scope=scope, principal_id=CHAT, role="AcrPull", parent=p))
    assert "is not a single resource" in message and "never a subscription or resource group" in message
    assert not declared.of_type(ASSIGNMENT)


def test_resource_group_scope_from_an_output_is_refused() -> None:
    try:
        with pytest.raises(RoleError, match="is not a single resource"):
            _declare(lambda p: grant("g", scope=pulumi.Output.from_input(RG), principal_id=CHAT, role="AcrPull",
                                     parent=p))
    finally:
        # The failed run leaves its dependent outputs pending in the runtime's process-wide set (set_mocks
        # does not reset it); drop them so the next declare() does not re-raise this error.
        settings: Any = SETTINGS  # `outputs` is a context property pyright cannot see
        for task in settings.outputs:
            if task.done() and not task.cancelled():
                task.exception()  # retrieved, so asyncio does not log it as lost
            else:
                task.cancel()
        settings.outputs.clear()


def test_grant_all_keys_assignments_by_grantee_so_reordering_changes_nothing() -> None:
    grants = [RoleGrant(principal_id=CHAT, role="AcrPull", description="chat"),
              RoleGrant(principal_id=API, role="AcrPull", description="api-gateway")]

    def names(order: list[RoleGrant]) -> dict[str, dict[str, Any]]:
        return _assignments(_declare(lambda p: grant_all("acr", scope=VAULT, grants=order, parent=p)))

    forward, backward = names(grants), names(list(reversed(grants)))
    assert forward == backward
    assert {n: a["principalId"] for n, a in forward.items()} == {"acr-acrpull-chat": CHAT,
                                                                 "acr-acrpull-api-gateway": API}
    assert forward["acr-acrpull-chat"]["description"] == "AcrPull for chat"


@pytest.mark.parametrize(("grants", "message"), [
    ([RoleGrant(principal_id=CHAT, role="AcrPull")], "has no description"),
    ([RoleGrant(principal_id=CHAT, role="AcrPull", description="chat"),
      RoleGrant(principal_id=API, role="AcrPull", description="Chat")], "repeats role 'AcrPull' for 'Chat'"),
    ([RoleGrant(principal_id=CHAT, role="User Access Administrator", description="chat")], "privileged"),
])
def test_grant_all_refuses_ambiguous_or_privileged_grants(grants: list[RoleGrant], message: str) -> None:
    declared, error = _refused(lambda p: grant_all("acr", scope=VAULT, grants=grants, parent=p))
    assert message in error
    assert not declared.of_type(ASSIGNMENT)


def test_refused_roles_are_the_packs_privileged_roles() -> None:
    # One table in the pack's catalogue: what the program refuses is what the pack flags by default.
    from policies.azure import roles
    from policies.rules.authorization import role_assignment_not_privileged

    assert PRIVILEGED is roles.PRIVILEGED
    schema = role_assignment_not_privileged.config_schema
    assert schema is not None and schema.properties["privilegedRoleIds"]["default"] == {
        v: k for k, v in PRIVILEGED.items()}
