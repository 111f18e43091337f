"""Names for Azure resources whose name is a global DNS label (OpenAI subdomain, Managed Redis host).

Azure hands these names out first come, first served across every tenant, and keeps a deleted
OpenAI account's subdomain reserved while it is soft-deleted. A name must therefore be stable for
a stack (a rerun never renames, so never replaces, a stateful resource), differ between stacks
that share a base name (`prod` and `prod-eu` with one prefix), and differ between organisations
that deploy this same code with the default prefix: the hash covers the stack, the region and
the Entra tenant.
"""

from __future__ import annotations

import hashlib
import re

import pulumi

# Lowercase letters, digits and single hyphens, starting and ending with a letter or digit: the
# intersection of the Cognitive Services subdomain and Redis Enterprise cluster name rules.
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
_HASH_LENGTH = 6


class NamingError(pulumi.RunError):
    """A name part that cannot make a valid Azure DNS label."""


def check_parts(component: str, **parts: str) -> None:
    """Refuse parts that cannot make a DNS label; components call it before declaring anything."""
    for field, value in parts.items():
        if not _DNS_LABEL.match(value):
            raise NamingError(f"{component}: {field} '{value}' cannot be part of an Azure DNS name; use lowercase "
                              "letters, digits and single hyphens, starting and ending with a letter or digit")


def unique_name(kind: str, *, base_name: str, location: str, stack: str, tenant_id: str, max_length: int) -> str:
    """`<kind>-<base_name>-<location>-<hash>`, the readable part cut so the whole fits `max_length`."""
    check_parts(kind, kind=kind, base_name=base_name, location=location)
    digest = hashlib.sha256(f"{tenant_id}|{stack}|{base_name}|{location}|{kind}".encode()).hexdigest()
    readable = f"{kind}-{base_name}-{location}"[: max_length - _HASH_LENGTH - 1].rstrip("-")
    return f"{readable}-{digest[:_HASH_LENGTH]}"


def unique_name_output(kind: str, *, base_name: str, location: str, stack: str, tenant_id: pulumi.Input[str],
                       max_length: int) -> pulumi.Output[str]:
    """`unique_name` once the tenant id (an invoke result) is known."""
    check_parts(kind, kind=kind, base_name=base_name, location=location)
    return pulumi.Output.from_input(tenant_id).apply(lambda tenant: unique_name(
        kind, base_name=base_name, location=location, stack=stack, tenant_id=tenant, max_length=max_length))


def role_slug(role: str) -> str:
    """A subnet role as it appears in resource names: `privateEndpoints` -> `private-endpoints`."""
    return re.sub(r"(?<!^)([A-Z])", r"-\1", role).lower()
