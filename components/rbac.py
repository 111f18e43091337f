"""Least-privilege role assignments: built-in roles by name, scoped to one resource.

Assignment names are UUIDs derived from scope + principal + role (Bicep's `guid()`), so a rerun
never creates a duplicate and a changed principal replaces cleanly.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_azure_native.authorization as authorization

from policies.azure.roles import PRIVILEGED, ROLES

from .common import RoleGrant


class RoleError(pulumi.RunError):
    """A role request that breaks least privilege; raised before anything is declared."""


def role_definition_id(subscription_id: str, role: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{ROLES[role]}"


def assignment_name(scope: str, principal_id: str, role: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope.lower()}|{principal_id}|{ROLES[role]}"))


def check_role(role: str) -> None:
    """Refuse privileged roles (SEC-5) and roles missing from the table."""
    if role in PRIVILEGED:
        raise RoleError(f"role '{role}' is privileged and is never granted to a workload identity (SEC-5); "
                        f"use a data-plane role instead: {', '.join(sorted(ROLES))}")
    if role not in ROLES:
        raise RoleError(f"unknown role '{role}'; known roles: {', '.join(sorted(ROLES))} "
                        "(add its built-in id to policies/azure/roles.py ROLES)")


def _resource_scope(scope: str) -> str:
    # /subscriptions/<id>/resourceGroups/<rg>/providers/<ns>/<type>/<name>[...]
    parts = scope.strip("/").split("/")
    if (len(parts) < 8 or parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups"
            or parts[4].lower() != "providers"):
        raise RoleError(f"scope '{scope}' is not a single resource; workload roles are scoped to the resource "
                        "they use, never a subscription or resource group (SEC-5)")
    return scope


def grant(
    name: str,
    *,
    scope: pulumi.Input[str],
    principal_id: pulumi.Input[str],
    role: str,
    parent: pulumi.Resource,
    description: str = "",
) -> authorization.RoleAssignment:
    """Assign `role` to a service principal (managed identity) on one resource."""
    check_role(role)
    if isinstance(scope, str):
        _resource_scope(scope)  # a literal scope fails now, before anything is declared
    checked_scope = pulumi.Output.from_input(scope).apply(_resource_scope)
    return authorization.RoleAssignment(
        name,
        scope=checked_scope,
        principal_id=principal_id,
        # ServicePrincipal skips the Entra lookup that fails while a new identity replicates.
        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
        role_definition_id=checked_scope.apply(lambda s: role_definition_id(s.split("/")[2], role)),
        role_assignment_name=pulumi.Output.all(checked_scope, principal_id).apply(
            lambda args: assignment_name(args[0], args[1], role)),
        description=description or f"{role} for a workload identity",
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check_grants(name: str, grants: Sequence[RoleGrant]) -> list[str]:
    """Validate `Common.role_grants` and return each grant's stable key (`<role>-<description>`).

    The description names the grantee (e.g. the workload) and keys the assignment's logical name,
    so reordering or inserting grants never re-points an existing assignment. An index-keyed name
    would: Pulumi would create the moved grant under its new name and then delete the old one,
    which is the same Azure assignment (its name is a UUID of scope + principal + role), silently
    revoking it. Components call this before declaring anything.
    """
    keys: dict[str, int] = {}
    for i, g in enumerate(grants):
        check_role(g.role)
        if not g.description.strip():
            raise RoleError(f"{name}: role_grants[{i}] ({g.role}) has no description; set it to the grantee "
                            "(e.g. the workload name), it keys the assignment so reordering never revokes it")
        key = f"{_slug(g.role)}-{_slug(g.description)}"
        if key in keys:
            raise RoleError(f"{name}: role_grants[{i}] repeats role '{g.role}' for '{g.description}' "
                            f"(role_grants[{keys[key]}]); give each grantee its own description")
        keys[key] = i
    return list(keys)


def consumer_grants(role: str, consumers: Mapping[str, pulumi.Input[str]],
                    extra: Sequence[RoleGrant] = ()) -> list[RoleGrant]:
    """`role` for each workload -> principal id, described by the workload name (which keys the
    assignment, see `check_grants`), then the component's `Common.role_grants`."""
    return [RoleGrant(principal_id=principal, role=role, description=workload)
            for workload, principal in consumers.items()] + list(extra)


def grant_all(
    name: str,
    *,
    scope: pulumi.Input[str],
    grants: Sequence[RoleGrant],
    parent: pulumi.Resource,
) -> list[authorization.RoleAssignment]:
    """Assign every `Common.role_grants` entry on one resource (see `check_grants` for naming)."""
    return [
        grant(f"{name}-{key}", scope=scope, principal_id=g.principal_id, role=g.role, parent=parent,
              description=f"{g.role} for {g.description}")
        for key, g in zip(check_grants(name, grants), grants, strict=True)
    ]
