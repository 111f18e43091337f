"""Frontend relations (policies/relations/frontend.py): the frontend as components/front_door.py wires
it passes; an endpoint or domain without a WAF, or an API origin around the entry point, fails."""

from __future__ import annotations

from policies.relations.frontend import front_door_waf_attached, frontend_api_through_public_entry
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources, table_tests

CUSTOM_ENTRY = file_config({"frontend-api-through-public-entry": {"entryHosts": ["api.contoso.com"]}})
APP_GATEWAY_WAF = (f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/"
                   "ApplicationGatewayWebApplicationFirewallPolicies/agw-waf")
AREA = [front_door_waf_attached, frontend_api_through_public_entry]

# (policy, compliant program[, config]) — each must pass.
PASSING = [
    (front_door_waf_attached, s.edge()),
    (front_door_waf_attached, s.edge(site=False)),  # a Front Door without a static site
    (frontend_api_through_public_entry, s.edge()),
    (frontend_api_through_public_entry, s.edge(api="gateway")),  # dev: the region's WAF gateway
    (frontend_api_through_public_entry, s.edge(api="tm-aip-prod.trafficmanager.net")),
    (frontend_api_through_public_entry, s.edge(api="api.contoso.com"), CUSTOM_ENTRY),
]

# (policy, violating program[, config], a fragment of the message) — each must fail with exactly that policy.
FAILING = [
    (front_door_waf_attached, s.edge(link=False), "Front Door endpoint 'edge-endpoint' is in no WAF security policy"),
    (front_door_waf_attached, s.edge(link_domain=False), "Front Door custom domain 'edge-domain' is in no WAF"),
    (front_door_waf_attached, s.edge(patterns=["/api/*"]), "endpoint 'edge-endpoint' is in no WAF security policy"),
    (front_door_waf_attached, s.edge(waf_id=APP_GATEWAY_WAF), "custom domain 'edge-domain' is in no WAF"),
    (frontend_api_through_public_entry, s.edge(api="container-app"),
     "origin 'edge-api-origin' serves the API from 'chat' (azure-native:app:ContainerApp)"),
    (frontend_api_through_public_entry, s.edge(api="ca-chat.example.eastus2.azurecontainerapps.io"),
     "neither this stack's Traffic Manager profile nor a WAF gateway's address"),
    (frontend_api_through_public_entry, s.edge(api="api.contoso.com"), "list the name in entryHosts"),
]



test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_an_unlinked_name_is_reported_on_itself() -> None:
    resources = sdk_resources(s.edge(link_domain=False))
    domain = next(r for r in resources if r.name == "edge-domain")
    assert [v.urn for v in evaluate([front_door_waf_attached], resources)] == [domain.urn]


def test_a_waf_policy_unknown_during_preview_counts_as_attached() -> None:
    assert evaluate([front_door_waf_attached], sdk_resources(s.edge(waf_unknown=True))) == []


def test_no_front_door_means_nothing_to_check() -> None:
    assert evaluate([front_door_waf_attached, frontend_api_through_public_entry],
                    sdk_resources(s.static_site())) == []
