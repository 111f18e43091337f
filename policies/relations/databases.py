"""Databases the stack holds (PERF-5): connection pooling on every PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, Severity, StackValidationArgs

from ..azure import types as T
from ..framework import Config, by_type, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, text
from ..framework.stack import Finding

POSTGRES_SERVERS = (T.POSTGRES_SERVER,)


T.POSTGRES_CONFIGURATION = T.POSTGRES_CONFIGURATION


def _postgres_pooling(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    servers = by_type(args.resources, *POSTGRES_SERVERS)
    if not servers:
        return
    pooled: set[str] = set()
    for cfg in by_type(args.resources, T.POSTGRES_CONFIGURATION):
        name, value = text(cfg.props, "configurationName"), text(cfg.props, "value")
        if name is UNKNOWN or value is UNKNOWN:
            pooled.update(depends_on(cfg, "serverName"))  # cannot tell in preview: no false report
        elif name == "pgbouncer.enabled" and str(value).lower() == "true":
            pooled.update(depends_on(cfg, "serverName"))
    for server in servers:
        if server.urn not in pooled:
            yield (f"PostgreSQL server '{server.name}' has no built-in connection pooling "
                   "(configuration pgbouncer.enabled = true)", server.urn)


postgres_connection_pooling = stack_policy(
    name="postgres-connection-pooling",
    description="Every PostgreSQL flexible server has built-in connection pooling (PgBouncer) enabled.",
    checklist=["PERF-5"],
    severity=Severity.MEDIUM,
    remediation="Declare dbforpostgresql:Configuration(configuration_name='pgbouncer.enabled', value='true', "
                "source='user-override', server_name=<server>.name) and connect through port 6432.",
    check=_postgres_pooling,
)


POLICIES: list[Policy] = [
    postgres_connection_pooling,
]
