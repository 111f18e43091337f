"""Specification of policies/rules/network.py (`nsg-no-internet-inbound`,
`subnet-private-endpoint-network-policies`, `public-ip-standard-sku`, `subnet-no-default-outbound`,
`vnet-ddos-protection`): what each policy accepts and what it reports, on resources declared with
the real SDK `...Args` (baselines in tests/policies/secure_inputs.py).

vnet-ddos-protection (issue 14): configurable and advisory by default, because a DDoS Network Protection
plan is billed per month; with `requireDdosProtection` a VNet without a plan is reported, as advice."""

from __future__ import annotations

import pulumi_azure_native.network as network

from policies.rules.network import (
    nsg_no_internet_inbound,
    public_ip_standard_sku,
    subnet_no_default_outbound,
    subnet_private_endpoint_policies,
    vnet_ddos_protection,
)
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, fired, sdk_resources, table_tests

DDOS = file_config({"vnet-ddos-protection": {"requireDdosProtection": True}})


def ddos_vnet() -> s.Program:
    plan = f"{s.GROUP_SCOPE}/providers/Microsoft.Network/ddosProtectionPlans/ddos-aip"
    return lambda: network.VirtualNetwork(
        "vnet", resource_group_name=s.RG, virtual_network_name="vnet-aip",
        address_space=network.AddressSpaceArgs(address_prefixes=["10.100.0.0/16"]),
        enable_ddos_protection=True, ddos_protection_plan=network.SubResourceArgs(id=plan))


def inbound(protocol: str) -> s.Program:
    return s.nsg(s.rule("https", protocol=protocol))


# (policy, compliant program[, config])
PASSING = [
    (nsg_no_internet_inbound, s.nsg(
        s.rule(), s.rule("http", destination_port_range="80", priority=110),
        s.rule("lb", source_address_prefix="AzureLoadBalancer", destination_port_range="*", priority=120),
        s.rule("vnet", source_address_prefix="VirtualNetwork", destination_port_range="*", priority=130),
        s.rule("deny-all", access="Deny", source_address_prefix="*", destination_port_range="*", priority=4096),
        s.rule("out", direction="Outbound", source_address_prefix="*", destination_port_range="*", priority=100))),
    (nsg_no_internet_inbound, s.security_rule()),
    (nsg_no_internet_inbound, s.security_rule(source_address_prefix="*")),  # 65200-65535 is allowed
    (subnet_private_endpoint_policies, s.subnet()),
    (subnet_private_endpoint_policies, s.subnet("GatewaySubnet", private_endpoint_network_policies=None)),
    (subnet_private_endpoint_policies, s.subnet(private_endpoint_network_policies="NetworkSecurityGroupEnabled")),
    (subnet_private_endpoint_policies, s.vnet(s.inline_subnet(
        "snet-apps", private_endpoint_network_policies="Disabled",
        delegations=[network.DelegationArgs(name="apps", service_name="Microsoft.App/environments")]))),
    (public_ip_standard_sku, s.public_ip()),
    (nsg_no_internet_inbound, inbound("Tcp")),
    (subnet_no_default_outbound, s.subnet(default_outbound_access=False)),
    (subnet_no_default_outbound, s.subnet("GatewaySubnet")),  # Azure's reserved subnets are left alone
    (vnet_ddos_protection, s.vnet()),  # not required by default
    (vnet_ddos_protection, ddos_vnet(), DDOS),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (nsg_no_internet_inbound, s.nsg(s.rule("ssh", destination_port_range="22")), "rule 'ssh'"),
    (nsg_no_internet_inbound, s.nsg(s.rule("any", source_address_prefix="*", destination_port_range="*")),
     "port(s) *"),
    (nsg_no_internet_inbound, s.nsg(s.rule(
        "rdp", source_address_prefix=None, source_address_prefixes=["10.0.0.0/8", "0.0.0.0/0"],
        destination_port_range=None, destination_port_ranges=["443", "3389"])), "port(s) 3389"),
    (nsg_no_internet_inbound, s.security_rule(source_address_prefix="Internet", destination_port_range="1-1024"),
     "1-1024"),
    (subnet_private_endpoint_policies, s.subnet(private_endpoint_network_policies="Disabled"), "'Disabled'"),
    (subnet_private_endpoint_policies, s.subnet(private_endpoint_network_policies=None),  # the SDK fills Disabled
     "'Disabled'"),
    (subnet_private_endpoint_policies, s.vnet(s.inline_subnet(
        "snet-pe", private_endpoint_network_policies="RouteTableEnabled")), "'RouteTableEnabled'"),
    (public_ip_standard_sku, s.public_ip(sku=network.PublicIPAddressSkuArgs(name="Basic")), "'Basic'"),
    (public_ip_standard_sku, s.public_ip(sku=None), "sku.name is absent"),
    (nsg_no_internet_inbound, inbound("Udp"), "over protocol 'Udp'"),
    (nsg_no_internet_inbound, inbound("*"), "over protocol '*'"),
    (subnet_no_default_outbound, s.subnet(), "defaultOutboundAccess absent"),
    (subnet_no_default_outbound, s.vnet(s.inline_subnet("snet-apps", default_outbound_access=True)),
     "subnet 'snet-apps' has defaultOutboundAccess 'True'"),
    (vnet_ddos_protection, s.vnet(), DDOS, "no DDoS Network Protection plan"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [nsg_no_internet_inbound, subnet_private_endpoint_policies, public_ip_standard_sku,
    subnet_no_default_outbound, vnet_ddos_protection]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_internet_ports_are_configurable() -> None:
    http = s.nsg(s.rule("http", destination_port_range="80"))
    assert fired(nsg_no_internet_inbound, http)[0] == set()
    strict = file_config({"nsg-no-internet-inbound": {"allowedInternetPorts": ["443", "65200-65535"]}})
    assert fired(nsg_no_internet_inbound, http, strict)[0] == {"nsg-no-internet-inbound"}


REQUIRED = file_config({"vnet-ddos-protection": {"requireDdosProtection": True}})


def test_vnet_without_a_plan_is_advice_not_a_blocker() -> None:
    found = evaluate([vnet_ddos_protection], sdk_resources(s.vnet()), REQUIRED)
    assert [(v.policy, v.level) for v in found] == [("vnet-ddos-protection", "advisory")]
    assert evaluate([vnet_ddos_protection], sdk_resources(s.vnet())) == []
