"""Type tokens azure-native moved to another module (v1/v2 -> v3), old -> current.

Generated from pulumi-azure-native 3.29.0's resource aliases by
`python -m policies.azure.refresh_moves` (see that module); do not edit by hand.
"""

from typing import Final

MOVED: Final[dict[str, str]] = {
    "azure-native:cache:AccessPolicy": "azure-native:redis:AccessPolicy",
    "azure-native:cache:AccessPolicyAssignment": "azure-native:redis:AccessPolicyAssignment",
    "azure-native:cache:Database": "azure-native:redisenterprise:Database",
    "azure-native:cache:EnterprisePrivateEndpointConnection": "azure-native:redisenterprise:PrivateEndpointConnection",
    "azure-native:cache:FirewallRule": "azure-native:redis:FirewallRule",
    "azure-native:cache:LinkedServer": "azure-native:redis:LinkedServer",
    "azure-native:cache:PatchSchedule": "azure-native:redis:PatchSchedule",
    "azure-native:cache:PrivateEndpointConnection": "azure-native:redis:PrivateEndpointConnection",
    "azure-native:cache:Redis": "azure-native:redis:Redis",
    "azure-native:cache:RedisEnterprise": "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:devices:Certificate": "azure-native:iothub:Certificate",
    "azure-native:devices:DpsCertificate": "azure-native:deviceprovisioningservices:DpsCertificate",
    "azure-native:devices:IotDpsResource": "azure-native:deviceprovisioningservices:IotDpsResource",
    "azure-native:devices:IotDpsResourcePrivateEndpointConnection":
        "azure-native:deviceprovisioningservices:IotDpsResourcePrivateEndpointConnection",
    "azure-native:devices:IotHubResource": "azure-native:iothub:IotHubResource",
    "azure-native:devices:IotHubResourceEventHubConsumerGroup":
        "azure-native:iothub:IotHubResourceEventHubConsumerGroup",
    "azure-native:devices:PrivateEndpointConnection": "azure-native:iothub:PrivateEndpointConnection",
    "azure-native:documentdb:CassandraCluster": "azure-native:cosmosdb:CassandraCluster",
    "azure-native:documentdb:CassandraDataCenter": "azure-native:cosmosdb:CassandraDataCenter",
    "azure-native:documentdb:CassandraResourceCassandraKeyspace":
        "azure-native:cosmosdb:CassandraResourceCassandraKeyspace",
    "azure-native:documentdb:CassandraResourceCassandraTable": "azure-native:cosmosdb:CassandraResourceCassandraTable",
    "azure-native:documentdb:CassandraResourceCassandraView": "azure-native:cosmosdb:CassandraResourceCassandraView",
    "azure-native:documentdb:DatabaseAccount": "azure-native:cosmosdb:DatabaseAccount",
    "azure-native:documentdb:FirewallRule": "azure-native:mongocluster:FirewallRule",
    "azure-native:documentdb:GraphResourceGraph": "azure-native:cosmosdb:GraphResourceGraph",
    "azure-native:documentdb:GremlinResourceGremlinDatabase": "azure-native:cosmosdb:GremlinResourceGremlinDatabase",
    "azure-native:documentdb:GremlinResourceGremlinGraph": "azure-native:cosmosdb:GremlinResourceGremlinGraph",
    "azure-native:documentdb:MongoClusterFirewallRule": "azure-native:cosmosdb:MongoClusterFirewallRule",
    "azure-native:documentdb:MongoDBResourceMongoDBCollection":
        "azure-native:cosmosdb:MongoDBResourceMongoDBCollection",
    "azure-native:documentdb:MongoDBResourceMongoDBDatabase": "azure-native:cosmosdb:MongoDBResourceMongoDBDatabase",
    "azure-native:documentdb:MongoDBResourceMongoRoleDefinition":
        "azure-native:cosmosdb:MongoDBResourceMongoRoleDefinition",
    "azure-native:documentdb:MongoDBResourceMongoUserDefinition":
        "azure-native:cosmosdb:MongoDBResourceMongoUserDefinition",
    "azure-native:documentdb:NotebookWorkspace": "azure-native:cosmosdb:NotebookWorkspace",
    "azure-native:documentdb:PrivateEndpointConnection": "azure-native:cosmosdb:PrivateEndpointConnection",
    "azure-native:documentdb:Service": "azure-native:cosmosdb:Service",
    "azure-native:documentdb:SqlResourceSqlContainer": "azure-native:cosmosdb:SqlResourceSqlContainer",
    "azure-native:documentdb:SqlResourceSqlDatabase": "azure-native:cosmosdb:SqlResourceSqlDatabase",
    "azure-native:documentdb:SqlResourceSqlRoleAssignment": "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
    "azure-native:documentdb:SqlResourceSqlRoleDefinition": "azure-native:cosmosdb:SqlResourceSqlRoleDefinition",
    "azure-native:documentdb:SqlResourceSqlStoredProcedure": "azure-native:cosmosdb:SqlResourceSqlStoredProcedure",
    "azure-native:documentdb:SqlResourceSqlTrigger": "azure-native:cosmosdb:SqlResourceSqlTrigger",
    "azure-native:documentdb:SqlResourceSqlUserDefinedFunction":
        "azure-native:cosmosdb:SqlResourceSqlUserDefinedFunction",
    "azure-native:documentdb:TableResourceTable": "azure-native:cosmosdb:TableResourceTable",
    "azure-native:documentdb:TableResourceTableRoleAssignment":
        "azure-native:cosmosdb:TableResourceTableRoleAssignment",
    "azure-native:documentdb:TableResourceTableRoleDefinition":
        "azure-native:cosmosdb:TableResourceTableRoleDefinition",
    "azure-native:documentdb:ThroughputPool": "azure-native:cosmosdb:ThroughputPool",
    "azure-native:documentdb:ThroughputPoolAccount": "azure-native:cosmosdb:ThroughputPoolAccount",
    "azure-native:insights:ActionGroup": "azure-native:monitor:ActionGroup",
    "azure-native:insights:ActivityLogAlert": "azure-native:monitor:ActivityLogAlert",
    "azure-native:insights:AnalyticsItem": "azure-native:applicationinsights:AnalyticsItem",
    "azure-native:insights:AutoscaleSetting": "azure-native:monitor:AutoscaleSetting",
    "azure-native:insights:Component": "azure-native:applicationinsights:Component",
    "azure-native:insights:ComponentCurrentBillingFeature":
        "azure-native:applicationinsights:ComponentCurrentBillingFeature",
    "azure-native:insights:ComponentLinkedStorageAccount":
        "azure-native:applicationinsights:ComponentLinkedStorageAccount",
    "azure-native:insights:DataCollectionEndpoint": "azure-native:monitor:DataCollectionEndpoint",
    "azure-native:insights:DataCollectionRule": "azure-native:monitor:DataCollectionRule",
    "azure-native:insights:DataCollectionRuleAssociation": "azure-native:monitor:DataCollectionRuleAssociation",
    "azure-native:insights:DiagnosticSetting": "azure-native:monitor:DiagnosticSetting",
    "azure-native:insights:ExportConfiguration": "azure-native:applicationinsights:ExportConfiguration",
    "azure-native:insights:Favorite": "azure-native:applicationinsights:Favorite",
    "azure-native:insights:ManagementGroupDiagnosticSetting": "azure-native:monitor:ManagementGroupDiagnosticSetting",
    "azure-native:insights:MetricAlert": "azure-native:monitor:MetricAlert",
    "azure-native:insights:MyWorkbook": "azure-native:applicationinsights:MyWorkbook",
    "azure-native:insights:PrivateEndpointConnection": "azure-native:monitor:PrivateEndpointConnection",
    "azure-native:insights:PrivateLinkScope": "azure-native:monitor:PrivateLinkScope",
    "azure-native:insights:PrivateLinkScopedResource": "azure-native:monitor:PrivateLinkScopedResource",
    "azure-native:insights:ProactiveDetectionConfiguration":
        "azure-native:applicationinsights:ProactiveDetectionConfiguration",
    "azure-native:insights:ScheduledQueryRule": "azure-native:monitor:ScheduledQueryRule",
    "azure-native:insights:SubscriptionDiagnosticSetting": "azure-native:monitor:SubscriptionDiagnosticSetting",
    "azure-native:insights:TenantActionGroup": "azure-native:monitor:TenantActionGroup",
    "azure-native:insights:WebTest": "azure-native:applicationinsights:WebTest",
    "azure-native:insights:Workbook": "azure-native:applicationinsights:Workbook",
    "azure-native:insights:WorkbookTemplate": "azure-native:applicationinsights:WorkbookTemplate",
    "azure-native:network:DnsForwardingRuleset": "azure-native:dnsresolver:DnsForwardingRuleset",
    "azure-native:network:DnsResolver": "azure-native:dnsresolver:DnsResolver",
    "azure-native:network:DnsResolverDomainList": "azure-native:dnsresolver:DnsResolverDomainList",
    "azure-native:network:DnsResolverPolicy": "azure-native:dnsresolver:DnsResolverPolicy",
    "azure-native:network:DnsResolverPolicyVirtualNetworkLink":
        "azure-native:dnsresolver:DnsResolverPolicyVirtualNetworkLink",
    "azure-native:network:DnsSecurityRule": "azure-native:dnsresolver:DnsSecurityRule",
    "azure-native:network:DnssecConfig": "azure-native:dns:DnssecConfig",
    "azure-native:network:Endpoint": "azure-native:trafficmanager:Endpoint",
    "azure-native:network:Experiment": "azure-native:frontdoor:Experiment",
    "azure-native:network:ForwardingRule": "azure-native:dnsresolver:ForwardingRule",
    "azure-native:network:FrontDoor": "azure-native:frontdoor:FrontDoor",
    "azure-native:network:InboundEndpoint": "azure-native:dnsresolver:InboundEndpoint",
    "azure-native:network:NetworkExperimentProfile": "azure-native:frontdoor:NetworkExperimentProfile",
    "azure-native:network:OutboundEndpoint": "azure-native:dnsresolver:OutboundEndpoint",
    "azure-native:network:Policy": "azure-native:frontdoor:Policy",
    "azure-native:network:PrivateRecordSet": "azure-native:privatedns:PrivateRecordSet",
    "azure-native:network:PrivateResolverVirtualNetworkLink":
        "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink",
    "azure-native:network:PrivateZone": "azure-native:privatedns:PrivateZone",
    "azure-native:network:Profile": "azure-native:trafficmanager:Profile",
    "azure-native:network:RecordSet": "azure-native:dns:RecordSet",
    "azure-native:network:RulesEngine": "azure-native:frontdoor:RulesEngine",
    "azure-native:network:TrafficManagerUserMetricsKey": "azure-native:trafficmanager:TrafficManagerUserMetricsKey",
    "azure-native:network:VirtualNetworkLink": "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:network:Zone": "azure-native:dns:Zone",
}
