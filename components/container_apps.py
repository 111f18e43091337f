"""The serving tier: an internal, VNet-injected Container Apps environment running the seed's
microservices (api-gateway, chat, vision, text), each with its own identity, autoscale and probes.

Unlike the seed (`ingress.external: true` on a public environment) nothing here has a public
address: the environment is internal (its only inbound IP is a private load balancer IP in the
VNet) and the region's WAF gateway is the one public door.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native.app as app
import pulumi_azure_native.privatedns as privatedns

from stack_config import model

from .common import Common
from .diagnostics import diagnostic_setting
from .private_dns import linked_private_zone
from .rbac import grant

# A Container Apps secret name: the Key Vault secret's name, lower-cased (Key Vault names are
# case-insensitive, Container Apps names lowercase).
_ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,58}[a-z0-9]$")


class ContainerAppsError(pulumi.RunError):
    """ContainerApps inputs that cannot make a working environment."""


@dataclass(frozen=True)
class ServiceIdentity:
    """A service's user-assigned identity."""

    resource_id: pulumi.Input[str]
    client_id: pulumi.Input[str]  # AZURE_CLIENT_ID, so DefaultAzureCredential picks this identity
    principal_id: pulumi.Input[str]  # for the Key Vault grant


@dataclass(frozen=True)
class ContainerAppsArgs:
    common: Common
    config: model.ContainerApps
    # The region's containerApps subnet, delegated to Microsoft.App/environments.
    subnet_id: pulumi.Input[str]
    # Service name -> identity; every configured service needs one.
    identities: Mapping[str, ServiceIdentity]
    # VNets whose clients (the gateway) resolve the environment's default domain.
    vnet_ids: Sequence[pulumi.Input[str]]
    openai_endpoint: pulumi.Input[str]
    redis_host: pulumi.Input[str]
    redis_port: pulumi.Input[int] = 10000  # Azure Managed Redis (RedisCache.port)
    # Key Vault secret name -> versionless secret URI (KeyVault.secret_uris: taking the URI from the
    # secret resource also orders the apps after it). Each becomes a Key Vault reference and an env
    # var named after it ('applicationinsights-connection-string' -> APPLICATIONINSIGHTS_CONNECTION_STRING).
    key_vault_secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # The vault holding them, on which every service identity gets Key Vault Secrets User.
    key_vault_id: pulumi.Input[str] | None = None
    # The appGateway subnet's prefix: the only source the entrypoint accepts.
    gateway_subnet_prefix: str | None = None
    # A private registry (e.g. ACR) pulled through each service's identity (AcrPull granted by the caller).
    registry_server: str | None = None
    # Service name -> extra environment variables, e.g. the endpoint of the AI account or search
    # service only that service calls (AZURE_VISION_ENDPOINT for 'vision').
    service_env: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)


def _check(name: str, args: ContainerAppsArgs) -> model.ContainerService:
    if not _ENV_NAME.match(name):
        raise ContainerAppsError(f"ContainerApps name '{name}' is not a valid environment name; use 2-60 "
                                 "lowercase letters, digits and hyphens, starting with a letter")
    if args.common.role_grants:
        raise ContainerAppsError("Common.role_grants: Container Apps take no data-plane roles; grant the service "
                                 "identities on the resource they use (OpenAI, Redis, Key Vault) instead")
    services = args.config.services
    entrypoints = [s for s in services if s.entrypoint]
    if len(entrypoints) != 1:
        raise ContainerAppsError(f"containerApps.services: exactly one service needs `entrypoint: true`, found "
                                 f"{len(entrypoints)}; mark the service the gateway routes to")
    if args.config.zone_redundant and args.common.location not in model.ZONAL_REGIONS:
        raise ContainerAppsError(f"containerApps.zoneRedundant: '{args.common.location}' has no availability "
                                 "zones; set zoneRedundant: false for this stack or pick a zonal region")
    unknown = sorted(set(args.service_env) - {s.name for s in services})
    if unknown:
        raise ContainerAppsError(f"ContainerAppsArgs.service_env: no service named {', '.join(unknown)}; key it by "
                                 "containerApps service name")
    missing = [s.name for s in services if s.name not in args.identities]
    if missing:
        raise ContainerAppsError(f"ContainerAppsArgs.identities: no identity for service(s) {', '.join(missing)}; "
                                 "create a user-assigned identity per service and pass it by service name")
    bad = [s for s in args.key_vault_secrets if not model.CONTAINER_APP_SECRET_NAME.match(s.lower())]
    if bad:
        raise ContainerAppsError(f"ContainerAppsArgs.key_vault_secrets: {', '.join(bad)} not valid; use letters, "
                                 "digits and inner hyphens")
    if args.key_vault_secrets and args.key_vault_id is None:
        raise ContainerAppsError("ContainerAppsArgs: key_vault_secrets need key_vault_id (the vault to grant "
                                 "Key Vault Secrets User on); pass the region's KeyVault.id")
    if not args.vnet_ids:
        raise ContainerAppsError("ContainerAppsArgs.vnet_ids: empty; pass at least the region's VNet so the "
                                 "gateway can resolve the internal app FQDN")
    return entrypoints[0]


