"""The AI gateway: Azure API Management between the workloads and Azure OpenAI (REL-3, REL-4, PERF-6).

What it is, and the Microsoft source each choice rests on (learn.microsoft.com/azure/api-management/...):
- Tier and network (`virtual-network-concepts`, `api-management-features`): the classic Developer (dev) and
  Premium (prod) tiers injected into their own subnet in *internal* mode, the only combination that is private
  inbound (the gateway answers on a private IP only) and inside the VNet outbound (it reaches the OpenAI private
  endpoints) in a single deployment. The v2 alternatives need two steps or a preview: Standard v2 takes a
  private endpoint inbound only once the instance exists and public access can be disabled afterwards, and
  Premium v2 injection is not in the pinned SDK's API version (2024-05-01 has no PremiumV2 SKU).
- Zones (`reliability/reliability-api-management`, `enable-availability-zone-support`, re-checked December 2026):
  automatic placement is "best-effort" with "no way to determine which availability zones your units are placed
  into", and an instance injected in an internal or external VNet needs a public IP address resource of its own
  for zone support ("you must specify a public IP address resource"). So Premium in a zonal region (the dated
  region table, stack_config/preflight/regions.py) pins its zones, as many as divide its units evenly (two or
  three; "the number of units ... must distribute evenly across the availability zones"), and takes a Standard,
  static, zone-redundant public IP with a DNS label (`api-management-using-with-internal-vnet`). In internal
  mode that address carries only Azure's management traffic on 3443 (`api-management-howto-ip-addresses`);
  elsewhere (Developer, regions without zones) the instance keeps Azure's managed address and no IP of ours.
- TLS (`api-management-howto-manage-protocols-ciphers`, the SDK's `customProperties` reference): TLS 1.0/1.1,
  SSL 3.0 and 3DES off on the client and backend sides, and every CBC/RSA-key-exchange cipher the service lets
  us disable.
- Identity: system-assigned, because the semantic cache calls the embeddings backend only as
  `embeddings-backend-auth="system-assigned"` (`azure-openai-semantic-cache-lookup-policy`); it holds
  *Cognitive Services OpenAI User* on every account, the only grant any identity has there.
- Backends (`backends`, REST `Microsoft.ApiManagement/service/backends` 2024-05-01): one per regional account
  with a circuit breaker on 429 and 5xx that honours Retry-After, and a Pool over them by priority and weight.
- API: the Azure OpenAI inference API (stable 2024-10-21) vendored from azure-rest-api-specs at a pinned commit
  and imported inline, so the gateway never downloads it (see OPENAI_SPEC).
- Telemetry (`api-management-howto-app-insights`): an Application Insights logger that authenticates with
  the managed identity (App Insights has local auth off), *Monitoring Metrics Publisher* on the component,
  and a diagnostic with custom metrics on, which the token metric policy needs.
- Semantic cache (`azure-openai-enable-semantic-caching`, `api-management-howto-cache-external`, re-checked
  December 2026): API Management reaches an external Redis only with a connection string, i.e. an access key
  ("Currently, you can't use Microsoft Entra authentication to connect Azure API Management to Azure Managed
  Redis"), and RediSearch needs the EnterpriseCluster policy and NoEviction, fixed at creation
  (`redis/redis-modules`). The stack's Redis is keyless, OSSCluster and LRU, so the gateway gets a dedicated
  Managed Redis: private, key auth on only there, its key written to Key Vault and read by API Management
  through a Key Vault-backed secret named value that only the external cache uses. That is the one shape the
  pack's `redis-enterprise-access-keys-disabled` accepts keys in (policies/relations/databases.py). With the
  EnterpriseCluster policy clients use the one port 10000 (no OSS shard ports 8500-8599), which the
  apiManagement subnet reaches on the private endpoints subnet (components/network.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_azure_native.apimanagement as apim
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.network as network
import pulumi_azure_native.privatedns as privatedns
import pulumi_azure_native.redisenterprise as redisenterprise

from stack_config.model import AIGateway as AIGatewayConfig
from stack_config.model import AlertThresholds, GatewayBackend
from stack_config.preflight.regions import ZONAL_REGIONS

from .ai_gateway_policy import PolicyInputs, render
from .alerts import Alerts, AlertsArgs
from .common import Common
from .diagnostics import diagnostic_setting
from .keyvault import secret_expiry
from .naming import check_parts, unique_name_output
from .private_dns import linked_private_zone
from .private_endpoint import check_private_link, private_endpoint
from .rbac import grant
from .redis import PORT as REDIS_PORT

# The Azure OpenAI data-plane inference API, stable 2024-10-21, vendored from azure-rest-api-specs at a fixed commit
# and imported inline (`openapi+json`): API Management imports a spec by link only from "a publicly accessible
# internet address" (api-management/virtual-network-injection-resources, Limitations), which an internal gateway
# behind forced tunnelling may not reach, and the file in the repo cannot change under a running stack.
# Refresh: take the file at a newer commit, update the commit and the digest below, and run the gateway tests.
OPENAI_SPEC_COMMIT = "132b90d1f06386034a6c2b34e903dbd3b03f9806"
OPENAI_SPEC_SOURCE = ("https://github.com/Azure/azure-rest-api-specs/blob/"
                      f"{OPENAI_SPEC_COMMIT}/specification/cognitiveservices/data-plane/AzureOpenAI/inference/"
                      "stable/2024-10-21/inference.json")
OPENAI_SPEC = Path(__file__).with_name("apim") / "azure-openai-inference-2024-10-21.json"
OPENAI_SPEC_SHA256 = "8efc665c79a5a5e7d3137d9378da074d9956d042150a1d0a6ffc6ba95cc1bf47"
# Clients use the gateway URL as their Azure OpenAI endpoint: `<gateway>/openai/deployments/...`.
API_PATH = "openai"
# The OpenAI API's id: its policy, its gateway logs (ApiManagementGatewayLogs.ApiId) and the SLO rules use it.
API_ID = "azure-openai"
POOL_BACKEND = "openai-pool"
EMBEDDINGS_BACKEND = "openai-embeddings"
CACHE_SECRET = "apim-semantic-cache-redis"
CACHE_NAMED_VALUE = "semantic-cache-redis"
# Service names: 1-50 letters, digits and hyphens, starting with a letter; it becomes <name>.azure-api.net.
_NAME_MAX = 50
# Disabled on the service (true = disabled for protocols, false = cipher off); every key is named in the
# `customProperties` reference of Microsoft.ApiManagement/service 2024-05-01.
_SECURITY = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security"
WEAK_PROTOCOLS = tuple(f"{_SECURITY}.{side}Protocols.{p}" for side in ("", "Backend.") for p in ("Tls10", "Tls11",
                                                                                                  "Ssl30"))
WEAK_CIPHERS = ("TripleDes168", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256",
                "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA")
CUSTOM_PROPERTIES: dict[str, str] = {
    **{key: "false" for key in WEAK_PROTOCOLS},
    **{f"{_SECURITY}.Ciphers.{cipher}": "false" for cipher in WEAK_CIPHERS},
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2": "true",
}
COGNITIVE_SERVICES = "https://cognitiveservices.azure.com"


class AIGatewayError(pulumi.RunError):
    """AIGateway inputs that cannot make a private, keyless gateway."""


def gateway_zones(sku: str, capacity: int, location: str) -> list[str] | None:
    """The zones a Premium gateway pins in a zonal region: three when they divide its units, else two; None where
    the tier or region has none, or one unit cannot span two (config validation refuses that in prod)."""
    if sku != "Premium" or location not in ZONAL_REGIONS:
        return None
    for count in (3, 2):
        if capacity % count == 0:
            return [str(z) for z in range(1, count + 1)]
    return None


@dataclass(frozen=True)
class OpenAIBackend:
    """One region's OpenAI account as the gateway sees it."""

    location: str
    account_id: pulumi.Input[str]
    endpoint: pulumi.Input[str]  # https://<subdomain>.openai.azure.com/


