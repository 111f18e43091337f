"""The seed's pattern 2, event-driven AI processing: Event Hubs takes the event stream, a Service Bus
Premium queue holds the work items, and a Linux Function App (Functions v4, Python) processes both.

What changed from the seed's Bicep, and why:
- Event Hubs / Service Bus namespaces with SAS keys and public endpoints -> local (SAS) auth
  disabled, public network access disabled, private endpoints, TLS 1.2 minimum, diagnostic
  settings; the function reaches them with identity-based connections (`<Connection>__*` settings)
  and data sender/receiver roles on each namespace, never a connection string.
- A function app with no identity, network or TLS settings -> a user-assigned identity, HTTPS only,
  TLS 1.2, FTP(S) and basic publishing credentials off, no public access (a private endpoint only),
  VNet integration with all outbound traffic routed through the VNet.
- `AZURE_OPENAI_ENDPOINT` as a Key Vault reference -> the endpoint is not a secret, so it is a plain
  setting (a reference would only add a vault lookup and a failure mode); Key Vault references
  (`@Microsoft.KeyVault(SecretUri=...)`, versionless so rotation needs no redeploy) are for real
  secrets, e.g. the App Insights connection string.
- The implicit storage the Functions host needs -> an account of its own with no shared keys,
  reached by identity (`AzureWebJobsStorage__*`) through private endpoints (blob, queue).
- Hosting: Flex Consumption (FC1) by default, Elastic Premium (EP1) per config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native.eventhub as eventhub
import pulumi_azure_native.servicebus as servicebus
import pulumi_azure_native.storage as storage
import pulumi_azure_native.web as web

from stack_config import model

from .common import Common, RoleGrant
from .container_apps import ServiceIdentity
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output
from .private_endpoint import check_private_link, private_endpoint
from .rbac import check_grants, grant, grant_all
from .storage import private_container, secure_storage_account

# The private-link groups of its endpoints: the namespaces, the function app's storage (blob, queue)
# and the function app.
PRIVATE_LINK_GROUPS = ("namespace", "blob", "queue", "sites")

EVENT_HUB = "ai-events"
CONSUMER_GROUP = "functions"
# Flex Consumption deploys the app package into this container; Elastic Premium runs it from there.
DEPLOYMENT_CONTAINER = "deployments"
PACKAGE_BLOB = "app.zip"
# Blob and container soft delete on the Functions host storage, in days (prod's blob-soft-delete floor is 30).
HOST_SOFT_DELETE_DAYS = 30
PYTHON_VERSION = "3.11"
# Namespace names: 6-50 characters; storage accounts: 3-24 lowercase letters and digits.
_NAMESPACE_MAX, _STORAGE_MAX, _SITE_MAX = 50, 24, 60
# Which namespace a caller's role grant (Common.role_grants) lands on, by the role's service.
_GRANT_TARGETS = {"Azure Event Hubs ": "eventHub", "Azure Service Bus ": "serviceBus"}


class EventProcessingError(pulumi.RunError):
    """EventProcessing inputs that cannot make a secure, working pattern."""


@dataclass(frozen=True)
class EventProcessingArgs:
    common: Common
    config: model.EventProcessing
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # The Pulumi stack and the Entra tenant (`authorization.get_client_config_output().tenant_id`),
    # hashed into the globally unique names.
    stack: str
    tenant_id: pulumi.Input[str]
    # prod keeps events longer, has more partitions and may scale further.
    environment: str
    # The region's functions subnet (SecureNetwork delegates it for the configured plan).
    subnet_id: pulumi.Input[str]
    # The function app's user-assigned identity (WorkloadIdentities' "functions").
    identity: ServiceIdentity
    openai_endpoint: pulumi.Input[str]
    # The region's Azure AI Search endpoint the function indexes documents into (it holds Search
    # Index Data Contributor there); None when the stack has no search service.
    search_endpoint: pulumi.Input[str] | None = None
    # Key Vault secret name -> versionless secret URI (KeyVault.secret_uris). Each becomes a Key
    # Vault reference in an app setting named after it ('applicationinsights-connection-string'
    # -> APPLICATIONINSIGHTS_CONNECTION_STRING).
    key_vault_secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # The vault holding them, on which the identity gets Key Vault Secrets User.
    key_vault_id: pulumi.Input[str] | None = None


def setting_name(secret: str) -> str:
    return secret.upper().replace("-", "_")


def _grant_target(role: str) -> str | None:
    return next((target for prefix, target in _GRANT_TARGETS.items() if role.startswith(prefix)), None)


def _check(name: str, args: EventProcessingArgs) -> None:
    config, common = args.config, args.common
    if not config.enabled:
        raise EventProcessingError(f"{name}: eventProcessing.enabled is false; declare EventProcessing only for "
                                   "stacks that set ai-platform:eventProcessing.enabled: true")
    if config.event_hub_zone_redundant and common.location not in model.ZONAL_REGIONS:
        raise EventProcessingError(f"{name}: eventProcessing.eventHubZoneRedundant needs availability zones, which "
                                   f"{common.location} lacks; set it to false or pick a zonal region")
    for group in PRIVATE_LINK_GROUPS:
        check_private_link(name, common, group)
    check_grants(name, common.role_grants)
    misplaced = [g.role for g in common.role_grants if _grant_target(g.role) is None]
    if misplaced:
        raise EventProcessingError(f"{name}: role_grants {', '.join(misplaced)} have no target here; grant Azure "
                                   "Event Hubs or Azure Service Bus data roles (they land on that namespace)")
    bad = [s for s in args.key_vault_secrets if not model.KEY_VAULT_SECRET_NAME.match(s)]
    if bad:
        raise EventProcessingError(f"{name}: key_vault_secrets {', '.join(bad)} are not Key Vault secret names; use "
                                   "1-127 letters, digits and hyphens")
    if args.key_vault_secrets and args.key_vault_id is None:
        raise EventProcessingError(f"{name}: key_vault_secrets need key_vault_id, the vault the identity reads "
                                   "them from; pass KeyVault.id")
    check_parts(name, base_name=args.base_name, location=common.location)


class EventProcessing(pulumi.ComponentResource):
    """Event Hubs + a Service Bus Premium queue + a private Function App that processes them.

    `common.role_grants` land on the namespace of their service: Azure Event Hubs roles (e.g. Data
    Sender for a producer) on the Event Hubs namespace, Azure Service Bus roles on the Service Bus one.
    """

    event_hub_namespace_id: pulumi.Output[str]
    event_hub_namespace_fqdn: pulumi.Output[str]
    event_hub_name: pulumi.Output[str]
    service_bus_namespace_id: pulumi.Output[str]
    service_bus_namespace_fqdn: pulumi.Output[str]
    queue_name: pulumi.Output[str]
    storage_account_id: pulumi.Output[str]
    function_app_id: pulumi.Output[str]
    function_app_name: pulumi.Output[str]
    function_app_host_name: pulumi.Output[str]
    # Every name that must resolve to a private address inside the VNet (python -m verify --resolve-private).
    private_host_names: list[pulumi.Output[str]]

    def __init__(self, name: str, args: EventProcessingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:event_processing:EventProcessing", name, None, opts)
        config, common = args.config, args.common
        prod = args.environment == "prod"
        zone_redundant = config.event_hub_zone_redundant

        def unique(kind: str, max_length: int) -> pulumi.Output[str]:
            return unique_name_output(kind, base_name=args.base_name, location=common.location, stack=args.stack,
                                      tenant_id=args.tenant_id, max_length=max_length)

        # --- Event Hubs: the event stream ---------------------------------------------------------
        standard = config.event_hub_sku == "Standard"
        hub_namespace = eventhub.Namespace(
            f"{name}-evh",
            namespace_name=unique("evh", _NAMESPACE_MAX),
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=eventhub.SkuArgs(name=config.event_hub_sku, tier=config.event_hub_sku, capacity=1),
            # Standard grows its throughput units with load (PERF-1); Premium scales by processing units.
            is_auto_inflate_enabled=standard,
            maximum_throughput_units=(10 if prod else 2) if standard else None,
            zone_redundant=zone_redundant,
            disable_local_auth=True,
            public_network_access=eventhub.PublicNetworkAccess.DISABLED,
            minimum_tls_version=eventhub.TlsVersion.TLS_VERSION_1_2,
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        hub = eventhub.EventHub(
            f"{name}-hub",
            event_hub_name=EVENT_HUB,
            namespace_name=hub_namespace.name,
            resource_group_name=common.resource_group_name,
            # Partitions bound the function's parallelism and cannot be reduced later.
            partition_count=8 if prod else 2,
            retention_description=eventhub.RetentionDescriptionArgs(
                cleanup_policy=eventhub.CleanupPolicyRetentionDescription.DELETE,
                retention_time_in_hours=168 if prod else 24),
            opts=common.child(self, stateful=True),
        )
        # Its own consumer group, so another reader of the stream never steals the function's checkpoints.
        consumer_group = eventhub.ConsumerGroup(
            f"{name}-hub-cg",
            consumer_group_name=CONSUMER_GROUP,
            event_hub_name=hub.name,
            namespace_name=hub_namespace.name,
            resource_group_name=common.resource_group_name,
            opts=common.child(self),
        )

        # --- Service Bus Premium: reliable work items (the seed's choice: Premium for private endpoints)
        bus_namespace = servicebus.Namespace(
            f"{name}-sb",
            namespace_name=unique("sb", _NAMESPACE_MAX),
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=servicebus.SBSkuArgs(name=servicebus.SkuName.PREMIUM, tier=servicebus.SkuTier.PREMIUM, capacity=1),
            premium_messaging_partitions=1,
            zone_redundant=zone_redundant,
            disable_local_auth=True,
            public_network_access=servicebus.PublicNetworkAccess.DISABLED,
            minimum_tls_version=servicebus.TlsVersion.TLS_VERSION_1_2,
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        queue = servicebus.Queue(
            f"{name}-queue",
            queue_name=config.queue_name,
            namespace_name=bus_namespace.name,
            resource_group_name=common.resource_group_name,
            # A model call can take minutes; the Functions host renews the lock while it runs.
            lock_duration="PT5M",
            max_delivery_count=10,
            dead_lettering_on_message_expiration=True,
            default_message_time_to_live="P14D",
            # Producers retry; a resent job within ten minutes is dropped instead of billed twice.
            requires_duplicate_detection=True,
            duplicate_detection_history_time_window="PT10M",
            opts=common.child(self, stateful=True),
        )

        # --- The Functions host's storage: identity only, private only --------------------------
        # Stateful (protected where the stack is): it holds the Event Hubs checkpoints, and losing
        # them replays the stream.
        account = secure_storage_account(
            f"{name}-st", common=common, parent=self,
            account_name=unique("stfn", _STORAGE_MAX).apply(lambda n: n.replace("-", "")),
            sku=storage.SkuName.STANDARD_ZRS if zone_redundant else storage.SkuName.STANDARD_LRS,
            # Only the function reaches it, through the VNet: no trusted-service exception.
            bypass=storage.Bypass.NONE,
            endpoints={service: f"{name}-st-{service}" for service in ("blob", "queue")},
        )
        # Declared so soft delete is set, not left to Azure's creation-path default (blob-service-declared).
        blob_service = storage.BlobServiceProperties(
            f"{name}-st-blob",
            account_name=account.name,
            resource_group_name=common.resource_group_name,
            blob_services_name="default",
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=HOST_SOFT_DELETE_DAYS),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True,
                                                                                days=HOST_SOFT_DELETE_DAYS),
            opts=common.child(self),
        )
        container = private_container(f"{name}-st-deployments", common=common, parent=self, account=account,
                                      container_name=DEPLOYMENT_CONTAINER, depends_on=[blob_service])
        container_url = pulumi.Output.concat("https://", account.name, ".blob.core.windows.net/", container.name)

        # --- Roles: data plane only, each on its own resource (SEC-5) --------------------------
        principal = args.identity.principal_id
        storage_grants = [
            grant(f"{name}-st-{slug}", scope=account.id, principal_id=principal, role=role, parent=self,
                  description=f"{role} for the Functions host (AzureWebJobsStorage, deployment package)")
            for slug, role in (("blob", "Storage Blob Data Contributor"), ("queue", "Storage Queue Data Contributor"))
        ]
        # Receiver and Sender only: the triggers read, the function's outputs write. Azure Service Bus
        # Data Owner would let the scale controller read exact queue lengths, but also manage entities;
        # without it scaling estimates the backlog (docs/operations.md).
        data_grants = [
            grant(f"{name}-{key}-{role.split()[-1].lower()}", scope=target.id, principal_id=principal, role=role,
                  parent=self, description=f"{role} for the event processing function")
            for key, target, roles in (
                ("evh", hub_namespace, ("Azure Event Hubs Data Receiver", "Azure Event Hubs Data Sender")),
                ("sb", bus_namespace, ("Azure Service Bus Data Receiver", "Azure Service Bus Data Sender")))
            for role in roles
        ]
        kv_grants = [grant(f"{name}-kv-secrets", scope=args.key_vault_id, principal_id=principal,
                           role="Key Vault Secrets User", parent=self,
                           description="Key Vault references of the event processing function")
                     ] if args.key_vault_secrets and args.key_vault_id is not None else []
        self._caller_grants(name, common.role_grants, hub_namespace, bus_namespace)

        # --- The Function App -------------------------------------------------------------------
        flex = config.function_plan == "FlexConsumption"
        plan = web.AppServicePlan(
            f"{name}-plan",
            name=f"asp-{args.base_name}-{common.location}-events",
            resource_group_name=common.resource_group_name,
            location=common.location,
            kind="functionapp" if flex else "elastic",
            reserved=True,  # Linux
            sku=web.SkuDescriptionArgs(name="FC1", tier="FlexConsumption") if flex else
            # Zone-redundant Elastic Premium keeps at least two instances, one per zone at minimum.
            web.SkuDescriptionArgs(name="EP1", tier="ElasticPremium", capacity=2 if zone_redundant else 1),
            maximum_elastic_worker_count=None if flex else (20 if prod else 5),
            zone_redundant=zone_redundant,
            tags=common.tags,
            opts=common.child(self),
        )
        identity_id, client_id = args.identity.resource_id, args.identity.client_id
        connection = {"credential": "managedidentity", "clientId": client_id}
        settings: dict[str, pulumi.Input[str]] = {
            "AzureWebJobsStorage__accountName": account.name,
            **{f"AzureWebJobsStorage__{k}": v for k, v in connection.items()},
            "EventHubConnection__fullyQualifiedNamespace": hub_namespace.name.apply(
                lambda n: f"{n}.servicebus.windows.net"),
            **{f"EventHubConnection__{k}": v for k, v in connection.items()},
            "ServiceBusConnection__fullyQualifiedNamespace": bus_namespace.name.apply(
                lambda n: f"{n}.servicebus.windows.net"),
            **{f"ServiceBusConnection__{k}": v for k, v in connection.items()},
            "EVENT_HUB_NAME": hub.name,
            "EVENT_HUB_CONSUMER_GROUP": consumer_group.name,
            "SERVICE_BUS_QUEUE_NAME": queue.name,
            "AZURE_OPENAI_ENDPOINT": args.openai_endpoint,
            **({"AZURE_SEARCH_ENDPOINT": args.search_endpoint} if args.search_endpoint is not None else {}),
            "AZURE_CLIENT_ID": client_id,  # DefaultAzureCredential in the code picks this identity
            # App Insights has local auth off: telemetry is sent with the identity's Entra token.
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": pulumi.Output.concat(
                "Authorization=AAD;ClientId=", client_id),
            **{setting_name(secret): pulumi.Output.concat("@Microsoft.KeyVault(SecretUri=", uri, ")")
               for secret, uri in args.key_vault_secrets.items()},
        }
        if not flex:
            # Flex Consumption rejects these: its runtime is functionAppConfig, its package the container.
            settings |= {
                "FUNCTIONS_EXTENSION_VERSION": "~4",
                "FUNCTIONS_WORKER_RUNTIME": "python",
                # Run from the package blob through the identity: no Azure Files content share,
                # which would need an account key.
                "WEBSITE_RUN_FROM_PACKAGE": container_url.apply(lambda url: f"{url}/{PACKAGE_BLOB}"),
                "WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID": identity_id,
            }
        app = web.WebApp(
            f"{name}-func",
            name=unique("func", _SITE_MAX),
            resource_group_name=common.resource_group_name,
            location=common.location,
            kind="functionapp,linux",
            server_farm_id=plan.id,
            identity=web.ManagedServiceIdentityArgs(type=web.ManagedServiceIdentityType.USER_ASSIGNED,
                                                    user_assigned_identities=[identity_id]),
            key_vault_reference_identity=identity_id,
            https_only=True,
            public_network_access="Disabled",
            virtual_network_subnet_id=args.subnet_id,
            function_app_config=web.FunctionAppConfigArgs(
                deployment=web.FunctionsDeploymentArgs(storage=web.FunctionsDeploymentStorageArgs(
                    type=web.FunctionsDeploymentStorageType.BLOB_CONTAINER,
                    value=container_url,
                    authentication=web.FunctionsDeploymentStorageAuthenticationArgs(
                        type=web.AuthenticationType.USER_ASSIGNED_IDENTITY,
                        user_assigned_identity_resource_id=identity_id),
                )),
                runtime=web.FunctionsRuntimeArgs(name=web.RuntimeName.PYTHON, version=PYTHON_VERSION),
                scale_and_concurrency=web.FunctionsScaleAndConcurrencyArgs(
                    maximum_instance_count=100 if prod else 20, instance_memory_mb=2048),
            ) if flex else None,
            site_config=web.SiteConfigArgs(
                app_settings=[web.NameValuePairArgs(name=k, value=v) for k, v in settings.items()],
                min_tls_version=web.SupportedTlsVersions.SUPPORTED_TLS_VERSIONS_1_2,
                scm_min_tls_version=web.SupportedTlsVersions.SUPPORTED_TLS_VERSIONS_1_2,
                ftps_state=web.FtpsState.DISABLED,
                http20_enabled=True,
                remote_debugging_enabled=False,
                # Key Vault references and private endpoints from a Linux app need all outbound
                # traffic in the VNet (where the private DNS zones are linked).
                vnet_route_all_enabled=True,
                linux_fx_version=None if flex else f"Python|{PYTHON_VERSION}",
                # Elastic Premium: let the runtime report trigger backlogs from inside the VNet, where
                # the scale controller cannot reach the private namespaces itself.
                functions_runtime_scale_monitoring_enabled=None if flex else True,
                minimum_elastic_instance_count=None if flex else (2 if zone_redundant else 1),
            ),
            tags=common.tags,
            # The host starts once created: its storage and trigger roles must exist by then.
            opts=common.child(self, depends_on=[*storage_grants, *data_grants, *kv_grants]),
        )
        # No basic-auth publishing (FTP, SCM): deployments authenticate with Entra ID only.
        for policy, kind in ((web.WebAppFtpAllowed, "ftp"), (web.WebAppScmAllowed, "scm")):
            policy(f"{name}-func-{kind}", name=app.name, resource_group_name=common.resource_group_name, allow=False,
                   opts=common.child(self))

        # --- Private endpoints and diagnostics ---------------------------------------------------
        for suffix, target_id, group in (("evh", hub_namespace.id, "namespace"), ("sb", bus_namespace.id, "namespace"),
                                         ("func", app.id, "sites")):
            private_endpoint(f"{name}-{suffix}", common=common, target_id=target_id, group_id=group, parent=self)
        workspace = common.workspace_id
        diagnostic_setting(f"{name}-evh", target_id=hub_namespace.id, workspace_id=workspace, parent=self)
        diagnostic_setting(f"{name}-sb", target_id=bus_namespace.id, workspace_id=workspace, parent=self)
        diagnostic_setting(f"{name}-func", target_id=app.id, workspace_id=workspace, parent=self)
        # The plan has metrics only.
        diagnostic_setting(f"{name}-plan", target_id=plan.id, workspace_id=workspace, parent=self, categories=[])

        self.event_hub_namespace_id = hub_namespace.id
        self.event_hub_namespace_fqdn = hub_namespace.name.apply(lambda n: f"{n}.servicebus.windows.net")
        self.event_hub_name = hub.name
        self.service_bus_namespace_id = bus_namespace.id
        self.service_bus_namespace_fqdn = bus_namespace.name.apply(lambda n: f"{n}.servicebus.windows.net")
        self.queue_name = queue.name
        self.storage_account_id = account.id
        self.function_app_id = app.id
        self.function_app_name = app.name
        self.function_app_host_name = app.default_host_name
        self.private_host_names = [
            self.event_hub_namespace_fqdn, self.service_bus_namespace_fqdn,
            *(account.name.apply(lambda n, s=s: f"{n}.{s}.core.windows.net") for s in ("blob", "queue")),
            app.default_host_name,
        ]
        self.register_outputs({
            "eventHubNamespaceId": self.event_hub_namespace_id,
            "eventHubNamespaceFqdn": self.event_hub_namespace_fqdn,
            "eventHubName": self.event_hub_name,
            "serviceBusNamespaceId": self.service_bus_namespace_id,
            "serviceBusNamespaceFqdn": self.service_bus_namespace_fqdn,
            "queueName": self.queue_name,
            "storageAccountId": self.storage_account_id,
            "functionAppId": self.function_app_id,
            "functionAppName": self.function_app_name,
            "functionAppHostName": self.function_app_host_name,
            "privateHostNames": self.private_host_names,
        })

    def _caller_grants(self, name: str, grants: list[RoleGrant], hub_namespace: eventhub.Namespace,
                       bus_namespace: servicebus.Namespace) -> None:
        for target, namespace in (("eventHub", hub_namespace), ("serviceBus", bus_namespace)):
            mine = [g for g in grants if _grant_target(g.role) == target]
            if mine:
                grant_all(f"{name}-{target.lower()}", scope=namespace.id, grants=mine, parent=self)
