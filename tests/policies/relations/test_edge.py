"""Specification of policies/relations/edge.py (`container-app-no-public-ingress`,
`container-app-ingress-restricted`, `waf-fronts-public-ips`, `static-content-behind-cdn`): a
compliant and a violating deployment per policy, declared with the SDK under mocks; relations come
from the recorded property dependencies, as the engine sends them, with preview cases where ids are
still unknown.

An API Management service in internal VNet mode uses its public IP "only for management operations, not for
API requests" (learn.microsoft.com/azure/reliability/reliability-api-management), so that address is no entry
point; the same address on a service in external mode serves API requests and still needs a WAF."""

from __future__ import annotations

import copy

import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.app as app
import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.network as network
import pulumi_azure_native.storage as storage
import pytest

from dryrun.model import UNKNOWN
from policies.azure import types as T
from policies.relations.edge import (
    container_app_ingress_restricted,
    container_app_no_public_ingress,
    static_content_behind_cdn,
    waf_fronts_public_ips,
)
from tests.policies import secure_inputs as s
from tests.policies import stack_inputs as st
from tests.policies.support import evaluate, flagged, names, sdk_resources, table_tests

GATEWAY_SUBNET = "10.100.4.0/24"  # inside s.vnet()'s 10.100.0.0/16


def allow(*ranges: str, action: str = "Allow") -> list[app.IpSecurityRestrictionRuleArgs]:
    return [app.IpSecurityRestrictionRuleArgs(name=f"rule-{i}", action=action, ip_address_range=r)
            for i, r in enumerate(ranges)]


def entry_app(*ranges: str, action: str = "Allow", by_dependency: bool = True) -> s.Program:
    """The VNet, the internal environment injected into it (through the subnet id's dependency on the
    VNet, or only the id string) and an app with VNet-external ingress admitting `ranges`."""

    def program() -> None:
        vnet = s.vnet(s.inline_subnet("snet-apps"))()
        subnet_id = vnet.id.apply(lambda i: f"{i}/subnets/snet-apps") if by_dependency else \
            f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apps"
        environment = s.managed_environment(vnet_configuration=app.VnetConfigurationArgs(
            infrastructure_subnet_id=subnet_id, internal=True))()
        s.container_app(environment_id=environment.id, external=True,
                        ip_security_restrictions=allow(*ranges, action=action))()

    return program


def _static_site(with_cdn: bool) -> list:
    import pulumi_azure_native.cdn as cdn

    def build() -> None:
        account = storage.StorageAccount(
            "web", resource_group_name="rg", location="eastus2", kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_ZRS))
        storage.StorageAccountStaticWebsite("site", account_name=account.name, resource_group_name="rg",
                                            index_document="index.html")
        if with_cdn:
            cdn.AFDOrigin("origin", resource_group_name="rg", profile_name="fd", origin_group_name="web",
                          host_name=account.name.apply(lambda n: f"{n}.z13.web.core.windows.net"))

    return sdk_resources(build)


PIP_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/publicIPAddresses/pip-agw-aip"


def _egress(kind: str) -> s.Program:
    def build() -> None:
        s.public_ip()()
        ip = network.SubResourceArgs(id=PIP_ID)  # a literal id: no dependency to follow
        frontend = network.FrontendIPConfigurationArgs(name="egress", public_ip_address=network.PublicIPAddressArgs(
            id=PIP_ID))
        pool = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/be"
        standard = network.LoadBalancerSkuArgs(name="Standard")
        if kind == "nat":
            network.NatGateway("nat", resource_group_name=s.RG, sku=network.NatGatewaySkuArgs(name="Standard"),
                               public_ip_addresses=[ip])
        elif kind == "outbound-lb":
            network.LoadBalancer("lb", resource_group_name=s.RG, load_balancer_name="lb", sku=standard,
                                 frontend_ip_configurations=[frontend], outbound_rules=[network.OutboundRuleArgs(
                                     name="snat", protocol="All", backend_address_pool=network.SubResourceArgs(id=pool),
                                     frontend_ip_configurations=[network.SubResourceArgs(id=f"{pool}/../egress")])])
        else:
            network.LoadBalancer("lb", resource_group_name=s.RG, load_balancer_name="lb", sku=standard,
                                 frontend_ip_configurations=[frontend],
                                 load_balancing_rules=[network.LoadBalancingRuleArgs(
                                     name="https", protocol="Tcp", frontend_port=443, backend_port=443)])
    return build


