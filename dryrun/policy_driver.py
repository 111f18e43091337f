"""Evaluate a CrossGuard policy pack the way `pulumi preview --policy-pack` does.

The pack's own `__main__.py` is executed with `PolicyPack` swapped for a recorder (the real
constructor starts a gRPC server and blocks), and the recorded arguments build the SDK's real
analyzer servicer. The dry-run then makes the calls the CLI makes: GetAnalyzerInfo, Configure
(with the config the CLI would compute), ConfigureStack, Analyze per resource, AnalyzeStack once.
The servicer class is private to pulumi-policy, which is why that package is pinned exactly.
"""

from __future__ import annotations

import copy
import difflib
import functools
import gc
import json
import os
import pickle
import re
import runpy
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_policy
import pulumi_policy.policy as policy_module
import yaml
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.deserialize import deserialize_properties as _deserialize
from pulumi_policy.proxy import _append_prop, _DictProxy, _ListProxy, _raise_if_unknown
from pulumi_policy.proxy import unknown_checking_proxy as _sdk_proxy

from .model import Resource
from .readers import load_text
from .stackfile import UsageError

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_FROM_PROTO = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}
_LEVEL_TO_PROTO = {v: k for k, v in _LEVEL_FROM_PROTO.items()}
_SEVERITY = {0: "", 1: "low", 2: "medium", 3: "high", 4: "critical"}
# A policy records a suppressed finding as `not_applicable` with a reason starting with this word
# (policies/framework.py); other not_applicable reasons (e.g. "Policy does not implement validate") are not
# findings. A stack policy puts one suppressed finding per line, each naming its resource as `[<urn>]`.
SUPPRESSED = "suppressed"
_STACK_URN = re.compile(r" ?\[(urn:pulumi:[^\]]+)\]")


@dataclass
class Violation:
    policy: str
    level: str
    urn: str
    message: str
    severity: str = ""
    checklist: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "level": self.level, "urn": self.urn, "message": self.message,
                "checklist": self.checklist}


@dataclass
class Suppressed:
    """A finding a policy would have reported, silenced by a suppression in the pack config."""

    policy: str
    urn: str  # "" for a stack policy's finding: the analyzer reports no resource for it
    reason: str
    level: str = ""
    checklist: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "level": self.level, "urn": self.urn, "reason": self.reason,
                "checklist": self.checklist}


@dataclass
class PolicyInfo:
    name: str
    description: str
    level: str
    severity: str
    tags: list[str]
    remediation: str
    kind: str  # "resource" or "stack"
    url: str = ""

    @functools.cached_property  # the reports ask for it per item, policy and finding
    def checklist(self) -> list[str]:
        return sorted(t.removeprefix("checklist:") for t in self.tags if t.startswith("checklist:"))


class _Recorder:
    captured: dict[str, Any] | None = None

    def __init__(self, name: str, policies: list, enforcement_level=None, initial_config=None, **extra: Any):
        _Recorder.captured = {"name": name, "policies": policies, "enforcement_level": enforcement_level,
                              "initial_config": initial_config, "extra": extra}


