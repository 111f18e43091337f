"""Secure baselines of each resource type the security/performance/reliability policies read,
declared with the real SDK `...Args` classes. Each builder takes overrides of its Args keywords
(None drops a setting, leaving the SDK's or Azure's default) and returns a program for
`sdk_resources`, so a test states only the one setting it flips."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native.app as app
import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.dataprotection as dataprotection
import pulumi_azure_native.eventhub as eventhub
import pulumi_azure_native.frontdoor as frontdoor
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.network as network
import pulumi_azure_native.operationalinsights as operationalinsights
import pulumi_azure_native.redis as redis
import pulumi_azure_native.redisenterprise as redisenterprise
import pulumi_azure_native.search as search
import pulumi_azure_native.servicebus as servicebus
import pulumi_azure_native.storage as storage
import pulumi_azure_native.trafficmanager as trafficmanager
import pulumi_azure_native.web as web

Program = Callable[[], Any]
RG = "rg-aip-prod-eastus2"
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
TENANT = "5b6c7d8e-1f2a-4b3c-8d4e-9f0a1b2c3d4e"
ZONES = ["1", "2", "3"]
GATEWAY = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/applicationGateways/agw-aip"
GROUP_SCOPE = f"{SUB}/resourceGroups/{RG}"


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    return {**base, **overrides}


def _protect(protect: bool) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(protect=protect)


def openai_account(identity: bool = True, protect: bool = False, **overrides: Any) -> Program:
    props = _merged(dict(
        public_network_access="Disabled", disable_local_auth=True, custom_sub_domain_name="aip-prod-eus2-3f9a",
        restrict_outbound_network_access=True,
        network_acls=cognitiveservices.NetworkRuleSetArgs(default_action="Deny")), overrides)
    return lambda: cognitiveservices.Account(
        "openai", resource_group_name=RG, account_name="oai-aip-prod-eus2", kind="OpenAI", location="eastus2",
        sku=cognitiveservices.SkuArgs(name="S0"),
        identity=cognitiveservices.IdentityArgs(type=cognitiveservices.ResourceIdentityType.SYSTEM_ASSIGNED)
        if identity else None,
        properties=cognitiveservices.AccountPropertiesArgs(**props), opts=_protect(protect))


def redis_cluster(protect: bool = False, **overrides: Any) -> Program:
    args = _merged(dict(
        public_network_access="Disabled", minimum_tls_version="1.2", high_availability="Enabled", zones=ZONES),
        overrides)
    return lambda: redisenterprise.RedisEnterprise(
        "redis", resource_group_name=RG, cluster_name="amr-aip-prod-eus2", location="eastus2",
        sku=redisenterprise.SkuArgs(name="Balanced_B10"), opts=_protect(protect), **args)


def redis_database(**overrides: Any) -> Program:
    args = _merged(dict(
        client_protocol="Encrypted", access_keys_authentication="Disabled", eviction_policy="AllKeysLRU",
        clustering_policy="EnterpriseCluster"), overrides)
    return lambda: redisenterprise.Database(
        "redis-db", resource_group_name=RG, cluster_name="amr-aip-prod-eus2", database_name="default", **args)


def classic_redis(**overrides: Any) -> Program:
    """The seed's cache (Premium P1), made as secure as a classic cache gets."""
    args = _merged(dict(
        enable_non_ssl_port=False, minimum_tls_version="1.2", public_network_access="Disabled",
        redis_configuration=redis.RedisCommonPropertiesRedisConfigurationArgs(maxmemory_policy="allkeys-lru")),
        overrides)
    return lambda: redis.Redis(
        "classic", resource_group_name=RG, location="eastus2",
        sku=redis.SkuArgs(name="Premium", family="P", capacity=1), **args)


def key_vault(protect: bool = False, **overrides: Any) -> Program:
    props = _merged(dict(
        tenant_id=TENANT, sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.PREMIUM),
        enable_rbac_authorization=True,
        enable_purge_protection=True, enable_soft_delete=True, soft_delete_retention_in_days=90,
        public_network_access="Disabled",
        network_acls=keyvault.NetworkRuleSetArgs(default_action="Deny", bypass="AzureServices")), overrides)
    return lambda: keyvault.Vault(
        "vault", resource_group_name=RG, vault_name="kv-aip-prod-eus2", location="eastus2",
        properties=keyvault.VaultPropertiesArgs(**props), opts=_protect(protect))


