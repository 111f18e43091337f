"""Each subnet must hold what its role puts in it (beyond the per-role minimum in stack_config.validate).

- appGateway: every Application Gateway v2 instance takes one address, and Azure keeps five of every
  subnet ("125 instance IP addresses + 1 private frontend IP configuration + 5 Azure reserved",
  learn.microsoft.com/azure/application-gateway/configuration-infrastructure#size-of-the-subnet), so
  the subnet needs maxCapacity + 5 addresses (the gateway has no private frontend).
- containerApps: the smallest subnet depends on the environment type: /27 for a workload profiles
  environment, /23 for a Consumption-only one (learn.microsoft.com/azure/container-apps/
  custom-virtual-networks#subnet). components/container_apps.py always builds a workload profiles
  environment.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, Literal

from .problems import Problem

AZURE_RESERVED_ADDRESSES = 5
EnvironmentType = Literal["workloadProfiles", "consumptionOnly"]
CONTAINER_APPS_MAX_PREFIXLEN: dict[EnvironmentType, int] = {"workloadProfiles": 27, "consumptionOnly": 23}
# What components.container_apps declares (a `workload_profiles` list on the environment).
ENVIRONMENT_TYPE: EnvironmentType = "workloadProfiles"


def _smallest_prefix(addresses: int) -> int:
    """The longest IPv4 prefix whose subnet has at least `addresses` addresses."""
    return 32 - max(addresses - 1, 1).bit_length()


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    network, gateway = p.get("network"), p.get("app_gateway")
    if network is None:
        return
    for i, region in enumerate(network.regions):
        for j, subnet in enumerate(region.subnets):
            path = f"network.regions[{i}].subnets[{j}].prefix"
            net = ipaddress.ip_network(subnet.prefix)
            if net.version != 4:
                continue
            if subnet.role == "appGateway" and gateway is not None:
                needed = gateway.max_capacity + AZURE_RESERVED_ADDRESSES
                if net.num_addresses < needed:
                    yield (path, f"'{subnet.prefix}' has {net.num_addresses} addresses; appGateway.maxCapacity "
                           f"{gateway.max_capacity} needs {needed} (one per instance + {AZURE_RESERVED_ADDRESSES} "
                           f"Azure reserves); use /{_smallest_prefix(needed)} or larger, or lower maxCapacity")
            if subnet.role == "containerApps":
                limit = CONTAINER_APPS_MAX_PREFIXLEN[ENVIRONMENT_TYPE]
                if net.prefixlen > limit:
                    yield (path, f"'{subnet.prefix}' is too small for role 'containerApps': a {ENVIRONMENT_TYPE} "
                           f"environment needs /{limit}; use /{limit} or larger")
