"""FrontDoor: the frontend's CDN edge with a WAF, the API route to the public entry point, and its logs."""

from __future__ import annotations

from typing import Any

import pytest

from components.front_door import API_PATTERN, LOG_CATEGORIES, FrontDoor, FrontDoorArgs, FrontDoorError
from dryrun.mocks import TENANT_ID
from stack_config import model
from tests.components.common_inputs import WORKSPACE, config_problems, make_common, resolve
from tests.harness import Declared, declare, stack_config

WAF = "azure-native:frontdoor:Policy"
PROFILE = "azure-native:cdn:Profile"
ENDPOINT = "azure-native:cdn:AFDEndpoint"
ORIGIN = "azure-native:cdn:AFDOrigin"
GROUP = "azure-native:cdn:AFDOriginGroup"
ROUTE = "azure-native:cdn:Route"
DOMAIN = "azure-native:cdn:AFDCustomDomain"
SECURITY = "azure-native:cdn:SecurityPolicy"
DIAG = "azure-native:monitor:DiagnosticSetting"
SITE_HOST = "gentle-river-0a1b2c.5.azurestaticapps.net"
ENTRY = "tm-aip-prod-global-abc123.trafficmanager.net"


def _build(config: model.Frontend, host_header: str = "ai.contoso.com") -> tuple[Declared, FrontDoor]:
    built: list[FrontDoor] = []
    declared = declare(lambda: built.append(FrontDoor("edge", FrontDoorArgs(
        common=make_common(), config=config, base_name="aip-prod", stack="prod", tenant_id=TENANT_ID,
        site_host=SITE_HOST, api_origin=ENTRY, api_host_header=host_header))))
    return declared, built[0]


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, FrontDoor]:
    return _build(stack_config("prod").frontend)


@pytest.fixture(scope="module")
def dev() -> tuple[Declared, FrontDoor]:
    return _build(stack_config("dev").frontend)


def test_profile_and_waf_share_the_tier(prod: tuple[Declared, FrontDoor], dev: tuple[Declared, FrontDoor]) -> None:
    for declared, sku in ((prod[0], "Premium_AzureFrontDoor"), (dev[0], "Standard_AzureFrontDoor")):
        assert declared.inputs(PROFILE)["sku"] == {"name": sku}
        assert declared.inputs(WAF)["sku"] == {"name": sku}
        assert declared.inputs(PROFILE)["location"] == "global"


WAF_SETTINGS = [
    ("policySettings.enabledState", "Enabled"),
    ("policySettings.mode", "Prevention"),
    ("policySettings.requestBodyCheck", "Enabled"),
    ("managedRules.managedRuleSets.0.ruleSetType", "Microsoft_DefaultRuleSet"),
    ("managedRules.managedRuleSets.0.ruleSetVersion", "2.1"),
    ("managedRules.managedRuleSets.0.ruleSetAction", "Block"),
    ("managedRules.managedRuleSets.1.ruleSetType", "Microsoft_BotManagerRuleSet"),
    ("customRules.rules.0.ruleType", "RateLimitRule"),
    ("customRules.rules.0.action", "Block"),
    ("customRules.rules.0.rateLimitThreshold", 1000),
]


def _at(inputs: Any, path: str) -> Any:
    for key in path.split("."):
        inputs = inputs[int(key)] if key.isdigit() else inputs[key]
    return inputs


@pytest.mark.parametrize(("path", "expected"), WAF_SETTINGS, ids=[p for p, _ in WAF_SETTINGS])
def test_prod_waf_setting_is_declared(prod: tuple[Declared, FrontDoor], path: str, expected: Any) -> None:
    assert _at(prod[0].inputs(WAF), path) == expected


def test_standard_tier_has_custom_rules_only(dev: tuple[Declared, FrontDoor]) -> None:
    waf = dev[0].inputs(WAF)
    assert waf["managedRules"] == {"managedRuleSets": []}
    assert waf["customRules"]["rules"][0]["ruleType"] == "RateLimitRule"


def test_waf_covers_every_domain_of_the_endpoint(prod: tuple[Declared, FrontDoor]) -> None:
    declared, _ = prod
    (association,) = declared.inputs(SECURITY)["parameters"]["associations"]
    assert association["patternsToMatch"] == ["/*"]
    endpoint = declared.inputs(ENDPOINT)["endpointName"]
    assert sorted(d["id"].rsplit("/", 2)[-2:][0] + "/" + d["id"].rsplit("/", 1)[-1]
                  for d in association["domains"]) == [f"afdEndpoints/{endpoint}", "customDomains/www-contoso-com"]
    assert {declared.one(ENDPOINT).urn, declared.one(DOMAIN).urn, declared.one(WAF).urn} <= set(
        declared.one(SECURITY).property_dependencies["parameters"])


