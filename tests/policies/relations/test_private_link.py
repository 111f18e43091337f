"""Specification of policies/relations/private_link.py (`private-endpoint-coverage`,
`private-dns-zone-wiring`): a compliant and a violating deployment per policy, declared with the SDK
under mocks; relations come from the recorded property dependencies, as the engine sends them, with
preview cases where ids are still unknown.

monitor-private-link: in prod, workspaces and App Insights take no public ingestion or queries and are
scoped into an Azure Monitor Private Link Scope that admits private traffic only, has a private endpoint,
and shares its DNS zones with no other scope. A case is `(policy, program, config)` in PASSING and
`(policy, program, config, fragment of the message)` in FAILING; `config` None is the pack's default."""

from __future__ import annotations

import copy
import re
from typing import Any

import pulumi
import pulumi_azure_native.applicationinsights as applicationinsights
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.eventhub as eventhub
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network
import pulumi_azure_native.operationalinsights as operationalinsights
import pulumi_azure_native.privatedns as privatedns
import pulumi_azure_native.redis as redis
import pulumi_azure_native.redisenterprise as redisenterprise
import pulumi_azure_native.resources as resources
import pulumi_azure_native.search as search
import pulumi_azure_native.servicebus as servicebus
import pulumi_azure_native.storage as storage
import pytest
from pulumi_policy import Policy

from dryrun.model import UNKNOWN, Resource
from dryrun.policy_driver import Pack
from policies.azure import catalog as C
from policies.azure import types as T
from policies.azure.catalog import ZONES_BY_GROUP
from policies.relations.private_link import monitor_private_link, private_dns_zone_wiring, private_endpoint_coverage
from tests.policies import secure_inputs as s
from tests.policies import stack_inputs as st
from tests.policies.support import (
    assert_provided_outside_stack,
    evaluate,
    file_config,
    flagged,
    names,
    sdk_resources,
    table_tests,
)


def wired_endpoint(zone: str = "privatelink.vaultcore.azure.net", linked_vnet: str = "vnet-aip",
                   zone_by_id: bool = False) -> s.Program:
    """A Key Vault's private endpoint in vnet-aip; its zone group writes into `zone`, linked to `linked_vnet`."""
    def build() -> None:
        vnets = {n: network.VirtualNetwork(n, resource_group_name=s.RG, virtual_network_name=n,
                                           address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
                 for n in {"vnet-aip", linked_vnet}}
        subnet = network.Subnet("snet-pe", resource_group_name=s.RG, virtual_network_name=vnets["vnet-aip"].name,
                                subnet_name="snet-pe", address_prefix="10.0.1.0/24")
        endpoint = network.PrivateEndpoint(
            "kv-pe", resource_group_name=s.RG, private_endpoint_name="kv-pe",
            subnet=network.SubnetArgs(id=subnet.id),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="vault", group_ids=["vault"],
                private_link_service_id=f"{s.GROUP_SCOPE}/providers/Microsoft.KeyVault/vaults/kv-aip-prod-eus2")])
        dns_zone = privatedns.PrivateZone(zone, resource_group_name=s.RG, private_zone_name=zone, location="global")
        privatedns.VirtualNetworkLink(
            f"{zone}-link", resource_group_name=s.RG, private_zone_name=dns_zone.name, location="global",
            virtual_network_link_name="link", registration_enabled=False,
            virtual_network=privatedns.SubResourceArgs(id=vnets[linked_vnet].id))
        zone_id = f"{s.GROUP_SCOPE}/providers/Microsoft.Network/privateDnsZones/{zone}" if zone_by_id else dns_zone.id
        network.PrivateDnsZoneGroup(
            "kv-pe-dns", resource_group_name=s.RG, private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[network.PrivateDnsZoneConfigArgs(name="zone", private_dns_zone_id=zone_id)])
    return build


