"""Typed stack configuration.

Every key a stack varies lives here, so a typo or an impossible value is reported before a
single resource is declared. YAML keys are camelCase (Pulumi's convention); Python fields are
snake_case through the alias generator.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic.alias_generators import to_camel

from policies.azure import catalog as C

# Regions with availability zones, from the dated region table the preflight uses; zone-redundant
# settings are only requested where Azure accepts them.
from .preflight.regions import ZONAL_REGIONS

# Regions Azure accepts for Microsoft.Web/staticSites: the dated table policies/azure/catalog.py keeps
# (static-site-location checks it too).
STATIC_WEB_APP_REGIONS = C.STATIC_WEB_APP_REGIONS

# Azure Managed Redis SKUs, copied from the pinned SDK's `redisenterprise.SkuName` (a test keeps
# the two in step) so that loading config does not import the SDK module.
REDIS_SKUS = (
    "Balanced_B0", "Balanced_B1", "Balanced_B3", "Balanced_B5", "Balanced_B10", "Balanced_B20",
    "Balanced_B50", "Balanced_B100", "Balanced_B150", "Balanced_B250", "Balanced_B350",
    "Balanced_B500", "Balanced_B700", "Balanced_B1000",
    "MemoryOptimized_M10", "MemoryOptimized_M20", "MemoryOptimized_M50", "MemoryOptimized_M100",
    "MemoryOptimized_M150", "MemoryOptimized_M250", "MemoryOptimized_M350", "MemoryOptimized_M500",
    "MemoryOptimized_M700", "MemoryOptimized_M1000", "MemoryOptimized_M1500", "MemoryOptimized_M2000",
    "ComputeOptimized_X3", "ComputeOptimized_X5", "ComputeOptimized_X10", "ComputeOptimized_X20",
    "ComputeOptimized_X50", "ComputeOptimized_X100", "ComputeOptimized_X150", "ComputeOptimized_X250",
    "ComputeOptimized_X350", "ComputeOptimized_X500", "ComputeOptimized_X700",
    "FlashOptimized_A250", "FlashOptimized_A500", "FlashOptimized_A700", "FlashOptimized_A1000",
    "FlashOptimized_A1500", "FlashOptimized_A2000", "FlashOptimized_A4500",
)

# The dot-atom form of RFC 5322 (no leading, trailing or doubled dots) with DNS labels that
# neither start nor end with a hyphen; RFC 5321 caps the local part at 64 and the path at 254.
_EMAIL = re.compile(r"^(?=.{1,254}$)(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_LOCATION = re.compile(r"^[a-z0-9]+$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        detail = "has host bits set" if "host bits" in str(exc) else "is not a valid CIDR"
        raise ValueError(f"'{value}' {detail}; use a network address such as 10.0.1.0/24") from None
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not a valid e-mail address; use name@domain.tld")
    return value


def _location(value: str) -> str:
    if not _LOCATION.match(value):
        raise ValueError(f"'{value}' is not an Azure region name; use the short form such as 'eastus2'")
    return value


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            f"'{value}' is not a valid name; use 2-32 lowercase letters, digits and hyphens, starting with a letter"
        )
    return value


_CPU_STEPS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0)


def _cpu(value: float) -> float:
    if value not in _CPU_STEPS:
        sizes = ", ".join(f"{c:g}" for c in _CPU_STEPS)
        raise ValueError(f"{value:g} is not a Container Apps CPU size; use one of {sizes}")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
ContainerCpu = Annotated[float, AfterValidator(_cpu)]
Email = Annotated[str, AfterValidator(_email)]
Location = Annotated[str, AfterValidator(_location)]
Name = Annotated[str, AfterValidator(_name)]
Percent = Annotated[int, Field(ge=1, le=1000)]


class Section(BaseModel):
    """Base for every config object: camelCase keys, unknown keys rejected, values frozen."""

    # Lax mode takes values the way `pulumi config set [--path]` stores them ("3", "true"); numbers
    # in text fields are their text (`version: 1`); infinity and NaN are never a setting.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, strict=False,
        allow_inf_nan=False, coerce_numbers_to_str=True,
    )


# `operations`: self-hosted deployment runners / jump hosts inside the VNet, the one place operators
# reach private endpoints from (certificate import, function code deployment, `verify --resolve-private`).
SubnetRole = Literal["privateEndpoints", "containerApps", "appGateway", "functions", "operations",
                     "apiManagement"]



class Subnet(Section):
    role: SubnetRole
    prefix: Cidr


class Region(Section):
    location: Location
    address_space: Cidr
    subnets: list[Subnet] = Field(min_length=1)

    def subnet(self, role: SubnetRole) -> Subnet | None:
        return next((s for s in self.subnets if s.role == role), None)

    @property
    def zonal(self) -> bool:
        return self.location in ZONAL_REGIONS


class Network(Section):
    regions: list[Region] = Field(min_length=1)
    # Organisations whose Azure Policy ("deployIfNotExists") writes private DNS records set this to
    # false; two writers of one zone group fight on every deploy.
    private_dns_zone_groups: bool = True


OpenAISku = Literal[
    "Standard", "GlobalStandard", "DataZoneStandard",
    "ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged",
]


class ModelDeployment(Section):
    name: Name
    model: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(min_length=1)]
    sku: OpenAISku = "GlobalStandard"
    capacity: Annotated[int, Field(gt=0, le=100_000)]
    rai_policy: str = "Microsoft.DefaultV2"
    # Regions where you have confirmed Azure offers this model/version/SKU although the shipped,
    # dated availability table (stack_config/preflight/data/openai_models.json) does not say so yet.
    assume_available_in: list[Location] = []


class OpenAI(Section):
    deployments: list[ModelDeployment] = Field(min_length=1)
    version_upgrade_option: Literal[
        "NoAutoUpgrade", "OnceCurrentVersionExpired", "OnceNewDefaultVersionAvailable"
    ] = "NoAutoUpgrade"


def _redis_sku(value: str) -> str:
    if value not in REDIS_SKUS:
        close = difflib.get_close_matches(value, REDIS_SKUS, n=3, cutoff=0.3) or list(REDIS_SKUS[:3])
        raise ValueError(f"'{value}' is not an Azure Managed Redis SKU; use one of the {len(REDIS_SKUS)} "
                         f"supported SKUs, e.g. {', '.join(close)}")
    return value


RedisSku = Annotated[str, AfterValidator(_redis_sku)]


# Access policy assignment names: letters and digits only, 1-60 characters (redisenterprise
# 2025-07-01 AccessPolicyAssignment name pattern); each consumer's name without separators.
REDIS_ASSIGNMENT_NAME = re.compile(r"^[A-Za-z0-9]{1,60}$")


def redis_assignment_name(consumer: str) -> str:
    return consumer.replace("-", "").replace("_", "")


class Redis(Section):
    sku: RedisSku
    high_availability: bool = True
    persistence: Literal["none", "aof", "rdb"] = "none"


class GatewayCertificate(Section):
    """Where the listener's TLS certificate comes from; the stack writes it to each region's Key Vault."""

    # selfSigned: a bootstrap certificate for hostName generated on the first deployment and kept
    # afterwards; pfx: the real certificate from `pfxBase64` (docs/operations.md, no-downtime swap).
    source: Literal["selfSigned", "pfx"] = "selfSigned"
    # A password-less PKCS#12 (PFX) file, base64-encoded; set it with
    # `pulumi config set --secret --path 'appGateway.certificate.pfxBase64' "$(base64 -w0 cert.pfx)"`.
    pfx_base64: SecretStr | None = None


class AppGateway(Section):
    min_capacity: Annotated[int, Field(ge=0, le=125)]
    max_capacity: Annotated[int, Field(ge=2, le=125)]
    # Name of the Key Vault secret holding the TLS certificate (created by the stack).
    certificate_name: Name = "gateway-tls"
    certificate: GatewayCertificate = GatewayCertificate()
    host_name: str | None = None


class ContainerService(Section):
    name: Name
    image: Annotated[str, Field(min_length=1)]
    cpu: ContainerCpu
    memory: Annotated[str, Field(pattern=r"^\d+(\.\d+)?Gi$")]
    min_replicas: Annotated[int, Field(ge=0, le=1000)]
    max_replicas: Annotated[int, Field(ge=1, le=1000)]
    http_concurrency: Annotated[int, Field(ge=1)] = 20
    cpu_utilization: Annotated[int, Field(ge=1, le=100)] = 70
    # The port the image listens on: ingress targets it. The probes use probePort (default: the
    # target port) and probePath, which must answer 200-399 for the revision to become ready.
    target_port: Annotated[int, Field(ge=1, le=65535)] = 8000
    probe_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    probe_path: Annotated[str, Field(pattern=r"^/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$")] = "/health"
    # The one service the gateway routes to; the others are reached inside the environment.
    entrypoint: bool = False

    @property
    def health_port(self) -> int:
        return self.probe_port or self.target_port


class ContainerApps(Section):
    zone_redundant: bool = False
    services: list[ContainerService] = Field(min_length=1)


class TrafficManager(Section):
    enabled: bool = True
    host_header: str | None = None


class AlertThresholds(Section):
    failed_requests: Annotated[int, Field(ge=1)] = 10
    openai_throttled_requests: Annotated[int, Field(ge=1)] = 10
    openai_latency_ms: Annotated[int, Field(ge=100)] = 5000
    redis_server_load_percent: Percent = 80
    redis_memory_percent: Percent = 85
    gateway_unhealthy_hosts: Annotated[int, Field(ge=0)] = 0
    gateway_failed_requests: Annotated[int, Field(ge=1)] = 25
    container_restarts: Annotated[int, Field(ge=1)] = 5
    tokens_per_hour: Annotated[int, Field(ge=1)] = 1_000_000


class Monitoring(Section):
    retention_days: Annotated[int, Field(ge=30, le=730)]
    daily_quota_gb: Annotated[float, Field(gt=0)] | None = None
    alert_emails: list[Email] = Field(min_length=1)
    # Five locations, Microsoft's recommended minimum (learn.microsoft.com/azure/azure-monitor/app/availability):
    # East US, West US, South Central US, North Central US, West Europe.
    availability_locations: list[str] = Field(
        default=["us-va-ash-azr", "us-ca-sjc-azr", "us-tx-sn1-azr", "us-il-ch1-azr", "emea-nl-ams-azr"], min_length=2
    )
    thresholds: AlertThresholds = AlertThresholds()
    # Workspaces and App Insights reachable only through the stack's Azure Monitor Private Link Scope
    # (components/monitor_private_link.py): required in prod; off in dev, whose operators query from
    # their own machines (a query from a network outside the scope is refused).
    private_link: bool = False


class BudgetThresholds(Section):
    warning: Percent = 80
    critical: Percent = 95
    forecast: Percent = 100


# Budgets are a guard, not a forecast: an amount past this is a typo (a missing decimal point)
# that would never alert.
MAX_BUDGET_AMOUNT = 10_000_000


class Budget(Section):
    amount: Annotated[float, Field(gt=0, le=MAX_BUDGET_AMOUNT)]
    # Omitted: the first of the month of the first deployment, kept afterwards (components/budget.py).
    start_date: date | None = None
    end_date: date | None = None
    scope: Literal["resourceGroup", "subscription"] = "resourceGroup"
    thresholds: BudgetThresholds = BudgetThresholds()
    contact_emails: list[Email] = Field(min_length=1)
    contact_roles: list[Literal["Owner", "Contributor", "Reader"]] = ["Owner", "Contributor"]


# Vaulted blob backups keep recovery points at least 7 days (dataprotection backup policy,
# learn.microsoft.com/azure/backup/blob-backup-overview#vaulted-backup).
MIN_VAULT_RETENTION_DAYS = 7


class Backup(Section):
    redundancy: Literal["LocallyRedundant", "ZoneRedundant", "GeoRedundant"]
    retention_days: Annotated[int, Field(ge=1, le=360)]
    immutable: bool = False
    schedule_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "02:00"


class EventProcessing(Section):
    enabled: bool = False
    event_hub_sku: Literal["Standard", "Premium"] = "Standard"
    event_hub_zone_redundant: bool = False
    queue_name: Name = "ai-jobs"
    function_plan: Literal["FlexConsumption", "ElasticPremium"] = "FlexConsumption"


DefenderPlan = Literal["AI", "KeyVaults", "StorageAccounts", "Containers", "AppServices", "Arm", "Dns",
                       "CosmosDbs", "SqlServers"]


class Governance(Section):
    """What the stack enforces on itself beyond this repository (COMP-3, COMP-4)."""

    # Assign Azure Policy's built-in "Allowed locations" (listOfAllowedLocations = allowedLocations)
    # to every resource group, so changes made outside Pulumi obey data residency too.
    assign_allowed_locations: bool = True
    # Defender for Cloud plans switched to Standard on the subscription; leave empty where the
    # platform team's subscription baseline owns them.
    defender_plans: list[DefenderPlan] = []


class Tags(Section):
    """Required tags (COMP-4); any further tag may be added under `extra`."""

    owner: Annotated[str, Field(min_length=1)]
    cost_center: Annotated[str, Field(min_length=1)]
    extra: dict[str, str] = {}


# Traffic Manager's probe (components/traffic_manager.py sends exactly these): the seed's 30 s interval,
# 3 tolerated failures, 10 s timeout and 30 s DNS TTL. Azure allows intervals of 30 or 10 s, 0-9 tolerated
# failures and a timeout of 5-10 s at a 30 s interval (learn.microsoft.com/azure/traffic-manager/
# traffic-manager-monitoring#configure-endpoint-monitoring).
TM_PROBE_INTERVAL_SECONDS = 30
TM_TOLERATED_FAILURES = 3
TM_PROBE_TIMEOUT_SECONDS = 10
TM_DNS_TTL_SECONDS = 30


def failover_seconds() -> int:
    """Worst case from a region failing to clients resolving the next one: the endpoint turns Degraded
    after the tolerated failures plus the failing probe itself, each probe allowed its timeout, then
    resolvers may hold the old answer for one TTL (traffic-manager-monitoring#endpoint-failover-and-recovery)."""
    probes = TM_TOLERATED_FAILURES + 1
    return probes * TM_PROBE_INTERVAL_SECONDS + TM_PROBE_TIMEOUT_SECONDS + TM_DNS_TTL_SECONDS


# The seed's production targets (its "performance benchmark" table); prod holds at least these.
SEED_LATENCY_MS = 2000
SEED_AVAILABILITY_PERCENT = 99.9
SEED_ERROR_RATE_PERCENT = 0.1
SEED_TOKEN_SPEND = 500
SEED_CONCURRENT_USERS = 1000
SEED_RECOVERY_MINUTES = 60
# Log search alerts query at most two days of data
# (learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule, "Override query time range").
MAX_ALERT_WINDOW_HOURS = 48
# Azure Load Testing: keep each engine at or under 250 virtual users and use at most 45 engines per run
# (learn.microsoft.com/azure/load-testing/how-to-high-scale-load#test-engine-instances).
USERS_PER_ENGINE = 250
# How often each location runs the standard web test on /health (components/availability.py).
WEB_TEST_FREQUENCY_SECONDS = 300
MAX_ENGINE_INSTANCES = 45


class LoadProfile(Section):
    """The seed's `load_test.py --concurrent-users 100 --duration 300 --ramp-up 60`, scalable to its
    1000-user target by raising `users`."""

    users: Annotated[int, Field(ge=1, le=USERS_PER_ENGINE * MAX_ENGINE_INSTANCES)] = 100
    duration_seconds: Annotated[int, Field(ge=60, le=10_800)] = 300
    ramp_up_seconds: Annotated[int, Field(ge=0, le=3_600)] = 60
    # Seconds each virtual user waits between requests, drawn uniformly from this range.
    think_time_seconds: tuple[Annotated[float, Field(ge=0, le=60)], Annotated[float, Field(ge=0, le=60)]] = (1.0, 3.0)

    @property
    def engine_instances(self) -> int:
        return -(-self.users // USERS_PER_ENGINE)

    @property
    def users_per_engine(self) -> int:
        return -(-self.users // self.engine_instances)


class Slo(Section):
    """The service level objectives the stack alerts on and the load test gates on (defaults: the seed)."""

    latency_percentile: Annotated[int, Field(ge=50, le=99)] = 95
    latency_threshold_ms: Annotated[int, Field(ge=50, le=120_000)] = SEED_LATENCY_MS
    availability_percent: Annotated[float, Field(ge=90, lt=100)] = SEED_AVAILABILITY_PERCENT
    # The rolling window the availability objective is measured over (from the standard web tests).
    availability_window_hours: Annotated[int, Field(ge=1, le=MAX_ALERT_WINDOW_HOURS)] = MAX_ALERT_WINDOW_HOURS
    error_rate_percent: Annotated[float, Field(gt=0, le=10)] = SEED_ERROR_RATE_PERCENT
    # The period the error budget (errorRatePercent of all requests) is spent over; burn rates are relative to it.
    error_budget_days: Annotated[int, Field(ge=7, le=90)] = 30
    # Monthly limit on the OpenAI accounts' cost, in the billing currency.
    token_spend_monthly: Annotated[float, Field(gt=0, le=MAX_BUDGET_AMOUNT)] = SEED_TOKEN_SPEND
    recovery_time_minutes: Annotated[int, Field(ge=1, le=1440)] = SEED_RECOVERY_MINUTES
    # Azure Monitor severity of every SLO alert, 0 (critical) to 4 (verbose).
    alert_severity: Annotated[int, Field(ge=0, le=4)] = 1
    load_test: LoadProfile = LoadProfile()
# --- Pattern 1: the web frontend, Computer Vision, Document Intelligence and Azure AI Search ----


# A public DNS host name: 2+ labels of letters, digits and inner hyphens, at most 63 characters
# each and 253 in all (RFC 1035), e.g. app.contoso.com.
_HOST_NAME = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _host_name(value: str) -> str:
    if not _HOST_NAME.match(value):
        raise ValueError(f"'{value}' is not a DNS host name; use lowercase labels such as app.contoso.com")
    return value


HostName = Annotated[str, AfterValidator(_host_name)]


class Frontend(Section):
    """The seed's `web` service (`host: staticwebapp`): an Azure Static Web App behind Azure Front Door."""

    # Free has no SLA and no forwarding-gateway restriction (the site would answer anyone, not only
    # Front Door): dev only. https://learn.microsoft.com/azure/static-web-apps/plans
    sku: Literal["Free", "Standard"]
    location: Location = "eastus2"
    # Served by Front Door with a managed certificate; the site's own *.azurestaticapps.net name is
    # only Front Door's origin.
    custom_domain: HostName | None = None
    # Pull-request preview environments are public URLs of unreviewed code: off in prod.
    staging_environments: bool = False
    # Premium carries the managed WAF rule sets (DRS, bot manager); Standard only custom rules.
    # https://learn.microsoft.com/azure/frontdoor/standard-premium/tier-comparison
    edge_sku: Literal["Standard_AzureFrontDoor", "Premium_AzureFrontDoor"] = "Premium_AzureFrontDoor"
    waf_mode: Literal["Prevention", "Detection"] = "Prevention"
    # Requests per client IP and minute before the WAF's rate-limit rule blocks it.
    rate_limit_per_minute: Annotated[int, Field(ge=10, le=1_000_000)] = 1000


class CognitiveConsumer(Section):
    # The container service whose identity gets Cognitive Services User on the account and whose
    # environment receives the account's endpoint.
    consumer: Name


class AIServices(Section):
    """The seed's Computer Vision and Document Intelligence, one account each per serving region."""

    vision: CognitiveConsumer = CognitiveConsumer(consumer="vision")
    document_intelligence: CognitiveConsumer = CognitiveConsumer(consumer="text")


SearchSku = Literal["basic", "standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2"]


class Search(Section):
    """Azure AI Search, one service per serving region (the seed's AZURE_SEARCH_SKU)."""

    # 'free' is not offered: it has no private endpoint, no managed identity and no SLA.
    sku: SearchSku
    replicas: Annotated[int, Field(ge=1, le=12)] = 1
    partitions: Literal[1, 2, 3, 4, 6, 12] = 1
    semantic_search: Literal["disabled", "free", "standard"] = "free"
    # Container services that query the indexes (Search Index Data Reader); the event-processing
    # function, which ingests documents, gets Search Index Data Contributor.
    readers: list[Name] = ["chat"]
# --- AI gateway (components/ai_gateway.py) ----------------------------------------------------------------------
# Classic tiers with internal VNet injection: the only ones that are private inbound and inside the VNet outbound
# in one deployment (learn.microsoft.com/azure/api-management/virtual-network-concepts); Developer has no SLA.
GatewaySku = Literal["Developer", "Premium"]
TokenQuotaPeriod = Literal["Hourly", "Daily", "Weekly", "Monthly", "Yearly"]


class GatewayConsumer(Section):
    """A workload allowed through the gateway, with its token budget (azure-openai-token-limit)."""

    service: Name
    tokens_per_minute: Annotated[int, Field(ge=1, le=100_000_000)]
    token_quota: Annotated[int, Field(ge=1)] | None = None
    token_quota_period: TokenQuotaPeriod = "Monthly"


class GatewayBackend(Section):
    """Where one region's OpenAI account sits in every gateway's pool (Backend type Pool: priority 1 first,
    weight shares traffic within a priority), e.g. a PTU region at priority 1 and pay-as-you-go at 2."""

    location: Location
    priority: Annotated[int, Field(ge=1, le=100)]
    weight: Annotated[int, Field(ge=1, le=100)] = 1


class CircuitBreaker(Section):
    failure_count: Annotated[int, Field(ge=1, le=10_000)] = 3
    interval_seconds: Annotated[int, Field(ge=10, le=3600)] = 60
    trip_seconds: Annotated[int, Field(ge=10, le=3600)] = 60
    # Trip for as long as the backend's Retry-After says (429 from a throttled deployment).
    accept_retry_after: bool = True


class GatewayRetry(Section):
    count: Annotated[int, Field(ge=0, le=10)] = 2
    interval_seconds: Annotated[int, Field(ge=0, le=30)] = 1


class SemanticCache(Section):
    enabled: bool = True
    # The OpenAI deployment that embeds prompts (an `openai.deployments[].name`).
    embeddings_deployment: Name = "embeddings"
    # 0.0-1.0; lower demands closer prompts (azure-openai-semantic-cache-lookup score-threshold).
    score_threshold: Annotated[float, Field(ge=0, le=1)] = 0.05
    duration_seconds: Annotated[int, Field(ge=1, le=2_592_000)] = 3600
    # The gateway's own Managed Redis (RediSearch needs EnterpriseCluster + NoEviction and APIM needs an access key).
    redis_sku: RedisSku = "Balanced_B0"
    # A second copy: zone redundant in a zonal region (zone-redundancy, prod); off halves the price where a lost
    # cache costs only embeddings calls.
    high_availability: bool = True


class AIGateway(Section):
    enabled: bool = False
    sku: GatewaySku = "Developer"
    capacity: Annotated[int, Field(ge=1, le=12)] = 1
    publisher_email: Email
    publisher_name: Annotated[str, Field(min_length=1, max_length=100)]
    consumers: list[GatewayConsumer] = Field(min_length=1)
    # Empty: the gateway's own region first (priority 1), every other region as fallback (priority 2).
    backends: list[GatewayBackend] = []
    circuit_breaker: CircuitBreaker = CircuitBreaker()
    retry: GatewayRetry = GatewayRetry()
    semantic_cache: SemanticCache = SemanticCache()


Environment = Literal["dev", "test", "prod"]

# Identities the platform itself runs as, beside one per container service.
PLATFORM_IDENTITIES = ("gateway", "functions")

# Key Vault secret names: 1-127 letters, digits and hyphens, case-insensitive
# (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers).
KEY_VAULT_SECRET_NAME = re.compile(r"^[0-9A-Za-z-]{1,127}$")
# Container Apps secret names: lowercase letters, digits and '-', starting and ending with a letter
# or digit (the RP's validation; Microsoft.App/containerApps secrets[].name).
CONTAINER_APP_SECRET_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,251}[a-z0-9])?$")


def workload_names(apps: ContainerApps, functions: bool) -> list[str]:
    return [*(s.name for s in apps.services), *(i for i in PLATFORM_IDENTITIES if functions or i != "functions")]


class StackConfig(Section):
    """The whole stack, one field per `ai-platform:<key>` config key."""

    environment: Environment
    name_prefix: Name = "aip"
    allowed_locations: list[Location] = Field(min_length=1)
    tags: Tags
    protect: bool = False
    network: Network
    openai: OpenAI
    redis: Redis
    app_gateway: AppGateway
    container_apps: ContainerApps
    traffic_manager: TrafficManager = TrafficManager()
    monitoring: Monitoring
    budget: Budget
    backup: Backup
    event_processing: EventProcessing = EventProcessing()
    governance: Governance = Governance()
    slo: Slo = Slo()
    frontend: Frontend | None = None
    ai_services: AIServices | None = None
    search: Search | None = None
    ai_gateway: AIGateway | None = None
    # Application secrets written to Key Vault; each must be set with `pulumi config set --secret`.
    secrets: dict[str, SecretStr] = {}

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def primary(self) -> Region:
        return self.network.regions[0]

    @property
    def enabled_ai_gateway(self) -> AIGateway | None:
        """The AI gateway's section when the stack declares one and it is on."""
        return self.ai_gateway if self.ai_gateway is not None and self.ai_gateway.enabled else None

    def workloads(self) -> list[str]:
        """The identities a region needs: one per service, the gateway's, and the functions' if used."""
        return workload_names(self.container_apps, self.event_processing.enabled)

    def resource_tags(self) -> dict[str, str]:
        return {
            "environment": self.environment,
            "owner": self.tags.owner,
            "cost-center": self.tags.cost_center,
            "managed-by": "pulumi",
            **self.tags.extra,
        }
