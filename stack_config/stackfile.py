"""Read `Pulumi.<stack>.yaml` the way the Pulumi CLI does, and refuse what the CLI would refuse.

The CLI parses stack files with Go's gopkg.in/yaml.v3 (pulumi/pulumi sdk/go/common/workspace), so
this reader follows yaml.v3 where PyYAML's YAML 1.1 defaults differ:
- a timestamp-looking scalar (`startDate: 2026-11-01`, `version: 2024-11-20`) decoded into an
  untyped value stays a string (yaml.v3 decode.go: "for backward compatibility reasons we set it
  as a string"), so it reaches the program as the text that was written;
- only `true`/`false` are booleans and only plain decimal or hex numbers are numbers (`yes`, `on`,
  `02:00`, `0755` stay strings, as in YAML 1.2's core schema);
- a key repeated in one mapping is an error ("mapping key ... already defined"), at any depth;
- excessive aliasing is refused (yaml.v3 caps alias expansion for the same reason: a few lines
  of anchors can expand to gigabytes).
The scanner and parser are libyaml's (PyYAML's C binding), as yaml.v3 is a Go port of libyaml
("a pure Go port of the well-known libyaml C library", go-yaml's README): the two accept the same
syntax and word their errors alike ("did not find expected node content"). PyYAML's pure-Python
parser, about five times slower, stands in only where the binding is not built.
Beyond the CLI, values it could not pass on as JSON (`.inf`, `.nan`) and non-string keys are
refused here with their path, since Pulumi's config keys and the JSON handed to the program have
no room for them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# A stack file is a few kilobytes; these bounds keep a hostile one to bounded time and memory.
MAX_BYTES = 1024 * 1024
MAX_EXPANDED_NODES = 100_000
MAX_DEPTH = 64


class StackFileError(ValueError):
    """The file cannot be a stack file; the message names the file, the place and the fix."""


_CORE = (  # YAML 1.2 core schema as yaml.v3 resolves it: no sexagesimal (`02:00` stays text), no yes/no.
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
)
_REPLACED = {"tag:yaml.org,2002:timestamp", *(tag for tag, _, _ in _CORE)}


def _core_schema_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if tag not in _REPLACED]
        if kept:
            resolvers[first] = kept
    for tag, pattern, firsts in _CORE:
        for first in firsts:
            resolvers.setdefault(first, []).insert(0, (tag, re.compile(pattern)))
    return resolvers


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # pyright: ignore[reportGeneralTypeIssues] - chosen at import
    yaml_implicit_resolvers = _core_schema_resolvers()


# libyaml's own bound on nesting (1,000 levels), reported while scanning: before _check sees the document.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def _where(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _key_text(node: Node) -> str:
    return node.value if isinstance(node, ScalarNode) else f"<{node.tag}>"


def _finite(text: str) -> bool:
    # `1e400` overflows to infinity as surely as `.inf` is infinity.
    plain = text.replace("_", "").lower()
    return not plain.lstrip("+-").startswith((".inf", ".nan")) and math.isfinite(float(plain))


def _check(root: Node, name: str) -> None:
    """Walk the composed node graph once (iteratively, aliases shared) before constructing it."""
    expanded: dict[int, int] = {}

    def size(node: Node, depth: int, path: str) -> int:
        if depth > MAX_DEPTH:
            raise StackFileError(f"{name}: {path or 'document'} nests deeper than {MAX_DEPTH} levels "
                                 f"({_where(node)}); a stack file needs a handful")
        if id(node) in expanded:
            return expanded[id(node)]
        total = 1
        if isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                total += size(item, depth + 1, f"{path}[{i}]")
        elif isinstance(node, MappingNode):
            seen: dict[str, Node] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    total += size(value, depth + 1, path)
                    continue
                if key.tag != "tag:yaml.org,2002:str":
                    raise StackFileError(f"{name}: {path or 'top level'} has key {_key_text(key)!r} "
                                         f"({_where(key)}), which is not a string; quote it")
                if key.value in seen:
                    raise StackFileError(f"{name}: key '{key.value}' is defined twice in {path or 'the top level'} "
                                         f"({_where(seen[key.value])} and {_where(key)}); YAML keys are unique, "
                                         "keep one")
                seen[key.value] = key
                total += size(value, depth + 1, f"{path}.{key.value}" if path else key.value)
        elif node.tag == "tag:yaml.org,2002:float" and not _finite(node.value):
            raise StackFileError(f"{name}: {path} is {node.value} ({_where(node)}); infinity and NaN are not "
                                 "config values, write a finite number")
        if total > MAX_EXPANDED_NODES:
            raise StackFileError(f"{name}: {path or 'document'} expands to more than {MAX_EXPANDED_NODES} values "
                                 "(YAML aliases); write the values out instead of nesting anchors")
        expanded[id(node)] = total
        return total

    size(root, 0, "")


def parse_text(text: str, name: str) -> dict[str, Any]:
    """Parse stack-file text; the top level must be a mapping. `name` is used in messages."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}
            _check(node, name)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        if getattr(exc, "problem", None) == _LIBYAML_TOO_DEEP:
            raise StackFileError(f"{name}: nests too deeply to be a stack file") from None
        raise StackFileError(f"{name}: not valid YAML: {' '.join(str(exc).split())}") from None
    except UnicodeEncodeError as exc:  # libyaml takes UTF-8: a lone surrogate cannot be handed to it
        raise StackFileError(f"{name}: not valid YAML: character {exc.object[exc.start]!r} at position "
                             f"{exc.start} is not text (a lone surrogate); save the file as UTF-8") from None
    except RecursionError:  # the pure-Python parser's bound on nesting
        raise StackFileError(f"{name}: nests too deeply to be a stack file") from None
    if not isinstance(data, dict):
        raise StackFileError(f"{name}: the top level is a {type(data).__name__}; a stack file is a mapping "
                             "with a `config:` key")
    return data


