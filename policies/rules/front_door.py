"""Azure Front Door Standard/Premium: its WAF policies (frontdoor:Policy, Microsoft.Network
FrontDoorWebApplicationFirewallPolicies 2025-11-01) and its profile's children (cdn:AFDCustomDomain,
cdn:Route, cdn:AFDOrigin, Microsoft.Cdn 2025-06-01), the pinned SDK's versions. Whether every public
name has a WAF attached is a relation: relations/frontend.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, VIOLATES, Row, equals, is_not, one_of, present, value_policy
from ..framework.inputs import UNKNOWN, get, items, text
from ..framework.values import show, version_of

PREMIUM = "premium_azurefrontdoor"
DEFAULT_RULE_SET = "microsoft_defaultruleset"
BOT_MANAGER = "microsoft_botmanagerruleset"
# DRS 2.x scores anomalies and blocks on the total; 2.1 adds the Microsoft Threat Intelligence
# rules. https://learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-drs
MIN_DRS = (2, 1)


def _managed_rule_sets(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = text(args.props, "sku", "name")
    sets = items(args.props, "managedRules", "managedRuleSets")
    if sku is UNKNOWN or sets is UNKNOWN or UNKNOWN in sets:
        return
    if sku != PREMIUM:
        # Standard takes custom rules only (https://learn.microsoft.com/azure/frontdoor/standard-premium/
        # tier-comparison): a Standard policy cannot list managed rules, so the tier is the finding.
        if config["requirePremium"]:
            yield (f"sku.name is {show(get(args.props, 'sku', 'name'), 'Classic_AzureFrontDoor')}: only "
                   "'Premium_AzureFrontDoor' runs Microsoft's managed rule sets; this environment requires them")
        return
    kinds = [text(s, "ruleSetType") for s in sets]
    if UNKNOWN in kinds:
        return
    by_type = dict(zip(kinds, sets, strict=True))
    drs = by_type.get(DEFAULT_RULE_SET)
    if drs is None:
        yield "managedRules has no Microsoft_DefaultRuleSet: only custom rules inspect requests; add DRS 2.1"
    else:
        version = get(drs, "ruleSetVersion")
        if version is not UNKNOWN and version_of(version) < MIN_DRS:
            yield f"Microsoft_DefaultRuleSet is version {show(version)}; use 2.1 or later (anomaly scoring)"
        action = text(drs, "ruleSetAction")
        if action is not UNKNOWN and action != "block":
            yield (f"Microsoft_DefaultRuleSet ruleSetAction is {show(get(drs, 'ruleSetAction'))}; set 'Block' so a "
                   "request over the anomaly threshold is refused")
    if BOT_MANAGER not in by_type:
        yield "managedRules has no Microsoft_BotManagerRuleSet: known bad bots reach the origins; add Bot Manager 1.1"


def _https_only(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    forwarding = text(args.props, "forwardingProtocol")
    if forwarding is not UNKNOWN and forwarding != "httpsonly":
        shown = show(get(args.props, "forwardingProtocol"), "MatchRequest")
        yield f"forwardingProtocol is {shown}: requests can reach the origin over plain HTTP; set 'HttpsOnly'"
    protocols = items(args.props, "supportedProtocols")
    redirect = text(args.props, "httpsRedirect")
    if protocols is UNKNOWN or redirect is UNKNOWN:
        return
    # A route that does not accept HTTP (supportedProtocols without 'Http') has nothing to redirect;
    # absent, a route accepts both.
    accepts_http = not protocols or any(str(p).lower() == "http" for p in protocols)
    if accepts_http and redirect != "enabled":
        shown = show(get(args.props, "httpsRedirect"), "Disabled")
        yield f"httpsRedirect is {shown} while the route accepts HTTP: set 'Enabled' so clients move to HTTPS"


front_door_waf_prevention = value_policy(
    name="front-door-waf-prevention",
    description="Front Door WAF policies are enabled and in Prevention mode (Detection only logs attacks).",
    checklist=["SEC-6"],
    severity=Severity.CRITICAL,
    remediation="Set `policy_settings=PolicySettingsArgs(enabled_state='Enabled', mode='Prevention')` "
                "(https://learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-policy-settings).",
    types=[T.FRONT_DOOR_WAF_POLICY],
    rows=[
        # SDK (REST 2025-11-01): "Defaults to Enabled if not specified".
        Row(("policySettings", "enabledState"), equals("Enabled"), absent=COMPLIES, default="Enabled",
            message="{path} is {shown}: requests bypass the WAF"),
        # The REST spec states no default mode; Detection only logs, so the mode must be explicit.
        Row(("policySettings", "mode"), equals("Prevention"), absent=VIOLATES,
            message="{path} is {shown}: the WAF only logs matching requests; set 'Prevention'"),
    ],
)


front_door_waf_managed_rule_set = resource_policy(
    name="front-door-waf-managed-rule-set",
    description="Front Door Premium WAF policies run Microsoft's Default Rule Set 2.1+ in Block mode and the Bot "
                "Manager rule set; where the environment requires it (prod), the policy is Premium.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Use `sku=SkuArgs(name='Premium_AzureFrontDoor')` (profile and policy alike) and "
                "`managed_rules=ManagedRuleSetListArgs(managed_rule_sets=[ManagedRuleSetArgs(rule_set_type="
                "'Microsoft_DefaultRuleSet', rule_set_version='2.1', rule_set_action='Block'), ManagedRuleSetArgs("
                "rule_set_type='Microsoft_BotManagerRuleSet', rule_set_version='1.1')])` "
                "(https://learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-drs). Standard "
                "takes custom rules only; `requirePremium` is true in prod.",
    types=[T.FRONT_DOOR_WAF_POLICY],
    check=_managed_rule_sets,
    config={"requirePremium": {"type": "boolean", "default": False,
                               "description": "require the Premium tier (managed rule sets) on every WAF policy"}},
)


front_door_tls = value_policy(
    name="front-door-tls",
    description="Front Door custom domains negotiate TLS 1.2 or later with a named certificate source.",
    checklist=["COMP-4"],
    severity=Severity.MEDIUM,
    remediation="Set `tls_settings=AFDDomainHttpsParametersArgs(certificate_type='ManagedCertificate', "
                "minimum_tls_version='TLS12')` (https://learn.microsoft.com/azure/frontdoor/standard-premium/"
                "tls-policy: TLS 1.0/1.1 minimums are refused since March 2025).",
    types=[T.AFD_CUSTOM_DOMAIN],
    rows=[
        # Microsoft.Cdn 2025-06-01 AfdMinimumTlsVersion: TLS10, TLS12, TLS13; Front Door's default is TLS 1.2.
        Row(("tlsSettings", "minimumTlsVersion"), one_of("TLS12", "TLS13"), absent=COMPLIES, default="TLS12",
            message="{path} is {shown}; set 'TLS12' or 'TLS13'"),
        Row(("tlsSettings", "certificateType"), present(), absent=VIOLATES,
            message="{path} is absent: the domain names no certificate; use 'ManagedCertificate' (or "
                    "'CustomerCertificate' from Key Vault)"),
    ],
)


front_door_https_only = resource_policy(
    name="front-door-https-only",
    description="Front Door routes redirect HTTP to HTTPS and reach their origins over HTTPS only.",
    checklist=["COMP-4", "SEC-6"],
    severity=Severity.MEDIUM,
    remediation="Set `https_redirect='Enabled'` and `forwarding_protocol='HttpsOnly'` on the cdn:Route (the SDK "
                "defaults are 'Disabled' and 'MatchRequest').",
    types=[T.AFD_ROUTE],
    check=_https_only,
)


front_door_origin_certificate_check = value_policy(
    name="front-door-origin-certificate-check",
    description="Front Door origins check the origin's TLS certificate against the host name.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Keep `enforce_certificate_name_check=True` (the default) and set `origin_host_header` to the name "
                "the origin's certificate is issued for.",
    types=[T.AFD_ORIGIN],
    rows=[
        Row(("enforceCertificateNameCheck",), is_not(False), absent=COMPLIES, default="true",
            message="{path} is false: Front Door accepts any certificate from the origin, so a spoofed origin "
                    "receives the traffic"),
    ],
)


POLICIES: list[Policy] = [
    front_door_waf_prevention, front_door_waf_managed_rule_set, front_door_tls, front_door_https_only,
    front_door_origin_certificate_check,
]
