"""The AI gateway as a whole (REL-3, REL-4, PERF-6, SEC-1, SEC-5): the policy document on the Azure
OpenAI API, the backend pool, and that workloads reach Azure OpenAI only through the gateway.

An API is "the OpenAI API" when its `serviceUrl` names an Azure OpenAI host or was computed from a
cognitiveservices:Account; its policy (ApiPolicy, and ApiOperationPolicy on its operations) is parsed
as XML, the format API Management stores (learn.microsoft.com/azure/api-management/api-management-howto-policies).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, PolicyResource, Severity, StackValidationArgs

from ..azure import types as T
from ..azure.roles import ROLES
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, Unknown, depends_on, get, items, text
from ..framework.stack import Finding, Stack, ids_at
from ..rules.api_management import inference_backend, openai_url

OPENAI_KINDS = ("openai", "aiservices")
# Roles that let a principal call an Azure OpenAI account's inference API.
INFERENCE_ROLES = frozenset(ROLES[r].lower() for r in ("Cognitive Services OpenAI User", "Cognitive Services User"))
# The audience of Azure OpenAI's Entra tokens (learn.microsoft.com/azure/ai-services/openai/how-to/managed-identity).
COGNITIVE_AUDIENCE = "https://cognitiveservices.azure.com"
ENDPOINT_SETTING = "azure_openai_endpoint"
TOKEN_LIMITS = ("azure-openai-token-limit", "llm-token-limit")
TOKEN_METRICS = ("azure-openai-emit-token-metric", "llm-emit-token-metric")


def _service_of(stack: Stack, r: PolicyResource) -> str | None:
    """The URN of the API Management service a child resource belongs to (by dependency, else by name)."""
    urns = depends_on(r, "serviceName") & {s.urn for s in stack.of(T.API_MANAGEMENT)}
    if urns:
        return min(urns)
    name = text(r.props, "serviceName")
    return f"name:{name}" if isinstance(name, str) else None


def _openai_apis(stack: Stack) -> set[str]:
    accounts = {a.urn for a in stack.of(T.COGNITIVE_ACCOUNT)}
    return {api.urn for api in stack.of(T.APIM_API)
            if depends_on(api, "serviceUrl") & accounts or openai_url(get(api.props, "serviceUrl") or "")}


def _gateway_policies(stack: Stack) -> list[PolicyResource]:
    """The policy documents attached to an OpenAI API (by dependency of apiId, else by API name)."""
    apis = _openai_apis(stack)
    names = {text(api.props, "apiId") for api in stack.of(T.APIM_API) if api.urn in apis}
    return [p for p in stack.of(T.APIM_API_POLICY, T.APIM_API_OPERATION_POLICY)
            if depends_on(p, "apiId") & apis or text(p.props, "apiId") in names - {None}]


def _document(policy: PolicyResource) -> tuple[ET.Element | None, str | None]:
    """The parsed policy, or why it cannot be read (None, None: unknown or not XML to judge)."""
    value, fmt = get(policy.props, "value"), text(policy.props, "format")
    if value is UNKNOWN or fmt is UNKNOWN or not isinstance(value, str):
        return None, None
    if fmt not in (None, "xml", "rawxml"):
        return None, f"format is '{fmt}'; write the policy as XML (format 'xml') so it can be reviewed and checked"
    try:
        return ET.fromstring(value), None
    except ET.ParseError as error:
        return None, f"the policy is not well-formed XML ({error})"


def _each_document(args: StackValidationArgs) -> Iterable[tuple[Stack, PolicyResource, ET.Element | None,
                                                              Finding | None]]:
    stack = Stack(args.resources)
    for policy in _gateway_policies(stack):
        root, problem = _document(policy)
        yield stack, policy, root, (problem, policy.urn) if problem else None


def _attr(element: ET.Element, name: str) -> str:
    return (element.get(name) or "").strip().lower()


def _managed_identity(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    for _, policy, root, problem in _each_document(args):
        if problem:
            yield problem
        if root is None:
            continue
        if not any(_attr(e, "resource").rstrip("/") == COGNITIVE_AUDIENCE
                   for e in root.iter("authentication-managed-identity")):
            yield (f"the policy of '{policy.name}' has no <authentication-managed-identity resource="
                   f"\"{COGNITIVE_AUDIENCE}\">: Azure OpenAI would see a key or the caller's token", policy.urn)
        validators = list(root.iter("validate-azure-ad-token"))
        if not any(v.find("client-application-ids/application-id") is not None for v in validators):
            yield (f"the policy of '{policy.name}' does not validate callers' Entra tokens against a list of client "
                   "application ids (<validate-azure-ad-token> with <client-application-ids>)", policy.urn)
        headers = root.iter("set-header")
        if any(_attr(h, "name") == "api-key" and _attr(h, "exists-action") != "delete" for h in headers):
            yield (f"the policy of '{policy.name}' sets an api-key header: the gateway must call Azure OpenAI with "
                   "its managed identity, not a key", policy.urn)


def _token_limit(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    for _, policy, root, problem in _each_document(args):
        if problem:
            yield problem
        if root is None:
            continue
        limits = [e for tag in TOKEN_LIMITS for e in root.iter(tag)]
        if not any(e.get("tokens-per-minute") or e.get("token-quota") for e in limits):
            yield (f"the policy of '{policy.name}' has no token limit (<azure-openai-token-limit "
                   "tokens-per-minute=...>): one caller can spend every deployment's quota", policy.urn)
        if not any(True for tag in TOKEN_METRICS for _ in root.iter(tag)):
            yield (f"the policy of '{policy.name}' emits no token metric (<azure-openai-emit-token-metric>): token "
                   "usage per caller is invisible", policy.urn)


def _pools(stack: Stack) -> dict[str | None, set[str]]:
    """Per service, the backendIds of its Pool backends ('' when a Pool's id is unknown)."""
    pools: dict[str | None, set[str]] = defaultdict(set)
    for backend in stack.of(T.APIM_BACKEND):
        kind, backend_id = text(backend.props, "type"), text(backend.props, "backendId")
        if kind in ("pool", UNKNOWN):
            pools[_service_of(stack, backend)].add(backend_id if isinstance(backend_id, str) else "")
    return pools


def _retry(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    pools: dict[str | None, set[str]] | None = None
    for stack, policy, root, problem in _each_document(args):
        if problem:
            yield problem
        if root is None or policy.resource_type != T.APIM_API_POLICY:
            continue
        retries = [r for section in root.iter("backend") for r in section.iter("retry")]
        if not any("429" in (r.get("condition") or "") and r.find(".//forward-request") is not None for r in retries):
            yield (f"the policy of '{policy.name}' does not retry throttled requests: its <backend> needs a "
                   "<retry condition=\"...429...\"> around <forward-request>", policy.urn)
        pools = pools if pools is not None else _pools(stack)
        known = pools.get(_service_of(stack, policy), set())
        chosen = [_attr(e, "backend-id") for e in root.iter("set-backend-service") if e.get("backend-id")]
        if "" in known or any(c.startswith("@") or "{{" in c for c in chosen):
            continue
        if not any(c in known for c in chosen):
            yield (f"the policy of '{policy.name}' does not send requests to a Pool backend (<set-backend-service "
                   "backend-id=\"<pool>\">): a retry lands on the same failing account", policy.urn)


def _pool(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    by_service: dict[str | None, list[PolicyResource]] = defaultdict(list)
    for backend in stack.of(T.APIM_BACKEND):
        if inference_backend(backend.props):
            by_service[_service_of(stack, backend)].append(backend)
    pools: dict[str | None, list[PolicyResource]] = defaultdict(list)
    for backend in stack.of(T.APIM_BACKEND):
        if text(backend.props, "type") == "pool":
            pools[_service_of(stack, backend)].append(backend)
    for service, backends in by_service.items():
        if len(backends) < 2:
            continue
        best: set[str] = set()
        for pool in pools.get(service, []):
            members, blind = stack.references(pool, "pool", ids_at(items(pool.props, "pool", "services"), "id"))
            if blind:
                best = {b.urn for b in backends}
                break
            best = max(best, members & {b.urn for b in backends}, key=len)
        for b in sorted((b for b in backends if b.urn not in best), key=lambda b: b.name):
            yield (f"Azure OpenAI backend '{b.name}' is in no Pool backend of its gateway: a throttled or failed "
                   "account does not fail over to the others", b.urn)


def _principal_is_gateway(assignment: PolicyResource, gateways: set[str]) -> bool:
    return bool(depends_on(assignment, "principalId") & gateways)


def _openai_accounts(stack: Stack) -> dict[str, PolicyResource]:
    return {a.urn: a for a in stack.of(T.COGNITIVE_ACCOUNT) if text(a.props, "kind") in OPENAI_KINDS}


def _diagnostics(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    watched: set[str] = set()
    blind = False
    for setting in stack.of(T.DIAGNOSTIC_SETTING):
        targets, unresolved = stack.references(setting, "resourceUri", [get(setting.props, "resourceUri")])
        watched |= targets
        blind = blind or unresolved
    loggers = {}
    for logger in stack.of(T.APIM_LOGGER):
        kind, client = text(logger.props, "loggerType"), get(logger.props, "credentials", "identityClientId")
        loggers[logger.urn] = kind in ("applicationinsights", UNKNOWN) and client is not None
    traced: set[str | None] = set()
    for diagnostic in stack.of(T.APIM_DIAGNOSTIC):
        if text(diagnostic.props, "diagnosticId") not in ("applicationinsights", UNKNOWN):
            continue
        via = depends_on(diagnostic, "loggerId")
        entra = not via or any(loggers.get(u, False) for u in via)
        if get(diagnostic.props, "metrics") in (True, UNKNOWN) and entra:
            traced.add(_service_of(stack, diagnostic))
    for service in stack.of(T.API_MANAGEMENT):
        if service.urn not in watched and not blind:
            yield (f"API Management service '{service.name}' has no diagnostic setting: its gateway logs reach no "
                   "workspace", service.urn)
        name = text(service.props, "serviceName")
        if service.urn not in traced and f"name:{name}" not in traced:
            yield (f"API Management service '{service.name}' sends no request metrics to Application Insights through "
                   "an Entra-authenticated logger (a Logger of type applicationInsights with "
                   "credentials.identityClientId, and the 'applicationinsights' Diagnostic with metrics=true)",
                   service.urn)


def _known(values: list[Any] | Unknown) -> list[Any]:
    """The elements of a list input; an unknown list (preview) has none to judge."""
    return [] if values is UNKNOWN else values


def _direct_endpoints(r: PolicyResource) -> Iterable[str]:
    """Values of AZURE_OPENAI_ENDPOINT settings of a container app or web app that name an OpenAI host."""
    if r.resource_type == T.CONTAINER_APP:
        settings = [e for c in _known(items(r.props, "template", "containers")) for e in _known(items(c, "env"))]
    else:
        settings = _known(items(r.props, "siteConfig", "appSettings"))
    for setting in settings:
        value = get(setting, "value")
        if text(setting, "name") == ENDPOINT_SETTING and isinstance(value, str) and openai_url(value):
            yield value


def _only_through_gateway(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    gateways = {g.urn for g in stack.of(T.API_MANAGEMENT)}
    if not gateways:
        return
    accounts = _openai_accounts(stack)
    for assignment in stack.of(T.ROLE_ASSIGNMENT):
        role = text(assignment.props, "roleDefinitionId")
        if not isinstance(role, str) or role.rsplit("/", 1)[-1] not in INFERENCE_ROLES:
            continue
        targets, _ = stack.references(assignment, "scope", [get(assignment.props, "scope")])
        on = [accounts[u] for u in targets if u in accounts]
        if on and not _principal_is_gateway(assignment, gateways):
            yield (f"role assignment '{assignment.name}' lets a principal other than the AI gateway call Azure OpenAI "
                   f"account '{on[0].name}' directly, bypassing its token limits, retries and circuit breakers",
                   assignment.urn)
    for app in stack.of(T.CONTAINER_APP, T.WEB_APP):
        for endpoint in _direct_endpoints(app):
            yield (f"'{app.name}' is configured with AZURE_OPENAI_ENDPOINT={endpoint}: with a gateway in the stack, "
                   "workloads call the gateway URL, not the account", app.urn)


# The three gateway-policy checks share one fix: the repository's template has every control, in order.
_RENDER_POLICY = ("Render the policy from components/apim/openai-api-policy.xml (components.ai_gateway_policy.render), "
                  "which has every control in the required order.")


gateway_policy_managed_identity = stack_policy(
    name="gateway-policy-managed-identity",
    description="The gateway's OpenAI API admits only listed Entra callers and calls Azure OpenAI with its managed "
                "identity, never a key.",
    checklist=["SEC-1", "SEC-5"],
    severity=Severity.CRITICAL,
    remediation=_RENDER_POLICY,
    check=_managed_identity,
)


gateway_policy_token_limit = stack_policy(
    name="gateway-policy-token-limit",
    description="The gateway's OpenAI API limits tokens per minute per caller and emits token metrics.",
    checklist=["PERF-6", "COST-5"],
    severity=Severity.HIGH,
    remediation=_RENDER_POLICY,
    check=_token_limit,
)


gateway_policy_retry = stack_policy(
    name="gateway-policy-retry",
    description="The gateway's OpenAI API retries throttled requests on a pool of backends.",
    checklist=["REL-4"],
    severity=Severity.HIGH,
    remediation=_RENDER_POLICY,
    check=_retry,
)


openai_backend_pool = stack_policy(
    name="openai-backend-pool",
    description="Where a gateway has two or more Azure OpenAI backends, a Pool backend holds them all.",
    checklist=["REL-3", "REL-1"],
    severity=Severity.MEDIUM,
    remediation="Declare an `apimanagement.Backend(type='Pool', pool=BackendBaseParametersPoolArgs(services=[...]))` "
                "listing every OpenAI backend by priority, and route the API to it.",
    check=_pool,
)


openai_only_through_gateway = stack_policy(
    name="openai-only-through-gateway",
    description="Where the stack has an AI gateway, workloads reach Azure OpenAI only through it.",
    checklist=["REL-3", "REL-4", "SEC-5"],
    severity=Severity.CRITICAL,
    remediation="Pass `consumers={}` to SecureOpenAI when the gateway is enabled and give workloads the gateway URL "
                "(components.ai_gateway.gateway_url).",
    check=_only_through_gateway,
)


apim_diagnostics = stack_policy(
    name="apim-diagnostics",
    description="The API Management gateway logs to the workspace and reports request metrics to Application "
                "Insights with Entra ID, not the instrumentation key.",
    checklist=["MON-6", "MON-1"],
    severity=Severity.MEDIUM,
    remediation="Declare a monitor.DiagnosticSetting on the service (components.diagnostics.diagnostic_setting), an "
                "apimanagement.Logger(logger_type='applicationInsights', credentials={'identityClientId': "
                "'SystemAssigned', ...}) and the 'applicationinsights' apimanagement.Diagnostic with metrics=True.",
    check=_diagnostics,
)


POLICIES: list[Policy] = [
    apim_diagnostics, gateway_policy_managed_identity, gateway_policy_token_limit, gateway_policy_retry,
    openai_backend_pool, openai_only_through_gateway,
]
