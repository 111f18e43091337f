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
from components.ai_gateway import AIGateway, AIGatewayArgs, OpenAIBackend
from components.availability import AvailabilityTests, AvailabilityTestsArgs
from components.backup import Backup, BackupArgs
from components.budget import Budget, BudgetArgs
from components.common import Common, PrivateLink
from components.container_apps import ServiceIdentity
from components.event_processing import EventProcessing, EventProcessingArgs
from components.front_door import FrontDoor, FrontDoorArgs
from components.governance import Governance, GovernanceArgs
from components.load_testing import LoadTesting, LoadTestingArgs
from components.monitor_private_link import GROUP_ID as MONITOR_GROUP
from components.monitor_private_link import MonitorPrivateLink, MonitorPrivateLinkArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.naming import unique_name_output
from components.network import SecureNetwork, SecureNetworkArgs, telemetry_prefixes
from components.peering import RegionPeering, VnetPeerings, VnetPeeringsArgs
from components.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
from components.protection import ResourceGroupLock, ResourceGroupLockArgs
from components.service_health import ServiceHealthAlert, ServiceHealthAlertArgs
from components.stamp import RegionalStamp, RegionalStampArgs, entrypoint
from components.static_web_app import StaticWebApp, StaticWebAppArgs
from components.token_budget import TokenBudget, TokenBudgetArgs
from components.traffic_manager import GlobalTrafficManager, GlobalTrafficManagerArgs, RegionEndpoint


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


cfg = stack_config.from_pulumi()
stack = pulumi.get_stack()
base = f"{cfg.name_prefix}-{cfg.environment}"
tenant_id = authorization.get_client_config_output().tenant_id
primary = cfg.primary.location

groups, commons, monitors, networks = {}, {}, {}, {}
gateway_cfg = cfg.ai_gateway if cfg.ai_gateway is not None and cfg.ai_gateway.enabled else None
gateway_subnets = {r.location: s.prefix for r in cfg.network.regions if (s := r.subnet("apiManagement"))}
private_monitoring = cfg.monitoring.private_link
for index, region in enumerate(cfg.network.regions):
    loc = region.location
    groups[loc] = resources.ResourceGroup(
        f"rg-{loc}", resource_group_name=f"rg-{base}-{loc}", location=loc,
        tags={**cfg.resource_tags(), "region-role": "primary" if index == 0 else "secondary"})
    common = Common(resource_group_name=groups[loc].name, location=loc, tags=cfg.resource_tags(), protect=cfg.protect)
    ResourceGroupLock(f"lock-{loc}", ResourceGroupLockArgs(common=common))
    monitors[loc] = Monitoring(f"monitoring-{loc}", MonitoringArgs(
        common=common, base_name=base, retention_days=cfg.monitoring.retention_days,
        daily_quota_gb=cfg.monitoring.daily_quota_gb, private_link=private_monitoring))
    commons[loc] = dataclasses.replace(common, workspace_id=monitors[loc].workspace_id)
    networks[loc] = SecureNetwork(f"net-{loc}", SecureNetworkArgs(
        common=commons[loc], region=region, base_name=base, functions_plan=cfg.event_processing.function_plan,
        peer_gateway_prefixes=[p for other, p in gateway_subnets.items() if other != loc] if gateway_cfg else [],
        # The stack's one Azure Monitor private endpoint is in the primary region's endpoint subnet.
        peer_telemetry_prefixes=[p for other in cfg.network.regions[1:] for p in telemetry_prefixes(other)]
        if private_monitoring and index == 0 else []))

dns_groups = ["account", "vault", "redisEnterprise", "blob"]
if cfg.event_processing.enabled:
    dns_groups += ["namespace", "queue", "sites"]
if cfg.search is not None:
    dns_groups.append("searchService")
if private_monitoring:
    dns_groups.append(MONITOR_GROUP)
dns = PrivateDnsZones("dns", PrivateDnsZonesArgs(
    common=commons[primary], vnet_ids={loc: net.vnet_id for loc, net in networks.items()}, groups=dns_groups))
