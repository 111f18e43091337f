"""Monitoring resource policies (policies/rules/monitor.py) on the pattern 1 types: a diagnostic
setting of an Azure AI Search service or a Front Door profile is an audit trail only with the
service's audit categories."""

from __future__ import annotations

import pulumi_azure_native.monitor as monitor
import pytest

from dryrun.model import Resource
from policies.rules.monitor import diagnostic_setting_audit_categories
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources

WORKSPACE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.OperationalInsights/workspaces/log-aip"
SEARCH_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Search/searchServices/srch-aip-prod-eus2"
PROFILE_ID = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Cdn/profiles/{s.PROFILE}"


def _setting(target: str, categories: list[str]) -> list[Resource]:
    return sdk_resources(lambda: monitor.DiagnosticSetting(
        "diag", name="to-log-analytics", resource_uri=target, workspace_id=WORKSPACE_ID,
        logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories],
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)]))


@pytest.mark.parametrize("target, categories, ok", [
    pytest.param(SEARCH_ID, ["OperationLogs"], True, id="search-operation-logs-complies"),
    pytest.param(SEARCH_ID, [], False, id="search-without-operation-logs-violates"),
    pytest.param(PROFILE_ID, ["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"],
                 True, id="front-door-access-and-waf-logs-comply"),
    pytest.param(PROFILE_ID, ["FrontDoorHealthProbeLog"], False, id="front-door-health-probe-log-only-violates"),
    pytest.param(PROFILE_ID, ["AzureCdnAccessLog"], True, id="classic-cdn-access-log-complies"),
])
def test_pattern1_audit_categories(target: str, categories: list[str], ok: bool) -> None:
    found = evaluate([diagnostic_setting_audit_categories], _setting(target, categories))
    assert names(found) == (set() if ok else {"diagnostic-setting-audit-categories"})
