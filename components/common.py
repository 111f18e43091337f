"""Inputs every component takes, in the same shape everywhere (like AVM's common parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi


@dataclass(frozen=True)
class PrivateLink:
    """Where a component's private endpoint goes, and the DNS zones its zone group holds."""

    subnet_id: pulumi.Input[str]
    # zone name -> zone resource id; the helper picks the zones its service needs.
    zone_ids: Mapping[str, pulumi.Input[str]]
    # False where the organisation's Azure Policy writes the DNS records itself.
    zone_groups: bool = True


@dataclass(frozen=True)
class RoleGrant:
    """A role for a principal on the component's main resource (resource scope only)."""

    principal_id: pulumi.Input[str]
    role: str  # a name from components.rbac.ROLES
    description: str = ""


@dataclass(frozen=True)
class Common:
    """The common inputs: where, tags, diagnostics, network isolation, access and protection."""

    resource_group_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]
    # Log Analytics workspace id for diagnostic settings; None only before monitoring exists.
    workspace_id: pulumi.Input[str] | None = None
    private_link: PrivateLink | None = None
    role_grants: list[RoleGrant] = field(default_factory=list)
    # Stateful resources get protect=True and survive `pulumi destroy` (prod).
    protect: bool = False

    def child(self, parent: pulumi.Resource, stateful: bool = False, **kwargs) -> pulumi.ResourceOptions:
        """Options for a component's child: parented, and protected when it holds state."""
        return pulumi.ResourceOptions(parent=parent, protect=self.protect and stateful, **kwargs)