class Pack:
    """A loaded policy pack, ready to be configured and run."""

    def __init__(self, pack_dir: Path) -> None:
        meta_file = pack_dir / "PulumiPolicy.yaml"
        if not meta_file.exists():
            raise UsageError(f"{pack_dir} is not a policy pack: PulumiPolicy.yaml is missing")
        meta = yaml.safe_load(meta_file.read_text()) or {}
        args = _record_pack(pack_dir)
        self._load(args["name"], str(meta.get("version", "0.0.1")), args["policies"], args["enforcement_level"],
                   args["initial_config"], args["extra"])

    @classmethod
    def from_policies(cls, policies: list, enforcement_level: Any = None, name: str = "test-pack") -> Pack:
        """A pack of the given policies, served exactly like a pack directory (for tests)."""
        pack = cls.__new__(cls)
        pack._load(name, "0.0.1", policies, enforcement_level, None, {})
        return pack

    def _load(self, name: str, version: str, policies: list, level: Any, initial_config: Any,
              extra: dict[str, Any]) -> None:
        self.name, self.version = name, version
        self.suppressed: list[Suppressed] = []  # filled by the last analyze()
        self.not_run: set[str] = set()  # stack policies the last analyze() skipped
        self.servicer = policy_module._PolicyAnalyzerServicer(
            name, version, policies, level or pulumi_policy.EnforcementLevel.ADVISORY, initial_config, **extra)
        info = self.servicer.GetAnalyzerInfo(None, None)
        self.info = info
        self.config_schemas = ConfigSchemas.of(info)
        self.policies: dict[str, PolicyInfo] = {
            p.name: PolicyInfo(
                name=p.name, description=p.description, level=_LEVEL_FROM_PROTO[p.enforcementLevel],
                severity=_SEVERITY.get(p.severity, ""), tags=list(p.tags), remediation=p.remediation_steps,
                kind="stack" if p.policy_type == 2 else "resource", url=p.url)
            for p in info.policies
        }
        # Enforcement levels in force: the policies' own until configure() applies a config.
        self.levels: dict[str, str] = {p.name: p.level for p in self.policies.values()}

    def configure(self, file_config: dict[str, Any] | None, stack: str, project: str,
                  stack_tags: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
        resolved = reconcile_config(self.info, file_config, self.config_schemas)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in resolved.items():
            cfg = analyzer_pb2.PolicyConfig(enforcementLevel=_LEVEL_TO_PROTO[entry["enforcementLevel"]])  # type: ignore[arg-type]
            if entry.get("properties"):
                cfg.properties.update(entry["properties"])
            request.policyConfig[name].CopyFrom(cfg)
        self.servicer.Configure(request, None)
        self.servicer.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack, project=project, dry_run=True, tags=stack_tags or {}), None)
        self.levels = {name: entry["enforcementLevel"] for name, entry in resolved.items() if name in self.policies}
        return resolved

    def analyze(self, resources: list[Resource], stack_policies: bool = True) -> list[Violation]:
        """The violations, as the CLI would print them; the suppressed findings go to `self.suppressed`.

        Without `stack_policies` (the resources are only part of a stack) the stack policies are not
        run, and `self.not_run` names them, so no report counts them as passing."""
        # The servicer allocates proxies per policy and resource; the cyclic collector would rescan
        # every live resource again and again (quadratic in the stack's size), and reference counting
        # frees them anyway.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with _DecodeOnce():
                return self._analyze(resources, stack_policies)
        finally:
            if collecting:
                gc.enable()

    def _analyze(self, resources: list[Resource], stack_policies: bool) -> list[Violation]:
        self.not_run = set() if stack_policies else {n for n, p in self.policies.items() if p.kind == "stack"}
        wire = [WireResource(r) for r in resources]
        # Resource policies judge one resource at a time, stack policies the whole: on a large stack a
        # forked child (the pack already loaded and configured) runs the resource policies while this
        # process runs the stack policies, which cost about as much; without those, it splits the resources.
        # A pack without resource policies has nothing to say about one resource (the servicer would
        # loop over no policy for each): only its stack policies run.
        judged = wire if any(p.kind == "resource" for p in self.policies.values()) else []
        parallel = len(judged) >= _PARALLEL_FROM and _can_fork()
        split = (len(judged) if stack_policies else len(judged) // 2) if parallel else 0
        child = _fork(lambda: self._resource_findings(judged[:split])) if split else None
        try:
            try:
                found, suppressed = self._resource_findings(judged[split:])
                if stack_policies:
                    try:
                        stack_response = self.servicer.AnalyzeStack(_StackRequest(wire), None)
                    except Exception as exc:
                        raise PolicyCrash("", exc) from exc
                    found += self._violations(stack_response, "")
                    suppressed += self._suppressed(stack_response, "")
            except PolicyCrash:
                if child:  # the child's resources come first in a serial run: so does a crash among them
                    waiting, child = child, None
                    _join(waiting)
                raise
            if child:
                waiting, child = child, None  # joined (and reaped) even when it reports a crash
                first = _join(waiting)
                found, suppressed = first[0] + found, first[1] + suppressed
        finally:
            if child:  # this process failed first: the child's work is moot
                os.kill(child[0], signal.SIGKILL)
                os.waitpid(child[0], 0)
                os.close(child[1])
        self.suppressed = suppressed
        return found

    def _resource_findings(self, wire: list[WireResource]) -> tuple[list[Violation], list[Suppressed]]:
        found: list[Violation] = []
        suppressed: list[Suppressed] = []
        for r in wire:
            try:
                response = self.servicer.Analyze(r, None)
            except Exception as exc:
                raise PolicyCrash(r.urn, exc) from exc
            found.extend(self._violations(response, r.urn))
            suppressed.extend(self._suppressed(response, r.urn))
        return found, suppressed

    def _violations(self, response: Any, default_urn: str) -> list[Violation]:
        out = []
        for d in response.diagnostics:
            info = self.policies.get(d.policyName)
            out.append(Violation(
                policy=d.policyName, level=_LEVEL_FROM_PROTO[d.enforcementLevel], urn=d.urn or default_urn,
                message=d.message, severity=_SEVERITY.get(d.severity, ""),
                checklist=info.checklist if info else []))
        return out

    def _suppressed(self, response: Any, urn: str) -> list[Suppressed]:
        out = []
        for entry in response.not_applicable:
            if not entry.reason.startswith(SUPPRESSED):
                continue
            info = self.policies.get(entry.policy_name)
            for reason in entry.reason.split("\n"):
                named = _STACK_URN.search(reason)
                out.append(Suppressed(
                    policy=entry.policy_name, urn=named.group(1) if named and not urn else urn,
                    reason=_STACK_URN.sub("", reason).replace("  ", " "),
                    level=self.levels.get(entry.policy_name, ""), checklist=info.checklist if info else []))
        return out


# A fork and its join cost about 15 ms (a 200 MB process, bench machine) and the policies about 1 ms
# per resource, about half of it moved to the child: from 100 resources the fork pays (prod's 466
# resources: 0.79 s serial, 0.51 s forked; 1,726 resources: 3.0 s and 1.9 s).
_PARALLEL_FROM = 100


def _can_fork() -> bool:
    # Only a process with no other threads forks safely (the program's runtime may hold threads).
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _fork(work: Callable[[], Any]) -> tuple[int, int]:
    """Run `work` in a forked child; its pickled result (or exception) comes back through a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's stack
        os.close(read_end)
        code = 0
        try:
            try:
                payload = pickle.dumps(("ok", work()))
            except PolicyCrash as exc:
                payload, code = pickle.dumps(("crash", (exc.urn, exc.where))), 1
            except BaseException as exc:  # every failure goes back to the parent
                payload, code = pickle.dumps(("error", f"{type(exc).__name__} in a policy worker")), 1
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _join(child: tuple[int, int]) -> Any:
    pid, read_end = child
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    os.waitpid(pid, 0)
    status, value = pickle.loads(data) if data else ("error", "a policy worker died")
    if status == "crash":
        raise PolicyCrash(*value)
    if status != "ok":
        raise RuntimeError(value)
    return value


class PolicyCrash(Exception):
    """A policy raised on a resource instead of judging it. The CLI fails the preview then too.

    Only the exception's type and the pack's line are kept, never its message (it may quote a value)."""

    def __init__(self, urn: str, exc: BaseException | str) -> None:
        if isinstance(exc, BaseException):
            frames = traceback.extract_tb(exc.__traceback__)
            # The innermost frame in the pack's own code says which check failed.
            inner = next((f for f in reversed(frames) if "pulumi_policy" not in f.filename), None)
            exc = f"{type(exc).__name__} at {Path(inner.filename).name}:{inner.lineno}" if inner else type(exc).__name__
        super().__init__(urn, exc)
        self.urn, self.where = urn, exc

    def __str__(self) -> str:
        return (f"a policy raised {self.where} on {self.urn or 'the stack'} instead of judging it: the resource's "
                "properties do not have the shape the policy reads (Azure's schema for its type)")


class WireProperties:
    """A resource's properties as `json_format.MessageToDict` returns them from the request's Struct:
    what the servicer reads (numbers are doubles on the wire, so every number is a float)."""

    def __init__(self, inputs: dict[str, Any]) -> None:
        # A JSON round trip is the C-speed deep copy with the wire's number type.
        self.decoded = json.loads(json.dumps(inputs, allow_nan=False), parse_int=float)


class _Timeouts:
    def __init__(self, timeouts: dict[str, str]) -> None:
        self.create, self.update, self.delete = (_seconds(timeouts.get(k, "")) for k in ("create", "update", "delete"))


class WireOptions:
    """`AnalyzerResourceOptions` as the servicer reads them (`_get_resource_options`)."""

    def __init__(self, r: Resource) -> None:
        self.protect = r.protect
        self.ignoreChanges: list[str] = []
        self.deleteBeforeReplaceDefined = False
        self.deleteBeforeReplace = False
        self.aliases: list[str] = []
        self.customTimeouts = _Timeouts(r.custom_timeouts)
        self.additionalSecretOutputs: list[str] = []
        self.parent = r.parent or ""

    def HasField(self, name: str) -> bool:
        return name == "customTimeouts"


class _Dependencies:
    def __init__(self, urns: list[str]) -> None:
        self.urns = urns


class WireResource:
    """One resource as the servicer reads an `AnalyzeRequest` and an `AnalyzerResource`: the same fields,
    decoded once instead of per policy (the protobuf path decodes a Struct for each of ~100 policies).
    tests/test_wire.py holds it to the protobuf messages the CLI sends."""

    def __init__(self, r: Resource) -> None:
        self.type, self.urn, self.name = r.type, r.urn, r.name
        self.properties = WireProperties(r.inputs)
        self.options = WireOptions(r)
        self.parent = r.parent or ""
        self.dependencies = list(r.dependencies)
        self.propertyDependencies = {k: _Dependencies(list(v)) for k, v in r.property_dependencies.items()}

    def HasField(self, name: str) -> bool:
        return False  # no provider resource: the dry-run does not record providers' properties


class _StackRequest:
    def __init__(self, resources: list[WireResource]) -> None:
        self.resources = resources


class _DecodeOnce:
    """The SDK's servicer decodes a resource's properties again for every policy (protobuf -> dict ->
    deserialized dict -> proxies), which is nearly all of its run time. Within one analyze() call,
    the request's properties are decoded once (`WireProperties`), the same decoded dict is
    deserialized once (a pure step), and each policy's own proxy is built lazily (`_lazy_proxy`), so
    what policies see and report is unchanged.
    """

    def __init__(self) -> None:
        # id -> (the keyed object, kept alive so its id cannot be reused; its decoding)
        self._decoded: dict[int, tuple[Any, Any]] = {}

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(message, WireProperties):
            return message.decoded
        return json_format.MessageToDict(message, *args, **kwargs)

    def deserialize(self, props: Any, proxy_secrets: bool = False) -> Any:
        if proxy_secrets:  # the remediation path wraps secrets in fresh proxies: leave it alone
            return _deserialize(props, True)
        hit = self._decoded.get(id(props))
        if hit is None or hit[0] is not props:
            hit = self._decoded[id(props)] = (props, _deserialize(props))
        return hit[1]

    def __enter__(self) -> _DecodeOnce:
        policy_module.json_format, policy_module.deserialize_properties = self, self.deserialize  # type: ignore[assignment]
        policy_module.unknown_checking_proxy = _lazy_proxy  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        policy_module.json_format, policy_module.deserialize_properties = json_format, _deserialize  # type: ignore[assignment]
        policy_module.unknown_checking_proxy = _sdk_proxy  # type: ignore[assignment]


def _lazy_proxy(props: Any) -> Any:
    """pulumi-policy's `unknown_checking_proxy`, built on access instead of up front.

    The SDK copies every resource into proxies for every policy, though a policy reads a handful of
    properties (and most policies skip most types at once). These proxies are the SDK's own classes
    with the same contract: reading an unknown value raises UnknownValueError with the same path,
    writes stay local to the proxy (the SDK's write into its private copy), `["__target"]` yields
    the proxied container, and `isinstance` checks see `_DictProxy` / `_ListProxy`.
    """
    return _wrap(props, [])


def _wrap(value: Any, path: list[str]) -> Any:
    if isinstance(value, dict):
        return _LazyDict(value, path)
    if isinstance(value, list):
        return _LazyList(value, path)
    return value


class _LazyDict(_DictProxy):
    """pulumi-policy's dict proxy contract, each child proxied on first read."""

    def __init__(self, raw: dict[str, Any], path: list[str]) -> None:
        self._raw, self._path = raw, path
        self._children: dict[str, Any] = {}
        self._written: dict[str, Any] = {}

    def _child(self, key: str) -> Any:
        if key in self._written:
            return self._written[key]
        if key not in self._children:
            self._children[key] = _wrap(self._raw[key], _append_prop(self._path, key))
        return self._children[key]

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":
            return {k: self._child(k) for k in self}
        return _raise_if_unknown(key, self._child(key), self._path)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._written[key] = value

    def __len__(self) -> int:
        return len(self._raw) + sum(k not in self._raw for k in self._written)

    def __iter__(self) -> Iterator[str]:
        yield from self._raw
        yield from (k for k in self._written if k not in self._raw)


class _LazyList(_ListProxy):
    """pulumi-policy's list proxy contract, each element proxied on first read."""

    def __init__(self, raw: list[Any], path: list[str]) -> None:
        self._raw, self._path = raw, path
        self._children: dict[int, Any] = {}

    def _child(self, index: int) -> Any:
        if index not in self._children:
            self._children[index] = _wrap(self._raw[index], _append_prop(self._path, index))
        return self._children[index]

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":
            return [self._child(i) for i in range(len(self._raw))]
        if isinstance(key, slice):
            value: Any = [self._child(i) for i in range(len(self._raw))[key]]
        else:
            self._raw[key]  # the same IndexError / TypeError as indexing the SDK's list
            value = self._child(key % len(self._raw))
        return _raise_if_unknown(key, value, self._path)

    def __len__(self) -> int:
        return len(self._raw)


def _record_pack(pack_dir: Path) -> dict[str, Any]:
    main = pack_dir / "__main__.py"
    if not main.exists():
        raise UsageError(f"{pack_dir} has no __main__.py")
    original = (pulumi_policy.PolicyPack, policy_module.PolicyPack)
    pulumi_policy.PolicyPack = policy_module.PolicyPack = _Recorder  # type: ignore[misc,assignment]
    _Recorder.captured = None
    saved_path = list(sys.path)
    try:
        sys.path.insert(0, str(pack_dir))  # the CLI runs the pack from its own directory
        runpy.run_path(str(main), run_name="__main__")
    finally:
        pulumi_policy.PolicyPack, policy_module.PolicyPack = original  # type: ignore[misc]
        sys.path[:] = saved_path
    if _Recorder.captured is None:
        raise UsageError(f"{main} did not construct a PolicyPack")
    return _Recorder.captured


def _seconds(duration: str) -> float:
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    total, number = 0.0, ""
    for ch in duration:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total, number = total + float(number) * units[ch], ""
    return total


def parse_config_file(path: Path) -> dict[str, Any] | None:
    """Parse a `--policy-pack-config` file with the CLI's rules."""
    return parse_config_text(load_text(str(path), "--policy-config"), f"--policy-config {path}")


def parse_config_text(text: str, path: Path | str) -> dict[str, Any] | None:
    """Parse the text of a `--policy-pack-config` file with the CLI's rules."""
    if not text.strip():
        return None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply to be a policy config") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: expected a JSON object of policy name -> level or settings")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise UsageError(f'{path}: parsing enforcement level for "{key}": "{value}" is not a valid '
                                 f"enforcement level; use one of {', '.join(LEVELS)}")
            out[key] = {"enforcementLevel": value, "properties": {}}
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None and (not isinstance(level, str) or level not in LEVELS):
                raise UsageError(f'{path}: parsing enforcement level for "{key}": {level!r} is not a valid '
                                 f"enforcement level; use one of {', '.join(LEVELS)}")
            if level is None and not props:
                continue
            out[key] = {"enforcementLevel": level, "properties": props}
        else:
            raise UsageError(f'{path}: parsing "{key}": must be a string or object')
    return out


def _apply(result: dict[str, dict[str, Any]], layer: dict[str, Any]) -> None:
    everything = layer.get("all")
    if everything and everything.get("enforcementLevel"):
        for entry in result.values():
            entry["enforcementLevel"] = everything["enforcementLevel"]
    for name, given in layer.items():
        entry = result.setdefault(name, {"enforcementLevel": "", "properties": None})
        if given.get("enforcementLevel"):
            entry["enforcementLevel"] = given["enforcementLevel"]
        if given.get("properties"):
            entry["properties"] = {**(entry["properties"] or {}), **given["properties"]}


@dataclass(frozen=True)
class ConfigSchemas:
    """What the pack's analyzer info fixes about its config: per policy, its level and schema defaults,
    and a validator for each config schema. Read once per pack; a test configures one pack hundreds
    of times."""

    defaults: dict[str, tuple[str, dict[str, Any] | None]]
    validators: dict[str, jsonschema.Draft7Validator]

    @classmethod
    def of(cls, info: Any) -> ConfigSchemas:
        defaults: dict[str, tuple[str, dict[str, Any] | None]] = {}
        validators: dict[str, jsonschema.Draft7Validator] = {}
        for p in info.policies:
            props = json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {}
            values = {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
            defaults[p.name] = (_LEVEL_FROM_PROTO[p.enforcementLevel], values or None)
            if props:
                validators[p.name] = jsonschema.Draft7Validator(
                    {"type": "object", "properties": props, "required": list(p.configSchema.required)})
        return cls(defaults, validators)


def reconcile_config(info: Any, file_config: dict[str, Any] | None,
                     schemas: ConfigSchemas | None = None) -> dict[str, dict[str, Any]]:
    """The CLI's policy-config resolution (pkg/resource/analyzer/config.go), step for step:
    schema defaults, then the pack's initial config, then the file; then JSON-schema validation.
    `schemas` is `ConfigSchemas.of(info)`, when the caller keeps it."""
    schemas = schemas or ConfigSchemas.of(info)
    result: dict[str, dict[str, Any]] = {
        name: {"enforcementLevel": level, "properties": copy.deepcopy(values)}
        for name, (level, values) in schemas.defaults.items()}
    initial = {k: {"enforcementLevel": _LEVEL_FROM_PROTO[v.enforcementLevel],
                   "properties": json_format.MessageToDict(v.properties)}
               for k, v in info.initialConfig.items()}
    if initial:
        _apply(result, initial)
    if file_config:
        _apply(result, file_config)
    errors = []
    known = {p.name for p in info.policies}
    unknown = set(file_config or {}) - known - {"all"}
    for name in sorted(unknown):
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "`python -m dryrun <stack>` lists the pack's policies"
        errors.append(f"{name}: the pack has no policy of this name; {hint}")
    for name, validator in schemas.validators.items():
        for err in validator.iter_errors(result[name]["properties"] or {}):
            where = ".".join(str(p) for p in err.absolute_path)
            errors.append(f"{name}: {where + ': ' if where else ''}{err.message}")
    for name, entry in result.items():
        if not entry["enforcementLevel"] and name not in unknown:
            errors.append(f'{name}: invalid enforcement level ""; give the entry an enforcementLevel')
    if errors:
        raise UsageError("validating policy config: " + "; ".join(sorted(errors)))
    return result
