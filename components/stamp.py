"""One region's application stamp: identities, Key Vault, OpenAI, Computer Vision, Document
Intelligence, AI Search, Redis, Container Apps, the WAF gateway, and the alerts and workbook that
watch them.

The network, workspace and private DNS zones are built before the stamps (the DNS zones link
every region's VNet), so they come in as inputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from stack_config.model import ContainerService, Region, StackConfig

from .ai_gateway import API_ID as AI_GATEWAY_API_ID
from .ai_gateway import gateway_url
from .alerts import Alerts, AlertsArgs
from .app_gateway import WafGateway, WafGatewayArgs
from .cognitive import PRIVATE_LINK_GROUP as ACCOUNT_GROUP
from .cognitive import CognitiveAccount, CognitiveAccountArgs, Kind
from .common import Common
from .container_apps import ContainerApps, ContainerAppsArgs, ServiceIdentity
from .dashboard import Dashboard, DashboardArgs
from .foundation import RegionFoundation
from .identity import WorkloadIdentities, WorkloadIdentitiesArgs
from .keyvault import PRIVATE_LINK_GROUP as VAULT_GROUP
from .keyvault import KeyVault, KeyVaultArgs
from .monitoring import Monitoring
from .naming import unique_name_output
from .network import SecureNetwork
from .openai import SecureOpenAI, SecureOpenAIArgs
from .rbac import grant
from .redis import PRIVATE_LINK_GROUP as REDIS_GROUP
from .redis import RedisCache, RedisCacheArgs
from .search import PRIVATE_LINK_GROUP as SEARCH_GROUP
from .search import SearchService, SearchServiceArgs
from .slo import GatewayLogs, SloAlerts, SloAlertsArgs


@dataclass(frozen=True)
class RegionalStampArgs:
    # The region's common inputs, with workspace and private link already set.
    common: Common
    config: StackConfig
    region: Region
    network: SecureNetwork
    monitoring: Monitoring
    action_group_id: pulumi.Input[str]
    tenant_id: pulumi.Input[str]
    stack: str

    @property
    def base_name(self) -> str:
        return f"{self.config.name_prefix}-{self.config.environment}"

    @classmethod
    def on(cls, foundation: RegionFoundation, config: StackConfig, action_group_id: pulumi.Input[str],
           tenant_id: pulumi.Input[str], stack: str) -> RegionalStampArgs:
        """The stamp of a region on its foundation."""
        return cls(common=foundation.common, config=config, region=foundation.region, network=foundation.network,
                   monitoring=foundation.monitoring, action_group_id=action_group_id, tenant_id=tenant_id,
                   stack=stack)


def entrypoint(config: StackConfig) -> ContainerService:
    """The service the gateway routes to (config validation ensures there is exactly one)."""
    return next(s for s in config.container_apps.services if s.entrypoint)


def private_link_groups(config: StackConfig) -> list[str]:
    """The private-link groups of a stamp's endpoints: the Cognitive Services accounts (OpenAI, and
    Computer Vision and Document Intelligence when configured), Key Vault, Redis and AI Search."""
    return [ACCOUNT_GROUP, VAULT_GROUP, REDIS_GROUP] + ([SEARCH_GROUP] if config.search is not None else [])


class RegionalStamp(pulumi.ComponentResource):
    identities: WorkloadIdentities
    vault: KeyVault
    openai: SecureOpenAI
    # What workloads use as AZURE_OPENAI_ENDPOINT: the region's AI gateway when there is one.
    openai_endpoint: pulumi.Output[str]
    cache: RedisCache
    # Pattern 1's other back ends, when the stack configures them.
    vision: CognitiveAccount | None
    documents: CognitiveAccount | None
    search: SearchService | None
    apps: ContainerApps
    gateway: WafGateway

    def __init__(self, name: str, args: RegionalStampArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:stamp:RegionalStamp", name, None, opts)
        cfg, common, loc, base = args.config, args.common, args.region.location, args.base_name
        child = pulumi.ResourceOptions(parent=self)

        self.identities = WorkloadIdentities(f"id-{loc}", WorkloadIdentitiesArgs(
            common=common, base_name=base, workloads=cfg.workloads()), child)
        ids = self.identities
        self.vault = KeyVault(f"kv-{loc}", KeyVaultArgs(
            common=common, base_name=base, stack=args.stack, tenant_id=args.tenant_id,
            sku="premium" if cfg.is_prod else "standard",
            secrets={**{k: pulumi.Output.secret(v.get_secret_value()) for k, v in cfg.secrets.items()},
                     "applicationinsights-connection-string": args.monitoring.connection_string}),
            child)
        consumers = {s.name: ids.principal_ids[s.name] for s in cfg.container_apps.services}
        if cfg.event_processing.enabled:
            consumers["functions"] = ids.principal_ids["functions"]
        # App Insights has local auth off, so it ingests only telemetry sent with an Entra token of an
        # identity holding Monitoring Metrics Publisher on the component
        # (learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication). Every workload that
        # sends telemetry gets it on its own region's component; the gateway sends none.
        publishers = [
            grant(f"{name}-{workload}-appi-publisher", scope=args.monitoring.app_insights_id, principal_id=principal,
                  role="Monitoring Metrics Publisher", parent=self,
                  description=f"{workload} sends Entra-authenticated telemetry to App Insights")
            for workload, principal in consumers.items()
        ]
        # With an AI gateway, workloads call it and it alone holds a role on the accounts (components/ai_gateway.py).
        via_gateway = cfg.enabled_ai_gateway is not None
        self.openai = SecureOpenAI(f"openai-{loc}", SecureOpenAIArgs(
            common=common, config=cfg.openai, base_name=base, stack=args.stack, tenant_id=args.tenant_id,
            consumers={} if via_gateway else consumers), child)
        self.openai_endpoint = (gateway_url(base_name=base, location=loc, stack=args.stack, tenant_id=args.tenant_id)
                                if via_gateway else self.openai.endpoint)
        self.cache = RedisCache(f"redis-{loc}", RedisCacheArgs(
            common=common, config=cfg.redis, base_name=base, stack=args.stack, tenant_id=args.tenant_id,
            zonal=args.region.zonal, consumers=consumers), child)

        service_env = self._pattern1(args, consumers)

        # Container Apps and the gateway take no role grants of their own (they grant Key Vault
        # access to their identities themselves) and no private endpoint.
        serving = dataclasses.replace(common, private_link=None)
        services = [s.name for s in cfg.container_apps.services]
        gateway_subnet = args.region.subnet("appGateway")
        self.apps = ContainerApps(f"cae-{loc}", ContainerAppsArgs(
            common=serving, config=cfg.container_apps, subnet_id=args.network.subnet_ids["containerApps"],
            identities={s: ServiceIdentity(ids.ids[s], ids.client_ids[s], ids.principal_ids[s]) for s in services},
            vnet_ids=[args.network.vnet_id], openai_endpoint=self.openai_endpoint,
            redis_host=self.cache.host_name, redis_port=self.cache.port,
            key_vault_secrets=self.vault.secret_uris, key_vault_id=self.vault.id,
            gateway_subnet_prefix=gateway_subnet.prefix if gateway_subnet else None, service_env=service_env),
            # The first revision's telemetry must not be refused while the role assignments are still missing.
            pulumi.ResourceOptions(parent=self, depends_on=publishers))
        self.gateway = WafGateway(f"agw-{loc}", WafGatewayArgs(
            common=serving, config=cfg.app_gateway, zonal=cfg.is_prod and args.region.zonal,
            subnet_id=args.network.subnet_ids["appGateway"], identity_id=ids.ids["gateway"],
            identity_principal_id=ids.principal_ids["gateway"], key_vault_id=self.vault.id,
            key_vault_name=self.vault.name, backend_fqdn=self.apps.entrypoint_fqdn,
            probe_path=entrypoint(cfg).probe_path,
            dns_label=unique_name_output("agw", base_name=base, location=loc, stack=args.stack,
                                         tenant_id=args.tenant_id, max_length=63)), child)

        Alerts(f"alerts-{loc}", AlertsArgs(
            common=serving, base_name=base, action_group_id=args.action_group_id,
            thresholds=cfg.monitoring.thresholds, app_insights_id=args.monitoring.app_insights_id,
            openai_account_id=self.openai.account_id, redis_cluster_id=self.cache.cluster_id,
            gateway_id=self.gateway.gateway_id, container_app_ids=self.apps.app_ids,
            gateway_metrics=via_gateway), child)
        # The region's AI gateway logs to this workspace and App Insights (components/ai_gateway.py).
        gateway_logs = GatewayLogs(args.monitoring.workspace_id, AI_GATEWAY_API_ID) if via_gateway else None
        # The availability objective is measured where the web tests report: the primary's App Insights.
        SloAlerts(f"slo-{loc}", SloAlertsArgs(
            common=serving, base_name=base, slo=cfg.slo, app_insights_id=args.monitoring.app_insights_id,
            action_group_id=args.action_group_id, availability=args.region == cfg.primary, gateway=gateway_logs),
            child)
        Dashboard(f"dashboard-{loc}", DashboardArgs(
            common=serving, base_name=base, app_insights_id=args.monitoring.app_insights_id, slo=cfg.slo,
            gateway=gateway_logs), child)

        self.register_outputs({
            "openaiEndpoint": self.openai.endpoint,
            "visionEndpoint": self.vision.endpoint if self.vision else None,
            "documentIntelligenceEndpoint": self.documents.endpoint if self.documents else None,
            "searchEndpoint": self.search.endpoint if self.search else None,
            "redisHost": self.cache.host_name,
            "gatewayAddress": self.gateway.public_ip_address,
            "gatewayFqdn": self.gateway.fqdn,
        })

    def _pattern1(self, args: RegionalStampArgs,
                  consumers: Mapping[str, pulumi.Input[str]]) -> dict[str, dict[str, pulumi.Input[str]]]:
        """Computer Vision, Document Intelligence and AI Search, each granted to the one service
        that calls it; returns the endpoints each service receives in its environment."""
        cfg, loc, child = args.config, args.region.location, pulumi.ResourceOptions(parent=self)
        env: dict[str, dict[str, pulumi.Input[str]]] = {}
        self.vision = self.documents = self.search = None
        if cfg.ai_services is not None:
            accounts = []
            kinds: tuple[tuple[str, Kind, str], ...] = (
                ("cv", "ComputerVision", cfg.ai_services.vision.consumer),
                ("di", "FormRecognizer", cfg.ai_services.document_intelligence.consumer))
            for key, kind, consumer in kinds:
                account = CognitiveAccount(f"{key}-{loc}", CognitiveAccountArgs(
                    common=args.common, kind=kind, base_name=args.base_name, stack=args.stack,
                    tenant_id=args.tenant_id, consumers={consumer: consumers[consumer]}), child)
                env.setdefault(consumer, {})[account.endpoint_variable] = account.endpoint
                accounts.append(account)
            self.vision, self.documents = accounts
        if cfg.search is not None:
            writers = {"functions": consumers["functions"]} if "functions" in consumers else {}
            self.search = SearchService(f"search-{loc}", SearchServiceArgs(
                common=args.common, config=cfg.search, base_name=args.base_name, stack=args.stack,
                tenant_id=args.tenant_id, readers={r: consumers[r] for r in cfg.search.readers}, writers=writers),
                child)
            for reader in cfg.search.readers:
                env.setdefault(reader, {})["AZURE_SEARCH_ENDPOINT"] = self.search.endpoint
        return env
