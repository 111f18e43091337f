"""Typed, validated stack configuration (see model.py for every key)."""

from .load import PROJECT, ConfigError, from_pulumi, parse
from .model import StackConfig

__all__ = ["PROJECT", "ConfigError", "StackConfig", "from_pulumi", "parse"]
