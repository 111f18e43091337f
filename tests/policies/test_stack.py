"""Stack policies on whole deployments declared with the SDK under mocks: relations come from the
recorded property dependencies, exactly as the engine sends them to the analyzer. Every policy has
a violating and a compliant stack; relational ones also a preview case with unknown ids."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_azure_native.app as app
import pulumi_azure_native.applicationinsights as insights
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.eventhub as eventhub
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network
import pulumi_azure_native.portal as portal
import pulumi_azure_native.redis as redis
import pulumi_azure_native.redisenterprise as redisenterprise
import pulumi_azure_native.resources as resources
import pulumi_azure_native.security as security
import pulumi_azure_native.servicebus as servicebus
import pulumi_azure_native.storage as storage
import pulumi_azure_native.trafficmanager as trafficmanager
import pulumi_azure_native.web as web
import pytest
from pulumi_policy import Policy

from dryrun.model import UNKNOWN, Resource
from policies.azure import catalog as C
from policies.azure import types as T
from policies.relations.diagnostics import diagnostic_settings_coverage
from policies.relations.edge import waf_fronts_public_ips
from policies.relations.governance import (
    azure_policy_assigned,
    budget_exists,
    defender_plans_enabled,
    resource_group_locks,
)
from policies.relations.observability import (
    alerts_wired,
    availability_test_exists,
    custom_metric_alert,
    dashboard_exists,
)
from policies.relations.private_link import private_endpoint_coverage
from policies.relations.publishing import web_app_basic_auth_disabled
from policies.relations.topology import multi_region, nsg_on_every_subnet, redis_in_each_region
from tests.policies.support import evaluate, file_config, names, sdk_resources

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"
TAGS = {"environment": "prod", "owner": "ai-platform-team", "cost-center": "cc-ai-prod"}


def _env(env: str, policy: Policy) -> dict[str, Any]:
    """The environment's real config entry for one policy (the test pack holds only that policy)."""
    return file_config({policy.name: json.loads((CONFIG_DIR / f"{env}.json").read_text())[policy.name]})


def _one(resources_: list[Resource], type_token: str, name: str | None = None) -> Resource:
    found = [r for r in resources_ if r.type == type_token and (name is None or r.name == name)]
    assert len(found) == 1, found
    return found[0]


def _messages(found: list) -> list[str]:
    return [v.message.splitlines()[-1] for v in found]  # after the policy's description


def _group(location: str = "eastus2") -> resources.ResourceGroup:
    return resources.ResourceGroup(f"rg-{location}", resource_group_name=f"rg-ai-{location}", location=location,
                                   tags=TAGS)


def _vault(group: resources.ResourceGroup, name: str = "kv", public: str = "Disabled") -> keyvault.Vault:
    return keyvault.Vault(name, vault_name=f"{name}-ai-prod", resource_group_name=group.name, tags=TAGS,
                          properties=keyvault.VaultPropertiesArgs(
                              tenant_id="t", public_network_access=public, enable_rbac_authorization=True,
                              sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.PREMIUM)))


def _endpoint(group: resources.ResourceGroup, target: pulumi.Output[str], name: str = "kv",
              zone_group: bool = True) -> network.PrivateEndpoint:
    pe = network.PrivateEndpoint(
        f"{name}-pe", private_endpoint_name=f"pe-{name}", resource_group_name=group.name, tags=TAGS,
        subnet=network.SubnetArgs(id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                                     "virtualNetworks/vnet/subnets/endpoints"),
        private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
            name=name, private_link_service_id=target, group_ids=["vault"])])
    if zone_group:
        network.PrivateDnsZoneGroup(
            f"{name}-pe-dns", private_dns_zone_group_name="default", private_endpoint_name=pe.name,
            resource_group_name=group.name, private_dns_zone_configs=[network.PrivateDnsZoneConfigArgs(
                name="vault", private_dns_zone_id="/subscriptions/s/resourceGroups/rg/providers/"
                                                  "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net")])
    return pe


# --- private-endpoint-coverage (SEC-3) ------------------------------------------------------------

def _private_vault(endpoint: bool = True, zone_group: bool = True, public: str = "Disabled") -> list[Resource]:
    def build() -> None:
        group = _group()
        vault = _vault(group, public=public)
        if endpoint:
            _endpoint(group, vault.id, zone_group=zone_group)
    return sdk_resources(build)


def test_private_endpoint_coverage_compliant() -> None:
    rs = _private_vault()
    pe = _one(rs, T.PRIVATE_ENDPOINT)
    assert pe.property_dependencies["privateLinkServiceConnections"] == [_one(rs, T.KEY_VAULT).urn]
    assert evaluate([private_endpoint_coverage], rs) == []


def test_private_endpoint_missing() -> None:
    found = evaluate([private_endpoint_coverage], _private_vault(endpoint=False))
    assert names(found) == {"private-endpoint-coverage"}
    assert found[0].urn.endswith("azure-native:keyvault:Vault::kv") and "no private endpoint" in found[0].message


def test_private_endpoint_without_dns_zone_group() -> None:
    rs = _private_vault(zone_group=False)
    found = evaluate([private_endpoint_coverage], rs)
    assert names(found) == {"private-endpoint-coverage"} and "no private DNS zone group" in found[0].message
    assert found[0].urn == _one(rs, T.PRIVATE_ENDPOINT).urn
    by_policy = file_config({"private-endpoint-coverage": {"dnsManagedByPolicy": True}})
    assert evaluate([private_endpoint_coverage], rs, by_policy) == []


