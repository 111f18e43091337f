"""The stack's private DNS zones: one set for all regions, linked to every regional VNet.

Private DNS zones are global, and a VNet can be linked to only one zone of a given name, so one
set per stack (in the primary region's resource group) serves every region: an app in either
region resolves every private endpoint of the stack through the same zones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.privatedns as privatedns

from .common import Common
from .private_endpoint import ZONES_BY_GROUP, PrivateLinkError


@dataclass(frozen=True)
class PrivateDnsZonesArgs:
    # The primary region's resource group; `location` is unused (zones are global).
    common: Common
    # Region location -> VNet id. Keyed by region, not position, so adding or removing a region
    # never renames the links of the others.
    vnet_ids: Mapping[str, pulumi.Input[str]]
    # Private-link group ids the stack's endpoints use (keys of ZONES_BY_GROUP).
    groups: Sequence[str]


def zones_for(groups: Sequence[str]) -> list[str]:
    """Every zone the groups need, once each, in a stable order."""
    unknown = [g for g in groups if g not in ZONES_BY_GROUP]
    if unknown:
        raise PrivateLinkError(f"PrivateDnsZones: unknown private-link group(s) {', '.join(unknown)}; "
                               f"known: {', '.join(ZONES_BY_GROUP)}")
    return sorted({zone for g in groups for zone in ZONES_BY_GROUP[g]})


def _check(args: PrivateDnsZonesArgs) -> list[str]:
    if not args.vnet_ids:
        raise PrivateLinkError("PrivateDnsZones: no VNet to link; pass vnet_ids={location: vnet id} for every region")
    if not args.groups:
        raise PrivateLinkError("PrivateDnsZones: no private-link groups; pass the groups the stack's endpoints use, "
                               f"e.g. {', '.join(ZONES_BY_GROUP)}")
    return zones_for(args.groups)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def linked_private_zone(
    name: str,
    *,
    zone_name: pulumi.Input[str],
    common: Common,
    parent: pulumi.Resource,
    links: Mapping[str, tuple[str, pulumi.Input[str]]],
    stateful: bool = False,
) -> privatedns.PrivateZone:
    """A private DNS zone linked to VNets, its resources children of `parent` (so callers keep their URNs).

    `links` maps each link's logical-name suffix (`<name>-<suffix>`) to its Azure link name and VNet id.
    """
    zone = privatedns.PrivateZone(
        name,
        private_zone_name=zone_name,
        resource_group_name=common.resource_group_name,
        location="global",
        tags=common.tags,
        opts=common.child(parent, stateful=stateful),
    )
    for suffix, (link_name, vnet_id) in links.items():
        privatedns.VirtualNetworkLink(
            f"{name}-{suffix}",
            virtual_network_link_name=link_name,
            private_zone_name=zone.name,
            resource_group_name=common.resource_group_name,
            location="global",
            virtual_network=privatedns.SubResourceArgs(id=vnet_id),
            # Records come from zone groups or the caller; VMs must not register themselves here.
            registration_enabled=False,
            tags=common.tags,
            opts=common.child(parent),
        )
    return zone


class PrivateDnsZones(pulumi.ComponentResource):
    """Private DNS zones for the requested private-link groups, linked to every regional VNet."""

    zone_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: PrivateDnsZonesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        zones = _check(args)
        super().__init__("ai-platform:private_dns:PrivateDnsZones", name, None, opts)
        common = args.common
        links = {_slug(location): (f"link-{_slug(location)}", vnet_id) for location, vnet_id in args.vnet_ids.items()}
        # Stateful: each zone holds every endpoint's A record; losing one breaks resolution stack-wide.
        self.zone_ids = {
            zone: linked_private_zone(f"{name}-{zone}", zone_name=zone, common=common, parent=self, links=links,
                                      stateful=True).id
            for zone in zones
        }
        self.register_outputs({"zoneIds": self.zone_ids})
