from __future__ import annotations

import pytest

from components.common import Common
from components.monitoring import Monitoring, MonitoringArgs
from components.protection import LOCK_NAME, ResourceGroupLock, ResourceGroupLockArgs
from policies.azure import types as T
from tests.harness import declare, stack_config

LOCK = T.GROUP_LOCK


def _locks(stack: str):
    cfg = stack_config(stack)

    def build() -> None:
        for region in cfg.network.regions:
            common = Common(resource_group_name=f"rg-aip-{stack}-{region.location}", location=region.location,
                            tags=cfg.resource_tags(), protect=cfg.protect)
            ResourceGroupLock(f"lock-{region.location}", ResourceGroupLockArgs(common=common))
    return declare(build, stack)


def test_prod_locks_every_resource_group_against_deletion() -> None:
    d = _locks("prod")
    locks = d.of_type(LOCK)
    assert len(locks) == len(stack_config("prod").network.regions) == 2
    groups = set()
    for lock in locks:
        inputs = d.inputs(LOCK, lock.name)
        assert inputs["level"] == "CanNotDelete"
        assert inputs["lockName"] == LOCK_NAME
        assert "break-glass" in inputs["notes"]
        groups.add(inputs["resourceGroupName"])
        # The lock is as hard to remove as the data it guards.
        assert lock.protect is True
    assert groups == {"rg-aip-prod-eastus2", "rg-aip-prod-westus3"}


def test_dev_has_no_locks_so_it_can_be_torn_down() -> None:
    d = _locks("dev")
    assert not d.of_type(LOCK)
    assert not any(r.protect for r in d.resources)


@pytest.mark.parametrize(("stack", "protected"), [("dev", False), ("prod", True)])
def test_common_child_protects_stateful_resources_only(stack: str, protected: bool) -> None:
    cfg = stack_config(stack)
    common = Common(resource_group_name="rg", location="eastus2", tags={}, protect=cfg.protect)
    d = declare(lambda: Monitoring("mon", MonitoringArgs(common=common, base_name="aip", retention_days=90)), stack)
    assert d.one(T.WORKSPACE).protect is protected
    assert d.one(T.APP_INSIGHTS).protect is False
    assert not any(r.protect for r in d.of_type(T.DIAGNOSTIC_SETTING))
