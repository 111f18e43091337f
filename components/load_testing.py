"""The Azure Load Testing resource the deploy workflow runs loadtest/ on (the seed's load test, PERF).

One per environment, in the primary region: the test engines it starts are in that region and
reach the public entry point over the internet, like users do. Tests themselves are data-plane
objects the `azure/load-testing` action creates from loadtest/<stack>.yaml on every run, so the
stack declares only the resource (`Microsoft.LoadTestService/loadTests`, API 2023-12-01-preview
in the pinned SDK; learn.microsoft.com/azure/load-testing/overview-what-is-azure-load-testing).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.loadtestservice as loadtestservice

from .common import Common
from .diagnostics import diagnostic_setting


@dataclass(frozen=True)
class LoadTestingArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-dev".
    base_name: str


class LoadTesting(pulumi.ComponentResource):
    """An Azure Load Testing resource with a system identity (for Key Vault secrets a test may reference)."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: LoadTestingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ai-platform:load_testing:LoadTesting", name, None, opts)
        common = args.common
        resource = loadtestservice.LoadTest(
            name,
            load_test_name=f"lt-{args.base_name}",
            resource_group_name=common.resource_group_name,
            location=common.location,
            description="Runs loadtest/locustfile.py on the public entry point; the SLOs are its pass/fail criteria",
            identity=loadtestservice.ManagedServiceIdentityArgs(
                type=loadtestservice.ManagedServiceIdentityType.SYSTEM_ASSIGNED),
            tags=common.tags,
            opts=common.child(self),
        )
        # Its resource logs (test run operations, category OperationLogs) go to the workspace; the
        # service publishes no platform metrics of its own (learn.microsoft.com/azure/load-testing/
        # monitor-load-testing-reference), so the setting asks for none.
        diagnostic_setting(name, target_id=resource.id, workspace_id=common.workspace_id, parent=self, metrics=False)
        self.id = resource.id
        self.name = resource.name
        self.register_outputs({"id": self.id, "name": self.name})
