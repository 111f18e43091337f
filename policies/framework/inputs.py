"""Reading resource inputs the way a policy must: unknown-aware, shape-tolerant, ARM-id aware.

During `pulumi preview`, values computed by the cloud (ids of new resources, most often) arrive
as pulumi-policy's unknown sentinels, and touching one raises `UnknownValueError`. A resource
policy would then be skipped, and a stack policy would lose every finding because of one value.
These helpers turn an unknown into `UNKNOWN`, which checks treat as "cannot tell": never a
violation. Relations are resolved through property dependencies first (they stay known during
preview) and through ARM id strings second (files exported from other tools, existing resources).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Final

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from ..azure.catalog import ARM, in_resource_group

_SENTINELS = frozenset({UNKNOWN_ARRAY_VALUE, UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE,
                        UNKNOWN_STRING_VALUE})


class Unknown(Enum):
    """A value computed during deployment. Checks test `is UNKNOWN` explicitly: it is truthy, so a
    forgotten test reads it as "set", the safe side for checks that require a setting."""

    UNKNOWN = "unknown"


UNKNOWN: Final = Unknown.UNKNOWN


def get(value: Any, *path: str | int) -> Any:
    """The value at `path`: None when absent, UNKNOWN when it (or anything on the way) is unknown."""
    if isinstance(value, str) and value in _SENTINELS:
        return UNKNOWN
    try:
        for key in path:
            if isinstance(value, Mapping):
                value = value.get(key)
            elif isinstance(value, Sequence) and not isinstance(value, str) and isinstance(key, int):
                value = value[key] if -len(value) <= key < len(value) else None
            else:
                return None
            if value is None:
                return None
            if isinstance(value, str) and value in _SENTINELS:
                return UNKNOWN
    except UnknownValueError:
        return UNKNOWN
    return value


def items(value: Any, *path: str | int) -> list[Any] | Unknown:
    """The elements of a list at `path` ([] when absent); unknown elements become UNKNOWN."""
    seq = get(value, *path)
    if seq is UNKNOWN:
        return UNKNOWN
    if not isinstance(seq, Sequence) or isinstance(seq, str):
        return []
    out: list[Any] = []
    for i in range(len(seq)):
        out.append(get(seq, i))
    return out


def entries(value: Any, *path: str | int) -> list[tuple[str, Any]] | Unknown:
    """The (key, value) pairs of a map at `path`; unknown values become UNKNOWN."""
    mapping = get(value, *path)
    if mapping is UNKNOWN:
        return UNKNOWN
    if not isinstance(mapping, Mapping):
        return []
    return [(str(k), get(mapping, k)) for k in mapping]


def text(value: Any, *path: str | int) -> str | Unknown | None:
    """A string at `path`, lower-cased for comparisons with Azure's case-insensitive values."""
    found = get(value, *path)
    if found is UNKNOWN or found is None:
        return found
    return str(found).strip().lower()


def number(value: Any, *path: str | int) -> float | Unknown | None:
    found = get(value, *path)
    if found is UNKNOWN or found is None:
        return found
    try:
        return float(found)
    except (TypeError, ValueError):
        return None


def region(value: Any) -> str:
    """An Azure location in its canonical form ('East US 2' -> 'eastus2')."""
    return str(value).lower().replace(" ", "")


def arm_type(resource_id: str) -> str:
    """The ARM type of the resource an id names ('microsoft.keyvault/vaults'), '' if not an id."""
    parts = resource_id.strip("/").lower().split("/")
    if "providers" not in parts:
        return "microsoft.resources/resourcegroups" if len(parts) == 4 and parts[2] == "resourcegroups" else ""
    at = len(parts) - 1 - parts[::-1].index("providers")
    tail = parts[at + 1:]
    if len(tail) < 3:
        return ""
    # namespace/type/name[/subtype/subname...]: the type path skips every name.
    return "/".join([tail[0], *tail[1::2]])


# Type token -> ARM path (after `providers/`) with `{input}` placeholders for the names, for every
# resource the catalogue places in a resource group. Used to recognise a resource from an id string
# when no property dependency links the two (files from other tools, literal ids).
ARM_PATHS: Final[dict[str, str]] = {
    token: arm.path.replace("{n}", "{" + arm.name + "}") for token, arm in ARM.items() if in_resource_group(arm)}
_NAME = re.compile(r"\{(\w+)\}")
# ARM type ('microsoft.keyvault/vaults') -> type token.
TYPE_OF_ARM: Final[dict[str, str]] = {
    arm_type("/providers/" + _NAME.sub("x", path)): token for token, path in ARM_PATHS.items()}


# Type token -> the input names in its ARM path, in order: arm_key runs for every resource in every
# stack policy, and the path is fixed per type.
_ARM_NAMES: Final[dict[str, tuple[str, ...]]] = {token: tuple(_NAME.findall(path)) for token, path in ARM_PATHS.items()}


def arm_key(resource: PolicyResource) -> str | None:
    """'<resource group>/<path after providers>', lower-cased, of a declared resource whose names
    are explicit inputs; None when a name is autonamed or unknown."""
    path = ARM_PATHS.get(resource.resource_type)
    if path is None:
        return None
    group = text(resource.props, "resourceGroupName")
    if not isinstance(group, str):
        return None
    names: dict[str, str] = {}
    for key in _ARM_NAMES[resource.resource_type]:
        value = text(resource.props, key)
        if not isinstance(value, str) or not value:
            return None
        names[key] = value
    # The placeholders are the only braces in a path (ARM_PATHS), so format_map fills exactly them.
    return f"{group}/" + path.format_map(names).lower()


def id_key(resource_id: Any) -> str | None:
    """The same key as `arm_key`, read from an ARM id string."""
    if not isinstance(resource_id, str):
        return None
    parts = resource_id.strip("/").lower().split("/")
    if len(parts) < 8 or parts[2] != "resourcegroups" or parts[4] != "providers":
        return None
    return "/".join([parts[3], *parts[5:]])


def depends_on(resource: PolicyResource, *properties: str) -> set[str]:
    """URNs the given input properties were computed from (known during preview)."""
    urns: set[str] = set()
    for prop in properties:
        urns.update(dep.urn for dep in resource.property_dependencies.get(prop, []))
    return urns
