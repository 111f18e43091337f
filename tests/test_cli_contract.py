"""The command-line contract of `python -m dryrun` and `python -m verify`.

Exit codes: 0 clean, 1 a mandatory violation (or a failed check), 2 a usage, config or input
error, 3 an internal error. Every file argument is checked before the run starts; an error is
one line; nothing exits 1 because it crashed; no secret value reaches any output.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryrun import arguments
from dryrun.__main__ import main
from dryrun.model import SECRET_SIG, SIG_KEY
from dryrun.policy_driver import Pack
from dryrun.readers import ASSET_SIG, FLOAT_SIG, RESOURCE_REFERENCE_SIG
from verify import checks as verify_checks
from verify.__main__ import main as verify_main

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(__file__).parent / "fixtures" / "cli"
EXPORT = CLI / "export-v3.json"
SHOWN_SECRET = "s3cr3t-SHOWN-VALUE-42"
CONTRACT = {arguments.OK, arguments.FINDING, arguments.USAGE}


@pytest.fixture(scope="module")
def pack() -> Pack:
    return Pack(ROOT / "policies")


@contextlib.contextmanager
def _cached(pack: Pack) -> Iterator[None]:
    """The real pack, loaded once for the module (a load executes the pack's program)."""
    with mock.patch("dryrun.__main__.Pack", lambda _dir: pack):
        yield


def _files(tmp_path: Path) -> dict[str, Path]:
    """Bad files of every kind a user hands over by mistake."""
    files = {"missing": tmp_path / "missing.json", "directory": tmp_path / "dir", "not-utf8": tmp_path / "latin1.json",
             "malformed": tmp_path / "malformed.json", "under-a-file": tmp_path / "plain.txt" / "out.json"}
    files["directory"].mkdir(exist_ok=True)
    files["not-utf8"].write_bytes('{"all": "disabled", "note": "caf\u00e9"}'.encode("latin-1"))
    files["malformed"].write_text('{"all": ')
    (tmp_path / "plain.txt").write_text("a file, not a directory")
    return files


INPUTS = ["--resources", "--policy-config"]
OUTPUTS = ["--json", "--sarif", "--checklist-json"]


@pytest.mark.parametrize("kind", ["missing", "directory", "not-utf8", "malformed"])
@pytest.mark.parametrize("option", INPUTS)
def test_a_bad_input_file_is_exit_2_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack,
                                                option: str, kind: str) -> None:
    bad = _files(tmp_path)[kind]
    args = ["--resources", str(EXPORT), option, str(bad)] if option != "--resources" else [option, str(bad)]
    out = tmp_path / "report.json"
    with _cached(pack):
        code = main([*args, "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and not out.exists() and captured.out == ""
    assert captured.err.startswith(f"error: {option} ") and captured.err.count("\n") == 1


@pytest.mark.parametrize("kind", ["directory", "under-a-file"])
@pytest.mark.parametrize("option", OUTPUTS)
def test_an_unwritable_output_is_refused_before_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        option: str, kind: str) -> None:
    with mock.patch("dryrun.__main__.read_resources") as reader:
        code = main(["--resources", str(EXPORT), option, str(_files(tmp_path)[kind])])
    captured = capsys.readouterr()
    assert code == 2 and not reader.called and captured.out == ""
    assert captured.err.startswith(f"error: {option} ") and captured.err.count("\n") == 1


@pytest.mark.parametrize("args", [
    ["--json", "same.json", "--sarif", "same.json"],
    ["--json", str(EXPORT)],
], ids=["two-reports-one-file", "report-over-its-input"])
def test_one_file_for_two_purposes_is_refused(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(["--resources", str(EXPORT), *args]) == 2
    assert "name the same file" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    [], ["dev", "--resources", str(EXPORT)], ["--bogus"], ["--resources"], ["../etc/passwd"], ["dev", "extra"],
    ["--resources", str(EXPORT), "--policy-pack", "/nonexistent"],
], ids=["nothing", "both", "unknown-option", "option-without-value", "stack-path", "two-stacks", "no-pack"])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(args) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_policy_config_naming_an_unknown_policy_says_did_you_mean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"key-vault-private-acess": "mandatory"}))
    with _cached(pack):
        assert main(["--resources", str(EXPORT), "--policy-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert ("key-vault-private-acess: the pack has no policy of this name; "
            "did you mean 'key-vault-private-access'?") in err


def test_an_internal_error_is_exit_3_in_one_line_saying_where_to_report(
        capsys: pytest.CaptureFixture[str], pack: Pack) -> None:
    with _cached(pack), mock.patch.object(Pack, "analyze", side_effect=KeyError(SHOWN_SECRET)):
        assert main(["--resources", str(EXPORT)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "open an issue" in err
    assert "KeyError" in err and SHOWN_SECRET not in err  # the exception's message may quote a secret


def _project(tmp_path: Path, program: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: ai-platform\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text(program)
    return project


@pytest.mark.parametrize(("program", "code", "message"), [
    ("import pulumi\nraise pulumi.RunError('ai-platform:network: missing; add it')\n", 2,
     "ai-platform:network: missing; add it"),
    ("raise ValueError('a bug in a component')\n", 3, "internal error"),
    ("import pulumi\npulumi.export('x', {}['missing'])\n", 3, "internal error"),
], ids=["config-error-is-usage", "program-bug-is-internal", "program-key-error-is-internal"])
def test_the_program_under_the_dry_run_never_exits_1_by_crashing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack, program: str, code: int, message: str) -> None:
    with _cached(pack):
        assert main(["dev", "--project-dir", str(_project(tmp_path, program))]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_partial_preview_runs_no_stack_policy_and_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack) -> None:
    out, checklist = tmp_path / "out.json", tmp_path / "checklist.json"
    with _cached(pack):
        main(["--resources", str(CLI / "preview-changes-only.json"), "--json", str(out),
              "--checklist-json", str(checklist), "--quiet"])
    assert "--show-sames" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert "--show-sames" in doc["notes"][0]
    stack_policies = {name for name, p in pack.policies.items() if p.kind == "stack"}
    assert not {v["policy"] for v in doc["violations"]} & stack_policies
    rows = json.loads(checklist.read_text())["items"]
    assert all(not set(r["enforcedBy"]) & stack_policies for r in rows)


# --- verify ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["missing", "directory", "not-utf8", "malformed"])
def test_verify_refuses_a_bad_outputs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    assert verify_main(["--outputs", str(_files(tmp_path)[kind])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize("kind", ["missing", "directory", "not-utf8", "malformed"])
def test_verify_refuses_a_bad_ca_file_before_probing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     kind: str) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"gateways": {"eastus2": "192.0.2.1"}}))
    with mock.patch("verify.__main__.check_health") as probe:
        assert verify_main(["--outputs", str(outputs), "--ca-file", str(_files(tmp_path)[kind])]) == 2
    assert not probe.called
    err = capsys.readouterr().err
    assert err.startswith("error: --ca-file ") and err.count("\n") == 1


def test_verify_accepts_a_bom_and_reports_internal_errors_as_3(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_bytes(b"\xef\xbb\xbf" + json.dumps({"gateways": {"eastus2": "192.0.2.1"}}).encode())
    with mock.patch("verify.__main__.check_health", side_effect=RuntimeError("boom")):
        assert verify_main(["--outputs", str(outputs)]) == 3
    assert "internal error in python -m verify: RuntimeError" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "x"], ["--path", "/a b"], ["--attempts", "0"],
                                  ["--timeout", "nan"], ["--retry-delay", "inf"], []],
                         ids=["port-0", "port-text", "path-space", "attempts-0", "timeout-nan", "delay-inf",
                              "no-outputs"])
