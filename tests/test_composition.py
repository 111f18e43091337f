"""The composed stacks, as the dry-run declares them: the wiring the issues' "done when" describe."""

from __future__ import annotations

from collections import Counter

import pytest

from dryrun.model import Resource, reveal
from policies.azure import types as T
from policies.azure.catalog import DIAGNOSTIC_TYPES
from tests.harness import program_run


@pytest.fixture(scope="module")
def prod() -> list[Resource]:
    return program_run("prod").resources


@pytest.fixture(scope="module")
def dev() -> list[Resource]:
    return program_run("dev").resources


def _of(resources: list[Resource], type_token: str) -> list[Resource]:
    return [r for r in resources if r.type == type_token]


def _deps(r: Resource, prop: str) -> set[str]:
    return set(r.property_dependencies.get(prop, []))


def test_every_diagnosable_resource_logs_to_its_regions_workspace(prod: list[Resource]) -> None:
    by_urn = {r.urn: r for r in prod}
    workspaces = {r.urn: reveal(r.inputs)["location"] for r in _of(prod, T.WORKSPACE)}
    assert len(workspaces) == 2
    targets: dict[str, str] = {}  # target URN -> workspace location
    for setting in _of(prod, T.DIAGNOSTIC_SETTING):
        (workspace,) = _deps(setting, "workspaceId")
        for target in _deps(setting, "resourceUri"):
            targets[target] = workspaces[workspace]
    diagnosable = [r for r in prod if r.type in DIAGNOSTIC_TYPES]
    assert len(diagnosable) >= 25  # 13 per region plus the global and event-processing ones
    missing = [r.name for r in diagnosable if r.urn not in targets]
    assert not missing, f"no diagnostic setting for {missing}"
    for r in diagnosable:
        location = reveal(r.inputs).get("location", "")
        if location and location != "global":
            assert targets[r.urn] == location, f"{r.name} logs to another region's workspace"
    assert all(t in by_urn for t in targets)


def _stamped(resources: list[Resource]) -> list[Resource]:
    """The stamps' resources, without the AI gateways' own (their semantic cache is a second Redis per region)."""
    return [r for r in resources if "ai_gateway:AIGateway$" not in r.urn]


def test_prod_has_two_complete_stamps_behind_one_traffic_manager(prod: list[Resource]) -> None:
    types = Counter(r.type for r in _stamped(prod))
    for per_region in ("azure-native:network:VirtualNetwork", "azure-native:keyvault:Vault",
                       "azure-native:redisenterprise:RedisEnterprise", "azure-native:search:Service",
                       "azure-native:app:ManagedEnvironment", "azure-native:network:ApplicationGateway",
                       "azure-native:operationalinsights:Workspace"):
        assert types[per_region] == 2, per_region
    kinds = Counter((reveal(a.inputs)["kind"], reveal(a.inputs)["location"])
                    for a in _of(prod, "azure-native:cognitiveservices:Account"))
    assert kinds == {(kind, loc): 1 for kind in ("OpenAI", "ComputerVision", "FormRecognizer")
                     for loc in ("eastus2", "westus3")}
    (profile,) = _of(prod, "azure-native:trafficmanager:Profile")
    endpoints = reveal(profile.inputs)["endpoints"]
    assert [e["priority"] for e in endpoints] == [1, 2]
    # The only public entry points are the two WAF gateways' addresses, both targeted by Traffic Manager; the AI
    # gateways' own addresses carry only Azure's management traffic (internal VNet mode).
    ips = _of(_stamped(prod), T.PUBLIC_IP)
    assert len(ips) == 2 and {ip.urn for ip in ips} == _deps(profile, "endpoints")
    services = _of(prod, T.API_MANAGEMENT)
    assert {reveal(g.inputs)["virtualNetworkType"] for g in services} == {"Internal"}
    assert {u for g in services for u in _deps(g, "publicIpAddressId")} == {
        ip.urn for ip in _of(prod, T.PUBLIC_IP)} - {ip.urn for ip in ips}


