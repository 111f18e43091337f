"""Preflight: a config Azure would refuse at deployment time is refused at config validation, with the field,
the reason and the fix; the shipped stacks pass every rule."""

from __future__ import annotations

import copy
import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import stack_config
from components.gateway_certificate import self_signed_pfx
from stack_config import ConfigError
from stack_config.preflight import budget_window, hostnames, images, names, openai_models, regions
from stack_config.preflight.refresh_openai_models import parse_table

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)


def _stack(name: str) -> dict[str, Any]:
    return copy.deepcopy(_read_stack(name))


@functools.cache
def _read_stack(name: str) -> dict[str, Any]:
    # Read once: a hundred tests start from the same two files.
    raw = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())["config"]
    return {k.removeprefix("ai-platform:"): v for k, v in raw.items() if k.startswith("ai-platform:")}


def _parse(values: dict[str, Any], stack: str = "prod", today: date = TODAY) -> stack_config.StackConfig:
    raw = {f"ai-platform:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    # A PFX is set with `pulumi config set --secret --path`: the stack file holds it as a `secure:` leaf,
    # and Pulumi marks its whole key secret.
    written = copy.deepcopy({f"ai-platform:{k}": v for k, v in values.items()})
    certificate = (written.get("ai-platform:appGateway") or {}).get("certificate") or {}
    if "pfxBase64" not in certificate:
        return stack_config.parse(raw, set(), stack, today=today)
    certificate["pfxBase64"] = {"secure": "v1:ciphertext"}
    return stack_config.parse(raw, {"ai-platform:appGateway"}, stack, today=today, stack_file=written)


def _problems(values: dict[str, Any], stack: str = "prod", today: date = TODAY) -> dict[str, str]:
    """Field path -> its problems (joined when a field has several)."""
    with pytest.raises(ConfigError) as info:
        _parse(values, stack, today)
    out: dict[str, str] = {}
    for path, message in info.value.problems:
        out[path] = f"{out[path]} | {message}" if path in out else message
    return out


@pytest.fixture
def prod() -> dict[str, Any]:
    return copy.deepcopy(_stack("prod"))


@pytest.fixture
def dev() -> dict[str, Any]:
    return copy.deepcopy(_stack("dev"))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_pass_every_rule(stack: str) -> None:
    _parse(_stack(stack), stack)


# --- model / version / SKU per region -------------------------------------------------------------------------

def test_standard_embeddings_in_westus3_are_refused_with_the_sku_that_works(prod: dict[str, Any]) -> None:
    # The defect the review found: regional Standard does not offer text-embedding-3-small in westus3.
    prod["openai"]["deployments"][1]["sku"] = "Standard"
    message = _problems(prod)["openai.deployments[1].sku"]
    assert "'text-embedding-3-small' version '1' is not offered as Standard in westus3" in message
    assert "use sku GlobalStandard or DataZoneStandard" in message
    assert "assumeAvailableIn" in message and "2026-12-01" in message


def test_a_region_the_table_does_not_cover_is_named(prod: dict[str, Any]) -> None:
    prod["openai"]["deployments"][0]["sku"] = "DataZoneStandard"
    prod["allowedLocations"] = ["eastus2", "brazilsouth"]
    prod["network"]["regions"][1]["location"] = "brazilsouth"
    assert "does not cover region 'brazilsouth'" in _problems(prod)["openai.deployments[0].sku"]


def test_assume_available_in_overrides_the_table_for_that_region_only(prod: dict[str, Any]) -> None:
    prod["openai"]["deployments"][1]["sku"] = "Standard"
    prod["openai"]["deployments"][1]["assumeAvailableIn"] = ["westus3"]
    _parse(prod)
    prod["openai"]["deployments"][1]["assumeAvailableIn"] = ["eastus2"]
    assert "westus3" in _problems(prod)["openai.deployments[1].sku"]


def test_a_sku_without_a_shipped_table_needs_an_explicit_override(prod: dict[str, Any]) -> None:
    prod["openai"]["deployments"][0]["sku"] = "ProvisionedManaged"
    assert "no availability data for deployment type 'ProvisionedManaged'" in _problems(prod)[
        "openai.deployments[0].sku"]
    prod["openai"]["deployments"][0]["assumeAvailableIn"] = ["eastus2", "westus3"]
    _parse(prod)


def test_an_unknown_version_is_refused(dev: dict[str, Any]) -> None:
    dev["openai"]["deployments"][0]["version"] = "2023-01-01"
    assert "version '2023-01-01' is not offered as GlobalStandard in eastus2" in _problems(dev, "dev")[
        "openai.deployments[0].sku"]


def test_the_table_is_dated_sourced_and_covers_the_skus_the_stacks_use() -> None:
    data = openai_models.table()
    assert date.fromisoformat(data["retrieved"])
    assert data["source"]["repository"] == "MicrosoftDocs/azure-ai-docs"
    assert all(len(f["commit"]) == 40 for f in data["source"]["files"].values())
    assert openai_models.offered_in("gpt-4o", "2024-11-20", "DataZoneStandard") is not None
    offered, covered = openai_models.offered_in("text-embedding-3-small", "1", "Standard") or ([], [])
    assert "eastus2" in offered and "westus3" in covered and "westus3" not in offered


def test_the_refresh_parser_reads_microsofts_table_shape() -> None:
    text = ("---\ntitle: x\n---\n\n| **Region** | **gpt-4o**, **2024-11-20** | **o1**, **2024-12-17** |\n"
            "|:---|:---:|:---:|\n| eastus2 | ✅ | - |\n| westus3 | - | ✅ |\n")
    assert parse_table(text) == {"_regions": ["eastus2", "westus3"], "gpt-4o@2024-11-20": ["eastus2"],
                                 "o1@2024-12-17": ["westus3"]}
    with pytest.raises(ValueError, match="has 1 cells for 2 columns"):
        parse_table(text.replace("| westus3 | - | ✅ |", "| westus3 | - |"))


# --- budget start window --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "accepted"), [
    ("2026-11-01", False),  # last month: Azure refuses a past start outside the current period
    ("2026-12-01", True),
    ("2027-12-01", True),   # twelve months ahead
    ("2028-01-01", False),  # thirteen
])
def test_a_configured_start_must_be_in_todays_window(prod: dict[str, Any], start: str, accepted: bool) -> None:
    prod["budget"]["startDate"] = start
    if accepted:
        assert _parse(prod).budget.start_date == date.fromisoformat(start)
    else:
        message = _problems(prod)["budget.startDate"]
        assert f"'{start}'" in message and "remove budget.startDate" in message
        assert "already exists" in message and "'2026-12-01' to '2027-12-01'" in message


