"""Specification of policies/rules/traffic_manager.py (`traffic-manager-failover`,
`traffic-manager-health-monitor`): what each policy accepts and what it reports, on resources
declared with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.trafficmanager as trafficmanager

from policies.rules.traffic_manager import traffic_manager_failover, traffic_manager_health_monitor
from tests.policies import secure_inputs as s
from tests.policies.support import file_config, fired, table_tests


def monitor(**overrides: Any) -> trafficmanager.MonitorConfigArgs:
    args = {"protocol": "HTTPS", "port": 443, "path": "/health", **overrides}
    return trafficmanager.MonitorConfigArgs(**args)


# (policy, compliant program[, config])
PASSING = [
    (traffic_manager_failover, s.traffic_manager()),
    (traffic_manager_failover, s.traffic_manager(monitor_config=monitor())),  # Azure's 30s x (3+1)
    (traffic_manager_health_monitor, s.traffic_manager()),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=monitor(path="/health/"))),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (traffic_manager_failover, s.traffic_manager(traffic_routing_method="Performance"), "'Priority'"),
    (traffic_manager_failover, s.traffic_manager(monitor_config=monitor(
        interval_in_seconds=30, tolerated_number_of_failures=9)), "after 300s"),
    (traffic_manager_failover, s.traffic_manager(monitor_config=monitor(
        interval_in_seconds=10, timeout_in_seconds=10)), "must be shorter"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=monitor(protocol="HTTP", port=80)),
     "over HTTPS"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=monitor(path="/")), "'/health'"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=None), "protocol is absent"),
    (traffic_manager_health_monitor, s.traffic_manager(monitor_config=monitor(path="/")), ""),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [traffic_manager_failover, traffic_manager_health_monitor]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_health_path_is_configurable() -> None:
    program = s.traffic_manager(monitor_config=monitor(path="/healthz"))
    assert fired(traffic_manager_health_monitor, program)[0] == {"traffic-manager-health-monitor"}
    custom = file_config({"traffic-manager-health-monitor": {"healthPath": "/healthz"}})
    assert fired(traffic_manager_health_monitor, program, custom)[0] == set()