def test_public_targets_need_no_endpoint_here() -> None:
    """Public access is the resource policies' finding; this policy only relates private ones."""
    rs = sdk_resources(lambda: _vault(_group(), public="Enabled"))
    assert evaluate([private_endpoint_coverage], rs) == []


def test_endpoint_of_a_public_target_still_needs_a_dns_zone_group() -> None:
    """While the vault is public, key-vault-private-access reports it; the endpoint's missing DNS
    records are reported now, not only once the vault is closed."""
    found = evaluate([private_endpoint_coverage], _private_vault(zone_group=False, public="Enabled"))
    assert [(v.urn.rsplit("::", 1)[-1], _messages([v])[0]) for v in found] == [
        ("kv-pe", "private endpoint 'kv-pe' for 'kv' has no private DNS zone group, so clients resolve the public "
                  "address")]
    assert evaluate([private_endpoint_coverage], _private_vault(public="Enabled")) == []


def test_endpoint_to_a_target_outside_the_stack_needs_a_dns_zone_group() -> None:
    external = "/subscriptions/s/resourceGroups/shared/providers/Microsoft.KeyVault/vaults/kv-shared"
    found = evaluate([private_endpoint_coverage], sdk_resources(
        lambda: _endpoint(_group(), pulumi.Output.from_input(external), zone_group=False)))
    assert [(v.urn.rsplit("::", 1)[-1], "'kv-pe' has no private DNS zone group" in v.message) for v in found] == [
        ("kv-pe", True)]
    assert evaluate([private_endpoint_coverage], sdk_resources(
        lambda: _endpoint(_group(), pulumi.Output.from_input(external)))) == []


def _private_data_planes(group: resources.ResourceGroup) -> None:
    """One of each private-link target, public access disabled where each type keeps it."""
    cognitiveservices.Account(
        "oai", resource_group_name=group.name, kind="OpenAI", sku=cognitiveservices.SkuArgs(name="S0"),
        properties=cognitiveservices.AccountPropertiesArgs(public_network_access="Disabled",
                                                           custom_sub_domain_name="oai-ai-prod"))
    redisenterprise.RedisEnterprise("amr", resource_group_name=group.name, public_network_access="Disabled",
                                    sku=redisenterprise.SkuArgs(name="Balanced_B10"))
    redis.Redis("classic", resource_group_name=group.name, public_network_access="Disabled",
                sku=redis.SkuArgs(name="Premium", family="P", capacity=1))
    storage.StorageAccount("data", resource_group_name=group.name, kind="StorageV2",
                           sku=storage.SkuArgs(name="Standard_ZRS"), public_network_access="Disabled")
    servicebus.Namespace("bus", resource_group_name=group.name, public_network_access="Disabled",
                         sku=servicebus.SBSkuArgs(name=servicebus.SkuName.PREMIUM))
    eventhub.Namespace("events", resource_group_name=group.name, public_network_access="Disabled",
                       sku=eventhub.SkuArgs(name="Standard"))
    import pulumi_azure_native.search as search

    search.Service("search", resource_group_name=group.name, public_network_access="Disabled",
                   sku=search.SkuArgs(name="standard"))
    _vault(group)


def test_every_private_link_target_type_is_read_where_the_sdk_puts_it() -> None:
    rs = sdk_resources(lambda: _private_data_planes(_group()))
    flagged = {v.urn.split("::")[-2] for v in evaluate([private_endpoint_coverage], rs)}
    assert flagged == set(C.PRIVATE_LINK_TARGETS)


def _without_dependencies(r: Resource, *props: str) -> None:
    for prop in props:
        r.property_dependencies[prop] = []
    r.dependencies = []


def test_private_endpoint_matched_by_id_when_no_dependency_is_recorded() -> None:
    """Files from other tools may lack property dependencies: the ARM id string still matches."""
    rs = copy.deepcopy(_private_vault())
    _without_dependencies(_one(rs, T.PRIVATE_ENDPOINT), "privateLinkServiceConnections")
    _without_dependencies(_one(rs, T.DNS_ZONE_GROUP), "privateEndpointName")
    assert evaluate([private_endpoint_coverage], rs) == []


def test_preview_unknown_target_id_is_resolved_by_dependency() -> None:
    rs = copy.deepcopy(_private_vault())
    pe = _one(rs, T.PRIVATE_ENDPOINT)
    pe.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] = UNKNOWN
    _one(rs, T.DNS_ZONE_GROUP).inputs["privateEndpointName"] = UNKNOWN
    assert evaluate([private_endpoint_coverage], rs) == []


def test_preview_unresolvable_endpoint_reports_nothing() -> None:
    """An endpoint whose target is unknown and undeclared might cover any vault: no false violation."""
    rs = copy.deepcopy(_private_vault()) + sdk_resources(lambda: _vault(_group("westus3"), name="kv2"))
    pe = _one(rs, T.PRIVATE_ENDPOINT)
    pe.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] = UNKNOWN
    _without_dependencies(pe, "privateLinkServiceConnections")
    assert evaluate([private_endpoint_coverage], rs) == []
    # With the id known again, the second vault's missing endpoint is reported.
    pe.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] = "/subscriptions/s/x"
    assert names(evaluate([private_endpoint_coverage], rs)) == {"private-endpoint-coverage"}


