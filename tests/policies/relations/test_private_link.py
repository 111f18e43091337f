"""Private link (policies/relations/private_link.py) for the pattern 1 data planes: a closed Azure AI
Search service needs a private endpoint whose DNS zone group holds privatelink.search.windows.net.

monitor-private-link: in prod, workspaces and App Insights take no public ingestion or queries and are
scoped into an Azure Monitor Private Link Scope that admits private traffic only, has a private endpoint,
and shares its DNS zones with no other scope. A case is `(policy, program, config)` in PASSING and
`(policy, program, config, fragment of the message)` in FAILING; `config` None is the pack's default."""

from __future__ import annotations

import re
from typing import Any

import pulumi_azure_native.applicationinsights as applicationinsights
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network
import pulumi_azure_native.operationalinsights as operationalinsights
import pulumi_azure_native.privatedns as privatedns
import pytest
from pulumi_policy import Policy

from dryrun.policy_driver import Pack
from policies.azure.catalog import ZONES_BY_GROUP
from policies.relations.private_link import monitor_private_link, private_dns_zone_wiring, private_endpoint_coverage
from tests.policies import secure_inputs as s
from tests.policies.support import assert_caught, assert_complies, case_ids, evaluate, file_config, names, sdk_resources

SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-pe"
ZONES = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/privateDnsZones/"


def _search(endpoint: bool = True, zone: str = "privatelink.search.windows.net") -> s.Program:
    def build() -> None:
        service = s.search_service()()
        if not endpoint:
            return
        pe = network.PrivateEndpoint(
            "search-pe", resource_group_name=s.RG, private_endpoint_name="pe-srch", location="eastus2",
            subnet=network.SubnetArgs(id=SUBNET),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="search", private_link_service_id=service.id, group_ids=["searchService"])])
        network.PrivateDnsZoneGroup(
            "search-pe-dns", resource_group_name=s.RG, private_endpoint_name=pe.name,
            private_dns_zone_group_name="default", private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(name="search", private_dns_zone_id=ZONES + zone)])

    return build


def test_search_service_with_private_endpoint_and_zone_passes() -> None:
    assert evaluate([private_endpoint_coverage, private_dns_zone_wiring], sdk_resources(_search())) == []


def test_closed_search_service_without_private_endpoint_fails() -> None:
    found = evaluate([private_endpoint_coverage], sdk_resources(_search(endpoint=False)))
    assert names(found) == {"private-endpoint-coverage"}
    assert "'search' (azure-native:search:Service) has public network access disabled" in found[0].message


def test_search_endpoint_in_the_wrong_zone_fails() -> None:
    found = evaluate([private_dns_zone_wiring], sdk_resources(_search(zone="privatelink.blob.core.windows.net")))
    assert names(found) == {"private-dns-zone-wiring"}
    assert "needs privatelink.search.windows.net" in "\n".join(v.message for v in found)


REQUIRED = file_config({"monitor-private-link": {"requirePrivateLink": True}})
WORKSPACE_ID = (f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/"
                "log-aip-prod-eus2")
PRIVATE_ONLY = monitor.AccessMode.PRIVATE_ONLY


def monitored(workspace_ingestion: str | None = "Disabled", component_query: str | None = "Disabled",
              scope_component: bool = True, by_id: bool = False, query_mode: str = PRIVATE_ONLY,
              exclusion: str | None = None, endpoint: bool = True, scopes: int = 1) -> s.Program:
    """A workspace and a workspace-based component in one AMPLS with its private endpoint and zones;
    each argument changes one thing (`scopes=2`: a second scope whose endpoint writes into the same zones)."""
    def build() -> None:
        vnet = network.VirtualNetwork("vnet", resource_group_name=s.RG, virtual_network_name="vnet-aip",
                                      address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
        subnet = network.Subnet("snet-pe", resource_group_name=s.RG, virtual_network_name=vnet.name,
                                subnet_name="snet-pe", address_prefix="10.0.1.0/24")
        workspace = operationalinsights.Workspace(
            "log", resource_group_name=s.RG, workspace_name="log-aip-prod-eus2",
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            public_network_access_for_ingestion=workspace_ingestion, public_network_access_for_query="Disabled")
        component = applicationinsights.Component(
            "appi", resource_group_name=s.RG, resource_name_="appi-aip-prod-eus2", kind="web", application_type="web",
            workspace_resource_id=workspace.id, public_network_access_for_ingestion="Disabled",
            public_network_access_for_query=component_query)
        zones = {z: privatedns.PrivateZone(z, resource_group_name=s.RG, private_zone_name=z, location="global")
                 for z in ZONES_BY_GROUP["azuremonitor"]}
        for n in range(scopes):
            exclusions = [monitor.AccessModeSettingsExclusionArgs(
                private_endpoint_connection_name="pe-ampls-connection", query_access_mode=exclusion)] \
                if exclusion else []
            scope = monitor.PrivateLinkScope(
                f"ampls-{n}", resource_group_name=s.RG, scope_name=f"ampls-aip-{n}", location="global",
                access_mode_settings=monitor.AccessModeSettingsArgs(
                    ingestion_access_mode=PRIVATE_ONLY, query_access_mode=query_mode, exclusions=exclusions))
            monitor.PrivateLinkScopedResource(
                f"scoped-log-{n}", resource_group_name=s.RG, scope_name=scope.name, name="log",
                linked_resource_id=WORKSPACE_ID if by_id else workspace.id)
            if scope_component:
                monitor.PrivateLinkScopedResource(f"scoped-appi-{n}", resource_group_name=s.RG,
                                                  scope_name=scope.name, name="appi", linked_resource_id=component.id)
            if endpoint:
                pe = network.PrivateEndpoint(
                    f"ampls-pe-{n}", resource_group_name=s.RG, private_endpoint_name=f"pe-ampls-{n}",
                    subnet=network.SubnetArgs(id=subnet.id),
                    private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                        name="ampls", group_ids=["azuremonitor"], private_link_service_id=scope.id)])
                network.PrivateDnsZoneGroup(
                    f"ampls-pe-dns-{n}", resource_group_name=s.RG, private_endpoint_name=pe.name,
                    private_dns_zone_group_name="default",
                    private_dns_zone_configs=[network.PrivateDnsZoneConfigArgs(name=name, private_dns_zone_id=zone.id)
                                              for name, zone in zones.items()])
    return build


