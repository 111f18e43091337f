"""The region's one public door: an Application Gateway WAF_v2 in front of the internal container apps.

Differences from the seed's gateway, each on purpose:
- the WAF is a separate WebApplicationFirewallPolicy associated through `firewallPolicy`; the
  seed's inline `webApplicationFirewallConfiguration` is retired by Azure in 2027;
- Microsoft_DefaultRuleSet 2.1 (the successor of the seed's OWASP 3.2) plus the Bot Manager set;
- autoscale bounds instead of the seed's fixed `capacity: 2`, zones where the region has them;
- TLS terminates here with a Key Vault certificate the stack itself writes to the vault
  (components/gateway_certificate.py), and plain HTTP only redirects to HTTPS;
- the backend is reached over HTTPS with the app's own host name and probed on the entrypoint
  service's probePath.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.network as network

from stack_config import model

from .common import Common
from .diagnostics import diagnostic_setting
from .gateway_certificate import certificate_secret
from .naming import check_parts
from .rbac import grant

_GATEWAY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,77}[A-Za-z0-9_]$")
GATEWAY_LOGS = ("ApplicationGatewayAccessLog", "ApplicationGatewayPerformanceLog", "ApplicationGatewayFirewallLog")
# LLM completions routinely outlast the 20 s default before the first byte.
BACKEND_TIMEOUT_SECONDS = 120


class WafGatewayError(pulumi.RunError):
    """WafGateway inputs that cannot make a working gateway."""


@dataclass(frozen=True)
class WafGatewayArgs:
    common: Common
    config: model.AppGateway
    # True where the region has availability zones and the stack wants them (prod).
    zonal: bool
    # The region's appGateway subnet (used by nothing else).
    subnet_id: pulumi.Input[str]
    # User-assigned identity the gateway reads its certificate with.
    identity_id: pulumi.Input[str]
    identity_principal_id: pulumi.Input[str]
    key_vault_id: pulumi.Input[str]
    # The vault the certificate secret (appGateway.certificateName) is written to.
    key_vault_name: pulumi.Input[str]
    # The entrypoint container app's FQDN (ContainerApps.entrypoint_fqdn).
    backend_fqdn: pulumi.Input[str]
    # The entrypoint service's probePath: the gateway's health probe asks the same path.
    probe_path: str
    # DNS label of the public IP ('<label>.<region>.cloudapp.azure.com'), unique within the region
    # across all tenants: naming.unique_name("agw", ..., max_length=63).
    dns_label: pulumi.Input[str]


def _sub(gateway_id: pulumi.Output[str], kind: str, name: str) -> network.SubResourceArgs:
    """A reference to one of the gateway's own parts: ARM takes full ids even inside one resource."""
    return network.SubResourceArgs(id=pulumi.Output.concat(gateway_id, "/", kind, "/", name))


def _check(name: str, args: WafGatewayArgs) -> None:
    if not _GATEWAY_NAME.match(name):
        raise WafGatewayError(f"WafGateway name '{name}' is not a valid gateway name; use 2-80 letters, digits, "
                              "'-', '_' or '.', starting with a letter or digit")
    if args.common.role_grants:
        raise WafGatewayError("Common.role_grants: an Application Gateway takes no data-plane roles; grant on the "
                              "resource the workload uses instead")
    if isinstance(args.dns_label, str):
        check_parts(name, dns_label=args.dns_label)
    if args.config.min_capacity > args.config.max_capacity:
        raise WafGatewayError(f"appGateway.minCapacity {args.config.min_capacity} is above maxCapacity "
                              f"{args.config.max_capacity}; lower it or raise maxCapacity")
    if args.zonal and args.common.location not in model.ZONAL_REGIONS:
        raise WafGatewayError(f"WafGatewayArgs.zonal: '{args.common.location}' has no availability zones; "
                              "pass zonal=False for this region")


