"""role-assignment-no-standing-privilege (issue 14): every privileged role (Owner, Contributor, User Access
Administrator, Role Based Access Control Administrator) granted to a user or group at subscription or
resource-group scope is caught; the same roles on one resource, or a non-privileged role at a broad scope,
are not. The role ids are Microsoft's built-in ids (policies/azure/roles.py)."""

from __future__ import annotations

import pulumi_azure_native.authorization as authorization
import pytest

from policies.azure.roles import PRIVILEGED, ROLES
from policies.rules.authorization import role_assignment_no_standing_privilege
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources

GROUP_SCOPE = f"{s.SUB}/resourceGroups/{s.RG}"
VAULT_SCOPE = f"{GROUP_SCOPE}/providers/Microsoft.KeyVault/vaults/kv-aip-prod-eus2"


def grant(role_id: str, principal_type: str, scope: str) -> s.Program:
    return lambda: authorization.RoleAssignment(
        "grant", principal_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", principal_type=principal_type,
        role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{role_id}", scope=scope)


@pytest.mark.parametrize("role", sorted(PRIVILEGED))
@pytest.mark.parametrize("principal_type", ["User", "Group"])
@pytest.mark.parametrize("scope", [s.SUB, GROUP_SCOPE], ids=["subscription", "resource-group"])
def test_privileged_role_to_a_person_at_a_broad_scope_is_caught(role: str, principal_type: str, scope: str) -> None:
    found = evaluate([role_assignment_no_standing_privilege], sdk_resources(grant(PRIVILEGED[role], principal_type,
                                                                                  scope)))
    assert names(found) == {"role-assignment-no-standing-privilege"}
    assert any(f"'{role}' to a {principal_type.lower()}" in v.message for v in found), [v.message for v in found]


@pytest.mark.parametrize("role_id, principal_type, scope", [
    pytest.param(PRIVILEGED["Contributor"], "User", VAULT_SCOPE, id="contributor-on-one-resource"),
    pytest.param(PRIVILEGED["User Access Administrator"], "Group", VAULT_SCOPE, id="uaa-on-one-resource"),
    pytest.param(ROLES["Storage Blob Data Reader"], "Group", s.SUB, id="data-reader-at-subscription"),
])
def test_resource_scoped_or_unprivileged_grant_to_a_person_complies(role_id: str, principal_type: str,
                                                                    scope: str) -> None:
    assert evaluate([role_assignment_no_standing_privilege], sdk_resources(grant(role_id, principal_type, scope))) == []