def account_endpoint(kind: str, zones: tuple[str, ...] = ("privatelink.cognitiveservices.azure.com",)) -> s.Program:
    """A Cognitive Services account of `kind` behind an `account` private endpoint whose zone group writes
    into `zones` (each declared and linked to the endpoint's VNet)."""
    def build() -> None:
        vnet = network.VirtualNetwork("vnet-aip", resource_group_name=s.RG, virtual_network_name="vnet-aip",
                                      address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
        subnet = network.Subnet("snet-pe", resource_group_name=s.RG, virtual_network_name=vnet.name,
                                subnet_name="snet-pe", address_prefix="10.0.1.0/24")
        account = cognitiveservices.Account("cv", resource_group_name=s.RG, account_name="cv-aip", kind=kind,
                                            sku=cognitiveservices.SkuArgs(name="S0"))
        endpoint = network.PrivateEndpoint(
            "cv-pe", resource_group_name=s.RG, private_endpoint_name="cv-pe", subnet=network.SubnetArgs(id=subnet.id),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="account", group_ids=["account"], private_link_service_id=account.id)])
        configs = []
        for zone in zones:
            dns_zone = privatedns.PrivateZone(zone, resource_group_name=s.RG, private_zone_name=zone, location="global")
            privatedns.VirtualNetworkLink(
                f"{zone}-link", resource_group_name=s.RG, private_zone_name=dns_zone.name, location="global",
                virtual_network_link_name="link", registration_enabled=False,
                virtual_network=privatedns.SubResourceArgs(id=vnet.id))
            configs.append(network.PrivateDnsZoneConfigArgs(name=zone, private_dns_zone_id=dns_zone.id))
        network.PrivateDnsZoneGroup("cv-pe-dns", resource_group_name=s.RG, private_endpoint_name=endpoint.name,
                                    private_dns_zone_group_name="default", private_dns_zone_configs=configs)
    return build


def _endpoint(group: resources.ResourceGroup, target: pulumi.Output[str], name: str = "kv",
              zone_group: bool = True) -> network.PrivateEndpoint:
    pe = network.PrivateEndpoint(
        f"{name}-pe", private_endpoint_name=f"pe-{name}", resource_group_name=group.name, tags=st.TAGS,
        subnet=network.SubnetArgs(id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                                     "virtualNetworks/vnet/subnets/endpoints"),
        private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
            name=name, private_link_service_id=target, group_ids=["vault"])])
    if zone_group:
        network.PrivateDnsZoneGroup(
            f"{name}-pe-dns", private_dns_zone_group_name="default", private_endpoint_name=pe.name,
            resource_group_name=group.name, private_dns_zone_configs=[network.PrivateDnsZoneConfigArgs(
                name="vault", private_dns_zone_id="/subscriptions/s/resourceGroups/rg/providers/"
                                                  "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net")])
    return pe


def _private_vault(endpoint: bool = True, zone_group: bool = True, public: str = "Disabled") -> list[Resource]:
    def build() -> None:
        group = st.group()
        vault = st.vault(group, public=public)
        if endpoint:
            _endpoint(group, vault.id, zone_group=zone_group)
    return sdk_resources(build)


def _private_data_planes(group: resources.ResourceGroup) -> None:
    """One of each private-link target, public access disabled where each type keeps it."""
    cognitiveservices.Account(
        "oai", resource_group_name=group.name, kind="OpenAI", sku=cognitiveservices.SkuArgs(name="S0"),
        properties=cognitiveservices.AccountPropertiesArgs(public_network_access="Disabled",
                                                           custom_sub_domain_name="oai-ai-prod"))
    redisenterprise.RedisEnterprise("amr", resource_group_name=group.name, public_network_access="Disabled",
                                    sku=redisenterprise.SkuArgs(name="Balanced_B10"))
    redis.Redis("classic", resource_group_name=group.name, public_network_access="Disabled",
                sku=redis.SkuArgs(name="Premium", family="P", capacity=1))
    storage.StorageAccount("data", resource_group_name=group.name, kind="StorageV2",
                           sku=storage.SkuArgs(name="Standard_ZRS"), public_network_access="Disabled")
    servicebus.Namespace("bus", resource_group_name=group.name, public_network_access="Disabled",
                         sku=servicebus.SBSkuArgs(name=servicebus.SkuName.PREMIUM))
    eventhub.Namespace("events", resource_group_name=group.name, public_network_access="Disabled",
                       sku=eventhub.SkuArgs(name="Standard"))
    search.Service("search", resource_group_name=group.name, public_network_access="Disabled",
                   sku=search.SkuArgs(name="standard"))
    st.vault(group)




