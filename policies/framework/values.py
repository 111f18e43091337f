"""How checks read and show values: TLS and rule-set versions, ARM id names, a setting as a message
shows it, and the public-access checks many services share.

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
from collections.abc import Iterable
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ..framework import Config
from ..framework.inputs import UNKNOWN, Unknown, get


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


def closed(props: Any, *path: str) -> Iterable[str]:
    """The public network access setting at `path` is Disabled (absent: Enabled, Azure's default)."""
    value = get(props, *path)
    if value is not UNKNOWN and str(value).strip().lower() != "disabled":
        yield (f"{'.'.join(path)} is {show(value, 'Enabled')}; set it to 'Disabled' and reach the service through "
               "its private endpoint")


def deny_by_default(props: Any, *path: str) -> Iterable[str]:
    """The firewall's default action at `path` is Deny (absent: Allow, Azure's default)."""
    value = get(props, *path)
    if value is not UNKNOWN and str(value).strip().lower() != "deny":
        yield f"{'.'.join(path)} is {show(value, 'Allow')}; set it to 'Deny'"


def public_access_disabled(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    yield from closed(args.props, "publicNetworkAccess")


def properties_closed(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    """Cognitive Services and Key Vault: public access off and the firewall denying by default."""
    yield from closed(args.props, "properties", "publicNetworkAccess")
    yield from deny_by_default(args.props, "properties", "networkAcls", "defaultAction")


HEALTH_PATH = {"type": "string", "default": "/health", "description": "the services' health endpoint path"}
