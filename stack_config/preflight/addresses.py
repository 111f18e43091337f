"""Address spaces and subnets must avoid the ranges Azure refuses.

VNets: "The following address ranges are reserved: 224.0.0.0/4 (multicast), 255.255.255.255/32
(broadcast), 127.0.0.0/8 (loopback), 169.254.0.0/16 (link-local), 168.63.129.16/32 (internal DNS,
DHCP and Azure Load Balancer health probe)" (learn.microsoft.com/azure/virtual-network/
virtual-networks-faq#what-address-ranges-can-i-use-in-my-virtual-networks); 0.0.0.0/0 overlaps all
of them. For IPv6 the same classes apply: loopback, link-local and multicast.

A Container Apps environment's subnet must also avoid the ranges its platform uses
(learn.microsoft.com/azure/container-apps/custom-virtual-networks#subnet-address-range-restrictions):
169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, 192.0.2.0/24 and, for workload profiles
environments, 100.100.0.0/17, 100.100.128.0/19, 100.100.160.0/19, 100.100.192.0/19.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from .problems import Problem

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REFUSED: dict[str, str] = {
    "127.0.0.0/8": "loopback",
    "169.254.0.0/16": "link-local",
    "168.63.129.16/32": "Azure's internal DNS, DHCP and health-probe address",
    "224.0.0.0/4": "multicast",
    "255.255.255.255/32": "broadcast",
    "::1/128": "loopback",
    "fe80::/10": "link-local",
    "ff00::/8": "multicast",
}
CONTAINER_APPS_REFUSED: dict[str, str] = {
    "172.30.0.0/16": "used by the Container Apps platform",
    "172.31.0.0/16": "used by the Container Apps platform",
    "192.0.2.0/24": "used by the Container Apps platform",
    "100.100.0.0/17": "used by workload profiles environments",
    "100.100.128.0/19": "used by workload profiles environments",
    "100.100.160.0/19": "used by workload profiles environments",
    "100.100.192.0/19": "used by workload profiles environments",
}


def _clashes(cidr: str, table: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    net: Network = ipaddress.ip_network(cidr)
    for refused, why in table.items():
        other: Network = ipaddress.ip_network(refused)
        if other.version == net.version and net.overlaps(other):  # type: ignore[arg-type]
            yield refused, why


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    network = p.get("network")
    if network is None:
        return
    for i, region in enumerate(network.regions):
        path = f"network.regions[{i}]"
        fields = [(f"{path}.addressSpace", region.address_space, REFUSED)]
        for j, subnet in enumerate(region.subnets):
            extra = {**REFUSED, **CONTAINER_APPS_REFUSED} if subnet.role == "containerApps" else REFUSED
            fields.append((f"{path}.subnets[{j}].prefix", subnet.prefix, extra))
        for field, cidr, table in fields:
            for refused, why in _clashes(cidr, table):
                yield (field, f"'{cidr}' overlaps {refused} ({why}), which Azure refuses here; use a private range "
                       "such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
