"""Every azure-native type token the program, the pack, the dry-run and the tests name, spelled once.

A token is `azure-native:<module>:<Resource>`, the string the engine sends a policy as
`resource_type` (pulumi-azure-native's schema, https://www.pulumi.com/registry/packages/azure-native/).
Import these names instead of writing the string: a typo then fails at import, not as a policy
that silently never matches.
"""

from __future__ import annotations

from typing import Final

# --- apimanagement (API Management, the AI gateway) ----------------------------------------------
API_MANAGEMENT: Final = "azure-native:apimanagement:ApiManagementService"
APIM_API: Final = "azure-native:apimanagement:Api"
APIM_API_OPERATION_POLICY: Final = "azure-native:apimanagement:ApiOperationPolicy"
APIM_API_POLICY: Final = "azure-native:apimanagement:ApiPolicy"
APIM_BACKEND: Final = "azure-native:apimanagement:Backend"
APIM_CACHE: Final = "azure-native:apimanagement:Cache"
APIM_DIAGNOSTIC: Final = "azure-native:apimanagement:Diagnostic"
APIM_LOGGER: Final = "azure-native:apimanagement:Logger"
APIM_NAMED_VALUE: Final = "azure-native:apimanagement:NamedValue"
APIM_POLICY: Final = "azure-native:apimanagement:Policy"

# --- app (Container Apps) ------------------------------------------------------------------------
CONTAINER_APP: Final = "azure-native:app:ContainerApp"
MANAGED_ENVIRONMENT: Final = "azure-native:app:ManagedEnvironment"

# --- applicationinsights -------------------------------------------------------------------------
APP_INSIGHTS: Final = "azure-native:applicationinsights:Component"
WEB_TEST: Final = "azure-native:applicationinsights:WebTest"
WORKBOOK: Final = "azure-native:applicationinsights:Workbook"

# --- authorization -------------------------------------------------------------------------------
GROUP_LOCK: Final = "azure-native:authorization:ManagementLockAtResourceGroupLevel"
SCOPE_LOCK: Final = "azure-native:authorization:ManagementLockByScope"
POLICY_ASSIGNMENT: Final = "azure-native:authorization:PolicyAssignment"
ROLE_ASSIGNMENT: Final = "azure-native:authorization:RoleAssignment"

# --- cdn (Front Door / CDN) ----------------------------------------------------------------------
AFD_CUSTOM_DOMAIN: Final = "azure-native:cdn:AFDCustomDomain"
AFD_ENDPOINT: Final = "azure-native:cdn:AFDEndpoint"
AFD_ORIGIN: Final = "azure-native:cdn:AFDOrigin"
AFD_ORIGIN_GROUP: Final = "azure-native:cdn:AFDOriginGroup"
AFD_ROUTE: Final = "azure-native:cdn:Route"
AFD_SECURITY_POLICY: Final = "azure-native:cdn:SecurityPolicy"
CDN_PROFILE: Final = "azure-native:cdn:Profile"
CDN_ENDPOINT: Final = "azure-native:cdn:Endpoint"
CDN_ORIGIN: Final = "azure-native:cdn:Origin"

# --- cognitiveservices (Azure OpenAI, AI Services) -----------------------------------------------
COGNITIVE_ACCOUNT: Final = "azure-native:cognitiveservices:Account"
OPENAI_DEPLOYMENT: Final = "azure-native:cognitiveservices:Deployment"

# --- consumption / costmanagement ----------------------------------------------------------------
BUDGET: Final = "azure-native:consumption:Budget"
COST_MANAGEMENT_BUDGET: Final = "azure-native:costmanagement:Budget"

# --- dataprotection (Backup) ---------------------------------------------------------------------
BACKUP_INSTANCE: Final = "azure-native:dataprotection:BackupInstance"
BACKUP_POLICY: Final = "azure-native:dataprotection:BackupPolicy"
BACKUP_VAULT: Final = "azure-native:dataprotection:BackupVault"

# --- dbforpostgresql -----------------------------------------------------------------------------
POSTGRES_CONFIGURATION: Final = "azure-native:dbforpostgresql:Configuration"
POSTGRES_SERVER: Final = "azure-native:dbforpostgresql:Server"

# --- eventhub ------------------------------------------------------------------------------------
EVENT_HUB_CONSUMER_GROUP: Final = "azure-native:eventhub:ConsumerGroup"
EVENT_HUB: Final = "azure-native:eventhub:EventHub"
EVENT_HUB_NAMESPACE: Final = "azure-native:eventhub:Namespace"

# --- frontdoor -----------------------------------------------------------------------------------
FRONT_DOOR_WAF_POLICY: Final = "azure-native:frontdoor:Policy"

# --- keyvault ------------------------------------------------------------------------------------
KEY_VAULT_SECRET: Final = "azure-native:keyvault:Secret"
KEY_VAULT: Final = "azure-native:keyvault:Vault"

# --- loadtestservice -----------------------------------------------------------------------------
LOAD_TEST: Final = "azure-native:loadtestservice:LoadTest"

# --- managedidentity -----------------------------------------------------------------------------
FEDERATED_CREDENTIAL: Final = "azure-native:managedidentity:FederatedIdentityCredential"
USER_ASSIGNED_IDENTITY: Final = "azure-native:managedidentity:UserAssignedIdentity"