def _probes(svc: model.ContainerService) -> list[app.ContainerAppProbeArgs]:
    # Port and path come from the service's config and must be what its image serves: a probe on a
    # port nobody listens on keeps the revision from ever becoming ready, and the create times out
    # (the quickstart image serves port 80: learn.microsoft.com/azure/container-apps/get-started).
    def probe(kind: app.Type, period: int) -> app.ContainerAppProbeArgs:
        return app.ContainerAppProbeArgs(
            type=kind,
            http_get=app.ContainerAppProbeHttpGetArgs(path=svc.probe_path, port=svc.health_port,
                                                      scheme=app.Scheme.HTTP),
            initial_delay_seconds=5,
            period_seconds=period,
            timeout_seconds=3,
            failure_threshold=3,
        )
    # Readiness polls faster than liveness so a struggling replica leaves the pool before it is restarted.
    return [probe(app.Type.LIVENESS, 10), probe(app.Type.READINESS, 5)]


def _scale(svc: model.ContainerService) -> app.ScaleArgs:
    # The seed's two rules: whichever triggers first scales out.
    return app.ScaleArgs(
        min_replicas=svc.min_replicas,
        max_replicas=svc.max_replicas,
        rules=[
            app.ScaleRuleArgs(name="http-scaling", http=app.HttpScaleRuleArgs(
                metadata={"concurrentRequests": str(svc.http_concurrency)})),
            app.ScaleRuleArgs(name="cpu-scaling", custom=app.CustomScaleRuleArgs(
                type="cpu", metadata={"type": "Utilization", "value": str(svc.cpu_utilization)})),
        ],
    )