def test_an_omitted_start_is_always_accepted(prod: dict[str, Any]) -> None:
    assert _parse(prod, today=date(2031, 7, 19)).budget.start_date is None


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_the_window_is_this_month_to_twelve_months_ahead(today: date) -> None:
    earliest, latest = budget_window.window(today)
    assert earliest == today.replace(day=1) and latest.day == 1
    assert (latest.year - earliest.year) * 12 + latest.month - earliest.month == 12


# --- generated names ------------------------------------------------------------------------------------------

def test_a_long_prefix_that_overflows_a_name_is_refused_with_the_type(prod: dict[str, Any]) -> None:
    prod["namePrefix"] = "a" * 32
    problems = _problems(prod)
    # bvault-<prefix>-prod-eastus2 is longer than the 50 characters a Backup vault takes.
    message = problems["network.regions[0].location"]
    assert "Microsoft.DataProtection/backupVaults" in message or "Microsoft.Web/serverfarms" in message
    assert "shorten namePrefix and the region" in message


def test_a_double_hyphen_breaks_the_globally_unique_names(prod: dict[str, Any]) -> None:
    prod["namePrefix"] = "ai--platform"
    messages = " ".join(_problems(prod).values())
    assert "global-scoped Microsoft.KeyVault/vaults name" in messages


