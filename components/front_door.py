"""The frontend's edge: Azure Front Door with a WAF policy, serving the Static Web App's content
from the global CDN (PERF-4) and forwarding its API calls to the platform's public entry point.

Why Front Door rather than the Static Web App's enterprise-grade edge: the managed edge has no
WAF and cannot restrict traffic by origin or route across applications
(https://learn.microsoft.com/azure/static-web-apps/front-door-manual), while here every public
request meets a WAF (SEC-6) and one host serves both the content (`/*`, cached, compressed) and
the API (`/api/*`, never cached) so the browser needs no CORS exception and cannot reach the API
around the WAF gateway: `/api/*` goes to the Traffic Manager name (prod) or the region's gateway
(dev), with the gateway's certificate host as the origin host header, so the request takes the
same path as any other client's, WAF gateway included.

Premium (prod) carries Microsoft's managed rule sets: Default Rule Set 2.1 in anomaly-scoring
Block mode and Bot Manager 1.1 (https://learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-drs);
Standard (dev) takes custom rules only, so both tiers get the per-client rate limit.
https://learn.microsoft.com/azure/frontdoor/standard-premium/tier-comparison

Settings follow Microsoft.Cdn 2025-06-01 and Microsoft.Network FrontDoorWebApplicationFirewallPolicies
2025-11-01 (the pinned SDK's versions); logs: https://learn.microsoft.com/azure/frontdoor/front-door-diagnostics.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.frontdoor as frontdoor

from stack_config.model import Frontend

from .common import Common
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output

LOG_CATEGORIES = ("FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog")
PREMIUM = "Premium_AzureFrontDoor"
API_PATTERN = "/api/*"
# Content types Front Door compresses (a subset of its supported list; binary formats are
# already compressed). https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-compression
COMPRESSED_TYPES = ("text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                    "application/json", "image/svg+xml", "application/xml", "font/ttf", "font/otf")
# Endpoint names are a DNS label under azurefd.net: at most 46 characters.
_ENDPOINT_MAX = 46


class FrontDoorError(pulumi.RunError):
    """FrontDoor was given inputs it cannot build."""


@dataclass(frozen=True)
class FrontDoorArgs:
    common: Common
    config: Frontend
    base_name: str
    stack: str
    tenant_id: pulumi.Input[str]
    # The Static Web App's default host name (its origin).
    site_host: pulumi.Input[str]
    # The platform's public entry point (Traffic Manager FQDN, else the primary gateway's FQDN) and
    # the host name its certificate is issued for (appGateway.hostName).
    api_origin: pulumi.Input[str]
    api_host_header: str
    api_health_path: str = "/health"


def managed_rule_sets(edge_sku: str) -> list[frontdoor.ManagedRuleSetArgs]:
    """Managed rules exist on Premium only; a Standard policy that listed them would be refused."""
    if edge_sku != PREMIUM:
        return []
    return [
        frontdoor.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1",
                                     rule_set_action=frontdoor.ManagedRuleSetActionType.BLOCK),
        frontdoor.ManagedRuleSetArgs(rule_set_type="Microsoft_BotManagerRuleSet", rule_set_version="1.1"),
    ]


# The service tag of Front Door's backend addresses, as staticwebapp.config.json's networking section
# takes it. https://learn.microsoft.com/azure/static-web-apps/front-door-manual
FRONT_DOOR_SERVICE_TAG = "AzureFrontDoor.Backend"


def site_restriction(front_door_id: str, hosts: Sequence[str]) -> dict[str, Any]:
    """The sections of the Static Web App's `staticwebapp.config.json` that make the site answer only this
    Front Door: requests from Front Door's backend addresses (`networking.allowedIpRanges`) carrying this
    profile's `X-Azure-FDID` (`forwardingGateway.requiredHeaders`); `allowedForwardedHosts` lets the site
    build redirect URLs from the Front Door names. They ship with the content, not through ARM, so the
    deployment writes them (the `staticWebAppConfig` output, docs/operations.md#perf-4); Azure applies
    them on the Standard plan only. https://learn.microsoft.com/azure/static-web-apps/front-door-manual,
    https://learn.microsoft.com/azure/static-web-apps/configuration#networking"""
    if not front_door_id.strip():
        raise FrontDoorError("site_restriction: the profile reported no frontDoorId")
    return {
        "networking": {"allowedIpRanges": [FRONT_DOOR_SERVICE_TAG]},
        "forwardingGateway": {
            "requiredHeaders": {"X-Azure-FDID": front_door_id},
            "allowedForwardedHosts": list(dict.fromkeys(h for h in hosts if h)),
        },
    }


def _check(name: str, args: FrontDoorArgs) -> None:
    check_parts(name, base_name=args.base_name)
    if not args.api_host_header:
        raise FrontDoorError(f"{name}: api_host_header is empty; pass appGateway.hostName, the name the gateway's "
                             "certificate is issued for (Front Door checks the origin certificate against it)")


class FrontDoor(pulumi.ComponentResource):
    front_door_id: pulumi.Output[str]
    endpoint_host: pulumi.Output[str]
    public_host: pulumi.Output[str]
    profile_id: pulumi.Output[str]
    # staticwebapp.config.json's networking and forwardingGateway sections (JSON) for this profile.
    site_config: pulumi.Output[str]
    # The TXT record value that proves ownership of the custom domain; None without one.
    domain_validation: pulumi.Output[str] | None

    def __init__(self, name: str, args: FrontDoorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:front_door:FrontDoor", name, None, opts)
        common, cfg = args.common, args.config
        rg = common.resource_group_name
        child = common.child(self)

        waf = frontdoor.Policy(
            f"{name}-waf",
            # Letters and digits only, starting with a letter.
            policy_name="waf" + args.base_name.replace("-", "") + "fd",
            resource_group_name=rg,
            location="Global",
            sku=frontdoor.SkuArgs(name=cfg.edge_sku),  # must match the profile's tier
            policy_settings=frontdoor.PolicySettingsArgs(
                enabled_state=frontdoor.PolicyEnabledState.ENABLED,
                mode=cfg.waf_mode,
                request_body_check=frontdoor.PolicyRequestBodyCheck.ENABLED,
            ),
            custom_rules=frontdoor.CustomRuleListArgs(rules=[frontdoor.CustomRuleArgs(
                name="RateLimitPerClient",
                priority=100,
                rule_type=frontdoor.RuleType.RATE_LIMIT_RULE,
                rate_limit_duration_in_minutes=1,
                rate_limit_threshold=cfg.rate_limit_per_minute,
                action=frontdoor.ActionType.BLOCK,
                match_conditions=[frontdoor.MatchConditionArgs(
                    match_variable=frontdoor.MatchVariable.REMOTE_ADDR, operator=frontdoor.Operator.IP_MATCH,
                    match_value=["0.0.0.0/0", "::/0"])],
            )]),
            managed_rules=frontdoor.ManagedRuleSetListArgs(managed_rule_sets=managed_rule_sets(cfg.edge_sku)),
            tags=common.tags,
            opts=child,
        )
        profile = cdn.Profile(
            f"{name}-profile",
            profile_name=f"afd-{args.base_name}",
            resource_group_name=rg,
            location="global",
            sku=cdn.SkuArgs(name=cfg.edge_sku),
            origin_response_timeout_seconds=60,
            tags=common.tags,
            opts=child,
        )
        endpoint = cdn.AFDEndpoint(
            f"{name}-endpoint",
            endpoint_name=unique_name_output("fde", base_name=args.base_name, location="global", stack=args.stack,
                                             tenant_id=args.tenant_id, max_length=_ENDPOINT_MAX),
            profile_name=profile.name,
            resource_group_name=rg,
            location="global",
            enabled_state=cdn.EnabledState.ENABLED,
            auto_generated_domain_name_label_scope=cdn.AutoGeneratedDomainNameLabelScope.TENANT_REUSE,
            tags=common.tags,
            opts=child,
        )

        site_group, site_origin = self._origin(
            f"{name}-site", profile, rg, host=args.site_host, host_header=args.site_host, probe_path="/",
            probe_type=cdn.HealthProbeRequestType.HEAD)
        api_group, api_origin = self._origin(
            f"{name}-api", profile, rg, host=args.api_origin, host_header=args.api_host_header,
            probe_path=args.api_health_path, probe_type=cdn.HealthProbeRequestType.GET)

        domains: list[cdn.AFDCustomDomain] = []
        if cfg.custom_domain:
            domains.append(cdn.AFDCustomDomain(
                f"{name}-domain",
                custom_domain_name=cfg.custom_domain.replace(".", "-"),
                host_name=cfg.custom_domain,
                profile_name=profile.name,
                resource_group_name=rg,
                # Front Door issues and renews the certificate once the domain's TXT record
                # (validation token, see the `frontendDomainValidation` output) is in public DNS.
                tls_settings=cdn.AFDDomainHttpsParametersArgs(
                    certificate_type=cdn.AfdCertificateType.MANAGED_CERTIFICATE,
                    minimum_tls_version=cdn.AfdMinimumTlsVersion.TLS12),
                opts=child,
            ))
        domain_refs = [cdn.ActivatedResourceReferenceArgs(id=d.id) for d in domains]

        for route, group, origin, patterns, cache in (
            ("site", site_group, site_origin, ["/*"], cdn.AfdRouteCacheConfigurationArgs(
                query_string_caching_behavior=cdn.AfdQueryStringCachingBehavior.USE_QUERY_STRING,
                compression_settings=cdn.CompressionSettingsArgs(
                    is_compression_enabled=True, content_types_to_compress=list(COMPRESSED_TYPES)))),
            # No cache configuration: Front Door never caches the API's answers.
            ("api", api_group, api_origin, [API_PATTERN], None),
        ):
            cdn.Route(
                f"{name}-{route}",
                route_name=route,
                endpoint_name=endpoint.name,
                profile_name=profile.name,
                resource_group_name=rg,
                origin_group=cdn.ResourceReferenceArgs(id=group.id),
                patterns_to_match=patterns,
                custom_domains=domain_refs or None,
                supported_protocols=[cdn.AFDEndpointProtocols.HTTP, cdn.AFDEndpointProtocols.HTTPS],
                https_redirect=cdn.HttpsRedirect.ENABLED,
                forwarding_protocol=cdn.ForwardingProtocol.HTTPS_ONLY,
                link_to_default_domain=cdn.LinkToDefaultDomain.ENABLED,
                cache_configuration=cache,
                enabled_state=cdn.EnabledState.ENABLED,
                # A route needs its origin group to hold an origin when it is created.
                opts=common.child(self, depends_on=[origin]),
            )

        cdn.SecurityPolicy(
            f"{name}-waf-link",
            security_policy_name="waf",
            profile_name=profile.name,
            resource_group_name=rg,
            parameters=cdn.SecurityPolicyWebApplicationFirewallParametersArgs(
                type="WebApplicationFirewall",
                waf_policy=cdn.ResourceReferenceArgs(id=waf.id),
                associations=[cdn.SecurityPolicyWebApplicationFirewallAssociationArgs(
                    domains=[cdn.ActivatedResourceReferenceArgs(id=endpoint.id), *domain_refs],
                    patterns_to_match=["/*"])],
            ),
            opts=child,
        )
        diagnostic_setting(name, target_id=profile.id, workspace_id=common.workspace_id, parent=self,
                           categories=LOG_CATEGORIES)

        self.profile_id = profile.id
        self.front_door_id = profile.front_door_id
        self.endpoint_host = endpoint.host_name
        self.public_host = pulumi.Output.from_input(cfg.custom_domain) if cfg.custom_domain else endpoint.host_name
        names = [endpoint.host_name, *(d.host_name for d in domains)]
        self.site_config = pulumi.Output.all(profile.front_door_id, *names).apply(
            lambda v: json.dumps(site_restriction(v[0], v[1:]), indent=2))
        self.domain_validation = (domains[0].validation_properties.apply(lambda v: v.validation_token or "")
                                  if domains else None)
        self.register_outputs({
            "profileId": self.profile_id,
            "frontDoorId": self.front_door_id,
            "endpointHost": self.endpoint_host,
            "publicHost": self.public_host,
            "siteConfig": self.site_config,
        })

    def _origin(self, name: str, profile: cdn.Profile, rg: pulumi.Input[str], *, host: pulumi.Input[str],
                host_header: pulumi.Input[str], probe_path: str,
                probe_type: cdn.HealthProbeRequestType) -> tuple[cdn.AFDOriginGroup, cdn.AFDOrigin]:
        group = cdn.AFDOriginGroup(
            name,
            origin_group_name=name.rsplit("-", 1)[-1],
            profile_name=profile.name,
            resource_group_name=rg,
            health_probe_settings=cdn.HealthProbeParametersArgs(
                probe_path=probe_path, probe_protocol=cdn.ProbeProtocol.HTTPS, probe_request_type=probe_type,
                probe_interval_in_seconds=100),
            load_balancing_settings=cdn.LoadBalancingSettingsParametersArgs(
                sample_size=4, successful_samples_required=3, additional_latency_in_milliseconds=50),
            session_affinity_state=cdn.EnabledState.DISABLED,
            opts=pulumi.ResourceOptions(parent=self),
        )
        origin = cdn.AFDOrigin(
            f"{name}-origin",
            origin_name=name.rsplit("-", 1)[-1],
            origin_group_name=group.name,
            profile_name=profile.name,
            resource_group_name=rg,
            host_name=host,
            origin_host_header=host_header,
            http_port=80,
            https_port=443,
            priority=1,
            weight=1000,
            # The origin's certificate must name the host header: no TLS to an impostor.
            enforce_certificate_name_check=True,
            enabled_state=cdn.EnabledState.ENABLED,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return group, origin
