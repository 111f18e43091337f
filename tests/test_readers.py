"""`--resources` reads files shaped exactly as the Pulumi CLI writes them.

The fixtures in fixtures/cli/ follow pulumi/pulumi's Go types: `apitype.UntypedDeployment` /
`DeploymentV3` / `ResourceV3` / `OperationV2` (sdk/go/common/apitype/core.go), the property value
encodings of pkg/resource/stack/deployment.go (secrets as ciphertext or `--show-secrets` plaintext,
resource references, assets, archives, byte strings, the float signature for NaN/Inf), and
`display.PreviewDigest` / `PreviewStep` (pkg/display/json.go) with the steps a replacement, a
refresh, a read and a delete produce and `[secret]` where the display blinds a secret.
"""

from __future__ import annotations

import copy
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from dryrun import report
from dryrun.model import SECRET_SIG, SIG_KEY, UNKNOWN, Resource
from dryrun.readers import ReadError, Resources, parse, read

CLI = Path(__file__).parent / "fixtures" / "cli"
S = "urn:pulumi:legacy::seed::"
SHOWN_SECRET = "s3cr3t-SHOWN-VALUE-42"


def _doc(name: str) -> dict[str, Any]:
    return json.loads((CLI / name).read_text())


def _by_name(result: Resources) -> dict[str, Resource]:
    return {r.name: r for r in result.resources}


def _secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


# --- stack export -----------------------------------------------------------------------------

def test_export_evaluates_what_the_engine_analyzes() -> None:
    result = read(CLI / "export-v3.json")
    names = _by_name(result)
    assert result.kind == "export" and result.complete and result.stack == "legacy"
    # stack, provider, component and custom resources are all registered, so all analyzed
    assert set(names) == {"seed-legacy", "default_3_29_0", "rg", "net", "kv", "index", "pe-kv"}
    assert names["net"].custom is False and names["seed-legacy"].type == "pulumi:pulumi:Stack"


def test_pending_deletion_reads_and_pending_operations_are_not_evaluated_and_said_so() -> None:
    result = read(CLI / "export-v3.json")
    vault = _by_name(result)["kv"]
    assert vault.inputs["properties"]["enablePurgeProtection"] is True  # the live state, not the `delete: true` one
    assert "hub" not in _by_name(result) and "rg-extra" not in _by_name(result)
    notes = " ".join(result.notes)
    assert "1 pending operation(s)" in notes and "pending deletion" in notes and "external: true" in notes


def test_property_dependencies_of_null_are_empty() -> None:
    group = _by_name(read(CLI / "export-v3.json"))["rg"]
    assert group.property_dependencies == {"location": [], "resourceGroupName": []}


def test_custom_timeouts_in_seconds_are_kept() -> None:
    group = _by_name(read(CLI / "export-v3.json"))["rg"]
    assert group.custom_timeouts == {"create": "1800.0s", "delete": "3600.5s"}


def test_ciphertext_secrets_are_secrets_of_unknown_value() -> None:
    names = _by_name(read(CLI / "export-v3.json"))
    assert names["kv"].inputs["tags"]["costCenter"] == _secret(UNKNOWN)
    assert names["default_3_29_0"].inputs["clientSecret"] == _secret(UNKNOWN)


def test_show_secrets_plaintext_is_a_secret_never_written_out() -> None:
    names = _by_name(read(CLI / "export-v3-show-secrets.json"))
    assert names["kv"].inputs["tags"]["costCenter"] == _secret(SHOWN_SECRET)
    assert SHOWN_SECRET not in json.dumps(names["kv"].to_json())


def test_resource_references_become_what_the_analyzer_receives() -> None:
    inputs = _by_name(read(CLI / "export-v3.json"))["pe-kv"].inputs
    assert inputs["subnet"]["id"] == "/subnets/snet"  # a custom resource: its ID
    assert inputs["customNetworkInterfaceName"] == S + "ai-platform:network:Network::net"  # a component: its URN


def test_nan_float_byte_string_asset_and_archive_values() -> None:
    names = _by_name(read(CLI / "export-v3.json"))
    assert names["pe-kv"].inputs["ratio"] == UNKNOWN
    assert names["pe-kv"].inputs["label"] == "\ufffd"  # b"\xff": not UTF-8, decoded with replacement
    source = names["index"].inputs["source"]
    assert source["path"] == "site/index.html" and source[SIG_KEY] == "c44067f5952c0a294b673a41bacd8c17"
    assert names["index"].inputs["metadata"]["bundle"] == UNKNOWN  # an archive of which only the hash is stored


def test_v4_with_features_is_read() -> None:
    result = read(CLI / "export-v4-features.json")
    assert len(result.resources) == 7 and not any("features" in n for n in result.notes)


