"""What the component tests share: ids in a test resource group, a private link that holds every DNS zone the
stack knows, the `Common` built from them, resolving an Output's value, and the problems config validation
finds in an edited stack file."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from components.common import Common, PrivateLink
from components.private_endpoint import ZONES_BY_GROUP
from stack_config import ConfigError, parse
from tests.harness import stack_file

ROOT = Path(__file__).resolve().parents[2]

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers"
WORKSPACE = f"{SUB}/Microsoft.OperationalInsights/workspaces/log-test"
LINK = PrivateLink(
    subnet_id=f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/pe",
    zone_ids={zone: f"{SUB}/Microsoft.Network/privateDnsZones/{zone}"
              for zones in ZONES_BY_GROUP.values() for zone in zones},
)


def make_common(**overrides: Any) -> Common:
    """A private-linked `Common` in eastus2 reporting to WORKSPACE; `overrides` replace any field."""
    values: dict[str, Any] = {"resource_group_name": "rg-test", "location": "eastus2",
                              "tags": {"environment": "test", "owner": "team", "cost-center": "cc"},
                              "workspace_id": WORKSPACE, "private_link": LINK, **overrides}
    return Common(**values)


def resolve(value: Any) -> Any:
    """The value an Output (or plain input, or a dict of them) resolves to under the mocks."""
    return _sync_await(pulumi.Output.from_input(value).future())


def config_problems(stack: str, section: str, change: Callable[[dict[str, Any]], None]) -> dict[str, str]:
    """Field -> problem that config validation reports for Pulumi.<stack>.yaml once `change` has edited its
    `ai-platform:<section>` object; fails the test if validation accepts the edit."""
    _, raw, secrets = stack_file(stack)
    value = json.loads(raw[f"ai-platform:{section}"])
    change(value)
    raw[f"ai-platform:{section}"] = json.dumps(value)
    with pytest.raises(ConfigError) as info:
        parse(raw, set(secrets), stack, today=date(2026, 11, 25))
    return dict(info.value.problems)
