"""Peering between the regional VNets, so one region's AI gateway reaches another region's OpenAI private
endpoint when its pool fails over (REL-1, REL-3), and every region reaches the stack's one Azure Monitor
private endpoint in the primary region (components/monitor_private_link.py).

Both directions are declared (a peering is one-way in ARM, learn.microsoft.com/azure/virtual-network/
virtual-network-peering-overview); no forwarded traffic and no gateway transit, so a peering carries only
traffic between the two address spaces. The private DNS zones are already linked to every VNet, so an
account's name resolves to its own region's endpoint from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import permutations

import pulumi
import pulumi_azure_native.network as network


@dataclass(frozen=True)
class RegionPeering:
    resource_group_name: pulumi.Input[str]
    vnet_name: pulumi.Input[str]
    vnet_id: pulumi.Input[str]


@dataclass(frozen=True)
class VnetPeeringsArgs:
    # Region location -> its VNet; keyed by region so adding one never renames the others' peerings.
    regions: Mapping[str, RegionPeering]


class VnetPeerings(pulumi.ComponentResource):
    """A full mesh of VNet peerings between the regions."""

    def __init__(self, name: str, args: VnetPeeringsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:peering:VnetPeerings", name, None, opts)
        for source, target in permutations(sorted(args.regions), 2):
            local, remote = args.regions[source], args.regions[target]
            network.VirtualNetworkPeering(
                f"{name}-{source}-to-{target}",
                virtual_network_peering_name=f"peer-{source}-to-{target}",
                virtual_network_name=local.vnet_name,
                resource_group_name=local.resource_group_name,
                remote_virtual_network=network.SubResourceArgs(id=remote.vnet_id),
                allow_virtual_network_access=True,
                allow_forwarded_traffic=False,
                allow_gateway_transit=False,
                use_remote_gateways=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
