"""Azure AI Search services (search:Service): keyless access, private access, identity, replicas
for the SLA, tier and capacity within the tier's limits.

Settings are those of the REST spec Microsoft.Search/searchServices 2025-05-01 (the pinned SDK's
version, azure-rest-api-specs `specification/search/resource-manager/Microsoft.Search/stable/
2025-05-01/search.json`), as the engine sends them (top-level camelCase inputs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, VIOLATES, Expect, Row, closed, empty, equals, one_of, value_policy
from ..framework.inputs import UNKNOWN, get, number, text
from ..framework.values import show

# Tiers with a private endpoint and an SLA; 'free' has neither, 'serverless' is outside the pinned
# tier table. https://learn.microsoft.com/azure/search/search-sku-tier
BILLABLE_SKUS = ("basic", "standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2")

# `authOptions` (apiKeyOnly or aadOrApiKey) is the switch that keeps API keys working; an empty
# object sets nothing.
UNSET = Expect("is absent", lambda v: isinstance(v, Mapping) and not v)


def _search_replicas(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    replicas = number(args.props, "replicaCount")
    floor = config["minReplicas"]
    if replicas is UNKNOWN:
        return
    if (1.0 if replicas is None else replicas) < floor:  # absent: one replica (the SDK's and ARM's default)
        shown = "absent (Azure's default: 1)" if replicas is None else f"{replicas:g}"
        yield (f"replicaCount is {shown}: this environment needs {floor} or more replicas (2 for the query SLA, "
               "3 for the query and indexing SLA)")


def _search_sku(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = text(args.props, "sku", "name")
    if sku is UNKNOWN:
        return
    allowed = [str(s).lower() for s in config["allowedSkus"]]
    if sku is None or sku not in allowed:
        shown = show(get(args.props, "sku", "name"))
        yield f"sku.name is {shown}; this environment allows {', '.join(config['allowedSkus'])}"


def _search_capacity(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = text(args.props, "sku", "name")
    replicas, partitions = number(args.props, "replicaCount"), number(args.props, "partitionCount")
    if not isinstance(sku, str) or sku not in C.SEARCH_LIMITS or UNKNOWN in (replicas, partitions):
        return  # a tier outside the table is search-sku-allowed's finding
    max_replicas, allowed, max_units = C.SEARCH_LIMITS[sku]
    r = replicas if isinstance(replicas, float) else 1.0  # absent: 1 (REST spec default)
    p = partitions if isinstance(partitions, float) else 1.0
    if r > max_replicas:
        yield f"replicaCount {r:g} is above the {max_replicas} replicas tier '{sku}' allows"
    if p not in allowed:
        yield (f"partitionCount {p:g} is not offered on tier '{sku}'; use one of "
               f"{', '.join(map(str, allowed))}")
    elif r * p > max_units:
        yield (f"{r:g} replicas x {p:g} partitions = {r * p:g} search units, above the {max_units} tier "
               f"'{sku}' allows")


search_local_auth_disabled = value_policy(
    name="search-local-auth-disabled",
    description="Azure AI Search services accept Entra ID tokens only: no admin or query API keys.",
    checklist=["SEC-1", "SEC-2"],
    severity=Severity.CRITICAL,
    remediation="Set `disable_local_auth=True`, leave `auth_options` unset (the REST spec forbids both), and grant "
                "'Search Index Data Reader' / 'Search Index Data Contributor' on the service to the identities "
                "that query and ingest (https://learn.microsoft.com/azure/search/search-security-enable-roles).",
    types=[T.SEARCH_SERVICE],
    rows=[
        # REST 2025-05-01: "When set to true, calls to the search service will not be permitted to
        # utilize API keys"; absent, keys work.
        Row(("disableLocalAuth",), equals(True), absent=VIOLATES, default="false",
            message="{path} is {shown}: the admin and query API keys open the service; set it to true"),
        # "This cannot be set if 'disableLocalAuth' is set to true".
        Row(("authOptions",), UNSET, absent=COMPLIES,
            message="authOptions is set, which keeps API keys working; remove it and set disableLocalAuth to true"),
    ],
)


search_private_access = value_policy(
    name="search-private-access",
    description="Azure AI Search services are closed to public networks and list no IP firewall rules.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'`, `network_rule_set=NetworkRuleSetArgs(ip_rules=[])`, and add "
                "a private endpoint (group 'searchService', zone privatelink.search.windows.net) "
                "(https://learn.microsoft.com/azure/search/service-create-private-endpoint).",
    types=[T.SEARCH_SERVICE],
    rows=[
        closed("publicNetworkAccess"),
        Row(("networkRuleSet", "ipRules"), empty(), absent=COMPLIES,
            message="networkRuleSet.ipRules admits public addresses; remove the IP rules and reach the service "
                    "through its private endpoint"),
    ],
)


search_managed_identity = value_policy(
    name="search-managed-identity",
    description="Azure AI Search services have a managed identity, so indexers and skillsets reach data sources "
                "without keys.",
    checklist=["SEC-1"],
    severity=Severity.MEDIUM,
    remediation="Set `identity=IdentityArgs(type='SystemAssigned')` (or 'UserAssigned'); data source connections "
                "then use the identity instead of a connection string with a key.",
    types=[T.SEARCH_SERVICE],
    rows=[
        # REST 2025-05-01 `identity.type`: None, SystemAssigned, UserAssigned, "SystemAssigned, UserAssigned".
        Row(("identity", "type"), one_of("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"),
            absent=VIOLATES, default="None",
            message="{path} is {shown}: indexers can only reach data sources with keys; set 'SystemAssigned'"),
    ],
)


search_replicas = resource_policy(
    name="search-replicas",
    description="Azure AI Search services run enough replicas for the environment's availability (prod: 2, the "
                "query SLA).",
    checklist=["REL-5", "PERF-1"],
    severity=Severity.HIGH,
    remediation="Set `replica_count` to `minReplicas` or more: 2 for the read (query) SLA, 3 for read-write "
                "(https://learn.microsoft.com/azure/search/search-reliability); replicas also spread over zones.",
    types=[T.SEARCH_SERVICE],
    check=_search_replicas,
    config={"minReplicas": {"type": "integer", "minimum": 1, "maximum": 12, "default": 1,
                            "description": "fewest replicas a search service may run (absent replicaCount: 1)"}},
)


search_sku_allowed = resource_policy(
    name="search-sku-allowed",
    description="Azure AI Search services use a tier the environment allows (never 'free': no private endpoint, "
                "no SLA).",
    checklist=["COST-2", "SEC-3"],
    severity=Severity.MEDIUM,
    remediation="Set `sku=SkuArgs(name=...)` to a tier of `allowedSkus` (prod: a Standard or Storage Optimized "
                "tier; https://learn.microsoft.com/azure/search/search-sku-tier).",
    types=[T.SEARCH_SERVICE],
    check=_search_sku,
    config={"allowedSkus": {"type": "array", "items": {"type": "string"}, "default": list(BILLABLE_SKUS),
                            "description": "the tiers a search service may use"}},
)


search_capacity_within_sku = resource_policy(
    name="search-capacity-within-sku",
    description="Azure AI Search replicas and partitions fit the tier's limits (Basic: 3 replicas, 3 search units; "
                "other tiers: 12 replicas, 36 search units).",
    checklist=["COST-2"],
    severity=Severity.MEDIUM,
    remediation="Lower `replica_count` or `partition_count` (1, 2, 3, 4, 6 or 12; Basic 1-3), or pick a larger tier "
                "(https://learn.microsoft.com/azure/search/search-limits-quotas-capacity; the table is "
                "policies/azure/catalog.py SEARCH_LIMITS).",
    types=[T.SEARCH_SERVICE],
    check=_search_capacity,
)


POLICIES: list[Policy] = [
    search_local_auth_disabled, search_private_access, search_managed_identity, search_replicas,
    search_sku_allowed, search_capacity_within_sku,
]
