"""The regional foundation every stamp builds on: per region a resource group (locked), its Log
Analytics workspace and Application Insights, and the secured VNet; across the regions the private
DNS zones the stack's private endpoints need, linked to every VNet, and the action group alerts go to.

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
from .monitoring import Monitoring, MonitoringArgs
from .network import SecureNetwork, SecureNetworkArgs
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
        gateway = cfg.ai_gateway is not None and cfg.ai_gateway.enabled
        gateway_subnets = {r.location: s.prefix for r in cfg.network.regions if (s := r.subnet("apiManagement"))}
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
                daily_quota_gb=cfg.monitoring.daily_quota_gb))
            common = dataclasses.replace(common, workspace_id=monitoring.workspace_id)
            network = SecureNetwork(f"net-{loc}", SecureNetworkArgs(
                common=common, region=region, base_name=self.base_name,
                functions_plan=cfg.event_processing.function_plan,
                peer_gateway_prefixes=[p for other, p in gateway_subnets.items() if other != loc] if gateway else []))
            self.regions[loc] = RegionFoundation(region, group, monitoring, network, common)

        dns = PrivateDnsZones("dns", PrivateDnsZonesArgs(
            common=self.regions[self.primary].common, groups=list(dict.fromkeys(private_link_groups)),
            vnet_ids={loc: r.network.vnet_id for loc, r in self.regions.items()}))
        for loc, r in self.regions.items():
            self.regions[loc] = dataclasses.replace(r, common=dataclasses.replace(r.common, private_link=PrivateLink(
                subnet_id=r.network.subnet_ids["privateEndpoints"], zone_ids=dns.zone_ids,
                zone_groups=cfg.network.private_dns_zone_groups)))

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
