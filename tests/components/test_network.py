"""SecureNetwork: inline subnets, an NSG on each, least-privilege inbound rules, private by default."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.common import Common
from components.network import (
    CONTAINER_APPS_HTTPS_PORTS,
    DENY_PRIORITY,
    PRIVATE_ENDPOINT_PORTS,
    SUBNET_NAMES,
    SecureNetwork,
    SecureNetworkArgs,
    security_rules,
    telemetry_prefixes,
)
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config

VNET = T.VNET
NSG = T.NSG
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"


def _network(stack: str, functions_plan: Any = "FlexConsumption", workspace: str | None = WORKSPACE,
             subnets: Any = None) -> tuple[Declared, dict[str, Any], Any]:
    cfg = stack_config(stack)
    region = cfg.primary
    if subnets is not None:
        region = region.model_copy(update={"subnets": subnets(region.subnets)})
    outputs: dict[str, Any] = {}

    def build() -> None:
        common = Common(resource_group_name="rg-net", location=region.location, tags=cfg.resource_tags(),
                        workspace_id=workspace, protect=cfg.protect)
        net = SecureNetwork("net", SecureNetworkArgs(common=common, region=region,
                                                     base_name=f"{cfg.name_prefix}-{cfg.environment}",
                                                     functions_plan=functions_plan))
        pulumi.Output.all(vnet_id=net.vnet_id, vnet_name=net.vnet_name, subnet_ids=net.subnet_ids,
                          nsg_ids=net.nsg_ids).apply(outputs.update)

    return declare(build, stack=stack), outputs, region


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, dict[str, Any], Any]:
    return _network("prod")


def _subnets(declared: Declared) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in declared.inputs(VNET)["subnets"]}


def _rules(declared: Declared, role: str) -> list[dict[str, Any]]:
    nsg = next(r for r in declared.of_type(NSG) if r.name == f"net-nsg-{_slug(role)}")
    return declared.inputs(NSG, nsg.name)["securityRules"]


def _slug(role: str) -> str:
    return {"privateEndpoints": "private-endpoints", "containerApps": "container-apps",
            "appGateway": "app-gateway", "functions": "functions", "operations": "operations",
            "apiManagement": "api-management"}[role]


def _sources(rule: dict[str, Any]) -> list[str]:
    return rule.get("sourceAddressPrefixes") or [rule["sourceAddressPrefix"]]


def _ports(rule: dict[str, Any]) -> list[str]:
    return rule.get("destinationPortRanges") or [rule["destinationPortRange"]]


def test_subnets_are_inline_only(prod) -> None:
    declared, _, region = prod
    # Mixing standalone subnets or rules with inline ones deletes them on the next VNet/NSG update.
    assert not declared.of_type(T.SUBNET)
    assert not declared.of_type(T.SECURITY_RULE)
    vnet = declared.inputs(VNET)
    assert vnet["virtualNetworkName"] == "vnet-aip-prod-eastus2"
    assert vnet["addressSpace"]["addressPrefixes"] == [region.address_space]
    assert {s["name"]: s["addressPrefix"] for s in vnet["subnets"]} == {
        SUBNET_NAMES[s.role]: s.prefix for s in region.subnets}


def test_every_subnet_has_its_own_nsg(prod) -> None:
    declared, outputs, region = prod
    nsgs = {declared.inputs(NSG, r.name)["networkSecurityGroupName"]: r for r in declared.of_type(NSG)}
    assert len(nsgs) == len(region.subnets)
    for subnet in region.subnets:
        wired = _subnets(declared)[SUBNET_NAMES[subnet.role]]["networkSecurityGroup"]["id"]
        assert wired == outputs["nsg_ids"][subnet.role]
        assert wired.endswith(f"/networkSecurityGroups/nsg-aip-prod-eastus2-{_slug(subnet.role)}")
    vnet = declared.one(VNET)
    assert set(vnet.property_dependencies["subnets"]) == {r.urn for r in nsgs.values()}


def test_no_subnet_has_default_outbound_access(prod) -> None:
    declared, _, _ = prod
    subnets = _subnets(declared)
    assert len(subnets) == 6 and all(s["defaultOutboundAccess"] is False for s in subnets.values())


def test_private_endpoint_network_policies_are_enabled_where_endpoints_can_live(prod) -> None:
    declared, _, _ = prod
    policies = {name: s["privateEndpointNetworkPolicies"] for name, s in _subnets(declared).items()
                if not s["delegations"]}
    assert policies == {"snet-private-endpoints": "Enabled", "snet-app-gateway": "Enabled",
                        "snet-operations": "Enabled", "snet-api-management": "Enabled"}


@pytest.mark.parametrize(("plan", "functions_service"), [
    ("FlexConsumption", "Microsoft.App/environments"),
    ("ElasticPremium", "Microsoft.Web/serverFarms"),
])
def test_delegations_per_role(plan: str, functions_service: str) -> None:
    declared, _, _ = _network("prod", functions_plan=plan)
    services = {name: [d["serviceName"] for d in s["delegations"]] for name, s in _subnets(declared).items()}
    assert services == {
        "snet-private-endpoints": [],
        "snet-container-apps": ["Microsoft.App/environments"],
        "snet-app-gateway": [],  # Application Gateway needs a dedicated, undelegated subnet
        "snet-functions": [functions_service],
        "snet-operations": [],  # runners and jump hosts are plain VMs / container instances
        "snet-api-management": [],  # VNet-injected API Management takes an undelegated subnet
    }


def test_every_nsg_ends_in_deny_all_inbound(prod) -> None:
    declared, _, region = prod
    for subnet in region.subnets:
        rules = _rules(declared, subnet.role)
        priorities = [r["priority"] for r in rules]
        assert len(set(priorities)) == len(priorities)
        last = max(rules, key=lambda r: r["priority"])
        assert last["priority"] == DENY_PRIORITY
        assert (last["access"], last["direction"], last["protocol"]) == ("Deny", "Inbound", "*")
        assert (last["sourceAddressPrefix"], last["destinationPortRange"]) == ("*", "*")
        assert all(r["direction"] == "Inbound" for r in rules)


def test_app_gateway_subnet_admits_only_what_the_gateway_needs(prod) -> None:
    declared, _, region = prod
    gateway = region.subnet("appGateway").prefix
    allows = {r["name"]: r for r in _rules(declared, "appGateway") if r["access"] == "Allow"}
    assert {n: (_sources(r), _ports(r), r["destinationAddressPrefix"], r["protocol"]) for n, r in allows.items()} == {
        "allow-https-internet": (["Internet"], ["443"], gateway, "Tcp"),
        "allow-http-redirect-internet": (["Internet"], ["80"], gateway, "Tcp"),
        "allow-gateway-manager": (["GatewayManager"], ["65200-65535"], "*", "Tcp"),
        "allow-azure-load-balancer": (["AzureLoadBalancer"], ["*"], "*", "*"),
    }


def test_only_the_gateway_subnet_accepts_internet_traffic(prod) -> None:
    declared, _, region = prod
    for subnet in region.subnets:
        if subnet.role == "appGateway":
            continue
        for rule in _rules(declared, subnet.role):
            if rule["access"] == "Allow":
                assert not {"Internet", "*", "0.0.0.0/0", "Any"} & set(_sources(rule)), (subnet.role, rule)


def test_private_endpoints_accept_only_the_workload_subnets(prod) -> None:
    declared, _, region = prod
    endpoints = region.subnet("privateEndpoints").prefix
    allows = {r["name"]: r for r in _rules(declared, "privateEndpoints") if r["access"] == "Allow"}
    workloads = allows["allow-workloads"]
    assert sorted(_sources(workloads)) == sorted([region.subnet("containerApps").prefix,
                                                   region.subnet("functions").prefix,
                                                   region.subnet("apiManagement").prefix])
    assert _ports(workloads) == list(PRIVATE_ENDPOINT_PORTS)
    assert workloads["destinationAddressPrefix"] == endpoints
    # The gateway only fetches its certificate from Key Vault (HTTPS).
    assert _sources(allows["allow-app-gateway-key-vault"]) == [region.subnet("appGateway").prefix]
    assert _ports(allows["allow-app-gateway-key-vault"]) == ["443"]
    # Operators reach every endpoint over HTTPS from the operations subnet, and nothing else.
    assert _sources(allows["allow-operations-https"]) == [region.subnet("operations").prefix]
    assert _ports(allows["allow-operations-https"]) == ["443"]
    assert set(allows) == {"allow-workloads", "allow-app-gateway-key-vault", "allow-operations-https"}


def test_cluster_aware_redis_clients_reach_the_shard_ports(prod) -> None:
    declared, _, _ = prod
    workloads = next(r for r in _rules(declared, "privateEndpoints") if r["name"] == "allow-workloads")
    # OSS cluster policy: 10000 for the topology, then 8500-8599 straight to the shards.
    assert {"10000", "8500-8599"} <= set(_ports(workloads))


def test_without_an_operations_subnet_no_operator_rule_is_added() -> None:
    declared, _, _ = _network("prod", subnets=lambda subnets: [s for s in subnets if s.role != "operations"])
    assert "allow-operations-https" not in {r["name"] for r in _rules(declared, "privateEndpoints")}


def test_dev_without_functions_subnet_lists_the_apps_and_the_ai_gateway() -> None:
    declared, outputs, region = _network("dev")
    workloads = next(r for r in _rules(declared, "privateEndpoints") if r["name"] == "allow-workloads")
    assert workloads["sourceAddressPrefixes"] == [region.subnet("containerApps").prefix,
                                                  region.subnet("apiManagement").prefix]
    assert set(outputs["subnet_ids"]) == {"privateEndpoints", "containerApps", "appGateway", "operations",
                                          "apiManagement"}


def test_ai_gateway_subnet_admits_workloads_and_the_api_management_platform_only(prod) -> None:
    declared, _, region = prod
    gateway = region.subnet("apiManagement").prefix
    allows = {r["name"]: r for r in _rules(declared, "apiManagement") if r["access"] == "Allow"}
    assert {n: (sorted(_sources(r)), _ports(r), r["destinationAddressPrefix"]) for n, r in allows.items()} == {
        "allow-workloads-https": (sorted([region.subnet("containerApps").prefix, region.subnet("functions").prefix]),
                                  ["443"], gateway),
        "allow-apim-management": (["ApiManagement"], ["3443"], "VirtualNetwork"),
        "allow-azure-load-balancer": (["AzureLoadBalancer"], ["6390"], "VirtualNetwork"),
        "allow-apim-cache-sync": ([gateway], ["6381-6383"], gateway),
        "allow-apim-counter-sync": ([gateway], ["4290"], gateway),
    }
    assert allows["allow-apim-counter-sync"]["protocol"] == "Udp"


def test_other_regions_ai_gateways_reach_the_private_endpoints() -> None:
    cfg = stack_config("prod")
    region, remote = cfg.network.regions
    rules = security_rules(region, [remote.subnet("apiManagement").prefix])
    workloads = next(r for r in rules["privateEndpoints"] if r.name == "allow-workloads")
    assert remote.subnet("apiManagement").prefix in (workloads.source_address_prefixes or [])
    local = next(r for r in security_rules(region)["privateEndpoints"] if r.name == "allow-workloads")
    assert remote.subnet("apiManagement").prefix not in (local.source_address_prefixes or [])


def test_other_regions_workloads_reach_the_one_azure_monitor_endpoint_over_https_only() -> None:
    cfg = stack_config("prod")
    region, remote = cfg.network.regions
    telemetry = telemetry_prefixes(remote)
    assert sorted(telemetry) == sorted(remote.subnet(r).prefix for r in ("containerApps", "functions", "apiManagement"))
    rules = security_rules(region, peer_telemetry_prefixes=telemetry)["privateEndpoints"]
    peer = next(r for r in rules if r.name == "allow-peer-telemetry")
    assert (peer.source_address_prefixes, peer.destination_port_range) == (telemetry, "443")
    assert peer.destination_address_prefix == region.subnet("privateEndpoints").prefix
    assert rules[-1].name == "deny-all-inbound"
    assert "allow-peer-telemetry" not in {r.name for r in security_rules(region)["privateEndpoints"]}


def test_container_apps_accept_the_gateway_and_platform_only(prod) -> None:
    declared, _, region = prod
    apps, gateway = region.subnet("containerApps").prefix, region.subnet("appGateway").prefix
    allows = {r["name"]: r for r in _rules(declared, "containerApps") if r["access"] == "Allow"}
    assert (_sources(allows["allow-app-gateway-https"]), _ports(allows["allow-app-gateway-https"])) == (
        [gateway], list(CONTAINER_APPS_HTTPS_PORTS))
    assert _sources(allows["allow-environment-internal"]) == [apps]
    assert (_sources(allows["allow-azure-load-balancer"]), _ports(allows["allow-azure-load-balancer"])) == (
        ["AzureLoadBalancer"], ["30000-32767"])
    assert all(r["destinationAddressPrefix"] == apps for r in allows.values())


@pytest.mark.parametrize("role", ["functions", "operations"])
def test_outbound_only_subnets_accept_nothing(prod, role: str) -> None:
    declared, _, _ = prod
    assert [r["access"] for r in _rules(declared, role)] == ["Deny"]


def test_outputs_wire_subnet_ids_from_the_vnet(prod) -> None:
    _, outputs, region = prod
    assert outputs["vnet_name"] == "vnet-aip-prod-eastus2"
    assert outputs["subnet_ids"] == {
        s.role: f"{outputs['vnet_id']}/subnets/{SUBNET_NAMES[s.role]}" for s in region.subnets}


def test_tags_and_diagnostics(prod) -> None:
    declared, outputs, _ = prod
    tags = stack_config("prod").resource_tags()
    assert all(declared.inputs(r.type, r.name)["tags"] == tags for r in declared.resources if r.type in (VNET, NSG))
    diags = {declared.inputs(d.type, d.name)["resourceUri"]: declared.inputs(d.type, d.name)
             for d in declared.of_type(T.DIAGNOSTIC_SETTING)}
    assert set(diags) == {outputs["vnet_id"], *outputs["nsg_ids"].values()}
    assert all(d["workspaceId"] == WORKSPACE for d in diags.values())
    assert "metrics" in diags[outputs["vnet_id"]]
    assert all("metrics" not in diags[i] for i in outputs["nsg_ids"].values())


def test_no_diagnostics_before_a_workspace_exists() -> None:
    declared, _, _ = _network("dev", workspace=None)
    assert not declared.of_type(T.DIAGNOSTIC_SETTING)


def test_children_are_parented_and_not_protected(prod) -> None:
    declared, _, _ = prod
    component = declared.one("ai-platform:network:SecureNetwork")
    assert all(r.parent == component.urn for r in declared.resources if r is not component)
    # A VNet or NSG holds no data: recreating one is an outage, not a loss, so no protect.
    assert not any(r.protect for r in declared.resources)
