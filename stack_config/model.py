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

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# Regions with availability zones, from the dated region table the preflight uses; zone-redundant
# settings are only requested where Azure accepts them.
from .preflight.regions import ZONAL_REGIONS

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

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
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

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, strict=False
    )


# `operations`: self-hosted deployment runners / jump hosts inside the VNet, the one place operators
# reach private endpoints from (certificate import, function code deployment, `verify --resolve-private`).
SubnetRole = Literal["privateEndpoints", "containerApps", "appGateway", "functions", "operations"]


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


class Redis(Section):
    sku: RedisSku
    high_availability: bool = True
    persistence: Literal["none", "aof", "rdb"] = "none"


class GatewayCertificate(Section):
    """Where the listener's TLS certificate comes from; the stack writes it to each region's Key Vault."""

    # selfSigned: a bootstrap certificate for hostName generated on the first deployment and kept
    # afterwards; pfx: the real certificate from `pfxBase64` (docs/operations.md, no-downtime swap).
    source: Literal["selfSigned", "pfx"] = "selfSigned"
    # SECRET: a password-less PKCS#12 (PFX) file, base64-encoded; set it with
    # `pulumi config set --secret --path 'appGateway.certificate.pfxBase64' "$(base64 -w0 cert.pfx)"`.
    pfx_base64: str | None = None


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
    availability_locations: list[str] = Field(
        default=["us-va-ash-azr", "us-ca-sjc-azr", "emea-nl-ams-azr"], min_length=2
    )
    thresholds: AlertThresholds = AlertThresholds()


class BudgetThresholds(Section):
    warning: Percent = 80
    critical: Percent = 95
    forecast: Percent = 100


class Budget(Section):
    amount: Annotated[float, Field(gt=0)]
    # Omitted: the first of the month of the first deployment, kept afterwards (components/budget.py).
    start_date: date | None = None
    end_date: date | None = None
    scope: Literal["resourceGroup", "subscription"] = "resourceGroup"
    thresholds: BudgetThresholds = BudgetThresholds()
    contact_emails: list[Email] = Field(min_length=1)
    contact_roles: list[Literal["Owner", "Contributor", "Reader"]] = ["Owner", "Contributor"]


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


Environment = Literal["dev", "test", "prod"]


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
    # Application secrets written to Key Vault; each must be set with `pulumi config set --secret`.
    secrets: dict[str, str] = {}

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def primary(self) -> Region:
        return self.network.regions[0]

    def resource_tags(self) -> dict[str, str]:
        return {
            "environment": self.environment,
            "owner": self.tags.owner,
            "cost-center": self.tags.cost_center,
            "managed-by": "pulumi",
            **self.tags.extra,
        }
