"""Preflight: the rules Azure enforces at deployment time that a stack's config can break.

Each module holds one concern and the data it needs (data/*.json are dated, sourced snapshots with
a documented refresh), and reports `(field path, reason and fix)` problems like
stack_config.validate, so a config ARM would refuse stops at config validation with exit 2 and
nothing declared. The rules (README "Preflight"):

- openai_models: model / version / SKU offered in each region (per-deployment assumeAvailableIn)
- budget_window: a configured budget start inside the window Azure accepts today
- names: every generated resource name against its type's naming rules
- regions: region names exist; zone redundancy only where the region has zones
- subnets: subnet size against its role (App Gateway maxCapacity, Container Apps environment type)
- addresses: no address space or subnet in a range Azure refuses
- hostnames: host names are valid DNS names
- tags: tag names, values and counts within Azure's limits
- images: container target / probe ports match what known images listen on
- certificate: the gateway certificate source yields a certificate the gateway can load
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from . import addresses, budget_window, certificate, hostnames, images, names, openai_models, regions, subnets, tags
from .problems import Problem

Rule = Callable[[Mapping[str, Any], date], Iterator[Problem]]
RULES: tuple[Rule, ...] = (
    openai_models.check, budget_window.check, names.check, regions.check, subnets.check, addresses.check,
    hostnames.check, tags.check, images.check, certificate.check,
)


def run(parsed: Mapping[str, Any], today: date) -> Iterator[Problem]:
    """Every preflight problem of the sections that parsed (snake_case field name -> model value)."""
    for rule in RULES:
        yield from rule(parsed, today)
