"""Read resources from files, so the pack can audit stacks this program did not declare.

Accepted, shaped as the Pulumi CLI writes them (pulumi/pulumi, read at commit 1b59498):
- `pulumi stack export`: `apitype.UntypedDeployment` (`sdk/go/common/apitype/core.go`): `version` 1-4
  (3 is current, 4 when a feature needs it, listed in `features`: `pkg/resource/stack/deployment.go`)
  and `deployment`, a `DeploymentV3` (`resources` of `ResourceV3`, `pending_operations`,
  `secrets_providers`, ...).
- `pulumi preview --json`: `display.PreviewDigest` (`pkg/display/json.go`): `steps[]` of `PreviewStep`
  (`op`, `urn`, `oldState`/`newState` as `ResourceV3`), `diagnostics[]`, `changeSummary`.
- the dry-run's own `--json`.

Which resources are evaluated follows the engine (`pkg/resource/deploy/step_generator.go`,
`step_executor.go`): resource policies run on every registered resource (stack, components,
providers, custom resources) and stack policies on the resources the deployment keeps (`news`).
Read resources (`external: true`, `.get`) go to `reads`, not `news`, and are never analyzed; a
resource pending deletion (`delete: true`) and `pending_operations` are not part of the new state.

Property values are converted to what the analyzer receives (`plugin.MarshalPropertyValue` with
KeepSecrets and KeepUnknowns, without KeepResources): secrets stay secrets; a secret the file only
holds as ciphertext (it cannot be decrypted offline) or as the preview's `[secret]` is a secret whose
value is unknown; a resource reference becomes its ID (or its URN for a component); a NaN/Inf number
(float signature) is unknown. Secret values are never put into a message.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import SECRET_SIG, SIG_KEY, UNKNOWN, Resource
from .stackfile import UsageError

# sdk/go/common/resource/sig/sig.go and pkg/resource/stack/deployment.go.
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
BYTE_STRING_SIG = "803fd3297a5875dc03ca845dda5d2a98"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
FLOAT_SIG = "8ad145fe-0d11-4827-bfd7-1abcbf086f5c"
SECRET_PLACEHOLDER = "[secret]"  # pkg/backend/display/json.go: how `preview --json` blinds a secret
# DeploymentSchemaVersionOldestSupported .. DeploymentSchemaVersionLatest, and the features the CLI knows.
VERSIONS = range(1, 5)
FEATURES = frozenset({"refreshBeforeUpdate", "views", "hooks", "taint", "replaceWith", "snippets-prototype",
                      "extensionParameterization", "byteString"})
# The preview steps whose new state is the resource the engine analyzes, once per URN. A replacement
# also emits `create-replacement` and `delete-replaced` steps for the same URN, a `--refresh` preview
# `refresh` steps; reads (`read`, `read-replacement`) are external and never analyzed.
EVALUATED_OPS = ("create", "update", "replace", "same", "import")
KNOWN_OPS = frozenset({*EVALUATED_OPS, "delete", "create-replacement", "delete-replaced", "read", "read-replacement",
                       "refresh", "discard", "discard-replaced", "remove-pending-replace", "import-replacement",
                       "diff", "extend-parameterize"})
# Property values deeper than this are refused: ARM's own documents nest a few dozen levels at most,
# and every later stage (protobuf, proxies, reports) recurses through them.
MAX_DEPTH = 100
_UNUSABLE_NUMBER = "number outside the range of a 64-bit float (NaN, Infinity, or too large)"


class ReadError(UsageError):
    """A resources file this command cannot use (exit code 2); the message names the JSON path."""


@dataclass
class Resources:
    """What a resources file holds for the pack, and what the user must know about it."""

    stack: str
    resources: list[Resource]
    kind: str  # "export", "preview" or "dry-run"
    # False for a preview without --show-sames: it holds only the changed resources, so stack
    # policies (which judge the whole stack) are not run on it.
    complete: bool = True
    notes: list[str] = field(default_factory=list)


def load_text(source: str, what: str) -> str:
    """A file's text (`-` is standard input): UTF-8, a byte order mark allowed; any problem is one line."""
    try:
        if source == "-":
            if sys.stdin is None or sys.stdin.closed:
                raise ReadError(f"{what} -: there is no standard input to read")
            stream = getattr(sys.stdin, "buffer", None)  # None when stdin was replaced by a text stream
            if stream is None:
                return sys.stdin.read().removeprefix("\ufeff")
            raw = stream.read()
        else:
            path = Path(source)
            if path.is_dir():
                raise ReadError(f"{what} {source}: is a directory, not a file")
            raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{what} {source}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{what} {source}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, where: str) -> Any:
    """Strict JSON (no NaN/Infinity literals, which Go's encoder never writes), errors as one line."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ReadError(f"{where}: nested too deeply to be a Pulumi file") from None
    except ValueError as exc:
        raise ReadError(f"{where}: not valid JSON: {exc}") from None


def read(source: Path | str) -> Resources:
    """The resources of a dry-run JSON, `pulumi stack export` or `pulumi preview --json` file (`-`: stdin)."""
    name = str(source)
    data = parse_json(load_text(name, "--resources"), f"--resources {name}")
    return parse(data, name)


def parse(data: Any, name: str = "<document>") -> Resources:
    doc = _Doc(name)
    if not isinstance(data, dict):
        raise doc.error("$", f"expected a JSON object, got {_kind(data)}")
    if "checkpoint" in data and "deployment" not in data:
        raise doc.error("$", "this is a file-backend state checkpoint (`.pulumi/stacks/...json`), not an export; "
                        "run `pulumi stack export --file FILE` and pass that file")
    if "deployment" in data:
        result = _export(doc, data)
    elif "resources" not in data and any(k in data for k in ("steps", "changeSummary", "diagnostics", "duration")):
        # PreviewDigest omits every empty field: a preview that changes nothing may hold no steps.
        result = _preview(doc, data)
    elif "resources" in data:
        result = _dryrun(doc, data)
    else:
        raise doc.error("$", "not a dry-run JSON, `pulumi stack export` or `pulumi preview --json` document "
                        "(no `deployment`, `steps` or `resources` key)")
    _no_parent_cycle(doc, result.resources)
    if not result.resources:
        result.notes.append(f"{name}: holds no resource the engine would evaluate; nothing was checked")
    return result


class _Doc:
    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, path: str, message: str) -> ReadError:
        return ReadError(f"--resources {self.name}: {path}: {message}")

    def get(self, obj: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any = None,
            required: bool = False) -> Any:
        value = obj.get(key)
        if value is None:
            if required:
                raise self.error(f"{path}.{key}", f"missing (expected {_type_name(kind)})")
            return default
        if not isinstance(value, kind):
            raise self.error(f"{path}.{key}", f"expected {_type_name(kind)}, got {_kind(value)}")
        return value

    def urns(self, obj: dict[str, Any], key: str, path: str) -> list[str]:
        values = self.get(obj, key, path, list, [])
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise self.error(f"{path}.{key}[{i}]", f"expected a URN string, got {_kind(v)}")
        return values


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(value), type(value).__name__)


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(_kind(k()) for k in kinds))


def _export(doc: _Doc, data: dict[str, Any]) -> Resources:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise doc.error("$.version", f"expected the deployment schema version (a number), got {_kind(version)}; "
                        "export the stack with `pulumi stack export`")
    if version > VERSIONS[-1]:
        raise doc.error("$.version", f"deployment version {version} is newer than this tool reads "
                        f"({VERSIONS[0]}-{VERSIONS[-1]}); update the dry-run")
    if version < VERSIONS[0]:
        raise doc.error("$.version", f"deployment version {version} is too old; export it with a current CLI")
    notes = []
    features = doc.get(data, "features", "$", list, [])
    for i, feature in enumerate(features):
        if not isinstance(feature, str):
            raise doc.error(f"$.features[{i}]", f"expected a feature name, got {_kind(feature)}")
    unknown = sorted(set(features) - FEATURES) if version >= 4 else []
    if unknown:
        notes.append(f"deployment uses features this tool does not know ({', '.join(unknown)}); "
                     "resources were read by their documented fields")
    deployment = data["deployment"]
    if not isinstance(deployment, dict):
        raise doc.error("$.deployment", f"expected an object, got {_kind(deployment)}")
    states = doc.get(deployment, "resources", "$.deployment", list, [])
    pending = doc.get(deployment, "pending_operations", "$.deployment", list, [])
    for i, op in enumerate(pending):
        where = f"$.deployment.pending_operations[{i}]"
        if not isinstance(op, dict):
            raise doc.error(where, f"expected an object, got {_kind(op)}")
        resource = doc.get(op, "resource", where, dict, required=True)
        doc.get(resource, "urn", f"{where}.resource", str, required=True)
        doc.get(op, "type", where, str, required=True)
    if pending:
        notes.append(f"{len(pending)} pending operation(s) (an interrupted update) are not part of the state and "
                     "were not evaluated; run `pulumi refresh` to settle them")
    resources, skipped, seen = [], {"external": 0, "delete": 0}, set()
    for i, state in enumerate(states):
        where = f"$.deployment.resources[{i}]"
        r, excluded = _state(doc, state, where, preview=False)
        if excluded:
            skipped[excluded] += 1
            continue
        _once(doc, seen, r, where)
        resources.append(r)
    if skipped["delete"]:
        notes.append(f"{skipped['delete']} resource(s) pending deletion (`delete: true`) were not evaluated")
    if skipped["external"]:
        notes.append(f"{skipped['external']} read resource(s) (`external: true`) were not evaluated: "
                     "the engine runs no policy on resources a program only reads")
    return Resources(_stack_from_urns(resources), resources, "export", True, notes)


def _state(doc: _Doc, state: Any, where: str, preview: bool) -> tuple[Resource, str]:
    """A `ResourceV3` (or V1/V2, whose fields are a subset), and why the engine would skip it ("" if not)."""
    if not isinstance(state, dict):
        raise doc.error(where, f"expected a resource object, got {_kind(state)}")
    urn = doc.get(state, "urn", where, str, required=True)
    parts = urn.split("::")
    if not urn.startswith("urn:pulumi:") or len(parts) < 4 or not parts[-1]:
        raise doc.error(f"{where}.urn", "not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)")
    type_ = doc.get(state, "type", where, str) or parts[2].split("$")[-1]
    custom = doc.get(state, "custom", where, bool, True)
    protect = doc.get(state, "protect", where, bool, False)
    parent = doc.get(state, "parent", where, str) or None
    dependencies = doc.urns(state, "dependencies", where)
    raw_deps = doc.get(state, "propertyDependencies", where, dict, {})
    property_dependencies = {}
    for key, urns in raw_deps.items():
        # The engine writes `null` for a property with no dependencies.
        if urns is not None and not isinstance(urns, list):
            raise doc.error(f"{where}.propertyDependencies.{key}", f"expected an array of URNs, got {_kind(urns)}")
        for j, u in enumerate(urns or []):
            if not isinstance(u, str):
                raise doc.error(f"{where}.propertyDependencies.{key}[{j}]", f"expected a URN string, got {_kind(u)}")
        property_dependencies[key] = list(urns or [])
    timeouts = doc.get(state, "customTimeouts", where, dict, {})
    custom_timeouts = {}
    for key, seconds in timeouts.items():
        if key not in ("create", "update", "delete", "read"):
            continue
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0 or math.isinf(seconds):
            raise doc.error(f"{where}.customTimeouts.{key}", f"expected seconds (a number >= 0), got {_kind(seconds)}")
        if seconds and key != "read":
            custom_timeouts[key] = f"{float(seconds)}s"
    raw_inputs = doc.get(state, "inputs", where, dict, {})
    inputs = _properties(doc, raw_inputs, f"{where}.inputs", preview)
    excluded = ""
    if doc.get(state, "external", where, bool, False):
        excluded = "external"
    elif doc.get(state, "delete", where, bool, False):
        excluded = "delete"
    return Resource(urn=urn, type=type_, name=parts[-1], inputs=inputs, parent=parent, dependencies=dependencies,
                    property_dependencies=property_dependencies, custom=custom, protect=protect,
                    custom_timeouts=custom_timeouts), excluded


def _secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def _properties(doc: _Doc, props: dict[str, Any], where: str, preview: bool, depth: int = 0) -> dict[str, Any]:
    return {k: _value(doc, v, f"{where}.{k}", preview, depth + 1) for k, v in props.items()}


def _value(doc: _Doc, value: Any, where: str, preview: bool, depth: int = 0) -> Any:
    """A serialized property value as the analyzer would receive it."""
    if depth > MAX_DEPTH:
        raise doc.error(where[:200] + "...", f"nested deeper than {MAX_DEPTH} levels; no Azure resource is")
    if isinstance(value, float) and not math.isfinite(value):
        raise doc.error(where, _UNUSABLE_NUMBER)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2 ** 1024:
        raise doc.error(where, _UNUSABLE_NUMBER)
    if isinstance(value, str):
        return _secret(UNKNOWN) if preview and value == SECRET_PLACEHOLDER else value
    if isinstance(value, list):
        return [_value(doc, v, f"{where}[{i}]", preview, depth + 1) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if SIG_KEY not in value:
        return _properties(doc, value, where, preview, depth)
    sig = value[SIG_KEY]
    decode = _SIGNATURES.get(sig) if isinstance(sig, str) else None
    if decode is None:
        raise doc.error(f"{where}.{SIG_KEY}", "unrecognized signature; this file was not written by the Pulumi CLI")
    return decode(doc, value, where, preview, depth)


def _secret_value(doc: _Doc, value: dict[str, Any], where: str, preview: bool, depth: int) -> Any:
    has = [k for k in ("ciphertext", "plaintext", "value") if k in value]
    if len(has) != 1:
        raise doc.error(where, "malformed secret: exactly one of `ciphertext` or `plaintext` must be supplied")
    inner = value[has[0]]
    if has[0] == "ciphertext":
        if not isinstance(inner, str):
            raise doc.error(f"{where}.ciphertext", f"expected a string, got {_kind(inner)}")
        return _secret(UNKNOWN)  # encrypted with the stack's key: unknown offline, and never shown
    if has[0] == "plaintext":  # `--show-secrets`: the secret's value as JSON text
        if not isinstance(inner, str):
            raise doc.error(f"{where}.plaintext", f"expected a string, got {_kind(inner)}")
        try:
            inner = json.loads(inner, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            # Say where, never what: the text is a secret.
            raise doc.error(f"{where}.plaintext", "not the JSON text of a value") from None
    # The dry-run's own --json redacts secrets to "[secret]": the value is unknown there too.
    if has[0] == "value" and inner == SECRET_PLACEHOLDER:
        return _secret(UNKNOWN)
    return _secret(_value(doc, inner, where, preview, depth + 1))


def _resource_reference(doc: _Doc, value: dict[str, Any], where: str, preview: bool, depth: int) -> Any:
    urn = value.get("urn")
    if not isinstance(urn, str):
        raise doc.error(f"{where}.urn", "malformed resource reference: missing urn")
    if "id" not in value:
        return urn  # a component: the analyzer receives its URN
    ref_id = value["id"]
    if isinstance(ref_id, dict):  # the form an old CLI wrote: a PropertyValue {"V": ...}
        ref_id = ref_id.get("V")
        if ref_id is None:
            return urn
        if isinstance(ref_id, dict):
            return UNKNOWN
    if not isinstance(ref_id, str):
        raise doc.error(f"{where}.id", "malformed resource reference: id must be a string")
    return ref_id or UNKNOWN  # an empty ID is one not known yet


def _asset(doc: _Doc, value: dict[str, Any], where: str, preview: bool, depth: int) -> Any:
    keys = ("path", "text", "uri") if value[SIG_KEY] == ASSET_SIG else ("path", "uri", "assets")
    if not any(k in value for k in keys):
        return UNKNOWN  # only a hash: the contents are not in the file
    out = {SIG_KEY: value[SIG_KEY]}
    for key, inner in value.items():
        if key == "assets":
            if not isinstance(inner, dict):
                raise doc.error(f"{where}.assets", f"expected an object, got {_kind(inner)}")
            out[key] = {k: _value(doc, v, f"{where}.assets.{k}", preview, depth + 1) for k, v in inner.items()}
        elif key != SIG_KEY:
            if not isinstance(inner, str):
                raise doc.error(f"{where}.{key}", f"expected a string, got {_kind(inner)}")
            out[key] = inner
    return out


def _byte_string(doc: _Doc, value: dict[str, Any], where: str, preview: bool, depth: int) -> Any:
    encoded = value.get("value")
    try:
        if not isinstance(encoded, str):
            raise ValueError
        return base64.b64decode(encoded, validate=True).decode("utf-8", errors="replace")
    except ValueError:
        raise doc.error(f"{where}.value", "malformed byte string: expected base64 text") from None


def _float(doc: _Doc, value: dict[str, Any], where: str, preview: bool, depth: int) -> Any:
    if not isinstance(value.get("value"), str):
        raise doc.error(f"{where}.value", "malformed float value: missing or non-string 'value' field")
    return UNKNOWN  # NaN or +/-Inf: no policy can compare it to anything


def _output_value(doc: _Doc, value: dict[str, Any], where: str, preview: bool, depth: int) -> Any:
    inner = _value(doc, value["value"], f"{where}.value", preview, depth + 1) if "value" in value else UNKNOWN
    return _secret(inner) if value.get("secret") is True else inner


_SIGNATURES: dict[str, Callable[[_Doc, dict[str, Any], str, bool, int], Any]] = {
    SECRET_SIG: _secret_value, RESOURCE_REFERENCE_SIG: _resource_reference, ASSET_SIG: _asset,
    ARCHIVE_SIG: _asset, BYTE_STRING_SIG: _byte_string, FLOAT_SIG: _float, OUTPUT_VALUE_SIG: _output_value,
}


def _preview(doc: _Doc, data: dict[str, Any]) -> Resources:
    diagnostics = doc.get(data, "diagnostics", "$", list, [])
    errors = []
    for i, d in enumerate(diagnostics):
        if not isinstance(d, dict):
            raise doc.error(f"$.diagnostics[{i}]", f"expected an object, got {_kind(d)}")
        if doc.get(d, "severity", f"$.diagnostics[{i}]", str) == "error":
            errors.append(doc.get(d, "message", f"$.diagnostics[{i}]", str, "").strip())
    if errors:
        lines = [line.strip() for line in errors[0].splitlines() if line.strip()] or ["(no message)"]
        # The first line says what failed, the last (of a traceback) why.
        first = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
        raise doc.error("$.diagnostics", f"the preview failed ({len(errors)} error(s)), so its steps are not the "
                        f"stack; fix the program and preview again. First error: {first}")
    steps = doc.get(data, "steps", "$", list, [])
    by_urn: dict[str, Resource] = {}
    root_op, sames = "", 0
    for i, step in enumerate(steps):
        where = f"$.steps[{i}]"
        if not isinstance(step, dict):
            raise doc.error(where, f"expected a step object, got {_kind(step)}")
        op = doc.get(step, "op", where, str, required=True)
        if op not in KNOWN_OPS:
            raise doc.error(f"{where}.op", f"unknown step operation {op!r}")
        new_state = step.get("newState")
        if op not in EVALUATED_OPS:
            continue
        if not isinstance(new_state, dict):
            if op == "same":  # `same` for a resource the display shows without state; nothing to check
                continue
            raise doc.error(f"{where}.newState", f"a `{op}` step needs its new state, got {_kind(new_state)}")
        r, excluded = _state(doc, new_state, f"{where}.newState", preview=True)
        if r.type == "pulumi:pulumi:Stack":
            root_op = root_op or op
        elif op == "same":
            sames += 1
        if not excluded:
            by_urn.setdefault(r.urn, r)
    resources = list(by_urn.values())
    # The root stack is always shown; other `same` steps only with --show-sames. A new stack (root
    # created) has only creates, so then the steps are the whole stack either way.
    complete = sames > 0 or root_op == "create"
    notes = []
    if not complete:
        notes.append("this preview holds only the changed resources (made without --show-sames): resource "
                     "policies ran, stack policies did not; for them run `pulumi preview --json --show-sames`")
    return Resources(_stack_from_urns(resources), resources, "preview", complete, notes)


def _dryrun(doc: _Doc, data: dict[str, Any]) -> Resources:
    items = doc.get(data, "resources", "$", list, [])
    resources: list[Resource] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"$.resources[{i}]"
        r, _ = _state(doc, item, where, preview=False)
        _once(doc, seen, r, where)
        name = doc.get(item, "name", where, str)
        if name is not None and name != r.name:
            raise doc.error(f"{where}.name", f"does not match the URN's name {r.name!r}")
        resources.append(r)
    stack = doc.get(data, "stack", "$", str) or _stack_from_urns(resources)
    return Resources(stack, resources, "dry-run", True, [])


def _no_parent_cycle(doc: _Doc, resources: list[Resource]) -> None:
    """The engine never writes a resource that is its own ancestor; such a file cannot be a stack."""
    parents = {r.urn: r.parent for r in resources}
    settled: set[str] = set()
    for start in parents:
        chain: set[str] = set()
        urn: str | None = start
        while urn is not None and urn in parents and urn not in settled:
            if urn in chain:
                raise doc.error("$", f"resource {urn} is its own ancestor (its parent chain loops); "
                                "this file was not written by the Pulumi CLI")
            chain.add(urn)
            urn = parents[urn]
        settled.update(chain)


def _once(doc: _Doc, seen: set[str], r: Resource, where: str) -> None:
    if r.urn in seen:
        raise doc.error(f"{where}.urn", f"URN {r.urn} appears twice; a stack holds each resource once")
    seen.add(r.urn)


def _stack_from_urns(resources: list[Resource]) -> str:
    for r in resources:
        return r.urn.split("::")[0].removeprefix("urn:pulumi:")
    return "unknown"
