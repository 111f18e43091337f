"""Region names must exist, and zone redundancy is only asked for where a region has availability zones.

ARM refuses an unknown location outright and a zone-redundant request in a region without zones
("zones are not supported in this region"). The region list is a dated, sourced snapshot of
learn.microsoft.com/azure/reliability/regions-list in data/azure_regions.json (its `source.refresh`
says how to update it).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .problems import Problem

DATA = Path(__file__).parent / "data" / "azure_regions.json"
_TABLE: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
REGIONS: dict[str, dict[str, bool]] = _TABLE["regions"]
ZONAL_REGIONS = frozenset(r for r, facts in REGIONS.items() if facts["zones"])
_SOURCE = f"{_TABLE['source']['page']}, snapshot {_TABLE['retrieved']}"


def _unknown(path: str, location: str) -> Problem | None:
    facts = REGIONS.get(location)
    if facts is None:
        close = difflib.get_close_matches(location, list(REGIONS), n=2)
        hint = (f"did you mean {' or '.join(repr(c) for c in close)}?" if close
                else "use a programmatic name such as 'eastus2'")
        return (path, f"'{location}' is not an Azure region ({_SOURCE}); {hint}")
    if facts.get("comingSoon"):
        return (path, f"'{location}' is not open yet ({_SOURCE}); pick an available region")
    return None


def _zonal(path: str, what: str, locations: list[str]) -> Iterator[Problem]:
    flat = [loc for loc in locations if loc in REGIONS and loc not in ZONAL_REGIONS]
    if flat:
        yield (path, f"{what} asks for zone redundancy, but {', '.join(flat)} has no availability zones "
               f"({_SOURCE}); set it to false for this stack or use zonal regions")


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    for i, location in enumerate(p.get("allowed_locations") or []):
        problem = _unknown(f"allowedLocations[{i}]", location)
        if problem:
            yield problem
    network = p.get("network")
    if network is None:
        return
    locations = [r.location for r in network.regions]
    for i, location in enumerate(locations):
        problem = _unknown(f"network.regions[{i}].location", location)
        if problem:
            yield problem
    apps, events, backup = p.get("container_apps"), p.get("event_processing"), p.get("backup")
    if apps is not None and apps.zone_redundant:
        yield from _zonal("containerApps.zoneRedundant", "containerApps.zoneRedundant", locations)
    # Event processing and the backup vault live in the primary region only.
    if events is not None and events.enabled and events.event_hub_zone_redundant:
        yield from _zonal("eventProcessing.eventHubZoneRedundant", "eventProcessing.eventHubZoneRedundant",
                          locations[:1])
    if backup is not None and backup.redundancy == "ZoneRedundant":
        yield from _zonal("backup.redundancy", "backup.redundancy 'ZoneRedundant'", locations[:1])
