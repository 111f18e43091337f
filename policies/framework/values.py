"""How checks read and show values: TLS and rule-set versions, ARM id names, a setting as a message
shows it, the health path knob several policies share.

Conventions every check follows:
  * Azure compares enum values case-insensitively (and the SDK itself sends Key Vault's default as
    'enabled'), so values are read lower-cased with `inputs.text`.
  * An absent property means Azure's default; each check says whether that default complies.
    Where the default moved across API versions (TLS floors, App Gateway TLS policy) the setting
    must be explicit: the pack also audits stacks pinned to older API versions.
  * A value unknown during preview (ids of new resources, mostly) is never a violation, and counts
    as set where only presence matters (a gateway's WAF policy id).
"""

from __future__ import annotations

import re
from typing import Any

from .inputs import UNKNOWN, Unknown


def show(value: Any, default: str = "") -> str:
    """A setting as a message shows it: its declared value, or that it is absent (and what Azure uses then)."""
    if value is None:
        return f"absent (Azure's default: {default})" if default else "absent"
    return f"'{value}'"


def version_of(value: Any) -> tuple[int, ...]:
    """'1.2', 'TLS1_2', 'TLSv1_2' -> (1, 2); '3.2' -> (3, 2)."""
    return tuple(int(d) for d in re.findall(r"\d+", str(value))[:2])


def tls_below(value: Any, floor: tuple[int, int] = (1, 2)) -> bool:
    """A known TLS version below the floor (unknown or absent: no; unreadable: yes)."""
    if value is UNKNOWN or value is None:
        return False
    version = version_of(value)
    return not version or version < floor


def id_name(resource_id: Any) -> str | Unknown | None:
    """The last segment of an ARM id, lower-cased."""
    if resource_id is UNKNOWN or resource_id is None:
        return resource_id
    return str(resource_id).rstrip("/").rsplit("/", 1)[-1].lower()


def is_health_path(path: Any, health: str) -> bool:
    """`path` is the health endpoint or one of its probes: '/health', '/health/', '/health/live',
    '/health/ready?full=1' all are, for a configured '/health'."""
    wanted = health.rstrip("/")
    found = str(path).split("?", 1)[0].rstrip("/")
    return found == wanted or found.startswith(wanted + "/")


# The config knob of every policy that checks a health endpoint path.
HEALTH_PATH = {"type": "string", "default": "/health", "description": "the services' health endpoint path"}


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE)


def duration_seconds(value: object) -> int | None:
    """An ISO 8601 duration as ARM writes them ('PT5M', 'P2D', 'PT1H30M') in seconds; None if not one."""
    found = _DURATION.match(str(value).strip())
    if not found or not any(found.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
