"""SearchService: Entra-only, private Azure AI Search sized from config within each SKU's limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.common import Common
from components.private_endpoint import PrivateLinkError
from components.rbac import ROLES
from components.search import SearchService, SearchServiceArgs, SearchServiceError
from dryrun.mocks import TENANT_ID
from stack_config import model
from stack_config.validate import SEARCH_LIMITS, check_search
from tests.components.common_inputs import LINK, WORKSPACE, config_problems, make_common, resolve
from tests.harness import Declared, declare, stack_config

SERVICE = "azure-native:search:Service"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
ROLE = "azure-native:authorization:RoleAssignment"
DIAG = "azure-native:monitor:DiagnosticSetting"
CHAT = "55555555-5555-5555-5555-555555555555"
FUNCTIONS = "66666666-6666-6666-6666-666666666666"


def _build(config: model.Search | None = None, common: Common | None = None,
           stack: str = "prod") -> tuple[Declared, SearchService]:
    cfg = stack_config(stack)
    built: list[SearchService] = []

    def build() -> None:
        built.append(SearchService("search", SearchServiceArgs(
            common=common or make_common(protect=cfg.protect), config=config or cfg.search,
            base_name=f"{cfg.name_prefix}-{cfg.environment}", stack=stack, tenant_id=TENANT_ID,
            readers={"chat": CHAT}, writers={"functions": FUNCTIONS})))

    return declare(build), built[0]


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, SearchService]:
    return _build()


SECURE_SETTINGS = [
    ("disableLocalAuth", True),
    ("publicNetworkAccess", "Disabled"),
    ("networkRuleSet", {"bypass": "None", "ipRules": []}),
    ("identity", {"type": "SystemAssigned"}),
]


@pytest.mark.parametrize(("key", "expected"), SECURE_SETTINGS, ids=[k for k, _ in SECURE_SETTINGS])
def test_secure_setting_is_declared(prod: tuple[Declared, SearchService], key: str, expected: Any) -> None:
    assert prod[0].inputs(SERVICE)[key] == expected


def test_no_auth_options_alongside_disabled_local_auth(prod: tuple[Declared, SearchService]) -> None:
    # The REST spec: authOptions "cannot be set if 'disableLocalAuth' is set to true".
    assert "authOptions" not in prod[0].inputs(SERVICE)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_sku_capacity_and_semantic_search_follow_config(stack: str) -> None:
    cfg = stack_config(stack).search
    inputs = _build(stack=stack)[0].inputs(SERVICE)
    assert inputs["sku"] == {"name": cfg.sku}
    assert (inputs["replicaCount"], inputs["partitionCount"]) == (cfg.replicas, cfg.partitions)
    assert inputs["semanticSearch"] == cfg.semantic_search


def test_dev_is_basic_and_prod_standard_with_two_replicas() -> None:
    dev, prod = stack_config("dev").search, stack_config("prod").search
    assert (dev.sku, dev.replicas) == ("basic", 1)
    assert prod.sku == "standard" and prod.replicas >= 2


def test_name_is_a_stable_global_label(prod: tuple[Declared, SearchService]) -> None:
    declared, component = prod
    name = declared.inputs(SERVICE)["searchServiceName"]
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,58}[a-z0-9]", name) and name.startswith("srch-aip-prod-eastus2-")
    assert resolve(component.endpoint) == f"https://{name}.search.windows.net"
    assert _build(stack="dev")[0].inputs(SERVICE)["searchServiceName"] != name


def test_private_endpoint_in_the_search_zone(prod: tuple[Declared, SearchService]) -> None:
    declared, component = prod
    connection = declared.inputs(ENDPOINT)["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["searchService"]
    assert connection["privateLinkServiceId"] == resolve(component.service_id)
    zones = [c["privateDnsZoneId"] for c in declared.inputs(ZONE_GROUP)["privateDnsZoneConfigs"]]
    assert zones == [LINK.zone_ids["privatelink.search.windows.net"]]


def test_reader_and_writer_roles_on_the_service_only(prod: tuple[Declared, SearchService]) -> None:
    declared, component = prod
    scope = resolve(component.service_id)
    grants = {r.name: declared.inputs(ROLE, r.name) for r in declared.of_type(ROLE)}
    assert set(grants) == {"search-search-index-data-reader-chat", "search-search-index-data-contributor-functions"}
    for name, principal, role in (("search-search-index-data-reader-chat", CHAT, "Search Index Data Reader"),
                                  ("search-search-index-data-contributor-functions", FUNCTIONS,
                                   "Search Index Data Contributor")):
        assert grants[name]["scope"] == scope and grants[name]["principalId"] == principal
        assert grants[name]["roleDefinitionId"].endswith(ROLES[role])


def test_operation_logs_to_the_workspace_and_protected(prod: tuple[Declared, SearchService]) -> None:
    declared, component = prod
    diag = declared.inputs(DIAG)
    assert diag["resourceUri"] == resolve(component.service_id) and diag["workspaceId"] == WORKSPACE
    assert [log["category"] for log in diag["logs"]] == ["OperationLogs"]
    assert declared.one(SERVICE).protect
    assert not _build(common=make_common(protect=False))[0].one(SERVICE).protect


def test_component_refuses_capacity_its_sku_lacks() -> None:
    with pytest.raises(SearchServiceError, match=r"search\.replicas"):
        _build(config=model.Search(sku="basic", replicas=3, partitions=2))


def test_missing_private_link_is_refused() -> None:
    with pytest.raises(PrivateLinkError, match="private endpoint"):
        _build(common=make_common(private_link=None))


@given(sku=st.sampled_from(sorted(SEARCH_LIMITS)), replicas=st.integers(1, 12),
       partitions=st.sampled_from([1, 2, 3, 4, 6, 12]))
def test_capacity_rule_matches_the_documented_limits(sku: str, replicas: int, partitions: int) -> None:
    max_replicas, allowed, max_units = SEARCH_LIMITS[sku]
    search = model.Search.model_validate({"sku": sku, "replicas": replicas, "partitions": partitions})
    ok = replicas <= max_replicas and partitions in allowed and replicas * partitions <= max_units
    assert (not list(check_search(search, "dev", None))) == ok


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"sku": "basic"}, "search.sku", "'basic' is for dev"),
    ({"replicas": 1}, "search.replicas", "at least 2 replicas"),
    ({"replicas": 12, "partitions": 6}, "search.replicas", "72 search units"),
    ({"partitions": 5}, "search.partitions", "not allowed"),
    ({"sku": "free"}, "search.sku", "not allowed"),
    ({"semanticSearch": "premium"}, "search.semanticSearch", "not allowed"),
    ({"readers": ["chatbot"]}, "search.readers[0]", "not a containerApps service"),
], ids=["prod-basic", "prod-one-replica", "too-many-units", "odd-partitions", "free", "semantic", "reader"])
def test_config_names_the_field_and_fix(change: dict[str, Any], field: str, message: str) -> None:
    assert message in config_problems("prod", "search", lambda s: s.update(change))[field]


def test_basic_takes_at_most_three_search_units() -> None:
    problems = config_problems("dev", "search", lambda s: s.update(replicas=2, partitions=2))
    assert "4 search units, above the 3" in problems["search.replicas"]
