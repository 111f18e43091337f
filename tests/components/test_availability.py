from __future__ import annotations

from typing import Any

import pytest

from components.availability import AvailabilityError, AvailabilityTests, AvailabilityTestsArgs, failed_locations
from components.common import Common
from policies.azure import types as T
from tests.harness import declare, stack_config

WEBTEST = T.WEB_TEST
ALERT = T.METRIC_ALERT
SUB = "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-aip-prod-eastus2/providers"
AI_ID = f"{SUB}/Microsoft.Insights/components/appi-aip-prod-eastus2"
AG_ID = f"{SUB}/Microsoft.Insights/actionGroups/ag-aip-prod"
TM = "aip-prod.trafficmanager.net"
GATEWAY = "agw-aip-prod-eastus2.eastus2.cloudapp.azure.com"


def _tests(stack: str, **entry: Any):
    cfg = stack_config(stack)
    common = Common(resource_group_name=f"rg-aip-{stack}-eastus2", location="eastus2", tags=cfg.resource_tags())
    return lambda: AvailabilityTests("avail", AvailabilityTestsArgs(
        common=common, base_name=f"aip-{stack}", app_insights_id=AI_ID, action_group_id=AG_ID,
        locations=cfg.monitoring.availability_locations, **entry))


def test_standard_test_checks_health_tls_and_status_every_five_minutes() -> None:
    d = declare(_tests("prod", host_name="ai.contoso.com", traffic_manager_fqdn=TM), "prod")
    test = d.inputs(WEBTEST)
    assert test["kind"] == "standard" and test["webTestKind"] == "standard"
    assert test["request"] == {"requestUrl": "https://ai.contoso.com/health", "httpVerb": "GET",
                               "parseDependentRequests": False, "followRedirects": False}
    assert test["frequency"] == 300 and test["timeout"] == 120
    assert test["enabled"] is True and test["retryEnabled"] is True
    rules = test["validationRules"]
    assert rules["expectedHttpStatusCode"] == 200 and rules["sSLCheck"] is True
    assert rules["sSLCertRemainingLifetimeCheck"] == 7
    assert test["syntheticMonitorId"] == test["webTestName"] == "webtest-aip-prod-health"
    assert test["location"] == "eastus2"


def test_runs_from_the_configured_locations() -> None:
    cfg = stack_config("prod")
    d = declare(_tests("prod", traffic_manager_fqdn=TM), "prod")
    locations = [loc["location"] for loc in d.inputs(WEBTEST)["locations"]]
    assert locations == cfg.monitoring.availability_locations and len(locations) >= 2


def test_hidden_link_tag_ties_the_test_to_app_insights() -> None:
    d = declare(_tests("prod", traffic_manager_fqdn=TM), "prod")
    tags = d.inputs(WEBTEST)["tags"]
    assert tags[f"hidden-link:{AI_ID}"] == "Resource"
    assert tags["environment"] == "prod"


@pytest.mark.parametrize(("entry", "url"), [
    ({"host_name": "ai.contoso.com", "traffic_manager_fqdn": TM, "gateway_fqdn": GATEWAY},
     "https://ai.contoso.com/health"),
    ({"traffic_manager_fqdn": TM, "gateway_fqdn": GATEWAY}, f"https://{TM}/health"),
    ({"gateway_fqdn": GATEWAY}, f"https://{GATEWAY}/health"),
])
def test_public_entry_precedence(entry: dict[str, str], url: str) -> None:
    d = declare(_tests("dev", **entry), "dev")
    assert d.inputs(WEBTEST)["request"]["requestUrl"] == url


def test_alert_fires_when_all_but_two_of_five_locations_fail() -> None:
    d = declare(_tests("prod", traffic_manager_fqdn=TM), "prod")
    alert = d.inputs(ALERT)
    web_test_id = f"{SUB}/Microsoft.Insights/webtests/webtest-aip-prod-health"
    assert alert["criteria"] == {"odataType": "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
                                 "webTestId": web_test_id, "componentId": AI_ID, "failedLocationCount": 3}
    assert alert["scopes"] == [web_test_id, AI_ID]
    assert alert["actions"] == [{"actionGroupId": AG_ID}]
    assert alert["location"] == "global" and alert["severity"] == 1
    assert (alert["evaluationFrequency"], alert["windowSize"]) == ("PT1M", "PT5M")


def test_the_stacks_test_from_microsofts_recommended_five_locations() -> None:
    for stack in ("dev", "prod"):
        assert len(declare(_tests(stack, traffic_manager_fqdn=TM), stack).inputs(WEBTEST)["locations"]) >= 5


@pytest.mark.parametrize(("locations", "threshold"), [(2, 2), (3, 2), (4, 2), (5, 3), (8, 6), (16, 14)])
def test_alert_threshold_is_locations_minus_two_but_never_one(locations: int, threshold: int) -> None:
    assert failed_locations(locations) == threshold


def test_too_few_locations_is_rejected() -> None:
    common = Common(resource_group_name="rg", location="eastus2", tags={})
    with pytest.raises(AvailabilityError, match="availabilityLocations"):
        AvailabilityTests("avail", AvailabilityTestsArgs(common=common, base_name="aip-dev", app_insights_id=AI_ID,
                                                         action_group_id=AG_ID, locations=["us-va-ash-azr"] * 2,
                                                         gateway_fqdn=GATEWAY))


def test_no_entry_point_is_rejected() -> None:
    common = Common(resource_group_name="rg", location="eastus2", tags={})
    with pytest.raises(AvailabilityError, match="no public entry"):
        AvailabilityTests("avail", AvailabilityTestsArgs(common=common, base_name="aip-dev", app_insights_id=AI_ID,
                                                         action_group_id=AG_ID,
                                                         locations=["us-va-ash-azr", "us-ca-sjc-azr"]))