def rule(name: str = "allow-https", **overrides: Any) -> network.SecurityRuleArgs:
    """An inline NSG rule: Internet -> 443 unless overridden."""
    args = _merged(dict(
        access="Allow", direction="Inbound", priority=100, protocol="Tcp", source_address_prefix="Internet",
        source_port_range="*", destination_address_prefix="*", destination_port_range="443"), overrides)
    return network.SecurityRuleArgs(name=name, **args)


def nsg(*rules: network.SecurityRuleArgs) -> Program:
    return lambda: network.NetworkSecurityGroup(
        "nsg", resource_group_name=RG, network_security_group_name="nsg-appgw", security_rules=list(rules))


def security_rule(**overrides: Any) -> Program:
    """A standalone NSG rule: GatewayManager -> 65200-65535 unless overridden."""
    args = _merged(dict(
        access="Allow", direction="Inbound", priority=110, protocol="Tcp", source_address_prefix="GatewayManager",
        source_port_range="*", destination_address_prefix="*", destination_port_range="65200-65535"), overrides)
    return lambda: network.SecurityRule(
        "gateway-manager", resource_group_name=RG, network_security_group_name="nsg-appgw",
        security_rule_name="allow-gateway-manager", **args)


def unknown() -> pulumi.Output[Any]:
    """A value computed during deployment (the id of a new resource), unknown during preview."""
    loop = asyncio.get_event_loop()
    value, known = loop.create_future(), loop.create_future()
    value.set_result(None)
    known.set_result(False)
    return pulumi.Output(set(), value, known)


def subnet(name: str = "snet-pe", **overrides: Any) -> Program:
    """A standalone subnet whose NSG id is unknown, as during a real preview of a new NSG."""
    args = _merged(dict(address_prefix="10.100.1.0/24", private_endpoint_network_policies="Enabled"), overrides)
    return lambda: network.Subnet(
        "subnet", resource_group_name=RG, virtual_network_name="vnet-aip", subnet_name=name,
        network_security_group=network.NetworkSecurityGroupArgs(id=unknown()), **args)


def vnet(*subnets: network.SubnetArgs) -> Program:
    return lambda: network.VirtualNetwork(
        "vnet", resource_group_name=RG, virtual_network_name="vnet-aip", location="eastus2",
        address_space=network.AddressSpaceArgs(address_prefixes=["10.100.0.0/16"]), subnets=list(subnets))


