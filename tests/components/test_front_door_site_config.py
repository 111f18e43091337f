"""FrontDoor's `siteConfig`: the staticwebapp.config.json sections that make the Static Web App answer
only this Front Door (https://learn.microsoft.com/azure/static-web-apps/front-door-manual)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.front_door import FRONT_DOOR_SERVICE_TAG, FrontDoor, FrontDoorArgs, FrontDoorError, site_restriction
from dryrun.mocks import TENANT_ID
from tests.components.common_inputs import make_common, resolve
from tests.harness import declare, stack_config


def _site_config(stack: str) -> tuple[dict, FrontDoor]:
    built: list[FrontDoor] = []
    declare(lambda: built.append(FrontDoor("edge", FrontDoorArgs(
        common=make_common(), config=stack_config(stack).frontend, base_name=f"aip-{stack}", stack=stack,
        tenant_id=TENANT_ID, site_host="gentle-river-0a1b2c.5.azurestaticapps.net",
        api_origin="tm-aip-prod.trafficmanager.net", api_host_header="ai.contoso.com"))))
    return json.loads(resolve(built[0].site_config)), built[0]


def test_the_site_admits_only_front_door_backends_carrying_this_profiles_id() -> None:
    config, component = _site_config("prod")
    assert config["networking"] == {"allowedIpRanges": [FRONT_DOOR_SERVICE_TAG]}
    assert config["forwardingGateway"]["requiredHeaders"] == {"X-Azure-FDID": resolve(component.front_door_id)}


def test_forwarded_hosts_are_the_endpoint_and_the_custom_domain() -> None:
    config, component = _site_config("prod")
    hosts = config["forwardingGateway"]["allowedForwardedHosts"]
    assert hosts[0] == resolve(component.endpoint_host)
    assert stack_config("prod").frontend.custom_domain in hosts


def test_without_a_front_door_id_nothing_is_written() -> None:
    with pytest.raises(FrontDoorError, match="frontDoorId"):
        site_restriction(" ", ["fde.azurefd.net"])


@given(hosts=st.lists(st.sampled_from(["fde-aip.z01.azurefd.net", "www.contoso.com", ""]), max_size=5))
def test_forwarded_hosts_keep_order_without_blanks_or_repeats(hosts: list[str]) -> None:
    listed = site_restriction("6a3b2f4e-0000-4000-8000-000000000000", hosts)["forwardingGateway"][
        "allowedForwardedHosts"]
    assert listed == list(dict.fromkeys(h for h in hosts if h))
