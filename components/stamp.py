"""One region's application stamp: identities, Key Vault, OpenAI, Redis, Container Apps, the WAF
gateway, and the alerts and workbook that watch them.

The network, workspace and private DNS zones are built before the stamps (the DNS zones link
every region's VNet), so they come in as inputs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pulumi

from stack_config.model import Region, StackConfig

from .ai_gateway import gateway_url
from .alerts import Alerts, AlertsArgs
from .app_gateway import WafGateway, WafGatewayArgs
from .common import Common
from .container_apps import ContainerApps, ContainerAppsArgs, ServiceIdentity
from .dashboard import Dashboard, DashboardArgs
from .identity import WorkloadIdentities, WorkloadIdentitiesArgs
from .keyvault import KeyVault, KeyVaultArgs
from .monitoring import Monitoring
from .naming import unique_name_output
from .network import SecureNetwork
from .openai import SecureOpenAI, SecureOpenAIArgs
from .redis import RedisCache, RedisCacheArgs


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


class RegionalStamp(pulumi.ComponentResource):
    identities: WorkloadIdentities
    vault: KeyVault
    openai: SecureOpenAI
    # What workloads use as AZURE_OPENAI_ENDPOINT: the region's AI gateway when there is one.
    openai_endpoint: pulumi.Output[str]
    cache: RedisCache
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
        # With an AI gateway, workloads call it and it alone holds a role on the accounts (components/ai_gateway.py).
        via_gateway = cfg.ai_gateway is not None and cfg.ai_gateway.enabled
        self.openai = SecureOpenAI(f"openai-{loc}", SecureOpenAIArgs(
            common=common, config=cfg.openai, base_name=base, stack=args.stack, tenant_id=args.tenant_id,
            consumers={} if via_gateway else consumers), child)
        self.openai_endpoint = (gateway_url(base_name=base, location=loc, stack=args.stack, tenant_id=args.tenant_id)
                                if via_gateway else self.openai.endpoint)
        self.cache = RedisCache(f"redis-{loc}", RedisCacheArgs(
            common=common, config=cfg.redis, base_name=base, stack=args.stack, tenant_id=args.tenant_id,
            zonal=args.region.zonal, consumers=consumers), child)

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
            gateway_subnet_prefix=gateway_subnet.prefix if gateway_subnet else None), child)
        self.gateway = WafGateway(f"agw-{loc}", WafGatewayArgs(
            common=serving, config=cfg.app_gateway, zonal=cfg.is_prod and args.region.zonal,
            subnet_id=args.network.subnet_ids["appGateway"], identity_id=ids.ids["gateway"],
            identity_principal_id=ids.principal_ids["gateway"], key_vault_id=self.vault.id,
            key_vault_uri=self.vault.uri, backend_fqdn=self.apps.entrypoint_fqdn,
            dns_label=unique_name_output("agw", base_name=base, location=loc, stack=args.stack,
                                         tenant_id=args.tenant_id, max_length=63)), child)

        Alerts(f"alerts-{loc}", AlertsArgs(
            common=serving, base_name=base, action_group_id=args.action_group_id,
            thresholds=cfg.monitoring.thresholds, app_insights_id=args.monitoring.app_insights_id,
            openai_account_id=self.openai.account_id, redis_cluster_id=self.cache.cluster_id,
            gateway_id=self.gateway.gateway_id, container_app_ids=self.apps.app_ids), child)
        Dashboard(f"dashboard-{loc}", DashboardArgs(
            common=serving, base_name=base, app_insights_id=args.monitoring.app_insights_id), child)

        self.register_outputs({
            "openaiEndpoint": self.openai.endpoint,
            "redisHost": self.cache.host_name,
            "gatewayAddress": self.gateway.public_ip_address,
            "gatewayFqdn": self.gateway.fqdn,
        })
