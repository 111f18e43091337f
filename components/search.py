"""Azure AI Search for the chat service's retrieval, one service per serving region.

The seed only names it in its cost section (`AZURE_SEARCH_SKU`: basic in dev, standard in prod).
Here it is Entra-only (`disableLocalAuth: true`, so no admin or query key works; `authOptions` is
left unset because the REST spec forbids it alongside disableLocalAuth), closed to public networks
and reached through a private endpoint (privatelink.search.windows.net), with a system identity
for indexers and skillsets, and its operation logs in the region's workspace. The chat service
reads the indexes (Search Index Data Reader); the event-processing function, which ingests
documents, writes them (Search Index Data Contributor). Both roles are scoped to the service.

One service per region rather than one per stack: a region's chat service then depends on nothing
outside its region (REL-1), and the regional VNets are not peered, so a private endpoint in one
region could not serve the other. Azure AI Search has no built-in geo-replication; each region's
index is filled by that region's ingestion (https://learn.microsoft.com/azure/search/search-reliability).

Settings: REST spec Microsoft.Search/searchServices 2025-05-01 (the pinned SDK's version):
`disableLocalAuth`, `authOptions`, `publicNetworkAccess`, `networkRuleSet`, `semanticSearch`;
https://learn.microsoft.com/azure/search/search-security-enable-roles (keyless),
https://learn.microsoft.com/azure/search/service-create-private-endpoint (group 'searchService').
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native.search as search

from stack_config import model
from stack_config.validate import check_search

from .common import Common, RoleGrant
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output
from .private_endpoint import check_private_link, private_endpoint
from .rbac import check_grants, consumer_grants, grant_all

# The private-link group (sub-resource) of an AI Search endpoint.
PRIVATE_LINK_GROUP = "searchService"

READER = "Search Index Data Reader"
CONTRIBUTOR = "Search Index Data Contributor"
# https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-search-searchservices-logs
LOG_CATEGORIES = ("OperationLogs",)
# Service names: 2-60 lowercase letters, digits or dashes; the name is the DNS label of
# <name>.search.windows.net, so globally unique.
_NAME_MAX = 60


class SearchServiceError(pulumi.RunError):
    """SearchService was given inputs it cannot build securely."""


@dataclass(frozen=True)
class SearchServiceArgs:
    common: Common
    config: model.Search
    base_name: str
    stack: str
    tenant_id: pulumi.Input[str]
    # Workload name -> principal id, for the services that query (readers) and ingest (writers).
    readers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    writers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def _grants(args: SearchServiceArgs) -> list[RoleGrant]:
    return consumer_grants(READER, args.readers) + consumer_grants(CONTRIBUTOR, args.writers, args.common.role_grants)


def _check(name: str, args: SearchServiceArgs) -> None:
    # The same per-SKU capacity rules config validation applies; environment and reader names are
    # the caller's business here.
    problems = list(check_search(args.config, None, None))
    if problems:
        raise SearchServiceError(f"{name}: " + "; ".join(f"{path}: {message}" for path, message in problems))
    check_private_link(name, args.common, PRIVATE_LINK_GROUP)
    check_grants(name, _grants(args))
    check_parts(name, base_name=args.base_name, location=args.common.location)


class SearchService(pulumi.ComponentResource):
    """A private, Entra-only Azure AI Search service."""

    service: search.Service
    service_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    host_name: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: SearchServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:search:SearchService", name, None, opts)
        common, cfg = args.common, args.config
        service_name = unique_name_output("srch", base_name=args.base_name, location=common.location,
                                          stack=args.stack, tenant_id=args.tenant_id, max_length=_NAME_MAX)
        self.service = search.Service(
            name,
            search_service_name=service_name,
            resource_group_name=common.resource_group_name,
            location=common.location,
            sku=search.SkuArgs(name=cfg.sku),
            replica_count=cfg.replicas,
            partition_count=cfg.partitions,
            disable_local_auth=True,
            public_network_access=search.PublicNetworkAccess.DISABLED,
            network_rule_set=search.NetworkRuleSetArgs(bypass=search.SearchBypass.NONE, ip_rules=[]),
            semantic_search=cfg.semantic_search,
            identity=search.IdentityArgs(type=search.IdentityType.SYSTEM_ASSIGNED),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        private_endpoint(name, common=common, target_id=self.service.id, group_id=PRIVATE_LINK_GROUP, parent=self)
        grant_all(name, scope=self.service.id, grants=_grants(args), parent=self)
        diagnostic_setting(name, target_id=self.service.id, workspace_id=common.workspace_id, parent=self,
                           categories=LOG_CATEGORIES)

        self.service_id = self.service.id
        self.host_name = self.service.name.apply(lambda n: f"{n}.search.windows.net")
        self.endpoint = self.host_name.apply(lambda h: f"https://{h}")
        self.principal_id = self.service.identity.apply(_principal_id)
        self.register_outputs({
            "serviceId": self.service_id,
            "endpoint": self.endpoint,
            "principalId": self.principal_id,
        })


def _principal_id(identity: search.outputs.IdentityResponse | None) -> str:
    if identity is None or not identity.principal_id:
        raise SearchServiceError("the search service reported no system-assigned identity")
    return identity.principal_id
