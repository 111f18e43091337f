"""diagnostic_setting(): logs and metrics of one resource to the workspace (MON-6, COMP-2)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.diagnostics import diagnostic_setting
from policies.azure import types as T
from tests.harness import Declared, declare

DIAG = T.DIAGNOSTIC_SETTING
TARGET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"


class Owner(pulumi.ComponentResource):
    def __init__(self) -> None:
        super().__init__("test:diag:Owner", "owner")


def _declare(workspace: str | None = WORKSPACE, categories: Sequence[str] | None = None,
             metrics: bool = True) -> tuple[Declared, list[object]]:
    returned: list[object] = []

    def build() -> None:
        returned.append(diagnostic_setting("kv", target_id=TARGET, workspace_id=workspace, parent=Owner(),
                                           categories=categories, metrics=metrics))

    return declare(build), returned


def test_all_logs_and_metrics_by_default() -> None:
    declared, _ = _declare()
    diag = declared.inputs(DIAG)
    assert (diag["name"], diag["resourceUri"], diag["workspaceId"]) == ("to-log-analytics", TARGET, WORKSPACE)
    assert diag["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert diag["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert diag["logAnalyticsDestinationType"] == "Dedicated"
    assert declared.one(DIAG).parent == declared.one("test:diag:Owner").urn


def test_specific_categories_and_no_metrics() -> None:
    declared, _ = _declare(categories=["AuditEvent", "AzurePolicyEvaluationDetails"], metrics=False)
    diag = declared.inputs(DIAG)
    assert diag["logs"] == [{"category": "AuditEvent", "enabled": True},
                            {"category": "AzurePolicyEvaluationDetails", "enabled": True}]
    assert "metrics" not in diag


def test_nothing_before_a_workspace_exists() -> None:
    declared, returned = _declare(workspace=None)
    assert returned == [None]
    assert not declared.of_type(DIAG)
