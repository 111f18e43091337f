"""The one diagnostic-settings helper every component uses (MON-6, COMP-2)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_azure_native.monitor as monitor


def diagnostic_setting(
    name: str,
    *,
    target_id: pulumi.Input[str],
    workspace_id: pulumi.Input[str] | None,
    parent: pulumi.Resource,
    categories: Sequence[str] | None = None,
    metrics: bool = True,
    metric_categories: Sequence[str] = ("AllMetrics",),
) -> monitor.DiagnosticSetting | None:
    """Send a resource's logs and metrics to the region's Log Analytics workspace.

    `categories` lists log categories where a service needs specific ones (e.g. Key Vault's
    AuditEvent); by default the `allLogs` category group takes every category the resource has.
    Resource-specific tables (`Dedicated`) keep queries cheap and typed. `metric_categories`
    names the metric categories where Azure stores concrete ones instead of `AllMetrics` (storage
    data services), so `pulumi refresh` reads back what was declared.
    """
    if workspace_id is None:
        return None
    logs = ([monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in categories]
            if categories is not None else
            [monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)])
    return monitor.DiagnosticSetting(
        f"{name}-diag",
        name="to-log-analytics",
        resource_uri=target_id,
        workspace_id=workspace_id,
        log_analytics_destination_type="Dedicated",
        logs=logs,
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True) for c in metric_categories]
        if metrics else None,
        opts=pulumi.ResourceOptions(parent=parent),
    )