def read(path: Path) -> dict[str, Any]:
    """Read and parse a stack or project file: UTF-8 (a BOM is accepted), at most MAX_BYTES."""
    try:
        if path.is_dir():
            raise StackFileError(f"{path.name}: is a directory, not a stack file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise StackFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise StackFileError(f"{path.name}: larger than {MAX_BYTES // 1024} KiB; a stack file is a few kilobytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StackFileError(f"{path.name}: byte {exc.start} is not UTF-8; save the file as UTF-8") from None
    return parse_text(text, path.name)


def dotted(path: tuple[str | int, ...]) -> str:
    """A config path as people write it: `network.regions[1].subnets[0].prefix`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def config_section(data: dict[str, Any], name: str) -> dict[str, Any]:
    config = data.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError(f"{name}: `config:` is a {type(config).__name__}; it must be a mapping of "
                             "`<namespace>:<key>: <value>`")
    return config


def qualified(config: dict[str, Any], project: str) -> dict[str, Any]:
    """Config keys with their namespace: a bare key belongs to the project (as the CLI reads it)."""
    return {key if ":" in key else f"{project}:{key}": value for key, value in config.items()}


def is_secure(value: Any) -> bool:
    """`{secure: <ciphertext>}`: a value set with `pulumi config set --secret`."""
    return isinstance(value, dict) and len(value) == 1 and "secure" in value


def secure_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every `secure:` leaf under `value`."""
    if is_secure(value):
        yield prefix
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from secure_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from secure_paths(v, (*prefix, i))


def leaf_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every leaf (a `secure:` value counts as one leaf)."""
    if isinstance(value, dict) and not is_secure(value) and value:
        for k, v in value.items():
            yield from leaf_paths(v, (*prefix, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from leaf_paths(v, (*prefix, i))
    else:
        yield prefix