class ContainerApps(pulumi.ComponentResource):
    """An internal Container Apps environment with one app per configured service."""

    environment_id: pulumi.Output[str]
    default_domain: pulumi.Output[str]
    static_ip: pulumi.Output[str]
    app_ids: dict[str, pulumi.Output[str]]
    fqdns: dict[str, pulumi.Output[str]]
    entrypoint_fqdn: pulumi.Output[str]
    private_zone_id: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerAppsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        entrypoint = _check(name, args)
        super().__init__("ai-platform:container_apps:ContainerApps", name, None, opts)
        common = args.common

        environment = app.ManagedEnvironment(
            f"{name}-env",
            environment_name=name,
            resource_group_name=common.resource_group_name,
            location=common.location,
            vnet_configuration=app.VnetConfigurationArgs(infrastructure_subnet_id=args.subnet_id, internal=True),
            public_network_access=app.PublicNetworkAccess.DISABLED,
            workload_profiles=[app.WorkloadProfileArgs(name="Consumption", workload_profile_type="Consumption")],
            zone_redundant=args.config.zone_redundant,
            # Logs flow through a diagnostic setting (Entra-authenticated) instead of the
            # 'log-analytics' destination, which needs the workspace's shared key in the template.
            app_logs_configuration=app.AppLogsConfigurationArgs(destination="azure-monitor"),
            tags=common.tags,
            opts=common.child(self),
        )
        diagnostic_setting(f"{name}-env", target_id=environment.id, workspace_id=common.workspace_id, parent=self)

        grants: dict[str, pulumi.Resource] = {}
        if args.key_vault_secrets and args.key_vault_id is not None:
            grants = {
                s.name: grant(f"{name}-{s.name}-kv-secrets", scope=args.key_vault_id,
                              principal_id=args.identities[s.name].principal_id, role="Key Vault Secrets User",
                              parent=self, description=f"{s.name} reads its Key Vault references")
                for s in args.config.services
            }

        self.app_ids, self.fqdns = {}, {}
        for svc in args.config.services:
            container_app = self._service(name, svc, args, environment, grants.get(svc.name))
            self.app_ids[svc.name] = container_app.id
            # The app's stable FQDN (latestRevisionFqdn names one revision and changes on every deploy).
            self.fqdns[svc.name] = container_app.configuration.apply(
                lambda c: c.ingress.fqdn if c is not None and c.ingress is not None else "")
            diagnostic_setting(f"{name}-{svc.name}", target_id=container_app.id, workspace_id=common.workspace_id,
                               parent=self, categories=[])

        # An internal environment publishes no DNS: this zone makes '<app>.<defaultDomain>' resolve
        # to the environment's private IP for the gateway (and anything else in the linked VNets).
        zone = linked_private_zone(
            f"{name}-dns", zone_name=environment.default_domain, common=common, parent=self,
            links={f"link-{index}": (f"{name}-link-{index}", vnet_id) for index, vnet_id in enumerate(args.vnet_ids)},
        )
        privatedns.PrivateRecordSet(
            f"{name}-dns-wildcard",
            private_zone_name=zone.name,
            resource_group_name=common.resource_group_name,
            record_type="A",
            relative_record_set_name="*",
            ttl=300,
            a_records=[privatedns.ARecordArgs(ipv4_address=environment.static_ip)],
            opts=common.child(self),
        )

        self.environment_id = environment.id
        self.default_domain = environment.default_domain
        self.static_ip = environment.static_ip
        self.entrypoint_fqdn = self.fqdns[entrypoint.name]
        self.private_zone_id = zone.id
        self.register_outputs({
            "environmentId": self.environment_id,
            "defaultDomain": self.default_domain,
            "staticIp": self.static_ip,
            "fqdns": self.fqdns,
            "entrypointFqdn": self.entrypoint_fqdn,
            "privateZoneId": self.private_zone_id,
        })

    def _service(
        self,
        name: str,
        svc: model.ContainerService,
        args: ContainerAppsArgs,
        environment: app.ManagedEnvironment,
        kv_grant: pulumi.Resource | None,
    ) -> app.ContainerApp:
        identity = args.identities[svc.name]
        env = [
            app.EnvironmentVarArgs(name="AZURE_OPENAI_ENDPOINT", value=args.openai_endpoint),
            app.EnvironmentVarArgs(name="REDIS_HOST", value=args.redis_host),
            app.EnvironmentVarArgs(name="REDIS_PORT", value=pulumi.Output.from_input(args.redis_port).apply(str)),
            app.EnvironmentVarArgs(name="AZURE_CLIENT_ID", value=identity.client_id),
            # App Insights accepts only Entra-authenticated telemetry (local auth is off): the SDK sends it
            # with this identity, which holds Monitoring Metrics Publisher on the region's component
            # (learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
            app.EnvironmentVarArgs(name="APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
                                   value=pulumi.Output.concat("Authorization=AAD;ClientId=", identity.client_id)),
            *(app.EnvironmentVarArgs(name=k, value=v) for k, v in args.service_env.get(svc.name, {}).items()),
            *(app.EnvironmentVarArgs(name=s.upper().replace("-", "_"), secret_ref=s.lower())
              for s in args.key_vault_secrets),
        ]
        # Key Vault references resolved with the service's identity: no value ever sits in the template.
        secrets = [app.SecretArgs(name=s.lower(), key_vault_url=uri, identity=identity.resource_id)
                   for s, uri in args.key_vault_secrets.items()]
        # In an internal environment 'external' means "reachable from the VNet" (still no public
        # address); 'internal' apps answer only callers inside the environment. So only the
        # entrypoint is VNet-visible, and only to the gateway subnet when its prefix is given.
        restrictions = ([app.IpSecurityRestrictionRuleArgs(
            name="app-gateway", action=app.Action.ALLOW, ip_address_range=args.gateway_subnet_prefix,
            description="Only the WAF gateway reaches the entrypoint")]
            if svc.entrypoint and args.gateway_subnet_prefix else None)
        return app.ContainerApp(
            f"{name}-{svc.name}",
            container_app_name=svc.name,
            resource_group_name=args.common.resource_group_name,
            location=args.common.location,
            environment_id=environment.id,
            workload_profile_name="Consumption",
            identity=app.ManagedServiceIdentityArgs(
                type=app.ManagedServiceIdentityType.USER_ASSIGNED, user_assigned_identities=[identity.resource_id]),
            configuration=app.ConfigurationArgs(
                active_revisions_mode="Single",
                ingress=app.IngressArgs(
                    external=svc.entrypoint,
                    target_port=svc.target_port,
                    # HTTP/1.1 end to end: the gateway speaks HTTP/1.1 to its backends, and 'auto'
                    # would let a client negotiate h2 straight to the app inside the VNet.
                    transport=app.IngressTransportMethod.HTTP,
                    allow_insecure=False,
                    ip_security_restrictions=restrictions,
                ),
                secrets=secrets or None,
                registries=[app.RegistryCredentialsArgs(server=args.registry_server, identity=identity.resource_id)]
                if args.registry_server else None,
            ),
            template=app.TemplateArgs(
                containers=[app.ContainerArgs(
                    name=svc.name,
                    image=svc.image,
                    resources=app.ContainerResourcesArgs(cpu=svc.cpu, memory=svc.memory),
                    env=env,
                    probes=_probes(svc),
                )],
                scale=_scale(svc),
            ),
            tags=args.common.tags,
            # The revision cannot resolve its Key Vault references until the grant exists.
            opts=args.common.child(self, depends_on=[kv_grant] if kv_grant is not None else None),
        )
