"""Valid setups other teams run that the pack must not flag (issue 14), each next to the violating
setup it must still catch; and the landing-zone switch, `providedOutsideStack`."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.app as app
import pulumi_azure_native.applicationinsights as insights
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network
import pulumi_azure_native.trafficmanager as trafficmanager
import pulumi_azure_native.web as web
import pytest
from pulumi_policy import Policy

from dryrun.model import Resource
from dryrun.policy_driver import Pack
from policies.azure import types as T
from policies.relations.diagnostics import diagnostic_settings_coverage
from policies.relations.edge import waf_fronts_public_ips
from policies.relations.private_link import private_endpoint_coverage
from policies.rules.app_gateway import app_gateway_health_probe_path, app_gateway_tls_policy
from policies.rules.budget import budget_notifications
from policies.rules.container_apps import (
    container_app_autoscale,
    container_app_health_probes,
    container_app_scale_rules,
)
from policies.rules.identity import secrets_in_key_vault
from policies.rules.key_vault import key_vault_private_access
from policies.rules.monitor import (
    diagnostic_setting_audit_categories,
    diagnostic_setting_to_workspace,
    web_test_health_path,
)
from policies.rules.resources import zone_redundancy
from policies.rules.storage import storage_private_access
from policies.rules.traffic_manager import traffic_manager_health_monitor
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, names, sdk_resources

WORKSPACE = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log"
SIEM_RULE = (f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.EventHub/namespaces/evhns-siem/"
             "authorizationRules/RootManageSharedAccessKey")


def fired(policies: list[Policy], resources: list[Resource], config: dict[str, Any] | None = None) -> set[str]:
    return names(evaluate(policies, resources, config))


# --- publicNetworkAccess 'SecuredByPerimeter' is private --------------------------------------------

@pytest.mark.parametrize("policy, program", [
    pytest.param(key_vault_private_access, s.key_vault(public_network_access="SecuredByPerimeter"),
                 id="key-vault-private-access/complies-secured-by-perimeter"),
    pytest.param(storage_private_access, s.storage_account(public_network_access="SecuredByPerimeter"),
                 id="storage-private-access/complies-secured-by-perimeter"),
])
def test_network_security_perimeter_counts_as_private(policy: Policy, program: s.Program) -> None:
    assert fired([policy], sdk_resources(program)) == set()
    assert fired([policy], sdk_resources(s.key_vault(public_network_access="Enabled")
                                         if policy is key_vault_private_access
                                         else s.storage_account(public_network_access="Enabled"))) == {policy.name}


def test_perimeter_secured_vault_needs_no_private_endpoint() -> None:
    assert fired([private_endpoint_coverage], sdk_resources(s.key_vault(public_network_access="SecuredByPerimeter"))) \
        == set()
    assert fired([private_endpoint_coverage], sdk_resources(s.key_vault())) == {"private-endpoint-coverage"}


# --- budget notifications by contactRoles -----------------------------------------------------------

def _budget(**recipients: Any) -> list[Resource]:
    def notification(kind: str) -> consumption.NotificationArgs:
        return consumption.NotificationArgs(enabled=True, operator="GreaterThan", threshold=90, threshold_type=kind,
                                            **recipients)
    return sdk_resources(lambda: consumption.Budget(
        "budget", budget_name="ai", scope=f"{s.SUB}/resourceGroups/{s.RG}", amount=1000, category="Cost",
        time_grain="Monthly", time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01"),
        notifications={"actual": notification("Actual"), "forecast": notification("Forecasted")}))


def test_budget_notification_to_contact_roles_only_is_valid() -> None:
    assert fired([budget_notifications], _budget(contact_emails=[], contact_roles=["Owner", "Contributor"])) == set()
    assert fired([budget_notifications], _budget(contact_emails=[])) == {"budget-notifications"}


# --- a second diagnostic setting streaming to a SIEM ------------------------------------------------

DIAGNOSTICS = [diagnostic_setting_to_workspace, diagnostic_setting_audit_categories, diagnostic_settings_coverage]
VAULT_ONLY = file_config({"diagnostic-settings-coverage": {"resourceTypes": [T.KEY_VAULT]}})


def _vault_streams(workspace: bool = True, siem: bool = True) -> list[Resource]:
    def build() -> None:
        vault = keyvault.Vault("vault", resource_group_name=s.RG, vault_name="kv-aip",
                               properties=keyvault.VaultPropertiesArgs(
                                   tenant_id=s.TENANT, sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.PREMIUM)))
        if workspace:
            monitor.DiagnosticSetting("kv-log", name="to-log-analytics", resource_uri=vault.id, workspace_id=WORKSPACE,
                                      logs=[monitor.DiagnosticsLogSettingsArgs(category_group="audit", enabled=True)])
        if siem:
            monitor.DiagnosticSetting("kv-siem", name="to-siem", resource_uri=vault.id,
                                      event_hub_authorization_rule_id=SIEM_RULE, event_hub_name="security",
                                      logs=[monitor.DiagnosticsLogSettingsArgs(category="AzurePolicyEvaluationDetails",
                                                                               enabled=True)])
    return sdk_resources(build)


def test_siem_stream_next_to_a_complete_workspace_setting_is_silent() -> None:
    assert fired(DIAGNOSTICS, _vault_streams(), VAULT_ONLY) == set()


def test_siem_stream_alone_leaves_the_vault_without_log_analytics() -> None:
    found = evaluate(DIAGNOSTICS, _vault_streams(workspace=False), VAULT_ONLY)
    assert names(found) == {"diagnostic-settings-coverage"} and "no diagnostic setting" in found[0].message


# --- App Gateway TLS policies with a TLS 1.2 minimum ------------------------------------------------

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
    found = fired([app_gateway_tls_policy], sdk_resources(s.app_gateway(ssl_policy=ssl_policy)))
    assert found == (set() if ok else {"app-gateway-tls-policy"})


# --- public IPs used for egress -------------------------------------------------------------------

PIP_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/publicIPAddresses/pip-agw-aip"


def _egress(kind: str) -> s.Program:
    def build() -> None:
        s.public_ip()()
        ip = network.SubResourceArgs(id=PIP_ID)  # a literal id: no dependency to follow
        frontend = network.FrontendIPConfigurationArgs(name="egress", public_ip_address=network.PublicIPAddressArgs(
            id=PIP_ID))
        pool = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/be"
        standard = network.LoadBalancerSkuArgs(name="Standard")
        if kind == "nat":
            network.NatGateway("nat", resource_group_name=s.RG, sku=network.NatGatewaySkuArgs(name="Standard"),
                               public_ip_addresses=[ip])
        elif kind == "outbound-lb":
            network.LoadBalancer("lb", resource_group_name=s.RG, load_balancer_name="lb", sku=standard,
                                 frontend_ip_configurations=[frontend], outbound_rules=[network.OutboundRuleArgs(
                                     name="snat", protocol="All", backend_address_pool=network.SubResourceArgs(id=pool),
                                     frontend_ip_configurations=[network.SubResourceArgs(id=f"{pool}/../egress")])])
        else:
            network.LoadBalancer("lb", resource_group_name=s.RG, load_balancer_name="lb", sku=standard,
                                 frontend_ip_configurations=[frontend],
                                 load_balancing_rules=[network.LoadBalancingRuleArgs(
                                     name="https", protocol="Tcp", frontend_port=443, backend_port=443)])
    return build


@pytest.mark.parametrize("kind", ["nat", "outbound-lb"])
def test_egress_public_ip_is_no_public_entry(kind: str) -> None:
    assert fired([waf_fronts_public_ips], sdk_resources(_egress(kind))) == set()


def test_public_ip_of_an_inbound_load_balancer_is_a_public_entry_without_waf() -> None:
    assert fired([waf_fronts_public_ips], sdk_resources(_egress("inbound-lb"))) == {"waf-fronts-public-ips"}


# --- ..._KEY settings that hold no secret ---------------------------------------------------------

@pytest.mark.parametrize("name, value, secret", [
    pytest.param("COSMOS_PARTITION_KEY", "/tenantId", False, id="partition-key-path"),
    pytest.param("CACHE_KEY", "sessions", False, id="cache-key-word"),
    pytest.param("IDEMPOTENCY_KEY", "request-id", False, id="idempotency-key-header-name"),
    pytest.param("CACHE_KEY", "Zx8f9Q2mK7pL4vR1tY6wE3sA", True, id="key-shaped-value"),
    pytest.param("SEARCH_API_KEY", "abc", True, id="api-key-name-whatever-the-value"),
    pytest.param("STORAGE_ACCOUNT_KEY", "short", True, id="account-key-name"),
])
def test_secret_setting_judged_by_value_shape(name: str, value: str, secret: bool) -> None:
    program = s.web_app(app_settings=[web.NameValuePairArgs(name=name, value=value)])
    assert fired([secrets_in_key_vault], sdk_resources(program)) == ({"secrets-in-key-vault"} if secret else set())


# --- health endpoints with a trailing slash or a live / ready probe -------------------------------

def _web_test(url: str) -> s.Program:
    kind = insights.WebTestKind.STANDARD
    return lambda: insights.WebTest(
        "health", resource_group_name=s.RG, kind=kind, web_test_kind=kind, web_test_name="health",
        synthetic_monitor_id="health", enabled=True,
        locations=[insights.WebTestGeolocationArgs(location="us-va-ash-azr")],
        request=insights.WebTestPropertiesRequestArgs(request_url=url))


def _app_probes(live: str, ready: str) -> s.Program:
    def probe(kind: str, path: str) -> app.ContainerAppProbeArgs:
        return app.ContainerAppProbeArgs(type=kind, http_get=app.ContainerAppProbeHttpGetArgs(path=path, port=8000))
    return s.container_app(containers=[s.container(probes=[probe("Liveness", live), probe("Readiness", ready)])])


def _gateway_probe(path: str) -> s.Program:
    return s.app_gateway(probes=[network.ApplicationGatewayProbeArgs(
        name="health", protocol="Https", path=path, interval=30, timeout=10, unhealthy_threshold=3,
        pick_host_name_from_backend_http_settings=True)])


def _tm_probe(path: str) -> s.Program:
    return s.traffic_manager(monitor_config=trafficmanager.MonitorConfigArgs(protocol="HTTPS", port=443, path=path))


@pytest.mark.parametrize("policy, healthy, unhealthy", [
    pytest.param(container_app_health_probes, _app_probes("/health/live", "/health/ready"), _app_probes("/", "/"),
                 id="container-app-health-probes"),
    pytest.param(app_gateway_health_probe_path, _gateway_probe("/health/"), _gateway_probe("/status"),
                 id="app-gateway-health-probe-path"),
    pytest.param(web_test_health_path, _web_test("https://ai.contoso.com/health/ready"),
                 _web_test("https://ai.contoso.com/healthcheck"), id="web-test-health-path"),
    pytest.param(traffic_manager_health_monitor, _tm_probe("/health/"), _tm_probe("/"),
                 id="traffic-manager-health-monitor"),
])
def test_health_endpoint_and_its_probes(policy: Policy, healthy: s.Program, unhealthy: s.Program) -> None:
    assert fired([policy], sdk_resources(healthy)) == set()
    assert fired([policy], sdk_resources(unhealthy)) == {policy.name}


# --- platform defaults ----------------------------------------------------------------------------

def test_event_hubs_namespace_is_zone_redundant_by_default() -> None:
    zones = file_config({"zone-redundancy": {"requireZoneRedundancy": True}})
    assert fired([zone_redundancy], sdk_resources(s.event_hub(zone_redundant=None)), zones) == set()
    assert fired([zone_redundancy], sdk_resources(s.event_hub(zone_redundant=False)), zones) == {"zone-redundancy"}


def test_container_app_without_scale_rules_is_advisory() -> None:
    unruled = sdk_resources(s.container_app(scale_args=s.scale(rules=[])))
    assert fired([container_app_autoscale], unruled) == set()
    found = evaluate([container_app_scale_rules], unruled)
    assert names(found) == {"container-app-scale-rules"} and {v.level for v in found} == {"advisory"}


# --- landing zones: providedOutsideStack ----------------------------------------------------------

DINE = "ALZ initiative Deploy-Diag-LogAnalytics writes every diagnostic setting"
HUB = "the connectivity hub stack owns private endpoints and privatelink zones"


@pytest.mark.parametrize("policy, resources, reason", [
    pytest.param(diagnostic_settings_coverage, lambda: _vault_streams(workspace=False, siem=False), DINE,
                 id="diagnostic-settings-coverage/azure-policy-dine"),
    pytest.param(private_endpoint_coverage, lambda: sdk_resources(s.key_vault()), HUB,
                 id="private-endpoint-coverage/hub-owned"),
])
def test_provided_outside_stack_records_every_finding_as_suppressed(policy: Policy, resources: Any,
                                                                    reason: str) -> None:
    rs = resources()
    assert fired([policy], rs) == {policy.name}
    pack = Pack.from_policies([policy])
    pack.configure(file_config({policy.name: {"providedOutsideStack": {"reason": reason}}}), stack="prod",
                   project="ai-platform")
    assert pack.analyze(rs) == []
    assert pack.suppressed and all(reason in x.reason and "provided outside this stack" in x.reason
                                   for x in pack.suppressed)


def test_provided_outside_stack_needs_a_reason() -> None:
    found = evaluate([private_endpoint_coverage], sdk_resources(s.key_vault()),
                     file_config({"private-endpoint-coverage": {"providedOutsideStack": {"reason": " "}}}))
    assert names(found) == {"private-endpoint-coverage"}
    assert any("has no reason" in v.message for v in found)
