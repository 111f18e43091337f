"""Read `ai-platform:*` config, validate all of it, and report every problem at once."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, cast

import pulumi
from pydantic import BaseModel, TypeAdapter, ValidationError

from . import secrets, stackfile
from . import validate as rules
from .model import StackConfig

PROJECT = "ai-platform"
# Namespaces of the providers and engine this project configures; anything else close to ours is a typo.
OTHER_NAMESPACES = frozenset({"pulumi", "azure-native"})


class ConfigError(pulumi.RunError):
    """Raised before any resource is declared; RunError makes Pulumi print it without a traceback."""

    def __init__(self, stack: str, problems: list[tuple[str, str]]) -> None:
        self.problems = sorted(set(problems))
        # A path that names its own namespace (a mistyped one) is shown as written.
        lines = [f"  {path if ':' in path.split('.', 1)[0] else f'{PROJECT}:{path}'}: {message}"
                 for path, message in self.problems]
        super().__init__(
            f"stack '{stack}' has {len(self.problems)} configuration problem(s); nothing was deployed:\n"
            + "\n".join(lines)
        )


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
        yield stackfile.dotted(loc), msg


def _choices(err: Any) -> str:
    expected = [c.strip().strip("'") for c in str(err["ctx"]["expected"]).replace(" or ", ", ").split(",")]
    if len(expected) <= 8:
        return f"use one of {', '.join(expected)}"
    close = difflib.get_close_matches(str(err["input"]), expected, n=3, cutoff=0.3)
    return f"use one of the {len(expected)} supported values, e.g. {', '.join(close or expected[:3])}"


class _NotJson(ValueError):
    pass


def _no_constant(token: str) -> Any:
    raise _NotJson(f"{token} is not a config value; write a finite number")


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON text and scalars as plain text."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value, parse_constant=_no_constant)
    except _NotJson:
        raise
    except (ValueError, RecursionError):
        return value


def _namespace_problem(full_key: str, namespace: str, key: str) -> tuple[str, str] | None:
    """A key in a namespace that is almost ours is a typo that would silently drop its setting."""
    if namespace == PROJECT or namespace in OTHER_NAMESPACES or not key:
        return None
    if namespace.lower() == PROJECT or difflib.SequenceMatcher(None, namespace.lower(), PROJECT).ratio() >= 0.75:
        return (full_key, f"'{namespace}' is not a config namespace this project reads; did you mean "
                          f"'{PROJECT}:{key}'?")
    return None


def parse(
    raw: Mapping[str, Any],
    secret_keys: set[str],
    stack: str,
    today: date | None = None,
    stack_file: Mapping[str, Any] | None = None,
) -> StackConfig:
    """Validate `ai-platform:*` config values; raise ConfigError listing every problem.

    `stack_file` is the stack file's `config:` mapping as written (with `secure:` leaves), when the
    program can see it: it tells which leaves were encrypted, so a plain value next to an encrypted
    one, or a secret in a field that is not secret, is found per leaf rather than per key.
    """
    today = today or date.today()
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    present: set[str] = set()
    for full_key, value in raw.items():
        namespace, _, key = full_key.partition(":")
        if (typo := _namespace_problem(full_key, namespace, key)) is not None:
            problems.append(typo)
        if namespace != PROJECT:
            continue
        present.add(key)
        try:
            values[key] = _decode(value)
        except _NotJson as exc:
            problems.append((key, str(exc)))
            continue
        written = stack_file.get(full_key, secrets.UNSEEN) if stack_file is not None else secrets.UNSEEN
        problems.extend(secrets.placement_problems(key, values[key], full_key in secret_keys, written))

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
            # The field's own constraints (AfterValidator, Field(...)) live in its metadata.
            annotated = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
            parsed[name] = TypeAdapter(cast(Any, annotated)).validate_python(values[key])
        except ValidationError as exc:
            problems.extend(_messages(exc, (key,)))
    for alias, (_, field) in fields.items():
        if field.is_required() and alias not in present:
            problems.append((alias, f"is required but missing; add `{PROJECT}:{alias}` to Pulumi.{stack}.yaml"))

    problems.extend(_semantic(parsed, today, stack))
    ours = {k.partition(":")[2] for k in secret_keys if k.startswith(f"{PROJECT}:")}
    written = {k.partition(":")[2]: v for k, v in (stack_file or {}).items() if k.startswith(f"{PROJECT}:")}
    hidden = secrets.suspects(values, ours, written)
    if not problems:
        try:
            return StackConfig(**parsed)
        except ValidationError as exc:
            problems.extend(_messages(exc, ()))
    raise ConfigError(stack, [(path, secrets.scrub(message, hidden)) for path, message in problems])


def _semantic(p: dict[str, Any], today: date, stack: str) -> Iterator[tuple[str, str]]:
    env = p.get("environment")
    if env is not None:
        yield from rules.check_stack_name(stack, env)
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
    yield from rules.check_lists(p)
    if "secrets" in p:
        yield from rules.check_secrets(p["secrets"])
    if "container_apps" in p:
        yield from rules.check_workloads(p["container_apps"], bool(events and events.enabled))
    if "backup" in p:
        yield from rules.check_backup(p["backup"])
    if "slo" in p:
        yield from rules.check_slo(p["slo"], env)
        yield from rules.check_slo_fits(p)
    apps, gateway = p.get("container_apps"), p.get("app_gateway")
    services = [s.name for s in apps.services] if apps is not None else None
    if p.get("frontend") is not None:
        yield from rules.check_frontend(p["frontend"], p.get("allowed_locations"), env, gateway)
    if p.get("ai_services") is not None:
        yield from rules.check_ai_services(p["ai_services"], services)
    if p.get("search") is not None:
        yield from rules.check_search(p["search"], env, services)
    yield from rules.check_preflight(p, today)
    yield from rules.check_ai_gateway(p)
    tm = p.get("traffic_manager")
    if env == "prod" and tm is not None and not tm.enabled:
        yield ("trafficManager.enabled", "prod routes between regions through Traffic Manager (REL-1); "
               "set enabled: true")


def _stack_file(stack: str) -> Mapping[str, Any] | None:
    """The stack file's `config:` as written, when the program runs where the CLI keeps it.

    The CLI runs programs from the project directory, and stack files sit beside Pulumi.yaml unless
    the project's `stackConfigDir` moves them. Config from elsewhere (`--config-file`, Pulumi ESC)
    leaves no file to read, and key-level secret marking is all there is.
    """
    root = Path.cwd()
    try:
        project = stackfile.read(root / "Pulumi.yaml") if (root / "Pulumi.yaml").is_file() else {}
        folder = root / str(project.get("stackConfigDir") or ".")
        path = folder / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            return None
        return stackfile.qualified(stackfile.config_section(stackfile.read(path), path.name),
                                   str(project.get("name") or PROJECT))
    except stackfile.StackFileError as exc:
        raise ConfigError(stack, [("(stack file)", str(exc))]) from None


def from_pulumi() -> StackConfig:
    """Load the running stack's config from the Pulumi runtime (real engine or mocks alike)."""
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = set(runtime_config.get_config_secret_keys_env())
    secret |= {k for k in raw if runtime_config.is_config_secret(k)}
    stack = pulumi.get_stack()
    return parse(raw, secret, stack, stack_file=_stack_file(stack))
