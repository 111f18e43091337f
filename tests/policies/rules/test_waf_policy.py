"""Specification of policies/rules/waf_policy.py (`waf-policy-not-weakened`): what each policy accepts
and what it reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

import pulumi_azure_native.network as network

from policies.rules.waf_policy import waf_policy_not_weakened
from tests.policies import secure_inputs as s
from tests.policies.support import table_tests

DRS = network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1")

BOTS = network.ManagedRuleSetArgs(rule_set_type="Microsoft_BotManagerRuleSet", rule_set_version="1.1")


def waf(*rule_sets: network.ManagedRuleSetArgs, exclusions: list[network.OwaspCrsExclusionEntryArgs] | None = None,
        ) -> s.Program:
    return s.waf_policy(managed_rules=network.ManagedRulesDefinitionArgs(
        managed_rule_sets=list(rule_sets), exclusions=exclusions))


def overridden(state: str | None, action: str | None = None) -> network.ManagedRuleSetArgs:
    return network.ManagedRuleSetArgs(
        rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1",
        rule_group_overrides=[network.ManagedRuleGroupOverrideArgs(
            rule_group_name="SQLI", rules=[network.ManagedRuleOverrideArgs(rule_id="942430", state=state,
                                                                          action=action)])])


def exclusion(operator: str, selector: str, scoped: bool = False) -> network.OwaspCrsExclusionEntryArgs:
    return network.OwaspCrsExclusionEntryArgs(
        match_variable="RequestArgNames", selector_match_operator=operator, selector=selector,
        exclusion_managed_rule_sets=[network.ExclusionManagedRuleSetArgs(
            rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1",
            rule_groups=[network.ExclusionManagedRuleGroupArgs(rule_group_name="SQLI")])] if scoped else None)


# (policy, compliant program[, config])
PASSING = [
    (waf_policy_not_weakened, s.waf_policy()),
    (waf_policy_not_weakened, waf(overridden("Enabled", "Block"), BOTS)),
    (waf_policy_not_weakened, waf(DRS, BOTS, exclusions=[exclusion("Equals", "prompt", scoped=True)])),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (waf_policy_not_weakened, waf(overridden("Disabled"), BOTS), "rule 942430 of SQLI"),
    (waf_policy_not_weakened, waf(overridden(None, "Log"), BOTS), "only logged"),
    (waf_policy_not_weakened, waf(DRS), "no Microsoft_BotManagerRuleSet"),
    (waf_policy_not_weakened, waf(DRS, BOTS, exclusions=[exclusion("EqualsAny", "")]), "exempts every"),
    (waf_policy_not_weakened, waf(DRS, BOTS, exclusions=[exclusion("StartsWith", "x")]), "every rule"),
    (waf_policy_not_weakened, waf(network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet",
                                                             rule_set_version="2.0"), BOTS),
     "older than the current 2.1"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [waf_policy_not_weakened]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)