# --- monitor -------------------------------------------------------------------------------------
ACTION_GROUP: Final = "azure-native:monitor:ActionGroup"
ACTIVITY_LOG_ALERT: Final = "azure-native:monitor:ActivityLogAlert"
DIAGNOSTIC_SETTING: Final = "azure-native:monitor:DiagnosticSetting"
METRIC_ALERT: Final = "azure-native:monitor:MetricAlert"
QUERY_ALERT: Final = "azure-native:monitor:ScheduledQueryRule"

# --- network -------------------------------------------------------------------------------------
APP_GATEWAY: Final = "azure-native:network:ApplicationGateway"
AZURE_FIREWALL: Final = "azure-native:network:AzureFirewall"
BASTION_HOST: Final = "azure-native:network:BastionHost"
LOAD_BALANCER: Final = "azure-native:network:LoadBalancer"
NAT_GATEWAY: Final = "azure-native:network:NatGateway"
NSG: Final = "azure-native:network:NetworkSecurityGroup"
DNS_ZONE_GROUP: Final = "azure-native:network:PrivateDnsZoneGroup"
PRIVATE_ENDPOINT: Final = "azure-native:network:PrivateEndpoint"
PUBLIC_IP: Final = "azure-native:network:PublicIPAddress"
SECURITY_RULE: Final = "azure-native:network:SecurityRule"
SUBNET: Final = "azure-native:network:Subnet"
VNET: Final = "azure-native:network:VirtualNetwork"
VPN_GATEWAY: Final = "azure-native:network:VirtualNetworkGateway"
WAF_POLICY: Final = "azure-native:network:WebApplicationFirewallPolicy"

# --- operationalinsights -------------------------------------------------------------------------
WORKSPACE: Final = "azure-native:operationalinsights:Workspace"

# --- portal --------------------------------------------------------------------------------------
PORTAL_DASHBOARD: Final = "azure-native:portal:Dashboard"

# --- privatedns ----------------------------------------------------------------------------------
PRIVATE_RECORD_SET: Final = "azure-native:privatedns:PrivateRecordSet"
PRIVATE_ZONE: Final = "azure-native:privatedns:PrivateZone"
VNET_LINK: Final = "azure-native:privatedns:VirtualNetworkLink"

# --- redis / redisenterprise (Azure Cache for Redis, Azure Managed Redis) ------------------------
CLASSIC_REDIS: Final = "azure-native:redis:Redis"
REDIS_ACCESS_POLICY_ASSIGNMENT: Final = "azure-native:redisenterprise:AccessPolicyAssignment"
REDIS_DATABASE: Final = "azure-native:redisenterprise:Database"
REDIS_ENTERPRISE: Final = "azure-native:redisenterprise:RedisEnterprise"

# --- resources -----------------------------------------------------------------------------------
RESOURCE_GROUP: Final = "azure-native:resources:ResourceGroup"

# --- search --------------------------------------------------------------------------------------
SEARCH_SERVICE: Final = "azure-native:search:Service"

# --- security (Defender for Cloud) ---------------------------------------------------------------
DEFENDER_PRICING: Final = "azure-native:security:Pricing"

# --- servicebus ----------------------------------------------------------------------------------
SERVICE_BUS: Final = "azure-native:servicebus:Namespace"
SERVICE_BUS_QUEUE: Final = "azure-native:servicebus:Queue"

# --- storage -------------------------------------------------------------------------------------
BLOB_CONTAINER: Final = "azure-native:storage:BlobContainer"
BLOB_SERVICE: Final = "azure-native:storage:BlobServiceProperties"
STORAGE: Final = "azure-native:storage:StorageAccount"
STATIC_WEBSITE: Final = "azure-native:storage:StorageAccountStaticWebsite"

# --- trafficmanager ------------------------------------------------------------------------------
TM_ENDPOINT: Final = "azure-native:trafficmanager:Endpoint"
TM_PROFILE: Final = "azure-native:trafficmanager:Profile"

# --- web (App Service, Functions, Static Web Apps) -----------------------------------------------
APP_SERVICE_PLAN: Final = "azure-native:web:AppServicePlan"
STATIC_SITE: Final = "azure-native:web:StaticSite"
WEB_APP: Final = "azure-native:web:WebApp"
WEB_APP_SETTINGS: Final = "azure-native:web:WebAppApplicationSettings"
WEB_APP_SETTINGS_SLOT: Final = "azure-native:web:WebAppApplicationSettingsSlot"
WEB_APP_CONNECTION_STRINGS: Final = "azure-native:web:WebAppConnectionStrings"
WEB_APP_FTP_ALLOWED: Final = "azure-native:web:WebAppFtpAllowed"
WEB_APP_FTP_ALLOWED_SLOT: Final = "azure-native:web:WebAppFtpAllowedSlot"
WEB_APP_SCM_ALLOWED: Final = "azure-native:web:WebAppScmAllowed"
WEB_APP_SCM_ALLOWED_SLOT: Final = "azure-native:web:WebAppScmAllowedSlot"

# --- functions the program invokes (mocked by the dry-run) ---------------------------------------
GET_CLIENT_CONFIG: Final = "azure-native:authorization:getClientConfig"
GET_RESOURCE_GROUP: Final = "azure-native:resources:getResourceGroup"
LIST_REDIS_DATABASE_KEYS: Final = "azure-native:redisenterprise:listDatabaseKeys"
