from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.sync_await import _sync_await

from components.common import Common, RoleGrant
from components.monitoring import Monitoring, MonitoringArgs, MonitoringError
from components.rbac import ROLES
from policies.azure import types as T
from tests.harness import declare, stack_config, walk

WS = T.WORKSPACE
AI = T.APP_INSIGHTS
DIAG = T.DIAGNOSTIC_SETTING
PRINCIPAL = "11111111-2222-4333-8444-555555555555"


def _build(stack: str, held: dict[str, Any] | None = None, grants: list[RoleGrant] | None = None,
           private_link: bool = False):
    cfg = stack_config(stack)
    common = Common(resource_group_name=f"rg-aip-{stack}-eastus2", location="eastus2", tags=cfg.resource_tags(),
                    protect=cfg.protect, role_grants=grants or [])

    def build() -> None:
        m = Monitoring("mon", MonitoringArgs(common=common, base_name=f"aip-{stack}",
                                             retention_days=cfg.monitoring.retention_days,
                                             daily_quota_gb=cfg.monitoring.daily_quota_gb,
                                             private_link=private_link))
        if held is not None:
            held["m"] = m
    return build


@pytest.mark.parametrize(("stack", "retention", "quota", "protect"),
                         [("dev", 30, 5.0, False), ("prod", 90, None, True)])
def test_workspace_retention_quota_and_protection_per_environment(stack, retention, quota, protect) -> None:
    d = declare(_build(stack), stack)
    ws = d.inputs(WS)
    assert ws["sku"] == {"name": "PerGB2018"}
    assert ws["retentionInDays"] == retention
    assert ws.get("workspaceCapping") == ({"dailyQuotaGb": quota} if quota else None)
    assert ws["features"] == {"disableLocalAuth": True, "enableLogAccessUsingOnlyResourcePermissions": True}
    assert ws["workspaceName"] == f"log-aip-{stack}-eastus2"
    assert d.one(WS).protect is protect
    assert d.one(AI).protect is False  # telemetry lives in the workspace; the component is stateless


@pytest.mark.parametrize(("private_link", "access"), [(True, "Disabled"), (False, "Enabled")])
def test_public_ingestion_and_query_follow_the_private_link_switch(private_link: bool, access: str) -> None:
    d = declare(_build("prod", private_link=private_link), "prod")
    for token in (WS, AI):
        inputs = d.inputs(token)
        assert (inputs["publicNetworkAccessForIngestion"], inputs["publicNetworkAccessForQuery"]) == (access, access)


def test_app_insights_is_workspace_based_with_the_seed_settings() -> None:
    d = declare(_build("prod"), "prod")
    ai = d.inputs(AI)
    assert ai["kind"] == "web" and ai["applicationType"] == "web"
    assert ai["workspaceResourceId"].endswith("/Microsoft.OperationalInsights/workspaces/log-aip-prod-eastus2")
    assert ai["ingestionMode"] == "LogAnalytics"
    assert ai["samplingPercentage"] == 100
    assert ai["disableIpMasking"] is False
    assert ai["disableLocalAuth"] is True
    assert ai["tags"] == stack_config("prod").resource_tags()
    assert d.one(WS).urn in d.one(AI).dependencies


def test_diagnostic_settings_go_to_the_new_workspace() -> None:
    d = declare(_build("dev"), "dev")
    ws_id = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-dev-eastus2/providers/" \
            "Microsoft.OperationalInsights/workspaces/log-aip-dev-eastus2"
    settings = {s.name: d.inputs(DIAG, s.name) for s in d.of_type(DIAG)}
    assert set(settings) == {"mon-log-diag", "mon-appi-diag"}
    assert all(s["workspaceId"] == ws_id for s in settings.values())
    assert settings["mon-log-diag"]["resourceUri"] == ws_id
    assert settings["mon-log-diag"]["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    # App Insights already stores its telemetry in the workspace: metrics only, no duplicate logs.
    appi = settings["mon-appi-diag"]
    assert appi["resourceUri"].endswith("/Microsoft.Insights/components/appi-aip-dev-eastus2")
    assert appi["logs"] == [] and appi["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_outputs_keep_the_instrumentation_key_secret() -> None:
    held: dict[str, Any] = {}
    declare(_build("dev", held), "dev")
    m = held["m"]
    assert _sync_await(m.connection_string.is_secret())
    assert _sync_await(m.connection_string.future()).startswith("InstrumentationKey=")
    plain = [m.workspace_id, m.workspace_customer_id, m.app_insights_id]
    values = [_sync_await(o.future()) for o in plain]
    assert not any(_sync_await(o.is_secret()) for o in plain)
    assert not any("InstrumentationKey" in str(v) for v in walk(values))
    assert values[1]  # the workspace customer id (for queries and agents)


def test_role_grants_land_on_app_insights() -> None:
    grant = RoleGrant(principal_id=PRINCIPAL, role="Monitoring Metrics Publisher", description="api telemetry")
    d = declare(_build("dev", grants=[grant]), "dev")
    ra = d.inputs(T.ROLE_ASSIGNMENT)
    assert ra["scope"].endswith("/Microsoft.Insights/components/appi-aip-dev-eastus2")
    assert ra["principalId"] == PRINCIPAL and ra["principalType"] == "ServicePrincipal"
    assert ra["roleDefinitionId"].endswith(ROLES["Monitoring Metrics Publisher"])


@pytest.mark.parametrize(("retention", "quota", "match"), [(7, None, "retentionDays"), (90, 0.0, "dailyQuotaGb")])
def test_bad_settings_are_rejected_before_anything_is_declared(retention: int, quota: float | None,
                                                               match: str) -> None:
    common = Common(resource_group_name="rg", location="eastus2", tags={})
    with pytest.raises(MonitoringError, match=match):
        Monitoring("mon", MonitoringArgs(common=common, base_name="aip-dev", retention_days=retention,
                                         daily_quota_gb=quota))
