"""Specification of policies/rules/app_gateway.py (`app-gateway-waf-v2`, `app-gateway-no-inline-waf`,
`app-gateway-tls-policy`, `app-gateway-https-redirect`, `waf-policy-prevention`,
`waf-policy-managed-rule-set`, `app-gateway-autoscale`, `app-gateway-load-balancing`,
`app-gateway-health-probe-path`, `app-gateway-max-capacity`): what each policy accepts and what it
reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from collections.abc import Callable

import pulumi_azure_native.network as network
import pytest

from dryrun.model import Resource
from policies.rules.app_gateway import (
    app_gateway_autoscale,
    app_gateway_health_probe_path,
    app_gateway_https_redirect,
    app_gateway_load_balancing,
    app_gateway_max_capacity,
    app_gateway_no_inline_waf,
    app_gateway_tls_policy,
    app_gateway_waf_v2,
    waf_policy_managed_rule_set,
    waf_policy_prevention,
)
from tests.policies import secure_inputs as s
from tests.policies.support import env_config, evaluate, fired, flagged, names, sdk_resources, table_tests


def listener(name: str, protocol: str) -> network.ApplicationGatewayHttpListenerArgs:
    return network.ApplicationGatewayHttpListenerArgs(name=name, protocol=protocol)


RG = "rg-cost"


def _gateway(max_capacity: int | None, autoscale: bool = True) -> list[Resource]:
    return sdk_resources(lambda: network.ApplicationGateway(
        "agw", resource_group_name=RG,
        sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2", capacity=None if autoscale else 4),
        autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(
            min_capacity=0, max_capacity=max_capacity) if autoscale else None))



def gateway_probe(path: str) -> s.Program:
    return s.app_gateway(probes=[network.ApplicationGatewayProbeArgs(
        name="health", protocol="Https", path=path, interval=30, timeout=10, unhealthy_threshold=3,
        pick_host_name_from_backend_http_settings=True)])


# (policy, compliant program[, config])
PASSING = [
    (app_gateway_waf_v2, s.app_gateway()),
    (app_gateway_no_inline_waf, s.app_gateway()),
    (app_gateway_tls_policy, s.app_gateway()),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=network.ApplicationGatewaySslPolicyArgs(
        policy_type="CustomV2", min_protocol_version="TLSv1_3"))),
    (app_gateway_https_redirect, s.app_gateway()),
    (waf_policy_prevention, s.waf_policy()),
    (waf_policy_managed_rule_set, s.waf_policy()),
    (waf_policy_managed_rule_set, s.waf_policy(managed_rules=network.ManagedRulesDefinitionArgs(
        managed_rule_sets=[network.ManagedRuleSetArgs(rule_set_type="OWASP", rule_set_version="3.2")]))),
    (app_gateway_health_probe_path, s.app_gateway()),
    (app_gateway_autoscale, s.app_gateway()),
    (app_gateway_load_balancing, s.app_gateway()),
    (app_gateway_health_probe_path, gateway_probe("/health/")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (app_gateway_waf_v2, s.app_gateway(sku=network.ApplicationGatewaySkuArgs(
        name="Standard_v2", tier="Standard_v2")), "use WAF_v2"),
    (app_gateway_waf_v2, s.app_gateway(firewall_policy=None), "no WAF policy"),
    (app_gateway_no_inline_waf, s.app_gateway(
        web_application_firewall_configuration=network.ApplicationGatewayWebApplicationFirewallConfigurationArgs(
            enabled=True, firewall_mode="Prevention", rule_set_type="OWASP", rule_set_version="3.2")), "2027"),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=None), "no sslPolicy"),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=network.ApplicationGatewaySslPolicyArgs(
        policy_type="Predefined", policy_name="AppGwSslPolicy20170401")), "AppGwSslPolicy20170401"),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=network.ApplicationGatewaySslPolicyArgs(
        policy_type="Custom", min_protocol_version="TLSv1_1")), "TLSv1_1"),
    (app_gateway_https_redirect, s.app_gateway(
        http_listeners=[listener("https", "Https"), listener("http", "Http")],
        request_routing_rules=[network.ApplicationGatewayRequestRoutingRuleArgs(
            name="http", priority=100, http_listener=network.SubResourceArgs(id=f"{s.GATEWAY}/httpListeners/http"),
            backend_address_pool=network.SubResourceArgs(id=f"{s.GATEWAY}/backendAddressPools/apps"))]),
     "HTTP listener 'http'"),
    (waf_policy_prevention, s.waf_policy(policy_settings=network.PolicySettingsArgs(
        state="Enabled", mode="Detection", request_body_check=True)), "'Detection'"),
    (waf_policy_prevention, s.waf_policy(policy_settings=network.PolicySettingsArgs(
        state="Disabled", mode="Prevention", request_body_check=False)), "requestBodyCheck"),
    (waf_policy_prevention, s.waf_policy(policy_settings=None), "mode is absent"),
    (waf_policy_managed_rule_set, s.waf_policy(managed_rules=network.ManagedRulesDefinitionArgs(
        managed_rule_sets=[network.ManagedRuleSetArgs(rule_set_type="OWASP", rule_set_version="3.1")])),
     "OWASP 3.1"),
    (app_gateway_health_probe_path, s.app_gateway(probes=[network.ApplicationGatewayProbeArgs(
        name="root", protocol="Https", path="/", interval=30, timeout=10, unhealthy_threshold=3)]),
     "probe 'root' requests '/'"),
    (app_gateway_autoscale, s.app_gateway(
        autoscale_configuration=None, sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2",
                                                                             capacity=2)), "fixed instance count"),
    (app_gateway_autoscale, s.app_gateway(
        autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(min_capacity=1)),
     "explicit minCapacity and maxCapacity"),
    (app_gateway_load_balancing, s.app_gateway(backend_address_pools=[]), "no backendAddressPools"),
    (app_gateway_load_balancing, s.app_gateway(probes=[]), "no custom health probes"),
    (app_gateway_load_balancing, s.app_gateway(
        backend_http_settings_collection=[network.ApplicationGatewayBackendHttpSettingsArgs(
            name="apps", port=443, protocol="Https")]), "backend settings 'apps' use no custom probe"),
    (app_gateway_health_probe_path, gateway_probe("/status"), ""),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [app_gateway_waf_v2, app_gateway_no_inline_waf, app_gateway_tls_policy, app_gateway_https_redirect,
    waf_policy_prevention, waf_policy_managed_rule_set, app_gateway_health_probe_path, app_gateway_autoscale,
    app_gateway_load_balancing]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_prod_gateway_keeps_two_instances() -> None:
    single = s.app_gateway(autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(
        min_capacity=1, max_capacity=10))
    policy = app_gateway_autoscale
    assert fired(policy, single, env_config("dev", policy))[0] == set()
    assert fired(policy, single, env_config("prod", policy))[0] == {"app-gateway-autoscale"}
    assert fired(policy, s.app_gateway(), env_config("prod", policy))[0] == set()


@pytest.mark.parametrize("gateway", [
    pytest.param(lambda: _gateway(10), id="app-gateway-max-capacity/violates-when-above-the-dev-limit"),
    pytest.param(lambda: _gateway(None), id="app-gateway-max-capacity/violates-when-autoscale-unbounded"),
    pytest.param(lambda: _gateway(None, autoscale=False), id="app-gateway-max-capacity/violates-when-no-capacity"),
])
def test_app_gateway_max_capacity_violates_in_dev(gateway: Callable[[], list[Resource]]) -> None:
    dev = env_config("dev", app_gateway_max_capacity)
    assert names(evaluate([app_gateway_max_capacity], gateway(), dev)) == {"app-gateway-max-capacity"}


def test_app_gateway_max_capacity_passes_per_environment() -> None:
    policies = [app_gateway_max_capacity]
    dev = env_config("dev", app_gateway_max_capacity)
    assert evaluate(policies, _gateway(2), dev) == []
    assert evaluate(policies, _gateway(10), env_config("prod", app_gateway_max_capacity)) == []
    assert evaluate(policies, _gateway(None)) == []


@pytest.mark.parametrize("ssl_policy, ok", [
    pytest.param(network.ApplicationGatewaySslPolicyArgs(policy_type="Predefined",
                                                         policy_name="AppGwSslPolicy20170401S"), True,
                 id="app-gateway-tls-policy/complies-predefined-20170401s"),
    pytest.param(network.ApplicationGatewaySslPolicyArgs(policy_type="Custom", min_protocol_version="TLSv1_2",
                                                         cipher_suites=["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]), True,
                 id="app-gateway-tls-policy/complies-custom-tls12"),
    pytest.param(network.ApplicationGatewaySslPolicyArgs(min_protocol_version="TLSv1_2"), True,
                 id="app-gateway-tls-policy/complies-minimum-without-policy-type"),
    pytest.param(network.ApplicationGatewaySslPolicyArgs(policy_type="Predefined",
                                                         policy_name="AppGwSslPolicy20170401"), False,
                 id="app-gateway-tls-policy/violates-predefined-20170401"),
    pytest.param(network.ApplicationGatewaySslPolicyArgs(policy_type="CustomV2", min_protocol_version="TLSv1_1"),
                 False, id="app-gateway-tls-policy/violates-custom-tls11"),
])


def test_app_gateway_tls_minimum(ssl_policy: network.ApplicationGatewaySslPolicyArgs, ok: bool) -> None:
    found = flagged([app_gateway_tls_policy], sdk_resources(s.app_gateway(ssl_policy=ssl_policy)))
    assert found == (set() if ok else {"app-gateway-tls-policy"})
