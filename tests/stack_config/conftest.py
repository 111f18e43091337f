"""Fixtures: the real stacks' config values, fresh for each test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.stack_config.config_cases import stack_values


@pytest.fixture
def prod() -> dict[str, Any]:
    return stack_values("prod")


@pytest.fixture
def dev() -> dict[str, Any]:
    return stack_values("dev")