class WafGateway(pulumi.ComponentResource):
    """Public IP + WAF policy + Application Gateway WAF_v2 routing HTTPS to one internal backend."""

    gateway_id: pulumi.Output[str]
    public_ip_id: pulumi.Output[str]
    public_ip_address: pulumi.Output[str]
    fqdn: pulumi.Output[str]
    waf_policy_id: pulumi.Output[str]

    def __init__(self, name: str, args: WafGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:app_gateway:WafGateway", name, None, opts)
        common, config = args.common, args.config
        zones = ["1", "2", "3"] if args.zonal else None

        # Stateful: partners allow-list this address and Traffic Manager targets it; a replaced
        # IP is a new address.
        public_ip = network.PublicIPAddress(
            f"{name}-pip",
            public_ip_address_name=f"{name}-pip",
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=network.PublicIPAddressSkuArgs(name=network.PublicIPAddressSkuName.STANDARD,
                                               tier=network.PublicIPAddressSkuTier.REGIONAL),
            public_ip_allocation_method=network.IPAllocationMethod.STATIC,
            zones=zones,
            dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label=args.dns_label),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        diagnostic_setting(f"{name}-pip", target_id=public_ip.id, workspace_id=common.workspace_id, parent=self)

        policy = network.WebApplicationFirewallPolicy(
            f"{name}-waf",
            policy_name=f"{name}-waf",
            resource_group_name=common.resource_group_name,
            location=common.location,
            policy_settings=network.PolicySettingsArgs(
                state=network.WebApplicationFirewallEnabledState.ENABLED,
                mode=network.WebApplicationFirewallMode.PREVENTION,
                request_body_check=True,
                request_body_enforcement=True,
                # Vision requests carry base64 images; 2 MB is the DRS 2.x ceiling (128 KB default).
                max_request_body_size_in_kb=2000,
            ),
            managed_rules=network.ManagedRulesDefinitionArgs(managed_rule_sets=[
                network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1"),
                network.ManagedRuleSetArgs(rule_set_type="Microsoft_BotManagerRuleSet", rule_set_version="1.1"),
            ]),
            tags=common.tags,
            opts=common.child(self),
        )

        # The gateway reads its certificate through the secret endpoint, so Secrets User is the one role.
        cert_grant = grant(f"{name}-kv-cert", scope=args.key_vault_id, principal_id=args.identity_principal_id,
                           role="Key Vault Secrets User", parent=self,
                           description="Application Gateway reads its TLS certificate")

        certificate = certificate_secret(
            f"{name}-cert", common=common, parent=self, vault_name=args.key_vault_name,
            secret_name=config.certificate_name, config=config.certificate,
            # '.invalid' is reserved (RFC 2606): a bootstrap for a gateway without a host name names nothing real.
            host_name=config.host_name or f"{name}.invalid")

        # The public IP lives in the gateway's resource group, so its id carries the gateway's
        # subscription and group (no lookup, and known as soon as the IP is).
        gateway_id = public_ip.id.apply(
            lambda ip: f"{ip.split('/providers/')[0]}/providers/Microsoft.Network/applicationGateways/{name}")

        ref = functools.partial(_sub, gateway_id)

        gateway = network.ApplicationGateway(
            name,
            application_gateway_name=name,
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=network.ApplicationGatewaySkuArgs(name=network.ApplicationGatewaySkuName.WA_F_V2,
                                                  tier=network.ApplicationGatewayTier.WA_F_V2),
            autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(
                min_capacity=config.min_capacity, max_capacity=config.max_capacity),
            zones=zones,
            enable_http2=True,
            identity=network.ManagedServiceIdentityArgs(type=network.ResourceIdentityType.USER_ASSIGNED,
                                                        user_assigned_identities=[args.identity_id]),
            firewall_policy=network.SubResourceArgs(id=policy.id),
            ssl_policy=network.ApplicationGatewaySslPolicyArgs(
                policy_type=network.ApplicationGatewaySslPolicyType.PREDEFINED,
                policy_name=network.ApplicationGatewaySslPolicyName.APP_GW_SSL_POLICY20220101_S),
            # Versionless: the gateway polls Key Vault and picks up a renewed certificate by itself.
            # Taken from the secret resource, so the gateway waits for it.
            ssl_certificates=[network.ApplicationGatewaySslCertificateArgs(
                name=config.certificate_name,
                key_vault_secret_id=certificate.properties.secret_uri)],
            gateway_ip_configurations=[network.ApplicationGatewayIPConfigurationArgs(
                name="gateway-ip", subnet=network.SubResourceArgs(id=args.subnet_id))],
            frontend_ip_configurations=[network.ApplicationGatewayFrontendIPConfigurationArgs(
                name="public", public_ip_address=network.SubResourceArgs(id=public_ip.id))],
            frontend_ports=[network.ApplicationGatewayFrontendPortArgs(name="https", port=443),
                            network.ApplicationGatewayFrontendPortArgs(name="http", port=80)],
            http_listeners=[
                network.ApplicationGatewayHttpListenerArgs(
                    name="https",
                    protocol=network.ApplicationGatewayProtocol.HTTPS,
                    frontend_ip_configuration=ref("frontendIPConfigurations", "public"),
                    frontend_port=ref("frontendPorts", "https"),
                    ssl_certificate=ref("sslCertificates", config.certificate_name),
                    host_name=config.host_name,
                ),
                network.ApplicationGatewayHttpListenerArgs(
                    name="http",
                    protocol=network.ApplicationGatewayProtocol.HTTP,
                    frontend_ip_configuration=ref("frontendIPConfigurations", "public"),
                    frontend_port=ref("frontendPorts", "http"),
                    host_name=config.host_name,
                ),
            ],
            redirect_configurations=[network.ApplicationGatewayRedirectConfigurationArgs(
                name="http-to-https",
                redirect_type=network.ApplicationGatewayRedirectType.PERMANENT,
                target_listener=ref("httpListeners", "https"),
                include_path=True,
                include_query_string=True,
            )],
            backend_address_pools=[network.ApplicationGatewayBackendAddressPoolArgs(
                name="container-apps",
                backend_addresses=[network.ApplicationGatewayBackendAddressArgs(fqdn=args.backend_fqdn)])],
            # The environment's ingress routes on the Host header, so the gateway sends the app's own
            # FQDN (and validates its Microsoft-issued certificate) rather than the client's host.
            backend_http_settings_collection=[network.ApplicationGatewayBackendHttpSettingsArgs(
                name="container-apps-https",
                port=443,
                protocol=network.ApplicationGatewayProtocol.HTTPS,
                pick_host_name_from_backend_address=True,
                cookie_based_affinity=network.ApplicationGatewayCookieBasedAffinity.DISABLED,
                request_timeout=BACKEND_TIMEOUT_SECONDS,
                probe=ref("probes", "health"),
            )],
            probes=[network.ApplicationGatewayProbeArgs(
                name="health",
                protocol=network.ApplicationGatewayProtocol.HTTPS,
                path=args.probe_path,
                pick_host_name_from_backend_http_settings=True,
                interval=15,
                timeout=10,
                unhealthy_threshold=3,
                match=network.ApplicationGatewayProbeHealthResponseMatchArgs(status_codes=["200-399"]),
            )],
            request_routing_rules=[
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="https-to-apps",
                    priority=100,
                    rule_type=network.ApplicationGatewayRequestRoutingRuleType.BASIC,
                    http_listener=ref("httpListeners", "https"),
                    backend_address_pool=ref("backendAddressPools", "container-apps"),
                    backend_http_settings=ref("backendHttpSettingsCollection", "container-apps-https"),
                ),
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="http-redirect",
                    priority=200,
                    rule_type=network.ApplicationGatewayRequestRoutingRuleType.BASIC,
                    http_listener=ref("httpListeners", "http"),
                    redirect_configuration=ref("redirectConfigurations", "http-to-https"),
                ),
            ],
            tags=common.tags,
            # The certificate fetch fails the deployment until the identity can read it.
            opts=common.child(self, depends_on=[cert_grant]),
        )
        diagnostic_setting(name, target_id=gateway.id, workspace_id=common.workspace_id, parent=self,
                           categories=GATEWAY_LOGS)

        self.gateway_id = gateway.id
        self.public_ip_id = public_ip.id
        self.public_ip_address = public_ip.ip_address.apply(lambda ip: ip or "")
        self.fqdn = public_ip.dns_settings.apply(lambda d: (d.fqdn or "") if d is not None else "")
        self.waf_policy_id = policy.id
        self.register_outputs({
            "gatewayId": self.gateway_id,
            "publicIpId": self.public_ip_id,
            "publicIpAddress": self.public_ip_address,
            "fqdn": self.fqdn,
            "wafPolicyId": self.waf_policy_id,
        })
