"""Role assignments (authorization:RoleAssignment): no privileged role, no broad scope for a workload
identity. The privileged role ids come from the catalogue (azure/roles.py), which components/rbac.py
refuses too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..azure.roles import PRIVILEGED_ROLE_IDS
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, get, text
from ..framework.values import id_name, show

_BROAD_SCOPE = re.compile(
    r"^/(subscriptions/[^/]+(/resourcegroups/[^/]+)?|providers/microsoft\.management/managementgroups/[^/]+)?/?$")


def _workload_principal(args: ResourceValidationArgs) -> bool:
    """A service principal, or a principal whose type is not declared (it may be one). The Python SDK
    sends 'User' when principal_type is omitted, so only other sources reach the undeclared case."""
    kind = text(args.props, "principalType")
    return kind is None or kind == "serviceprincipal"


# The config knob of the policies that refuse privileged roles.
PRIVILEGED_CONFIG = {"privilegedRoleIds": {"type": "object", "additionalProperties": {"type": "string"},
                                           "default": PRIVILEGED_ROLE_IDS,
                                           "description": "role definition GUID -> role name"}}


def _privileged(args: ResourceValidationArgs, config: Config) -> tuple[str | None, dict[str, str]]:
    """The assignment's role GUID (lower-cased, None if unknown) and the configured privileged roles."""
    role = id_name(get(args.props, "roleDefinitionId"))
    return (role if isinstance(role, str) else None,
            {str(k).lower(): str(v) for k, v in config["privilegedRoleIds"].items()})


def _privileged_role(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not _workload_principal(args):
        return
    role, privileged = _privileged(args, config)
    if role in privileged:
        yield (f"grants the privileged role '{privileged[role]}' to a workload identity (principalType "
               f"{show(get(args.props, 'principalType'))}); grant a data-plane role on the resource instead")


def _standing_privilege(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    kind = text(args.props, "principalType")
    if kind not in ("user", "group"):
        return
    (role, privileged), scope = _privileged(args, config), get(args.props, "scope")
    if role in privileged and isinstance(scope, str) and _BROAD_SCOPE.match(scope.lower()):
        yield (f"grants '{privileged[role]}' to a {kind} at '{scope}' as a standing assignment; make people "
               "eligible through Privileged Identity Management, or grant a narrower role")


def _broad_scope(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not _workload_principal(args):
        return
    scope = get(args.props, "scope")
    role = id_name(get(args.props, "roleDefinitionId"))
    if not isinstance(scope, str) or role is UNKNOWN:
        return
    allowed = {str(r).lower() for r in config["broadScopeRoleIds"]}
    if _BROAD_SCOPE.match(scope.lower()) and role not in allowed:
        yield (f"assigns role '{role}' at the broad scope '{scope}'; scope a workload's role to the resource "
               "it uses")


role_assignment_not_privileged = resource_policy(
    name="role-assignment-not-privileged",
    description="Workload identities get no Owner, Contributor, User Access Administrator or RBAC Administrator "
                "role.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Grant the least data-plane role the workload needs (e.g. 'Cognitive Services OpenAI User' "
                "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd) on the resource it uses. If the principal is a user or group, "
                "say so with `principal_type`.",
    types=[T.ROLE_ASSIGNMENT],
    check=_privileged_role,
    config=PRIVILEGED_CONFIG,
)


role_assignment_resource_scope = resource_policy(
    name="role-assignment-resource-scope",
    description="Workload identities' roles are scoped to a resource, not a subscription, resource group or "
                "management group.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Set `scope` to the id of the resource the workload uses. A role that must be broad (e.g. a "
                "reader for an inventory job) goes into `broadScopeRoleIds` in the pack config.",
    types=[T.ROLE_ASSIGNMENT],
    check=_broad_scope,
    config={"broadScopeRoleIds": {"type": "array", "items": {"type": "string"}, "default": [],
                                  "description": "role definition GUIDs allowed at subscription/group scope"}},
)


role_assignment_no_standing_privilege = resource_policy(
    name="role-assignment-no-standing-privilege",
    description="Users and groups hold no standing Owner, Contributor, User Access Administrator or RBAC "
                "Administrator role at management group, subscription or resource group scope.",
    checklist=["SEC-5"],
    severity=Severity.HIGH,
    remediation="Remove the assignment and make the people eligible for the role through Privileged Identity "
                "Management (time-bound, approved activation), or grant a narrower built-in role "
                "(https://learn.microsoft.com/azure/role-based-access-control/best-practices).",
    types=[T.ROLE_ASSIGNMENT],
    check=_standing_privilege,
    config=PRIVILEGED_CONFIG,
)


POLICIES: list[Policy] = [
    role_assignment_not_privileged, role_assignment_resource_scope, role_assignment_no_standing_privilege,
]
