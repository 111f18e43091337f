"""The policy pack's contents. Side-effect free: the entry point (`__main__.py`) serves it."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from . import relations, rules

NAME = "ai-platform-production-readiness"
# Mandatory by default: a checklist item either holds or blocks the deployment. The per-environment
# config files relax what dev may skip.
ENFORCEMENT_LEVEL = EnforcementLevel.MANDATORY

POLICIES: list[Policy] = [policy for module in (*rules.MODULES, *relations.MODULES) for policy in module.POLICIES]
