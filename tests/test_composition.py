"""The composed stacks, as the dry-run declares them: the wiring the issues' "done when" describe."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dryrun.model import Resource, reveal
from dryrun.program import run
from policies.azure import types as T
from policies.azure.catalog import DIAGNOSTIC_TYPES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def prod() -> list[Resource]:
    return run(ROOT, "prod").resources


@pytest.fixture(scope="module")
def dev() -> list[Resource]:
    return run(ROOT, "dev").resources


def _of(resources: list[Resource], type_token: str) -> list[Resource]:
    return [r for r in resources if r.type == type_token]


def _deps(r: Resource, prop: str) -> set[str]:
    return set(r.property_dependencies.get(prop, []))


def test_every_diagnosable_resource_logs_to_its_regions_workspace(prod: list[Resource]) -> None:
    by_urn = {r.urn: r for r in prod}
    workspaces = {r.urn: reveal(r.inputs)["location"] for r in _of(prod, T.WORKSPACE)}
    assert len(workspaces) == 2
    targets: dict[str, str] = {}  # target URN -> workspace location
    for setting in _of(prod, T.DIAGNOSTIC_SETTING):
        (workspace,) = _deps(setting, "workspaceId")
        for target in _deps(setting, "resourceUri"):
            targets[target] = workspaces[workspace]
    diagnosable = [r for r in prod if r.type in DIAGNOSTIC_TYPES]
    assert len(diagnosable) >= 25  # 13 per region plus the global and event-processing ones
    missing = [r.name for r in diagnosable if r.urn not in targets]
    assert not missing, f"no diagnostic setting for {missing}"
    for r in diagnosable:
        location = reveal(r.inputs).get("location", "")
        if location and location != "global":
            assert targets[r.urn] == location, f"{r.name} logs to another region's workspace"
    assert all(t in by_urn for t in targets)


def test_prod_has_two_complete_stamps_behind_one_traffic_manager(prod: list[Resource]) -> None:
    types = Counter(r.type for r in prod)
    for per_region in (T.VNET, T.KEY_VAULT,
                       T.COGNITIVE_ACCOUNT, T.REDIS_ENTERPRISE,
                       T.MANAGED_ENVIRONMENT, T.APP_GATEWAY,
                       T.WORKSPACE):
        assert types[per_region] == 2, per_region
    (profile,) = _of(prod, T.TM_PROFILE)
    endpoints = reveal(profile.inputs)["endpoints"]
    assert [e["priority"] for e in endpoints] == [1, 2]
    # The only public entry points are the two WAF gateways' addresses, both targeted by Traffic Manager.
    ips = _of(prod, T.PUBLIC_IP)
    assert len(ips) == 2 and {ip.urn for ip in ips} == _deps(profile, "endpoints")


def test_dns_zones_link_every_vnet(prod: list[Resource]) -> None:
    vnets = {r.urn for r in _of(prod, T.VNET)}
    links = Counter()
    for link in _of(prod, T.VNET_LINK):
        (zone,) = _deps(link, "privateZoneName")
        assert _deps(link, "virtualNetwork") <= vnets
        links[zone] += 1
    zones = _of(prod, T.PRIVATE_ZONE)
    assert zones and all(links[z.urn] == len(vnets) for z in zones if not z.name.startswith("cae-"))


def test_model_deployments_are_serialized(prod: list[Resource]) -> None:
    for account in _of(prod, T.COGNITIVE_ACCOUNT):
        deployments = [d for d in _of(prod, T.OPENAI_DEPLOYMENT)
                       if account.urn in _deps(d, "accountName")]
        assert len(deployments) == 2
        first, second = deployments
        assert first.urn in second.dependencies or second.urn in first.dependencies


def test_stateful_resources_protected_in_prod_only(prod: list[Resource], dev: list[Resource]) -> None:
    stateful = (T.KEY_VAULT, T.COGNITIVE_ACCOUNT,
                T.REDIS_ENTERPRISE, T.STORAGE,
                T.BACKUP_VAULT, T.WORKSPACE)
    assert all(r.protect for r in prod if r.type in stateful)
    assert not any(r.protect for r in dev)
    assert len(_of(prod, T.GROUP_LOCK)) == 2
    assert _of(dev, T.GROUP_LOCK) == []


def test_dev_is_smaller_and_cheaper(prod: list[Resource], dev: list[Resource]) -> None:
    assert len(dev) < len(prod) / 2
    (redis,) = _of(dev, T.REDIS_ENTERPRISE)
    assert reveal(redis.inputs)["sku"]["name"] == "Balanced_B0"
    assert _of(dev, T.TM_PROFILE) == []