@dataclass(frozen=True)
class AIGatewayArgs:
    # The gateway's region; `private_link` places the cache's endpoint, `workspace_id` takes diagnostics.
    common: Common
    config: AIGatewayConfig
    base_name: str
    stack: str
    tenant_id: pulumi.Input[str]
    # The region's apiManagement subnet (SecureNetwork.subnet_ids["apiManagement"]).
    subnet_id: pulumi.Input[str]
    # Region -> VNet id: every VNet resolves the gateway's private address.
    vnet_ids: Mapping[str, pulumi.Input[str]]
    # Every region's account; the local one is required.
    backends: Sequence[OpenAIBackend]
    # Consumer (service name) -> client id of its managed identity.
    client_ids: Mapping[str, pulumi.Input[str]]
    embeddings_deployment: str
    app_insights_id: pulumi.Input[str]
    app_insights_connection_string: pulumi.Input[str]
    key_vault_id: pulumi.Input[str]
    key_vault_name: pulumi.Input[str]
    # Where the semantic cache's load and memory alerts go (alerts-wired, MON-3), at the stack's thresholds.
    action_group_id: pulumi.Input[str]
    thresholds: AlertThresholds


def gateway_name(*, base_name: str, location: str, stack: str, tenant_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The service name, known before the service exists (so callers get its URL up front)."""
    return unique_name_output("apim", base_name=base_name, location=location, stack=stack, tenant_id=tenant_id,
                              max_length=_NAME_MAX)


def gateway_url(**kwargs) -> pulumi.Output[str]:
    """The gateway's endpoint, which workloads use as AZURE_OPENAI_ENDPOINT."""
    return gateway_name(**kwargs).apply(lambda n: f"https://{n}.azure-api.net/")


def pool_order(local: str, locations: Sequence[str], configured: Sequence[GatewayBackend]) -> list[GatewayBackend]:
    """Each account's place in the pool: the configured layout, else the local region first and the rest after."""
    if configured:
        return list(configured)
    return [GatewayBackend(location=loc, priority=1 if loc == local else 2) for loc in locations]


def _under(endpoint: pulumi.Input[str], path: str) -> pulumi.Output[str]:
    """`path` below an account endpoint (`https://<subdomain>.openai.azure.com/`)."""
    return pulumi.Output.from_input(endpoint).apply(lambda e: f"{e.rstrip('/')}/{path}")


def _iso_seconds(seconds: int) -> str:
    return f"PT{seconds}S"


def _check(name: str, args: AIGatewayArgs) -> None:
    check_parts(name, base_name=args.base_name, location=args.common.location)
    if args.config.semantic_cache.enabled:
        check_private_link(name, args.common, "redisEnterprise")
    locations = [b.location for b in args.backends]
    if args.common.location not in locations:
        raise AIGatewayError(f"{name}: no OpenAI account in the gateway's own region '{args.common.location}'; "
                             "pass every region's account as backends")
    missing = [c.service for c in args.config.consumers if c.service not in args.client_ids]
    if missing:
        raise AIGatewayError(f"{name}: consumer(s) {', '.join(missing)} have no identity; every "
                             "aiGateway.consumers[].service must be a workload of the stack")
    unknown = [b.location for b in args.config.backends if b.location not in locations]
    if unknown:
        raise AIGatewayError(f"{name}: aiGateway.backends names region(s) {', '.join(unknown)} without an account")


class AIGateway(pulumi.ComponentResource):
    """A private API Management gateway in front of every regional Azure OpenAI account."""

    service: apim.ApiManagementService
    url: pulumi.Output[str]
    service_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    private_ip: pulumi.Output[str]

    def __init__(self, name: str, args: AIGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:ai_gateway:AIGateway", name, None, opts)
        common, cfg = args.common, args.config
        service_name = gateway_name(base_name=args.base_name, location=common.location, stack=args.stack,
                                    tenant_id=args.tenant_id)
        zones = gateway_zones(cfg.sku, cfg.capacity, common.location)
        management_ip = self._management_ip(name, common, service_name) if zones else None

        self.service = apim.ApiManagementService(
            name,
            service_name=service_name,
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=apim.ApiManagementServiceSkuPropertiesArgs(name=cfg.sku, capacity=cfg.capacity),
            publisher_email=cfg.publisher_email,
            publisher_name=cfg.publisher_name,
            identity=apim.ApiManagementServiceIdentityArgs(type=apim.ApimIdentityType.SYSTEM_ASSIGNED),
            virtual_network_type=apim.VirtualNetworkType.INTERNAL,
            virtual_network_configuration=apim.VirtualNetworkConfigurationArgs(subnet_resource_id=args.subnet_id),
            zones=zones,
            public_ip_address_id=management_ip.id if management_ip else None,
            custom_properties=CUSTOM_PROPERTIES,
            # Nothing here serves API documentation to people; the portals would be two more endpoints.
            developer_portal_status=apim.DeveloperPortalStatus.DISABLED,
            legacy_portal_status=apim.LegacyPortalStatus.DISABLED,
            tags=common.tags,
            # Creating an injected instance takes 30-45 minutes, longer than the provider's default wait.
            opts=common.child(self, stateful=True, custom_timeouts=pulumi.CustomTimeouts(
                create="120m", update="120m", delete="60m")),
        )
        service = self.service
        principal = service.identity.apply(_principal_id)
        scoped = {"resource_group_name": common.resource_group_name, "service_name": service.name}

        # Reaching each account is the gateway's job alone (no workload keeps a role there).
        for backend in args.backends:
            grant(f"{name}-openai-{backend.location}", scope=backend.account_id, principal_id=principal,
                  role="Cognitive Services OpenAI User", parent=self, description="the AI gateway")
        metrics_grant = grant(f"{name}-appi", scope=args.app_insights_id, principal_id=principal,
                              role="Monitoring Metrics Publisher", parent=self, description="the AI gateway")

        breaker = cfg.circuit_breaker
        singles = {
            b.location: apim.Backend(
                f"{name}-backend-{b.location}",
                backend_id=f"openai-{b.location}",
                **scoped,
                type=apim.BackendType.SINGLE,
                protocol=apim.BackendProtocol.HTTP,
                url=_under(b.endpoint, API_PATH),
                description=f"Azure OpenAI in {b.location}",
                tls=apim.BackendTlsPropertiesArgs(validate_certificate_chain=True, validate_certificate_name=True),
                circuit_breaker=apim.BackendCircuitBreakerArgs(rules=[apim.CircuitBreakerRuleArgs(
                    name="throttled-or-failing",
                    failure_condition=apim.CircuitBreakerFailureConditionArgs(
                        count=breaker.failure_count,
                        interval=_iso_seconds(breaker.interval_seconds),
                        status_code_ranges=[apim.FailureStatusCodeRangeArgs(min=429, max=429),
                                            apim.FailureStatusCodeRangeArgs(min=500, max=599)],
                    ),
                    trip_duration=_iso_seconds(breaker.trip_seconds),
                    accept_retry_after=breaker.accept_retry_after,
                )]),
                opts=common.child(self),
            )
            for b in args.backends
        }
        order = pool_order(common.location, [b.location for b in args.backends], cfg.backends)
        pool = apim.Backend(
            f"{name}-backend-pool",
            backend_id=POOL_BACKEND,
            **scoped,
            type=apim.BackendType.POOL,
            description="Azure OpenAI accounts by priority: the local region first unless configured otherwise",
            pool=apim.BackendBaseParametersPoolArgs(services=[
                apim.BackendPoolItemArgs(id=singles[o.location].id, priority=o.priority, weight=o.weight)
                for o in sorted(order, key=lambda o: (o.priority, o.location))
            ]),
            opts=common.child(self),
        )
        local = next(b for b in args.backends if b.location == common.location)
        embeddings = apim.Backend(
            f"{name}-backend-embeddings",
            backend_id=EMBEDDINGS_BACKEND,
            **scoped,
            type=apim.BackendType.SINGLE,
            protocol=apim.BackendProtocol.HTTP,
            # The semantic cache posts prompts to the embeddings deployment itself
            # (azure-openai-enable-semantic-caching: "Runtime URL" of the embeddings deployment).
            url=_under(local.endpoint, f"{API_PATH}/deployments/{args.embeddings_deployment}/embeddings"),
            description="Embeddings for the semantic cache (local region)",
            tls=apim.BackendTlsPropertiesArgs(validate_certificate_chain=True, validate_certificate_name=True),
            opts=common.child(self),
        )

        logger = apim.Logger(
            f"{name}-logger",
            logger_id="appinsights",
            **scoped,
            logger_type=apim.LoggerType.APPLICATION_INSIGHTS,
            resource_id=args.app_insights_id,
            # Entra-authenticated ingestion with the system identity: the component accepts no key alone.
            credentials={"connectionString": pulumi.Output.secret(args.app_insights_connection_string),
                         "identityClientId": "SystemAssigned"},
            is_buffered=True,
            opts=common.child(self, depends_on=[metrics_grant]),
        )
        apim.Diagnostic(
            f"{name}-appinsights",
            diagnostic_id="applicationinsights",
            **scoped,
            logger_id=logger.id,
            always_log=apim.AlwaysLog.ALL_ERRORS,
            # Custom metrics with dimensions: what azure-openai-emit-token-metric and emit-metric write to.
            metrics=True,
            sampling=apim.SamplingSettingsArgs(sampling_type=apim.SamplingType.FIXED, percentage=100),
            verbosity=apim.Verbosity.INFORMATION,
            http_correlation_protocol=apim.HttpCorrelationProtocol.W3_C,
            log_client_ip=False,
            opts=common.child(self),
        )

        depends: list[pulumi.Resource] = [pool, embeddings]
        if cfg.semantic_cache.enabled:
            depends.append(self._semantic_cache(name, args, service, principal))

        api = apim.Api(
            f"{name}-openai-api",
            api_id=API_ID,
            **scoped,
            path=API_PATH,
            display_name="Azure OpenAI",
            description="Azure OpenAI inference API (stable 2024-10-21) behind the AI gateway",
            format=apim.ContentFormat.OPENAPI_JSON,
            value=OPENAI_SPEC.read_text(encoding="utf-8"),
            protocols=[apim.Protocol.HTTPS],
            service_url=_under(local.endpoint, API_PATH),
            # Callers authenticate with Entra tokens (validate-azure-ad-token), not subscription keys.
            subscription_required=False,
            opts=common.child(self),
        )
        consumers = list(cfg.consumers)
        ids = {c.service: args.client_ids[c.service] for c in consumers}
        document = pulumi.Output.all(args.tenant_id, pulumi.Output.from_input(ids)).apply(
            lambda values: render(PolicyInputs(
                tenant_id=values[0], client_ids=values[1], consumers=consumers, region=common.location,
                pool_backend_id=POOL_BACKEND, retry=cfg.retry, cache=cfg.semantic_cache,
                embeddings_backend_id=EMBEDDINGS_BACKEND)))
        apim.ApiPolicy(
            f"{name}-openai-policy",
            policy_id="policy",
            api_id=api.name,
            **scoped,
            format=apim.PolicyContentFormat.XML,
            value=document,
            opts=common.child(self, depends_on=depends),
        )

        # The gateway's own name resolves to its private address from every VNet; a zone for the one host
        # leaves every other *.azure-api.net name public.
        zone = linked_private_zone(
            f"{name}-dns", zone_name=service_name.apply(lambda n: f"{n}.azure-api.net"), common=common,
            parent=self, links={loc: (f"link-{loc}", vnet) for loc, vnet in args.vnet_ids.items()})
        self.private_ip = service.private_ip_addresses.apply(_first_ip)
        privatedns.PrivateRecordSet(
            f"{name}-dns-gateway",
            relative_record_set_name="@",
            record_type="A",
            private_zone_name=zone.name,
            resource_group_name=common.resource_group_name,
            ttl=300,
            a_records=[privatedns.ARecordArgs(ipv4_address=self.private_ip)],
            opts=common.child(self),
        )
        diagnostic_setting(name, target_id=service.id, workspace_id=common.workspace_id, parent=self)

        self.url = service_name.apply(lambda n: f"https://{n}.azure-api.net/")
        self.service_id = service.id
        self.principal_id = principal
        self.register_outputs({"url": self.url, "serviceId": self.service_id, "principalId": self.principal_id,
                               "privateIp": self.private_ip})

    def _management_ip(self, name: str, common: Common, service_name: pulumi.Output[str]) -> network.PublicIPAddress:
        """The zone-redundant address a zonal, VNet-injected instance needs: management traffic only (internal)."""
        ip = network.PublicIPAddress(
            f"{name}-pip",
            public_ip_address_name=service_name.apply(lambda n: f"{n}-pip"),
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=network.PublicIPAddressSkuArgs(name=network.PublicIPAddressSkuName.STANDARD,
                                               tier=network.PublicIPAddressSkuTier.REGIONAL),
            public_ip_allocation_method=network.IPAllocationMethod.STATIC,
            public_ip_address_version=network.IPVersion.I_PV4,
            zones=["1", "2", "3"],
            # "In general, you should use the same DNS name as your API Management instance."
            dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label=service_name),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        diagnostic_setting(f"{name}-pip", target_id=ip.id, workspace_id=common.workspace_id, parent=self)
        return ip

    def _semantic_cache(self, name: str, args: AIGatewayArgs, service: apim.ApiManagementService,
                        principal: pulumi.Output[str]) -> pulumi.Resource:
        """The gateway's own Managed Redis with RediSearch, and the Key Vault-backed connection API Management uses."""
        common, cache = args.common, args.config.semantic_cache
        cluster = redisenterprise.RedisEnterprise(
            f"{name}-redis",
            cluster_name=unique_name_output("apimcache", base_name=args.base_name, location=common.location,
                                            stack=args.stack, tenant_id=args.tenant_id, max_length=60),
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=redisenterprise.SkuArgs(name=cache.redis_sku),
            # Zone redundant with no `zones` input in a zonal region when highly available (components/redis.py).
            high_availability=(redisenterprise.HighAvailability.ENABLED if cache.high_availability
                               else redisenterprise.HighAvailability.DISABLED),
            minimum_tls_version=redisenterprise.TlsVersion.TLS_VERSION_1_2,
            public_network_access=redisenterprise.PublicNetworkAccess.DISABLED,
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        database = redisenterprise.Database(
            f"{name}-redis-db",
            database_name="default",
            cluster_name=cluster.name,
            resource_group_name=common.resource_group_name,
            port=REDIS_PORT,
            client_protocol=redisenterprise.Protocol.ENCRYPTED,
            # RediSearch requires both, and neither can change after creation
            # (learn.microsoft.com/azure/redis/redis-modules#redisearch).
            clustering_policy=redisenterprise.ClusteringPolicy.ENTERPRISE_CLUSTER,
            eviction_policy=redisenterprise.EvictionPolicy.NO_EVICTION,
            modules=[redisenterprise.ModuleArgs(name="RediSearch")],
            # API Management authenticates to an external cache only with a key; this database holds only
            # cached completions and is reachable only through its private endpoint.
            access_keys_authentication=redisenterprise.AccessKeysAuthentication.ENABLED,
            persistence=redisenterprise.PersistenceArgs(aof_enabled=False, rdb_enabled=False),
            defer_upgrade=redisenterprise.DeferUpgradeSetting.NOT_DEFERRED,
            opts=common.child(self, stateful=True),
        )
        private_endpoint(f"{name}-redis", common=common, target_id=cluster.id, group_id="redisEnterprise", parent=self)
        diagnostic_setting(f"{name}-redis-db", target_id=database.id, workspace_id=common.workspace_id, parent=self,
                           metrics=False)
        # The stamp's Redis rules on this cluster; the name keeps them apart from the stamp's own cache alerts.
        Alerts(f"{name}-cache-alerts", AlertsArgs(
            common=common, base_name=f"{args.base_name}-apimcache", action_group_id=args.action_group_id,
            thresholds=args.thresholds, app_insights_id=None, redis_cluster_id=cluster.id),
            pulumi.ResourceOptions(parent=self))
        keys = redisenterprise.list_database_keys_output(cluster_name=cluster.name, database_name=database.name,
                                                         resource_group_name=common.resource_group_name)
        connection = pulumi.Output.secret(pulumi.Output.all(cluster.host_name, keys.primary_key).apply(
            lambda v: f"{v[0]}:{REDIS_PORT},password={v[1]},ssl=True,abortConnect=False"))
        secret = keyvault.Secret(
            f"{name}-cache-secret",
            secret_name=CACHE_SECRET,
            vault_name=args.key_vault_name,
            resource_group_name=common.resource_group_name,
            # A Redis key does not expire; the secret does (key-vault-secret-expiry), and every `pulumi up` writes the
            # current key, so a regenerated key reaches API Management with the next run.
            properties=keyvault.SecretPropertiesArgs(
                value=connection, content_type="text/plain",
                attributes=keyvault.SecretAttributesArgs(enabled=True, expires=secret_expiry())),
            tags=common.tags,
            opts=common.child(self),
        )
        reader = grant(f"{name}-kv", scope=args.key_vault_id, principal_id=principal, role="Key Vault Secrets User",
                       parent=self, description="the AI gateway")
        named = apim.NamedValue(
            f"{name}-cache-connection",
            named_value_id=CACHE_NAMED_VALUE,
            display_name=CACHE_NAMED_VALUE,
            resource_group_name=common.resource_group_name,
            service_name=service.name,
            secret=True,
            # Versionless: API Management picks up a rotated key within hours (api-management-howto-properties).
            key_vault=apim.KeyVaultContractCreatePropertiesArgs(secret_identifier=secret.properties.secret_uri),
            opts=common.child(self, depends_on=[reader]),
        )
        return apim.Cache(
            f"{name}-cache",
            cache_id=common.location,
            resource_group_name=common.resource_group_name,
            service_name=service.name,
            use_from_location=common.location,
            connection_string=f"{{{{{CACHE_NAMED_VALUE}}}}}",
            description="Semantic cache (Managed Redis with RediSearch)",
            opts=common.child(self, depends_on=[named]),
        )


def _principal_id(identity: apim.outputs.ApiManagementServiceIdentityResponse | None) -> str:
    if identity is None or not identity.principal_id:
        raise AIGatewayError("the API Management service reported no system-assigned identity")
    return identity.principal_id


def _first_ip(addresses: Sequence[str] | None) -> str:
    if not addresses:
        raise AIGatewayError("the API Management service reported no private IP address")
    return addresses[0]