def inline_subnet(name: str, **overrides: Any) -> network.SubnetArgs:
    args = _merged(dict(address_prefix="10.100.2.0/24", private_endpoint_network_policies="Enabled"), overrides)
    nsg_ref = network.NetworkSecurityGroupArgs(
        id=f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-apps")
    return network.SubnetArgs(name=name, network_security_group=nsg_ref, **args)


def public_ip(**overrides: Any) -> Program:
    args = _merged(dict(
        sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"), zones=ZONES,
        public_ip_allocation_method="Static"), overrides)
    return lambda: network.PublicIPAddress(
        "pip", resource_group_name=RG, public_ip_address_name="pip-agw-aip", location="eastus2", **args)


def _gw(kind: str, name: str) -> network.SubResourceArgs:
    return network.SubResourceArgs(id=f"{GATEWAY}/{kind}/{name}")


def app_gateway(**overrides: Any) -> Program:
    """The WAF gateway of issue 5: WAF_v2, policy by reference (its id unknown in preview), HTTPS
    listener, HTTP redirected, autoscale, a /health probe on every backend setting."""

    def program() -> None:
        args = _merged(dict(
            sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2"), zones=ZONES,
            autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(min_capacity=2,
                                                                                         max_capacity=10),
            firewall_policy=network.SubResourceArgs(id=unknown()),
            ssl_policy=network.ApplicationGatewaySslPolicyArgs(policy_type="Predefined",
                                                               policy_name="AppGwSslPolicy20220101S"),
            http_listeners=[
                network.ApplicationGatewayHttpListenerArgs(
                    name="https", protocol="Https", frontend_port=_gw("frontendPorts", "port-443"),
                    frontend_ip_configuration=_gw("frontendIPConfigurations", "public"),
                    ssl_certificate=_gw("sslCertificates", "tls")),
                network.ApplicationGatewayHttpListenerArgs(
                    name="http", protocol="Http", frontend_port=_gw("frontendPorts", "port-80"),
                    frontend_ip_configuration=_gw("frontendIPConfigurations", "public")),
            ],
            redirect_configurations=[network.ApplicationGatewayRedirectConfigurationArgs(
                name="http-to-https", redirect_type="Permanent", target_listener=_gw("httpListeners", "https"),
                include_path=True, include_query_string=True)],
            request_routing_rules=[
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="https", priority=100, rule_type="Basic", http_listener=_gw("httpListeners", "https"),
                    backend_address_pool=_gw("backendAddressPools", "apps"),
                    backend_http_settings=_gw("backendHttpSettingsCollection", "apps")),
                network.ApplicationGatewayRequestRoutingRuleArgs(
                    name="http-redirect", priority=200, rule_type="Basic", http_listener=_gw("httpListeners", "http"),
                    redirect_configuration=_gw("redirectConfigurations", "http-to-https")),
            ],
            backend_address_pools=[network.ApplicationGatewayBackendAddressPoolArgs(
                name="apps", backend_addresses=[network.ApplicationGatewayBackendAddressArgs(
                    fqdn="api-gateway.internal.eastus2.azurecontainerapps.io")])],
            backend_http_settings_collection=[network.ApplicationGatewayBackendHttpSettingsArgs(
                name="apps", port=443, protocol="Https", pick_host_name_from_backend_address=True,
                probe=_gw("probes", "health"))],
            probes=[network.ApplicationGatewayProbeArgs(
                name="health", protocol="Https", path="/health", interval=30, timeout=10, unhealthy_threshold=3,
                pick_host_name_from_backend_http_settings=True)],
        ), overrides)
        network.ApplicationGateway(
            "gateway", resource_group_name=RG, application_gateway_name="agw-aip", location="eastus2", **args)

    return program


def waf_policy(**overrides: Any) -> Program:
    args = _merged(dict(
        policy_settings=network.PolicySettingsArgs(state="Enabled", mode="Prevention", request_body_check=True),
        managed_rules=network.ManagedRulesDefinitionArgs(managed_rule_sets=[
            network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1"),
            network.ManagedRuleSetArgs(rule_set_type="Microsoft_BotManagerRuleSet", rule_set_version="1.1"),
        ])), overrides)
    return lambda: network.WebApplicationFirewallPolicy(
        "waf", resource_group_name=RG, policy_name="waf-aip", location="eastus2", **args)


def _probe(kind: str, path: str = "/health") -> app.ContainerAppProbeArgs:
    return app.ContainerAppProbeArgs(type=kind, http_get=app.ContainerAppProbeHttpGetArgs(path=path, port=8000))


def container(env: list[app.EnvironmentVarArgs] | None = None, **overrides: Any) -> app.ContainerArgs:
    args = _merged(dict(
        name="api-gateway", image="mcr.microsoft.com/k8se/quickstart:latest",
        resources=app.ContainerResourcesArgs(cpu=2.0, memory="4Gi"),
        probes=[_probe("Liveness"), _probe("Readiness")],
        env=[app.EnvironmentVarArgs(name="AZURE_OPENAI_ENDPOINT", value="https://aip-prod-eus2-3f9a.openai.azure.com/"),
             app.EnvironmentVarArgs(name="REDIS_PASSWORD", secret_ref="redis-password"),
             *(env or [])]), overrides)
    return app.ContainerArgs(**args)


def scale(**overrides: Any) -> app.ScaleArgs:
    args = _merged(dict(min_replicas=2, max_replicas=50, rules=[
        app.ScaleRuleArgs(name="http", http=app.HttpScaleRuleArgs(metadata={"concurrentRequests": "20"})),
        app.ScaleRuleArgs(name="cpu", custom=app.CustomScaleRuleArgs(
            type="cpu", metadata={"type": "Utilization", "value": "70"})),
    ]), overrides)
    return app.ScaleArgs(**args)


ENVIRONMENT = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.App/managedEnvironments/cae-aip"


