"""A region's virtual network: one subnet per role, each behind its own least-privilege NSG.

Subnets are declared inline on the VNet, never as standalone `network.Subnet` resources, and
NSG rules inline on their NSG for the same reason. ARM treats `subnets` as a property of the
VNet: a VNet PUT that lists subnets replaces the whole set, so mixing inline and standalone
subnets deletes the standalone ones on the next VNet update (pulumi-azure-native#611,
azure-quickstart-templates#2786). Standalone-only is safe on the pinned API version (2024-05-01
keeps omitted subnets since 2023-09-01), but subnets of one VNet then race each other
("AnotherOperationInProgress"), and the older workaround, `ignoreChanges: ["subnets"]` on the
VNet, hides real drift. Inline keeps one resource as the single owner of the address plan:
every VNet update sends the full, declared subnet set (NSG, delegation, policies included), so
nothing is ever dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_azure_native.network as network

from stack_config.model import Region, Subnet, SubnetRole

from .common import Common
from .diagnostics import diagnostic_setting
from .naming import role_slug
from .redis import CLIENT_PORTS as REDIS_CLIENT_PORTS

FunctionPlan = Literal["FlexConsumption", "ElasticPremium"]

SUBNET_NAMES: dict[SubnetRole, str] = {
    "privateEndpoints": "snet-private-endpoints",
    "containerApps": "snet-container-apps",
    "appGateway": "snet-app-gateway",
    "functions": "snet-functions",
    "operations": "snet-operations",
    "apiManagement": "snet-api-management",
}

# Ports the workloads use on private endpoints: HTTPS (OpenAI, Key Vault, Storage, Service Bus and
# Event Hubs REST), AMQP over TLS (Service Bus / Event Hubs SDKs) and Azure Managed Redis: 10000,
# plus the shard ports a cluster-aware client is redirected to under the OSS clustering policy.
PRIVATE_ENDPOINT_PORTS = ("443", "5671", *REDIS_CLIENT_PORTS)
# What operators need from the operations subnet (runners, jump hosts): HTTPS only, i.e. Key Vault
# (certificate and secret operations), the function app's SCM endpoint (code deployment), Storage
# and the OpenAI / Service Bus endpoints that `verify --resolve-private` checks.
OPERATIONS_PORTS = ("443",)
# Container Apps (workload profiles) answers HTTPS on 443 and its edge proxy on 31443; the load
# balancer probes 30000-32767 (learn.microsoft.com/azure/container-apps/firewall-integration).
CONTAINER_APPS_HTTPS_PORTS = ("443", "31443")
CONTAINER_APPS_PROBE_PORTS = "30000-32767"
# Application Gateway v2 infrastructure traffic, which Azure requires to be open.
GATEWAY_MANAGER_PORTS = "65200-65535"
DENY_PRIORITY = 4096
# VNet-injected API Management (stv2) needs its management endpoint open to the ApiManagement tag and the
# infrastructure load balancer's probe (learn.microsoft.com/azure/api-management/
# virtual-network-reference#required-ports); its outbound dependencies (Storage, Sql, AzureKeyVault,
# AzureMonitor) stay open under Azure's default outbound rules.
APIM_MANAGEMENT_PORT = "3443"
APIM_LOAD_BALANCER_PORT = "6390"
# Between the instance's own machines: the internal cache (TCP 6381-6383) and the rate/token-limit counter sync
# (UDP 4290), so a limit holds across units instead of per unit.
APIM_CACHE_SYNC_PORTS = "6381-6383"
APIM_COUNTER_SYNC_PORT = "4290"


@dataclass(frozen=True)
class SecureNetworkArgs:
    common: Common
    region: Region
    # "<namePrefix>-<environment>", e.g. "aip-prod"; names every resource of the region.
    base_name: str
    # Flex Consumption runs on the Container Apps platform and needs a Microsoft.App/environments
    # delegation; Elastic Premium integrates through Microsoft.Web/serverFarms.
    functions_plan: FunctionPlan = "FlexConsumption"
    # Other regions' AI gateway subnets, which reach this region's OpenAI private endpoint over peering
    # when a pool fails over.
    peer_gateway_prefixes: Sequence[str] = ()
    # Other regions' workload subnets, which send telemetry through this region's Azure Monitor private
    # endpoint over peering: the stack has one, in the primary region (components/monitor_private_link.py).
    peer_telemetry_prefixes: Sequence[str] = ()


# Subnets whose workloads send telemetry to App Insights: the apps, the functions and the AI gateway.
TELEMETRY_ROLES: tuple[SubnetRole, ...] = ("containerApps", "functions", "apiManagement")


def telemetry_prefixes(region: Region) -> list[str]:
    """The region's subnets that send telemetry (TELEMETRY_ROLES), as CIDRs."""
    return [s.prefix for s in region.subnets if s.role in TELEMETRY_ROLES]


