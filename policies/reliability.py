"""Reliability policies; see framework.py for how each is built."""

from __future__ import annotations

from pulumi_policy import Policy

POLICIES: list[Policy] = []