def test_a_service_name_container_apps_refuses(prod: dict[str, Any]) -> None:
    prod["containerApps"]["services"][1]["name"] = "chat--v2"
    assert "Microsoft.App/containerApps" in _problems(prod)["containerApps.services[1].name"]


def test_the_certificate_secret_may_not_collide_with_an_application_secret(prod: dict[str, Any]) -> None:
    raw = {f"ai-platform:{k}": json.dumps(v) for k, v in prod.items()}
    raw["ai-platform:secrets"] = json.dumps({"Gateway-TLS": "x"})
    with pytest.raises(ConfigError) as info:
        stack_config.parse(raw, {"ai-platform:secrets"}, "prod", today=TODAY)
    assert "same Key Vault secret" in dict(info.value.problems)["appGateway.certificateName"]


@settings(max_examples=60, deadline=None)
@given(prefix=st.from_regex(r"^[a-z][a-z0-9]{0,30}[a-z0-9]$", fullmatch=True),
       region=st.sampled_from(sorted(regions.REGIONS)), env=st.sampled_from(["dev", "test", "prod"]))
def test_every_name_a_valid_short_prefix_generates_is_valid_or_reported(prefix: str, region: str, env: str) -> None:
    # Whatever the prefix and region, a generated name either meets its type's rule or the preflight says so:
    # nothing invalid reaches ARM unreported.
    cfg = _parse(_stack("dev"), "dev")
    region_cfg = cfg.network.regions[0].model_copy(update={"location": region})
    p = {**{n: getattr(cfg, n) for n in type(cfg).model_fields}, "name_prefix": prefix, "environment": env,
         "network": cfg.network.model_copy(update={"regions": [region_cfg]})}
    reported = {field for field, _ in names.check(p, TODAY)}
    for field, type_, name in names.generated(p):
        if names.violation(names.RULES[type_], name):
            assert field in reported, (type_, name)


def test_names_the_shipped_stacks_generate_are_all_valid() -> None:
    for stack in ("dev", "prod"):
        cfg = _parse(_stack(stack), stack)
        p = {n: getattr(cfg, n) for n in type(cfg).model_fields}
        assert [(t, n) for _, t, n in names.generated(p) if names.violation(names.RULES[t], n)] == []


# --- regions and zones ----------------------------------------------------------------------------------------

def test_an_unknown_region_is_refused_with_a_suggestion(prod: dict[str, Any]) -> None:
    prod["allowedLocations"] = ["eastus2", "westus33"]
    prod["network"]["regions"][1]["location"] = "westus33"
    problems = _problems(prod)
    assert "'westus33' is not an Azure region" in problems["network.regions[1].location"]
    assert "did you mean 'westus3'" in problems["allowedLocations[1]"]


def test_zone_redundancy_in_a_region_without_zones_is_refused(prod: dict[str, Any]) -> None:
    prod["allowedLocations"] = ["eastus2", "northcentralus"]
    prod["network"]["regions"][1]["location"] = "northcentralus"
    prod["openai"]["deployments"][1]["assumeAvailableIn"] = ["northcentralus"]
    message = _problems(prod)["containerApps.zoneRedundant"]
    assert "northcentralus has no availability zones" in message
    prod["containerApps"]["zoneRedundant"] = False
    _parse(prod)


def test_the_region_table_agrees_with_what_the_model_calls_zonal() -> None:
    assert stack_config.model.ZONAL_REGIONS == regions.ZONAL_REGIONS
    assert {"eastus2", "westus3", "swedencentral"} <= regions.ZONAL_REGIONS
    assert "westus" in regions.REGIONS and "westus" not in regions.ZONAL_REGIONS


# --- subnets and address spaces -------------------------------------------------------------------------------

def test_an_app_gateway_subnet_too_small_for_max_capacity(prod: dict[str, Any]) -> None:
    prod["appGateway"]["maxCapacity"] = 125
    prod["network"]["regions"][0]["subnets"][2]["prefix"] = "10.100.4.0/25"
    message = _problems(prod)["network.regions[0].subnets[2].prefix"]
    assert "maxCapacity 125 needs 130" in message and "use /24 or larger" in message


