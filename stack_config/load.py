"""Read `ai-platform:*` config, validate all of it, and report every problem at once."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, cast

import pulumi
from pydantic import BaseModel, TypeAdapter, ValidationError

from . import validate as rules
from .model import StackConfig

PROJECT = "ai-platform"
# Config keys whose values must arrive encrypted (`pulumi config set --secret`).
SECRET_KEYS = frozenset({"secrets"})


class ConfigError(pulumi.RunError):
    """Raised before any resource is declared; RunError makes Pulumi print it without a traceback."""

    def __init__(self, stack: str, problems: list[tuple[str, str]]) -> None:
        self.problems = sorted(set(problems))
        lines = [f"  {PROJECT}:{path}: {message}" for path, message in self.problems]
        super().__init__(
            f"stack '{stack}' has {len(self.problems)} configuration problem(s); nothing was deployed:\n"
            + "\n".join(lines)
        )


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The camelCase keys valid at `loc`, for 'did you mean' hints on unknown keys."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return []
        current = field.annotation
        args = getattr(current, "__args__", ())
        if args and not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _messages(exc: ValidationError, prefix: tuple[int | str, ...]) -> Iterator[tuple[str, str]]:
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        kind, msg = err["type"], err["msg"].removeprefix("Value error, ")
        if kind == "missing":
            msg = "is required but missing; add it to the stack's config"
        elif kind == "extra_forbidden":
            known = _known_keys(StackConfig, loc)
            guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"valid keys: {', '.join(known)}"
            msg = f"is not a known key; {hint}"
        elif kind == "literal_error":
            msg = f"{err['input']!r} is not allowed; {_choices(err)}"
        elif kind != "value_error" and not isinstance(err.get("input"), dict | list):
            msg = f"{err.get('input')!r} is invalid: {msg[0].lower()}{msg[1:]}"
        yield _path(loc), msg


def _choices(err: Any) -> str:
    expected = [c.strip().strip("'") for c in str(err["ctx"]["expected"]).replace(" or ", ", ").split(",")]
    if len(expected) <= 8:
        return f"use one of {', '.join(expected)}"
    close = difflib.get_close_matches(str(err["input"]), expected, n=3, cutoff=0.3)
    return f"use one of the {len(expected)} supported values, e.g. {', '.join(close or expected[:3])}"


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON text and scalars as plain text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse(raw: Mapping[str, Any], secret_keys: set[str], stack: str, today: date | None = None) -> StackConfig:
    """Validate `ai-platform:*` config values; raise ConfigError listing every problem."""
    today = today or date.today()
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        namespace, _, key = full_key.partition(":")
        if namespace != PROJECT:
            continue
        if key in SECRET_KEYS and full_key not in secret_keys:
            problems.append((key, "holds a secret in plain text; remove it from the stack file and set it with "
                                  f"`pulumi config set --secret --path '{key}.<name>' <value>`"))
        values[key] = _decode(value)

    fields = {(f.alias or n): (n, f) for n, f in StackConfig.model_fields.items()}
    parsed: dict[str, Any] = {}
    for key in sorted(values):
        if key not in fields:
            guess = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"valid keys: {', '.join(sorted(fields))}"
            problems.append((key, f"is not a known key; {hint}"))
            continue
        name, field = fields[key]
        try:
            parsed[name] = TypeAdapter(cast(Any, field.annotation)).validate_python(values[key])
        except ValidationError as exc:
            problems.extend(_messages(exc, (key,)))
    for alias, (_, field) in fields.items():
        if field.is_required() and alias not in values:
            problems.append((alias, f"is required but missing; add `{PROJECT}:{alias}` to Pulumi.{stack}.yaml"))

    problems.extend(_semantic(parsed, today))
    if problems:
        raise ConfigError(stack, problems)
    return StackConfig(**parsed)


def _semantic(p: dict[str, Any], today: date) -> Iterator[tuple[str, str]]:
    env = p.get("environment")
    events = p.get("event_processing")
    if "network" in p:
        needs_functions = bool(events and events.enabled)
        yield from rules.check_network(p["network"], p.get("allowed_locations"), env, needs_functions)
    if "openai" in p:
        yield from rules.check_openai(p["openai"])
    if "app_gateway" in p:
        yield from rules.check_app_gateway(p["app_gateway"], env)
    if "container_apps" in p:
        yield from rules.check_container_apps(p["container_apps"])
    if "monitoring" in p:
        yield from rules.check_monitoring(p["monitoring"], env)
    if "budget" in p:
        yield from rules.check_budget(p["budget"], today)
    if events is not None:
        yield from rules.check_event_processing(events, env)
    yield from rules.check_preflight(p, today)
    tm = p.get("traffic_manager")
    if env == "prod" and tm is not None and not tm.enabled:
        yield ("trafficManager.enabled", "prod routes between regions through Traffic Manager (REL-1); "
               "set enabled: true")


def from_pulumi() -> StackConfig:
    """Load the running stack's config from the Pulumi runtime (real engine or mocks alike)."""
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = set(runtime_config.get_config_secret_keys_env())
    secret |= {k for k in raw if runtime_config.is_config_secret(k)}
    return parse(raw, secret, pulumi.get_stack())
