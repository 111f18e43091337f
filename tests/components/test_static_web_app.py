"""StaticWebApp: the plan, staging policy and region per config; no managed edge of its own."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from components.common import RoleGrant
from components.static_web_app import StaticWebApp, StaticWebAppArgs, StaticWebAppError
from stack_config import model
from tests.components.common_inputs import config_problems, make_common, resolve
from tests.harness import Declared, declare, stack_config

SITE = "azure-native:web:StaticSite"


def _build(config: model.Frontend, **common: Any) -> tuple[Declared, StaticWebApp]:
    built: list[StaticWebApp] = []
    declared = declare(lambda: built.append(StaticWebApp("web", StaticWebAppArgs(
        common=make_common(**common), config=config, base_name="aip-prod"))))
    return declared, built[0]


@pytest.mark.parametrize(("stack", "sku", "staging"), [("prod", "Standard", "Disabled"), ("dev", "Free", "Enabled")])
def test_plan_and_staging_follow_the_stack(stack: str, sku: str, staging: str) -> None:
    inputs = _build(stack_config(stack).frontend)[0].inputs(SITE)
    assert inputs["sku"] == {"name": sku, "tier": sku}
    assert inputs["stagingEnvironmentPolicy"] == staging
    assert inputs["location"] == "eastus2" and inputs["name"] == "swa-aip-prod"


SECURE_SETTINGS = [
    ("enterpriseGradeCdnStatus", "Disabled"),  # the stack's own Front Door + WAF is the edge
    ("allowConfigFileUpdates", True),  # the pipeline's forwardingGateway restriction must apply
    ("stagingEnvironmentPolicy", "Disabled"),
]


@pytest.mark.parametrize(("key", "expected"), SECURE_SETTINGS, ids=[k for k, _ in SECURE_SETTINGS])
def test_prod_setting_is_declared(key: str, expected: Any) -> None:
    assert _build(stack_config("prod").frontend)[0].inputs(SITE)[key] == expected


def test_outputs_are_the_default_host_and_id() -> None:
    declared, site = _build(stack_config("prod").frontend)
    assert resolve(site.default_hostname).endswith(".azurestaticapps.net")
    assert resolve(site.site_id).endswith("/Microsoft.Web/staticSites/swa-aip-prod")
    assert declared.one(SITE).parent is not None


def test_region_without_static_web_apps_is_refused() -> None:
    config = model.Frontend(sku="Standard", location="westus3")
    with pytest.raises(StaticWebAppError, match="not offered in 'westus3'"):
        _build(config)


def test_role_grants_are_refused() -> None:
    grant = RoleGrant(principal_id="1", role="AcrPull", description="x")
    with pytest.raises(StaticWebAppError, match="no data plane"):
        _build(stack_config("prod").frontend, role_grants=[grant])


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"sku": "Free"}, "frontend.sku", "Standard plan"),
    ({"stagingEnvironments": True}, "frontend.stagingEnvironments", "no public preview"),
    ({"edgeSku": "Standard_AzureFrontDoor"}, "frontend.edgeSku", "Front Door Premium"),
    ({"wafMode": "Detection"}, "frontend.wafMode", "Prevention"),
    ({"customDomain": None}, "frontend.customDomain", "its own host name"),
    ({"customDomain": "ai.contoso.com"}, "frontend.customDomain", "already appGateway.hostName"),
    ({"customDomain": "not a host"}, "frontend.customDomain", "not a DNS host name"),
    ({"location": "westus3"}, "frontend.location", "does not host Static Web Apps"),
    ({"location": "westeurope"}, "frontend.location", "not in allowedLocations"),
    ({"sku": "Premium"}, "frontend.sku", "not allowed"),
], ids=["prod-free", "prod-staging", "prod-standard-edge", "prod-detection", "prod-no-domain", "domain-is-api",
        "domain-invalid", "region-without-swa", "region-not-allowed", "unknown-sku"])
def test_config_names_the_field_and_fix(change: dict[str, Any], field: str, message: str) -> None:
    assert message in config_problems("prod", "frontend", lambda f: f.update(change))[field]


def test_dev_may_use_free_standard_edge_and_previews() -> None:
    cfg = stack_config("dev").frontend
    assert (cfg.sku, cfg.edge_sku, cfg.staging_environments) == ("Free", "Standard_AzureFrontDoor", True)


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(labels=st.lists(_LABEL, min_size=1, max_size=4), tld=st.from_regex(r"[a-z]{2,6}", fullmatch=True))
def test_any_dns_host_name_is_accepted_as_the_custom_domain(labels: list[str], tld: str) -> None:
    host = ".".join([*labels, tld])
    assert model.Frontend(sku="Standard", custom_domain=host).custom_domain == host


@given(host=st.one_of(
    st.from_regex(r"[a-z]{1,10}", fullmatch=True),  # a single label is no public host name
    st.from_regex(r"[a-z]{1,8}_[a-z]{1,8}\.com", fullmatch=True),  # underscores
    st.from_regex(r"-[a-z]{1,8}\.com", fullmatch=True),  # leading hyphen
    st.from_regex(r"[A-Z][a-z]{1,8}\.com", fullmatch=True),  # upper case: Front Door stores names lower-cased
    st.from_regex(r"[a-z]{64}\.com", fullmatch=True),  # a label over 63 characters
))
def test_anything_else_is_refused_with_the_fix(host: str) -> None:
    with pytest.raises(ValidationError, match="not a DNS host name"):
        model.Frontend(sku="Standard", custom_domain=host)