def test_the_dry_runs_own_json_reads_redacted_secrets_as_secrets() -> None:
    vault = {"urn": S + "azure-native:keyvault:Vault::kv", "type": "azure-native:keyvault:Vault", "name": "kv",
             "inputs": {"p": {SIG_KEY: SECRET_SIG, "value": "[secret]"}}}
    doc = {"stack": "s", "resources": [vault]}
    assert parse(doc).resources[0].inputs["p"] == _secret(UNKNOWN)


# --- preview --json ---------------------------------------------------------------------------

def test_preview_evaluates_each_resource_once_from_its_new_state() -> None:
    result = read(CLI / "preview-show-sames.json")
    urns = [r.urn for r in result.resources]
    assert len(urns) == len(set(urns))  # replacement and refresh steps produce no duplicates
    names = _by_name(result)
    assert "hub" not in names and "old" not in names  # a read and a delete are not evaluated
    assert names["rg"].inputs["tags"] == {"env": UNKNOWN}  # the update's new state, not the refresh's
    assert names["kv"].inputs["tags"]["costCenter"] == _secret(UNKNOWN)  # `[secret]`
    assert result.complete and not result.notes


def test_preview_without_show_sames_is_partial_and_says_so() -> None:
    result = read(CLI / "preview-changes-only.json")
    assert not result.complete
    assert set(_by_name(result)) == {"seed-legacy", "rg", "kv", "index"}
    assert "--show-sames" in result.notes[0]


def test_preview_of_a_new_stack_is_complete() -> None:
    doc = _doc("preview-changes-only.json")
    doc["steps"] = [dict(s, op="create") for s in doc["steps"] if s["op"] in ("same", "create")]
    assert parse(doc).complete


def test_preview_whose_program_failed_is_refused_with_its_error() -> None:
    with pytest.raises(ReadError, match=r"\$\.diagnostics: the preview failed .*KeyError: 'network'"):
        read(CLI / "preview-program-failed.json")


# --- what is refused, and how ---------------------------------------------------------------

def test_file_backend_checkpoint_says_to_export() -> None:
    with pytest.raises(ReadError, match="pulumi stack export"):
        read(CLI / "checkpoint-file-backend.json")


def _mutated(name: str, path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_doc(name))
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()
R = ["deployment", "resources"]

WRONG_SHAPES = {
    "version-missing": ("export-v3.json", ["version"], _DELETE, r"\$\.version: expected the deployment schema"),
    "version-too-new": ("export-v3.json", ["version"], 5, r"\$\.version: deployment version 5 is newer"),
    "version-zero": ("export-v3.json", ["version"], 0, "too old"),
    "deployment-not-object": ("export-v3.json", ["deployment"], [], r"\$\.deployment: expected an object"),
    "resources-not-array": ("export-v3.json", [*R], {}, r"\$\.deployment\.resources: expected an array"),
    "resource-not-object": ("export-v3.json", [*R, 2], "rg", r"resources\[2\]: expected a resource object"),
    "urn-missing": ("export-v3.json", [*R, 2, "urn"], _DELETE, r"resources\[2\]\.urn: missing"),
    "urn-not-a-urn": ("export-v3.json", [*R, 2, "urn"], "rg", r"resources\[2\]\.urn: not a Pulumi URN"),
    "inputs-not-object": ("export-v3.json", [*R, 2, "inputs"], [1], r"resources\[2\]\.inputs: expected an object"),
    "custom-not-bool": ("export-v3.json", [*R, 2, "custom"], "yes", r"resources\[2\]\.custom: expected a boolean"),
    "dependencies-not-urns": ("export-v3.json", [*R, 4, "dependencies"], [1], r"resources\[4\]\.dependencies\[0\]"),
    "property-dependencies-not-array": ("export-v3.json", [*R, 2, "propertyDependencies", "location"], "x",
                                        r"propertyDependencies\.location: expected an array"),
    "timeout-negative": ("export-v3.json", [*R, 2, "customTimeouts", "create"], -1, r"customTimeouts\.create"),
    "secret-with-both-forms": ("export-v3.json", [*R, 4, "inputs", "tags", "costCenter", "plaintext"], '"x"',
                               r"inputs\.tags\.costCenter: malformed secret"),
    "secret-plaintext-not-json": ("export-v3-show-secrets.json", [*R, 4, "inputs", "tags", "costCenter", "plaintext"],
                                  "not json", r"costCenter\.plaintext: not the JSON text"),
    "unknown-signature": ("export-v3.json", [*R, 2, "inputs", "x"], {SIG_KEY: "feedface"}, "unrecognized signature"),
    "reference-without-urn": ("export-v3.json", [*R, 7, "inputs", "subnet", "id", "urn"], _DELETE,
                              "malformed resource reference"),
    "huge-number": ("export-v3.json", [*R, 2, "inputs", "x"], 10 ** 400, r"inputs\.x: number outside the range"),
    "duplicate-urn": ("export-v3.json", [*R, 3, "urn"], S + "azure-native:resources:ResourceGroup::rg",
                      r"resources\[3\]\.urn: URN .* appears twice"),
    "pending-operation-without-resource": ("export-v3.json", ["deployment", "pending_operations", 0, "resource"],
                                           _DELETE, r"pending_operations\[0\]\.resource: missing"),
    "features-not-strings": ("export-v4-features.json", ["features"], [4], r"\$\.features\[0\]"),
    "steps-not-array": ("preview-show-sames.json", ["steps"], {}, r"\$\.steps: expected an array"),
    "step-op-unknown": ("preview-show-sames.json", ["steps", 2, "op"], "teleport", r"steps\[2\]\.op: unknown step"),
    "step-new-state-missing": ("preview-show-sames.json", ["steps", 5, "newState"], _DELETE,
                               r"steps\[5\]\.newState: a `update` step needs its new state"),
    "diagnostic-not-object": ("preview-show-sames.json", ["diagnostics", 0], "x", r"\$\.diagnostics\[0\]"),
}


