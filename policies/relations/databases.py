"""Databases the stack holds: connection pooling on every PostgreSQL server (PERF-5), and Azure Managed Redis
databases that authenticate with Entra ID, with the one access-key exception API Management forces (SEC-1)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import types as T
from ..framework import Config, by_type, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, get, text
from ..framework.stack import Finding, Stack
from .private_link import endpoints_by_target

POSTGRES_SERVERS = (T.POSTGRES_SERVER,)


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


# Resources that take a database's id only to watch it: they never see its keys.
_OBSERVERS = frozenset({T.DIAGNOSTIC_SETTING, T.METRIC_ALERT, T.REDIS_ACCESS_POLICY_ASSIGNMENT})
# `{{name}}`: a named value referenced from a cache connection string or a policy document
# (learn.microsoft.com/azure/api-management/api-management-howto-properties#use-a-named-value).
_NAMED_REFERENCE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def _cluster_of(stack: Stack, database: PolicyResource) -> PolicyResource | None:
    """The database's cluster in this stack: by dependency of clusterName, else by name and group."""
    clusters = stack.of(T.REDIS_ENTERPRISE)
    by_urn = {c.urn: c for c in clusters}
    for urn in depends_on(database, "clusterName"):
        if urn in by_urn:
            return by_urn[urn]
    name, group = text(database.props, "clusterName"), text(database.props, "resourceGroupName")
    return next((c for c in clusters if isinstance(name, str)
                 and (text(c.props, "clusterName"), text(c.props, "resourceGroupName")) == (name, group)), None)


def _named(value: object) -> set[str]:
    return {n.lower() for n in _NAMED_REFERENCE.findall(value)} if isinstance(value, str) else set()


class _KeyFlow:
    """Where the stack's values go: who depends on what, and which named values caches and policies use."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.dependents: dict[str, list[PolicyResource]] = defaultdict(list)
        for r in stack.resources:
            for urn in {d.urn for deps in r.property_dependencies.values() for d in deps}:
                self.dependents[urn].append(r)
        # Named values by (service, name); a cache's `{{name}}` and a policy's are looked up by both.
        self.cache_refs: dict[str, set[str]] = defaultdict(set)
        self.policy_refs: dict[str, set[str]] = defaultdict(set)
        for cache in stack.of(T.APIM_CACHE):
            self.cache_refs[_service(cache)] |= _named(get(cache.props, "connectionString"))
        for policy in stack.of(T.APIM_API_POLICY, T.APIM_API_OPERATION_POLICY, T.APIM_POLICY):
            self.policy_refs[_service(policy)] |= _named(get(policy.props, "value"))

    def problems(self, database: PolicyResource) -> list[str]:
        """Why the database's keys may reach something other than an API Management external cache
        through a Key Vault-backed secret named value; empty when they reach only that."""
        consumers = [r for r in self.dependents.get(database.urn, []) if r.resource_type not in _OBSERVERS]
        if not consumers:
            return ["nothing in the stack uses its keys, so they need not exist"]
        found: list[str] = []
        for consumer in consumers:
            if consumer.resource_type == T.APIM_CACHE:
                found.append(f"API Management cache '{consumer.name}' holds its key in a plain connection string; "
                             "keep the key in Key Vault and reference a Key Vault-backed secret named value")
            elif consumer.resource_type != T.KEY_VAULT_SECRET:
                found.append(f"its keys may reach '{consumer.name}' ({consumer.resource_type}), which is not an API "
                             "Management external cache")
            else:
                found += self._secret_problems(consumer)
        return found

    def _secret_problems(self, secret: PolicyResource) -> list[str]:
        readers = self.dependents.get(secret.urn, [])
        if not readers:
            return [f"Key Vault secret '{secret.name}' holds its key but no API Management cache reads it"]
        found: list[str] = []
        for reader in readers:
            if reader.resource_type != T.APIM_NAMED_VALUE:
                found.append(f"Key Vault secret '{secret.name}' with its key is read by '{reader.name}' "
                             f"({reader.resource_type}), not by an API Management named value")
                continue
            names = {n for n in (text(reader.props, "namedValueId"), text(reader.props, "displayName"))
                     if isinstance(n, str)}
            service = _service(reader)
            if get(reader.props, "secret") not in (True, UNKNOWN):
                found.append(f"named value '{reader.name}' shows the key in plain text (secret is not true)")
            if names & self.policy_refs.get(service, set()):
                found.append(f"named value '{reader.name}' with the key is used in a policy document, where it can "
                             "reach a request or a response")
            if not names & self.cache_refs.get(service, set()):
                found.append(f"named value '{reader.name}' with the key is used by no API Management external cache "
                             "(apimanagement:Cache connectionString '{{" + (min(names) if names else "name") + "}}')")
        return found


def _service(r: PolicyResource) -> str:
    """The API Management service a child belongs to: its dependency's URN, else its name."""
    urns = depends_on(r, "serviceName")
    if urns:
        return min(urns)
    name = text(r.props, "serviceName")
    return f"name:{name}" if isinstance(name, str) else "unknown"


def _redis_access_keys(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    flow: _KeyFlow | None = None
    reached: set[str] | None = None
    for database in stack.of(T.REDIS_DATABASE):
        setting = text(database.props, "accessKeysAuthentication")
        if setting is UNKNOWN or setting == "disabled":
            continue
        shown = "absent (the default depends on the API version)" if setting is None else f"'{setting}'"
        flow = flow or _KeyFlow(stack)
        reached = reached if reached is not None else set(endpoints_by_target(stack)[0])
        why = flow.problems(database)
        cluster = _cluster_of(stack, database)
        if cluster is None:
            why.append("its cluster is not in this stack, so its network exposure cannot be checked")
        else:
            if text(cluster.props, "publicNetworkAccess") not in ("disabled", UNKNOWN):
                why.append(f"its cluster '{cluster.name}' is open to public networks")
            if cluster.urn not in reached:
                why.append(f"its cluster '{cluster.name}' has no private endpoint")
        if why:
            yield (f"Redis database '{database.name}' has accessKeysAuthentication {shown}; set it to 'Disabled' and "
                   "grant identities access-policy assignments (Entra ID). Keys are accepted only for an API "
                   "Management external cache (API Management cannot use Entra ID with Redis), which this is not: "
                   + "; ".join(why), database.urn)


redis_enterprise_access_keys_disabled = stack_policy(
    name="redis-enterprise-access-keys-disabled",
    description="Azure Managed Redis databases authenticate with Entra ID, not access keys; the one exception is a "
                "database whose keys reach only an API Management external cache through Key Vault, on a private "
                "cluster.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `access_keys_authentication='Disabled'` on the database and add an AccessPolicyAssignment for "
                "each consumer identity. API Management's external (semantic) cache is the only consumer allowed a "
                "key, because API Management connects to Redis only with a connection string "
                "(learn.microsoft.com/azure/api-management/api-management-howto-cache-external): give that database "
                "no other consumer, write its key to a keyvault.Secret read only by a secret apimanagement.NamedValue "
                "(key_vault=...) that an apimanagement.Cache references as '{{name}}', and keep the cluster private "
                "(public_network_access='Disabled' and a private endpoint), as components/ai_gateway.py does.",
    check=_redis_access_keys,
)


POLICIES: list[Policy] = [
    postgres_connection_pooling, redis_enterprise_access_keys_disabled,
]