def container_app(identity: bool = True, containers: list[app.ContainerArgs] | None = None,
                  scale_args: app.ScaleArgs | None = None, environment_id: pulumi.Input[str] = ENVIRONMENT,
                  **ingress: Any) -> Program:
    """An app of issue 5: identity, Key Vault secret reference, scale rules, /health probes."""
    identity_id = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-api"
    ingress_args = _merged(dict(external=False, target_port=8000, allow_insecure=False), ingress)
    return lambda: app.ContainerApp(
        "api", resource_group_name=RG, container_app_name="ca-api", location="eastus2",
        managed_environment_id=environment_id,
        identity=app.ManagedServiceIdentityArgs(type="UserAssigned", user_assigned_identities=[identity_id])
        if identity else None,
        configuration=app.ConfigurationArgs(
            ingress=app.IngressArgs(**ingress_args),
            secrets=[app.SecretArgs(name="redis-password", identity=identity_id,
                                    key_vault_url="https://kv-aip-prod-eus2.vault.azure.net/secrets/redis")]),
        template=app.TemplateArgs(containers=containers or [container()], scale=scale_args or scale()))


def managed_environment(internal: bool = True, **overrides: Any) -> Program:
    args = _merged(dict(
        zone_redundant=True,
        vnet_configuration=app.VnetConfigurationArgs(
            infrastructure_subnet_id=f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/"
                                     "vnet-aip/subnets/snet-apps", internal=internal)), overrides)
    return lambda: app.ManagedEnvironment(
        "env", resource_group_name=RG, environment_name="cae-aip", location="eastus2", **args)


def serving(internal: bool = True, external: bool = True, by_dependency: bool = True) -> Program:
    """An environment and an app in it: linked through `environment.id` (a property dependency, as
    our components do) or only through the ARM id string (as an exported stack shows it)."""

    def program() -> None:
        environment = managed_environment(internal=internal)()
        container_app(environment_id=environment.id if by_dependency else ENVIRONMENT, external=external)()

    return program


def storage_account(protect: bool = False, sku: str = "Standard_ZRS", **overrides: Any) -> Program:
    args = _merged(dict(
        allow_shared_key_access=False, allow_blob_public_access=False, minimum_tls_version="TLS1_2",
        public_network_access="Disabled", enable_https_traffic_only=True,
        network_rule_set=storage.NetworkRuleSetArgs(default_action=storage.DefaultAction.DENY)), overrides)
    return lambda: storage.StorageAccount(
        "data", resource_group_name=RG, account_name="staipprodeus2", location="eastus2", kind="StorageV2",
        sku=storage.SkuArgs(name=sku), opts=_protect(protect), **args)


def blob_service(**overrides: Any) -> Program:
    """The backup account's blob service: blob and container soft delete, versioning, point-in-time restore."""
    args = _merged(dict(
        delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=35),
        container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=35),
        is_versioning_enabled=True, change_feed=storage.ChangeFeedArgs(enabled=True, retention_in_days=35),
        restore_policy=storage.RestorePolicyPropertiesArgs(enabled=True, days=30)), overrides)
    return lambda: storage.BlobServiceProperties(
        "blob", resource_group_name=RG, account_name="staipprodeus2", blob_services_name="default", **args)


def event_hub(**overrides: Any) -> Program:
    args = _merged(dict(
        disable_local_auth=True, public_network_access="Disabled", minimum_tls_version="1.2", zone_redundant=True),
        overrides)
    return lambda: eventhub.Namespace(
        "events", resource_group_name=RG, namespace_name="evhns-aip", location="eastus2",
        sku=eventhub.SkuArgs(name="Standard", tier="Standard"), **args)


def service_bus(**overrides: Any) -> Program:
    args = _merged(dict(disable_local_auth=True, public_network_access="Disabled", minimum_tls_version="1.2",
                        zone_redundant=True), overrides)
    return lambda: servicebus.Namespace(
        "bus", resource_group_name=RG, namespace_name="sbns-aip", location="eastus2",
        sku=servicebus.SBSkuArgs(name=servicebus.SkuName.PREMIUM, tier=servicebus.SkuTier.PREMIUM, capacity=1), **args)


