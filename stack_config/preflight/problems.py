"""The shape every preflight rule reports in: (YAML field path, reason and fix), as stack_config.validate."""

from __future__ import annotations

Problem = tuple[str, str]