def wired_to_hub() -> s.Program:
    """A Key Vault endpoint in this stack's VNet whose zone group writes into a zone the stack declares but
    links only to the hub's VNet (the hub's resolver answers for the spoke)."""
    def build() -> None:
        spoke = network.VirtualNetwork("spoke", resource_group_name=s.RG, virtual_network_name="vnet-aip",
                                       address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
        subnet = network.Subnet("snet-pe", resource_group_name=s.RG, virtual_network_name=spoke.name,
                                subnet_name="snet-pe", address_prefix="10.0.1.0/24")
        zone = privatedns.PrivateZone("kv-zone", resource_group_name=s.RG, location="global",
                                      private_zone_name="privatelink.vaultcore.azure.net")
        hub = f"{s.SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
        privatedns.VirtualNetworkLink("kv-zone-hub", resource_group_name=s.RG, private_zone_name=zone.name,
                                      location="global", virtual_network_link_name="hub", registration_enabled=False,
                                      virtual_network=privatedns.SubResourceArgs(id=hub))
        pe = network.PrivateEndpoint(
            "kv-pe", resource_group_name=s.RG, private_endpoint_name="kv-pe", subnet=network.SubnetArgs(id=subnet.id),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="vault", group_ids=["vault"],
                private_link_service_id=f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.KeyVault/vaults/kv")])
        network.PrivateDnsZoneGroup("kv-pe-dns", resource_group_name=s.RG, private_endpoint_name=pe.name,
                                    private_dns_zone_group_name="default", private_dns_zone_configs=[
                                        network.PrivateDnsZoneConfigArgs(name="kv", private_dns_zone_id=zone.id)])
    return build


PASSING = [
    (monitor_private_link, monitored(), REQUIRED),
    # A workspace scoped by its literal id (declared in another program, or before its id is an output).
    (monitor_private_link, monitored(by_id=True), REQUIRED),
    # Not required by default (dev): public access and a missing scope are not this policy's business there.
    (monitor_private_link, monitored(workspace_ingestion="Enabled", scope_component=False), None),
]

FAILING = [
    (monitor_private_link, monitored(workspace_ingestion="Enabled"), REQUIRED,
     "publicNetworkAccessForIngestion 'Enabled'"),
    # The SDK fills in Azure's default for an omitted switch.
    (monitor_private_link, monitored(component_query=None), REQUIRED, "publicNetworkAccessForQuery 'Enabled'"),
    (monitor_private_link, monitored(scope_component=False), REQUIRED, "is in no Azure Monitor Private Link Scope"),
    (monitor_private_link, monitored(query_mode="Open"), REQUIRED, "accessModeSettings.queryAccessMode 'Open'"),
    (monitor_private_link, monitored(exclusion="Open"), REQUIRED, "(an 'Open' exclusion)"),
    (monitor_private_link, monitored(endpoint=False), REQUIRED, "has no private endpoint"),
    (monitor_private_link, monitored(scopes=2), REQUIRED, "write into the same private DNS zone"),
]


@pytest.mark.parametrize("policy, program, config", PASSING, ids=case_ids(__file__, "PASSING", PASSING))
def test_compliant_setup_passes(policy: Any, program: s.Program, config: dict[str, Any] | None) -> None:
    assert_complies(policy, program, config)


@pytest.mark.parametrize("policy, program, config, fragment", FAILING, ids=case_ids(__file__, "FAILING", FAILING))
def test_violation_is_caught(policy: Any, program: s.Program, config: dict[str, Any] | None, fragment: str) -> None:
    assert_caught(policy, program, config, fragment)


def test_each_public_switch_is_reported_on_its_resource() -> None:
    found = evaluate([monitor_private_link], sdk_resources(monitored(workspace_ingestion="Enabled",
                                                                     component_query="Enabled")), REQUIRED)
    reported = {(v.urn.rsplit("::", 1)[-1], *re.findall(r"has (publicNetworkAccess\w+)", v.message)) for v in found}
    assert reported == {("appi", "publicNetworkAccessForQuery"), ("log", "publicNetworkAccessForIngestion")}


HUB = "the connectivity hub owns the Azure Monitor Private Link Scope, its endpoint and the privatelink zones"


@pytest.mark.parametrize("policy, program, config", [
    pytest.param(monitor_private_link, monitored(scopes=0), REQUIRED,
                 id="monitor-private-link/hub-owned-scope"),
    pytest.param(private_dns_zone_wiring, wired_to_hub(), None, id="private-dns-zone-wiring/hub-owned-zones"),
])
def test_hub_owned_private_link_is_provided_outside_the_stack(policy: Policy, program: s.Program,
                                                              config: dict[str, Any] | None) -> None:
    resources = sdk_resources(program)
    assert names(evaluate([policy], resources, config)) == {policy.name}
    outside = {policy.name: {**(config or {}).get(policy.name, {}).get("properties", {}),
                             "providedOutsideStack": {"reason": HUB}}}
    pack = Pack.from_policies([policy])
    pack.configure(file_config(outside), stack="prod", project="ai-platform")
    assert pack.analyze(resources) == []
    assert pack.suppressed and all(HUB in x.reason for x in pack.suppressed)
