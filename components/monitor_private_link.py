"""The stack's Azure Monitor Private Link Scope (AMPLS): every region's Log Analytics workspace and App
Insights component scoped into it, reached through one private endpoint (SEC-3, MON-1, MON-6).

One scope and one endpoint for the whole stack, in the primary region, because Azure Monitor's
private DNS records are for shared global endpoints (the App Insights ingestion and the query
endpoint): networks that share DNS must share one AMPLS, and peered networks one endpoint, or
the last endpoint written into the zones overrides the others
(https://learn.microsoft.com/azure/azure-monitor/logs/private-link-design#plan-by-network-topology,
#peered-networks). The stack's zones are linked to every regional VNet (components/private_dns.py),
so the other regions reach this endpoint over the VNet peerings (components/peering.py), and the
primary's endpoint subnet admits their workload subnets (components/network.py).

With the scope in place the workspaces and components take no public ingestion or queries
(components/monitoring.py). What keeps working, per Microsoft:
  * diagnostic settings (every platform log and metric of the stack) travel on a private Microsoft
    channel that these settings do not control (private-link-design#control-network-access-to-ampls-resources);
  * workloads (Container Apps, Functions) and the VNet-injected AI gateway send telemetry from the
    VNets, whose DNS resolves Azure Monitor to this endpoint;
  * the portal, workbooks, dashboards and log queries work from a network connected to the scope
    (the operations subnet, or a VPN into the VNet); from anywhere else queries are refused. That is
    why dev leaves the switch off: its operators query from their own machines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.monitor as monitor

from .common import Common
from .private_endpoint import check_private_link, private_endpoint

# The private-link group id of an AMPLS (https://learn.microsoft.com/azure/private-link/private-endpoint-dns,
# "Azure Monitor (Microsoft.Insights/privateLinkScopes)").
GROUP_ID = "azuremonitor"


class MonitorPrivateLinkError(pulumi.RunError):
    """A scope that would leave part of the stack's monitoring outside it."""


@dataclass(frozen=True)
class MonitorPrivateLinkArgs:
    # The primary region's common inputs, with its private link (endpoint subnet and DNS zones) set.
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # Region location -> that region's Log Analytics workspace / App Insights component id. Keyed by
    # region, so adding or removing one never renames the others' scoped resources.
    workspace_ids: Mapping[str, pulumi.Input[str]]
    app_insights_ids: Mapping[str, pulumi.Input[str]]


class MonitorPrivateLink(pulumi.ComponentResource):
    """One AMPLS in Private Only mode, every workspace and component scoped into it, and its private endpoint."""

    scope_id: pulumi.Output[str]

    def __init__(self, name: str, args: MonitorPrivateLinkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not args.workspace_ids or set(args.workspace_ids) != set(args.app_insights_ids):
            raise MonitorPrivateLinkError(
                f"{name}: pass every region's workspace and App Insights component (regions with a workspace: "
                f"{', '.join(sorted(args.workspace_ids)) or 'none'}; with a component: "
                f"{', '.join(sorted(args.app_insights_ids)) or 'none'})")
        check_private_link(name, args.common, GROUP_ID)
        super().__init__("ai-platform:monitor_private_link:MonitorPrivateLink", name, None, opts)
        common = args.common
        # Private Only for both: the scope holds every Azure Monitor resource the stack uses, so the
        # VNets need no other, and Private Only is what stops data leaving to another tenant's workspace
        # (private-link-design#select-an-access-mode). The scope itself is global.
        scope = monitor.PrivateLinkScope(
            f"{name}-ampls",
            scope_name=f"ampls-{args.base_name}",
            resource_group_name=common.resource_group_name,
            location="global",
            access_mode_settings=monitor.AccessModeSettingsArgs(
                ingestion_access_mode=monitor.AccessMode.PRIVATE_ONLY,
                query_access_mode=monitor.AccessMode.PRIVATE_ONLY,
                exclusions=[],
            ),
            tags=common.tags,
            opts=common.child(self),
        )
        for kind, ids in (("log", args.workspace_ids), ("appi", args.app_insights_ids)):
            for location, resource_id in ids.items():
                monitor.PrivateLinkScopedResource(
                    f"{name}-{kind}-{location}",
                    name=f"{kind}-{location}",
                    scope_name=scope.name,
                    resource_group_name=common.resource_group_name,
                    kind=monitor.ScopedResourceKind.RESOURCE,
                    linked_resource_id=resource_id,
                    opts=common.child(self),
                )
        private_endpoint(name, common=common, target_id=scope.id, group_id=GROUP_ID, parent=self)
        self.scope_id = scope.id
        self.register_outputs({"scopeId": self.scope_id})
