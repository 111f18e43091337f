"""Front Door policies (policies/rules/front_door.py): components/front_door.py's prod WAF policy,
custom domain, routes and origins pass, each flipped setting fails, with inputs the real SDK produces."""

from __future__ import annotations

import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.frontdoor as frontdoor

from policies.rules.front_door import (
    front_door_https_only,
    front_door_origin_certificate_check,
    front_door_tls,
    front_door_waf_managed_rule_set,
    front_door_waf_prevention,
)
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources, table_tests

# prod.json's setting.
PREMIUM = file_config({"front-door-waf-managed-rule-set": {"requirePremium": True}})
STANDARD_TIER = frontdoor.SkuArgs(name="Standard_AzureFrontDoor")
NO_MANAGED_RULES = frontdoor.ManagedRuleSetListArgs(managed_rule_sets=[])
AREA = [front_door_waf_prevention, front_door_waf_managed_rule_set, front_door_tls, front_door_https_only,
        front_door_origin_certificate_check]

# (policy, secure program[, config]) — each must pass.
PASSING = [
    (front_door_waf_prevention, s.front_door_waf()),
    (front_door_waf_prevention, s.front_door_waf(policy_settings=frontdoor.PolicySettingsArgs(mode="Prevention"))),
    (front_door_waf_managed_rule_set, s.front_door_waf(), PREMIUM),
    (front_door_waf_managed_rule_set, s.front_door_waf(managed_rules=s.managed_rule_sets(drs_version="2.2"))),
    # dev: Standard takes custom rules only.
    (front_door_waf_managed_rule_set, s.front_door_waf(sku=STANDARD_TIER, managed_rules=NO_MANAGED_RULES)),
    (front_door_tls, s.afd_custom_domain()),
    (front_door_tls, s.afd_custom_domain(tls_settings=cdn.AFDDomainHttpsParametersArgs(
        certificate_type="ManagedCertificate"))),  # Front Door's minimum is TLS 1.2 unless lowered
    (front_door_https_only, s.afd_route()),
    (front_door_https_only, s.afd_route(supported_protocols=["Https"], https_redirect="Disabled")),  # no HTTP at all
    (front_door_origin_certificate_check, s.afd_origin()),
    (front_door_origin_certificate_check, s.afd_origin(enforce_certificate_name_check=None)),  # default: checked
]

# (policy, insecure program[, config], a fragment of the message) — each must fail with exactly that policy.
FAILING = [
    (front_door_waf_prevention, s.front_door_waf(policy_settings=frontdoor.PolicySettingsArgs(
        enabled_state="Enabled", mode="Detection")), "policySettings.mode is 'Detection'"),
    (front_door_waf_prevention, s.front_door_waf(policy_settings=frontdoor.PolicySettingsArgs(
        enabled_state="Disabled", mode="Prevention")), "policySettings.enabledState is 'Disabled'"),
    (front_door_waf_prevention, s.front_door_waf(policy_settings=None), "policySettings.mode is absent"),
    (front_door_waf_managed_rule_set, s.front_door_waf(managed_rules=NO_MANAGED_RULES),
     "managedRules has no Microsoft_DefaultRuleSet"),
    (front_door_waf_managed_rule_set, s.front_door_waf(managed_rules=s.managed_rule_sets(drs_version="1.1")),
     "Microsoft_DefaultRuleSet is version '1.1'"),
    (front_door_waf_managed_rule_set, s.front_door_waf(managed_rules=s.managed_rule_sets(drs_action="Log")),
     "Microsoft_DefaultRuleSet ruleSetAction is 'Log'"),
    (front_door_waf_managed_rule_set, s.front_door_waf(managed_rules=s.managed_rule_sets(bots=False)),
     "managedRules has no Microsoft_BotManagerRuleSet"),
    (front_door_waf_managed_rule_set, s.front_door_waf(sku=STANDARD_TIER, managed_rules=NO_MANAGED_RULES), PREMIUM,
     "sku.name is 'Standard_AzureFrontDoor'"),
    (front_door_tls, s.afd_custom_domain(tls_settings=cdn.AFDDomainHttpsParametersArgs(
        certificate_type="ManagedCertificate", minimum_tls_version=cdn.AfdMinimumTlsVersion.TLS10)),
     "tlsSettings.minimumTlsVersion is 'TLS10'"),
    (front_door_tls, s.afd_custom_domain(tls_settings=None), "tlsSettings.certificateType is absent"),
    (front_door_https_only, s.afd_route(forwarding_protocol="MatchRequest"), "forwardingProtocol is 'MatchRequest'"),
    (front_door_https_only, s.afd_route(https_redirect=None), "httpsRedirect is 'Disabled' while the route accepts"),
    (front_door_https_only, s.afd_route(supported_protocols=None, https_redirect="Disabled"),
     "while the route accepts HTTP"),
    (front_door_origin_certificate_check, s.afd_origin(enforce_certificate_name_check=False),
     "enforceCertificateNameCheck is false"),
]



test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_a_rule_set_of_unknown_type_is_not_reported() -> None:
    unknown = frontdoor.ManagedRuleSetListArgs(managed_rule_sets=[
        frontdoor.ManagedRuleSetArgs(rule_set_type=s.unknown(), rule_set_version="2.1")])
    assert evaluate([front_door_waf_managed_rule_set], sdk_resources(s.front_door_waf(managed_rules=unknown))) == []