def web_app(identity: bool = True, app_settings: list[web.NameValuePairArgs] | None = None,
            connection_strings: list[web.ConnStringInfoArgs] | None = None, site: dict[str, Any] | None = None,
            **overrides: Any) -> Program:
    """The seed's function app with the settings it lacks (HTTPS only, FTP off, private, identity)."""
    site_args = _merged(dict(min_tls_version="1.2", ftps_state="Disabled", app_settings=[
        web.NameValuePairArgs(name="FUNCTIONS_EXTENSION_VERSION", value="~4"),
        web.NameValuePairArgs(name="AZURE_OPENAI_KEY",
                              value="@Microsoft.KeyVault(VaultName=kv-aip-prod-eus2;SecretName=openai-key)"),
        web.NameValuePairArgs(name="EventHub__fullyQualifiedNamespace", value="evhns-aip.servicebus.windows.net"),
        *(app_settings or [])], connection_strings=connection_strings), site or {})
    args = _merged(dict(https_only=True, public_network_access="Disabled"), overrides)
    return lambda: web.WebApp(
        "functions", resource_group_name=RG, name="func-aip-prod-eus2", location="eastus2", kind="functionapp,linux",
        identity=web.ManagedServiceIdentityArgs(type=web.ManagedServiceIdentityType.SYSTEM_ASSIGNED)
        if identity else None,
        site_config=web.SiteConfigArgs(**site_args), **args)


def traffic_manager(**overrides: Any) -> Program:
    args = _merged(dict(
        traffic_routing_method="Priority",
        dns_config=trafficmanager.DnsConfigArgs(relative_name="aip-prod", ttl=30),
        monitor_config=trafficmanager.MonitorConfigArgs(
            protocol="HTTPS", port=443, path="/health", interval_in_seconds=30, tolerated_number_of_failures=3,
            timeout_in_seconds=10)), overrides)
    return lambda: trafficmanager.Profile(
        "tm", resource_group_name=RG, profile_name="tm-aip-prod", location="global", **args)


def backup_vault(redundancy: str = "GeoRedundant", soft_delete: str | None = "On", protect: bool = False,
                 immutability: str | None = "Locked") -> Program:
    security = dataprotection.SecuritySettingsArgs(
        soft_delete_settings=dataprotection.SoftDeleteSettingsArgs(state=soft_delete, retention_duration_in_days=14)
        if soft_delete else None,
        immutability_settings=dataprotection.ImmutabilitySettingsArgs(state=immutability) if immutability else None,
    ) if soft_delete or immutability else None
    return lambda: dataprotection.BackupVault(
        "backup", resource_group_name=RG, vault_name="bvault-aip", location="eastus2",
        identity=dataprotection.DppIdentityDetailsArgs(type="SystemAssigned"),
        properties=dataprotection.BackupVaultArgs(
            storage_settings=[dataprotection.StorageSettingArgs(datastore_type="VaultStore", type=redundancy)],
            security_settings=security),
        opts=_protect(protect))


def workspace(protect: bool = False, disable_local_auth: bool | None = True) -> Program:
    return lambda: operationalinsights.Workspace(
        "logs", resource_group_name=RG, workspace_name="log-aip-prod-eus2", location="eastus2", retention_in_days=90,
        sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
        features=operationalinsights.WorkspaceFeaturesArgs(disable_local_auth=disable_local_auth),
        opts=_protect(protect))


def retention(enabled: bool = True, days: int = 35, **extra: Any) -> storage.DeleteRetentionPolicyArgs:
    return storage.DeleteRetentionPolicyArgs(enabled=enabled, days=days, **extra)


def app_service_plan(tier: str, name: str, capacity: int | None = None, zone_redundant: bool | None = True) -> Program:
    return lambda: web.AppServicePlan(
        "plan", name="asp-aip", resource_group_name=RG, kind="elastic", reserved=True,
        sku=web.SkuDescriptionArgs(name=name, tier=tier, capacity=capacity), zone_redundant=zone_redundant)


# --- pattern 1: Azure AI Search, the Static Web App and its Front Door ----------------------------

def search_service(protect: bool = False, **overrides: Any) -> Program:
    """components/search.py's prod service: Standard, 2 replicas, keyless, private, system identity."""
    args = _merged(dict(
        sku=search.SkuArgs(name="standard"), replica_count=2, partition_count=1, disable_local_auth=True,
        public_network_access="Disabled", network_rule_set=search.NetworkRuleSetArgs(bypass="None", ip_rules=[]),
        identity=search.IdentityArgs(type=search.IdentityType.SYSTEM_ASSIGNED)), overrides)
    return lambda: search.Service(
        "search", resource_group_name=RG, search_service_name="srch-aip-prod-eus2", location="eastus2",
        opts=_protect(protect), **args)


