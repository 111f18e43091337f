"""Synthetic health checks of the public entry point from several Azure locations (MON-5).

A `standard` web test replaces the seed's `ping` (multi-step XML) test, which Azure retired;
the standard kind also checks the TLS certificate, which the seed's test did not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.applicationinsights as applicationinsights
import pulumi_azure_native.monitor as monitor

from stack_config.model import WEB_TEST_FREQUENCY_SECONDS

from .common import Common

# Alert when this many locations fail in the same window: one location failing is usually that
# location's network, two is the service. With more locations, Microsoft's rule: "alert location
# threshold = number of test locations - 2", with five locations the recommended minimum
# (learn.microsoft.com/azure/azure-monitor/app/availability, "Create a standard test").
FAILED_LOCATIONS = 2


def failed_locations(locations: int) -> int:
    """How many locations must fail together before the alert fires."""
    return max(FAILED_LOCATIONS, locations - 2)


class AvailabilityError(pulumi.RunError):
    """An availability test that cannot tell an outage from a probe's bad day."""


@dataclass(frozen=True)
class AvailabilityTestsArgs:
    common: Common
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    app_insights_id: pulumi.Input[str]
    action_group_id: pulumi.Input[str]
    # Availability test location ids (ai-platform:monitoring.availabilityLocations).
    locations: Sequence[str]
    # The public entry, first one given wins: the custom domain the certificate is issued for
    # (ai-platform:appGateway.hostName), else the Traffic Manager FQDN, else the gateway's FQDN.
    host_name: pulumi.Input[str] | None = None
    traffic_manager_fqdn: pulumi.Input[str] | None = None
    gateway_fqdn: pulumi.Input[str] | None = None
    # The entrypoint service's probePath, answered through the gateway.
    health_path: str = "/health"


class AvailabilityTests(pulumi.ComponentResource):
    """A standard web test on https://<entry>/health every 5 minutes, and an alert when
    failed_locations(n) of its n locations fail together."""

    web_test_id: pulumi.Output[str]
    alert_id: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, name: str, args: AvailabilityTestsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        locations = list(dict.fromkeys(args.locations))
        if len(locations) < FAILED_LOCATIONS:
            raise AvailabilityError(f"{name}: {len(locations)} test location(s); the failed-locations alert needs "
                                    f"at least {FAILED_LOCATIONS}: list more in "
                                    "ai-platform:monitoring.availabilityLocations")
        # The custom domain is preferred because the gateway's certificate is issued for it: on the
        # Traffic Manager or gateway FQDN the TLS check would fail on a name mismatch.
        host = next((h for h in (args.host_name, args.traffic_manager_fqdn, args.gateway_fqdn) if h is not None),
                    None)
        if host is None:
            raise AvailabilityError(f"{name}: no public entry to test; pass host_name, traffic_manager_fqdn "
                                    "or gateway_fqdn")
        super().__init__("ai-platform:availability:AvailabilityTests", name, None, opts)
        common = args.common
        test_name = f"webtest-{args.base_name}-health"
        self.url = pulumi.Output.concat("https://", host, args.health_path)

        web_test = applicationinsights.WebTest(
            f"{name}-health",
            web_test_name=test_name,
            synthetic_monitor_id=test_name,
            resource_group_name=common.resource_group_name,
            # A web test lives in its App Insights component's region.
            location=common.location,
            kind=applicationinsights.WebTestKind.STANDARD,
            web_test_kind=applicationinsights.WebTestKind.STANDARD,
            description="GET /health on the public entry point",
            enabled=True,
            frequency=WEB_TEST_FREQUENCY_SECONDS,
            timeout=120,
            # One automatic retry filters out a single dropped packet before a location counts as failed.
            retry_enabled=True,
            locations=[applicationinsights.WebTestGeolocationArgs(location=loc) for loc in locations],
            request=applicationinsights.WebTestPropertiesRequestArgs(
                request_url=self.url,
                http_verb="GET",
                parse_dependent_requests=False,
                follow_redirects=False,
            ),
            validation_rules=applicationinsights.WebTestPropertiesValidationRulesArgs(
                expected_http_status_code=200,
                s_sl_check=True,
                # Fails the test a week before the certificate expires, while there is time to renew.
                s_sl_cert_remaining_lifetime_check=7,
            ),
            # Azure links a web test to its component only through this tag.
            tags=pulumi.Output.from_input(args.app_insights_id).apply(
                lambda ai: {**common.tags, f"hidden-link:{ai}": "Resource"}),
            opts=common.child(self),
        )
        alert = monitor.MetricAlert(
            f"{name}-health-alert",
            rule_name=f"alert-{args.base_name}-health-failed-locations",
            resource_group_name=common.resource_group_name,
            location="global",
            description=f"/health failed from {failed_locations(len(locations))} or more test locations",
            severity=1,
            enabled=True,
            auto_mitigate=True,
            scopes=[web_test.id, args.app_insights_id],
            evaluation_frequency="PT1M",
            window_size="PT5M",
            criteria=monitor.WebtestLocationAvailabilityCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
                web_test_id=web_test.id,
                component_id=args.app_insights_id,
                failed_location_count=failed_locations(len(locations)),
            ),
            actions=[monitor.MetricAlertActionArgs(action_group_id=args.action_group_id)],
            tags=common.tags,
            opts=common.child(self),
        )
        self.web_test_id = web_test.id
        self.alert_id = alert.id
        self.register_outputs({"web_test_id": self.web_test_id, "alert_id": self.alert_id, "url": self.url})
