"""Specification of policies/relations/diagnostics.py (`diagnostic-settings-coverage`): a compliant and
a violating deployment per policy, declared with the SDK under mocks; relations come from the
recorded property dependencies, as the engine sends them, with preview cases where ids are still
unknown.

storage-service-diagnostics: a storage account used through its blob or queue service has a diagnostic
setting on that service sending its StorageRead, StorageWrite and StorageDelete logs to Log Analytics. A
case is `(policy, program, config)` in PASSING and `(policy, program, config, fragment of the message)` in
FAILING; `config` None is the pack's default."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native.app as app
import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network
import pulumi_azure_native.storage as storage
import pytest

from dryrun.model import UNKNOWN, Resource
from policies.azure import types as T
from policies.relations.diagnostics import diagnostic_settings_coverage, storage_service_diagnostics
from policies.rules.monitor import diagnostic_setting_audit_categories, diagnostic_setting_to_workspace
from tests.policies import secure_inputs as s
from tests.policies import stack_inputs as st
from tests.policies.support import (
    assert_provided_outside_stack,
    evaluate,
    file_config,
    flagged,
    names,
    sdk_resources,
    table_tests,
)


def _diagnosed_vault(setting: bool = True, categories: tuple[str, ...] = ("AuditEvent",),
                     uri: Callable[[pulumi.Output[str]], Any] | None = None) -> list[Resource]:
    def build() -> None:
        vault = st.vault(st.group())
        if setting:
            monitor.DiagnosticSetting(
                "kv-diag", name="to-log-analytics", resource_uri=uri(vault.id) if uri else vault.id,
                workspace_id=st.WORKSPACE_ID,
                logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories],
                metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)])
    return sdk_resources(build)


WORKSPACE = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log"

SIEM_RULE = (f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.EventHub/namespaces/evhns-siem/"
             "authorizationRules/RootManageSharedAccessKey")

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
    st.one(rs, T.DIAGNOSTIC_SETTING).inputs["resourceUri"] = UNKNOWN
    found = evaluate([diagnostic_settings_coverage], rs)
    assert names(found) == {"diagnostic-settings-coverage"} and "AuditEvent" in found[0].message
    good = copy.deepcopy(_diagnosed_vault())
    st.one(good, T.DIAGNOSTIC_SETTING).inputs["resourceUri"] = UNKNOWN
    assert evaluate([diagnostic_settings_coverage], good) == []


def test_preview_unresolvable_setting_reports_nothing() -> None:
    rs = copy.deepcopy(_diagnosed_vault()) + sdk_resources(lambda: st.vault(st.group("westus3"), name="kv2"))
    setting = st.one(rs, T.DIAGNOSTIC_SETTING)
    setting.inputs["resourceUri"] = UNKNOWN
    st.without_dependencies(setting, "resourceUri")
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


def test_siem_stream_next_to_a_complete_workspace_setting_is_silent() -> None:
    assert flagged(DIAGNOSTICS, _vault_streams(), VAULT_ONLY) == set()


def test_siem_stream_alone_leaves_the_vault_without_log_analytics() -> None:
    found = evaluate(DIAGNOSTICS, _vault_streams(workspace=False), VAULT_ONLY)
    assert names(found) == {"diagnostic-settings-coverage"} and "no diagnostic setting" in found[0].message


def test_provided_outside_stack_records_every_finding_as_suppressed() -> None:
    assert_provided_outside_stack(diagnostic_settings_coverage, _vault_streams(workspace=False, siem=False),
                                  "ALZ initiative Deploy-Diag-LogAnalytics writes every diagnostic setting")


SEARCH_WORKSPACE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log-aip"


def _with_setting(declare: Callable[[], Any], categories: list[str] | None) -> s.Program:
    def build() -> None:
        target = declare()
        if categories is not None:
            monitor.DiagnosticSetting(
                "diag", name="to-log-analytics", resource_uri=target.id, workspace_id=SEARCH_WORKSPACE_ID,
                logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories])

    return build


def _profile() -> cdn.Profile:
    return cdn.Profile("edge-profile", resource_group_name=s.RG, profile_name=s.PROFILE, location="global",
                       sku=cdn.SkuArgs(name="Premium_AzureFrontDoor"))


@pytest.mark.parametrize("declare, categories, ok", [
    pytest.param(s.search_service(), ["OperationLogs"], True, id="search-with-setting-complies"),
    pytest.param(s.search_service(), None, False, id="search-without-setting-violates"),
    pytest.param(_profile, ["FrontDoorAccessLog", "FrontDoorWebApplicationFirewallLog"], True,
                 id="front-door-profile-with-setting-complies"),
    pytest.param(_profile, None, False, id="front-door-profile-without-setting-violates"),
    pytest.param(s.front_door_waf(), None, True, id="front-door-waf-policy-is-covered-by-its-profile"),
    pytest.param(s.static_site(), None, True, id="static-site-exports-nothing-through-diagnostic-settings"),
])
def test_pattern1_diagnostic_coverage(declare: Callable[[], Any], categories: list[str] | None, ok: bool) -> None:
    found = evaluate([diagnostic_settings_coverage], sdk_resources(_with_setting(declare, categories)))
    assert names(found) == (set() if ok else {"diagnostic-settings-coverage"}), [v.message for v in found]


ACCOUNT_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Storage/storageAccounts/staipprodeus2"
ALL_LOGS = [monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)]


def categories(*names: str) -> list[monitor.DiagnosticsLogSettingsArgs]:
    return [monitor.DiagnosticsLogSettingsArgs(category=n, enabled=True) for n in names]


def account(uses: str = "container", logged: tuple[str, ...] = ("blob",), by_id: bool = False,
            logs: list[monitor.DiagnosticsLogSettingsArgs] | None = None, siem_only: bool = False) -> s.Program:
    """The secure account, used through `uses` ('container', 'blob-service', 'queue', 'queue-service',
    'queue-endpoint', 'nothing'), with a setting on each service in `logged` (ALL_LOGS unless `logs`)."""
    def build() -> None:
        st = s.storage_account()()
        if uses == "container":
            storage.BlobContainer("files", resource_group_name=s.RG, account_name=st.name, container_name="files")
        elif uses == "blob-service":
            s.blob_service()()  # names the account by its literal name
        elif uses == "queue":
            storage.Queue("work", resource_group_name=s.RG, account_name=st.name, queue_name="work")
        elif uses == "queue-service":
            storage.QueueServiceProperties("queues", resource_group_name=s.RG, account_name=st.name,
                                           queue_service_name="default")
        elif uses == "queue-endpoint":
            network.PrivateEndpoint(
                "st-queue-pe", resource_group_name=s.RG, private_endpoint_name="pe-st-queue",
                subnet=network.SubnetArgs(id=f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/"
                                          "virtualNetworks/vnet/subnets/snet-pe"),
                private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                    name="queue", group_ids=["queue"], private_link_service_id=st.id)])
        for service in logged:
            target: pulumi.Input[str] = f"{ACCOUNT_ID}/{service}Services/default" if by_id \
                else st.id.apply(lambda i, v=service: f"{i}/{v}Services/default")
            destination: dict[str, Any] = ({"event_hub_authorization_rule_id": SIEM_RULE} if siem_only
                                           else {"workspace_id": WORKSPACE})
            monitor.DiagnosticSetting(f"st-{service}-diag", name="to-log-analytics", resource_uri=target,
                                      logs=logs if logs is not None else ALL_LOGS, **destination)
    return build


PASSING = [
    (storage_service_diagnostics, account(), None),
    (storage_service_diagnostics, account(by_id=True), None),
    (storage_service_diagnostics, account(logs=categories("StorageRead", "StorageWrite", "StorageDelete")), None),
    (storage_service_diagnostics, account(uses="queue", logged=("queue",)), None),
    (storage_service_diagnostics, account(uses="queue-endpoint", logged=("queue",)), None),
    # An account nothing uses through a data service needs no service setting.
    (storage_service_diagnostics, account(uses="nothing", logged=()), None),
]

FAILING = [
    (storage_service_diagnostics, account(logged=()), None, "uses its blob service, but no diagnostic setting"),
    (storage_service_diagnostics, account(uses="blob-service", logged=()), None, "uses its blob service"),
    (storage_service_diagnostics, account(uses="queue", logged=("blob",)), None, "uses its queue service"),
    (storage_service_diagnostics, account(uses="queue-service", logged=()), None, "on queueServices/default"),
    (storage_service_diagnostics, account(uses="queue-endpoint", logged=()), None, "uses its queue service"),
    (storage_service_diagnostics, account(logs=categories("StorageWrite", "StorageDelete")), None,
     "does not send StorageRead"),
    # `audit` is not sure to hold all three categories (Microsoft's tables do not say).
    (storage_service_diagnostics, account(logs=[monitor.DiagnosticsLogSettingsArgs(category_group="audit",
                                                                                   enabled=True)]), None,
     "does not send StorageRead, StorageWrite, StorageDelete"),
    # A SIEM stream alone puts nothing in Log Analytics.
    (storage_service_diagnostics, account(siem_only=True), None, "no diagnostic setting"),
]


# The policies the tables specify: each has a compliant and a violating case.
AREA = [storage_service_diagnostics]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_setting_whose_target_is_unknown_until_deployment_is_not_a_false_alarm() -> None:
    def build() -> None:
        st = s.storage_account()()
        storage.BlobContainer("files", resource_group_name=s.RG, account_name=st.name, container_name="files")
        monitor.DiagnosticSetting("st-blob-diag", name="to-log-analytics", workspace_id=WORKSPACE, logs=ALL_LOGS,
                                  resource_uri=pulumi.Output.all(st.id, s.unknown()).apply(lambda v: f"{v[0]}/x"))
    assert evaluate([storage_service_diagnostics], sdk_resources(build)) == []
