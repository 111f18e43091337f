"""Every OpenAI deployment's model, version and SKU must be offered in each region it is deployed to.

ARM refuses a deployment whose model/version is not offered under that deployment type in the
account's region, and the region's private endpoint (which waits for the deployments) stops with it.
Availability comes from Microsoft's model availability tables, shipped as a dated, sourced snapshot
in data/openai_models.json (refresh: `python -m stack_config.preflight.refresh_openai_models`, see
that module). `assumeAvailableIn` on a deployment lists regions you have checked yourself where the
snapshot is behind Azure (a new region, a model added since the snapshot's date).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from .problems import Problem

DATA = Path(__file__).parent / "data" / "openai_models.json"
SOURCE_PAGE = "https://learn.microsoft.com/azure/ai-foundry/openai/concepts/models"


@cache
def table() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def offered_in(model: str, version: str, sku: str) -> tuple[list[str], list[str]] | None:
    """(regions offering it, regions the table covers) for a deployment type, None if the type has no table."""
    skus = table()["skus"]
    if sku not in skus:
        return None
    return skus[sku].get(f"{model}@{version}", []), skus[sku]["_regions"]


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    openai, network = p.get("openai"), p.get("network")
    if openai is None or network is None:
        return
    retrieved = table()["retrieved"]
    regions = [r.location for r in network.regions]
    for i, d in enumerate(openai.deployments):
        path = f"openai.deployments[{i}]"
        found = offered_in(d.model, d.version, d.sku)
        for region in regions:
            if region in d.assume_available_in:
                continue
            override = (f"or, if Azure now offers it there, add {region} to {path}.assumeAvailableIn "
                        f"(the table is dated {retrieved}; {SOURCE_PAGE})")
            if found is None:
                yield (f"{path}.sku", f"no availability data for deployment type '{d.sku}' (shipped tables: "
                       f"{', '.join(table()['skus'])}); check {SOURCE_PAGE} and list the regions you confirmed in "
                       f"{path}.assumeAvailableIn")
                break
            offered, covered = found
            if region in offered:
                continue
            if region not in covered:
                reason = f"the {d.sku} availability table does not cover region '{region}'"
            else:
                reason = f"'{d.model}' version '{d.version}' is not offered as {d.sku} in {region}"
            alternatives = [sku for sku in table()["skus"] if sku != d.sku
                            and region in (offered_in(d.model, d.version, sku) or ([], []))[0]]
            fix = (f"use sku {' or '.join(alternatives)} (offered there)" if alternatives
                   else "pick a model/version offered there or another region")
            yield (f"{path}.sku", f"{reason}; {fix}, {override}")
