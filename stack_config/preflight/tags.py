"""Tag names and values must fit Azure's limits on every resource they land on.

"Each resource, resource group, and subscription can have a maximum of 50 tag name-value pairs";
"The tag name has a limit of 512 characters and the tag value has a limit of 256 characters. For
storage accounts, the tag name has a limit of 128 characters"; "Tag names can't contain these
characters: <, >, %, &, \\, ?, /" (learn.microsoft.com/azure/azure-resource-manager/management/
tag-resources#limitations). Storage accounts carry the stack's tags, so the stricter 128 applies.
Tag names are case-insensitive, so an extra tag may not repeat one the stack sets itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from .problems import Problem

MAX_TAGS = 50
MAX_NAME = 128  # storage accounts; 512 elsewhere
MAX_VALUE = 256
FORBIDDEN = frozenset('<>%&\\?/')
# Tags the stack sets: on every resource (StackConfig.resource_tags) and on some resources one more
# ("region-role" on resource groups, "workload" on identities, "hidden-link:<id>" on the web test).
BASE_TAGS = ("environment", "owner", "cost-center", "managed-by")
PER_RESOURCE_TAGS = ("region-role", "workload")


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    tags = p.get("tags")
    if tags is None:
        return
    for path, value in (("tags.owner", tags.owner), ("tags.costCenter", tags.cost_center)):
        if len(value) > MAX_VALUE:
            yield (path, f"is {len(value)} characters; Azure tag values take at most {MAX_VALUE}")
    reserved = {t.lower() for t in (*BASE_TAGS, *PER_RESOURCE_TAGS)}
    for name, value in tags.extra.items():
        path = f"tags.extra.{name}"
        bad = sorted(set(name) & FORBIDDEN)
        if bad:
            yield (path, f"tag name contains {' '.join(bad)}, which Azure refuses in tag names; rename it")
        if len(name) > MAX_NAME:
            yield (path, f"tag name is {len(name)} characters; storage accounts take at most {MAX_NAME}, shorten it")
        if not name.strip():
            yield (path, "tag name is empty; give it a name")
        if name.lower() in reserved:
            yield (path, f"'{name}' is a tag the stack sets itself (tag names are case-insensitive); use "
                   "another name")
        if len(value) > MAX_VALUE:
            yield (path, f"value is {len(value)} characters; Azure tag values take at most {MAX_VALUE}")
    allowed = MAX_TAGS - len(BASE_TAGS) - 1
    if len(tags.extra) > allowed:
        yield ("tags.extra", f"{len(tags.extra)} extra tags make {len(tags.extra) + MAX_TAGS - allowed} on some "
               f"resources; Azure allows {MAX_TAGS}, keep at most {allowed} extra tags")