def test_a_container_apps_subnet_smaller_than_its_environment_type_needs(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][0]["subnets"][1]["prefix"] = "10.100.2.0/28"
    message = _problems(prod)["network.regions[0].subnets[1].prefix"]
    assert message == ("'10.100.2.0/28' is too small for role 'containerApps': a workloadProfiles environment "
                       "needs /27; use /27 or larger")


def test_an_app_gateway_subnet_that_fits_max_capacity(prod: dict[str, Any]) -> None:
    prod["network"]["regions"][0]["subnets"][2]["prefix"] = "10.100.4.0/26"  # 64 >= 10 + 5
    _parse(prod)


@pytest.mark.parametrize(("field", "value", "range_"), [
    ("addressSpace", "0.0.0.0/0", "127.0.0.0/8"),
    ("addressSpace", "127.0.0.0/16", "127.0.0.0/8"),
    ("addressSpace", "169.254.0.0/16", "169.254.0.0/16"),
    ("addressSpace", "224.0.0.0/8", "224.0.0.0/4"),
])
def test_address_spaces_azure_refuses(prod: dict[str, Any], field: str, value: str, range_: str) -> None:
    prod["network"]["regions"][1][field] = value
    assert f"overlaps {range_}" in _problems(prod)[f"network.regions[1].{field}"]


def test_a_container_apps_subnet_in_the_platforms_range(prod: dict[str, Any]) -> None:
    region = prod["network"]["regions"][1]
    region["addressSpace"] = "100.100.0.0/16"
    for subnet, prefix in zip(region["subnets"], ["100.100.201.0/24", "100.100.0.0/23", "100.100.204.0/24",
                                                  "100.100.205.0/24", "100.100.206.0/27",
                                                  "100.100.207.0/27"], strict=True):
        subnet["prefix"] = prefix
    problems = _problems(prod)
    assert "used by workload profiles environments" in problems["network.regions[1].subnets[1].prefix"]
    assert "network.regions[1].subnets[0].prefix" not in problems


# --- host names, tags, images, certificates -------------------------------------------------------------------

@pytest.mark.parametrize(("host", "why"), [
    ("*.contoso.com", "invalid label"), ("ai_gateway.contoso.com", "invalid label"), ("AI.contoso.com", "upper-case"),
    ("localhost", "no domain"), ("ai.contoso.-com", "invalid label"), ("10.0.0.1", "all-numeric"),
    (("a" * 63 + ".") * 4 + "com", "over DNS's 253"),
])
def test_host_names_that_are_not_dns_names(prod: dict[str, Any], host: str, why: str) -> None:
    prod["appGateway"]["hostName"] = host
    assert why in _problems(prod)["appGateway.hostName"]


@given(st.from_regex(r"^([a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\.){1,4}[a-z]{2,10}$", fullmatch=True))
def test_valid_dns_names_pass(host: str) -> None:
    assert hostnames.problem(host) is None


@pytest.mark.parametrize(("extra", "field", "why"), [
    ({"team/app": "x"}, "tags.extra.team/app", "refuses in tag names"),
    ({"n" * 129: "x"}, f"tags.extra.{'n' * 129}", "at most 128"),
    ({"tier": "v" * 257}, "tags.extra.tier", "at most 256"),
    ({"Environment": "x"}, "tags.extra.Environment", "sets itself"),
    ({f"t{i}": "x" for i in range(46)}, "tags.extra", "keep at most 45"),
])
def test_tags_outside_azures_limits(prod: dict[str, Any], extra: dict[str, str], field: str, why: str) -> None:
    prod["tags"]["extra"] = extra
    assert why in _problems(prod)[field]


def test_the_quickstart_image_on_port_8000_is_refused(prod: dict[str, Any]) -> None:
    # The defect the review found: ingress and probes on 8000, the image serves 80.
    del prod["containerApps"]["services"][0]["targetPort"]
    message = _problems(prod)["containerApps.services[0].targetPort"]
    assert "8000 is not the port 'mcr.microsoft.com/k8se/quickstart:latest' listens on (80" in message
    assert "set targetPort: 80" in message