# --- web-app-basic-auth-disabled (SEC-1) ----------------------------------------------------------

def _site(ftp: bool | None = False, scm: bool | None = False, slot_scm: bool | None = None,
          by_dependency: bool = True) -> list[Resource]:
    """A function app with its FTP / SCM basic-auth policies (None: not declared), linked through
    the site's name output (a dependency) or only the name string."""

    def build() -> None:
        group = _group()
        site = web.WebApp("func", resource_group_name=group.name, name="func-ai-prod", location="eastus2",
                          kind="functionapp,linux", tags=TAGS)
        name = site.name if by_dependency else "func-ai-prod"
        if ftp is not None:
            web.WebAppFtpAllowed("func-ftp", resource_group_name=group.name, name=name, allow=ftp)
        if scm is not None:
            web.WebAppScmAllowed("func-scm", resource_group_name=group.name, name=name, allow=scm)
        if slot_scm is not None:
            web.WebAppScmAllowedSlot("func-staging-scm", resource_group_name=group.name, name=name,
                                     slot="staging", allow=slot_scm)

    return sdk_resources(build)


def _where(found: list) -> list[tuple[str, str]]:
    return [(v.urn.rsplit("::", 1)[-1], _messages([v])[0]) for v in found]


def test_basic_auth_disabled_compliant() -> None:
    assert evaluate([web_app_basic_auth_disabled], _site()) == []
    assert evaluate([web_app_basic_auth_disabled], _site(by_dependency=False)) == []  # matched by name
    assert evaluate([web_app_basic_auth_disabled], _site(slot_scm=False)) == []


def test_basic_auth_allowed_is_reported_on_its_policy() -> None:
    found = evaluate([web_app_basic_auth_disabled], _site(scm=True, slot_scm=True))
    assert [(where, "allow is True" in message) for where, message in _where(found)] == [
        ("func-scm", True), ("func-staging-scm", True)]
    # Reported once, on the policy that allows it, not again on the site.
    found = evaluate([web_app_basic_auth_disabled], _site(ftp=True))
    assert [where for where, _ in _where(found)] == ["func-ftp"]


def test_site_without_basic_auth_policies_is_reported() -> None:
    found = evaluate([web_app_basic_auth_disabled], _site(ftp=None, scm=None))
    assert _where(found) == [("func", "web app 'func' does not turn off basic-auth publishing credentials for FTP "
                                      "and SCM, which Azure allows by default")]
    found = evaluate([web_app_basic_auth_disabled], _site(ftp=None))
    assert [m.rsplit("for ", 1)[-1] for _, m in _where(found)] == ["FTP, which Azure allows by default"]


def test_preview_unknown_site_name_reports_nothing() -> None:
    rs = copy.deepcopy(_site(ftp=None))
    scm = _one(rs, T.WEB_APP_SCM_ALLOWED)
    scm.inputs["name"] = UNKNOWN
    _without_dependencies(scm, "name")
    assert evaluate([web_app_basic_auth_disabled], rs) == []


# --- resource-group-locks (REL-2) ---------------------------------------------------------------

LOCKS_REQUIRED = file_config({"resource-group-locks": {"requireResourceGroupLocks": True}})


def _locked_groups(level: str | None = "CanNotDelete", by_scope: bool = False) -> list[Resource]:
    def build() -> None:
        group, other = _group(), _group("westus3")
        authorization.ManagementLockAtResourceGroupLevel(
            "lock-eastus2", resource_group_name=group.name, lock_name="do-not-delete", level="CanNotDelete")
        if level is None:
            return
        if by_scope:
            authorization.ManagementLockByScope("lock-westus3", scope=other.id, lock_name="do-not-delete",
                                                level=level)
        else:
            authorization.ManagementLockAtResourceGroupLevel(
                "lock-westus3", resource_group_name=other.name, lock_name="do-not-delete", level=level)

    return sdk_resources(build)


def test_resource_group_locks_compliant() -> None:
    assert evaluate([resource_group_locks], _locked_groups(), LOCKS_REQUIRED) == []
    assert evaluate([resource_group_locks], _locked_groups(by_scope=True), LOCKS_REQUIRED) == []
    assert evaluate([resource_group_locks], _locked_groups("ReadOnly"), LOCKS_REQUIRED) == []


def test_unlocked_resource_group_is_reported_where_locks_are_required() -> None:
    found = evaluate([resource_group_locks], _locked_groups(None), LOCKS_REQUIRED)
    assert [(where, "no CanNotDelete lock" in message) for where, message in _where(found)] == [("rg-westus3", True)]
    assert evaluate([resource_group_locks], _locked_groups(None)) == []  # not required by default
    # A lock on a resource inside the group is no lock on the group.
    rs = _locked_groups(by_scope=True)
    lock = _one(rs, T.SCOPE_LOCK)
    lock.inputs["scope"] += "/providers/Microsoft.Storage/storageAccounts/st"
    assert names(evaluate([resource_group_locks], rs, LOCKS_REQUIRED)) == {"resource-group-locks"}


def test_resource_group_locks_are_required_in_prod_only() -> None:
    rs = _locked_groups(None)
    assert names(evaluate([resource_group_locks], rs, _env("prod", resource_group_locks))) == {
        "resource-group-locks"}
    assert resource_group_locks.name not in json.loads((CONFIG_DIR / "dev.json").read_text())


