"""Diagnostic settings coverage (policies/relations/diagnostics.py) for the pattern 1 types: every Azure
AI Search service and Front Door profile sends its logs to Log Analytics; a Front Door WAF policy is
covered through its profile's WAF log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.monitor as monitor
import pytest

from policies.relations.diagnostics import diagnostic_settings_coverage
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources

WORKSPACE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log-aip"


def _with_setting(declare: Callable[[], Any], categories: list[str] | None) -> s.Program:
    def build() -> None:
        target = declare()
        if categories is not None:
            monitor.DiagnosticSetting(
                "diag", name="to-log-analytics", resource_uri=target.id, workspace_id=WORKSPACE_ID,
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
