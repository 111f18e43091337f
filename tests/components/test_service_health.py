from __future__ import annotations

from components.common import Common
from components.service_health import ServiceHealthAlert, ServiceHealthAlertArgs
from dryrun.mocks import SUBSCRIPTION_ID
from policies.azure import types as T
from tests.harness import declare, stack_config

ACTION_GROUP_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag-aip-prod"


def _alert() -> ServiceHealthAlert:
    common = Common(resource_group_name="rg-aip-prod-eastus2", location="eastus2",
                    tags=stack_config("prod").resource_tags())
    return ServiceHealthAlert("service-health", ServiceHealthAlertArgs(
        common=common, base_name="aip-prod", action_group_id=ACTION_GROUP_ID))


def test_service_health_alert_watches_the_subscription_and_notifies_on_call() -> None:
    inputs = declare(_alert, "prod").inputs(T.ACTIVITY_LOG_ALERT)
    assert inputs["scopes"] == [f"/subscriptions/{SUBSCRIPTION_ID}"]
    assert inputs["condition"]["allOf"] == [{"field": "category", "equals": "ServiceHealth"}]
    assert inputs["actions"]["actionGroups"] == [{"actionGroupId": ACTION_GROUP_ID}]
    assert inputs["location"] == "global" and inputs["enabled"] is True
    assert inputs["activityLogAlertName"] == "alert-aip-prod-service-health"
