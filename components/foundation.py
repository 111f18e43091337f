"""The regional foundation every stamp builds on: per region a resource group (locked), its Log
Analytics workspace and Application Insights, and the secured VNet; across the regions the private
DNS zones the stack's private endpoints need, linked to every VNet, the stack's one Azure Monitor
Private Link Scope (when monitoring is private), the VNet peerings, and the action group alerts go to.

A plain composition, not a ComponentResource: the resources keep the names (and so the URNs) they
were first deployed under, with no parent, so no deployed stack is replaced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pulumi
import pulumi_azure_native.resources as resources

from stack_config.model import Region, StackConfig

from .action_group import ActionGroup, ActionGroupArgs
from .common import Common, PrivateLink
from .monitor_private_link import GROUP_ID as MONITOR_GROUP
from .monitor_private_link import MonitorPrivateLink, MonitorPrivateLinkArgs
from .monitoring import Monitoring, MonitoringArgs
from .network import SecureNetwork, SecureNetworkArgs, telemetry_prefixes
from .peering import RegionPeering, VnetPeerings, VnetPeeringsArgs
from .private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from .protection import ResourceGroupLock, ResourceGroupLockArgs
from .service_health import ServiceHealthAlert, ServiceHealthAlertArgs


@dataclasses.dataclass(frozen=True)
class RegionFoundation:
    """One region's foundation; `common` carries its workspace and, once linked, its private link."""

    region: Region
    group: resources.ResourceGroup
    monitoring: Monitoring
    network: SecureNetwork
    common: Common


class Foundation:
    """The regions in config order (the first is the primary), then the private DNS zones for
    `private_link_groups` (the group ids the components declare) and the action group."""

    def __init__(self, cfg: StackConfig, private_link_groups: Iterable[str]) -> None:
        self.base_name = f"{cfg.name_prefix}-{cfg.environment}"
        self.primary = cfg.primary.location
        gateway = cfg.enabled_ai_gateway is not None
        gateway_subnets = {r.location: s.prefix for r in cfg.network.regions if (s := r.subnet("apiManagement"))}
        private_monitoring = cfg.monitoring.private_link
        self.regions: dict[str, RegionFoundation] = {}
        for index, region in enumerate(cfg.network.regions):
            loc = region.location
            group = resources.ResourceGroup(
                f"rg-{loc}", resource_group_name=f"rg-{self.base_name}-{loc}", location=loc,
                tags={**cfg.resource_tags(), "region-role": "primary" if index == 0 else "secondary"})
            common = Common(resource_group_name=group.name, location=loc, tags=cfg.resource_tags(),
                            protect=cfg.protect)
            ResourceGroupLock(f"lock-{loc}", ResourceGroupLockArgs(common=common))
            monitoring = Monitoring(f"monitoring-{loc}", MonitoringArgs(
                common=common, base_name=self.base_name, retention_days=cfg.monitoring.retention_days,
                daily_quota_gb=cfg.monitoring.daily_quota_gb, private_link=private_monitoring))
            common = dataclasses.replace(common, workspace_id=monitoring.workspace_id)
            network = SecureNetwork(f"net-{loc}", SecureNetworkArgs(
                common=common, region=region, base_name=self.base_name,
                functions_plan=cfg.event_processing.function_plan,
                peer_gateway_prefixes=[p for other, p in gateway_subnets.items() if other != loc] if gateway else [],
                # The stack's one Azure Monitor private endpoint is in the primary region's endpoint subnet.
                peer_telemetry_prefixes=[p for other in cfg.network.regions[1:] for p in telemetry_prefixes(other)]
                if private_monitoring and index == 0 else []))
            self.regions[loc] = RegionFoundation(region, group, monitoring, network, common)

        dns = PrivateDnsZones("dns", PrivateDnsZonesArgs(
            common=self.regions[self.primary].common, groups=list(dict.fromkeys(
                [*private_link_groups, *([MONITOR_GROUP] if private_monitoring else [])])),
            vnet_ids={loc: r.network.vnet_id for loc, r in self.regions.items()}))
        for loc, r in self.regions.items():
            self.regions[loc] = dataclasses.replace(r, common=dataclasses.replace(r.common, private_link=PrivateLink(
                subnet_id=r.network.subnet_ids["privateEndpoints"], zone_ids=dns.zone_ids,
                zone_groups=cfg.network.private_dns_zone_groups)))
        # The VNets share one set of DNS zones, so they share one Azure Monitor Private Link Scope and one
        # endpoint (components/monitor_private_link.py); the other regions reach it over the peerings below.
        if private_monitoring:
            MonitorPrivateLink("monitor-private-link", MonitorPrivateLinkArgs(
                common=self.common, base_name=self.base_name,
                workspace_ids={loc: r.monitoring.workspace_id for loc, r in self.regions.items()},
                app_insights_ids={loc: r.monitoring.app_insights_id for loc, r in self.regions.items()}))
        # A region's AI gateway fails over to the others' OpenAI endpoints, and a secondary region's telemetry
        # goes through the primary's Azure Monitor endpoint: both over peering.
        if len(self.regions) > 1 and (gateway or private_monitoring):
            VnetPeerings("peering", VnetPeeringsArgs(regions={
                loc: RegionPeering(r.group.name, r.network.vnet_name, r.network.vnet_id)
                for loc, r in self.regions.items()}))

        self.action_group = ActionGroup("action-group", ActionGroupArgs(
            common=self.common, base_name=self.base_name, emails=cfg.monitoring.alert_emails))
        ServiceHealthAlert("service-health", ServiceHealthAlertArgs(
            common=self.common, base_name=self.base_name, action_group_id=self.action_group.id))

    @property
    def common(self) -> Common:
        """The primary region's common inputs: where the global resources live."""
        return self.regions[self.primary].common

    @property
    def group_ids(self) -> list[pulumi.Output[str]]:
        return [r.group.id for r in self.regions.values()]