def test_verify_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"gateways": {"eastus2": "192.0.2.1"}}))
    assert verify_main([*(["--outputs", str(outputs)] if args else []), *args]) == 2


# --- properties: mutated CLI documents and command lines ---------------------------------------

BASES = {name: json.loads((CLI / name).read_text()) for name in
         ("export-v3.json", "export-v3-show-secrets.json", "export-v4-features.json", "preview-show-sames.json",
          "preview-changes-only.json")}
BASES["dryrun.json"] = json.loads((Path(__file__).parent / "fixtures" / "dryrun.json").read_text())

_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                     st.sampled_from(["[secret]", "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "urn:pulumi:x::y::t::n"]))
_signed = st.builds(lambda sig, extra: {SIG_KEY: sig, **extra},
                    st.sampled_from([SECRET_SIG, RESOURCE_REFERENCE_SIG, ASSET_SIG, FLOAT_SIG, "feedface"]),
                    st.dictionaries(st.sampled_from(["ciphertext", "plaintext", "value", "urn", "id", "path"]),
                                    _scalars, max_size=2))
_values = st.recursive(st.one_of(_scalars, _signed),
                       lambda inner: st.one_of(st.lists(inner, max_size=3),
                                               st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                       max_leaves=6)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _inside_shown_secret(doc: Any, path: tuple[Any, ...]) -> bool:
    node = doc
    for key in path[:-1]:
        node = node[key]
        if isinstance(node, dict) and node.get(SIG_KEY) == SECRET_SIG and SHOWN_SECRET in str(node):
            return True
    return False


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(BASES)))
    doc = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        # Not into a secret the strategy placed: without its signature it would be plain data, fairly shown.
        paths = [p for p in _paths(doc) if p and not _inside_shown_secret(doc, p)]
        if not paths:  # everything deleted already
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "wrap", "secret"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "wrap":
            parent[path[-1]] = [parent[path[-1]]]
        elif action == "secret":  # a --show-secrets value somewhere it can travel from
            parent[path[-1]] = {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(SHOWN_SECRET)}
        else:
            parent[path[-1]] = draw(_values)
    return doc


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(doc=mutated_documents())
def test_mutated_cli_documents_keep_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack,
                                                 doc: dict[str, Any]) -> None:
    source = tmp_path / "resources.json"
    source.write_text(json.dumps(doc))
    reports = {opt: tmp_path / f"report{opt.replace('-', '_')}" for opt in OUTPUTS}
    for path in reports.values():
        path.unlink(missing_ok=True)
    with _cached(pack):
        code = main(["--resources", str(source), "--checklist",
                     *(a for opt, path in reports.items() for a in (opt, str(path)))])
    captured = capsys.readouterr()
    assert code in CONTRACT, captured.err
    assert "Traceback" not in captured.err + captured.out
    written = "".join(p.read_text() for p in reports.values() if p.exists())
    assert SHOWN_SECRET not in captured.out + captured.err + written
    if code == 2:
        assert not written and captured.err.count("\n") == 1


