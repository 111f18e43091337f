"""The stack's one action group: who is told when an alert or budget fires (MON-3, COST-1).

One per stack rather than per region: on-call is the same people whichever region fails, and
metric alerts and budgets in every region point at it by id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.monitor as monitor

from .common import Common

# Azure caps the short name (the sender shown in SMS and e-mail subjects) at 12 characters.
SHORT_NAME_MAX = 12


class ActionGroupError(pulumi.RunError):
    """An action group that Azure would reject or that would notify nobody."""


@dataclass(frozen=True)
class ActionGroupArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    emails: Sequence[str]
    # Defaults to `name` with anything but letters and digits removed, cut to 12 characters.
    short_name: str | None = None


class ActionGroup(pulumi.ComponentResource):
    """E-mail receivers from config, using the common alert schema so every alert type
    (metric, availability, budget) arrives in one parseable shape."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: ActionGroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not args.emails:
            raise ActionGroupError(f"{name}: no e-mail receivers; set ai-platform:monitoring.alertEmails")
        short = args.short_name or re.sub(r"[^A-Za-z0-9]", "", args.base_name)[:SHORT_NAME_MAX]
        if not short or len(short) > SHORT_NAME_MAX:
            raise ActionGroupError(f"{name}: short name '{short}' must be 1-{SHORT_NAME_MAX} characters; "
                                   "pass a shorter ActionGroupArgs.short_name")
        super().__init__("ai-platform:action_group:ActionGroup", name, None, opts)
        group = monitor.ActionGroup(
            name,
            action_group_name=f"ag-{args.base_name}",
            resource_group_name=args.common.resource_group_name,
            # Action groups are global; a regional location would tie notifications to one region.
            location="global",
            group_short_name=short,
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{i + 1}", email_address=email, use_common_alert_schema=True)
                for i, email in enumerate(args.emails)
            ],
            tags=args.common.tags,
            opts=args.common.child(self),
        )
        self.id = group.id
        self.register_outputs({"id": self.id})
