"""Regenerate moves.py from the installed pulumi-azure-native SDK: `.venv/bin/python -m policies.azure.refresh_moves`.

Each v3 resource class lists the tokens it was known by as `pulumi.Alias(type_=...)`; an alias
without an API version in another module is a module move (`azure-native:insights:Component` ->
`azure-native:applicationinsights:Component`). An old token claimed by several v3 resources keeps
the one with the same type name; if that still leaves several (or none), it is left out, since no
single rule set can be meant. tests/policies/test_tokens.py fails when moves.py is stale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

import pulumi_azure_native

_OWN = re.compile(r"^\s+'(azure-native:[A-Za-z0-9]+:[A-Za-z0-9_]+)',$", re.MULTILINE)
_ALIAS = re.compile(r'Alias\(type_="(azure-native:([A-Za-z0-9]+):([A-Za-z0-9_]+))"\)')
TARGET = Path(__file__).with_name("moves.py")


def moves() -> dict[str, str]:
    claims: dict[str, set[str]] = defaultdict(set)
    for source in Path(pulumi_azure_native.__file__).parent.rglob("*.py"):
        text = source.read_text()
        own = _OWN.search(text)
        if own is None or "Alias(type_=" not in text:
            continue
        module = own.group(1).split(":")[1]
        for alias, old_module, _ in _ALIAS.findall(text):
            if old_module != module:
                claims[alias].add(own.group(1))
    table: dict[str, str] = {}
    for alias, owners in claims.items():
        if len(owners) > 1:
            owners = {o for o in owners if o.rsplit(":", 1)[1] == alias.rsplit(":", 1)[1]}
        if len(owners) == 1:
            table[alias] = owners.pop()
    return dict(sorted(table.items()))


def _row(old: str, new: str) -> str:
    line = f'    "{old}": "{new}",'
    return line if len(line) <= 120 else f'    "{old}":\n        "{new}",'


def render(table: dict[str, str]) -> str:
    rows = "\n".join(_row(old, new) for old, new in table.items())
    return (
        '"""Type tokens azure-native moved to another module (v1/v2 -> v3), old -> current.\n\n'
        f"Generated from pulumi-azure-native {version('pulumi-azure-native')}'s resource aliases by\n"
        "`python -m policies.azure.refresh_moves` (see that module); do not edit by hand.\n"
        '"""\n\nfrom typing import Final\n\n'
        f"MOVED: Final[dict[str, str]] = {{\n{rows}\n}}\n")


if __name__ == "__main__":
    TARGET.write_text(render(moves()))
