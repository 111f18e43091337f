"""Specification of policies/rules/authorization.py (`role-assignment-not-privileged`,
`role-assignment-resource-scope`, `role-assignment-no-standing-privilege`): what each policy accepts
and what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py).

role-assignment-no-standing-privilege (issue 14): every privileged role (Owner, Contributor, User Access
Administrator, Role Based Access Control Administrator) granted to a user or group at subscription or
resource-group scope is caught; the same roles on one resource, or a non-privileged role at a broad scope,
are not. The role ids are Microsoft's built-in ids (policies/azure/roles.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native.authorization as authorization
import pytest

from policies.azure.roles import PRIVILEGED, ROLES
from policies.rules.authorization import (
    role_assignment_no_standing_privilege,
    role_assignment_not_privileged,
    role_assignment_resource_scope,
)
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, fired, names, sdk_resources, table_tests

OPENAI_USER = ROLES["Cognitive Services OpenAI User"]

OWNER = PRIVILEGED["Owner"]

ACCOUNT_SCOPE = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.CognitiveServices/accounts/oai-aip-prod-eus2"


def role_assignment(role: str = OPENAI_USER, scope: str | Callable[[], pulumi.Output[Any]] = ACCOUNT_SCOPE,
                    principal_type: str = "ServicePrincipal") -> s.Program:
    return lambda: authorization.RoleAssignment(
        "grant", principal_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", principal_type=principal_type,
        role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        scope=scope if isinstance(scope, str) else scope())


def grant(role: str, principal_type: str, scope: str = s.GROUP_SCOPE) -> s.Program:
    return lambda: authorization.RoleAssignment(
        "grant", principal_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", principal_type=principal_type,
        role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}", scope=scope)


# (policy, compliant program[, config])
PASSING = [
    (role_assignment_not_privileged, role_assignment()),
    (role_assignment_not_privileged, role_assignment(OWNER, principal_type="Group")),
    (role_assignment_resource_scope, role_assignment()),
    (role_assignment_resource_scope, role_assignment(scope=s.unknown)),  # the id of a new resource
    (role_assignment_resource_scope, role_assignment(scope=s.SUB, principal_type="User")),
    (role_assignment_no_standing_privilege, grant(PRIVILEGED["Owner"], "User", f"{s.GROUP_SCOPE}/providers/"
                                                  "Microsoft.KeyVault/vaults/kv-aip-prod-eus2")),
    (role_assignment_no_standing_privilege, grant(ROLES["Key Vault Secrets User"], "Group")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (role_assignment_not_privileged, role_assignment(OWNER), "'Owner'"),
    (role_assignment_not_privileged, role_assignment(PRIVILEGED["User Access Administrator"]),
     "'User Access Administrator'"),
    (role_assignment_resource_scope, role_assignment(scope=s.SUB), "broad scope"),
    (role_assignment_resource_scope, role_assignment(scope=f"{s.SUB}/resourceGroups/{s.RG}"), "broad scope"),
    (role_assignment_no_standing_privilege, grant(PRIVILEGED["Owner"], "Group"), "'Owner' to a group"),
    (role_assignment_no_standing_privilege, grant(PRIVILEGED["Role Based Access Control Administrator"], "User",
                                                  s.SUB), "'Role Based Access Control Administrator' to a user"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [role_assignment_not_privileged, role_assignment_resource_scope, role_assignment_no_standing_privilege]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_broad_scope_allow_list() -> None:
    reader = "acdd72a7-3385-4ef4-8e8c-76f8b6ee0f54"
    program = role_assignment(reader, scope=s.SUB)
    assert fired(role_assignment_resource_scope, program)[0] == {"role-assignment-resource-scope"}
    allowed = file_config({"role-assignment-resource-scope": {"broadScopeRoleIds": [reader]}})
    assert fired(role_assignment_resource_scope, program, allowed)[0] == set()


GROUP_SCOPE = f"{s.SUB}/resourceGroups/{s.RG}"
VAULT_SCOPE = f"{GROUP_SCOPE}/providers/Microsoft.KeyVault/vaults/kv-aip-prod-eus2"


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
