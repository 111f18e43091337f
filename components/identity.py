"""One user-assigned managed identity per workload (SEC-1).

User-assigned rather than system-assigned: the identity exists before the app that wears it,
so role assignments are in place (and replicated) when the first revision starts, and a
replaced app keeps its grants.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.managedidentity as managedidentity

from .common import Common, RoleGrant
from .rbac import check_role

_WORKLOAD = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")


class IdentityError(pulumi.RunError):
    """A workload list the component cannot turn into identities."""


@dataclass(frozen=True)
class WorkloadIdentitiesArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # Workload names, e.g. ["api-gateway", "chat", "gateway", "functions"].
    workloads: Sequence[str]


def _check(args: WorkloadIdentitiesArgs) -> None:
    if not args.workloads:
        raise IdentityError("WorkloadIdentities: no workloads given; pass workloads=[...] (one identity each)")
    seen: set[str] = set()
    for i, workload in enumerate(args.workloads):
        if not _WORKLOAD.match(workload):
            raise IdentityError(f"WorkloadIdentities: workloads[{i}] '{workload}' is not a valid name; use 2-32 "
                                "lowercase letters, digits and hyphens, starting with a letter")
        if workload in seen:
            raise IdentityError(f"WorkloadIdentities: workloads[{i}] '{workload}' is listed twice")
        seen.add(workload)


class WorkloadIdentities(pulumi.ComponentResource):
    """A user-assigned identity per workload, with its ids by workload name."""

    ids: dict[str, pulumi.Output[str]]
    principal_ids: dict[str, pulumi.Output[str]]
    client_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: WorkloadIdentitiesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(args)
        super().__init__("ai-platform:identity:WorkloadIdentities", name, None, opts)
        common = args.common
        identities = {
            workload: managedidentity.UserAssignedIdentity(
                f"{name}-{workload}",
                resource_name_=f"id-{args.base_name}-{common.location}-{workload}",
                resource_group_name=common.resource_group_name,
                location=common.location,
                tags={**common.tags, "workload": workload},
                opts=common.child(self),
            )
            for workload in args.workloads
        }
        self.ids = {w: i.id for w, i in identities.items()}
        self.principal_ids = {w: i.principal_id for w, i in identities.items()}
        self.client_ids = {w: i.client_id for w, i in identities.items()}
        self.register_outputs({"ids": self.ids, "principalIds": self.principal_ids, "clientIds": self.client_ids})

    def role_grant(self, workload: str, role: str) -> RoleGrant:
        """A `Common.role_grants` entry giving `workload`'s identity `role` on a component's resource."""
        if workload not in self.principal_ids:
            raise IdentityError(f"no identity for workload '{workload}'; known: {', '.join(self.principal_ids)}")
        check_role(role)
        return RoleGrant(principal_id=self.principal_ids[workload], role=role, description=workload)