for loc, net in networks.items():
    commons[loc] = dataclasses.replace(commons[loc], private_link=PrivateLink(
        subnet_id=net.subnet_ids["privateEndpoints"], zone_ids=dns.zone_ids,
        zone_groups=cfg.network.private_dns_zone_groups))
# The VNets share one set of DNS zones, so they share one Azure Monitor Private Link Scope and one endpoint
# (components/monitor_private_link.py); the other regions reach it over the peerings below.
if private_monitoring:
    MonitorPrivateLink("monitor-private-link", MonitorPrivateLinkArgs(
        common=commons[primary], base_name=base,
        workspace_ids={loc: m.workspace_id for loc, m in monitors.items()},
        app_insights_ids={loc: m.app_insights_id for loc, m in monitors.items()}))
# A region's AI gateway fails over to the others' OpenAI endpoints, and a secondary region's telemetry goes
# through the primary's Azure Monitor endpoint: both over peering.
if len(networks) > 1 and (gateway_cfg is not None or private_monitoring):
    VnetPeerings("peering", VnetPeeringsArgs(regions={
        loc: RegionPeering(groups[loc].name, net.vnet_name, net.vnet_id) for loc, net in networks.items()}))

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

# One gateway per region, each over every region's account (local first): declared after the stamps because
# its pool needs all of them, while the stamps already know its URL (components.ai_gateway.gateway_url).
ai_gateways: dict[str, AIGateway] = {}
if gateway_cfg is not None:
    backends = [OpenAIBackend(loc, s.openai.account_id, s.openai.endpoint) for loc, s in stamps.items()]
    for region in cfg.network.regions:
        loc, stamp = region.location, stamps[region.location]
        ai_gateways[loc] = AIGateway(f"ai-gateway-{loc}", AIGatewayArgs(
            common=commons[loc], config=gateway_cfg, base_name=base, stack=stack, tenant_id=tenant_id,
            subnet_id=networks[loc].subnet_ids["apiManagement"],
            vnet_ids={other: net.vnet_id for other, net in networks.items()}, backends=backends,
            client_ids={c.service: stamp.identities.client_ids[c.service] for c in gateway_cfg.consumers},
            embeddings_deployment=gateway_cfg.semantic_cache.embeddings_deployment,
            app_insights_id=monitors[loc].app_insights_id,
            app_insights_connection_string=monitors[loc].connection_string,
            key_vault_id=stamp.vault.id, key_vault_name=stamp.vault.name,
            action_group_id=alerts_to.id, thresholds=cfg.monitoring.thresholds))

traffic_manager = None
if cfg.traffic_manager.enabled:
    traffic_manager = GlobalTrafficManager("traffic-manager", GlobalTrafficManagerArgs(
        common=commons[primary],
        relative_name=unique_name_output("tm", base_name=base, location="global", stack=stack,
                                         tenant_id=tenant_id, max_length=63),
        endpoints=[RegionEndpoint(loc, s.gateway.public_ip_id) for loc, s in stamps.items()],
        # Probes must match the gateway's listener host name, or every region looks down.
        host_header=cfg.traffic_manager.host_header or cfg.app_gateway.host_name,
        health_path=entrypoint(cfg).probe_path))
    pulumi.export("trafficManagerFqdn", traffic_manager.fqdn)

# The frontend is global: its API route leads to the public entry point (Traffic Manager when
# there is one, else the primary gateway), so it comes after both.
frontend = None
if cfg.frontend is not None:
    site = StaticWebApp("web", StaticWebAppArgs(common=commons[primary], config=cfg.frontend, base_name=base))
    frontend = FrontDoor("edge", FrontDoorArgs(
        common=commons[primary], config=cfg.frontend, base_name=base, stack=stack, tenant_id=tenant_id,
        site_host=site.default_hostname,
        api_origin=traffic_manager.fqdn if traffic_manager else stamps[primary].gateway.fqdn,
        api_host_header=cfg.app_gateway.host_name or ""))
    pulumi.export("frontendHost", frontend.public_host)
    pulumi.export("frontDoorId", frontend.front_door_id)
    # The site's staticwebapp.config.json takes these sections (docs/operations.md#perf-4).
    pulumi.export("staticWebAppConfig", frontend.site_config)
    if frontend.domain_validation is not None:
        pulumi.export("frontendDomainValidation", frontend.domain_validation)

