"""One stack's resources with the lookups every stack policy shares.

Resources are related through property dependencies (the URNs an input was computed from, known
during preview even when the ids are not) and, failing those, through ARM id strings. When a
relation cannot be resolved because a value is unknown, the check stays silent rather than
report a false violation. Each check builds its lookups once, so it is linear in the stack size.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from ..azure import types as T
from .inputs import UNKNOWN, arm_key, depends_on, get, id_key, region, text

Finding = tuple[str, str | None]


class Stack:
    """One stack's resources with the lookups every check shares, built in one pass."""

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = resources
        self.by_type: dict[str, list[PolicyResource]] = defaultdict(list)
        for r in resources:
            self.by_type[r.resource_type].append(r)

    # Built on first use: reading every resource's name inputs is most of a view's cost, and many
    # checks only look resources up by type.
    @functools.cached_property
    def by_key(self) -> dict[str, PolicyResource]:
        """arm_key -> resource, for ids given as strings."""
        out: dict[str, PolicyResource] = {}
        for r in self.resources:
            key = arm_key(r)
            if key:
                out[key] = r
        return out

    @functools.cached_property
    def group_regions(self) -> dict[str, str]:
        """Resource group name -> region."""
        out: dict[str, str] = {}
        for r in self.by_type.get(T.RESOURCE_GROUP, []):
            name, location = text(r.props, "resourceGroupName"), text(r.props, "location")
            if isinstance(name, str) and isinstance(location, str):
                out[name] = region(location)
        return out

    def of(self, *types: str) -> list[PolicyResource]:
        return [r for t in types for r in self.by_type.get(t, [])]

    def by_id(self, value: Any) -> PolicyResource | None:
        key = id_key(value)
        return self.by_key.get(key) if key else None

    def references(self, r: PolicyResource, prop: str, ids: Iterable[Any]) -> tuple[set[str], bool]:
        """URNs of stack resources that `r` references through input `prop`, given the id values
        found in it; and whether some reference stays unresolved (unknown id, no dependency)."""
        deps = depends_on(r, prop)
        values = list(ids)
        urns = deps | {t.urn for v in values if v is not UNKNOWN and (t := self.by_id(v)) is not None}
        return urns, not deps and unknown_in(values)

    def region(self, r: PolicyResource) -> Any:
        """The resource's region: its `location`, else its resource group's; UNKNOWN or None."""
        location = get(r.props, "location")
        if location is UNKNOWN or (isinstance(location, str) and location):
            return location if location is UNKNOWN else region(location)
        if r.resource_type == T.RESOURCE_GROUP:
            return None
        groups = r.property_dependencies.get("resourceGroupName", [])
        if groups:
            return self.region(groups[0])
        name = text(r.props, "resourceGroupName")
        return self.group_regions.get(name) if isinstance(name, str) else None

    def regions(self, resources: Iterable[PolicyResource]) -> set[Any]:
        return {self.region(r) for r in resources} - {None, "global"}


def unknown_in(values: Iterable[Any]) -> bool:
    return any(v is UNKNOWN for v in values)


def ids_at(values: Any, *path: str | int) -> list[Any]:
    """The value at `path` of each element (UNKNOWN for unknown elements)."""
    if values is UNKNOWN:
        return [UNKNOWN]
    return [UNKNOWN if v is UNKNOWN else get(v, *path) for v in values]
