"""The records the dry-run passes between its stages: resources as the engine sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Pulumi's wire sentinels (sdk/go/common/resource/sig): a secret is an object carrying SECRET_SIG
# under SIG_KEY; an unknown (computed during preview) is the UNKNOWN string.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    custom: bool = True
    protect: bool = False
    custom_timeouts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape: stable keys, secrets redacted (the engine never prints them either)."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "dependencies": sorted(self.dependencies),
            "propertyDependencies": {k: sorted(v) for k, v in sorted(self.property_dependencies.items())},
            "protect": self.protect,
            "inputs": _sorted(redact(self.inputs)),
        }


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return {SIG_KEY: SECRET_SIG, "value": "[secret]"}
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def reveal(value: Any) -> Any:
    """Strip secret wrappers, for code that only needs to look at shapes (reports, mocks)."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return reveal(value.get("value"))
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value
