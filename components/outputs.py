"""The stack outputs: what `python -m verify` reads after a deployment (docs/operations.md) and what
the deploy workflow's load test reads (loadtest/README.md)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from stack_config.model import StackConfig

from .foundation import Foundation
from .global_layer import GlobalLayer
from .regional_gateways import RegionalGateways
from .stamp import RegionalStamp


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


def export_outputs(cfg: StackConfig, foundation: Foundation, stamps: Mapping[str, RegionalStamp],
                   gateways: RegionalGateways, layer: GlobalLayer) -> None:
    if layer.traffic_manager is not None:
        pulumi.export("trafficManagerFqdn", layer.traffic_manager.fqdn)
    if layer.frontend is not None:
        pulumi.export("frontendHost", layer.frontend.public_host)
        pulumi.export("frontDoorId", layer.frontend.front_door_id)
        # The site's staticwebapp.config.json takes these sections (docs/operations.md#perf-4).
        pulumi.export("staticWebAppConfig", layer.frontend.site_config)
        if layer.frontend.domain_validation is not None:
            pulumi.export("frontendDomainValidation", layer.frontend.domain_validation)

    private_hosts = [host for s in stamps.values() for host in (s.openai.endpoint.apply(_host), s.cache.host_name)]
    private_hosts += [a.endpoint.apply(_host) for s in stamps.values() for a in (s.vision, s.documents) if a]
    private_hosts += [s.search.host_name for s in stamps.values() if s.search]
    private_hosts += [g.url.apply(_host) for g in gateways.by_region.values()]
    if layer.events is not None:
        private_hosts += layer.events.private_host_names
    pulumi.export("hostName", cfg.app_gateway.host_name)
    pulumi.export("privateHostNames", private_hosts)
    pulumi.export("gateways", {loc: s.gateway.fqdn for loc, s in stamps.items()})
    pulumi.export("gatewayAddresses", {loc: s.gateway.public_ip_address for loc, s in stamps.items()})
    pulumi.export("openaiEndpoints", {loc: s.openai.endpoint for loc, s in stamps.items()})
    pulumi.export("aiGateways", {loc: g.url for loc, g in gateways.by_region.items()})
    pulumi.export("redisHosts", {loc: s.cache.host_name for loc, s in stamps.items()})
    pulumi.export("dataStorageAccount", layer.backup.storage_account_name)
    pulumi.export("loadTestResource", layer.load_testing.name)
    pulumi.export("loadTestResourceGroup", foundation.regions[foundation.primary].group.name)