def _allow(name: str, priority: int, sources: Sequence[str], destination: str, ports: Sequence[str],
           description: str, protocol: network.SecurityRuleProtocol = network.SecurityRuleProtocol.TCP,
           ) -> network.SecurityRuleArgs:
    # Service tags are only valid in the singular fields; several CIDRs or ports use the plural ones.
    return network.SecurityRuleArgs(
        name=name, priority=priority, direction=network.SecurityRuleDirection.INBOUND,
        access=network.SecurityRuleAccess.ALLOW, protocol=protocol, description=description,
        source_address_prefix=sources[0] if len(sources) == 1 else None,
        source_address_prefixes=list(sources) if len(sources) > 1 else None,
        source_port_range="*",
        destination_address_prefix=destination,
        destination_port_range=ports[0] if len(ports) == 1 else None,
        destination_port_ranges=list(ports) if len(ports) > 1 else None,
    )


DENY_ALL_INBOUND = network.SecurityRuleArgs(
    name="deny-all-inbound", priority=DENY_PRIORITY, direction=network.SecurityRuleDirection.INBOUND,
    access=network.SecurityRuleAccess.DENY, protocol=network.SecurityRuleProtocol.ASTERISK,
    source_address_prefix="*", source_port_range="*", destination_address_prefix="*", destination_port_range="*",
    # Sits above Azure's defaults (65000+), so AllowVnetInBound and AllowAzureLoadBalancerInBound
    # never apply: every accepted flow is one of the explicit rules above it.
    description="Deny every inbound flow not explicitly allowed above",
)


def security_rules(region: Region, peer_gateway_prefixes: Sequence[str] = (),
                   peer_telemetry_prefixes: Sequence[str] = ()) -> dict[SubnetRole, list[network.SecurityRuleArgs]]:
    """The inbound rules of each subnet's NSG, from the region's address plan."""
    prefix = {s.role: s.prefix for s in region.subnets}
    workloads = [prefix[r] for r in ("containerApps", "functions") if r in prefix]
    callers = list(workloads)
    # The AI gateway calls OpenAI (443), Key Vault (443) and its semantic cache (10000) like a workload.
    if "apiManagement" in prefix:
        workloads.append(prefix["apiManagement"])
    workloads.extend(peer_gateway_prefixes)
    rules: dict[SubnetRole, list[network.SecurityRuleArgs]] = {}
    if "appGateway" in prefix:
        gateway = prefix["appGateway"]
        rules["appGateway"] = [
            _allow("allow-https-internet", 100, ["Internet"], gateway, ["443"], "Public HTTPS listener"),
            # The HTTP listener only answers with a redirect to HTTPS; closing 80 would turn a
            # user's http:// link into a timeout instead of a 301 and gain nothing.
            _allow("allow-http-redirect-internet", 110, ["Internet"], gateway, ["80"],
                   "HTTP listener that only redirects to HTTPS"),
            _allow("allow-gateway-manager", 120, ["GatewayManager"], "*", [GATEWAY_MANAGER_PORTS],
                   "Application Gateway v2 infrastructure (required by Azure)"),
            _allow("allow-azure-load-balancer", 130, ["AzureLoadBalancer"], "*", ["*"],
                   "Azure load balancer health probes (required by Azure)", network.SecurityRuleProtocol.ASTERISK),
            DENY_ALL_INBOUND,
        ]
    if "privateEndpoints" in prefix:
        endpoints = prefix["privateEndpoints"]
        rules["privateEndpoints"] = [
            *([_allow("allow-workloads", 100, workloads, endpoints, PRIVATE_ENDPOINT_PORTS,
                      "Workload subnets to the services' private endpoints")] if workloads else []),
            # The gateway reads its TLS certificate from the region's Key Vault, which is only
            # reachable through its private endpoint.
            *([_allow("allow-app-gateway-key-vault", 110, [prefix["appGateway"]], endpoints, ["443"],
                      "Application Gateway to Key Vault for its TLS certificate")] if "appGateway" in prefix else []),
            *([_allow("allow-operations-https", 120, [prefix["operations"]], endpoints, OPERATIONS_PORTS,
                      "Operations runners to the private endpoints (certificates, code deployment, verify)")]
              if "operations" in prefix else []),
            *([_allow("allow-peer-telemetry", 130, peer_telemetry_prefixes, endpoints, ["443"],
                      "Other regions' workloads to the stack's Azure Monitor private endpoint")]
              if peer_telemetry_prefixes else []),
            DENY_ALL_INBOUND,
        ]
    if "containerApps" in prefix:
        apps = prefix["containerApps"]
        rules["containerApps"] = [
            *([_allow("allow-app-gateway-https", 100, [prefix["appGateway"]], apps, CONTAINER_APPS_HTTPS_PORTS,
                      "Application Gateway to the internal Container Apps ingress")] if "appGateway" in prefix else []),
            _allow("allow-environment-internal", 110, [apps], apps, ["*"],
                   "Container Apps environment nodes talk to each other (required by Azure)",
                   network.SecurityRuleProtocol.ASTERISK),
            _allow("allow-azure-load-balancer", 120, ["AzureLoadBalancer"], apps, [CONTAINER_APPS_PROBE_PORTS],
                   "Azure load balancer health probes (required by Azure)"),
            DENY_ALL_INBOUND,
        ]
    if "apiManagement" in prefix:
        gateway = prefix["apiManagement"]
        rules["apiManagement"] = [
            *([_allow("allow-workloads-https", 100, callers, gateway, ["443"],
                      "Workloads to the internal AI gateway")] if callers else []),
            _allow("allow-apim-management", 110, ["ApiManagement"], "VirtualNetwork", [APIM_MANAGEMENT_PORT],
                   "API Management control plane (required by Azure)"),
            _allow("allow-azure-load-balancer", 120, ["AzureLoadBalancer"], "VirtualNetwork",
                   [APIM_LOAD_BALANCER_PORT], "API Management infrastructure load balancer (required by Azure)"),
            _allow("allow-apim-cache-sync", 130, [gateway], gateway, [APIM_CACHE_SYNC_PORTS],
                   "API Management units share their internal cache"),
            _allow("allow-apim-counter-sync", 140, [gateway], gateway, [APIM_COUNTER_SYNC_PORT],
                   "API Management units sync rate and token limit counters", network.SecurityRuleProtocol.UDP),
            DENY_ALL_INBOUND,
        ]
    for role in ("functions", "operations"):
        if role in prefix:
            # Outbound only: VNet integration carries the function app's calls, and runners poll their
            # CI service and reach Azure from here; nothing connects in.
            rules[role] = [DENY_ALL_INBOUND]
    return rules