def static_site(**overrides: Any) -> Program:
    """components/static_web_app.py's prod site: Standard, no preview environments, in a Static Web Apps region."""
    args = _merged(dict(
        sku=web.SkuDescriptionArgs(name="Standard", tier="Standard"), staging_environment_policy="Disabled",
        location="eastus2", enterprise_grade_cdn_status="Disabled"), overrides)
    return lambda: web.StaticSite("web", resource_group_name=RG, name="swa-aip-prod", **args)


PROFILE = "afd-aip-prod"
FD_WAF_ID = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/wafaipfd"


def managed_rule_sets(drs_version: str = "2.1", drs_action: str | None = "Block",
                      bots: bool = True) -> frontdoor.ManagedRuleSetListArgs:
    sets = [frontdoor.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version=drs_version,
                                         rule_set_action=drs_action)]
    if bots:
        sets.append(frontdoor.ManagedRuleSetArgs(rule_set_type="Microsoft_BotManagerRuleSet", rule_set_version="1.1"))
    return frontdoor.ManagedRuleSetListArgs(managed_rule_sets=sets)


def front_door_waf(**overrides: Any) -> Program:
    """components/front_door.py's prod WAF policy: Premium, Prevention, DRS 2.1 (Block) and Bot Manager 1.1."""
    args = _merged(dict(
        sku=frontdoor.SkuArgs(name="Premium_AzureFrontDoor"),
        policy_settings=frontdoor.PolicySettingsArgs(enabled_state="Enabled", mode="Prevention"),
        managed_rules=managed_rule_sets()), overrides)
    return lambda: frontdoor.Policy("edge-waf", resource_group_name=RG, policy_name="wafaipfd", location="Global",
                                    **args)


def afd_custom_domain(**overrides: Any) -> Program:
    args = _merged(dict(tls_settings=cdn.AFDDomainHttpsParametersArgs(
        certificate_type="ManagedCertificate", minimum_tls_version=cdn.AfdMinimumTlsVersion.TLS12)), overrides)
    return lambda: cdn.AFDCustomDomain("domain", resource_group_name=RG, profile_name=PROFILE,
                                       custom_domain_name="www-contoso-com", host_name="www.contoso.com", **args)


def afd_route(**overrides: Any) -> Program:
    args = _merged(dict(
        supported_protocols=["Http", "Https"], https_redirect="Enabled", forwarding_protocol="HttpsOnly"), overrides)
    return lambda: cdn.Route(
        "site-route", resource_group_name=RG, profile_name=PROFILE, endpoint_name="fde-aip", route_name="site",
        origin_group=cdn.ResourceReferenceArgs(id=f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Cdn/profiles/"
                                                  f"{PROFILE}/originGroups/site"),
        patterns_to_match=["/*"], link_to_default_domain="Enabled", **args)


def afd_origin(**overrides: Any) -> Program:
    args = _merged(dict(enforce_certificate_name_check=True), overrides)
    return lambda: cdn.AFDOrigin(
        "api-origin", resource_group_name=RG, profile_name=PROFILE, origin_group_name="api", origin_name="api",
        host_name="tm-aip-prod.trafficmanager.net", origin_host_header="ai.contoso.com", **args)


