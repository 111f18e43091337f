"""The Azure Load Testing resource the deploy workflow runs the SLO load test on."""

from __future__ import annotations

from components.load_testing import LoadTesting, LoadTestingArgs
from tests.components.common_inputs import make_common
from tests.harness import declare

LOAD_TEST = "azure-native:loadtestservice:LoadTest"
DIAG = "azure-native:monitor:DiagnosticSetting"


def test_one_load_testing_resource_with_a_system_identity_and_its_logs_in_the_workspace() -> None:
    d = declare(lambda: LoadTesting("lt", LoadTestingArgs(common=make_common(), base_name="aip-dev")))
    lt = d.inputs(LOAD_TEST)
    assert lt["loadTestName"] == "lt-aip-dev" and lt["location"] == "eastus2"
    assert lt["identity"] == {"type": "SystemAssigned"}
    assert lt["tags"]["environment"] == "test"
    diag = d.inputs(DIAG)
    assert diag["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert "metrics" not in diag
