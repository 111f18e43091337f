"""Global failover: a Traffic Manager profile sending every client to the first healthy region.

The seed's settings are kept (Priority routing, TTL 30 s, HTTPS /health every 30 s, 3 tolerated
failures, 10 s timeout), so a dead region drains within about two minutes (3 x 30 s + TTL).
Endpoints target each region's WAF gateway public IP by resource id, not a host name: Traffic
Manager then follows the IP, and a deleted IP cannot leave a dangling CNAME behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.trafficmanager as trafficmanager

from stack_config.model import (
    TM_DNS_TTL_SECONDS,
    TM_PROBE_INTERVAL_SECONDS,
    TM_PROBE_TIMEOUT_SECONDS,
    TM_TOLERATED_FAILURES,
)

from .common import Common
from .diagnostics import diagnostic_setting
from .naming import check_parts

AZURE_ENDPOINT = "Microsoft.Network/trafficManagerProfiles/azureEndpoints"


class TrafficManagerError(pulumi.RunError):
    """GlobalTrafficManager inputs that cannot make a working profile."""


@dataclass(frozen=True)
class RegionEndpoint:
    location: str
    # The region gateway's public IP (WafGateway.public_ip_id); it needs a DNS label.
    public_ip_id: pulumi.Input[str]


@dataclass(frozen=True)
class GlobalTrafficManagerArgs:
    # The primary region's resource group; the profile itself is global.
    common: Common
    # '<relative_name>.trafficmanager.net', unique across all tenants: naming.unique_name("tm", ...).
    relative_name: pulumi.Input[str]
    # In priority order: the first is primary, the next takes over when it fails, and so on.
    endpoints: Sequence[RegionEndpoint]
    # Host header for health probes and endpoint checks when the gateway listens on a host name
    # (appGateway.hostName): without it the probe hits no listener and every region looks down.
    host_header: str | None = None
    # The entrypoint service's probePath, answered through each regional gateway.
    health_path: str = "/health"


def _check(name: str, args: GlobalTrafficManagerArgs) -> None:
    if isinstance(args.relative_name, str):
        check_parts(name, relative_name=args.relative_name)
    if args.common.role_grants:
        raise TrafficManagerError("Common.role_grants: a Traffic Manager profile takes no data-plane roles; grant "
                                  "on the resource the workload uses instead")
    if not args.endpoints:
        raise TrafficManagerError("GlobalTrafficManagerArgs.endpoints: empty; pass one endpoint per region "
                                  "in priority order")
    locations = [e.location for e in args.endpoints]
    duplicates = sorted({loc for loc in locations if locations.count(loc) > 1})
    if duplicates:
        raise TrafficManagerError(f"GlobalTrafficManagerArgs.endpoints: {', '.join(duplicates)} listed twice; "
                                  "pass each region once")


class GlobalTrafficManager(pulumi.ComponentResource):
    """A Priority-routed Traffic Manager profile over the regional WAF gateways."""

    profile_id: pulumi.Output[str]
    fqdn: pulumi.Output[str]

    def __init__(self, name: str, args: GlobalTrafficManagerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:traffic_manager:GlobalTrafficManager", name, None, opts)
        common = args.common
        # Profile-level headers apply to every endpoint's probe.
        host = ([trafficmanager.MonitorConfigCustomHeadersItemArgs(name="Host", value=args.host_header)]
                if args.host_header else None)

        # Endpoints are inline: a profile PUT replaces its endpoint list, so standalone Endpoint
        # resources would be wiped by the next profile update (a tag, the TTL) and fight the engine.
        # Stateful: once deleted, the relative name can be claimed by anyone while clients still
        # point their CNAME at it.
        profile = trafficmanager.Profile(
            name,
            profile_name=name,
            resource_group_name=common.resource_group_name,
            location="global",
            profile_status=trafficmanager.ProfileStatus.ENABLED,
            traffic_routing_method=trafficmanager.TrafficRoutingMethod.PRIORITY,
            dns_config=trafficmanager.DnsConfigArgs(relative_name=args.relative_name, ttl=TM_DNS_TTL_SECONDS),
            monitor_config=trafficmanager.MonitorConfigArgs(
                protocol=trafficmanager.MonitorProtocol.HTTPS,
                port=443,
                path=args.health_path,
                interval_in_seconds=TM_PROBE_INTERVAL_SECONDS,
                tolerated_number_of_failures=TM_TOLERATED_FAILURES,
                timeout_in_seconds=TM_PROBE_TIMEOUT_SECONDS,
                custom_headers=host,
            ),
            endpoints=[
                trafficmanager.EndpointArgs(
                    name=endpoint.location,
                    type=AZURE_ENDPOINT,
                    target_resource_id=endpoint.public_ip_id,
                    endpoint_status=trafficmanager.EndpointStatus.ENABLED,
                    priority=priority,
                )
                for priority, endpoint in enumerate(args.endpoints, start=1)
            ],
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        diagnostic_setting(name, target_id=profile.id, workspace_id=common.workspace_id, parent=self)

        self.profile_id = profile.id
        self.fqdn = profile.dns_config.apply(lambda d: (d.fqdn or "") if d is not None else "")
        self.register_outputs({"profileId": self.profile_id, "fqdn": self.fqdn})