def test_resource_group_lock_matched_by_name_or_unknown_in_preview() -> None:
    rs = copy.deepcopy(_locked_groups())
    lock = _one(rs, T.GROUP_LOCK, "lock-westus3")
    _without_dependencies(lock, "resourceGroupName")
    assert evaluate([resource_group_locks], rs, LOCKS_REQUIRED) == []  # by the group's name
    lock.inputs["resourceGroupName"] = UNKNOWN
    assert evaluate([resource_group_locks], rs, LOCKS_REQUIRED) == []  # cannot tell: no false violation


# --- diagnostic-settings-coverage (MON-6, COMP-2) -------------------------------------------------

WORKSPACE_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"


def _diagnosed_vault(setting: bool = True, categories: tuple[str, ...] = ("AuditEvent",),
                     uri: Callable[[pulumi.Output[str]], Any] | None = None) -> list[Resource]:
    def build() -> None:
        vault = _vault(_group())
        if setting:
            monitor.DiagnosticSetting(
                "kv-diag", name="to-log-analytics", resource_uri=uri(vault.id) if uri else vault.id,
                workspace_id=WORKSPACE_ID,
                logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories],
                metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)])
    return sdk_resources(build)


def test_diagnostic_settings_coverage() -> None:
    found = evaluate([diagnostic_settings_coverage], _diagnosed_vault(setting=False))
    assert names(found) == {"diagnostic-settings-coverage"} and "no diagnostic setting" in found[0].message
    assert evaluate([diagnostic_settings_coverage], _diagnosed_vault()) == []
    none_required = file_config({"diagnostic-settings-coverage": {"resourceTypes": []}})
    assert evaluate([diagnostic_settings_coverage], _diagnosed_vault(setting=False), none_required) == []


def test_setting_on_a_sub_resource_does_not_cover_its_parent() -> None:
    rs = _diagnosed_vault(uri=lambda vault_id: pulumi.Output.concat(vault_id, "/secrets/x"))
    assert names(evaluate([diagnostic_settings_coverage], rs)) == {"diagnostic-settings-coverage"}


def test_preview_audit_categories_checked_through_the_dependency() -> None:
    """With the vault id unknown the resource policy cannot see the target type; this policy can."""
    rs = copy.deepcopy(_diagnosed_vault(categories=("AzurePolicyEvaluationDetails",)))
    assert evaluate([diagnostic_settings_coverage], rs) == []  # known uri: the resource policy's job
    _one(rs, T.DIAGNOSTIC_SETTING).inputs["resourceUri"] = UNKNOWN
    found = evaluate([diagnostic_settings_coverage], rs)
    assert names(found) == {"diagnostic-settings-coverage"} and "AuditEvent" in found[0].message
    good = copy.deepcopy(_diagnosed_vault())
    _one(good, T.DIAGNOSTIC_SETTING).inputs["resourceUri"] = UNKNOWN
    assert evaluate([diagnostic_settings_coverage], good) == []


def test_preview_unresolvable_setting_reports_nothing() -> None:
    rs = copy.deepcopy(_diagnosed_vault()) + sdk_resources(lambda: _vault(_group("westus3"), name="kv2"))
    setting = _one(rs, T.DIAGNOSTIC_SETTING)
    setting.inputs["resourceUri"] = UNKNOWN
    _without_dependencies(setting, "resourceUri")
    assert evaluate([diagnostic_settings_coverage], rs) == []


def test_container_apps_environment_logging_to_log_analytics_needs_no_setting() -> None:
    def environment(destination: str) -> list[Resource]:
        return sdk_resources(lambda: app.ManagedEnvironment(
            "cae", resource_group_name="rg", location="eastus2",
            app_logs_configuration=app.AppLogsConfigurationArgs(
                destination=destination, log_analytics_configuration=app.LogAnalyticsConfigurationArgs(
                    customer_id="c", shared_key="k") if destination == "log-analytics" else None)))
    assert evaluate([diagnostic_settings_coverage], environment("log-analytics")) == []
    assert names(evaluate([diagnostic_settings_coverage], environment("azure-monitor"))) == {
        "diagnostic-settings-coverage"}


# --- waf-fronts-public-ips (SEC-6) ----------------------------------------------------------------

