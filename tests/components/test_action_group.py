from __future__ import annotations

import pytest

from components.action_group import SHORT_NAME_MAX, ActionGroup, ActionGroupArgs, ActionGroupError
from components.common import Common
from policies.azure import types as T
from tests.harness import declare, stack_config

AG = T.ACTION_GROUP


def _common(stack: str) -> Common:
    cfg = stack_config(stack)
    return Common(resource_group_name=f"rg-aip-{stack}-eastus2", location="eastus2", tags=cfg.resource_tags())


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_receivers_are_the_configured_emails_with_common_schema(stack: str) -> None:
    cfg = stack_config(stack)
    d = declare(lambda: ActionGroup("ag", ActionGroupArgs(common=_common(stack), base_name=f"aip-{stack}",
                                                          emails=cfg.monitoring.alert_emails)), stack)
    inputs = d.inputs(AG)
    receivers = inputs["emailReceivers"]
    assert [r["emailAddress"] for r in receivers] == cfg.monitoring.alert_emails
    assert all(r["useCommonAlertSchema"] is True for r in receivers)
    assert len({r["name"] for r in receivers}) == len(receivers)
    assert inputs["location"] == "global" and inputs["enabled"] is True
    assert inputs["actionGroupName"] == f"ag-aip-{stack}"
    assert inputs["tags"] == cfg.resource_tags()


def test_short_name_is_derived_within_azure_limit() -> None:
    d = declare(lambda: ActionGroup("ag", ActionGroupArgs(common=_common("prod"), base_name="aip-production-platform",
                                                          emails=["a@contoso.com"])))
    short = d.inputs(AG)["groupShortName"]
    assert short == "aipproductio" and len(short) <= SHORT_NAME_MAX


def test_no_emails_is_rejected() -> None:
    with pytest.raises(ActionGroupError, match="alertEmails"):
        declare(lambda: ActionGroup("ag", ActionGroupArgs(common=_common("dev"), base_name="aip-dev", emails=[])))


def test_too_long_short_name_is_rejected() -> None:
    with pytest.raises(ActionGroupError, match="short name"):
        declare(lambda: ActionGroup("ag", ActionGroupArgs(common=_common("dev"), base_name="aip-dev",
                                                          emails=["a@contoso.com"], short_name="x" * 13)))
