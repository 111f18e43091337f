"""The AI gateway in the composed stacks: where a gateway exists, OpenAI is reached only through it."""

from __future__ import annotations

import pytest

from dryrun.model import Resource, reveal
from tests.harness import program_run

SERVICE = "azure-native:apimanagement:ApiManagementService"
ROLE = "azure-native:authorization:RoleAssignment"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
WORKSPACE = "azure-native:operationalinsights:Workspace"
QUERY_RULE = "azure-native:monitor:ScheduledQueryRule"
METRIC_ALERT = "azure-native:monitor:MetricAlert"


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> tuple[str, list[Resource]]:
    return request.param, program_run(request.param).resources


def _of(resources: list[Resource], type_token: str) -> list[Resource]:
    return [r for r in resources if r.type == type_token]


def test_every_region_has_a_gateway(stack: tuple[str, list[Resource]]) -> None:
    name, resources = stack
    regions = {reveal(r.inputs)["location"] for r in _of(resources, "azure-native:cognitiveservices:Account")}
    gateways = {reveal(r.inputs)["location"] for r in _of(resources, SERVICE)}
    assert gateways == regions and len(regions) == (2 if name == "prod" else 1)


def test_only_gateway_identities_hold_a_role_on_openai(stack: tuple[str, list[Resource]]) -> None:
    _, resources = stack
    services = {r.urn for r in _of(resources, SERVICE)}
    accounts = {r.urn for r in _of(resources, "azure-native:cognitiveservices:Account")
                if reveal(r.inputs)["kind"] == "OpenAI"}
    openai_roles = [r for r in _of(resources, ROLE) if reveal(r.inputs)["roleDefinitionId"].endswith(OPENAI_USER)]
    assert openai_roles
    for role in openai_roles:
        assert set(role.property_dependencies["principalId"]) <= services, role.name
        assert set(role.property_dependencies["scope"]) <= accounts, role.name
    # Every gateway reaches every account.
    assert len(openai_roles) == len(services) * len(accounts)


def test_workloads_use_their_regions_gateway_as_the_openai_endpoint(stack: tuple[str, list[Resource]]) -> None:
    _, resources = stack
    gateways = {reveal(r.inputs)["location"]: f"https://{reveal(r.inputs)['serviceName']}.azure-api.net/"
                for r in _of(resources, SERVICE)}
    apps = _of(resources, "azure-native:app:ContainerApp")
    assert apps
    for app in apps:
        inputs = reveal(app.inputs)
        env = {e["name"]: e.get("value") for e in inputs["template"]["containers"][0]["env"]}
        assert env["AZURE_OPENAI_ENDPOINT"] == gateways[inputs["location"]], app.name
    for site in _of(resources, "azure-native:web:WebApp"):
        settings = {s["name"]: s["value"] for s in reveal(site.inputs)["siteConfig"]["appSettings"]}
        assert settings["AZURE_OPENAI_ENDPOINT"].endswith(".azure-api.net/"), site.name


def test_regions_are_peered_both_ways_for_cross_region_failover(stack: tuple[str, list[Resource]]) -> None:
    name, resources = stack
    peerings = [reveal(r.inputs) for r in _of(resources, "azure-native:network:VirtualNetworkPeering")]
    assert len(peerings) == (2 if name == "prod" else 0)
    assert all(p["allowForwardedTraffic"] is False and p["useRemoteGateways"] is False for p in peerings)


def test_each_region_watches_its_gateway_model_path_and_tokens(stack: tuple[str, list[Resource]]) -> None:
    _, resources = stack
    workspaces = {reveal(r.inputs)["location"]: r.urn for r in _of(resources, WORKSPACE)}
    model_rules = [r for r in _of(resources, QUERY_RULE) if reveal(r.inputs)["ruleName"].endswith(
        ("-slo-model-latency", "-slo-model-error-rate"))]
    assert len(model_rules) == 2 * len(workspaces)
    for rule in model_rules:
        assert rule.property_dependencies["scopes"] == [workspaces[reveal(rule.inputs)["location"]]]
    tokens = [reveal(r.inputs)["criteria"]["allOf"][0] for r in _of(resources, METRIC_ALERT)
              if reveal(r.inputs)["ruleName"].endswith("-tokens-per-hour")]
    assert len(tokens) == len(workspaces)
    assert all((c["metricNamespace"], c["metricName"]) == ("ai-gateway", "Total Tokens") for c in tokens)


def test_the_semantic_cache_runs_in_every_gateway(stack: tuple[str, list[Resource]]) -> None:
    _, resources = stack
    caches = _of(resources, "azure-native:apimanagement:Cache")
    assert len(caches) == len(_of(resources, SERVICE))
    documents = [reveal(r.inputs)["value"] for r in _of(resources, "azure-native:apimanagement:ApiPolicy")]
    assert documents and all("<azure-openai-semantic-cache-lookup" in d for d in documents)
