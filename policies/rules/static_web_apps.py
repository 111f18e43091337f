"""Static Web Apps (web:StaticSite): the plan, preview environments, the region.

Settings are those of the REST spec Microsoft.Web/staticSites 2025-05-01 (the pinned SDK's
version). What limits the site to this stack's Front Door is not an ARM property: it is the
`networking.allowedIpRanges` and `forwardingGateway` sections of the app's
`staticwebapp.config.json`, which ships with the content (the `staticWebAppConfig` stack output,
docs/operations.md#perf-4; https://learn.microsoft.com/azure/static-web-apps/front-door-manual), so no
policy can see it; static-content-behind-cdn checks the ARM half (an edge origin serves the site).
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import catalog as C
from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, Expect, Row, value_policy
from ..framework.inputs import UNKNOWN, get, region, text
from ..framework.values import show


def _static_site_sku(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    required = str(config["requiredSku"]).strip()
    sku = text(args.props, "sku", "name")
    if not required or sku is UNKNOWN:
        return
    if (sku or "free") != required.lower():  # absent: the Free plan
        shown = show(get(args.props, "sku", "name"), "Free")
        yield (f"sku.name is {shown}; this environment runs the {required} plan (SLA, and the forwarding gateway "
               "that limits the site to its Front Door)")


def _no_public_staging(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    policy = text(args.props, "stagingEnvironmentPolicy")
    if not config["requireDisabled"] or policy is UNKNOWN or policy == "disabled":
        return
    shown = show(get(args.props, "stagingEnvironmentPolicy"), "Enabled")
    yield (f"stagingEnvironmentPolicy is {shown}: every pull request gets a public preview URL serving unreviewed "
           "code, outside the Front Door and its WAF; set it to 'Disabled'")


static_site_sku = resource_policy(
    name="static-site-sku",
    description="Static Web Apps run the plan the environment requires (prod: Standard).",
    checklist=["COST-2", "REL-5"],
    severity=Severity.MEDIUM,
    remediation="Set `sku=SkuDescriptionArgs(name='Standard', tier='Standard')`: Standard carries the SLA, and only "
                "Standard applies the `networking` and `forwardingGateway` sections of `staticwebapp.config.json` "
                "that limit the site to its Front Door (the `staticWebAppConfig` stack output, "
                "docs/operations.md#perf-4; https://learn.microsoft.com/azure/static-web-apps/plans). "
                "`requiredSku` is empty (any plan) by default.",
    types=[T.STATIC_SITE],
    check=_static_site_sku,
    config={"requiredSku": {"type": "string", "default": "",
                            "description": "the plan every Static Web App must use ('' accepts any)"}},
)


static_site_no_public_staging = resource_policy(
    name="static-site-no-public-staging",
    description="Static Web Apps publish no preview (staging) environments where the environment forbids them "
                "(prod): those are public URLs of unreviewed code.",
    checklist=["SEC-6", "COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `staging_environment_policy='Disabled'` (absent, Azure enables preview environments); review "
                "changes in a separate dev stack instead. `requireDisabled` is true in prod.",
    types=[T.STATIC_SITE],
    check=_no_public_staging,
    config={"requireDisabled": {"type": "boolean", "default": False}},
)


static_site_location = value_policy(
    name="static-site-location",
    description="Static Web Apps are declared in a region that hosts them (ARM refuses any other).",
    checklist=["COMP-1"],
    severity=Severity.LOW,
    remediation="Set `location` to one of " + ", ".join(sorted(C.STATIC_WEB_APP_REGIONS)) + " (ARM's list for "
                "Microsoft.Web/staticSites, dated in policies/azure/catalog.py); the content is served from the "
                "global edge whatever the region.",
    types=[T.STATIC_SITE],
    rows=[
        Row(("location",), Expect("is a Static Web Apps region (" + ", ".join(sorted(C.STATIC_WEB_APP_REGIONS)) + ")",
                                  lambda v: region(v) in C.STATIC_WEB_APP_REGIONS),
            absent=COMPLIES, default="the resource group's region",
            message="{path} is {shown}, which does not host Static Web Apps; use one of "
                    + ", ".join(sorted(C.STATIC_WEB_APP_REGIONS))),
    ],
)


POLICIES: list[Policy] = [
    static_site_sku, static_site_no_public_staging, static_site_location,
]
