"""Traffic Manager profiles (trafficmanager:Profile): priority failover and HTTPS health monitoring."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, Unknown, get, number, text
from ..framework.values import HEALTH_PATH, is_health_path

# Azure's monitorConfig defaults for absent fields.
_TM_DEFAULTS = {"intervalInSeconds": 30.0, "toleratedNumberOfFailures": 3.0, "timeoutInSeconds": 10.0}


def _monitor_setting(monitor: Any, key: str) -> float | Unknown:
    value = number(monitor, key)
    return _TM_DEFAULTS[key] if value is None else value


def _traffic_manager_failover(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    method = text(args.props, "trafficRoutingMethod")
    if method is not UNKNOWN and method != "priority":
        yield f"trafficRoutingMethod is {method or 'absent'}; use 'Priority' for primary/secondary failover"
    monitor = get(args.props, "monitorConfig")
    if monitor is UNKNOWN:
        return
    interval, failures, timeout = (_monitor_setting(monitor, key) for key in _TM_DEFAULTS)
    if not (isinstance(interval, float) and isinstance(failures, float) and isinstance(timeout, float)):
        return
    detection = interval * (failures + 1)
    if detection > config["maxDetectionSeconds"]:
        yield (f"an outage is detected after {detection:g}s (interval {interval:g}s x {failures:g}+1 probes); keep "
               f"it within {config['maxDetectionSeconds']:g}s")
    if timeout >= interval:
        yield f"monitorConfig.timeoutInSeconds {timeout:g} must be shorter than intervalInSeconds {interval:g}"


def _traffic_manager_monitor(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    monitor = get(args.props, "monitorConfig")
    if monitor is UNKNOWN:
        return
    protocol, path = text(monitor, "protocol"), get(monitor, "path")
    if protocol is not UNKNOWN and protocol != "https":
        yield f"monitorConfig.protocol is {protocol or 'absent'}; probe the endpoints over HTTPS"
    if path is not UNKNOWN and not (isinstance(path, str) and is_health_path(path, config["healthPath"])):
        yield f"monitorConfig.path is {path or 'absent'}; probe the health endpoint '{config['healthPath']}'"


traffic_manager_failover = resource_policy(
    name="traffic-manager-failover",
    description="Traffic Manager fails over by priority, and detects an unhealthy region quickly.",
    checklist=["REL-4", "REL-1"],
    severity=Severity.MEDIUM,
    remediation="Set `traffic_routing_method='Priority'` and `monitor_config` with interval_in_seconds 30, "
                "tolerated_number_of_failures 3 and timeout_in_seconds 10 (detection within "
                "`maxDetectionSeconds`, default 120).",
    types=[T.TM_PROFILE],
    check=_traffic_manager_failover,
    config={"maxDetectionSeconds": {"type": "number", "minimum": 10, "default": 120}},
)


traffic_manager_health_monitor = resource_policy(
    name="traffic-manager-health-monitor",
    description="Traffic Manager probes each endpoint's health endpoint over HTTPS.",
    checklist=["PERF-3", "REL-1"],
    severity=Severity.MEDIUM,
    remediation="Set `monitor_config=MonitorConfigArgs(protocol='HTTPS', port=443, path='/health')` (the path is "
                "`healthPath` in the pack config).",
    types=[T.TM_PROFILE],
    check=_traffic_manager_monitor,
    config={"healthPath": HEALTH_PATH},
)


POLICIES: list[Policy] = [
    traffic_manager_failover, traffic_manager_health_monitor,
]
