"""The dry-run's reports: suppressed findings, SARIF for GitHub code scanning, the checklist coverage."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_azure_native.resources as azure_resources
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from dryrun import report, sarif
from dryrun.__main__ import main
from dryrun.model import Resource
from dryrun.policy_driver import Pack, Suppressed, Violation
from policies.checklist import ITEMS
from policies.rules.resources import required_tags
from tests.policies.support import file_config, sdk_resources

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json").read_text())
TAGS = {"environment": "test", "owner": "team", "cost-center": "cc-1"}
STACK_URN = "urn:pulumi:test::ai-platform::pulumi:pulumi:Stack::ai-platform-test"
RETAG = "pre-tagging groups, retagged in Q3"
PROCESS_ITEMS = [i.id for i in ITEMS if i.process]


def _groups() -> list[Resource]:
    declared = sdk_resources(lambda: [
        azure_resources.ResourceGroup("legacy-a", location="eastus2"),
        azure_resources.ResourceGroup("legacy-b", location="eastus2"),
        azure_resources.ResourceGroup("west", location="westeurope", tags=TAGS),
        azure_resources.ResourceGroup("app", location="eastus2", tags=TAGS),
    ])
    stack = Resource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="ai-platform-test", inputs={}, custom=False)
    return [stack, *declared]


def _urn(name: str) -> str:
    return f"urn:pulumi:test::ai-platform::azure-native:resources:ResourceGroup::{name}"


def _pack_dir(tmp_path: Path) -> Path:
    """A pack of two real policies plus a stack policy built with the same framework."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 2.0.0\n")
    (pack / "__main__.py").write_text(textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {str(ROOT)!r})

        from pulumi_policy import EnforcementLevel, PolicyPack, Severity

        from policies.rules.resources import allowed_locations, required_tags
        from policies.framework import by_type, stack_policy

        def legacy_groups(args, config):
            for group in by_type(args.resources, "azure-native:resources:ResourceGroup"):
                if group.name.startswith("legacy-"):
                    yield f"group {{group.name}} is a legacy group", group.urn

        legacy_group_names = stack_policy(
            name="legacy-group-names", description="No legacy resource groups remain.", checklist=["COMP-3"],
            severity=Severity.LOW, remediation="Move the resources out of the legacy group.",
            check=legacy_groups)

        PolicyPack(name="report-pack", enforcement_level=EnforcementLevel.MANDATORY,
                   policies=[required_tags, allowed_locations, legacy_group_names])
    '''))
    return pack


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps({
        "required-tags": {"suppressions": [{"resource": "*::legacy-*", "reason": RETAG, "expires": "2999-12-31"}]},
        "allowed-locations": {"allowedLocations": ["eastus2"]},
        "legacy-group-names": {"enforcementLevel": "advisory",
                               "suppressions": [{"resource": "*::legacy-*", "reason": "being migrated"}]},
    }))
    return path


def _resources_file(tmp_path: Path) -> Path:
    path = tmp_path / "resources.json"
    path.write_text(json.dumps({"stack": "test", "resources": [r.to_json() for r in _groups()]}))
    return path


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """One dry-run over the groups with every report written."""
    out = tmp_path / "out"
    args = ["--resources", str(_resources_file(tmp_path)), "--policy-pack", str(_pack_dir(tmp_path)),
            "--policy-config", str(_config(tmp_path)), "--json", str(out / "run.json"),
            "--sarif", str(out / "run.sarif"), "--checklist", "--checklist-json", str(out / "checklist.json")]
    code = main(args)
    return {"code": code, "console": capsys.readouterr().out, "args": args, "out": out,
            "json": json.loads((out / "run.json").read_text()),
            "sarif": json.loads((out / "run.sarif").read_text()),
            "checklist": json.loads((out / "checklist.json").read_text())}


def test_exit_code_follows_the_unsuppressed_mandatory_violation(run: dict[str, Any]) -> None:
    assert run["code"] == 1
    assert [(v["policy"], v["level"], v["urn"]) for v in run["json"]["violations"]] == [
        ("allowed-locations", "mandatory", _urn("west"))]


def test_suppressed_findings_in_json_after_violations(run: dict[str, Any]) -> None:
    doc = run["json"]
    assert list(doc) == ["stack", "resources", "violations", "suppressed"]
    stack_note = "suppressed '*::legacy-*': being migrated (group {} is a legacy group)"
    assert doc["suppressed"] == [
        {"policy": "legacy-group-names", "level": "advisory", "urn": _urn("legacy-a"),
         "reason": stack_note.format("legacy-a"), "checklist": ["COMP-3"]},
        {"policy": "legacy-group-names", "level": "advisory", "urn": _urn("legacy-b"),
         "reason": stack_note.format("legacy-b"), "checklist": ["COMP-3"]},
        *({"policy": "required-tags", "level": "mandatory", "urn": _urn(name),
           "reason": f"suppressed '*::legacy-*' until 2999-12-31: {RETAG}", "checklist": ["COMP-4"]}
          for name in ("legacy-a", "legacy-b")),
    ]


def test_suppressed_findings_on_the_console_with_their_reason(run: dict[str, Any]) -> None:
    console = run["console"]
    section = console.split("== suppressed findings\n", 1)[1].split("\n\n", 1)[0]
    assert f"[suppressed] required-tags (COMP-4) legacy-a\n        suppressed '*::legacy-*' until 2999-12-31: {RETAG}" \
        in section
    assert "[suppressed] legacy-group-names (COMP-3) legacy-a" in section
    assert "required-tags" not in console.split("== suppressed findings", 1)[0].split("== policy pack", 1)[1]
    assert "stack test: 5 resources, 1 mandatory and 0 other violation(s), 4 suppressed" in console


def test_sarif_validates_against_the_2_1_0_schema(run: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(run["sarif"])
    assert run["sarif"]["version"] == "2.1.0"


def test_sarif_has_one_rule_per_policy_with_github_metadata(run: dict[str, Any]) -> None:
    driver = run["sarif"]["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("report-pack", "2.0.0")
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == ["allowed-locations", "legacy-group-names", "required-tags"]
    tags = rules["required-tags"]["properties"]["tags"]
    assert "checklist:COMP-4" in tags and "security" in tags
    assert {k: r["properties"]["security-severity"] for k, r in rules.items()} == {
        "allowed-locations": "8.0", "legacy-group-names": "3.0", "required-tags": "5.5"}
    assert rules["required-tags"]["help"]["text"] == required_tags.remediation_steps
    assert rules["required-tags"]["shortDescription"]["text"] == required_tags.description
    assert {k: r["defaultConfiguration"]["level"] for k, r in rules.items()} == {
        "allowed-locations": "error", "legacy-group-names": "warning", "required-tags": "error"}
    assert all(r["properties"]["precision"] == "very-high" for r in rules.values())
    assert sarif.SECURITY_SEVERITY == {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def test_sarif_results_locate_resources_and_carry_suppressions(run: dict[str, Any], tmp_path: Path) -> None:
    sarif_run = run["sarif"]["runs"][0]
    results = sarif_run["results"]
    rules = [r["id"] for r in sarif_run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    violation = next(r for r in results if "suppressions" not in r)
    assert (violation["ruleId"], violation["level"]) == ("allowed-locations", "error")
    location = violation["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": (tmp_path / "resources.json").resolve().as_uri()}, "region": {"startLine": 1}}
    assert location["logicalLocations"] == [
        {"name": "west", "fullyQualifiedName": _urn("west"), "kind": "resource"}]

    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 4 and len(results) == 5
    tag_result = next(r for r in suppressed if r["ruleId"] == "required-tags")
    reason = f"suppressed '*::legacy-*' until 2999-12-31: {RETAG}"
    assert tag_result["suppressions"] == [{"kind": "external", "status": "accepted", "justification": reason}]
    assert tag_result["message"]["text"] == f"{required_tags.description}\n{reason}"
    stack_result = next(r for r in suppressed if r["ruleId"] == "legacy-group-names")
    assert stack_result["level"] == "warning"
    # A stack policy's suppressed finding is attributed to the resource it named.
    assert stack_result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == _urn("legacy-a")
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(fingerprints)) == len(results)
    assert sarif_run["automationDetails"]["id"] == "pulumi-policy/test/"


def test_reports_are_byte_identical_across_runs(run: dict[str, Any]) -> None:
    first = {name: (run["out"] / name).read_bytes() for name in ("run.json", "run.sarif", "checklist.json")}
    main(run["args"])
    assert {name: (run["out"] / name).read_bytes() for name in first} == first


def test_checklist_statuses_for_the_stack(run: dict[str, Any]) -> None:
    items = {i["id"]: i for i in run["checklist"]["items"]}
    assert list(items) == [i.id for i in ITEMS]
    assert (items["COMP-1"]["status"], items["COMP-1"]["enforcedBy"], items["COMP-1"]["violations"]) == (
        "failing", ["allowed-locations"], 1)
    assert (items["COMP-4"]["status"], items["COMP-4"]["suppressed"]) == ("suppressed", 2)
    assert items["COMP-3"]["status"] == "suppressed"
    assert [i for i, row in items.items() if row["status"] == "process"] == PROCESS_ITEMS
    assert all(items[i]["process"] for i in PROCESS_ITEMS)
    assert items["SEC-1"] == {"id": "SEC-1", "area": "Security", "text": "All services use managed identities",
                              "status": "not enforced", "enforcedBy": [], "violations": 0, "suppressed": 0,
                              "process": ""}
    summary = "3 of 36 enforced by policies, 5 process items; 0 passing, 1 failing, 2 suppressed, 28 not enforced"
    assert run["checklist"]["summary"] == summary


def test_checklist_on_the_console(run: dict[str, Any]) -> None:
    section = run["console"].split("== checklist\n", 1)[1]
    assert re.search(r"COMP-1 +failing +Data residency requirements met", section)
    assert "enforced by: allowed-locations" in section
    assert "process: Dev/Test pricing is a property of the subscription offer" in section
    assert "3 of 36 enforced by policies, 5 process items" in section


def test_disabled_policy_enforces_nothing() -> None:
    pack = Pack.from_policies([required_tags], EnforcementLevel.MANDATORY)
    pack.configure(file_config({"required-tags": "disabled"}), stack="test", project="ai-platform")
    rows = {r.id: r for r in report.checklist(pack, pack.analyze(_groups()), pack.suppressed)}
    assert (rows["COMP-4"].status, rows["COMP-4"].enforced_by) == ("not enforced", [])


def test_other_not_applicable_reasons_are_not_suppressions() -> None:
    def skip(args, report_violation) -> None:
        args.not_applicable("only for storage accounts")

    policy = ResourceValidationPolicy(name="skips", description="Skips.", validate=skip,
                                      tags=["checklist:COMP-4"])
    pack = Pack.from_policies([policy, required_tags], EnforcementLevel.MANDATORY)
    cfg = file_config({"required-tags": {"suppressions": [{"resource": "legacy-a", "reason": "accepted"}]}})
    pack.configure(cfg, stack="test", project="ai-platform")
    violations = pack.analyze(_groups())
    assert [(s.policy, s.urn) for s in pack.suppressed] == [("required-tags", _urn("legacy-a"))]
    assert [(v.policy, v.urn) for v in violations] == [("required-tags", _urn("legacy-b"))]
    pack.analyze(_groups()[:1])
    assert pack.suppressed == []  # each analyze() reports its own run


def test_real_pack_checklist_covers_every_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "checklist.json"
    main(["dev", "--quiet", "--checklist", "--checklist-json", str(out),
          "--policy-config", str(ROOT / "policies" / "config" / "dev.json")])
    doc = json.loads(out.read_text())
    assert [i["id"] for i in doc["items"]] == [i.id for i in ITEMS]
    for item in doc["items"]:
        assert bool(item["enforcedBy"]) == (item["status"] in ("passing", "failing", "suppressed"))
        if item["status"] == "process":
            assert item["id"] in PROCESS_ITEMS and item["process"]
    enforced = sum(1 for i in doc["items"] if i["enforcedBy"])
    assert doc["summary"].startswith(f"{enforced} of 36 enforced by policies, ")
    assert doc["summary"] in capsys.readouterr().out


def test_artifact_uri_is_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sarif.artifact_uri(Path("Pulumi.prod.yaml")) == "Pulumi.prod.yaml"
    assert sarif.artifact_uri(tmp_path / "exports" / "stack.json") == "exports/stack.json"
    assert sarif.artifact_uri(Path("/elsewhere/stack.json")) == "file:///elsewhere/stack.json"


def test_a_secret_a_policy_quotes_is_blinded_in_every_report() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2-secret"}
    resources = [Resource(urn="urn:pulumi:s::p::t::a", type="t", name="a", inputs={"password": secret})]
    violations = [Violation("p", "mandatory", "urn:pulumi:s::p::t::a", "password hunter2-secret is weak")]
    suppressed = [Suppressed("p", "urn:pulumi:s::p::t::a", "suppressed: hunter2-secret accepted")]
    report.scrub(violations, suppressed, report.secret_texts(resources))
    assert violations[0].message == "password [secret] is weak"
    assert suppressed[0].reason == "suppressed: [secret] accepted"