def _delegations(role: SubnetRole, functions_plan: FunctionPlan) -> list[network.DelegationArgs]:
    functions = "Microsoft.App/environments" if functions_plan == "FlexConsumption" else "Microsoft.Web/serverFarms"
    service = {"containerApps": "Microsoft.App/environments", "functions": functions}.get(role)
    return [network.DelegationArgs(name=service.replace("/", "."), service_name=service)] if service else []


def _subnet(subnet: Subnet, nsg_id: pulumi.Input[str], functions_plan: FunctionPlan) -> network.SubnetArgs:
    delegations = _delegations(subnet.role, functions_plan)
    return network.SubnetArgs(
        name=SUBNET_NAMES[subnet.role],
        address_prefix=subnet.prefix,
        network_security_group=network.NetworkSecurityGroupArgs(id=nsg_id),
        delegations=delegations,
        # No implicit internet egress: outbound goes through what a service brings (gateway public
        # IP, Container Apps load balancer) or a NAT gateway added on purpose.
        default_outbound_access=False,
        # The seed disables these policies, which makes endpoints ignore NSGs and UDRs; enabled, the
        # subnet's NSG really gates who reaches its endpoints. Every subnet that could hold one says
        # so; delegated subnets cannot hold endpoints.
        private_endpoint_network_policies=(
            None if delegations else network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED),
    )


class SecureNetwork(pulumi.ComponentResource):
    """The region's VNet with NSG'd, private-by-default subnets per role."""

    vnet_id: pulumi.Output[str]
    vnet_name: pulumi.Output[str]
    subnet_ids: dict[SubnetRole, pulumi.Output[str]]
    nsg_ids: dict[SubnetRole, pulumi.Output[str]]

    def __init__(self, name: str, args: SecureNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:network:SecureNetwork", name, None, opts)
        common, region = args.common, args.region
        stem = f"{args.base_name}-{region.location}"
        rules = security_rules(region, args.peer_gateway_prefixes, args.peer_telemetry_prefixes)

        nsgs: dict[SubnetRole, network.NetworkSecurityGroup] = {
            subnet.role: network.NetworkSecurityGroup(
                f"{name}-nsg-{role_slug(subnet.role)}",
                network_security_group_name=f"nsg-{stem}-{role_slug(subnet.role)}",
                resource_group_name=common.resource_group_name,
                location=common.location,
                security_rules=rules[subnet.role],
                tags=common.tags,
                opts=common.child(self),
            )
            for subnet in region.subnets
        }
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=f"vnet-{stem}",
            resource_group_name=common.resource_group_name,
            location=common.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[region.address_space]),
            subnets=[_subnet(s, nsgs[s.role].id, args.functions_plan) for s in region.subnets],
            tags=common.tags,
            opts=common.child(self),
        )

        diagnostic_setting(f"{name}-vnet", target_id=vnet.id, workspace_id=common.workspace_id, parent=self)
        for role, nsg in nsgs.items():
            # NSGs have event and rule-counter logs but no metrics.
            diagnostic_setting(f"{name}-nsg-{role_slug(role)}", target_id=nsg.id, workspace_id=common.workspace_id,
                               parent=self, metrics=False)

        self.vnet_id = vnet.id
        self.vnet_name = vnet.name
        # Derived from the VNet's id so every consumer waits for the VNet (and so its subnets).
        self.subnet_ids = {
            subnet.role: vnet.id.apply(lambda vid, n=SUBNET_NAMES[subnet.role]: f"{vid}/subnets/{n}")
            for subnet in region.subnets
        }
        self.nsg_ids = {role: nsg.id for role, nsg in nsgs.items()}
        self.register_outputs({
            "vnetId": self.vnet_id,
            "vnetName": self.vnet_name,
            "subnetIds": self.subnet_ids,
            "nsgIds": self.nsg_ids,
        })