# (policy, compliant program[, config])
PASSING = [
    (container_app_no_public_ingress, s.serving()),  # 'external' in an internal environment: the VNet only
    (container_app_no_public_ingress, s.serving(by_dependency=False)),
    (container_app_no_public_ingress, s.serving(internal=False, external=False)),
    (container_app_no_public_ingress, s.container_app(external=True)),  # its environment is another stack's
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET)),  # the gateway subnet only
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET, by_dependency=False)),
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET, "10.100.6.17")),  # a single address
    (container_app_ingress_restricted, s.container_app()),  # internal ingress: the environment only
    (container_app_ingress_restricted, s.container_app(external=True, ip_security_restrictions=s.unknown())),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (container_app_no_public_ingress, s.serving(internal=False), "without the WAF"),
    (container_app_no_public_ingress, s.serving(internal=False, by_dependency=False), "'env', which is not"),
    (container_app_ingress_restricted, s.serving(), "without ipSecurityRestrictions"),
    (container_app_ingress_restricted, entry_app("10.100.0.0/16"), "the whole VNet range 10.100.0.0/16"),
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET, "10.0.0.0/8"), "'10.0.0.0/8'"),
    (container_app_ingress_restricted, entry_app("10.0.0.0/8", by_dependency=False), "whole VNet range"),
    (container_app_ingress_restricted, entry_app("0.0.0.0/0"), "every address"),
    (container_app_ingress_restricted, entry_app("203.0.113.0/24", action="Deny"), "admit every other"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [container_app_no_public_ingress, container_app_ingress_restricted]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_unrestricted_entry_app_is_reported_on_the_app() -> None:
    found = evaluate([container_app_ingress_restricted], sdk_resources(entry_app("10.100.0.0/16")))
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in found] == [("container-app-ingress-restricted", "api")]


def test_preview_unknown_subnet_id_finds_the_vnet_by_dependency() -> None:
    resources = sdk_resources(entry_app("10.100.0.0/16"))
    environment = next(r for r in resources if r.type == T.MANAGED_ENVIRONMENT)
    environment.inputs["vnetConfiguration"]["infrastructureSubnetId"] = UNKNOWN
    assert names(evaluate([container_app_ingress_restricted], resources)) == {"container-app-ingress-restricted"}
    # Without the dependency either, the VNet is unknown: only the missing or all-open restrictions count.
    environment.property_dependencies["vnetConfiguration"] = []
    assert evaluate([container_app_ingress_restricted], resources) == []


def test_public_container_app_is_reported_on_the_app() -> None:
    found = evaluate([container_app_no_public_ingress], sdk_resources(s.serving(internal=False)))
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in found] == [("container-app-no-public-ingress", "api")]


def test_waf_fronts_public_ips() -> None:
    assert evaluate([waf_fronts_public_ips], sdk_resources(lambda: st.gateway(st.group(), "eastus2"))) == []
    found = evaluate([waf_fronts_public_ips], sdk_resources(lambda: st.gateway(st.group(), "eastus2", waf=False)))
    assert names(found) == {"waf-fronts-public-ips"} and "no WAF policy" in found[0].message


def test_bare_public_ip_is_flagged_but_nat_gateway_ips_are_exempt() -> None:
    def build(nat: bool) -> None:
        group = st.group()
        ip = network.PublicIPAddress("pip-vm", resource_group_name=group.name,
                                     sku=network.PublicIPAddressSkuArgs(name="Standard"))
        if nat:
            network.NatGateway("nat", resource_group_name=group.name,
                               public_ip_addresses=[network.SubResourceArgs(id=ip.id)])
    found = evaluate([waf_fronts_public_ips], sdk_resources(lambda: build(nat=False)))
    assert names(found) == {"waf-fronts-public-ips"} and found[0].urn.endswith("::pip-vm")
    assert evaluate([waf_fronts_public_ips], sdk_resources(lambda: build(nat=True))) == []


def test_preview_unknown_frontend_ip_ids() -> None:
    rs = copy.deepcopy(sdk_resources(lambda: st.gateway(st.group(), "eastus2")))
    gateway = st.one(rs, T.APP_GATEWAY)
    gateway.inputs["frontendIPConfigurations"][0]["publicIPAddress"]["id"] = UNKNOWN
    gateway.inputs["firewallPolicy"]["id"] = UNKNOWN
    assert evaluate([waf_fronts_public_ips], rs) == []  # resolved by dependencies
    st.without_dependencies(gateway, "frontendIPConfigurations")
    assert evaluate([waf_fronts_public_ips], rs) == []  # cannot tell: no false violation


