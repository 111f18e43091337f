"""The stack's Service Health alert: Azure's own incidents, planned maintenance and advisories in
the subscription reach on-call through the stack's action group (MON-3; service-health-alert).

A metric alert sees a symptom; Service Health says Azure knows the cause (a regional outage of
OpenAI, say) before the error rate climbs. Activity log alerts are global and subscription-scoped
(https://learn.microsoft.com/azure/service-health/alerts-activity-log-service-notifications-portal).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.monitor as monitor

from .common import Common


@dataclass(frozen=True)
class ServiceHealthAlertArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    action_group_id: pulumi.Input[str]


class ServiceHealthAlert(pulumi.ComponentResource):
    """One activity log alert on the subscription's ServiceHealth category."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceHealthAlertArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:service_health:ServiceHealthAlert", name, None, opts)
        subscription = authorization.get_client_config_output().subscription_id
        alert = monitor.ActivityLogAlert(
            name,
            activity_log_alert_name=f"alert-{args.base_name}-service-health",
            resource_group_name=args.common.resource_group_name,
            location="global",
            description="Azure service incidents, maintenance and advisories affecting this subscription",
            enabled=True,
            scopes=[subscription.apply(lambda sub: f"/subscriptions/{sub}")],
            condition=monitor.AlertRuleAllOfConditionArgs(all_of=[
                monitor.AlertRuleAnyOfOrLeafConditionArgs(field="category", equals="ServiceHealth"),
            ]),
            actions=monitor.ActionListArgs(action_groups=[
                monitor.ActionGroupArgs(action_group_id=args.action_group_id)]),
            tags=args.common.tags,
            opts=args.common.child(self),
        )
        self.id = alert.id
        self.register_outputs({"id": self.id})
