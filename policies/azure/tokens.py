"""Every spelling of a type token reduced to the one the catalogue (types.py) names.

A stack can name the same Azure resource three ways, and a policy written for one would never see
the others:
  * an explicit API version, `azure-native:keyvault/v20241101:Vault` (any
    `<module>/vYYYYMMDD[preview|privatepreview|beta]:<Type>`; pulumi-azure-native's versioned
    modules, https://www.pulumi.com/registry/packages/azure-native/version-guide/);
  * a module name from azure-native v2 (`insights:Component`, `cache:Redis`, `network:Profile`),
    moved in v3 (https://www.pulumi.com/registry/packages/azure-native/from-v2-to-v3/) — the table
    is `moves.MOVED`;
  * the current token.
`canonical` maps all three to the current token; the policy wrappers (framework/policy.py) apply
it to every resource before any rule runs, so rules and stack lookups only ever see catalogue tokens.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from .moves import MOVED

_VERSIONED: Final = re.compile(r"^azure-native:([A-Za-z0-9]+)/v\d{8}[a-z]*:([A-Za-z0-9_]+)$")


@cache
def canonical(token: str) -> str:
    """The current azure-native token for `token` (unchanged when it already is one, or is not azure-native)."""
    versioned = _VERSIONED.match(token)
    if versioned:
        token = f"azure-native:{versioned.group(1)}:{versioned.group(2)}"
    return MOVED.get(token, token)
