"""Static Web Apps policies (policies/rules/static_web_apps.py): components/static_web_app.py's prod
site passes, each flipped setting fails, with inputs the real SDK produces."""

from __future__ import annotations

import pulumi_azure_native.web as web

from policies.rules.static_web_apps import static_site_location, static_site_no_public_staging, static_site_sku
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources, table_tests

# prod.json's settings.
STANDARD = file_config({"static-site-sku": {"requiredSku": "Standard"}})
NO_STAGING = file_config({"static-site-no-public-staging": {"requireDisabled": True}})
FREE = web.SkuDescriptionArgs(name="Free", tier="Free")
AREA = [static_site_sku, static_site_no_public_staging, static_site_location]

# (policy, secure program[, config]) — each must pass.
PASSING = [
    (static_site_sku, s.static_site(), STANDARD),
    (static_site_sku, s.static_site(sku=FREE)),  # dev: any plan
    (static_site_no_public_staging, s.static_site(), NO_STAGING),
    (static_site_no_public_staging, s.static_site(staging_environment_policy="Enabled")),  # dev: previews allowed
    (static_site_location, s.static_site()),
    (static_site_location, s.static_site(location="West Europe")),  # the display name of a Static Web Apps region
]

# (policy, insecure program[, config], a fragment of the message) — each must fail with exactly that policy.
FAILING = [
    (static_site_sku, s.static_site(sku=FREE), STANDARD, "sku.name is 'Free'; this environment runs the Standard plan"),
    (static_site_sku, s.static_site(sku=None), STANDARD, "sku.name is absent (Azure's default: Free)"),
    (static_site_no_public_staging, s.static_site(staging_environment_policy="Enabled"), NO_STAGING,
     "stagingEnvironmentPolicy is 'Enabled'"),
    (static_site_no_public_staging, s.static_site(staging_environment_policy=None), NO_STAGING,
     "stagingEnvironmentPolicy is absent (Azure's default: Enabled)"),
    (static_site_location, s.static_site(location="westus3"), "location is 'westus3', which does not host"),
]



test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_the_plan_is_compared_case_insensitively() -> None:
    lower = file_config({"static-site-sku": {"requiredSku": "standard"}})
    assert evaluate([static_site_sku], sdk_resources(s.static_site()), lower) == []