def test_dns_zones_link_every_vnet(prod: list[Resource]) -> None:
    vnets = {r.urn for r in _of(prod, T.VNET)}
    links = Counter()
    for link in _of(prod, T.VNET_LINK):
        (zone,) = _deps(link, "privateZoneName")
        assert _deps(link, "virtualNetwork") <= vnets
        links[zone] += 1
    zones = _of(prod, T.PRIVATE_ZONE)
    assert zones and all(links[z.urn] == len(vnets) for z in zones if not z.name.startswith("cae-"))


def test_prod_monitoring_is_reached_through_one_private_link_scope(prod: list[Resource], dev: list[Resource]) -> None:
    [scope] = _of(prod, T.MONITOR_PRIVATE_LINK_SCOPE)
    linked = {u for r in _of(prod, T.MONITOR_SCOPED_RESOURCE) for u in _deps(r, "linkedResourceId")}
    assert linked == {r.urn for r in [*_of(prod, T.WORKSPACE), *_of(prod, T.APP_INSIGHTS)]} and len(linked) == 4
    [endpoint] = [r for r in _of(prod, T.PRIVATE_ENDPOINT) if scope.urn in _deps(r, "privateLinkServiceConnections")]
    assert "eastus2" in reveal(endpoint.inputs)["subnet"]["id"]  # the primary's endpoint subnet
    assert len(_of(prod, T.VNET_PEERING)) == 2  # the secondary region reaches it over peering
    assert all(reveal(r.inputs)[k] == "Disabled" for r in linked_resources(prod, linked)
               for k in ("publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"))
    assert not _of(dev, T.MONITOR_PRIVATE_LINK_SCOPE)
    assert {reveal(r.inputs)["publicNetworkAccessForQuery"] for r in _of(dev, T.WORKSPACE)} == {"Enabled"}


def linked_resources(resources: list[Resource], urns: set[str]) -> list[Resource]:
    return [r for r in resources if r.urn in urns]


def test_model_deployments_are_serialized(prod: list[Resource]) -> None:
    for account in _of(prod, "azure-native:cognitiveservices:Account"):
        if reveal(account.inputs)["kind"] != "OpenAI":
            continue
        deployments = [d for d in _of(prod, "azure-native:cognitiveservices:Deployment")
                       if account.urn in _deps(d, "accountName")]
        assert len(deployments) == 2
        first, second = deployments
        assert first.urn in second.dependencies or second.urn in first.dependencies


def test_stateful_resources_protected_in_prod_only(prod: list[Resource], dev: list[Resource]) -> None:
    stateful = (T.KEY_VAULT, T.COGNITIVE_ACCOUNT,
                T.REDIS_ENTERPRISE, T.STORAGE,
                T.BACKUP_VAULT, T.WORKSPACE)
    assert all(r.protect for r in prod if r.type in stateful)
    assert not any(r.protect for r in dev)
    assert len(_of(prod, T.GROUP_LOCK)) == 2
    assert _of(dev, T.GROUP_LOCK) == []


def test_dev_is_smaller_and_cheaper(prod: list[Resource], dev: list[Resource]) -> None:
    assert len(dev) < len(prod) / 2
    (redis,) = _of(_stamped(dev), T.REDIS_ENTERPRISE)
    assert reveal(redis.inputs)["sku"]["name"] == "Balanced_B0"
    assert _of(dev, "azure-native:trafficmanager:Profile") == []


# --- Pattern 1: vision, text and search back ends, the frontend behind the edge -----------------

def _named(resources: list[Resource], type_token: str) -> dict[str, Resource]:
    return {r.name: r for r in _of(resources, type_token)}


@pytest.mark.parametrize(("target_type", "target", "role", "workload"), [
    ("azure-native:cognitiveservices:Account", "cv-{loc}", "Cognitive Services User", "vision"),
    ("azure-native:cognitiveservices:Account", "di-{loc}", "Cognitive Services User", "text"),
    ("azure-native:search:Service", "search-{loc}", "Search Index Data Reader", "chat"),
    ("azure-native:search:Service", "search-{loc}", "Search Index Data Contributor", "functions"),
])
def test_each_back_end_is_granted_to_its_one_caller_in_its_region(
        prod: list[Resource], target_type: str, target: str, role: str, workload: str) -> None:
    targets, identities = _named(prod, target_type), _named(prod, "azure-native:managedidentity:UserAssignedIdentity")
    for loc in ("eastus2", "westus3"):
        resource = targets[target.format(loc=loc)]
        grants = [ra for ra in _of(prod, "azure-native:authorization:RoleAssignment")
                  if _deps(ra, "scope") == {resource.urn} and reveal(ra.inputs)["description"].startswith(role)]
        assert len(grants) == 1, (resource.name, role)
        assert _deps(grants[0], "principalId") == {identities[f"id-{loc}-{workload}"].urn}