def test_routes_cache_content_and_never_the_api(prod: tuple[Declared, FrontDoor]) -> None:
    declared, _ = prod
    routes = {r["routeName"]: r for r in (declared.inputs(ROUTE, r.name) for r in declared.of_type(ROUTE))}
    assert routes["site"]["patternsToMatch"] == ["/*"] and routes["api"]["patternsToMatch"] == [API_PATTERN]
    assert routes["site"]["cacheConfiguration"]["compressionSettings"]["isCompressionEnabled"] is True
    assert "cacheConfiguration" not in routes["api"]
    for route in routes.values():
        assert route["forwardingProtocol"] == "HttpsOnly" and route["httpsRedirect"] == "Enabled"
        assert len(route["customDomains"]) == 1


def test_origins_check_certificates_and_probe_health(prod: tuple[Declared, FrontDoor]) -> None:
    declared, _ = prod
    site, api = declared.inputs(ORIGIN, "edge-site-origin"), declared.inputs(ORIGIN, "edge-api-origin")
    assert (site["hostName"], site["originHostHeader"]) == (SITE_HOST, SITE_HOST)
    assert (api["hostName"], api["originHostHeader"]) == (ENTRY, "ai.contoso.com")
    assert site["enforceCertificateNameCheck"] is True and api["enforceCertificateNameCheck"] is True
    probes = {g.name: declared.inputs(GROUP, g.name)["healthProbeSettings"] for g in declared.of_type(GROUP)}
    assert probes["edge-api"]["probePath"] == "/health" and probes["edge-api"]["probeProtocol"] == "Https"
    assert probes["edge-site"]["probeRequestType"] == "HEAD"


def test_routes_wait_for_their_origins(prod: tuple[Declared, FrontDoor]) -> None:
    declared, _ = prod
    origins = {o.name: o.urn for o in declared.of_type(ORIGIN)}
    for route in declared.of_type(ROUTE):
        assert origins[f"edge-{declared.inputs(ROUTE, route.name)['routeName']}-origin"] in route.dependencies


def test_custom_domain_has_a_managed_tls12_certificate(prod: tuple[Declared, FrontDoor],
                                                       dev: tuple[Declared, FrontDoor]) -> None:
    declared, component = prod
    domain = declared.inputs(DOMAIN)
    assert domain["hostName"] == "www.contoso.com"
    assert domain["tlsSettings"] == {"certificateType": "ManagedCertificate", "minimumTlsVersion": "TLS12"}
    assert resolve(component.public_host) == "www.contoso.com"
    assert component.domain_validation is not None and resolve(component.domain_validation)
    assert not dev[0].of_type(DOMAIN) and dev[1].domain_validation is None
    assert resolve(dev[1].public_host).endswith(".azurefd.net")


def test_access_probe_and_waf_logs_go_to_the_workspace(prod: tuple[Declared, FrontDoor]) -> None:
    declared, component = prod
    diag = declared.inputs(DIAG)
    assert diag["resourceUri"] == resolve(component.profile_id) and diag["workspaceId"] == WORKSPACE
    assert [log["category"] for log in diag["logs"]] == list(LOG_CATEGORIES)


def test_front_door_id_is_exported_for_the_sites_forwarding_gateway(prod: tuple[Declared, FrontDoor]) -> None:
    assert len(resolve(prod[1].front_door_id)) == 36


def test_api_host_header_is_required() -> None:
    with pytest.raises(FrontDoorError, match=r"appGateway\.hostName"):
        _build(stack_config("prod").frontend, host_header="")


def test_config_requires_the_gateway_host_name_for_the_api_route() -> None:
    problems = config_problems("dev", "appGateway", lambda g: g.pop("hostName"))
    assert "/api/* route" in problems["appGateway.hostName"]


@pytest.mark.parametrize(("value", "message"), [(5, "greater than or equal to 10"), ("many", "valid integer")])
def test_rate_limit_config_is_validated(value: Any, message: str) -> None:
    problems = config_problems("prod", "frontend", lambda f: f.update(ratePerMinute=value))
    assert "not a known key" in problems["frontend.ratePerMinute"]
    problems = config_problems("prod", "frontend", lambda f: f.update(rateLimitPerMinute=value))
    assert message in problems["frontend.rateLimitPerMinute"]
