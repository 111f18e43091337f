"""Application Gateways and their WAF policies (network:ApplicationGateway,
WebApplicationFirewallPolicy): WAF, TLS, HTTPS redirect, autoscale, load balancing, probes, capacity.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, get, items, number, text
from ..framework.values import HEALTH_PATH, id_name, is_health_path, show, tls_below, version_of

# App Gateway predefined TLS policies whose minimum is TLS 1.2; the others accept TLS 1.0/1.1
# (https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview).
CURRENT_SSL_POLICIES = frozenset({"appgwsslpolicy20170401s", "appgwsslpolicy20220101", "appgwsslpolicy20220101s"})


# Oldest managed rule set version still counted as current, per rule set type.
MIN_RULE_SET_VERSION = {"owasp": (3, 2), "microsoft_defaultruleset": (2, 0)}


def _app_gateway_waf(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    name, tier = text(args.props, "sku", "name"), text(args.props, "sku", "tier")
    if (name, tier) != ("waf_v2", "waf_v2") and UNKNOWN not in (name, tier):
        yield f"sku is {show(get(args.props, 'sku', 'name'))}/{show(get(args.props, 'sku', 'tier'))}; use WAF_v2"
    if get(args.props, "firewallPolicy", "id") is not None:
        return
    listeners = items(args.props, "httpListeners")
    if listeners is UNKNOWN:
        return
    if not listeners or any(get(listener, "firewallPolicy", "id") is None for listener in listeners):
        yield "no WAF policy is associated (firewallPolicy.id); associate a WebApplicationFirewallPolicy"


def _app_gateway_inline_waf(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if get(args.props, "webApplicationFirewallConfiguration") is not None:
        yield ("webApplicationFirewallConfiguration (inline WAF settings) is retired by Azure in 2027; move the "
               "settings to a WebApplicationFirewallPolicy associated through firewallPolicy")


def _app_gateway_tls(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    policy = get(args.props, "sslPolicy")
    if policy is UNKNOWN:
        return
    if policy is None:
        yield ("no sslPolicy: the default depends on the API version (older ones accept TLS 1.0); set "
               "policyType 'Predefined' with policyName 'AppGwSslPolicy20220101S'")
        return
    kind, name = text(policy, "policyType"), text(policy, "policyName")
    if UNKNOWN in (kind, name):
        return
    minimum = get(policy, "minProtocolVersion")
    if kind in ("custom", "customv2") or (kind is None and minimum is not None):
        if minimum is None or tls_below(minimum):
            yield f"sslPolicy.minProtocolVersion is {show(minimum)}; set it to 'TLSv1_2' or later"
    elif name not in CURRENT_SSL_POLICIES:
        yield (f"sslPolicy.policyName is {show(get(policy, 'policyName'))}; use 'AppGwSslPolicy20220101S' or "
               "'AppGwSslPolicy20220101' (TLS 1.2+)")


def _app_gateway_redirect(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    listeners, rules = items(args.props, "httpListeners"), items(args.props, "requestRoutingRules")
    if listeners is UNKNOWN or rules is UNKNOWN:
        return
    plain = {str(get(listener, "name")).lower() for listener in listeners if text(listener, "protocol") == "http"}
    redirected: set[str] = set()
    for rule in rules:
        listener = id_name(get(rule, "httpListener", "id"))
        if listener is UNKNOWN:
            return
        if isinstance(listener, str) and get(rule, "redirectConfiguration", "id") is not None:
            redirected.add(listener)
    for name in sorted(plain - redirected):
        yield (f"HTTP listener '{name}' serves plain HTTP; route it through a rule with a redirectConfiguration "
               "to the HTTPS listener")


def _waf_prevention(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    settings = get(args.props, "policySettings")
    if settings is UNKNOWN:
        return
    state, mode = text(settings, "state"), text(settings, "mode")
    if state is not UNKNOWN and state != "enabled":
        yield f"policySettings.state is {show(get(settings, 'state'))}; set it to 'Enabled'"
    if mode is not UNKNOWN and mode != "prevention":
        yield (f"policySettings.mode is {show(get(settings, 'mode'))}; set it to 'Prevention' so attacks are "
               "blocked, not logged")
    body = get(settings, "requestBodyCheck")
    if body is not UNKNOWN and body is not True:
        yield "policySettings.requestBodyCheck is not true; inspect request bodies"


def _waf_rule_set(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sets = items(args.props, "managedRules", "managedRuleSets")
    if sets is UNKNOWN or any(s is UNKNOWN for s in sets):
        return
    found = []
    for rule_set in sets:
        kind, version = text(rule_set, "ruleSetType"), get(rule_set, "ruleSetVersion")
        if UNKNOWN in (kind, version):
            return
        floor = MIN_RULE_SET_VERSION.get(str(kind))
        if floor and version_of(version) >= floor:
            return
        found.append(f"{get(rule_set, 'ruleSetType')} {version}")
    yield (f"no current managed rule set ({', '.join(found) or 'none'}); use OWASP 3.2 or "
           "Microsoft_DefaultRuleSet 2.x")


def _app_gateway_autoscale(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    autoscale = get(args.props, "autoscaleConfiguration")
    if autoscale is UNKNOWN:
        return
    if autoscale is None:
        yield "no autoscaleConfiguration: the gateway runs a fixed instance count"
        return
    low, high = number(autoscale, "minCapacity"), number(autoscale, "maxCapacity")
    if low is None or high is None:
        yield "autoscaleConfiguration needs explicit minCapacity and maxCapacity"
    floor = config["minCapacityAtLeast"]
    if isinstance(low, float) and low < floor:
        yield f"autoscaleConfiguration.minCapacity is {low:g}; this environment needs at least {floor:g}"


def _app_gateway_load_balancing(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    pools, probes = items(args.props, "backendAddressPools"), items(args.props, "probes")
    settings = items(args.props, "backendHttpSettingsCollection")
    if pools is not UNKNOWN and not pools:
        yield "no backendAddressPools: the gateway has nothing to balance across"
    if probes is not UNKNOWN and not probes:
        yield "no custom health probes: backends are judged by the default probe on '/'"
    for entry in [] if settings is UNKNOWN else settings:
        if entry is not UNKNOWN and get(entry, "probe", "id") is None:
            yield f"backend settings '{get(entry, 'name')}' use no custom probe; set probe to the health probe"


def _app_gateway_probe_path(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    probes = items(args.props, "probes")
    for probe in [] if probes is UNKNOWN else probes:
        path = get(probe, "path")
        if isinstance(path, str) and not is_health_path(path, config["healthPath"]):
            yield f"probe '{get(probe, 'name')}' requests '{path}', not the health endpoint '{config['healthPath']}'"


# Application Gateway v2 autoscale without maxCapacity may grow to Azure's ceiling.
_APP_GATEWAY_CEILING = 125


def _app_gateway_capacity(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    limit = config["maxCapacity"]
    if not limit:
        return
    autoscale = get(args.props, "autoscaleConfiguration")
    if autoscale is UNKNOWN:
        return
    if autoscale is not None:
        ceiling = number(autoscale, "maxCapacity")
        ceiling = _APP_GATEWAY_CEILING if ceiling is None else ceiling
        what = "autoscaleConfiguration.maxCapacity"
    else:
        ceiling, what = number(args.props, "sku", "capacity"), "sku.capacity"
    if ceiling is not UNKNOWN and ceiling is not None and ceiling > limit:
        yield f"{what} is {ceiling:g}; this environment allows at most {limit} instances"


app_gateway_waf_v2 = resource_policy(
    name="app-gateway-waf-v2",
    description="Application Gateways are WAF_v2 with an associated WAF policy.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Set `sku=ApplicationGatewaySkuArgs(name='WAF_v2', tier='WAF_v2')` and "
                "`firewall_policy=SubResourceArgs(id=<WebApplicationFirewallPolicy id>)`.",
    types=[T.APP_GATEWAY],
    check=_app_gateway_waf,
)


app_gateway_no_inline_waf = resource_policy(
    name="app-gateway-no-inline-waf",
    description="Application Gateways use a WAF policy, not the retired inline WAF configuration.",
    checklist=["SEC-6"],
    severity=Severity.MEDIUM,
    remediation="Remove `web_application_firewall_configuration`; declare a `WebApplicationFirewallPolicy` "
                "(mode Prevention, the same rule set) and associate it with `firewall_policy`.",
    types=[T.APP_GATEWAY],
    check=_app_gateway_inline_waf,
)


app_gateway_tls_policy = resource_policy(
    name="app-gateway-tls-policy",
    description="Application Gateways declare a TLS policy with TLS 1.2 minimum.",
    checklist=["SEC-6", "COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `ssl_policy=ApplicationGatewaySslPolicyArgs(policy_type='Predefined', "
                "policy_name='AppGwSslPolicy20220101S')` (or CustomV2 with min_protocol_version 'TLSv1_2').",
    types=[T.APP_GATEWAY],
    check=_app_gateway_tls,
)


app_gateway_https_redirect = resource_policy(
    name="app-gateway-https-redirect",
    description="Application Gateway HTTP listeners only redirect to HTTPS.",
    checklist=["SEC-6", "COMP-4"],
    severity=Severity.HIGH,
    remediation="For each HTTP listener, add a request routing rule with `redirect_configuration` pointing at a "
                "redirect configuration (redirect_type 'Permanent', target_listener = the HTTPS listener), or remove "
                "the HTTP listener.",
    types=[T.APP_GATEWAY],
    check=_app_gateway_redirect,
)


waf_policy_prevention = resource_policy(
    name="waf-policy-prevention",
    description="WAF policies are enabled, in Prevention mode, and inspect request bodies.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Set `policy_settings=PolicySettingsArgs(state='Enabled', mode='Prevention', "
                "request_body_check=True)`.",
    types=[T.WAF_POLICY],
    check=_waf_prevention,
)


waf_policy_managed_rule_set = resource_policy(
    name="waf-policy-managed-rule-set",
    description="WAF policies use a current managed rule set (OWASP 3.2 or Microsoft_DefaultRuleSet 2.x).",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Add `ManagedRuleSetArgs(rule_set_type='Microsoft_DefaultRuleSet', rule_set_version='2.1')` (or "
                "OWASP 3.2) to `managed_rules.managed_rule_sets`.",
    types=[T.WAF_POLICY],
    check=_waf_rule_set,
)


app_gateway_autoscale = resource_policy(
    name="app-gateway-autoscale",
    description="Application Gateways autoscale between explicit bounds.",
    checklist=["PERF-1"],
    severity=Severity.MEDIUM,
    remediation="Set `autoscale_configuration=ApplicationGatewayAutoscaleConfigurationArgs(min_capacity=..., "
                "max_capacity=...)` (and no fixed sku.capacity), min_capacity >= `minCapacityAtLeast` (prod: 2).",
    types=[T.APP_GATEWAY],
    check=_app_gateway_autoscale,
    config={"minCapacityAtLeast": {"type": "integer", "minimum": 0, "default": 0}},
)


app_gateway_load_balancing = resource_policy(
    name="app-gateway-load-balancing",
    description="Application Gateways balance across backend pools judged by custom health probes.",
    checklist=["PERF-3"],
    severity=Severity.MEDIUM,
    remediation="Declare `backend_address_pools`, a `probes` entry on the health endpoint, and reference it from "
                "every `backend_http_settings_collection` entry (`probe=SubResourceArgs(id=<probe id>)`).",
    types=[T.APP_GATEWAY],
    check=_app_gateway_load_balancing,
)


app_gateway_health_probe_path = resource_policy(
    name="app-gateway-health-probe-path",
    description="Application Gateway health probes request the services' health endpoint.",
    checklist=["REL-6"],
    severity=Severity.MEDIUM,
    remediation="Set each `probes[].path` to '/health' (`healthPath` in the pack config).",
    types=[T.APP_GATEWAY],
    check=_app_gateway_probe_path,
    config={"healthPath": HEALTH_PATH},
)


app_gateway_max_capacity = resource_policy(
    name="app-gateway-max-capacity",
    description="Application Gateway autoscaling is bounded by the environment's maximum instance count.",
    checklist=["COST-2"],
    severity=Severity.LOW,
    remediation="Set `autoscale_configuration.max_capacity` to at most `maxCapacity` (0 = no limit) for this "
                "environment.",
    types=[T.APP_GATEWAY],
    check=_app_gateway_capacity,
    config={"maxCapacity": {"type": "number", "minimum": 0, "default": 0}},
)


POLICIES: list[Policy] = [
    app_gateway_waf_v2, app_gateway_no_inline_waf, app_gateway_tls_policy, app_gateway_https_redirect,
    waf_policy_prevention, waf_policy_managed_rule_set, app_gateway_autoscale, app_gateway_load_balancing,
    app_gateway_health_probe_path, app_gateway_max_capacity,
]