def test_private_endpoint_coverage_compliant() -> None:
    rs = _private_vault()
    pe = st.one(rs, T.PRIVATE_ENDPOINT)
    assert pe.property_dependencies["privateLinkServiceConnections"] == [st.one(rs, T.KEY_VAULT).urn]
    assert evaluate([private_endpoint_coverage], rs) == []


def test_private_endpoint_missing() -> None:
    found = evaluate([private_endpoint_coverage], _private_vault(endpoint=False))
    assert names(found) == {"private-endpoint-coverage"}
    assert found[0].urn.endswith("azure-native:keyvault:Vault::kv") and "no private endpoint" in found[0].message


def test_private_endpoint_without_dns_zone_group() -> None:
    rs = _private_vault(zone_group=False)
    found = evaluate([private_endpoint_coverage], rs)
    assert names(found) == {"private-endpoint-coverage"} and "no private DNS zone group" in found[0].message
    assert found[0].urn == st.one(rs, T.PRIVATE_ENDPOINT).urn
    by_policy = file_config({"private-endpoint-coverage": {"dnsManagedByPolicy": True}})
    assert evaluate([private_endpoint_coverage], rs, by_policy) == []


def test_public_targets_need_no_endpoint_here() -> None:
    """Public access is the resource policies' finding; this policy only relates private ones."""
    rs = sdk_resources(lambda: st.vault(st.group(), public="Enabled"))
    assert evaluate([private_endpoint_coverage], rs) == []


def test_endpoint_of_a_public_target_still_needs_a_dns_zone_group() -> None:
    """While the vault is public, key-vault-private-access reports it; the endpoint's missing DNS
    records are reported now, not only once the vault is closed."""
    found = evaluate([private_endpoint_coverage], _private_vault(zone_group=False, public="Enabled"))
    assert [(v.urn.rsplit("::", 1)[-1], st.messages([v])[0]) for v in found] == [
        ("kv-pe", "private endpoint 'kv-pe' for 'kv' has no private DNS zone group, so clients resolve the public "
                  "address")]
    assert evaluate([private_endpoint_coverage], _private_vault(public="Enabled")) == []


def test_endpoint_to_a_target_outside_the_stack_needs_a_dns_zone_group() -> None:
    external = "/subscriptions/s/resourceGroups/shared/providers/Microsoft.KeyVault/vaults/kv-shared"
    found = evaluate([private_endpoint_coverage], sdk_resources(
        lambda: _endpoint(st.group(), pulumi.Output.from_input(external), zone_group=False)))
    assert [(v.urn.rsplit("::", 1)[-1], "'kv-pe' has no private DNS zone group" in v.message) for v in found] == [
        ("kv-pe", True)]
    assert evaluate([private_endpoint_coverage], sdk_resources(
        lambda: _endpoint(st.group(), pulumi.Output.from_input(external)))) == []


def test_every_private_link_target_type_is_read_where_the_sdk_puts_it() -> None:
    rs = sdk_resources(lambda: _private_data_planes(st.group()))
    flagged = {v.urn.split("::")[-2] for v in evaluate([private_endpoint_coverage], rs)}
    assert flagged == set(C.PRIVATE_LINK_TARGETS)