def edge(site: bool = True, site_origin: bool = True, link: bool = True, link_domain: bool = True,
         patterns: list[str] | None = None, api: str = "traffic-manager", waf_id: str | None = None,
         waf_unknown: bool = False, site_origin_enabled: bool = True) -> Program:
    """The frontend as components/front_door.py wires it: a Static Web App served by a Front Door profile
    (endpoint, custom domain, a site and an API origin group and route), its WAF linked by a security
    policy, the API origin built from the Traffic Manager profile. The switches break one relation:
    `api` is 'traffic-manager', 'gateway' (a WAF gateway's public IP), 'container-app', or a literal host;
    `waf_unknown` makes the WAF policy's id unknown, as during preview."""

    def build() -> None:
        swa = web.StaticSite("web", resource_group_name=RG, name="swa-aip-prod", location="eastus2",
                             sku=web.SkuDescriptionArgs(name="Standard", tier="Standard")) if site else None
        profile = cdn.Profile("edge-profile", resource_group_name=RG, profile_name=PROFILE, location="global",
                              sku=cdn.SkuArgs(name="Premium_AzureFrontDoor"))
        endpoint = cdn.AFDEndpoint("edge-endpoint", resource_group_name=RG, profile_name=profile.name,
                                   endpoint_name="fde-aip-prod", location="global")
        domain = cdn.AFDCustomDomain("edge-domain", resource_group_name=RG, profile_name=profile.name,
                                     custom_domain_name="www-contoso-com", host_name="www.contoso.com",
                                     tls_settings=cdn.AFDDomainHttpsParametersArgs(
                                         certificate_type="ManagedCertificate",
                                         minimum_tls_version=cdn.AfdMinimumTlsVersion.TLS12))
        waf = frontdoor.Policy("edge-waf", resource_group_name=RG, policy_name="wafaipfd", location="Global",
                               sku=frontdoor.SkuArgs(name="Premium_AzureFrontDoor"),
                               policy_settings=frontdoor.PolicySettingsArgs(enabled_state="Enabled", mode="Prevention"),
                               managed_rules=managed_rule_sets())
        api_host: pulumi.Input[str] = api
        if api == "traffic-manager":
            tm = trafficmanager.Profile("traffic-manager", resource_group_name=RG, profile_name="tm-aip-prod",
                                        location="global", traffic_routing_method="Priority",
                                        dns_config=trafficmanager.DnsConfigArgs(relative_name="tm-aip-prod", ttl=30))
            api_host = tm.dns_config.apply(lambda d: (d.fqdn if d else None) or "")
        elif api == "gateway":
            ip = network.PublicIPAddress("agw-pip", resource_group_name=RG, public_ip_address_name="agw-pip",
                                         location="eastus2", sku=network.PublicIPAddressSkuArgs(name="Standard"),
                                         dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label="agw-aip"))
            network.ApplicationGateway("agw", resource_group_name=RG, application_gateway_name="agw-aip",
                                       location="eastus2", frontend_ip_configurations=[
                                           network.ApplicationGatewayFrontendIPConfigurationArgs(
                                               name="public", public_ip_address=network.SubResourceArgs(id=ip.id))])
            api_host = ip.dns_settings.apply(lambda d: (d.fqdn if d else None) or "")
        elif api == "container-app":
            chat = app.ContainerApp("chat", resource_group_name=RG, container_app_name="ca-chat",
                                    managed_environment_id=ENVIRONMENT)
            api_host = chat.latest_revision_fqdn
        for name, host, pattern in (("site", swa.default_hostname if swa and site_origin else None, "/*"),
                                    ("api", api_host, "/api/*")):
            group = cdn.AFDOriginGroup(f"edge-{name}", resource_group_name=RG, profile_name=profile.name,
                                       origin_group_name=name)
            if host is not None:
                enabled = site_origin_enabled or name != "site"
                cdn.AFDOrigin(f"edge-{name}-origin", resource_group_name=RG, profile_name=profile.name,
                              origin_group_name=group.name, origin_name=name, host_name=host,
                              origin_host_header=host, enforce_certificate_name_check=True,
                              enabled_state="Enabled" if enabled else "Disabled")
            cdn.Route(f"edge-{name}", resource_group_name=RG, profile_name=profile.name, endpoint_name=endpoint.name,
                      route_name=name, origin_group=cdn.ResourceReferenceArgs(id=group.id), patterns_to_match=[pattern],
                      custom_domains=[cdn.ActivatedResourceReferenceArgs(id=domain.id)], https_redirect="Enabled",
                      forwarding_protocol="HttpsOnly")
        if link:
            domains = [cdn.ActivatedResourceReferenceArgs(id=endpoint.id)]
            if link_domain:
                domains.append(cdn.ActivatedResourceReferenceArgs(id=domain.id))
            cdn.SecurityPolicy("edge-waf-link", resource_group_name=RG, profile_name=profile.name,
                               security_policy_name="waf",
                               parameters=cdn.SecurityPolicyWebApplicationFirewallParametersArgs(
                                   type="WebApplicationFirewall", waf_policy=cdn.ResourceReferenceArgs(
                                       id=unknown() if waf_unknown else waf_id or waf.id),
                                   associations=[cdn.SecurityPolicyWebApplicationFirewallAssociationArgs(
                                       domains=domains, patterns_to_match=patterns or ["/*"])]))

    return build
