"""CognitiveAccount: Computer Vision and Document Intelligence, keyless and private, granted to one caller."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.cognitive import KINDS, ZONES, CognitiveAccount, CognitiveAccountArgs, CognitiveAccountError, Kind
from components.common import Common, RoleGrant
from components.naming import NamingError
from components.private_endpoint import PrivateLinkError
from components.rbac import ROLES, RoleError
from dryrun.mocks import TENANT_ID
from tests.components.common_inputs import LINK, WORKSPACE, config_problems, make_common, resolve
from tests.harness import Declared, declare, walk

ACCOUNT = "azure-native:cognitiveservices:Account"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
ROLE = "azure-native:authorization:RoleAssignment"
DIAG = "azure-native:monitor:DiagnosticSetting"
VISION_PRINCIPAL = "44444444-4444-4444-4444-444444444444"


def _build(kind: Kind = "ComputerVision", common: Common | None = None, stack: str = "prod",
           consumers: dict[str, Any] | None = None) -> tuple[Declared, CognitiveAccount]:
    built: list[CognitiveAccount] = []

    def build() -> None:
        built.append(CognitiveAccount("cv", CognitiveAccountArgs(
            common=common or make_common(protect=True), kind=kind, base_name="aip-prod", stack=stack,
            tenant_id=TENANT_ID, consumers={"vision": VISION_PRINCIPAL} if consumers is None else consumers)))

    return declare(build), built[0]


KIND_VALUES: tuple[Kind, ...] = ("ComputerVision", "FormRecognizer")


@pytest.fixture(scope="module", params=KIND_VALUES)
def built(request: pytest.FixtureRequest) -> tuple[Kind, Declared, CognitiveAccount]:
    return (request.param, *_build(request.param))


# Each secure setting, as the account's inputs must carry it: flipping any one fails its case.
SECURE_SETTINGS = [
    ("properties.disableLocalAuth", True),
    ("properties.publicNetworkAccess", "Disabled"),
    ("properties.networkAcls.defaultAction", "Deny"),
    ("properties.networkAcls.bypass", "None"),
    ("properties.networkAcls.ipRules", []),
    ("properties.networkAcls.virtualNetworkRules", []),
    ("properties.restrictOutboundNetworkAccess", True),
    ("properties.allowedFqdnList", []),
    ("identity.type", "SystemAssigned"),
]


def _at(inputs: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        inputs = inputs[key]
    return inputs


@pytest.mark.parametrize(("path", "expected"), SECURE_SETTINGS, ids=[p for p, _ in SECURE_SETTINGS])
def test_secure_setting_is_declared(built: tuple[Kind, Declared, CognitiveAccount], path: str, expected: Any) -> None:
    _, declared, _ = built
    assert _at(declared.inputs(ACCOUNT), path) == expected


def test_kind_sku_and_subdomain(built: tuple[Kind, Declared, CognitiveAccount]) -> None:
    kind, declared, _ = built
    account = declared.inputs(ACCOUNT)
    assert account["kind"] == kind and account["sku"] == {"name": KINDS[kind].sku}
    subdomain = account["properties"]["customSubDomainName"]
    assert subdomain == account["accountName"]
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9]|-(?!-)){0,62}[a-z0-9]", subdomain)
    assert subdomain.startswith(f"{KINDS[kind].prefix}-aip-prod-eastus2-")
    assert _build(kind, stack="prod-eu")[0].inputs(ACCOUNT)["accountName"] != subdomain


def test_vision_and_documents_get_distinct_global_names() -> None:
    vision = _build("ComputerVision")[0].inputs(ACCOUNT)["accountName"]
    documents = _build("FormRecognizer")[0].inputs(ACCOUNT)["accountName"]
    assert vision != documents


def test_private_endpoint_uses_the_cognitiveservices_zone_only(built: tuple[Kind, Declared, CognitiveAccount]) -> None:
    _, declared, component = built
    connection = declared.inputs(ENDPOINT)["privateLinkServiceConnections"][0]
    assert connection["groupIds"] == ["account"]
    assert connection["privateLinkServiceId"] == resolve(component.account_id)
    zones = [c["privateDnsZoneId"] for c in declared.inputs(ZONE_GROUP)["privateDnsZoneConfigs"]]
    assert zones == [LINK.zone_ids["privatelink.cognitiveservices.azure.com"]] and ZONES == (
        "privatelink.cognitiveservices.azure.com",)


def test_the_consumer_gets_cognitive_services_user_on_this_account_only(
        built: tuple[Kind, Declared, CognitiveAccount]) -> None:
    _, declared, component = built
    (assignment,) = declared.of_type(ROLE)
    inputs = declared.inputs(ROLE)
    assert assignment.name == "cv-cognitive-services-user-vision"
    assert inputs["scope"] == resolve(component.account_id)
    assert inputs["principalId"] == VISION_PRINCIPAL and inputs["principalType"] == "ServicePrincipal"
    assert inputs["roleDefinitionId"].endswith(ROLES["Cognitive Services User"])


def test_audit_logs_go_to_the_workspace(built: tuple[Kind, Declared, CognitiveAccount]) -> None:
    _, declared, component = built
    diag = declared.inputs(DIAG)
    assert diag["resourceUri"] == resolve(component.account_id) and diag["workspaceId"] == WORKSPACE
    assert {log["category"] for log in diag["logs"]} == {"Audit", "RequestResponse", "Trace"}


def test_protected_in_prod_only() -> None:
    assert _build(common=make_common(protect=True))[0].one(ACCOUNT).protect
    assert not _build(common=make_common(protect=False))[0].one(ACCOUNT).protect


def test_outputs_are_the_endpoint_and_identity_never_a_key(built: tuple[Kind, Declared, CognitiveAccount]) -> None:
    kind, declared, component = built
    subdomain = declared.inputs(ACCOUNT)["accountName"]
    assert resolve(component.endpoint) == f"https://{subdomain}.cognitiveservices.azure.com/"
    assert component.endpoint_variable == KINDS[kind].endpoint_variable
    assert re.fullmatch(r"[0-9a-f-]{36}", resolve(component.principal_id))
    for resource in declared.resources:
        assert not any(isinstance(v, str) and "listkeys" in v.lower() for v in walk(resource.inputs))


@pytest.mark.parametrize(("common", "consumers", "error", "match"), [
    (make_common(private_link=None), None, PrivateLinkError, "private endpoint"),
    (make_common(role_grants=[RoleGrant(principal_id=VISION_PRINCIPAL, role="Owner", description="x")]), None,
     RoleError, "privileged"),
    (make_common(role_grants=[RoleGrant(principal_id=VISION_PRINCIPAL, role="Cognitive Services User",
                                        description="vision")]), None, RoleError, "repeats role"),
    (make_common(location="East US"), None, NamingError, "DNS name"),
], ids=["no-private-link", "privileged-role", "repeated-grant", "bad-location"])
def test_bad_inputs_are_refused_before_anything_is_declared(common: Common, consumers: dict[str, Any] | None,
                                                            error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        _build(common=common, consumers=consumers)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(CognitiveAccountError, match="not supported"):
        _build(kind="OpenAI")  # type: ignore[arg-type]


def test_zone_outside_the_group_is_refused() -> None:
    from components.private_endpoint import check_private_link
    with pytest.raises(PrivateLinkError, match="do not serve group"):
        check_private_link("cv", make_common(), "account", ("privatelink.search.windows.net",))


@pytest.mark.parametrize(("key", "value", "field", "message"), [
    ("vision", {"consumer": "images"}, "aiServices.vision.consumer", "not a containerApps service"),
    ("documentIntelligence", {"consumer": "ocr"}, "aiServices.documentIntelligence.consumer",
     "not a containerApps service"),
    ("vision", {"consumer": "Vision!"}, "aiServices.vision.consumer", "not a valid name"),
    ("vision", {"consumer": "vision", "sku": "F0"}, "aiServices.vision.sku", "not a known key"),
])
def test_config_names_the_consumer_field_and_fix(key: str, value: dict[str, Any], field: str, message: str) -> None:
    def change(section: dict[str, Any]) -> None:
        section[key] = value

    assert message in config_problems("prod", "aiServices", change)[field]


def test_every_supported_kind_is_tested() -> None:
    assert set(KIND_VALUES) == set(KINDS)
