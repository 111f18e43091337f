"""Stack policies: rules only the whole deployment shows (relations between resources)."""

from __future__ import annotations

from pulumi_policy import Policy

POLICIES: list[Policy] = []
