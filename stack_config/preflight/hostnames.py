"""Host names the stack hands to Azure must be DNS names Azure accepts.

appGateway.hostName becomes the listener's host name (and the bootstrap certificate's subject),
trafficManager.hostHeader the probes' Host header. A DNS name has at most 253 characters in labels
of 1-63 letters, digits and inner hyphens, and a top-level label that is not all digits
(RFC 1035 2.3.4, RFC 1123 2.1; Application Gateway listeners, learn.microsoft.com/azure/
application-gateway/multiple-site-overview). A single `hostName` takes no wildcard (those need the
listener's `hostNames` list).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from .problems import Problem

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_LENGTH = 253


def problem(name: str) -> str | None:
    """Why `name` is not a valid DNS host name, or None."""
    if name != name.lower():
        return "has upper-case letters (DNS names are case-insensitive; Azure stores them lower-case)"
    if len(name) > MAX_LENGTH:
        return f"is {len(name)} characters, over DNS's {MAX_LENGTH}"
    labels = name.split(".")
    if len(labels) < 2:
        return "has no domain (use a fully qualified name such as ai.contoso.com)"
    bad = [label for label in labels if not _LABEL.match(label)]
    if bad:
        return (f"has invalid label(s) {', '.join(repr(b) for b in bad)}: each is 1-63 letters, digits and inner "
                "hyphens (no wildcard, no underscore)")
    if labels[-1].isdigit():
        return "ends in an all-numeric label, which makes it an IP address, not a host name"
    return None


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    gateway, tm = p.get("app_gateway"), p.get("traffic_manager")
    for path, value in (("appGateway.hostName", gateway.host_name if gateway else None),
                        ("trafficManager.hostHeader", tm.host_header if tm else None)):
        if value is not None:
            why = problem(value)
            if why:
                yield (path, f"'{value}' {why}")
