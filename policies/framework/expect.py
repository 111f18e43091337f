"""Simple checks as rows: "the value at this path must be X" (Checkov's value-check base class,
PSRule's `field: ..., equals: ...` conditions), evaluated by one engine.

A row names the path, what the value must be, whether an absent value (Azure's default) complies,
and the message. The engine keeps the pack's unknown-value semantics: a value unknown during
preview is never a violation. Checks that need more than one value at a time stay functions.

    value_policy(name="key-vault-rbac-authorization", ..., types=[T.KEY_VAULT], rows=[
        Row(("properties", "enableRbacAuthorization"), equals(True), absent=VIOLATES,
            message="properties.enableRbacAuthorization is not true; authorize ... with Azure RBAC"),
    ])

Message templates may use {path} (dotted), {value} (as declared) and {shown} (the declared value
quoted, or "absent (Azure's default: <default>)").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy, Severity

from .inputs import UNKNOWN, get
from .policy import Config, resource_policy
from .values import show, tls_below

Absent = Literal["complies", "violates"]
COMPLIES: Final[Absent] = "complies"
VIOLATES: Final[Absent] = "violates"


@dataclass(frozen=True)
class Expect:
    """What a present, known value must satisfy; `text` says it in the policy's page."""

    text: str
    test: Callable[[Any], bool]


def _lower(value: Any) -> str:
    return str(value).strip().lower()


def equals(expected: bool | str) -> Expect:
    """Booleans by identity (a string 'true' is not true), strings case-insensitively (Azure's enums)."""
    if isinstance(expected, bool):
        return Expect(f"is {str(expected).lower()}", lambda v: v is expected)
    return Expect(f"is '{expected}'", lambda v: _lower(v) == expected.lower())


def one_of(*expected: str) -> Expect:
    """A string enum among `expected`, case-insensitively."""
    wanted = {e.lower() for e in expected}
    return Expect("is " + " or ".join(f"'{e}'" for e in expected), lambda v: _lower(v) in wanted)


def is_not(unwanted: bool | str) -> Expect:
    if isinstance(unwanted, bool):
        return Expect(f"is not {str(unwanted).lower()}", lambda v: v is not unwanted)
    return Expect(f"is not '{unwanted}'", lambda v: _lower(v) != unwanted.lower())


def tls_at_least(floor: tuple[int, int] = (1, 2)) -> Expect:
    return Expect(f"is TLS {floor[0]}.{floor[1]} or later", lambda v: not tls_below(v, floor))


def present() -> Expect:
    return Expect("is set", lambda v: True)


def nonblank() -> Expect:
    return Expect("is a non-empty value", lambda v: bool(str(v or "").strip()))


def empty() -> Expect:
    def test(v: Any) -> bool:
        return not (isinstance(v, Sequence) and not isinstance(v, str) and len(v) > 0)

    return Expect("is empty", test)


@dataclass(frozen=True)
class Row:
    path: tuple[str, ...]
    expect: Expect
    message: str
    absent: Absent
    default: str = ""  # Azure's default when the property is absent, as messages and pages show it
    types: frozenset[str] | None = None  # the row applies to these types only (None: all of the policy's)

    def problem(self, resource_type: str, props: Any) -> str | None:
        if self.types is not None and resource_type not in self.types:
            return None
        value = get(props, *self.path)
        if value is UNKNOWN:
            return None
        violates = self.absent == VIOLATES if value is None else not self.expect.test(value)
        if not violates:
            return None
        return self.message.format(path=".".join(self.path), value=value, shown=show(value, self.default))


# Public network access values that keep a data plane off the Internet: 'SecuredByPerimeter' admits
# only what the network security perimeter's access rules allow
# (https://learn.microsoft.com/azure/private-link/network-security-perimeter-concepts).
PRIVATE_ACCESS: Final = ("Disabled", "SecuredByPerimeter")


def closed(*path: str) -> Row:
    """The public network access switch at `path` is Disabled or SecuredByPerimeter (absent: Enabled,
    Azure's default)."""
    return Row(path, one_of(*PRIVATE_ACCESS), absent=VIOLATES, default="Enabled",
               message="{path} is {shown}; set it to 'Disabled' and reach the service through its private endpoint")


def deny_by_default(*path: str) -> Row:
    """The firewall's default action at `path` is Deny (absent: Allow, Azure's default)."""
    return Row(path, equals("Deny"), absent=VIOLATES, default="Allow", message="{path} is {shown}; set it to 'Deny'")


# Policy name -> its rows, for the generated pages (docs/policies/).
ROWS: dict[str, tuple[Row, ...]] = {}


def value_policy(
    *,
    name: str,
    description: str,
    checklist: list[str],
    severity: Severity,
    remediation: str,
    types: Iterable[str],
    rows: Iterable[Row],
    config: Mapping[str, dict[str, Any]] | None = None,
    level: EnforcementLevel | None = None,
) -> ResourceValidationPolicy:
    """A resource policy whose check is its rows, each reported in order."""
    table = tuple(rows)
    ROWS[name] = table

    def check(args: ResourceValidationArgs, cfg: Config) -> Iterable[str]:
        for row in table:
            problem = row.problem(args.resource_type, args.props)
            if problem is not None:
                yield problem

    return resource_policy(name=name, description=description, checklist=checklist, severity=severity,
                           remediation=remediation, types=types, check=check, config=config, level=level)
