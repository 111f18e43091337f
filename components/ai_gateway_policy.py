"""The AI gateway's API policy: `apim/openai-api-policy.xml` rendered with config values, and the offline
checks every rendering passes (well-formed XML, only known policy elements, the order the GenAI gateway
policies need).

Element names and attributes: learn.microsoft.com/azure/api-management/api-management-policies (policy
reference), validate-azure-ad-token-policy, authentication-managed-identity-policy,
azure-openai-token-limit-policy, azure-openai-emit-token-metric-policy, azure-openai-semantic-cache-lookup-policy,
azure-openai-semantic-cache-store-policy, emit-metric-policy, retry-policy, set-backend-service-policy.
"""

from __future__ import annotations

import string
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from stack_config.model import GatewayConsumer, GatewayRetry, SemanticCache

TEMPLATE = Path(__file__).with_name("apim") / "openai-api-policy.xml"
METRIC_NAMESPACE = "ai-gateway"
# What azure-openai-emit-token-metric writes (Total Tokens, Prompt Tokens, Completion Tokens) in that namespace.
TOTAL_TOKENS_METRIC = "Total Tokens"
# Custom metrics the policy emits beside the token metrics (Total/Prompt/Completion Tokens): a lookup counts
# every request that reached the cache, a miss every one the cache did not answer, so hits = lookups - misses.
CACHE_LOOKUPS_METRIC = "Semantic Cache Lookups"
CACHE_MISSES_METRIC = "Semantic Cache Misses"
REMAINING_TOKENS_HEADER = "x-ratelimit-remaining-tokens"

# Every element the policy may contain; an unknown name would be refused by API Management at deploy time.
KNOWN_ELEMENTS = frozenset({
    "policies", "inbound", "backend", "outbound", "on-error", "base",
    "validate-azure-ad-token", "client-application-ids", "application-id", "audiences", "audience",
    "set-variable", "authentication-managed-identity", "choose", "when", "otherwise", "return-response",
    "set-status", "azure-openai-token-limit", "azure-openai-emit-token-metric", "dimension", "emit-metric",
    "azure-openai-semantic-cache-lookup", "vary-by", "azure-openai-semantic-cache-store", "set-backend-service",
    "retry", "forward-request",
})
# The AI statements of each section, in the order they must run: the caller is known before anything else,
# a cache hit returns before the token limit counts it, the limit applies before the backend is chosen.
ORDER: Mapping[str, tuple[str, ...]] = {
    "inbound": ("validate-azure-ad-token", "authentication-managed-identity", "azure-openai-semantic-cache-lookup",
                "azure-openai-token-limit", "azure-openai-emit-token-metric", "set-backend-service"),
    "backend": ("retry", "forward-request"),
    "outbound": ("azure-openai-semantic-cache-store",),
}
# Statements without which the gateway is not the control the checklist counts (REL-4, PERF-6, SEC-1).
REQUIRED = ("validate-azure-ad-token", "authentication-managed-identity", "azure-openai-token-limit",
            "azure-openai-emit-token-metric", "set-backend-service", "retry")


class PolicyError(ValueError):
    """A rendered policy API Management would refuse, or one that lost a control."""


@dataclass(frozen=True)
class PolicyInputs:
    tenant_id: str
    # Consumer (service name) -> client id of its managed identity.
    client_ids: Mapping[str, str]
    consumers: Sequence[GatewayConsumer]
    region: str
    pool_backend_id: str
    retry: GatewayRetry
    cache: SemanticCache
    embeddings_backend_id: str


def _consumer_cases(inputs: PolicyInputs) -> str:
    # C# string literals: client ids are GUIDs and service names are [a-z0-9-], so neither needs escaping.
    return "\n".join(f'            case "{inputs.client_ids[c.service]}": return "{c.service}";'
                     for c in inputs.consumers)


def _token_limit(consumer: GatewayConsumer) -> str:
    quota = (f" token-quota={quoteattr(str(consumer.token_quota))}"
             f" token-quota-period={quoteattr(consumer.token_quota_period)}" if consumer.token_quota else "")
    return (f"""      <when condition='@((string)context.Variables["consumer"] == "{consumer.service}")'>\n"""
            f"        <azure-openai-token-limit counter-key={quoteattr(consumer.service)}"
            f" tokens-per-minute={quoteattr(str(consumer.tokens_per_minute))}{quota}"
            f' estimate-prompt-tokens="true" remaining-tokens-header-name="{REMAINING_TOKENS_HEADER}" />\n'
            "      </when>")


