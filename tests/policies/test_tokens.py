"""Type-token normalisation (policies/azure/tokens.py): a resource declared with an explicit API
version or an azure-native v2 module name meets exactly the rules its current token meets, in
resource policies and in every stack lookup."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi_azure_native.app as app
import pulumi_azure_native.applicationinsights as insights
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.redisenterprise as redisenterprise
import pulumi_azure_native.trafficmanager as trafficmanager
import pytest
from pulumi_policy import Policy

from dryrun.model import Resource
from policies.azure import refresh_moves
from policies.azure import types as T
from policies.azure.moves import MOVED
from policies.azure.tokens import canonical
from policies.relations.diagnostics import diagnostic_settings_coverage
from policies.relations.observability import availability_test_exists
from policies.relations.topology import multi_region, redis_in_each_region
from policies.rules.key_vault import key_vault_private_access, key_vault_rbac_authorization, key_vault_recoverable
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, names, sdk_resources

KEY_VAULT_POLICIES = [key_vault_private_access, key_vault_rbac_authorization, key_vault_recoverable]


@pytest.mark.parametrize("token, expected", [
    pytest.param("azure-native:keyvault/v20241101:Vault", T.KEY_VAULT, id="explicit-api-version"),
    pytest.param("azure-native:cognitiveservices/v20250601:Deployment", T.OPENAI_DEPLOYMENT, id="explicit-version-2"),
    pytest.param("azure-native:network/v20240501preview:PrivateEndpoint", T.PRIVATE_ENDPOINT, id="preview-version"),
    pytest.param("azure-native:insights:Component", T.APP_INSIGHTS, id="v2-insights-component"),
    pytest.param("azure-native:insights:WebTest", T.WEB_TEST, id="v2-insights-web-test"),
    pytest.param("azure-native:insights:MetricAlert", T.METRIC_ALERT, id="v2-insights-metric-alert"),
    pytest.param("azure-native:insights:DiagnosticSetting", T.DIAGNOSTIC_SETTING, id="v2-insights-diagnostic-setting"),
    pytest.param("azure-native:insights:ActionGroup", T.ACTION_GROUP, id="v2-insights-action-group"),
    pytest.param("azure-native:insights:ScheduledQueryRule", T.QUERY_ALERT, id="v2-insights-query-rule"),
    pytest.param("azure-native:cache:Redis", T.CLASSIC_REDIS, id="v2-cache-redis"),
    pytest.param("azure-native:cache:RedisEnterprise", T.REDIS_ENTERPRISE, id="v2-cache-redis-enterprise"),
    pytest.param("azure-native:cache:Database", T.REDIS_DATABASE, id="v2-cache-database"),
    pytest.param("azure-native:network:Profile", T.TM_PROFILE, id="v2-network-traffic-manager-profile"),
    pytest.param("azure-native:network:Endpoint", T.TM_ENDPOINT, id="v2-network-traffic-manager-endpoint"),
    pytest.param("azure-native:network:PrivateZone", T.PRIVATE_ZONE, id="v2-network-private-zone"),
    pytest.param("azure-native:network:VirtualNetworkLink", T.VNET_LINK, id="v2-network-vnet-link"),
    pytest.param("azure-native:insights/v20220615:WebTest", T.WEB_TEST, id="v2-module-with-explicit-version"),
    pytest.param(T.KEY_VAULT, T.KEY_VAULT, id="current-token-unchanged"),
    pytest.param("pulumi:pulumi:Stack", "pulumi:pulumi:Stack", id="other-provider-unchanged"),
    pytest.param("azure-native:network:NetworkSecurityGroup", T.NSG, id="unmoved-network-type-unchanged"),
])
def test_canonical_token(token: str, expected: str) -> None:
    assert canonical(token) == expected


def test_moves_table_matches_installed_sdk() -> None:
    """moves.py is what `python -m policies.azure.refresh_moves` writes from the installed SDK."""
    assert refresh_moves.TARGET.read_text() == refresh_moves.render(refresh_moves.moves())
    assert all(canonical(new) == new for new in MOVED.values())  # no chain of moves


def _retyped(resources: list[Resource], tokens: dict[str, str]) -> list[Resource]:
    return [dataclasses.replace(r, type=tokens.get(r.type, r.type)) for r in resources]


VERSIONED_VAULT = {T.KEY_VAULT: "azure-native:keyvault/v20241101:Vault"}


def test_public_key_vault_with_explicit_api_version_is_caught() -> None:
    public = _retyped(sdk_resources(s.key_vault(public_network_access="Enabled", enable_rbac_authorization=False,
                                                enable_purge_protection=False)), VERSIONED_VAULT)
    assert names(evaluate(KEY_VAULT_POLICIES, public)) == {
        "key-vault-private-access", "key-vault-rbac-authorization", "key-vault-recoverable"}


def test_secure_key_vault_with_explicit_api_version_complies() -> None:
    assert evaluate(KEY_VAULT_POLICIES, _retyped(sdk_resources(s.key_vault()), VERSIONED_VAULT)) == []


WORKSPACE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log"
V2_TOKENS = {T.WEB_TEST: "azure-native:insights:WebTest", T.APP_INSIGHTS: "azure-native:insights:Component",
             T.DIAGNOSTIC_SETTING: "azure-native:insights:DiagnosticSetting"}


def _served(web_test: bool = True, diagnostics: bool = True) -> list[Resource]:
    """An OpenAI account with an App Insights web test and a diagnostic setting, as a v2 stack declares them."""
    def build() -> None:
        account = cognitiveservices.Account("oai", resource_group_name=s.RG, kind="OpenAI",
                                            sku=cognitiveservices.SkuArgs(name="S0"))
        insights.Component("appi", resource_group_name=s.RG, kind="web", application_type="web")
        if web_test:
            kind = insights.WebTestKind.STANDARD
            insights.WebTest("health", resource_group_name=s.RG, kind=kind, web_test_kind=kind, web_test_name="health",
                             synthetic_monitor_id="health", enabled=True,
                             locations=[insights.WebTestGeolocationArgs(location="us-va-ash-azr")],
                             request=insights.WebTestPropertiesRequestArgs(request_url="https://ai.contoso.com/health"))
        if diagnostics:
            monitor.DiagnosticSetting(
                "oai-diag", name="to-log-analytics", resource_uri=account.id, workspace_id=WORKSPACE_ID,
                logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)])
    return _retyped(sdk_resources(build), V2_TOKENS)


DIAGNOSED = file_config({"diagnostic-settings-coverage": {"resourceTypes": [T.COGNITIVE_ACCOUNT]}})


def test_stack_rules_see_v2_web_test_and_diagnostic_setting() -> None:
    assert evaluate([availability_test_exists, diagnostic_settings_coverage], _served(),
                    DIAGNOSED) == []


def test_stack_rules_still_report_a_v2_stack_missing_them() -> None:
    found = evaluate([availability_test_exists, diagnostic_settings_coverage],
                     _served(web_test=False, diagnostics=False), DIAGNOSED)
    assert names(found) == {"availability-test-exists", "diagnostic-settings-coverage"}


# --- stack rules that look for a type see its v2 token (no false absence) ------------------------

V2_CACHE_AND_PROFILE = {T.REDIS_ENTERPRISE: "azure-native:cache:RedisEnterprise",
                        T.TM_PROFILE: "azure-native:network:Profile"}
TWO_REGIONS = file_config({"multi-region": {"minRegions": 2, "requireTrafficManager": True}})


def _regional_stack(cache: bool = True, profile: bool = True) -> list[Resource]:
    """Container Apps environments in two regions, a Redis cluster in each, one Traffic Manager profile
    over both: declared with the SDK, then given the v2 tokens of the cache and the profile."""
    def build() -> None:
        for location in ("eastus2", "westus3"):
            app.ManagedEnvironment(f"cae-{location}", resource_group_name=s.RG, environment_name=f"cae-{location}",
                                   location=location)
            if cache:
                redisenterprise.RedisEnterprise(f"redis-{location}", resource_group_name=s.RG, location=location,
                                                cluster_name=f"amr-{location}", public_network_access="Disabled",
                                                sku=redisenterprise.SkuArgs(name="Balanced_B10"))
        if profile:
            s.traffic_manager(endpoints=[
                trafficmanager.EndpointArgs(name=location, type="Microsoft.Network/trafficManagerProfiles/"
                                            "externalEndpoints", target=f"agw-{location}.contoso.com",
                                            endpoint_location=location, priority=n + 1)
                for n, location in enumerate(("eastus2", "westus3"))])()
    return _retyped(sdk_resources(build), V2_CACHE_AND_PROFILE)


@pytest.mark.parametrize("policy, config", [
    pytest.param(redis_in_each_region, None, id="redis-in-each-region-sees-cache-redis-enterprise"),
    pytest.param(multi_region, TWO_REGIONS, id="multi-region-sees-network-profile"),
])
def test_stack_rule_sees_the_v2_token_and_still_reports_the_absence(policy: Policy,
                                                                    config: dict[str, Any] | None) -> None:
    assert evaluate([policy], _regional_stack(), config) == []
    assert names(evaluate([policy], _regional_stack(cache=False, profile=False), config)) == {policy.name}
