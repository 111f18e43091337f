"""WAF policies (network:WebApplicationFirewallPolicy) that are attached but weakened: managed
rules switched off by override, exclusions that exempt everything, no bot protection, a Default
Rule Set older than the current one. Mode, state and body inspection are waf-policy-prevention's,
the presence of a current rule set waf-policy-managed-rule-set's (rules/app_gateway.py).

Sources (checked 2026-12-01): rule sets and their versions,
https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-crs-rulegroups-rules
(DRS 2.1 is the current Default Rule Set; Microsoft_BotManagerRuleSet 1.1 the current bot set);
exclusions, https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-waf-configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, get, items, text
from ..framework.values import version_of

DEFAULT_RULE_SET, BOT_RULE_SET = "microsoft_defaultruleset", "microsoft_botmanagerruleset"
CURRENT_DRS = "2.1"


def _overrides(rule_set: Any) -> Iterable[str]:
    """Rules of a managed rule set switched off (or only logged) by an override."""
    groups = items(rule_set, "ruleGroupOverrides")
    for group in [] if groups is UNKNOWN else groups:
        rules = items(group, "rules")
        for rule in [] if group is UNKNOWN or rules is UNKNOWN else rules:
            state, action = text(rule, "state"), text(rule, "action")
            if rule is not UNKNOWN and (state == "disabled" or action == "log"):
                how = "disabled" if state == "disabled" else "only logged"
                yield (f"rule {get(rule, 'ruleId')} of {get(group, 'ruleGroupName')} ({get(rule_set, 'ruleSetType')}) "
                       f"is {how} by an override; fix the false positive with a narrow exclusion instead")


def _broad_exclusions(props: Any) -> Iterable[str]:
    exclusions = items(props, "managedRules", "exclusions")
    for exclusion in [] if exclusions is UNKNOWN else exclusions:
        if exclusion is UNKNOWN:
            continue
        operator, selector = text(exclusion, "selectorMatchOperator"), text(exclusion, "selector")
        scoped = items(exclusion, "exclusionManagedRuleSets")
        variable = get(exclusion, "matchVariable")
        what = f"{variable} {get(exclusion, 'selectorMatchOperator')} '{get(exclusion, 'selector')}'"
        if operator == "equalsany" or selector == "*":
            yield f"exclusion '{what}' exempts every {variable} from inspection"
        elif scoped is not UNKNOWN and not scoped:
            yield (f"exclusion '{what}' applies to every rule of every rule set; scope it with "
                   "exclusionManagedRuleSets to the rules that misfire")


def _waf_weakened(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sets = items(args.props, "managedRules", "managedRuleSets")
    if sets is UNKNOWN or any(s is UNKNOWN for s in sets):
        return
    kinds = {text(s, "ruleSetType"): get(s, "ruleSetVersion") for s in sets}
    if UNKNOWN in kinds or UNKNOWN in kinds.values():
        return
    for rule_set in sets:
        yield from _overrides(rule_set)
    yield from _broad_exclusions(args.props)
    if BOT_RULE_SET not in kinds:
        yield ("no Microsoft_BotManagerRuleSet: known bad bots and scanners reach the application; add it "
               "(version 1.1)")
    drs = kinds.get(DEFAULT_RULE_SET)
    floor = str(config["minDefaultRuleSetVersion"])
    if drs is not None and version_of(drs) < version_of(floor):
        yield f"Microsoft_DefaultRuleSet {drs} is older than the current {floor}; upgrade the rule set"


waf_policy_not_weakened = resource_policy(
    name="waf-policy-not-weakened",
    description="WAF policies keep their managed rules on: no rule disabled or only logged by override, no "
                "exclusion of everything, the bot manager rule set present, the current Default Rule Set.",
    checklist=["SEC-6"],
    severity=Severity.HIGH,
    remediation="Remove `rule_group_overrides` that disable rules (or set action 'Block'); scope each exclusion "
                "to one selector (`selector_match_operator='Equals'`) and the rules that misfire "
                "(`exclusion_managed_rule_sets`); add `ManagedRuleSetArgs(rule_set_type='Microsoft_BotManagerRuleSet', "
                "rule_set_version='1.1')`; use `Microsoft_DefaultRuleSet` 2.1.",
    types=[T.WAF_POLICY],
    check=_waf_weakened,
    config={"minDefaultRuleSetVersion": {"type": "string", "default": CURRENT_DRS,
                                         "description": "the oldest Microsoft_DefaultRuleSet version accepted"}},
)


POLICIES: list[Policy] = [
    waf_policy_not_weakened,
]
