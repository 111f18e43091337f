"""Globally unique DNS-label names: stable per stack, distinct per stack, region and tenant."""

from __future__ import annotations

import re

import pytest

from components.naming import NamingError, unique_name

TENANT = "5b6c7d8e-1f2a-4b3c-8d4e-9f0a1b2c3d4e"
LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")


def _name(**overrides: str | int) -> str:
    values: dict = {"base_name": "aip-prod", "location": "eastus2", "stack": "prod", "tenant_id": TENANT,
                    "max_length": 64, **overrides}
    return unique_name("oai", **values)


def test_name_is_readable_and_stable() -> None:
    name = _name()
    assert re.fullmatch(r"oai-aip-prod-eastus2-[0-9a-f]{6}", name)
    assert _name() == name


@pytest.mark.parametrize("change", [{"stack": "prod-eu"}, {"location": "westus3"}, {"tenant_id": "other"}])
def test_name_differs_per_stack_region_and_tenant(change: dict[str, str]) -> None:
    assert _name(**change) != _name()


def test_long_names_are_cut_to_fit_without_a_dangling_hyphen() -> None:
    long = _name(base_name="a-very-long-organisation-prefix-x-prod", location="germanywestcentral", max_length=40)
    assert len(long) == 40 and LABEL.match(long)
    # A cut that lands on a hyphen ("oai-aip-") drops it rather than doubling it before the hash.
    short = _name(max_length=15)
    assert re.fullmatch(r"oai-aip-[0-9a-f]{6}", short) and LABEL.match(short)


@pytest.mark.parametrize("base_name", ["Aip-prod", "aip--prod", "aip_prod", "-aip"])
def test_invalid_parts_are_refused_with_the_field(base_name: str) -> None:
    with pytest.raises(NamingError, match=f"base_name '{re.escape(base_name)}' cannot be part of an Azure DNS name"):
        _name(base_name=base_name)