def _gateway(group: resources.ResourceGroup, location: str, waf: bool = True) -> network.PublicIPAddress:
    ip = network.PublicIPAddress(
        f"pip-{location}", public_ip_address_name=f"pip-agw-{location}", resource_group_name=group.name,
        location=location, sku=network.PublicIPAddressSkuArgs(name="Standard"), tags=TAGS)
    policy = network.WebApplicationFirewallPolicy(
        f"waf-{location}", resource_group_name=group.name, location=location, tags=TAGS,
        managed_rules=network.ManagedRulesDefinitionArgs(managed_rule_sets=[
            network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1")]))
    network.ApplicationGateway(
        f"agw-{location}", resource_group_name=group.name, location=location, tags=TAGS,
        sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2"),
        firewall_policy=network.SubResourceArgs(id=policy.id) if waf else None,
        frontend_ip_configurations=[network.ApplicationGatewayFrontendIPConfigurationArgs(
            name="public", public_ip_address=network.SubResourceArgs(id=ip.id))])
    return ip


def test_waf_fronts_public_ips() -> None:
    assert evaluate([waf_fronts_public_ips], sdk_resources(lambda: _gateway(_group(), "eastus2"))) == []
    found = evaluate([waf_fronts_public_ips], sdk_resources(lambda: _gateway(_group(), "eastus2", waf=False)))
    assert names(found) == {"waf-fronts-public-ips"} and "no WAF policy" in found[0].message


def test_bare_public_ip_is_flagged_but_nat_gateway_ips_are_exempt() -> None:
    def build(nat: bool) -> None:
        group = _group()
        ip = network.PublicIPAddress("pip-vm", resource_group_name=group.name,
                                     sku=network.PublicIPAddressSkuArgs(name="Standard"))
        if nat:
            network.NatGateway("nat", resource_group_name=group.name,
                               public_ip_addresses=[network.SubResourceArgs(id=ip.id)])
    found = evaluate([waf_fronts_public_ips], sdk_resources(lambda: build(nat=False)))
    assert names(found) == {"waf-fronts-public-ips"} and found[0].urn.endswith("::pip-vm")
    assert evaluate([waf_fronts_public_ips], sdk_resources(lambda: build(nat=True))) == []


def test_preview_unknown_frontend_ip_ids() -> None:
    rs = copy.deepcopy(sdk_resources(lambda: _gateway(_group(), "eastus2")))
    gateway = _one(rs, T.APP_GATEWAY)
    gateway.inputs["frontendIPConfigurations"][0]["publicIPAddress"]["id"] = UNKNOWN
    gateway.inputs["firewallPolicy"]["id"] = UNKNOWN
    assert evaluate([waf_fronts_public_ips], rs) == []  # resolved by dependencies
    _without_dependencies(gateway, "frontendIPConfigurations")
    assert evaluate([waf_fronts_public_ips], rs) == []  # cannot tell: no false violation


# --- budget-exists (COST-1), azure-policy-assigned (COMP-3), defender-plans-enabled (COMP-4) -------

def test_budget_exists() -> None:
    budget = sdk_resources(lambda: consumption.Budget(
        "budget", scope="/subscriptions/s", amount=2000, category="Cost", time_grain="Monthly",
        time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01")))
    group = sdk_resources(_group)
    assert names(evaluate([budget_exists], group)) == {"budget-exists"}
    assert evaluate([budget_exists], group + budget) == []


def _filtered_budget(name: str, dimension: str, values: list[str]) -> list[Resource]:
    return sdk_resources(lambda: consumption.Budget(
        name, scope="/subscriptions/s", amount=500, category="Cost", time_grain="Monthly",
        time_period=consumption.BudgetTimePeriodArgs(start_date="2026-11-01"),
        filter=consumption.BudgetFilterArgs(dimensions=consumption.BudgetComparisonExpressionArgs(
            name=dimension, operator="In", values=values))))


def test_budget_exists_needs_a_budget_over_the_whole_environment() -> None:
    groups = sdk_resources(lambda: [_group("eastus2"), _group("westus3")])
    token_budget = _filtered_budget("token-budget", "ResourceId", [
        "/subscriptions/s/resourceGroups/rg-ai-eastus2/providers/Microsoft.CognitiveServices/accounts/oai"])
    found = evaluate([budget_exists], groups + token_budget)
    assert names(found) == {"budget-exists"} and "no budget covers the whole environment" in found[0].message
    one_group = _filtered_budget("budget", "ResourceGroupName", ["rg-ai-eastus2"])
    assert names(evaluate([budget_exists], groups + token_budget + one_group)) == {"budget-exists"}
    both = _filtered_budget("budget", "ResourceGroupName", ["rg-ai-eastus2", "rg-ai-westus3"])
    assert evaluate([budget_exists], groups + token_budget + both) == []


def test_azure_policy_assigned_is_advisory() -> None:
    group = sdk_resources(_group)
    found = evaluate([azure_policy_assigned], group)
    assert [(v.policy, v.level) for v in found] == [("azure-policy-assigned", "advisory")]
    assignment = sdk_resources(lambda: authorization.PolicyAssignment(
        "allowed-locations", scope="/subscriptions/s", policy_definition_id="/providers/Microsoft.Authorization/"
                                                                            "policyDefinitions/e56962a6"))
    assert evaluate([azure_policy_assigned], group + assignment) == []


def test_defender_plans_enabled() -> None:
    def plans(*tiers: tuple[str, str]) -> list[Resource]:
        return sdk_resources(lambda: [security.Pricing(f"defender-{n}", pricing_name=n, pricing_tier=t,
                                                       scope_id="subscriptions/s") for n, t in tiers])
    found = evaluate([defender_plans_enabled], plans(("AI", "Free")))
    assert [(v.policy, v.level) for v in found] == [("defender-plans-enabled", "advisory")]
    assert evaluate([defender_plans_enabled], plans(("AI", "Standard"))) == []
    required = file_config({"defender-plans-enabled": {"requiredPlans": ["AI", "KeyVaults"]}})
    found = evaluate([defender_plans_enabled], plans(("AI", "Standard")), required)
    assert names(found) == {"defender-plans-enabled"} and "KeyVaults" in found[0].message


# --- multi-region (REL-1) -------------------------------------------------------------------------

def _regions(locations: tuple[str, ...] = ("eastus2", "westus3"), endpoints: tuple[str, ...] | None = None,
             traffic_manager: bool = True, standalone_endpoints: bool = False) -> list[Resource]:
    def build() -> None:
        ips = {loc: _gateway(_group(loc), loc) for loc in locations}
        if not traffic_manager:
            return
        wanted = [(i, loc) for i, loc in enumerate(locations) if endpoints is None or loc in endpoints]
        profile = trafficmanager.Profile(
            "tm", profile_name="tm-ai-prod", resource_group_name=f"rg-ai-{locations[0]}", location="global",
            traffic_routing_method="Priority", tags=TAGS,
            endpoints=None if standalone_endpoints else [trafficmanager.EndpointArgs(
                name=loc, type="Microsoft.Network/trafficManagerProfiles/azureEndpoints",
                target_resource_id=ips[loc].id, priority=i + 1) for i, loc in wanted])
        if standalone_endpoints:
            for i, loc in wanted:
                trafficmanager.Endpoint(
                    f"tm-{loc}", endpoint_name=loc, endpoint_type="AzureEndpoints", profile_name=profile.name,
                    resource_group_name=f"rg-ai-{locations[0]}", target_resource_id=ips[loc].id, priority=i + 1)
    return sdk_resources(build)


def test_multi_region_compliant_in_prod() -> None:
    prod = _env("prod", multi_region)
    assert evaluate([multi_region], _regions(), prod) == []
    assert evaluate([multi_region], _regions(standalone_endpoints=True), prod) == []


def test_multi_region_violations_are_mandatory_in_prod() -> None:
    prod = _env("prod", multi_region)
    found = evaluate([multi_region], _regions(("eastus2",)), prod)
    assert [(v.level, m) for v, m in zip(found, _messages(found), strict=True)] == [
        ("mandatory", "the stack serves from 1 region(s) (eastus2); at least 2 are required")]
    found = evaluate([multi_region], _regions(endpoints=("eastus2",)), prod)
    assert _messages(found) == ["region 'westus3' serves traffic but no Traffic Manager endpoint points to it"]
    found = evaluate([multi_region], _regions(traffic_manager=False), prod)
    assert _messages(found) == ["no Traffic Manager profile routes traffic between the regions"]


def test_multi_region_counts_serving_regions() -> None:
    """A storage account in a second region does not make a multi-region deployment."""
    def build() -> None:
        _gateway(_group("eastus2"), "eastus2")
        storage.StorageAccount("replica", resource_group_name=_group("westus3").name, kind="StorageV2",
                               sku=storage.SkuArgs(name="Standard_LRS"))
    found = evaluate([multi_region], sdk_resources(build), _env("prod", multi_region))
    assert _messages(found) == ["the stack serves from 1 region(s) (eastus2); at least 2 are required"]


def test_multi_region_in_dev_and_without_config() -> None:
    assert evaluate([multi_region], _regions(("eastus2",), traffic_manager=False),
                    _env("dev", multi_region)) == []
    found = evaluate([multi_region], _regions(("eastus2",)))
    assert [(v.policy, v.level) for v in found] == [("multi-region", "advisory")]


def test_preview_unknown_endpoint_target() -> None:
    rs = copy.deepcopy(_regions(endpoints=("eastus2",)))
    profile = _one(rs, T.TM_PROFILE)
    profile.inputs["endpoints"][0]["targetResourceId"] = UNKNOWN
    prod = _env("prod", multi_region)
    # The dependency still says the endpoint targets the eastus2 IP: westus3 is still missing.
    assert names(evaluate([multi_region], rs, prod)) == {"multi-region"}
    _without_dependencies(profile, "endpoints")
    assert evaluate([multi_region], rs, prod) == []


# --- nsg-on-every-subnet (SEC-4) ------------------------------------------------------------------

def _network(nsg_everywhere: bool) -> list[Resource]:
    def build() -> None:
        group = _group()
        nsg = network.NetworkSecurityGroup("nsg", resource_group_name=group.name, tags=TAGS)
        guarded = network.NetworkSecurityGroupArgs(id=nsg.id)
        vnet = network.VirtualNetwork(
            "vnet", resource_group_name=group.name, tags=TAGS,
            address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]),
            subnets=[network.SubnetArgs(name="apps", address_prefix="10.0.1.0/24", network_security_group=guarded),
                     network.SubnetArgs(name="GatewaySubnet", address_prefix="10.0.2.0/24"),
                     network.SubnetArgs(name="data", address_prefix="10.0.3.0/24",
                                        network_security_group=guarded if nsg_everywhere else None)])
        network.Subnet("endpoints", subnet_name="endpoints", resource_group_name=group.name,
                       virtual_network_name=vnet.name, address_prefix="10.0.4.0/24",
                       network_security_group=guarded if nsg_everywhere else None)
    return sdk_resources(build)


def test_nsg_on_every_subnet() -> None:
    found = evaluate([nsg_on_every_subnet], _network(nsg_everywhere=False))
    assert sorted(_messages(found)) == ["subnet 'data' of virtual network 'vnet' has no network security group",
                                        "subnet 'endpoints' has no network security group"]
    assert evaluate([nsg_on_every_subnet], _network(nsg_everywhere=True)) == []


def test_preview_unknown_nsg_id_counts_as_present() -> None:
    rs = copy.deepcopy(_network(nsg_everywhere=True))
    _one(rs, T.SUBNET).inputs["networkSecurityGroup"]["id"] = UNKNOWN
    _one(rs, T.VNET).inputs["subnets"] = UNKNOWN
    assert evaluate([nsg_on_every_subnet], rs) == []


# --- redis-in-each-region (PERF-2) ----------------------------------------------------------------

def _stamps(cache_regions: tuple[str, ...]) -> list[Resource]:
    def build() -> None:
        for loc in ("eastus2", "westus3"):
            group = _group(loc)
            app.ManagedEnvironment(f"cae-{loc}", resource_group_name=group.name, tags=TAGS)
            if loc in cache_regions:
                redisenterprise.RedisEnterprise(f"amr-{loc}", resource_group_name=group.name, location=loc,
                                                public_network_access="Disabled",
                                                sku=redisenterprise.SkuArgs(name="Balanced_B10"))
    return sdk_resources(build)


def test_redis_in_each_region() -> None:
    found = evaluate([redis_in_each_region], _stamps(("eastus2",)))
    assert names(found) == {"redis-in-each-region"} and found[0].urn.endswith("::cae-westus3")
    assert evaluate([redis_in_each_region], _stamps(("eastus2", "westus3"))) == []


# --- alerts-wired (MON-3), custom-metric-alert (MON-2), dashboard (MON-4, COST-5), web test (MON-5) --

def _metric_alert(name: str, scope: pulumi.Input[str], metric: str, group: monitor.ActionGroup | None,
                  namespace: str | None = None) -> None:
    monitor.MetricAlert(
        name, resource_group_name="rg-ai-eastus2", location="global", enabled=True, severity=2, scopes=[scope],
        evaluation_frequency="PT1M", window_size="PT5M",
        criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
            odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            all_of=[monitor.MetricCriteriaArgs(
                criterion_type="StaticThresholdCriterion", name=name, metric_name=metric, metric_namespace=namespace,
                operator="GreaterThan", threshold=10, time_aggregation="Total",
                skip_metric_validation=bool(namespace))]),
        actions=[monitor.MetricAlertActionArgs(action_group_id=group.id)] if group else None)


def _observed(*, skip: tuple[str, ...] = (), unwired: tuple[str, ...] = (), workbook: str | None = "tokens cost",
              web_test: str | None = "standard") -> list[Resource]:
    """A serving stack with the seed's observability: alerts, custom metric alert, workbook, web test."""
    def build() -> None:
        group = _group()
        component = insights.Component("appi", resource_group_name=group.name, kind="web", application_type="web",
                                       workspace_resource_id=WORKSPACE_ID, disable_local_auth=True)
        account = cognitiveservices.Account(
            "oai", resource_group_name=group.name, kind="OpenAI", sku=cognitiveservices.SkuArgs(name="S0"))
        cache = redisenterprise.RedisEnterprise("amr", resource_group_name=group.name, public_network_access="Disabled",
                                                sku=redisenterprise.SkuArgs(name="Balanced_B10"))
        action_group = monitor.ActionGroup("oncall", resource_group_name=group.name, group_short_name="oncall",
                                           enabled=True, location="global")
        alerts = {
            "failed-requests": (component.id, "requests/failed", None),
            "openai-throttling": (account.id, "AzureOpenAIRequests", None),
            "redis-load": (cache.id, "serverLoad", None),
            "tokens": (component.id, "openai_tokens_used", "azure.applicationinsights"),
        }
        for name, (scope, metric, namespace) in alerts.items():
            if name not in skip:
                _metric_alert(name, scope, metric, None if name in unwired else action_group, namespace)
        if workbook is not None:
            insights.Workbook("ai-dashboard", resource_group_name=group.name, kind="shared", category="workbook",
                              display_name="AI operations", source_id=component.id,
                              serialized_data=json.dumps({"items": [{"title": workbook}]}))
        if web_test is not None:
            kind = insights.WebTestKind(web_test)
            insights.WebTest("health", resource_group_name=group.name, kind=kind, web_test_kind=kind,
                             web_test_name="health", synthetic_monitor_id="health", enabled=True,
                             locations=[insights.WebTestGeolocationArgs(location="us-va-ash-azr")],
                             request=insights.WebTestPropertiesRequestArgs(request_url="https://ai.contoso.com/health"))
    return sdk_resources(build)


MONITORING_STACK_POLICIES = [alerts_wired, custom_metric_alert, dashboard_exists,
                             availability_test_exists]


def test_observed_stack_is_compliant() -> None:
    assert evaluate(MONITORING_STACK_POLICIES, _observed()) == []


def test_stack_without_workload_needs_no_monitoring() -> None:
    assert evaluate(MONITORING_STACK_POLICIES, sdk_resources(_group)) == []


@pytest.mark.parametrize("kwargs, expected", [
    ({"skip": ("failed-requests",)}, "no enabled metric alert on the error rate"),
    ({"unwired": ("failed-requests",)}, "no enabled metric alert on the error rate"),
    ({"skip": ("openai-throttling",)}, "OpenAI account 'oai' has no enabled throttling alert"),
    ({"skip": ("redis-load",)}, "Redis cache 'amr' has no enabled metric alert wired to an action group"),
    ({"unwired": ("redis-load",)}, "Redis cache 'amr' has no enabled metric alert wired to an action group"),
])
def test_alerts_wired(kwargs: dict, expected: str) -> None:
    found = evaluate([alerts_wired], _observed(**kwargs))
    assert names(found) == {"alerts-wired"} and all(m.startswith(expected) for m in _messages(found))


def test_preview_unknown_alert_scopes_are_resolved_by_dependency() -> None:
    rs = copy.deepcopy(_observed())
    for alert in [r for r in rs if r.type == T.METRIC_ALERT]:
        alert.inputs["scopes"] = [UNKNOWN]
    assert evaluate([alerts_wired], rs) == []
    alert = _one(rs, T.METRIC_ALERT, "redis-load")
    _without_dependencies(alert, "scopes")
    alert.inputs["criteria"]["allOf"][0]["metricName"] = "anything"
    assert evaluate([alerts_wired], rs) == []  # this alert may target the cache: no finding


def test_custom_metric_alert() -> None:
    found = evaluate([custom_metric_alert], _observed(skip=("tokens",)))
    assert names(found) == {"custom-metric-alert"}
    log_alert = sdk_resources(lambda: monitor.ScheduledQueryRule(
        "tokens-log", resource_group_name="rg", scopes=[WORKSPACE_ID], enabled=True, severity=3,
        evaluation_frequency="PT5M", window_size="PT5M",
        criteria=monitor.ScheduledQueryRuleCriteriaArgs(all_of=[monitor.ConditionArgs(
            query="customMetrics | where name == 'openai_tokens_used'", time_aggregation="Count",
            operator="GreaterThan", threshold=1)])))
    assert evaluate([custom_metric_alert], _observed(skip=("tokens",)) + log_alert) == []
    # A custom metric named without its namespace still needs skipMetricValidation until first emitted.
    rs = copy.deepcopy(_observed())
    criterion = _one(rs, T.METRIC_ALERT, "tokens").inputs["criteria"]["allOf"][0]
    del criterion["metricNamespace"]
    assert evaluate([custom_metric_alert], rs) == []
    criterion["skipMetricValidation"] = False
    assert names(evaluate([custom_metric_alert], rs)) == {"custom-metric-alert"}


def test_dashboard_exists() -> None:
    assert names(evaluate([dashboard_exists], _observed(workbook=None))) == {"dashboard-exists"}
    found = evaluate([dashboard_exists], _observed(workbook="request volume and latency"))
    assert names(found) == {"dashboard-exists"} and "token and cost" in found[0].message
    dashboard = sdk_resources(lambda: portal.Dashboard(
        "board", resource_group_name="rg", properties=portal.DashboardPropertiesWithProvisioningStateArgs(
            lenses=[portal.DashboardLensArgs(order=0, parts=[portal.DashboardPartsArgs(
                position=portal.DashboardPartsPositionArgs(x=0, y=0, col_span=6, row_span=4),
                metadata=portal.DashboardPartMetadataArgs(
                    type="Extension/HubsExtension/PartType/MarkdownPart",
                    settings={"content": {"settings": {"content": "Token usage and cost per hour"}}}))])])))
    assert evaluate([dashboard_exists], _observed(workbook=None) + dashboard) == []


def test_availability_test_exists() -> None:
    assert names(evaluate([availability_test_exists], _observed(web_test=None))) == {
        "availability-test-exists"}
    assert names(evaluate([availability_test_exists], _observed(web_test="ping"))) == {
        "availability-test-exists"}


def _static_site(with_cdn: bool) -> list:
    import pulumi_azure_native.cdn as cdn
    import pulumi_azure_native.storage as storage

    def build() -> None:
        account = storage.StorageAccount(
            "web", resource_group_name="rg", location="eastus2", kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=storage.SkuName.STANDARD_ZRS))
        storage.StorageAccountStaticWebsite("site", account_name=account.name, resource_group_name="rg",
                                            index_document="index.html")
        if with_cdn:
            cdn.AFDOrigin("origin", resource_group_name="rg", profile_name="fd", origin_group_name="web",
                          host_name=account.name.apply(lambda n: f"{n}.z13.web.core.windows.net"))

    return sdk_resources(build)


def test_static_content_behind_cdn() -> None:
    from policies.relations.edge import static_content_behind_cdn

    assert names(evaluate([static_content_behind_cdn], _static_site(with_cdn=False))) == {"static-content-behind-cdn"}
    assert evaluate([static_content_behind_cdn], _static_site(with_cdn=True)) == []


def _postgres(pooling: str | None) -> list:
    import pulumi_azure_native.dbforpostgresql as postgres

    def build() -> None:
        server = postgres.Server("pg", resource_group_name="rg", location="eastus2", version="16",
                                 sku=postgres.SkuArgs(name="Standard_D2ds_v5", tier="GeneralPurpose"))
        if pooling is not None:
            postgres.Configuration("pgbouncer", resource_group_name="rg", server_name=server.name,
                                   configuration_name="pgbouncer.enabled", value=pooling, source="user-override")

    return sdk_resources(build)


def test_postgres_connection_pooling() -> None:
    from policies.relations.databases import postgres_connection_pooling

    assert names(evaluate([postgres_connection_pooling], _postgres(None))) == {"postgres-connection-pooling"}
    assert names(evaluate([postgres_connection_pooling], _postgres("false"))) == {"postgres-connection-pooling"}
    assert evaluate([postgres_connection_pooling], _postgres("true")) == []