def _emit(metric: str) -> str:
    return (f'    <emit-metric name="{metric}" namespace="{METRIC_NAMESPACE}" value="1">\n'
            """      <dimension name="Consumer" value='@((string)context.Variables["consumer"])' />\n"""
            "    </emit-metric>")


def _cache_lookup(inputs: PolicyInputs) -> str:
    if not inputs.cache.enabled:
        return ""
    # vary-by consumer: one service never receives an answer cached for another's prompt.
    return "\n".join((
        _emit(CACHE_LOOKUPS_METRIC),
        f"    <azure-openai-semantic-cache-lookup score-threshold={quoteattr(f'{inputs.cache.score_threshold:g}')}"
        f" embeddings-backend-id={quoteattr(inputs.embeddings_backend_id)} embeddings-backend-auth=\"system-assigned\""
        ' ignore-system-messages="true">',
        """      <vary-by>@((string)context.Variables["consumer"])</vary-by>""",
        "    </azure-openai-semantic-cache-lookup>",
        _emit(CACHE_MISSES_METRIC),
    ))


def render(inputs: PolicyInputs) -> str:
    """The policy document for `inputs`, checked by `check` before it is returned."""
    missing = [c.service for c in inputs.consumers if c.service not in inputs.client_ids]
    if missing:
        raise PolicyError(f"no identity for consumer(s) {', '.join(missing)}; every aiGateway.consumers[].service "
                          "needs a workload identity")
    ids = sorted({inputs.client_ids[c.service] for c in inputs.consumers})
    values = {
        "tenant_id": escape(inputs.tenant_id),
        "client_application_ids": "\n".join(f"        <application-id>{escape(i)}</application-id>" for i in ids),
        "consumer_cases": _consumer_cases(inputs),
        "cache_lookup": _cache_lookup(inputs),
        "token_limits": "\n".join(_token_limit(c) for c in inputs.consumers),
        "metric_namespace": METRIC_NAMESPACE,
        "region": escape(inputs.region),
        "pool_backend_id": escape(inputs.pool_backend_id),
        "retry_count": str(inputs.retry.count),
        "retry_interval": str(inputs.retry.interval_seconds),
        "cache_store": (f'    <azure-openai-semantic-cache-store duration="{inputs.cache.duration_seconds}" />'
                        if inputs.cache.enabled else ""),
    }
    document = string.Template(TEMPLATE.read_text()).substitute(values)
    check(document)
    return document


def _walk(element: ElementTree.Element) -> list[str]:
    return [element.tag, *(tag for child in element for tag in _walk(child))]


def check(document: str) -> None:
    """Refuse a policy that is not well-formed, names an unknown element, misses a required control or runs
    the AI statements out of order."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as exc:
        raise PolicyError(f"the policy is not well-formed XML: {exc}") from None
    if root.tag != "policies":
        raise PolicyError(f"the policy's root is <{root.tag}>; API Management expects <policies>")
    tags = _walk(root)
    unknown = sorted({t for t in tags if t not in KNOWN_ELEMENTS})
    if unknown:
        raise PolicyError(f"unknown policy element(s) {', '.join(unknown)}; see the API Management policy reference")
    absent = [t for t in REQUIRED if t not in tags]
    if absent:
        raise PolicyError(f"the policy lost {', '.join(absent)}; the gateway must authenticate callers and itself, "
                          "limit and meter tokens, use the pool and retry")
    sections = {child.tag: child for child in root}
    for section, order in ORDER.items():
        node = sections.get(section)
        seen = [t for t in (_walk(node) if node is not None else []) if t in order]
        positions = [order.index(t) for t in seen]
        if positions != sorted(positions):
            raise PolicyError(f"<{section}> runs {' -> '.join(seen)}; the order must be {' -> '.join(order)}")
    for section in ("inbound", "outbound"):
        if section in sections and (not len(sections[section]) or sections[section][0].tag != "base"):
            raise PolicyError(f"<{section}> must start with <base /> so global policies still apply")
