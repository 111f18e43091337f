"""Protection of stateful resources (REL-2): the one place, together with `Common.child`, that
decides what survives a `pulumi destroy` or a slip in the portal.

The rule, driven by `ai-platform:protect` (true in prod, false in dev so it can be torn down):
- every component declares its stateful resources (Key Vault, OpenAI account, Redis, storage,
  backup vault, Log Analytics workspace) with `common.child(self, stateful=True)`, which sets
  `protect=common.protect`; nothing else sets `protect`;
- each resource group gets a `ResourceGroupLock` (a CanNotDelete management lock) from here,
  only when `common.protect` is true.

The lock also stops deletes that Pulumi itself would make in prod (a replacement deletes the
old resource), so such a change needs the lock lifted first; that friction is the point.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization

from .common import Common

LOCK_NAME = "do-not-delete"


@dataclass(frozen=True)
class ResourceGroupLockArgs:
    # resource_group_name is the group to lock; protect decides whether to lock it at all.
    common: Common


class ResourceGroupLock(pulumi.ComponentResource):
    """A CanNotDelete lock on one resource group when the stack is protected; nothing otherwise."""

    lock_id: pulumi.Output[str] | None

    def __init__(self, name: str, args: ResourceGroupLockArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:protection:ResourceGroupLock", name, None, opts)
        self.lock_id = None
        if args.common.protect:
            lock = authorization.ManagementLockAtResourceGroupLevel(
                f"{name}-lock",
                lock_name=LOCK_NAME,
                resource_group_name=args.common.resource_group_name,
                level=authorization.LockLevel.CAN_NOT_DELETE,
                notes="Production data: remove this lock deliberately (break-glass) before deleting or "
                      "replacing anything in this resource group. Managed by Pulumi (ai-platform).",
                # Protected like the data it guards, so `pulumi destroy` cannot lift it either.
                opts=args.common.child(self, stateful=True),
            )
            self.lock_id = lock.id
        self.register_outputs({"lock_id": self.lock_id})
