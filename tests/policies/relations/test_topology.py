"""Specification of policies/relations/topology.py (`multi-region`, `nsg-on-every-subnet`,
`redis-in-each-region`): a compliant and a violating deployment per policy, declared with the SDK
under mocks; relations come from the recorded property dependencies, as the engine sends them, with
preview cases where ids are still unknown."""

from __future__ import annotations

import copy

import pulumi_azure_native.app as app
import pulumi_azure_native.network as network
import pulumi_azure_native.redisenterprise as redisenterprise
import pulumi_azure_native.storage as storage
import pulumi_azure_native.trafficmanager as trafficmanager

from dryrun.model import UNKNOWN, Resource
from policies.azure import types as T
from policies.relations.topology import multi_region, nsg_on_every_subnet, redis_in_each_region
from tests.policies import stack_inputs as st
from tests.policies.support import env_config, evaluate, names, sdk_resources


def _regions(locations: tuple[str, ...] = ("eastus2", "westus3"), endpoints: tuple[str, ...] | None = None,
             traffic_manager: bool = True, standalone_endpoints: bool = False) -> list[Resource]:
    def build() -> None:
        ips = {loc: st.gateway(st.group(loc), loc) for loc in locations}
        if not traffic_manager:
            return
        wanted = [(i, loc) for i, loc in enumerate(locations) if endpoints is None or loc in endpoints]
        profile = trafficmanager.Profile(
            "tm", profile_name="tm-ai-prod", resource_group_name=f"rg-ai-{locations[0]}", location="global",
            traffic_routing_method="Priority", tags=st.TAGS,
            endpoints=None if standalone_endpoints else [trafficmanager.EndpointArgs(
                name=loc, type="Microsoft.Network/trafficManagerProfiles/azureEndpoints",
                target_resource_id=ips[loc].id, priority=i + 1) for i, loc in wanted])
        if standalone_endpoints:
            for i, loc in wanted:
                trafficmanager.Endpoint(
                    f"tm-{loc}", endpoint_name=loc, endpoint_type="AzureEndpoints", profile_name=profile.name,
                    resource_group_name=f"rg-ai-{locations[0]}", target_resource_id=ips[loc].id, priority=i + 1)
    return sdk_resources(build)


def _network(nsg_everywhere: bool) -> list[Resource]:
    def build() -> None:
        group = st.group()
        nsg = network.NetworkSecurityGroup("nsg", resource_group_name=group.name, tags=st.TAGS)
        guarded = network.NetworkSecurityGroupArgs(id=nsg.id)
        vnet = network.VirtualNetwork(
            "vnet", resource_group_name=group.name, tags=st.TAGS,
            address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]),
            subnets=[network.SubnetArgs(name="apps", address_prefix="10.0.1.0/24", network_security_group=guarded),
                     network.SubnetArgs(name="GatewaySubnet", address_prefix="10.0.2.0/24"),
                     network.SubnetArgs(name="data", address_prefix="10.0.3.0/24",
                                        network_security_group=guarded if nsg_everywhere else None)])
        network.Subnet("endpoints", subnet_name="endpoints", resource_group_name=group.name,
                       virtual_network_name=vnet.name, address_prefix="10.0.4.0/24",
                       network_security_group=guarded if nsg_everywhere else None)
    return sdk_resources(build)


def _stamps(cache_regions: tuple[str, ...]) -> list[Resource]:
    def build() -> None:
        for loc in ("eastus2", "westus3"):
            group = st.group(loc)
            app.ManagedEnvironment(f"cae-{loc}", resource_group_name=group.name, tags=st.TAGS)
            if loc in cache_regions:
                redisenterprise.RedisEnterprise(f"amr-{loc}", resource_group_name=group.name, location=loc,
                                                public_network_access="Disabled",
                                                sku=redisenterprise.SkuArgs(name="Balanced_B10"))
    return sdk_resources(build)


def test_multi_region_compliant_in_prod() -> None:
    prod = env_config("prod", multi_region)
    assert evaluate([multi_region], _regions(), prod) == []
    assert evaluate([multi_region], _regions(standalone_endpoints=True), prod) == []


def test_multi_region_violations_are_mandatory_in_prod() -> None:
    prod = env_config("prod", multi_region)
    found = evaluate([multi_region], _regions(("eastus2",)), prod)
    assert [(v.level, m) for v, m in zip(found, st.messages(found), strict=True)] == [
        ("mandatory", "the stack serves from 1 region(s) (eastus2); at least 2 are required")]
    found = evaluate([multi_region], _regions(endpoints=("eastus2",)), prod)
    assert st.messages(found) == ["region 'westus3' serves traffic but no Traffic Manager endpoint points to it"]
    found = evaluate([multi_region], _regions(traffic_manager=False), prod)
    assert st.messages(found) == ["no Traffic Manager profile routes traffic between the regions"]


def test_multi_region_counts_serving_regions() -> None:
    """A storage account in a second region does not make a multi-region deployment."""
    def build() -> None:
        st.gateway(st.group("eastus2"), "eastus2")
        storage.StorageAccount("replica", resource_group_name=st.group("westus3").name, kind="StorageV2",
                               sku=storage.SkuArgs(name="Standard_LRS"))
    found = evaluate([multi_region], sdk_resources(build), env_config("prod", multi_region))
    assert st.messages(found) == ["the stack serves from 1 region(s) (eastus2); at least 2 are required"]


def test_multi_region_in_dev_and_without_config() -> None:
    assert evaluate([multi_region], _regions(("eastus2",), traffic_manager=False),
                    env_config("dev", multi_region)) == []
    found = evaluate([multi_region], _regions(("eastus2",)))
    assert [(v.policy, v.level) for v in found] == [("multi-region", "advisory")]


def test_preview_unknown_endpoint_target() -> None:
    rs = copy.deepcopy(_regions(endpoints=("eastus2",)))
    profile = st.one(rs, T.TM_PROFILE)
    profile.inputs["endpoints"][0]["targetResourceId"] = UNKNOWN
    prod = env_config("prod", multi_region)
    # The dependency still says the endpoint targets the eastus2 IP: westus3 is still missing.
    assert names(evaluate([multi_region], rs, prod)) == {"multi-region"}
    st.without_dependencies(profile, "endpoints")
    assert evaluate([multi_region], rs, prod) == []


def test_nsg_on_every_subnet() -> None:
    found = evaluate([nsg_on_every_subnet], _network(nsg_everywhere=False))
    assert sorted(st.messages(found)) == ["subnet 'data' of virtual network 'vnet' has no network security group",
                                        "subnet 'endpoints' has no network security group"]
    assert evaluate([nsg_on_every_subnet], _network(nsg_everywhere=True)) == []


def test_preview_unknown_nsg_id_counts_as_present() -> None:
    rs = copy.deepcopy(_network(nsg_everywhere=True))
    st.one(rs, T.SUBNET).inputs["networkSecurityGroup"]["id"] = UNKNOWN
    st.one(rs, T.VNET).inputs["subnets"] = UNKNOWN
    assert evaluate([nsg_on_every_subnet], rs) == []


def test_redis_in_each_region() -> None:
    found = evaluate([redis_in_each_region], _stamps(("eastus2",)))
    assert names(found) == {"redis-in-each-region"} and found[0].urn.endswith("::cae-westus3")
    assert evaluate([redis_in_each_region], _stamps(("eastus2", "westus3"))) == []