@pytest.mark.parametrize(("service", "variable", "source"), [
    ("vision", "AZURE_VISION_ENDPOINT", "cv-{loc}"),
    ("text", "AZURE_DOCUMENT_INTELLIGENCE_ENDPOINT", "di-{loc}"),
    ("chat", "AZURE_SEARCH_ENDPOINT", "search-{loc}"),
])
def test_each_service_receives_its_back_ends_endpoint(prod: list[Resource], service: str, variable: str,
                                                     source: str) -> None:
    by_name = {r.name: r for r in prod}
    for loc in ("eastus2", "westus3"):
        app = by_name[f"cae-{loc}-{service}"]
        env = {e["name"]: e.get("value") for e in reveal(app.inputs)["template"]["containers"][0]["env"]}
        assert env[variable].startswith("https://") and loc in env[variable]
        assert by_name[source.format(loc=loc)].urn in _deps(app, "template")
    others = [r for r in _of(prod, "azure-native:app:ContainerApp") if not r.name.endswith(f"-{service}")]
    assert not any(variable in str(reveal(r.inputs)) for r in others)


def test_the_ingesting_function_writes_to_its_regions_search(prod: list[Resource]) -> None:
    (function,) = _of(prod, "azure-native:web:WebApp")
    settings = {s["name"]: s["value"] for s in reveal(function.inputs)["siteConfig"]["appSettings"]}
    assert settings["AZURE_SEARCH_ENDPOINT"].startswith("https://srch-aip-prod-eastus2-")
    assert settings["AZURE_SEARCH_ENDPOINT"].endswith(".search.windows.net")


def test_frontend_is_served_from_the_edge_and_calls_the_api_through_the_public_entry(
        prod: list[Resource], dev: list[Resource]) -> None:
    for resources, entry_type in ((prod, "azure-native:trafficmanager:Profile"),
                                  (dev, "azure-native:network:PublicIPAddress")):
        (site,) = _of(resources, "azure-native:web:StaticSite")
        origins = _named(resources, "azure-native:cdn:AFDOrigin")
        assert _deps(origins["edge-site-origin"], "hostName") == {site.urn}
        (entry,) = _of(resources, entry_type)
        assert _deps(origins["edge-api-origin"], "hostName") == {entry.urn}
        routes = {reveal(r.inputs)["routeName"]: reveal(r.inputs) for r in _of(resources, "azure-native:cdn:Route")}
        assert routes["api"]["patternsToMatch"] == ["/api/*"] and "cacheConfiguration" not in routes["api"]
        assert routes["site"]["patternsToMatch"] == ["/*"]
    api = reveal(_named(prod, "azure-native:cdn:AFDOrigin")["edge-api-origin"].inputs)
    assert api["originHostHeader"] == "ai.contoso.com" and api["enforceCertificateNameCheck"] is True


def test_dev_pattern1_stays_small(dev: list[Resource]) -> None:
    (service,) = _of(dev, "azure-native:search:Service")
    inputs = reveal(service.inputs)
    assert inputs["sku"] == {"name": "basic"} and inputs["replicaCount"] == 1 and inputs["partitionCount"] == 1
    (site,) = _of(dev, "azure-native:web:StaticSite")
    assert reveal(site.inputs)["sku"]["name"] == "Free"
    (profile,) = _of(dev, "azure-native:cdn:Profile")
    assert reveal(profile.inputs)["sku"] == {"name": "Standard_AzureFrontDoor"}
    assert {reveal(a.inputs)["location"] for a in _of(dev, "azure-native:cognitiveservices:Account")} == {"eastus2"}
