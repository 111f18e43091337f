"""Per-region observability: a Log Analytics workspace and workspace-based Application Insights
(MON-1, MON-6).

Every other component in the region sends its diagnostic settings to this workspace (through
`components.diagnostics`), so the caller passes `Monitoring.workspace_id` on as
`Common.workspace_id` to everything declared after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.applicationinsights as applicationinsights
import pulumi_azure_native.operationalinsights as operationalinsights

from . import rbac
from .common import Common
from .diagnostics import diagnostic_setting

# PerGB2018 accepts 30-730 days of interactive retention.
RETENTION_DAYS = (30, 730)


class MonitoringError(pulumi.RunError):
    """Workspace settings Azure would reject."""


@dataclass(frozen=True)
class MonitoringArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod"; the region is appended.
    base_name: str
    # From ai-platform:monitoring.retentionDays (prod >= 90, checked by config validation).
    retention_days: int
    # From ai-platform:monitoring.dailyQuotaGb; None leaves ingestion uncapped (prod: a cap
    # would silently drop the logs an incident needs).
    daily_quota_gb: float | None = None
    # From ai-platform:monitoring.privateLink: the workspace and component take no public ingestion or
    # queries; the caller scopes them into the stack's AMPLS (components/monitor_private_link.py), which
    # is the only way left to reach them.
    private_link: bool = False


class Monitoring(pulumi.ComponentResource):
    """A Log Analytics workspace and the App Insights component that stores its telemetry in it.

    `common.role_grants` are applied to the App Insights component: with local auth disabled,
    a workload identity needs "Monitoring Metrics Publisher" there to send telemetry.
    """

    workspace_id: pulumi.Output[str]
    workspace_customer_id: pulumi.Output[str]
    app_insights_id: pulumi.Output[str]
    # Secret: it embeds the instrumentation key (see below).
    connection_string: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        low, high = RETENTION_DAYS
        if not low <= args.retention_days <= high:
            raise MonitoringError(f"{name}: retention of {args.retention_days} days is outside {low}-{high}; "
                                  "set ai-platform:monitoring.retentionDays within that range")
        if args.daily_quota_gb is not None and args.daily_quota_gb <= 0:
            raise MonitoringError(f"{name}: daily quota {args.daily_quota_gb} GB must be positive; "
                                  "remove ai-platform:monitoring.dailyQuotaGb to leave ingestion uncapped")
        rbac.check_grants(name, args.common.role_grants)
        super().__init__("ai-platform:monitoring:Monitoring", name, None, opts)
        common = args.common
        region = f"{args.base_name}-{common.location}"
        public = (operationalinsights.PublicNetworkAccessType.DISABLED if args.private_link
                  else operationalinsights.PublicNetworkAccessType.ENABLED)
        app_public = (applicationinsights.PublicNetworkAccessType.DISABLED if args.private_link
                      else applicationinsights.PublicNetworkAccessType.ENABLED)

        workspace = operationalinsights.Workspace(
            f"{name}-log",
            workspace_name=f"log-{region}",
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=operationalinsights.WorkspaceSkuArgs(name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018),
            retention_in_days=args.retention_days,
            workspace_capping=(operationalinsights.WorkspaceCappingArgs(daily_quota_gb=args.daily_quota_gb)
                               if args.daily_quota_gb is not None else None),
            features=operationalinsights.WorkspaceFeaturesArgs(
                # Shared-key ingestion (the legacy agent / Data Collector API) off: data arrives
                # through diagnostic settings and Entra-authenticated App Insights only.
                disable_local_auth=True,
                # Readers see only logs of resources they can read, not the whole workspace.
                enable_log_access_using_only_resource_permissions=True,
            ),
            # Without private link (dev), public ingestion and query stay on so the SDKs and the portal
            # reach the workspace from anywhere; local auth is off, so nothing unauthenticated gets in.
            # Diagnostic settings arrive on a private Microsoft channel either way (learn.microsoft.com/
            # azure/azure-monitor/logs/private-link-design#control-network-access-to-ampls-resources).
            public_network_access_for_ingestion=public,
            public_network_access_for_query=public,
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        # The workspace's own audit (who queried what) lands in itself.
        diagnostic_setting(f"{name}-log", target_id=workspace.id, workspace_id=workspace.id, parent=self)

        component = applicationinsights.Component(
            f"{name}-appi",
            resource_name_=f"appi-{region}",
            resource_group_name=common.resource_group_name,
            location=common.location,
            kind="web",
            application_type=applicationinsights.ApplicationType.WEB,
            # Workspace-based: telemetry is stored in (and retained by) the region's workspace.
            workspace_resource_id=workspace.id,
            ingestion_mode=applicationinsights.IngestionMode.LOG_ANALYTICS,
            # The seed's full sampling: AI calls are few and expensive, every one is worth keeping.
            sampling_percentage=100,
            # Client IPs stay masked (the seed's DisableIpMasking: false).
            disable_ip_masking=False,
            # Only Entra-authenticated telemetry is accepted; the key alone cannot ingest.
            disable_local_auth=True,
            public_network_access_for_ingestion=app_public,
            public_network_access_for_query=app_public,
            tags=common.tags,
            opts=common.child(self),
        )
        # Metrics only: sending App Insights logs to the workspace that already stores them would
        # duplicate every record (and its cost).
        diagnostic_setting(f"{name}-appi", target_id=component.id, workspace_id=workspace.id, parent=self,
                           categories=[])
        rbac.grant_all(f"{name}-appi", scope=component.id, grants=common.role_grants, parent=self)

        self.workspace_id = workspace.id
        self.workspace_customer_id = workspace.customer_id
        self.app_insights_id = component.id
        # Microsoft does not class the connection string as a credential, but it carries the
        # instrumentation key, which is never exported in plain text; secret keeps it out of
        # logs and encrypts it in state while callers still receive the value.
        self.connection_string = pulumi.Output.secret(component.connection_string)
        self.register_outputs({
            "workspace_id": self.workspace_id,
            "workspace_customer_id": self.workspace_customer_id,
            "app_insights_id": self.app_insights_id,
            "connection_string": self.connection_string,
        })