_tokens = st.one_of(
    st.sampled_from(["--resources", "--json", "--sarif", "--checklist-json", "--policy-config", "--policy-pack",
                     "--project-dir", "--quiet", "--checklist", "staging", "-", "--", "=", "--json=", "-x"]),
    st.sampled_from(["@export", "@preview", "@missing", "@dir", "@latin1", "@malformed", "@under-file"]),
    st.text(max_size=6))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(tokens=st.lists(_tokens, max_size=7))
def test_any_command_line_keeps_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack,
                                             tokens: list[str]) -> None:
    files = _files(tmp_path)
    # Copies: a drawn command line may well write a report over its own input.
    export, preview = tmp_path / "export.json", tmp_path / "preview.json"
    export.write_bytes(EXPORT.read_bytes())
    preview.write_bytes((CLI / "preview-changes-only.json").read_bytes())
    named = {"@export": export, "@preview": preview, "@missing": files["missing"],
             "@dir": files["directory"], "@latin1": files["not-utf8"], "@malformed": files["malformed"],
             "@under-file": files["under-a-file"]}
    # A program run takes seconds: the only stack names drawn are ones that do not exist.
    argv = [str(named.get(t, t)) for t in tokens if t not in ("dev", "prod")]
    with _cached(pack), mock.patch("sys.stdin", new=None):
        code = main(argv)
    captured = capsys.readouterr()
    assert code in CONTRACT, (argv, captured.err)
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("kind", ["not-utf8", "directory", "malformed"])
def test_a_bad_stack_file_is_exit_2_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: Pack,
                                                kind: str) -> None:
    project = _project(tmp_path, "raise AssertionError('the program must not run')\n")
    stack_file = project / "Pulumi.dev.yaml"
    stack_file.unlink()
    if kind == "directory":
        stack_file.mkdir()
    else:
        stack_file.write_bytes(b"config:\n  ai-platform:x: caf\xe9\n" if kind == "not-utf8" else b"config: [\n  {a: \n")
    with _cached(pack):
        assert main(["dev", "--project-dir", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Pulumi.dev.yaml: ") and err.count("\n") == 1


_verify_tokens = st.one_of(
    st.sampled_from(["--outputs", "--ca-file", "--insecure", "--port", "--path", "--timeout", "--attempts",
                     "--retry-delay", "--resolve-private", "-", "0", "443", "-1", "/health", "nan", "1e309"]),
    st.sampled_from(["@outputs", "@missing", "@dir", "@latin1", "@malformed"]),
    st.text(max_size=6))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(_verify_tokens, max_size=7))
def test_any_verify_command_line_keeps_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    tokens: list[str]) -> None:
    files = _files(tmp_path)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"gateways": {"eastus2": "192.0.2.1"}, "privateHostNames": ["kv.vault.azure.net"]}))
    named = {"@outputs": outputs, "@missing": files["missing"], "@dir": files["directory"],
             "@latin1": files["not-utf8"], "@malformed": files["malformed"]}
    passed = verify_checks.Result("check", "target", True, "ok")
    with mock.patch("verify.__main__.check_health", return_value=passed), \
            mock.patch("verify.__main__.check_private_dns", return_value=passed), mock.patch("sys.stdin", new=None):
        code = verify_main([str(named.get(t, t)) for t in tokens])
    captured = capsys.readouterr()
    assert code in CONTRACT, captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("outputs", [
    {"gateways": {"eastus2": "a" * 300}}, {"gateways": {"eastus2": "gw .example.com"}},
    {"gateways": {"eastus2": "192.0.2.1"}, "privateHostNames": ["kv.vault\x00.azure.net"]},
    {"gateways": {"eastus2": "192.0.2.1"}, "hostName": "-bad-.example.com"},
], ids=["label-too-long", "space", "nul", "hyphen-edges"])
def test_verify_refuses_outputs_that_are_not_host_names(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        outputs: dict[str, Any]) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    with mock.patch("verify.__main__.check_health") as probe:
        assert verify_main(["--outputs", str(path)]) == 2
    assert not probe.called and "is not a host name or IP address" in capsys.readouterr().err
