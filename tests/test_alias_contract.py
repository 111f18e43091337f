"""The dry-run's shortcuts around SDK work change no RegisterResource request: the alias shortcut
(dryrun/program.py: no URN form of an alias, no Output to resolve a plain one), the stack-trace
shortcut (dryrun/program.py: the same frames without reading their source lines), and the lazy
service packages with deferred annotations (dryrun/lazy_imports.py).

Each case runs a program with shortcuts off and on and compares a canonical fingerprint of every
request the monitor receives: identical, or the test names the first resource and field that
differ (`aliases` or `stackTrace` names the in-process shortcut at fault). The in-process
shortcuts are proved together against the SDK's own code in one process, the imports against
the SDK's own imports in a fresh one, the in-process shortcuts as shipped; the run with
everything off at once is the benchmark's ("all off"), not a test's.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pulumi.resource as sdk_resource
import pulumi.runtime.resource as sdk_runtime_resource
import pytest

from components.gateway_certificate import PFX_CONTENT_TYPE
from dryrun import lazy_imports, program
from dryrun.model import reveal
from policies.azure import types as T
from tests.harness import program_run

from .request_fingerprints import fingerprint

ROOT = Path(__file__).resolve().parent.parent

# Every form an alias can take (pulumi.Alias docs), on custom resources and on a component whose
# children inherit its aliases; the SDK treats each differently on the URN path.
ALIAS_FORMS = '''
import pulumi

class Thing(pulumi.CustomResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Thing", name, {"size": 1}, opts)

class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Box", name, None, opts)
        inner = Thing(f"{name}-inner", pulumi.ResourceOptions(parent=self, aliases=[
            pulumi.Alias(name=f"{name}-old-inner"), pulumi.Alias(type_="test:index:OldThing")]))
        Thing(f"{name}-plain", pulumi.ResourceOptions(parent=self, depends_on=[inner]))
        self.register_outputs({})

first = Thing("first")
Thing("by-urn", pulumi.ResourceOptions(aliases=[
    "urn:pulumi:stack::project::test:index:Thing::old-by-urn"]))
Thing("by-name", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-by-name")]))
Thing("no-parent", pulumi.ResourceOptions(parent=first, aliases=[pulumi.Alias(parent=None)]))
Thing("root-parent", pulumi.ResourceOptions(parent=first, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]))
Thing("res-parent", pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=first)]))
Thing("urn-parent", pulumi.ResourceOptions(aliases=[
    pulumi.Alias(parent="urn:pulumi:stack::project::test:index:Thing::first")]))
Thing("elsewhere", pulumi.ResourceOptions(aliases=[pulumi.Alias(stack="other", project="proj")]))
Thing("output-alias", pulumi.ResourceOptions(aliases=[pulumi.Output.from_input(pulumi.Alias(name="old-out"))]))
Box("box", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-box")]))
Box("moved", pulumi.ResourceOptions(parent=first, aliases=[pulumi.Alias(parent=None, name="old-moved")]))
'''


def _fingerprints(root: Path, stack: str) -> tuple[dict[str, str], dict[str, str]]:
    """(stock, shortcut) fingerprints: registration key -> canonical request JSON. Both runs go
    through the same call site, so the requests' stack traces must match too."""
    stock, shortcut = (fingerprint(program.run(root, stack, alias_shortcut=shortcuts,
                                               stack_trace_shortcut=shortcuts))["requests"]
                       for shortcuts in (False, True))
    return stock, shortcut


def _first_difference(stock: dict[str, str], shortcut: dict[str, str]) -> str | None:
    for key in sorted(stock.keys() | shortcut.keys()):
        if key not in shortcut or key not in stock:
            return f"{key}: registered {'only without' if key in stock else 'only with'} the shortcut"
        if stock[key] != shortcut[key]:
            a, b = json.loads(stock[key]), json.loads(shortcut[key])
            field = next(f for f in sorted(a.keys() | b.keys()) if a.get(f) != b.get(f))
            return f"{key}: field {field!r} is {a.get(field)!r} stock, {b.get(field)!r} with the shortcut"
    return None


def test_a_difference_is_named_by_resource_and_field() -> None:
    stock = {"a": json.dumps({"aliases": [1]}), "b": "{}"}
    assert _first_difference(stock, {"a": json.dumps({"aliases": [2]}), "b": "{}"}) == \
        "a: field 'aliases' is [1] stock, [2] with the shortcut"
    assert _first_difference(stock, {"a": stock["a"]}) == "b: registered only without the shortcut"


