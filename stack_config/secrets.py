"""Where secrets may live in config, and keeping them out of every message.

A field is secret when the model types it `SecretStr` (the `secrets` section's values, a
certificate's PFX or password). Such a field must arrive encrypted (`pulumi config set --secret`),
and nothing else may: a `secure:` value in an ordinary field (a tag, a name) would be decrypted
into resource properties, names and outputs in plain text, where Pulumi no longer masks it.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretBytes, SecretStr

from .model import StackConfig
from .stackfile import dotted, leaf_paths, secure_paths

Path = tuple[str | int, ...]
PLACEHOLDER = "[secret]"
# `written` when the program cannot see the stack file: only the key-level marking is known.
UNSEEN: Any = object()
# Shorter values are too common to scrub from messages without mangling them (and too short to be a key).
_MIN_SCRUB = 4


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation stands for (Annotated and Optional/Union removed)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for a in get_args(annotation) if a is not type(None) for t in _unwrap(a)]
    return [annotation]


def _child(annotation: Any, part: str | int) -> list[Any]:
    out: list[Any] = []
    for t in _unwrap(annotation):
        origin = get_origin(t)
        if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(part, str):
            out += [f.annotation for n, f in t.model_fields.items() if part in (f.alias, n)]
        elif origin is dict and isinstance(part, str):
            out.append(get_args(t)[1])
        elif origin is list and isinstance(part, int):
            out.append(get_args(t)[0])
    return out


def _is_secret(annotation: Any) -> bool:
    return any(isinstance(t, type) and issubclass(t, SecretStr | SecretBytes) for t in _unwrap(annotation))


def _holds_secret(annotation: Any) -> bool:
    for t in _unwrap(annotation):
        if _is_secret(t):
            return True
        if isinstance(t, type) and issubclass(t, BaseModel):
            if any(_holds_secret(f.annotation) for f in t.model_fields.values()):
                return True
        elif get_origin(t) in (dict, list) and any(_holds_secret(a) for a in get_args(t)):
            return True
    return False


# The model is fixed, so the answer for a path never changes, and every parse asks about every leaf
# of the file: walking the model again each time was most of the cost of parsing a stack file.
# Bounded, because the keys of dict-typed fields come from the file.
@functools.lru_cache(maxsize=8192)
def _at(path: Path) -> tuple[Any, ...]:
    current: tuple[Any, ...] = (StackConfig,)
    for part in path:
        if not current:
            break
        current = tuple(c for a in current for c in _child(a, part))
    return current


@functools.lru_cache(maxsize=8192)
def is_secret_path(path: Path) -> bool:
    """Whether the config value at `path` (top-level key first) is typed as a secret."""
    return any(_is_secret(a) for a in _at(path))


@functools.lru_cache(maxsize=8192)
def may_hold_secret(path: Path) -> bool:
    """Whether the value at `path` is, or contains, a secret-typed field (so it may be encrypted whole)."""
    return any(_holds_secret(a) for a in _at(path))


def _secret_leaves(key: str, value: Any) -> Iterator[Path]:
    for leaf in leaf_paths(value, (key,)):
        if is_secret_path(leaf):
            yield leaf


def placement_problems(key: str, value: Any, key_is_secret: bool, written: Any) -> Iterator[tuple[str, str]]:
    """Problems with where secrets are in one top-level key.

    `written` is the key's value as the stack file has it (with `secure:` leaves), or UNSEEN.
    """
    if written is not UNSEEN:
        secure = set(secure_paths(written, (key,)))
        for leaf in sorted(secure, key=str):
            if not may_hold_secret(leaf):
                yield (dotted(leaf), "is set with --secret, but this is not a secret field: Pulumi would hand "
                                      "the decrypted value to resource properties and outputs in plain text; set "
                                      "it without --secret, or keep secrets under `secrets`")
        for leaf in _secret_leaves(key, written):
            if leaf not in secure:
                yield (dotted(leaf), "holds a secret in plain text; remove it from the stack file and set it "
                                      f"with `pulumi config set --secret --path '{dotted(leaf)}' <value>`")
        return
    plain_secrets = list(_secret_leaves(key, value))
    if key_is_secret and not may_hold_secret((key,)):
        yield (key, "is set with --secret, but it holds no secret field: Pulumi would hand the decrypted value "
                    "to resource properties and outputs in plain text; set it without --secret")
    if plain_secrets and not key_is_secret:
        yield (dotted(plain_secrets[0]), "holds a secret in plain text; remove it from the stack file and set it "
                                          f"with `pulumi config set --secret --path '{dotted(plain_secrets[0])}' "
                                          "<value>`")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _at_path(value: Any, path: Path) -> Any:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def suspects(values: Mapping[str, Any], secret_keys: set[str], written: Mapping[str, Any]) -> set[str]:
    """Every value that is or may be secret (`secret_keys` and `written` keyed without namespace).

    Where the stack file shows which leaves were `secure:`, those leaves count; where it does not,
    Pulumi's marking is per key, so every value under a secret key counts. Secret-typed leaves
    always count.
    """
    found: set[str] = set()
    for key, value in values.items():
        if key in written:
            for leaf in secure_paths(written[key]):
                found.update(_texts(_at_path(value, leaf)))
        elif key in secret_keys:
            found.update(_texts(value))
        for leaf in _secret_leaves(key, value):
            found.update(_texts(_at_path(value, leaf[1:])))
    return {s for s in found if len(s) >= _MIN_SCRUB and s != PLACEHOLDER}


def scrub(message: str, secret_texts: set[str]) -> str:
    """The message with every value that is or may be secret replaced by a placeholder."""
    for text in sorted(secret_texts, key=len, reverse=True):
        message = message.replace(text, PLACEHOLDER)
    return message
