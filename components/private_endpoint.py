"""The private endpoint helper every data-plane component takes (like AVM's `privateEndpoints`)."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.network as network

from policies.azure.catalog import ZONES_BY_GROUP

from .common import Common, PrivateLink


class PrivateLinkError(pulumi.RunError):
    """A component was asked for a private endpoint it cannot build."""


def check_private_link(name: str, common: Common, group_id: str,
                       zones: tuple[str, ...] | None = None) -> tuple[PrivateLink, tuple[str, ...]]:
    """The link and zones `private_endpoint` will use; call it before declaring anything so a
    component without a usable private link fails before its first resource. `zones` narrows the
    group's zones where a service answers on fewer names (a Computer Vision account only on
    cognitiveservices.azure.com)."""
    link = common.private_link
    if link is None:
        raise PrivateLinkError(f"{name}: no private endpoint subnet given; pass Common.private_link (SEC-3)")
    known = ZONES_BY_GROUP.get(group_id)
    if known is not None and zones is not None:
        outside = [z for z in zones if z not in known]
        if outside:
            raise PrivateLinkError(f"{name}: zone(s) {', '.join(outside)} do not serve group '{group_id}'; "
                                   f"pick from {', '.join(known)}")
        known = zones
    zones = known
    if zones is None:
        raise PrivateLinkError(f"{name}: unknown private-link group '{group_id}'; known: {', '.join(ZONES_BY_GROUP)}")
    missing = [z for z in zones if z not in link.zone_ids]
    if link.zone_groups and missing:
        raise PrivateLinkError(f"{name}: DNS zone(s) {', '.join(missing)} are not in the stack's zone set; "
                               f"create them with PrivateDnsZones for group '{group_id}'")
    return link, zones


def private_endpoint(
    name: str,
    *,
    common: Common,
    target_id: pulumi.Input[str],
    group_id: str,
    parent: pulumi.Resource,
    zones: tuple[str, ...] | None = None,
) -> network.PrivateEndpoint:
    """A private endpoint for `target_id` in the stack's endpoint subnet, with a DNS zone group
    holding every zone of that service (unless Azure Policy manages the records)."""
    link, zones = check_private_link(name, common, group_id, zones)
    endpoint = network.PrivateEndpoint(
        f"{name}-pe",
        private_endpoint_name=f"pe-{name}",
        custom_network_interface_name=f"nic-pe-{name}",
        resource_group_name=common.resource_group_name,
        location=common.location,
        # SubnetArgs fills in privateEndpointNetworkPolicies=Disabled when unset; ARM ignores a
        # reference's properties, but say what the subnet really has (SecureNetwork enables them)
        # so neither a reader nor a policy sees the seed's insecure value here.
        subnet=network.SubnetArgs(
            id=link.subnet_id,
            private_endpoint_network_policies=network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED,
        ),
        private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
            name=f"{name}-{group_id}",
            private_link_service_id=target_id,
            group_ids=[group_id],
        )],
        tags=common.tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    if link.zone_groups:
        network.PrivateDnsZoneGroup(
            f"{name}-pe-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=endpoint.name,
            resource_group_name=common.resource_group_name,
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(name=zone.replace(".", "-"), private_dns_zone_id=link.zone_ids[zone])
                for zone in zones
            ],
            opts=pulumi.ResourceOptions(parent=endpoint),
        )
    return endpoint