def _alias_project(tmp_path: Path, body: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: project\nruntime: python\n")
    (tmp_path / "Pulumi.stack.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(body)
    return tmp_path


def test_the_pinned_sdk_is_the_locked_one() -> None:
    """A lock bump turns the shortcut off until someone rechecks the SDK source and this file."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = next(p["version"] for p in lock["package"] if p["name"] == "pulumi")
    assert locked == program.SHORTCUTS_PULUMI
    assert program.shortcuts_apply()


def test_each_shortcut_sends_the_requests_the_sdks_own_code_sends(tmp_path: Path) -> None:
    """On prod, which declares every resource type dev does and more, the shortcuts against the SDK:
    the worker's shared recording (as shipped: it loads azure-native as the dry-run does) against
    the stock alias handling and stack traces in this worker, and against the SDK's own imports in
    a fresh process. The same requests and the same outputs."""
    spec = importlib.import_module("pulumi_azure_native.network.application_gateway").__spec__
    assert spec is not None and isinstance(spec.loader, lazy_imports.DeferredAnnotationsLoader), "not the dry-run's"
    recorded = program_run("prod")
    # The gateways' bootstrap certificate is a fresh key per process: the fresh one gets this one's.
    certificates = {reveal(r.inputs)["properties"]["value"] for r in recorded.resources
                    if r.type == T.KEY_VAULT_SECRET and r.inputs["properties"].get("contentType") == PFX_CONTENT_TYPE}
    assert len(certificates) == 1
    pfx = tmp_path / "bootstrap.pfx"
    pfx.write_text(certificates.pop())
    eager = subprocess.Popen([sys.executable, "-m", "tests.request_fingerprints", str(ROOT), "prod",
                              "--bootstrap-pfx", str(pfx)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    stock_sdk = fingerprint(program.run(ROOT, "prod", alias_shortcut=False, stack_trace_shortcut=False))
    shipped = fingerprint(recorded)
    eager_imports = json.loads(eager.communicate()[0])
    assert eager.returncode == 0
    assert len(shipped["requests"]) > 400
    assert any(json.loads(doc).get("aliases") for doc in shipped["requests"].values()), "no alias reached the monitor"
    # The runs start from different callers (the shared recording, this test, the script): the
    # frames above the program differ, the program's own must not.
    for stock in (stock_sdk, eager_imports):
        assert _first_difference(_program_frames(stock["requests"]), _program_frames(shipped["requests"])) is None
        assert stock["outputs"] == shipped["outputs"]


def _program_frames(requests: dict[str, str]) -> dict[str, str]:
    """The requests with their stack traces cut to the program's own frames (the project's files)."""
    program = [f"file://{ROOT / part}" for part in ("__main__.py", "components/", "stack_config/")]
    out = {}
    for key, text in requests.items():
        doc = json.loads(text)
        frames = doc.get("stackTrace", {}).get("frames", [])
        doc["stackTrace"] = [f for f in frames if f.get("pc", {}).get("uri", "").startswith(tuple(program))]
        out[key] = json.dumps(doc, sort_keys=True)
    return out


def test_every_alias_form_sends_the_same_requests(tmp_path: Path) -> None:
    root = _alias_project(tmp_path, ALIAS_FORMS)
    stock, shortcut = _fingerprints(root, "stack")
    assert len(stock) == 16
    assert _first_difference(stock, shortcut) is None


def test_an_alias_the_sdk_rejects_fails_the_same_way(tmp_path: Path) -> None:
    root = _alias_project(tmp_path, ALIAS_FORMS.split("first = ")[0] +
                          'Thing("nameless", pulumi.ResourceOptions(aliases=[pulumi.Alias(name=None)]))\n')
    failures = []
    for shortcuts in (False, True):
        with pytest.raises(Exception) as caught:
            program.run(root, "stack", alias_shortcut=shortcuts)
        failures.append((type(caught.value), str(caught.value)))
    assert failures[0] == failures[1]
    assert "No valid 'name' passed in for alias" in failures[0][1]


def test_the_shortcut_skips_the_urn_work_and_restores_the_sdk(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    stock = getattr(sdk_resource, program.ALIAS_HOOK)
    stock_prepare = getattr(sdk_runtime_resource, program.PREPARE_HOOK)
    calls: list[str] = []
    prepared: list[str] = []

    def counting(alias: Any, name: str, type_: str, parent: Any) -> Any:
        calls.append(name)
        return stock(alias, name, type_, parent)

    async def counting_prepare(resource: Any, options: Any, supports_alias_specs: bool) -> Any:
        if options is not None and options.aliases:
            prepared.append(resource._name)
        return await stock_prepare(resource, options, supports_alias_specs)

    monkeypatch.setattr(sdk_resource, program.ALIAS_HOOK, counting)
    monkeypatch.setattr(sdk_runtime_resource, program.PREPARE_HOOK, counting_prepare)
    root = _alias_project(tmp_path, ALIAS_FORMS)
    program.run(root, "stack", alias_shortcut=True)
    # Only the alias given as an Output keeps the stock computation, of its URN and of its spec.
    assert calls == ["output-alias"]
    assert prepared == ["output-alias"]
    assert getattr(sdk_resource, program.ALIAS_HOOK) is counting
    assert getattr(sdk_runtime_resource, program.PREPARE_HOOK) is counting_prepare
    calls.clear()
    prepared.clear()
    program.run(root, "stack", alias_shortcut=False)
    assert len(calls) == 14
    assert len(prepared) == 12


def test_another_sdk_release_runs_stock_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(program, "SHORTCUTS_PULUMI", "0.0.0")
    stock = getattr(sdk_resource, program.ALIAS_HOOK)
    stock_prepare = getattr(sdk_runtime_resource, program.PREPARE_HOOK)
    stock_trace = getattr(sdk_runtime_resource, program.STACK_TRACE_HOOK)
    with program.skip_unused_alias_urns(), program.cached_stack_traces():
        assert getattr(sdk_resource, program.ALIAS_HOOK) is stock
        assert getattr(sdk_runtime_resource, program.PREPARE_HOOK) is stock_prepare
        assert getattr(sdk_runtime_resource, program.STACK_TRACE_HOOK) is stock_trace


# --- the stack-trace shortcut, frame by frame ------------------------------------------------------
# The SDK calls its stack-trace function from register_resource, below Resource.__init__, below
# CustomResource's or ComponentResource's, below the concrete class's. These stand-ins keep that
# shape and ask the stock function and the shortcut from the same frame.

class _Registration:
    def __init__(self, traces: list[tuple[Any, Any]]) -> None:
        stock = getattr(sdk_runtime_resource, program.STACK_TRACE_HOOK)
        with program.cached_stack_traces():
            shortcut = getattr(sdk_runtime_resource, program.STACK_TRACE_HOOK)
            traces.append(_both(stock, shortcut))


def _both(stock: Any, shortcut: Any) -> tuple[Any, Any]:
    return stock(), shortcut()


class _Custom(_Registration):
    def __init__(self, traces: list[tuple[Any, Any]]) -> None:
        super().__init__(traces)


class _Concrete(_Custom):
    def __init__(self, traces: list[tuple[Any, Any]]) -> None:
        super().__init__(traces)


def _nested(depth: int, traces: list[tuple[Any, Any]]) -> None:
    if depth:
        _nested(depth - 1, traces)
    else:
        _Concrete(traces)


@pytest.mark.parametrize("depth", [0, 1, 30])
def test_a_stack_trace_is_the_sdks_at_any_depth(depth: int) -> None:
    traces: list[tuple[Any, Any]] = []
    _nested(depth, traces)
    (stock, shortcut), = traces
    assert len(stock.frames) > depth and stock == shortcut


def test_code_without_a_file_has_frames_without_a_position() -> None:
    traces: list[tuple[Any, Any]] = []
    exec(compile("_nested(2, traces)", "<string>", "exec"), {"_nested": _nested, "traces": traces})
    (stock, shortcut), = traces
    assert any(not frame.HasField("pc") for frame in stock.frames) and stock == shortcut


def test_without_three_constructors_the_trace_is_empty() -> None:
    traces: list[tuple[Any, Any]] = []
    _Custom(traces)  # two __init__ frames: the SDK finds no concrete class
    (stock, shortcut), = traces
    assert not stock.frames and stock == shortcut


@pytest.mark.parametrize("limit", [3, 5, 8, 40])
def test_a_traceback_limit_is_honoured(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """With `sys.tracebacklimit`, extract_stack() lists only the innermost frames: fewer than the
    three constructors (3), a few above them (5, 8), or all (40)."""
    monkeypatch.setattr(sys, "tracebacklimit", limit, raising=False)
    traces: list[tuple[Any, Any]] = []
    _nested(20, traces)
    (stock, shortcut), = traces
    assert len(stock.frames) == max(0, limit - 5) if limit < 40 else len(stock.frames) > 20
    assert stock == shortcut


@pytest.mark.parametrize("limit", [0, -1, 5.0])
def test_a_limit_extract_stack_cannot_apply_fails_as_the_sdk_does(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setattr(sys, "tracebacklimit", limit, raising=False)
    stock = getattr(sdk_runtime_resource, program.STACK_TRACE_HOOK)
    with program.cached_stack_traces():
        shortcut = getattr(sdk_runtime_resource, program.STACK_TRACE_HOOK)
        failures = []
        for capture in (stock, shortcut):
            with pytest.raises(Exception) as caught:
                capture()
            failures.append(type(caught.value))
    assert failures[0] is failures[1] is (UnboundLocalError if isinstance(limit, int) else ValueError)