def test_a_probe_port_the_image_does_not_serve(prod: dict[str, Any]) -> None:
    prod["containerApps"]["services"][2]["probePort"] = 8080
    assert "set probePort: 80" in _problems(prod)["containerApps.services[2].probePort"]


@pytest.mark.parametrize("path", ["/healthz", "/health/ready", "/api/health"])
def test_a_probe_path_the_image_is_not_known_to_answer(prod: dict[str, Any], path: str) -> None:
    prod["containerApps"]["services"][1]["probePath"] = path
    message = _problems(prod)["containerApps.services[1].probePath"]
    assert f"is not known to answer {path} (it serves /, /health" in message and "set probePath" in message


@pytest.mark.parametrize("path", ["/", "/health"])
def test_the_paths_the_quickstart_image_answers_are_accepted(prod: dict[str, Any], path: str) -> None:
    for service in prod["containerApps"]["services"]:
        service["probePath"] = path
    _parse(prod)


def test_an_image_we_know_nothing_about_may_probe_any_path(prod: dict[str, Any]) -> None:
    prod["containerApps"]["services"][1].update(image="contoso.azurecr.io/chat:1.0", probePath="/healthz")
    _parse(prod)


@pytest.mark.parametrize(("image", "repository"), [
    ("mcr.microsoft.com/k8se/quickstart:latest", "mcr.microsoft.com/k8se/quickstart"),
    ("mcr.microsoft.com/k8se/quickstart@sha256:abc", "mcr.microsoft.com/k8se/quickstart"),
    ("myregistry:5000/team/api:1.2", "myregistry:5000/team/api"),
])
def test_image_references_are_matched_without_tag_or_digest(image: str, repository: str) -> None:
    assert images.repository(image) == repository


def test_a_gateway_certificate_from_pfx_without_the_pfx_is_refused(prod: dict[str, Any]) -> None:
    prod["appGateway"]["certificate"] = {"source": "pfx"}
    message = _problems(prod)["appGateway.certificate.pfxBase64"]
    assert "cannot be created without its certificate" in message and "--secret" in message


@pytest.mark.parametrize(("pfx", "why"), [
    ("not base64!", "is not base64"),
    ("aGVsbG8=", "not a password-less PFX"),
])
def test_a_pfx_the_gateway_cannot_load_is_refused(prod: dict[str, Any], pfx: str, why: str) -> None:
    prod["appGateway"]["certificate"] = {"source": "pfx", "pfxBase64": pfx}
    assert why in _problems(prod)["appGateway.certificate.pfxBase64"]


def test_a_pfx_for_another_host_is_refused_and_the_right_one_accepted(prod: dict[str, Any]) -> None:
    prod["appGateway"]["certificate"] = {"source": "pfx", "pfxBase64": self_signed_pfx("other.contoso.com")}
    assert "not appGateway.hostName 'ai.contoso.com'" in _problems(prod)["appGateway.certificate.pfxBase64"]
    prod["appGateway"]["certificate"]["pfxBase64"] = self_signed_pfx("ai.contoso.com")
    _parse(prod)


def test_preflight_problems_stop_the_program_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dryrun.__main__ import main

    text = (ROOT / "Pulumi.prod.yaml").read_text().replace("sku: DataZoneStandard\n        capacity: 100\n  ai",
                                                           "sku: Standard\n        capacity: 100\n  ai")
    assert "sku: Standard" in text
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (project / name).write_text((ROOT / name).read_text())
    (project / "Pulumi.prod.yaml").write_text(text)
    out = tmp_path / "out.json"
    assert main(["prod", "--project-dir", str(project), "--json", str(out)]) == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "ai-platform:openai.deployments[1].sku: 'text-embedding-3-small' version '1' is not offered as " \
           "Standard in westus3" in err
    assert "Traceback" not in err
