"""ai-platform: compose the stack from its validated configuration.

Order matters only where Azure needs it: workspaces and networks first (everything logs to its
region's workspace), then the private DNS zones linked to every VNet, then one application stamp
per region, then the global layer (Traffic Manager, availability tests, budget, backup).
"""

import dataclasses

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.resources as resources

import stack_config
from components.action_group import ActionGroup, ActionGroupArgs
from components.availability import AvailabilityTests, AvailabilityTestsArgs
from components.backup import Backup, BackupArgs
from components.budget import Budget, BudgetArgs
from components.common import Common, PrivateLink
from components.container_apps import ServiceIdentity
from components.event_processing import EventProcessing, EventProcessingArgs
from components.governance import Governance, GovernanceArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.naming import unique_name_output
from components.network import SecureNetwork, SecureNetworkArgs
from components.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from components.protection import ResourceGroupLock, ResourceGroupLockArgs
from components.service_health import ServiceHealthAlert, ServiceHealthAlertArgs
from components.stamp import RegionalStamp, RegionalStampArgs
from components.traffic_manager import GlobalTrafficManager, GlobalTrafficManagerArgs, RegionEndpoint


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


cfg = stack_config.from_pulumi()
stack = pulumi.get_stack()
base = f"{cfg.name_prefix}-{cfg.environment}"
tenant_id = authorization.get_client_config_output().tenant_id
primary = cfg.primary.location

groups, commons, monitors, networks = {}, {}, {}, {}
for index, region in enumerate(cfg.network.regions):
    loc = region.location
    groups[loc] = resources.ResourceGroup(
        f"rg-{loc}", resource_group_name=f"rg-{base}-{loc}", location=loc,
        tags={**cfg.resource_tags(), "region-role": "primary" if index == 0 else "secondary"})
    common = Common(resource_group_name=groups[loc].name, location=loc, tags=cfg.resource_tags(), protect=cfg.protect)
    ResourceGroupLock(f"lock-{loc}", ResourceGroupLockArgs(common=common))
    monitors[loc] = Monitoring(f"monitoring-{loc}", MonitoringArgs(
        common=common, base_name=base, retention_days=cfg.monitoring.retention_days,
        daily_quota_gb=cfg.monitoring.daily_quota_gb))
    commons[loc] = dataclasses.replace(common, workspace_id=monitors[loc].workspace_id)
    networks[loc] = SecureNetwork(f"net-{loc}", SecureNetworkArgs(
        common=commons[loc], region=region, base_name=base, functions_plan=cfg.event_processing.function_plan))

dns_groups = ["account", "vault", "redisEnterprise", "blob"]
if cfg.event_processing.enabled:
    dns_groups += ["namespace", "queue", "sites"]
dns = PrivateDnsZones("dns", PrivateDnsZonesArgs(
    common=commons[primary], vnet_ids={loc: net.vnet_id for loc, net in networks.items()}, groups=dns_groups))
for loc, net in networks.items():
    commons[loc] = dataclasses.replace(commons[loc], private_link=PrivateLink(
        subnet_id=net.subnet_ids["privateEndpoints"], zone_ids=dns.zone_ids,
        zone_groups=cfg.network.private_dns_zone_groups))

alerts_to = ActionGroup("action-group", ActionGroupArgs(
    common=commons[primary], base_name=base, emails=cfg.monitoring.alert_emails))
ServiceHealthAlert("service-health", ServiceHealthAlertArgs(
    common=commons[primary], base_name=base, action_group_id=alerts_to.id))
stamps = {
    region.location: RegionalStamp(f"stamp-{region.location}", RegionalStampArgs(
        common=commons[region.location], config=cfg, region=region, network=networks[region.location],
        monitoring=monitors[region.location], action_group_id=alerts_to.id, tenant_id=tenant_id, stack=stack))
    for region in cfg.network.regions
}

traffic_manager = None
if cfg.traffic_manager.enabled:
    traffic_manager = GlobalTrafficManager("traffic-manager", GlobalTrafficManagerArgs(
        common=commons[primary],
        relative_name=unique_name_output("tm", base_name=base, location="global", stack=stack,
                                         tenant_id=tenant_id, max_length=63),
        endpoints=[RegionEndpoint(loc, s.gateway.public_ip_id) for loc, s in stamps.items()],
        # Probes must match the gateway's listener host name, or every region looks down.
        host_header=cfg.traffic_manager.host_header or cfg.app_gateway.host_name))
    pulumi.export("trafficManagerFqdn", traffic_manager.fqdn)

AvailabilityTests("availability", AvailabilityTestsArgs(
    common=commons[primary], base_name=base, app_insights_id=monitors[primary].app_insights_id,
    action_group_id=alerts_to.id, locations=cfg.monitoring.availability_locations,
    host_name=cfg.app_gateway.host_name, traffic_manager_fqdn=traffic_manager.fqdn if traffic_manager else None,
    gateway_fqdn=stamps[primary].gateway.fqdn))
Budget("budget", BudgetArgs(
    common=commons[primary], base_name=base, budget=cfg.budget,
    resource_group_ids=[g.id for g in groups.values()], action_group_id=alerts_to.id))
Governance("governance", GovernanceArgs(
    common=commons[primary], config=cfg.governance, resource_group_ids=[g.id for g in groups.values()],
    allowed_locations=cfg.allowed_locations))
backup = Backup("backup", BackupArgs(
    common=commons[primary], base_name=base, backup=cfg.backup, stack=stack, tenant_id=tenant_id))

private_hosts = [host for s in stamps.values() for host in (s.openai.endpoint.apply(_host), s.cache.host_name)]
if cfg.event_processing.enabled:
    ids = stamps[primary].identities
    events = EventProcessing("events", EventProcessingArgs(
        common=commons[primary], config=cfg.event_processing, base_name=base, stack=stack, tenant_id=tenant_id,
        environment=cfg.environment, subnet_id=networks[primary].subnet_ids["functions"],
        identity=ServiceIdentity(ids.ids["functions"], ids.client_ids["functions"], ids.principal_ids["functions"]),
        openai_endpoint=stamps[primary].openai.endpoint, key_vault_secrets=stamps[primary].vault.secret_uris,
        key_vault_id=stamps[primary].vault.id))
    private_hosts += events.private_host_names

# What `python -m verify` reads after a deployment (docs/operations.md).
pulumi.export("hostName", cfg.app_gateway.host_name)
pulumi.export("privateHostNames", private_hosts)
pulumi.export("gateways", {loc: s.gateway.fqdn for loc, s in stamps.items()})
pulumi.export("gatewayAddresses", {loc: s.gateway.public_ip_address for loc, s in stamps.items()})
pulumi.export("openaiEndpoints", {loc: s.openai.endpoint for loc, s in stamps.items()})
pulumi.export("redisHosts", {loc: s.cache.host_name for loc, s in stamps.items()})
pulumi.export("dataStorageAccount", backup.storage_account_name)
