"""The offline dry-run end to end: real program, real pack, the CLI's exit codes and formats."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from dryrun import __main__ as cli
from dryrun.__main__ import main
from dryrun.policy_driver import Pack, parse_config_file, reconcile_config
from dryrun.program import ProgramResult
from dryrun.readers import read
from dryrun.stackfile import UsageError
from policies.azure import types as T
from tests.harness import program_run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def _run(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "out.json"
    code = main([*args, "--json", str(out), "--quiet"])
    return code, json.loads(out.read_text()) if out.exists() else {}


@pytest.fixture(scope="module")
def stack_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, Path]]:
    """Each stack dry-run once through the CLI entry point, with its environment's policy config.
    The program's part is the worker's shared recording of the stack (the same `program.run`);
    test_json_is_byte_identical_across_runs runs the whole command again and compares."""
    def recorded(root: Path, stack: str) -> ProgramResult:
        assert root == ROOT
        return program_run(stack)

    out: dict[str, tuple[int, Path]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "run_program", recorded)
        for stack in ("dev", "prod"):
            path = tmp_path_factory.mktemp(stack) / "out.json"
            config = str(ROOT / "policies" / "config" / f"{stack}.json")
            out[stack] = (main([stack, "--policy-config", config, "--json", str(path), "--quiet"]), path)
    return out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_passes_its_policies(stack_runs: dict[str, tuple[int, Path]], stack: str) -> None:
    code, path = stack_runs[stack]
    doc = json.loads(path.read_text())
    mandatory = [v for v in doc["violations"] if v["level"] == "mandatory"]
    assert code == 0, mandatory
    assert list(doc) == ["stack", "resources", "violations"] and doc["stack"] == stack
    first = doc["resources"][0]
    assert list(first) == ["urn", "type", "name", "parent", "dependencies", "propertyDependencies", "protect",
                           "inputs"]
    groups = [r for r in doc["resources"] if r["type"] == T.RESOURCE_GROUP]
    assert len(groups) == (2 if stack == "prod" else 1)
    assert all(g["inputs"]["tags"]["environment"] == stack for g in groups)


def test_json_is_byte_identical_across_runs(stack_runs: dict[str, tuple[int, Path]], tmp_path: Path) -> None:
    code, first = stack_runs["prod"]
    again = tmp_path / "again.json"
    config = str(ROOT / "policies" / "config" / "prod.json")
    assert main(["prod", "--policy-config", config, "--json", str(again), "--quiet"]) == code
    assert again.read_bytes() == first.read_bytes()


def test_urns_match_the_engine(stack_runs: dict[str, tuple[int, Path]]) -> None:
    doc = json.loads(stack_runs["dev"][1].read_text())
    urns = {r["urn"] for r in doc["resources"]}
    assert "urn:pulumi:dev::ai-platform::pulumi:pulumi:Stack::ai-platform-dev" in urns
    assert "urn:pulumi:dev::ai-platform::azure-native:resources:ResourceGroup::rg-eastus2" in urns


def test_config_error_exits_2_and_declares_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "Pulumi.prod.yaml").read_text().replace("prefix: 10.101.1.0/24", "prefix: 10.0.300.0/24")
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (project / "Pulumi.prod.yaml").write_text(text)
    (project / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    out = tmp_path / "out.json"
    code = main(["prod", "--project-dir", str(project), "--json", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "ai-platform:network.regions[1].subnets[0].prefix: '10.0.300.0/24' is not a valid CIDR" in err
    assert "Traceback" not in err


def test_unknown_stack_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staging"]) == 2
    assert "known stacks: dev, prod" in capsys.readouterr().err


@pytest.mark.parametrize("fixture", ["stack-export.json", "preview.json", "dryrun.json"])
def test_resources_readers(fixture: str) -> None:
    read_back = read(FIXTURES / fixture)
    stack, resources = read_back.stack, read_back.resources
    assert stack == "legacy"
    by_type = {r.type for r in resources}
    assert "azure-native:resources:ResourceGroup" in by_type
    group = next(r for r in resources if r.type == "azure-native:resources:ResourceGroup")
    assert group.name == "rg" and group.inputs["location"] == "westeurope"
    assert all(r.name != "old" for r in resources)  # deletes are not evaluated


def test_stack_export_keeps_relations() -> None:
    resources = read(FIXTURES / "stack-export.json").resources
    vault = next(r for r in resources if r.type == "azure-native:keyvault:Vault")
    assert vault.property_dependencies["resourceGroupName"] == [
        "urn:pulumi:legacy::seed::azure-native:resources:ResourceGroup::rg"]
    assert vault.parent and vault.parent.endswith("::seed-legacy")


def test_resources_mode_reports_violations(tmp_path: Path) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"allowed-locations": {"allowedLocations": ["eastus2"]}}))
    code, doc = _run(tmp_path, "--resources", str(FIXTURES / "stack-export.json"), "--policy-config", str(config))
    assert code == 1
    policies = {(v["policy"], v["urn"].split("::")[-1]) for v in doc["violations"]}
    assert ("allowed-locations", "rg") in policies and ("required-tags", "kv") in policies
    assert all(v["checklist"] for v in doc["violations"])


def _temp_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.2.3\n")
    (pack / "__main__.py").write_text(textwrap.dedent('''
        from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, PolicyPack,
                                   ResourceValidationPolicy)

        def check(args, report):
            limit = args.get_config()["maxNameLength"]
            if len(args.name) > limit:
                report(f"name {args.name} is longer than {limit}")

        PolicyPack(
            name="temp-pack",
            enforcement_level=EnforcementLevel.ADVISORY,
            policies=[ResourceValidationPolicy(
                name="short-names", description="Names stay short.", validate=check,
                config_schema=PolicyConfigSchema(properties={
                    "maxNameLength": {"type": "integer", "default": 5}}),
                tags=["checklist:COMP-4"])],
        )
    '''))
    return pack


def test_temporary_pack_fires_and_config_overrides_level(tmp_path: Path) -> None:
    pack = _temp_pack(tmp_path)
    fixture = str(FIXTURES / "stack-export.json")
    code, doc = _run(tmp_path, "--resources", fixture, "--policy-pack", str(pack))
    assert code == 0  # advisory by the pack's default
    assert {(v["policy"], v["level"]) for v in doc["violations"]} == {("short-names", "advisory")}
    assert doc["violations"][0]["checklist"] == ["COMP-4"]

    config = tmp_path / "cfg.json"
    config.write_text(json.dumps({"short-names": {"enforcementLevel": "mandatory", "maxNameLength": 20}}))
    code, doc = _run(tmp_path, "--resources", fixture, "--policy-pack", str(pack), "--policy-config", str(config))
    assert code == 0 and doc["violations"] == []  # the configured limit lets every name pass

    config.write_text(json.dumps({"short-names": "mandatory"}))
    code, doc = _run(tmp_path, "--resources", fixture, "--policy-pack", str(pack), "--policy-config", str(config))
    assert code == 1 and {v["level"] for v in doc["violations"]} == {"mandatory"}
    assert Pack(pack).version == "1.2.3"


def test_config_reconciliation_follows_the_cli(tmp_path: Path) -> None:
    info = Pack(_temp_pack(tmp_path)).info
    assert reconcile_config(info, None)["short-names"] == {
        "enforcementLevel": "advisory", "properties": {"maxNameLength": 5}}
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"all": "disabled", "short-names": {"maxNameLength": 9}}))
    resolved = reconcile_config(info, parse_config_file(cfg))
    assert resolved["short-names"] == {"enforcementLevel": "disabled", "properties": {"maxNameLength": 9}}
    cfg.write_text(json.dumps({"short-names": {"maxNameLength": "long"}}))
    with pytest.raises(UsageError, match="short-names: maxNameLength: 'long' is not of type 'integer'"):
        reconcile_config(info, parse_config_file(cfg))
    cfg.write_text(json.dumps({"short-names": "sometimes"}))
    with pytest.raises(UsageError, match="not a valid enforcement level"):
        parse_config_file(cfg)


def test_a_pack_configured_again_starts_from_its_own_defaults(tmp_path: Path) -> None:
    """A pack reads its config schemas once; each configure() gets the defaults afresh, whatever
    the caller did with the last result."""
    pack = Pack(_temp_pack(tmp_path))
    first = pack.configure({"short-names": {"enforcementLevel": "mandatory", "properties": {"maxNameLength": 9}}},
                           stack="dev", project="p")
    assert first["short-names"] == {"enforcementLevel": "mandatory", "properties": {"maxNameLength": 9}}
    again = pack.configure(None, stack="dev", project="p")
    again["short-names"]["properties"]["maxNameLength"] = 1
    assert pack.configure(None, stack="dev", project="p") == reconcile_config(pack.info, None) == {
        "short-names": {"enforcementLevel": "advisory", "properties": {"maxNameLength": 5}}}
    assert pack.levels == {"short-names": "advisory"}
