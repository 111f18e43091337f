"""GlobalTrafficManager: Priority routing over the regional gateways with the seed's HTTPS /health monitor."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from components.common import Common, RoleGrant
from components.naming import NamingError
from components.traffic_manager import (
    AZURE_ENDPOINT,
    GlobalTrafficManager,
    GlobalTrafficManagerArgs,
    RegionEndpoint,
    TrafficManagerError,
)
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config

PROFILE = T.TM_PROFILE
ENDPOINT = T.TM_ENDPOINT
DIAG = T.DIAGNOSTIC_SETTING
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
WORKSPACE = f"{SUB}/rg-mon/providers/Microsoft.OperationalInsights/workspaces/log-test"


def _pip(location: str) -> str:
    return f"{SUB}/rg-{location}/providers/Microsoft.Network/publicIPAddresses/agw-{location}-pip"


def _args(stack: str = "prod", **overrides: Any) -> GlobalTrafficManagerArgs:
    cfg = stack_config(stack)
    values: dict[str, Any] = {
        "common": Common(resource_group_name="rg-test", location=cfg.primary.location, tags=cfg.resource_tags(),
                         workspace_id=WORKSPACE, protect=cfg.protect),
        "relative_name": "aip-prod-tm-abc123",
        "endpoints": [RegionEndpoint(r.location, _pip(r.location)) for r in cfg.network.regions],
        **overrides,
    }
    return GlobalTrafficManagerArgs(**values)


def _build(stack: str = "prod", **overrides: Any) -> tuple[Declared, GlobalTrafficManager]:
    built: list[GlobalTrafficManager] = []
    declared = declare(lambda: built.append(GlobalTrafficManager("tm-test", _args(stack, **overrides))))
    return declared, built[0]


def _resolve(value: Any) -> Any:
    return _sync_await(pulumi.Output.from_input(value).future())


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, GlobalTrafficManager]:
    return _build()


def test_priority_routing_with_the_seed_dns_and_monitor(prod: tuple[Declared, GlobalTrafficManager]) -> None:
    profile = prod[0].inputs(PROFILE)
    assert profile["location"] == "global" and profile["profileStatus"] == "Enabled"
    assert profile["trafficRoutingMethod"] == "Priority"
    assert profile["dnsConfig"] == {"relativeName": "aip-prod-tm-abc123", "ttl": 30}
    assert profile["monitorConfig"] == {"protocol": "HTTPS", "port": 443, "path": "/health",
                                        "intervalInSeconds": 30, "toleratedNumberOfFailures": 3,
                                        "timeoutInSeconds": 10}


def test_one_endpoint_per_region_in_priority_order(prod: tuple[Declared, GlobalTrafficManager]) -> None:
    declared = prod[0]
    endpoints = declared.inputs(PROFILE)["endpoints"]
    assert endpoints == [
        {"name": "eastus2", "type": AZURE_ENDPOINT, "targetResourceId": _pip("eastus2"),
         "endpointStatus": "Enabled", "priority": 1},
        {"name": "westus3", "type": AZURE_ENDPOINT, "targetResourceId": _pip("westus3"),
         "endpointStatus": "Enabled", "priority": 2},
    ]
    # Inline only: standalone endpoints would be wiped by the next profile PUT.
    assert not declared.of_type(ENDPOINT)


def test_host_header_is_sent_with_every_probe() -> None:
    declared, _ = _build(host_header="ai.contoso.com")
    monitor = declared.inputs(PROFILE)["monitorConfig"]
    assert monitor["customHeaders"] == [{"name": "Host", "value": "ai.contoso.com"}]


def test_profile_is_protected_tagged_and_logged(prod: tuple[Declared, GlobalTrafficManager]) -> None:
    declared, manager = prod
    profile = declared.one(PROFILE)
    assert profile.protect is True  # a deleted relative name can be claimed by anyone
    assert declared.inputs(PROFILE)["tags"]["environment"] == "prod"
    diag = declared.inputs(DIAG)
    assert diag["resourceUri"] == _resolve(manager.profile_id) and diag["workspaceId"] == WORKSPACE
    assert diag["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert _resolve(manager.fqdn) == "aip-prod-tm-abc123.trafficmanager.net"


def test_dev_single_region_profile_is_not_protected() -> None:
    declared, _ = _build("dev")
    assert [e["priority"] for e in declared.inputs(PROFILE)["endpoints"]] == [1]
    assert declared.one(PROFILE).protect is False


def _invalid(**overrides: Any) -> str:
    with pytest.raises(TrafficManagerError) as info:
        declare(lambda: GlobalTrafficManager("tm-test", _args(**overrides)))
    return str(info.value)


def test_bad_inputs_are_named() -> None:
    assert "endpoints: empty" in _invalid(endpoints=[])
    twice = [RegionEndpoint("eastus2", _pip("eastus2")), RegionEndpoint("eastus2", _pip("westus3"))]
    assert "eastus2 listed twice" in _invalid(endpoints=twice)
    with pytest.raises(NamingError, match="relative_name 'Not_A_Label' cannot be part of an Azure DNS name"):
        declare(lambda: GlobalTrafficManager("tm-test", _args(relative_name="Not_A_Label")))
    common = Common(resource_group_name="rg-test", location="eastus2", tags={},
                    role_grants=[RoleGrant(principal_id="p", role="Key Vault Secrets User", description="x")])
    assert "Common.role_grants" in _invalid(common=common)
