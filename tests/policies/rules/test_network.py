"""vnet-ddos-protection (issue 14): configurable and advisory by default, because a DDoS Network Protection
plan is billed per month; with `requireDdosProtection` a VNet without a plan is reported, as advice."""

from __future__ import annotations

from policies.rules.network import vnet_ddos_protection
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources

REQUIRED = file_config({"vnet-ddos-protection": {"requireDdosProtection": True}})


def test_vnet_without_a_plan_is_advice_not_a_blocker() -> None:
    found = evaluate([vnet_ddos_protection], sdk_resources(s.vnet()), REQUIRED)
    assert [(v.policy, v.level) for v in found] == [("vnet-ddos-protection", "advisory")]
    assert evaluate([vnet_ddos_protection], sdk_resources(s.vnet())) == []