AvailabilityTests("availability", AvailabilityTestsArgs(
    common=commons[primary], base_name=base, app_insights_id=monitors[primary].app_insights_id,
    action_group_id=alerts_to.id, locations=cfg.monitoring.availability_locations,
    host_name=cfg.app_gateway.host_name, traffic_manager_fqdn=traffic_manager.fqdn if traffic_manager else None,
    gateway_fqdn=stamps[primary].gateway.fqdn, health_path=entrypoint(cfg).probe_path))
Budget("budget", BudgetArgs(
    common=commons[primary], base_name=base, budget=cfg.budget,
    resource_group_ids=[g.id for g in groups.values()], action_group_id=alerts_to.id))
# The seed's token-spend target: the OpenAI accounts of every region under one monthly limit.
TokenBudget("token-budget", TokenBudgetArgs(
    common=commons[primary], base_name=base, amount=cfg.slo.token_spend_monthly, budget=cfg.budget,
    account_ids=[s.openai.account_id for s in stamps.values()], action_group_id=alerts_to.id))
load_testing = LoadTesting("load-testing", LoadTestingArgs(common=commons[primary], base_name=base))
Governance("governance", GovernanceArgs(
    common=commons[primary], config=cfg.governance, resource_group_ids=[g.id for g in groups.values()],
    allowed_locations=cfg.allowed_locations))
backup = Backup("backup", BackupArgs(
    common=commons[primary], base_name=base, backup=cfg.backup, stack=stack, tenant_id=tenant_id))

private_hosts = [host for s in stamps.values() for host in (s.openai.endpoint.apply(_host), s.cache.host_name)]
private_hosts += [a.endpoint.apply(_host) for s in stamps.values() for a in (s.vision, s.documents) if a]
private_hosts += [s.search.host_name for s in stamps.values() if s.search]
private_hosts += [g.url.apply(_host) for g in ai_gateways.values()]
if cfg.event_processing.enabled:
    ids, search = stamps[primary].identities, stamps[primary].search
    events = EventProcessing("events", EventProcessingArgs(
        common=commons[primary], config=cfg.event_processing, base_name=base, stack=stack, tenant_id=tenant_id,
        environment=cfg.environment, subnet_id=networks[primary].subnet_ids["functions"],
        identity=ServiceIdentity(ids.ids["functions"], ids.client_ids["functions"], ids.principal_ids["functions"]),
        openai_endpoint=stamps[primary].openai_endpoint,
        search_endpoint=search.endpoint if search else None,
        key_vault_secrets=stamps[primary].vault.secret_uris,
        key_vault_id=stamps[primary].vault.id))
    private_hosts += events.private_host_names

# What `python -m verify` reads after a deployment (docs/operations.md).
pulumi.export("hostName", cfg.app_gateway.host_name)
pulumi.export("privateHostNames", private_hosts)
pulumi.export("gateways", {loc: s.gateway.fqdn for loc, s in stamps.items()})
pulumi.export("gatewayAddresses", {loc: s.gateway.public_ip_address for loc, s in stamps.items()})
pulumi.export("openaiEndpoints", {loc: s.openai.endpoint for loc, s in stamps.items()})
pulumi.export("aiGateways", {loc: g.url for loc, g in ai_gateways.items()})
pulumi.export("redisHosts", {loc: s.cache.host_name for loc, s in stamps.items()})
pulumi.export("dataStorageAccount", backup.storage_account_name)
# What the deploy workflow's load test reads (loadtest/README.md).
pulumi.export("loadTestResource", load_testing.name)
pulumi.export("loadTestResourceGroup", groups[primary].name)
