"""Every class of bad config is reported with its path and a fix, all at once, before any resource."""

from __future__ import annotations

import copy
import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import stack_config
from stack_config import ConfigError
from stack_config.model import REDIS_SKUS

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)


def _stack(name: str) -> dict[str, Any]:
    return copy.deepcopy(_read_stack(name))


@functools.cache
def _read_stack(name: str) -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())["config"]
    return {k.removeprefix("ai-platform:"): v for k, v in raw.items() if k.startswith("ai-platform:")}


def _parse(values: dict[str, Any], secret: set[str] | None = None, stack: str = "prod"):
    raw = {f"ai-platform:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    return stack_config.parse(raw, {f"ai-platform:{k}" for k in (secret or set())}, stack, today=TODAY)


def _problems(values: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        _parse(values, **kwargs)
    return dict(info.value.problems)


@pytest.fixture
def prod() -> dict[str, Any]:
    return copy.deepcopy(_stack("prod"))


def test_real_stacks_parse() -> None:
    dev, prod = _parse(_stack("dev"), stack="dev"), _parse(_stack("prod"))
    assert dev.environment == "dev" and len(dev.network.regions) == 1
    assert prod.is_prod and [r.location for r in prod.network.regions] == ["eastus2", "westus3"]
    assert prod.resource_tags()["cost-center"] == "cc-ai-prod"


def test_bad_cidr_names_its_path(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][1]["subnets"][0]["prefix"] = "10.0.300.0/24"
    problems = _problems(prod)
    assert "'10.0.300.0/24' is not a valid CIDR" in problems["network.regions[1].subnets[0].prefix"]


def test_subnet_outside_vnet(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][0]["subnets"][0]["prefix"] = "10.200.1.0/24"
    assert "outside the VNet address space" in _problems(prod)["network.regions[0].subnets[0].prefix"]


def test_overlapping_regions(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][1]["addressSpace"] = "10.100.128.0/17"
    for subnet, prefix in zip(prod["network"]["regions"][1]["subnets"],
                              ["10.100.128.0/24", "10.100.130.0/23", "10.100.132.0/24", "10.100.133.0/24",
                               "10.100.134.0/27", "10.100.135.0/27"],
                              strict=True):
        subnet["prefix"] = prefix
    assert "overlaps regions[0]" in _problems(prod)["network.regions[1].addressSpace"]


def test_duplicate_region(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][1]["location"] = "eastus2"
    assert "already regions[0]" in _problems(prod)["network.regions[1].location"]


def test_prod_needs_two_regions(prod: dict[str, Any]) -> None:
    prod["network"]["regions"] = prod["network"]["regions"][:1]
    assert "at least 2 regions" in _problems(prod)["network.regions"]


def test_region_outside_allowed_locations(prod: dict[str, Any]) -> None:
    prod["allowedLocations"] = ["eastus2"]
    assert "not in allowedLocations" in _problems(prod)["network.regions[1].location"]


def test_unknown_sku(prod: dict[str, Any]) -> None:
    prod["redis"]["sku"] = "Premium_P1"
    prod["openai"]["deployments"][0]["sku"] = "Turbo"
    problems = _problems(prod)
    assert "'Premium_P1' is not an Azure Managed Redis SKU" in problems["redis.sku"]
    assert "GlobalStandard" in problems["openai.deployments[0].sku"]


def test_capacity_must_be_positive(prod: dict[str, Any]) -> None:
    prod["openai"]["deployments"][1]["capacity"] = 0
    assert "greater than 0" in _problems(prod)["openai.deployments[1].capacity"]


def test_malformed_email(prod: dict[str, Any]) -> None:
    prod["budget"]["contactEmails"][1] = "engineering-at-contoso"
    assert "not a valid e-mail" in _problems(prod)["budget.contactEmails[1]"]


def test_unordered_thresholds(prod: dict[str, Any]) -> None:
    prod["budget"]["thresholds"] = {"warning": 95, "critical": 80}
    assert "warning (95) must be below critical (80)" in _problems(prod)["budget.thresholds"]


def test_budget_start_not_first_of_month(prod: dict[str, Any]) -> None:
    prod["budget"]["startDate"] = "2026-11-15"
    assert "use '2026-11-01'" in _problems(prod)["budget.startDate"]


def test_expired_budget_end(prod: dict[str, Any]) -> None:
    prod["budget"]["startDate"], prod["budget"]["endDate"] = "2024-01-01", "2024-12-31"
    assert "has passed" in _problems(prod)["budget.endDate"]


def test_missing_required_key(prod: dict[str, Any]) -> None:
    del prod["budget"]
    del prod["network"]["regions"][0]["addressSpace"]
    problems = _problems(prod)
    assert "add `ai-platform:budget`" in problems["budget"]
    assert "required" in problems["network.regions[0].addressSpace"]


def test_unknown_key_suggests_the_right_one(prod: dict[str, Any]) -> None:
    prod["monitoring"]["retentonDays"] = 90
    prod["trafficManger"] = {"enabled": True}
    problems = _problems(prod)
    assert "did you mean 'retentionDays'" in problems["monitoring.retentonDays"]
    assert "did you mean 'trafficManager'" in problems["trafficManger"]


def test_every_problem_is_reported_at_once(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][1]["subnets"][0]["prefix"] = "10.0.300.0/24"
    prod["budget"]["startDate"] = "2026-11-15"
    prod["redis"]["sku"] = "Huge"
    with pytest.raises(ConfigError) as info:
        _parse(prod)
    text = str(info.value)
    assert "3 configuration problem(s); nothing was deployed" in text
    assert "ai-platform:network.regions[1].subnets[0].prefix: '10.0.300.0/24' is not a valid CIDR" in text


def test_plain_text_secret_is_refused(prod: dict[str, Any]) -> None:
    prod["secrets"] = {"searchApiKey": "abc123"}
    assert "--secret" in _problems(prod)["secrets.searchApiKey"]
    assert _parse(prod, secret={"secrets"}).secrets["searchApiKey"].get_secret_value() == "abc123"


def test_prod_hardening_rules(prod: dict[str, Any]) -> None:
    prod["monitoring"]["retentionDays"] = 30
    prod["appGateway"]["minCapacity"] = 1
    prod["trafficManager"]["enabled"] = False
    problems = _problems(prod)
    assert {"monitoring.retentionDays", "appGateway.minCapacity", "trafficManager.enabled"} <= set(problems)


def test_subnet_rules(prod: dict[str, Any]) -> None:
    subnets = prod["network"]["regions"][0]["subnets"]
    subnets[3]["role"] = "appGateway"
    subnets[1]["prefix"] = "10.100.2.0/28"
    problems = _problems(prod)
    assert "already used" in problems["network.regions[0].subnets[3].role"]
    assert "too small" in problems["network.regions[0].subnets[1].prefix"]
    assert "no subnet with role 'functions'" in problems["network.regions[0].subnets"]


def test_container_app_rules(prod: dict[str, Any]) -> None:
    services = prod["containerApps"]["services"]
    services[1]["memory"] = "3Gi"
    services[1]["minReplicas"] = 60
    services[0]["entrypoint"] = False
    problems = _problems(prod)
    assert "set memory: 4Gi" in problems["containerApps.services[1].memory"]
    assert "above maxReplicas" in problems["containerApps.services[1].minReplicas"]
    assert "exactly one service" in problems["containerApps.services"]


def test_redis_skus_match_the_sdk() -> None:
    from pulumi_azure_native.redisenterprise import SkuName

    managed = {s.value for s in SkuName if not s.value.startswith("Enterprise")}
    assert set(REDIS_SKUS) == managed