def test_static_content_behind_cdn() -> None:
    assert names(evaluate([static_content_behind_cdn], _static_site(with_cdn=False))) == {"static-content-behind-cdn"}
    assert evaluate([static_content_behind_cdn], _static_site(with_cdn=True)) == []


@pytest.mark.parametrize("kind", ["nat", "outbound-lb"])
def test_egress_public_ip_is_no_public_entry(kind: str) -> None:
    assert flagged([waf_fronts_public_ips], sdk_resources(_egress(kind))) == set()


def test_public_ip_of_an_inbound_load_balancer_is_a_public_entry_without_waf() -> None:
    assert flagged([waf_fronts_public_ips], sdk_resources(_egress("inbound-lb"))) == {"waf-fronts-public-ips"}


def test_static_site_served_by_a_front_door_origin_passes() -> None:
    assert evaluate([static_content_behind_cdn], sdk_resources(s.edge())) == []


def test_an_origin_sharing_only_the_resource_group_does_not_serve_the_site() -> None:
    # The site and the API origin both depend on the resource group; that is no edge for the site.
    found = evaluate([static_content_behind_cdn], sdk_resources(s.edge(site_origin=False)))
    assert names(found) == {"static-content-behind-cdn"}
    assert "static content 'web' is served without a CDN / Front Door" in found[0].message


def test_a_disabled_origin_serves_nothing() -> None:
    found = evaluate([static_content_behind_cdn], sdk_resources(s.edge(site_origin_enabled=False)))
    assert names(found) == {"static-content-behind-cdn"}


def _website(host: str | None) -> s.Program:
    def build() -> None:
        account = storage.StorageAccount("web", resource_group_name=s.RG, account_name="stwebaip", location="eastus2",
                                         kind=storage.Kind.STORAGE_V2, sku=storage.SkuArgs(name="Standard_ZRS"))
        storage.StorageAccountStaticWebsite("site", account_name=account.name, resource_group_name=s.RG,
                                            index_document="index.html")
        if host is not None:
            # A literal host name, as a file exported from another tool records it.
            cdn.AFDOrigin("origin", resource_group_name=s.RG, profile_name=s.PROFILE, origin_group_name="web",
                          host_name=host)

    return build


def test_a_storage_website_named_by_its_web_endpoint_passes() -> None:
    assert evaluate([static_content_behind_cdn], sdk_resources(_website("stwebaip.z13.web.core.windows.net"))) == []


def test_an_origin_for_another_host_leaves_the_storage_website_uncovered() -> None:
    found = evaluate([static_content_behind_cdn], sdk_resources(_website("api.contoso.com")))
    assert names(found) == {"static-content-behind-cdn"}
    assert evaluate([static_content_behind_cdn], sdk_resources(_website(None)))


def test_an_origin_host_unknown_during_preview_is_not_reported() -> None:
    def build() -> None:
        s.static_site()()
        cdn.AFDOrigin("origin", resource_group_name=s.RG, profile_name=s.PROFILE, origin_group_name="site",
                      host_name=s.unknown())

    assert evaluate([static_content_behind_cdn], sdk_resources(build)) == []


APIM_SUBNET = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apim"


def gateway_with_ip(mode: str) -> s.Program:
    def build() -> None:
        ip = network.PublicIPAddress(
            "apim-pip", resource_group_name=s.RG, location="eastus2", public_ip_address_name="apim-aip-prod-pip",
            sku=network.PublicIPAddressSkuArgs(name="Standard"), public_ip_allocation_method="Static",
            zones=["1", "2", "3"], dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label="apim-aip"))
        apim.ApiManagementService(
            "gateway", resource_group_name=s.RG, service_name="apim-aip-prod", location="eastus2",
            publisher_email="engineering@contoso.com", publisher_name="Contoso",
            sku=apim.ApiManagementServiceSkuPropertiesArgs(name="Premium", capacity=2), zones=["1", "2"],
            virtual_network_type=mode, public_ip_address_id=ip.id,
            virtual_network_configuration=apim.VirtualNetworkConfigurationArgs(subnet_resource_id=APIM_SUBNET))
    return build


@pytest.mark.parametrize(("mode", "expected"), [
    pytest.param("Internal", [], id="internal-gateway-management-ip-complies"),
    pytest.param("External", ["public IP 'apim-pip' is not the frontend of an Application Gateway"],
                 id="external-gateway-ip-violates"),
])
def test_only_an_internal_gateways_management_ip_needs_no_waf(mode: str, expected: list[str]) -> None:
    found = [v.message for v in evaluate([waf_fronts_public_ips], sdk_resources(gateway_with_ip(mode)))]
    assert [m.splitlines()[-1].split(",")[0] for m in found] == expected