@pytest.mark.parametrize("case", WRONG_SHAPES, ids=str)
def test_wrong_shapes_are_refused_naming_the_json_path(case: str) -> None:
    name, path, value, message = WRONG_SHAPES[case]
    with pytest.raises(ReadError, match=message) as caught:
        parse(_mutated(name, path, value), name)
    assert "\n" not in str(caught.value) and SHOWN_SECRET not in str(caught.value)


def test_the_show_secrets_value_is_never_in_an_error() -> None:
    doc = _mutated("export-v3-show-secrets.json", [*R, 4, "inputs", "tags", "costCenter", "plaintext"],
                   '{"a": ' + json.dumps(SHOWN_SECRET))
    with pytest.raises(ReadError) as caught:
        parse(doc)
    assert SHOWN_SECRET not in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ('{"version": 3, "deployment": {"resources": [{"urn": NaN}]}}', "NaN is not JSON"),
    ('{"version": 3, "deployment": {"resources": [] ', "not valid JSON"),
    ("[" * 100_000, "nested too deeply|not valid JSON"),
    ("[]", r"\$: expected a JSON object"),
    ('{"stack": "x"}', "no `deployment`, `steps` or `resources` key"),
], ids=["nan-literal", "truncated", "nesting-bomb", "array", "unknown-document"])
def test_unusable_text_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(ReadError, match=message):
        read(path)


def test_utf8_bom_and_standard_input_are_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (CLI / "export-v3.json").read_bytes()
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + raw)
    assert len(read(path).resources) == 7
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf" + raw)))
    assert len(read("-").resources) == 7


@pytest.mark.parametrize("doc", [
    {"version": 3, "deployment": {"manifest": {}}},
    {"steps": [], "diagnostics": [], "changeSummary": {}},
    {"stack": "x", "resources": []},
], ids=["empty-export", "empty-preview", "empty-dry-run"])
def test_zero_evaluable_resources_are_said_so(doc: dict[str, Any]) -> None:
    result = parse(doc, "f.json")
    assert not result.resources and "holds no resource the engine would evaluate" in result.notes[-1]


def test_unknown_v4_features_are_noted_not_refused() -> None:
    doc = _mutated("export-v4-features.json", ["features"], ["refreshBeforeUpdate", "teleportation"])
    assert "teleportation" in parse(doc).notes[0]


@pytest.mark.parametrize("nested", [
    "[" * 150 + "]" * 150,
    '{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": ' * 150 + "1" + "}" * 150,
], ids=["arrays", "secrets-in-secrets"])
def test_values_nested_beyond_any_azure_resource_are_refused(tmp_path: Path, nested: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"stack": "s", "resources": [{"urn": "urn:pulumi:s::p::t::n", "inputs": {"x": ' + nested + "}}]}")
    with pytest.raises(ReadError, match="nested deeper than 100 levels"):
        read(path)


def _chain(length: int, loop: bool) -> dict[str, Any]:
    urns = [f"urn:pulumi:s::p::t::n{i}" for i in range(length)]
    parents = [urns[-1] if loop else None, *urns[:-1]]
    return {"stack": "s", "resources": [{"urn": u, "parent": p} for u, p in zip(urns, parents, strict=True)]}


def test_a_parent_chain_that_loops_is_refused() -> None:
    with pytest.raises(ReadError, match="is its own ancestor"):
        parse(_chain(3, loop=True))


def test_a_parent_chain_of_any_depth_is_read_and_drawn() -> None:
    resources = parse(_chain(5000, loop=False)).resources
    assert report.tree(resources).splitlines()[-1] == "  " * 4999 + "- t  n4999"