def test_private_endpoint_matched_by_id_when_no_dependency_is_recorded() -> None:
    """Files from other tools may lack property dependencies: the ARM id string still matches."""
    rs = copy.deepcopy(_private_vault())
    st.without_dependencies(st.one(rs, T.PRIVATE_ENDPOINT), "privateLinkServiceConnections")
    st.without_dependencies(st.one(rs, T.DNS_ZONE_GROUP), "privateEndpointName")
    assert evaluate([private_endpoint_coverage], rs) == []


def test_preview_unknown_target_id_is_resolved_by_dependency() -> None:
    rs = copy.deepcopy(_private_vault())
    pe = st.one(rs, T.PRIVATE_ENDPOINT)
    pe.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] = UNKNOWN
    st.one(rs, T.DNS_ZONE_GROUP).inputs["privateEndpointName"] = UNKNOWN
    assert evaluate([private_endpoint_coverage], rs) == []


def test_preview_unresolvable_endpoint_reports_nothing() -> None:
    """An endpoint whose target is unknown and undeclared might cover any vault: no false violation."""
    rs = copy.deepcopy(_private_vault()) + sdk_resources(lambda: st.vault(st.group("westus3"), name="kv2"))
    pe = st.one(rs, T.PRIVATE_ENDPOINT)
    pe.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] = UNKNOWN
    st.without_dependencies(pe, "privateLinkServiceConnections")
    assert evaluate([private_endpoint_coverage], rs) == []
    # With the id known again, the second vault's missing endpoint is reported.
    pe.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] = "/subscriptions/s/x"
    assert names(evaluate([private_endpoint_coverage], rs)) == {"private-endpoint-coverage"}


def test_perimeter_secured_vault_needs_no_private_endpoint() -> None:
    assert flagged([private_endpoint_coverage],
                   sdk_resources(s.key_vault(public_network_access="SecuredByPerimeter"))) \
        == set()
    assert flagged([private_endpoint_coverage], sdk_resources(s.key_vault())) == {"private-endpoint-coverage"}


def test_provided_outside_stack_records_every_finding_as_suppressed() -> None:
    assert_provided_outside_stack(private_endpoint_coverage, sdk_resources(s.key_vault()),
                                  "the connectivity hub stack owns private endpoints and privatelink zones")


def test_provided_outside_stack_needs_a_reason() -> None:
    found = evaluate([private_endpoint_coverage], sdk_resources(s.key_vault()),
                     file_config({"private-endpoint-coverage": {"providedOutsideStack": {"reason": " "}}}))
    assert names(found) == {"private-endpoint-coverage"}
    assert any("has no reason" in v.message for v in found)


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


# (policy, compliant program[, config])
PASSING = [
    # Computer Vision answers on <name>.cognitiveservices.azure.com only: the openai zones are not needed.
    (private_dns_zone_wiring, account_endpoint("ComputerVision")),
    (private_dns_zone_wiring, wired_endpoint()),
    (private_dns_zone_wiring, wired_endpoint(zone_by_id=True)),
    (monitor_private_link, monitored(), REQUIRED),
    # A workspace scoped by its literal id (declared in another program, or before its id is an output).
    (monitor_private_link, monitored(by_id=True), REQUIRED),
    # Not required by default (dev): public access and a missing scope are not this policy's business there.
    (monitor_private_link, monitored(workspace_ingestion="Enabled", scope_component=False), None),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (private_dns_zone_wiring, wired_endpoint(zone="privatelink.blob.core.windows.net"),
     "does not serve its group id"),
    (private_dns_zone_wiring, wired_endpoint(linked_vnet="vnet-hub-other"), "linked to no VNet hosting"),
    (private_dns_zone_wiring, account_endpoint("OpenAI"), "lacks zone 'privatelink.openai.azure.com'"),
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

# The policies the tables specify: each has a compliant and a violating case.
AREA = [private_dns_zone_wiring, monitor_private_link]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)
