"""AIGateway: a private API Management gateway with token limits, token metrics, a circuit-breaking pool,
retries and an optional semantic cache; and the policy document it renders."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.ai_gateway import (
    CACHE_NAMED_VALUE,
    CACHE_SECRET,
    CUSTOM_PROPERTIES,
    OPENAI_SPEC,
    OPENAI_SPEC_COMMIT,
    OPENAI_SPEC_SHA256,
    OPENAI_SPEC_SOURCE,
    POOL_BACKEND,
    AIGateway,
    AIGatewayArgs,
    AIGatewayError,
    OpenAIBackend,
    gateway_zones,
    pool_order,
)
from components.ai_gateway_policy import ORDER, PolicyError, PolicyInputs, check, render
from components.keyvault import secret_expiry
from dryrun.mocks import TENANT_ID
from policies.relations.databases import redis_enterprise_access_keys_disabled
from stack_config.model import AIGateway as AIGatewayConfig
from stack_config.model import AlertThresholds, GatewayBackend, GatewayConsumer, GatewayRetry, SemanticCache
from tests.components.common_inputs import SUB, config_problems, make_common
from tests.harness import Declared, declare, stack_config
from tests.policies.support import evaluate

SERVICE = "azure-native:apimanagement:ApiManagementService"
BACKEND = "azure-native:apimanagement:Backend"
POLICY = "azure-native:apimanagement:ApiPolicy"
ROLE = "azure-native:authorization:RoleAssignment"
ALERT = "azure-native:monitor:MetricAlert"
DATABASE = "azure-native:redisenterprise:Database"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
CLIENT_IDS = {"chat": "11111111-1111-1111-1111-111111111111", "vision": "22222222-2222-2222-2222-222222222222",
              "text": "33333333-3333-3333-3333-333333333333", "functions": "44444444-4444-4444-4444-444444444444"}
ACCOUNTS = {loc: f"{SUB}/Microsoft.CognitiveServices/accounts/oai-{loc}" for loc in ("eastus2", "westus3")}


def _config(stack: str = "prod", **changes: Any) -> AIGatewayConfig:
    cfg = stack_config(stack).ai_gateway
    assert cfg is not None
    return cfg.model_copy(update=changes)


def _build(config: AIGatewayConfig, location: str = "eastus2") -> Declared:
    def build() -> None:
        AIGateway("gw", AIGatewayArgs(
            common=make_common(location=location), config=config, base_name="aip-prod", stack="prod",
            tenant_id=TENANT_ID, subnet_id=f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/apim",
            vnet_ids={"eastus2": f"{SUB}/Microsoft.Network/virtualNetworks/vnet-e",
                      "westus3": f"{SUB}/Microsoft.Network/virtualNetworks/vnet-w"},
            backends=[OpenAIBackend(loc, rid, f"https://oai-{loc}.openai.azure.com/") for loc, rid in ACCOUNTS.items()],
            client_ids=CLIENT_IDS, embeddings_deployment="embeddings",
            app_insights_id=f"{SUB}/Microsoft.Insights/components/appi",
            app_insights_connection_string="InstrumentationKey=k;IngestionEndpoint=https://x/",
            key_vault_id=f"{SUB}/Microsoft.KeyVault/vaults/kv", key_vault_name="kv",
            action_group_id=f"{SUB}/Microsoft.Insights/actionGroups/ag", thresholds=AlertThresholds()))

    return declare(build, stack="prod")


@pytest.fixture(scope="module")
def prod() -> Declared:
    return _build(_config())


@pytest.fixture(scope="module")
def cached(prod: Declared) -> Declared:
    assert _config().semantic_cache.enabled, "both stacks run the semantic cache"
    return prod


@pytest.fixture(scope="module")
def uncached() -> Declared:
    return _build(_config(semantic_cache=SemanticCache(enabled=False)))


def test_the_service_is_internal_only_with_a_system_identity_and_no_weak_tls(prod: Declared) -> None:
    service = prod.inputs(SERVICE)
    assert service["virtualNetworkType"] == "Internal"
    assert service["virtualNetworkConfiguration"]["subnetResourceId"].endswith("/subnets/apim")
    assert service["identity"]["type"] == "SystemAssigned"
    assert service["sku"] == {"name": "Premium", "capacity": 2}
    props = service["customProperties"]
    for protocol in ("Tls10", "Tls11", "Ssl30"):
        assert props[f"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.{protocol}"] == "false"
        assert props[f"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.{protocol}"] == "false"
    assert props["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168"] == "false"
    assert props == CUSTOM_PROPERTIES


def test_prod_pins_its_units_over_zones_with_a_zone_redundant_management_ip(prod: Declared) -> None:
    service = prod.inputs(SERVICE)
    assert service["zones"] == ["1", "2"]
    ip = prod.one("azure-native:network:PublicIPAddress")
    assert ip.urn in prod.one(SERVICE).property_dependencies["publicIpAddressId"]
    address = prod.inputs("azure-native:network:PublicIPAddress")
    assert address["sku"] == {"name": "Standard", "tier": "Regional"}
    assert (address["publicIPAllocationMethod"], address["publicIPAddressVersion"]) == ("Static", "IPv4")
    assert address["zones"] == ["1", "2", "3"]
    assert address["dnsSettings"]["domainNameLabel"] == service["serviceName"]


@pytest.mark.parametrize(("sku", "capacity", "location", "zones"), [
    ("Premium", 2, "eastus2", ["1", "2"]),
    ("Premium", 3, "eastus2", ["1", "2", "3"]),
    ("Premium", 4, "eastus2", ["1", "2"]),
    ("Premium", 6, "eastus2", ["1", "2", "3"]),
    ("Premium", 5, "eastus2", None),
    ("Premium", 1, "eastus2", None),
    ("Premium", 2, "westcentralus", None),  # no availability zones in the region table
    ("Developer", 1, "eastus2", None),
])
def test_zones_divide_the_units_in_zonal_regions_only(sku: str, capacity: int, location: str,
                                                      zones: list[str] | None) -> None:
    assert gateway_zones(sku, capacity, location) == zones


@settings(max_examples=12, deadline=None)
@given(capacity=st.integers(min_value=1, max_value=12))
def test_a_premium_gateway_pins_zones_exactly_when_config_accepts_its_capacity(capacity: int) -> None:
    zones = gateway_zones("Premium", capacity, "eastus2")
    if zones is None:
        problems = config_problems("prod", "aiGateway", lambda g: g.update(capacity=capacity))
        assert "spread evenly" in problems["aiGateway.capacity"]
    else:
        assert len(zones) >= 2 and capacity % len(zones) == 0 and set(zones) <= {"1", "2", "3"}


def test_developer_keeps_azures_managed_address_and_no_zones() -> None:
    dev = _build(_config("dev"))
    assert "zones" not in dev.inputs(SERVICE) and "publicIpAddressId" not in dev.inputs(SERVICE)
    assert not dev.of_type("azure-native:network:PublicIPAddress")


def test_the_gateway_alone_is_openai_user_on_every_account(prod: Declared) -> None:
    grants = [reveal for r in prod.of_type(ROLE) if (reveal := prod.inputs(ROLE, r.name))["roleDefinitionId"]
              .endswith(OPENAI_USER)]
    assert sorted(g["scope"] for g in grants) == sorted(ACCOUNTS.values())
    assert len({g["principalId"] for g in grants}) == 1


def test_every_account_backend_breaks_on_429_and_5xx_honouring_retry_after(prod: Declared) -> None:
    backends = [prod.inputs(BACKEND, r.name) for r in prod.of_type(BACKEND)]
    singles = [b for b in backends if b["type"] == "Single" and b["url"].endswith("/openai")]
    assert sorted(b["backendId"] for b in singles) == [f"openai-{loc}" for loc in sorted(ACCOUNTS)]
    for backend in singles:
        (rule,) = backend["circuitBreaker"]["rules"]
        ranges = [(r["min"], r["max"]) for r in rule["failureCondition"]["statusCodeRanges"]]
        assert ranges == [(429, 429), (500, 599)]
        assert rule["acceptRetryAfter"] is True
        assert rule["tripDuration"] == "PT60S" and rule["failureCondition"]["interval"] == "PT60S"
        assert backend["tls"] == {"validateCertificateChain": True, "validateCertificateName": True}


def _region(backend_id: str) -> str:
    found = re.search("|".join(ACCOUNTS), backend_id)
    assert found, backend_id
    return found.group(0)


def test_the_pool_puts_the_local_region_first(prod: Declared) -> None:
    pool = prod.inputs(BACKEND, "gw-backend-pool")
    assert pool["type"] == "Pool" and pool["backendId"] == POOL_BACKEND
    assert [(_region(s["id"]), s["priority"]) for s in pool["pool"]["services"]] == [("eastus2", 1), ("westus3", 2)]


def test_a_configured_layout_orders_the_pool_ptu_first() -> None:
    layout = [GatewayBackend(location="westus3", priority=1), GatewayBackend(location="eastus2", priority=2, weight=3)]
    declared = _build(_config(backends=layout))
    services = declared.inputs(BACKEND, "gw-backend-pool")["pool"]["services"]
    assert [(_region(s["id"]), s["priority"], s["weight"]) for s in services] == [
        ("westus3", 1, 1), ("eastus2", 2, 3)]


@settings(deadline=None)
@given(st.lists(st.sampled_from(["eastus2", "westus3", "swedencentral", "uksouth"]), min_size=1, unique=True))
def test_default_pool_order_is_local_first_for_any_region_set(regions: list[str]) -> None:
    local = regions[0]
    order = pool_order(local, regions, [])
    assert [o.location for o in order if o.priority == 1] == [local]
    assert sorted(o.location for o in order) == sorted(regions)


def test_the_api_is_the_vendored_inference_spec_inline_without_subscription_keys(prod: Declared) -> None:
    api = prod.inputs("azure-native:apimanagement:Api")
    # Inline content: nothing to download at deployment time, so an internal gateway imports it too.
    assert api["format"] == "openapi+json" and api["value"] == OPENAI_SPEC.read_text(encoding="utf-8")
    assert api["path"] == "openai"
    assert api["subscriptionRequired"] is False and api["protocols"] == ["https"]


def test_the_vendored_spec_is_the_pinned_upstream_file() -> None:
    raw = OPENAI_SPEC.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OPENAI_SPEC_SHA256, "edited by hand? re-vendor it (OPENAI_SPEC)"
    assert re.fullmatch(r"[0-9a-f]{40}", OPENAI_SPEC_COMMIT) and f"/{OPENAI_SPEC_COMMIT}/" in OPENAI_SPEC_SOURCE
    assert OPENAI_SPEC_SOURCE.endswith("/inference/stable/2024-10-21/inference.json")


def test_the_vendored_spec_is_openapi_3_with_every_operation_the_gateway_serves() -> None:
    spec = json.loads(OPENAI_SPEC.read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.0") and spec["info"]["version"] == "2024-10-21"
    operations = {(path, method): op["operationId"] for path, item in spec["paths"].items()
                  for method, op in item.items()}
    # Chat and text call chat completions, the semantic cache's store/lookup wrap them, embeddings back the cache.
    assert operations[("/deployments/{deployment-id}/chat/completions", "post")] == "ChatCompletions_Create"
    assert operations[("/deployments/{deployment-id}/completions", "post")] == "Completions_Create"
    assert operations[("/deployments/{deployment-id}/embeddings", "post")] == "embeddings_create"
    # The token metric's Deployment dimension reads the `deployment-id` path parameter on every operation.
    for (path, method), _ in operations.items():
        params = spec["paths"][path][method].get("parameters", [])
        assert {"in": "path", "name": "deployment-id"}.items() <= next(
            p for p in params if p["name"] == "deployment-id").items(), path
        assert any(p["name"] == "api-version" and p["in"] == "query" and p["required"] for p in params), path
    # Every in-document reference resolves: API Management imports the content as given.
    text = OPENAI_SPEC.read_text(encoding="utf-8")
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text)):
        assert ref in spec["components"]["schemas"], ref


def test_the_policy_limits_each_consumer_and_admits_only_their_identities(prod: Declared) -> None:
    document = prod.inputs(POLICY)["value"]
    check(document)
    for consumer in _config().consumers:
        assert f'counter-key="{consumer.service}" tokens-per-minute="{consumer.tokens_per_minute}"' in document
        assert f"<application-id>{CLIENT_IDS[consumer.service]}</application-id>" in document
    assert f'tenant-id="{TENANT_ID}"' in document


def test_the_logger_authenticates_with_the_managed_identity(prod: Declared) -> None:
    logger = prod.inputs("azure-native:apimanagement:Logger")
    assert logger["loggerType"] == "applicationInsights"
    assert logger["credentials"]["identityClientId"] == "SystemAssigned"
    diagnostic = prod.inputs("azure-native:apimanagement:Diagnostic")
    assert diagnostic["diagnosticId"] == "applicationinsights" and diagnostic["metrics"] is True


def test_the_gateway_name_resolves_privately_from_every_vnet(prod: Declared) -> None:
    zone = prod.inputs("azure-native:privatedns:PrivateZone")
    assert zone["privateZoneName"].endswith(".azure-api.net") and zone["privateZoneName"].startswith("apim-")
    assert len(prod.of_type("azure-native:privatedns:VirtualNetworkLink")) == 2
    record = prod.inputs("azure-native:privatedns:PrivateRecordSet")
    assert record["relativeRecordSetName"] == "@" and record["aRecords"][0]["ipv4Address"].startswith("10.")


def test_no_cache_declares_no_keyed_redis(uncached: Declared) -> None:
    assert not uncached.of_type(DATABASE)
    assert "semantic-cache" not in uncached.inputs(POLICY)["value"]


def test_the_semantic_cache_is_a_dedicated_redisearch_database_read_through_key_vault(cached: Declared) -> None:
    database = cached.inputs(DATABASE)
    assert (database["clusteringPolicy"], database["evictionPolicy"]) == ("EnterpriseCluster", "NoEviction")
    assert database["modules"] == [{"name": "RediSearch"}]
    assert cached.inputs("azure-native:redisenterprise:RedisEnterprise")["publicNetworkAccess"] == "Disabled"
    secret = cached.inputs("azure-native:keyvault:Secret")
    assert (secret["secretName"], secret["vaultName"]) == (CACHE_SECRET, "kv")
    assert secret["properties"]["value"].endswith(",ssl=True,abortConnect=False")
    named = cached.inputs("azure-native:apimanagement:NamedValue")
    assert named["secret"] is True and "secretIdentifier" in named["keyVault"] and "value" not in named
    assert cached.inputs("azure-native:apimanagement:Cache")["connectionString"] == f"{{{{{CACHE_NAMED_VALUE}}}}}"
    document = cached.inputs(POLICY)["value"]
    assert 'embeddings-backend-auth="system-assigned"' in document
    assert "<azure-openai-semantic-cache-store" in document


def test_the_cache_key_secret_expires_and_says_what_it_holds(cached: Declared) -> None:
    properties = cached.inputs("azure-native:keyvault:Secret")["properties"]
    assert properties["contentType"] == "text/plain"
    assert properties["attributes"] == {"enabled": True, "expires": secret_expiry()}


def test_the_cache_cluster_pages_on_load_and_memory(cached: Declared) -> None:
    alerts = [cached.inputs(ALERT, r.name) for r in cached.of_type(ALERT)]
    cluster = cached.one("azure-native:redisenterprise:RedisEnterprise")
    assert {a["criteria"]["allOf"][0]["metricName"] for a in alerts} == {"serverLoad", "usedmemorypercentage"}
    assert all(cluster.urn in r.property_dependencies["scopes"] for r in cached.of_type(ALERT))
    assert all(a["ruleName"].startswith("alert-aip-prod-apimcache-eastus2-redis-") for a in alerts)
    assert all(a["actions"] == [{"actionGroupId": f"{SUB}/Microsoft.Insights/actionGroups/ag"}] for a in alerts)


def test_the_gateway_cache_is_the_one_keyed_database_the_pack_accepts(cached: Declared) -> None:
    assert evaluate([redis_enterprise_access_keys_disabled], cached.resources) == []


def test_a_consumer_without_an_identity_is_refused_before_anything_is_declared() -> None:
    config = _config(consumers=[GatewayConsumer(service="ghost", tokens_per_minute=10)])
    with pytest.raises(AIGatewayError, match="ghost"):
        _build(config)


def test_a_gateway_without_a_local_account_is_refused() -> None:
    with pytest.raises(AIGatewayError, match="own region 'uksouth'"):
        _build(_config(), location="uksouth")


# --- the policy document ---------------------------------------------------------------------------------------

def _inputs(**changes: Any) -> PolicyInputs:
    values: dict[str, Any] = {"tenant_id": TENANT_ID, "client_ids": CLIENT_IDS, "consumers": _config().consumers,
                              "region": "eastus2", "pool_backend_id": POOL_BACKEND, "retry": GatewayRetry(),
                              "cache": SemanticCache(enabled=True), "embeddings_backend_id": "openai-embeddings"}
    return PolicyInputs(**{**values, **changes})


def _sequence(document: str, section: str) -> list[str]:
    import xml.etree.ElementTree as ElementTree
    node = ElementTree.fromstring(document).find(section)
    assert node is not None
    return [e.tag for e in node.iter() if e.tag in ORDER[section]]


def test_rendered_policy_runs_the_ai_statements_in_the_required_order() -> None:
    document = render(_inputs())
    assert _sequence(document, "inbound") == [
        "validate-azure-ad-token", "authentication-managed-identity", "azure-openai-semantic-cache-lookup",
        *["azure-openai-token-limit"] * len(_config().consumers), "azure-openai-emit-token-metric",
        "set-backend-service"]
    assert _sequence(document, "backend") == ["retry", "forward-request"]


@settings(deadline=None, max_examples=50)
@given(tpm=st.integers(min_value=1, max_value=100_000_000), count=st.integers(min_value=0, max_value=10),
       quota=st.one_of(st.none(), st.integers(min_value=1, max_value=10**12)))
def test_any_valid_config_renders_a_policy_that_passes_the_checks(tpm: int, count: int, quota: int | None) -> None:
    consumers = [GatewayConsumer(service="chat", tokens_per_minute=tpm, token_quota=quota)]
    document = render(_inputs(consumers=consumers, retry=GatewayRetry(count=count)))
    assert f'tokens-per-minute="{tpm}"' in document and f'count="{count}"' in document
    assert ("token-quota=" in document) == (quota is not None)


@pytest.mark.parametrize(("mutation", "message"), [
    pytest.param(lambda d: d.replace("<policies>", "<policies><inbound>", 1), "well-formed", id="not-well-formed"),
    pytest.param(lambda d: d.replace("<base />", "<rate-limit-by-magic />", 1), "unknown policy element",
                 id="unknown-element"),
    pytest.param(lambda d: re.sub(r"<authentication-managed-identity[^>]*/>", "", d), "authentication-managed",
                 id="no-managed-identity"),
    pytest.param(lambda d: re.sub(r"<retry [^>]*>", "", d).replace("</retry>", ""), "retry", id="no-retry"),
    pytest.param(lambda d: re.sub(r"(<set-backend-service [^>]*/>)", "", d).replace(
        "<choose>", '<set-backend-service backend-id="x" /><choose>', 1), "order must be", id="backend-before-limit"),
    pytest.param(lambda d: d.replace("<inbound>\n    <base />", "<inbound>", 1), "must start with <base",
                 id="inbound-without-base"),
])
def test_a_policy_that_lost_a_control_is_refused(mutation: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        check(mutation(render(_inputs())))


def test_a_consumer_missing_from_the_identities_cannot_render() -> None:
    with pytest.raises(PolicyError, match="ghost"):
        render(_inputs(consumers=[GatewayConsumer(service="ghost", tokens_per_minute=5)]))


# --- config -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field", "message"), [
    pytest.param(lambda g: g.update(sku="Developer"), "aiGateway.sku", "prod needs", id="prod-developer"),
    pytest.param(lambda g: g.update(capacity=1), "aiGateway.capacity", "cannot spread evenly", id="prod-one-unit"),
    pytest.param(lambda g: g.update(capacity=5), "aiGateway.capacity", "multiple of 2 or 3", id="prod-five-units"),
    pytest.param(lambda g: g["consumers"].append({"service": "ghost", "tokensPerMinute": 5}),
                 "aiGateway.consumers[4].service", "not a workload", id="unknown-consumer"),
    pytest.param(lambda g: g["consumers"].append({"service": "chat", "tokensPerMinute": 5}),
                 "aiGateway.consumers[4].service", "already", id="repeated-consumer"),
    pytest.param(lambda g: g.update(backends=[{"location": "uksouth", "priority": 1}]),
                 "aiGateway.backends[0].location", "no OpenAI account", id="backend-outside-stack"),
    pytest.param(lambda g: g.update(backends=[{"location": "eastus2", "priority": 1}]),
                 "aiGateway.backends", "add westus3", id="backend-layout-misses-a-region"),
    pytest.param(lambda g: g.update(semanticCache={"enabled": True, "embeddingsDeployment": "nope"}),
                 "aiGateway.semanticCache.embeddingsDeployment", "not an OpenAI deployment", id="unknown-embeddings"),
])
def test_config_refuses_gateways_the_stack_cannot_serve(change: Any, field: str, message: str) -> None:
    problems = config_problems("prod", "aiGateway", change)
    assert message in problems[field]


def test_developer_runs_exactly_one_unit() -> None:
    problems = config_problems("dev", "aiGateway", lambda g: g.update(capacity=2))
    assert "exactly one unit" in problems["aiGateway.capacity"]


def test_config_requires_an_api_management_subnet_per_region() -> None:
    problems = config_problems("prod", "network", lambda n: n["regions"][1]["subnets"].pop())
    assert "subnet of its own" in problems["network.regions[1].subnets"]
