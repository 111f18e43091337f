"""The seed's Bicep estate (tests/fixtures/seed_estate.py) against the whole policy pack.

The project's own stacks pass the pack; the estate it replaces does not. These tests pin which
policies catch the seed, with the pack's default config and with each stack's config, and print
the table the README shows (`pytest tests/test_seed_estate.py -k table -s`).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from dryrun.policy_driver import Pack, Violation, parse_config_file
from policies.azure import types as T
from tests.fixtures.seed_estate import declare_seed
from tests.harness import Declared, declare

ROOT = Path(__file__).resolve().parent.parent
CONFIGS: dict[str, Path | None] = {
    "default": None,
    "dev": ROOT / "policies" / "config" / "dev.json",
    "prod": ROOT / "policies" / "config" / "prod.json",
}
STACK = "stack"  # where a stack policy's finding about the deployment as a whole lands

# The seed's Bicep resources (type, logical name = the Bicep symbol), plus what it only references
# but a policy must see: its OpenAI account and the Container Apps environment.
SEED_RESOURCES = {
    (T.EVENT_HUB_NAMESPACE, "eventHub"),
    (T.SERVICE_BUS, "serviceBus"),
    (T.WEB_APP, "functionApp"),
    (T.USER_ASSIGNED_IDENTITY, "chatServiceIdentity"),
    (T.ROLE_ASSIGNMENT, "openAIUserRole"),
    (T.KEY_VAULT, "keyVault"),
    (T.KEY_VAULT_SECRET, "openAIKeySecret"),
    (T.VNET, "virtualNetwork"),
    (T.PRIVATE_ENDPOINT, "openAIPrivateEndpoint"),
    (T.CONTAINER_APP, "containerApp"),
    (T.CLASSIC_REDIS, "redisCache"),
    (T.APP_GATEWAY, "applicationGateway"),
    (T.BUDGET, "budget"),
    (T.APP_INSIGHTS, "applicationInsights"),
    (T.METRIC_ALERT, "aiMetricAlerts"),
    (T.WEB_TEST, "availabilityTest"),
    (T.TM_PROFILE, "trafficManager"),
    (T.BACKUP_VAULT, "backupVault"),
    (T.BACKUP_POLICY, "backupPolicy"),
    (T.COGNITIVE_ACCOUNT, "openAIAccount"),
    (T.MANAGED_ENVIRONMENT, "containerAppsEnvironment"),
    (T.PUBLIC_IP, "appGatewayPublicIp"),
}

# Every policy with a mandatory finding on the seed, per config (the README table is built from these).
CAUGHT_BY_DEFAULT = {
    "alerts-wired", "app-gateway-autoscale", "app-gateway-https-redirect", "app-gateway-load-balancing",
    "app-gateway-no-inline-waf", "app-gateway-tls-policy", "app-gateway-waf-v2", "app-insights-local-auth-disabled",
    "availability-test-exists", "budget-notifications", "budget-valid", "cognitive-services-custom-subdomain",
    "cognitive-services-local-auth-disabled", "cognitive-services-outbound-restricted",
    "cognitive-services-private-access", "container-app-health-probes", "container-app-ingress-restricted",
    "container-app-no-public-ingress", "custom-metric-alert", "dashboard-exists", "diagnostic-settings-coverage",
    "key-vault-private-access", "key-vault-secret-expiry", "managed-environment-internal", "managed-identity-present",
    "messaging-local-auth-disabled", "messaging-private-access", "messaging-tls", "metric-alert-actionable",
    "nsg-on-every-subnet", "private-endpoint-coverage", "redis-classic-private-access", "redis-classic-retired",
    "required-tags", "service-health-alert", "subnet-no-default-outbound", "subnet-private-endpoint-network-policies",
    "waf-fronts-public-ips",
    "web-app-basic-auth-disabled", "web-app-private-access", "web-app-secure-transport", "web-test-standard-kind",
}
CAUGHT = {
    "default": CAUGHT_BY_DEFAULT,
    # dev.json: classic Premium is outside dev's SKUs; outside dev's regions.
    "dev": CAUGHT_BY_DEFAULT | {"redis-sku-allowed", "allowed-locations"},
    # prod.json: one region, no zones, nothing protected, mutable backups restorable in one region only, outside
    # prod's regions, no token budget, no SLO alerts, telemetry over the Internet (no Azure Monitor private link).
    "prod": CAUGHT_BY_DEFAULT | {"multi-region", "zone-redundancy", "stateful-resources-protected",
                                 "backup-vault-immutability", "backup-vault-cross-region-restore",
                                 "allowed-locations", "token-spend-budget", "slo-alerts-present",
                                 "monitor-private-link"},
}

# Checklist items with a mandatory finding on the seed under prod.json.
FAILING_IN_PROD = {
    "SEC-1", "SEC-2", "SEC-3", "SEC-4", "SEC-6",
    "PERF-1", "PERF-2", "PERF-3", "MON-1", "MON-2", "MON-3", "MON-4", "MON-5",
    "MON-6", "REL-1", "REL-2", "REL-5", "REL-6", "COST-1", "COST-5", "COMP-1", "COMP-2", "COMP-4",
}


@dataclass(frozen=True)
class Finding:
    """A policy that must report a seed resource (a Bicep symbol, or STACK), with a fragment of
    its message when the policy reports several things."""

    policy: str
    resource: str
    says: str = ""
    config: str = "default"


IMPORTANT = [
    Finding("redis-classic-retired", "redisCache", "no longer accepts new caches"),
    Finding("redis-classic-private-access", "redisCache"),
    Finding("app-gateway-no-inline-waf", "applicationGateway", "webApplicationFirewallConfiguration"),
    Finding("app-gateway-waf-v2", "applicationGateway", "no WAF policy"),
    Finding("waf-fronts-public-ips", "appGatewayPublicIp", "no WAF policy"),
    Finding("app-gateway-https-redirect", "applicationGateway", "serves plain HTTP"),
    Finding("web-test-standard-kind", "availabilityTest", "'ping' is retired"),
    Finding("availability-test-exists", STACK),
    Finding("service-health-alert", STACK, "Service Health"),
    Finding("container-app-no-public-ingress", "containerApp", "reachable from the Internet"),
    Finding("managed-environment-internal", "containerAppsEnvironment"),
    Finding("managed-identity-present", "containerApp"),  # chat-service-identity is created, never attached
    Finding("budget-valid", "budget", "2024-12-31 has passed"),
    Finding("budget-notifications", "budget", "Forecasted"),
    Finding("subnet-private-endpoint-network-policies", "virtualNetwork", "ai-services-subnet"),
    Finding("nsg-on-every-subnet", "virtualNetwork", "app-services-subnet"),
    Finding("subnet-no-default-outbound", "virtualNetwork", "defaultOutboundAccess"),
    Finding("cognitive-services-private-access", "openAIAccount", "publicNetworkAccess"),
    Finding("cognitive-services-local-auth-disabled", "openAIAccount"),
    Finding("cognitive-services-outbound-restricted", "openAIAccount", "restrictOutboundNetworkAccess"),
    Finding("private-endpoint-coverage", "openAIPrivateEndpoint", "no private DNS zone group"),
    Finding("container-app-ingress-restricted", "containerApp", "without ipSecurityRestrictions"),
    Finding("web-app-basic-auth-disabled", "functionApp", "FTP and SCM"),
    Finding("key-vault-private-access", "keyVault", "publicNetworkAccess"),
    Finding("key-vault-secret-expiry", "openAIKeySecret", "attributes.expires"),
    Finding("messaging-local-auth-disabled", "eventHub"),
    Finding("messaging-local-auth-disabled", "serviceBus"),
    Finding("diagnostic-settings-coverage", "openAIAccount"),
    Finding("diagnostic-settings-coverage", "keyVault"),
    Finding("diagnostic-settings-coverage", "redisCache"),
    Finding("app-insights-local-auth-disabled", "applicationInsights"),
    Finding("metric-alert-actionable", "aiMetricAlerts", "notifies nobody"),
    Finding("alerts-wired", "openAIAccount", "throttling"),
    Finding("redis-sku-allowed", "redisCache", "Premium", config="dev"),
    Finding("multi-region", STACK, "1 region(s)", config="prod"),
    Finding("zone-redundancy", "backupVault", "LocallyRedundant", config="prod"),
    Finding("stateful-resources-protected", "keyVault", config="prod"),
    Finding("backup-vault-immutability", "backupVault", "immutabilitySettings", config="prod"),
    Finding("monitor-private-link", "applicationInsights", "in no Azure Monitor Private Link Scope", config="prod"),
    Finding("monitor-private-link", "applicationInsights", "publicNetworkAccessForIngestion", config="prod"),
]

# What the seed got right: these policies read settings the seed declares, and stay silent.
SEED_GOT_RIGHT = {
    "key-vault-rbac-authorization", "key-vault-recoverable", "redis-classic-tls", "cache-eviction-policy",
    "traffic-manager-failover", "traffic-manager-health-monitor", "secrets-in-key-vault",
    "role-assignment-not-privileged", "role-assignment-resource-scope", "container-app-autoscale",
    "app-insights-workspace-based", "web-test-coverage", "backup-vault-soft-delete",
}


@dataclass
class Evaluation:
    pack: Pack
    violations: list[Violation]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]


@pytest.fixture(scope="module")
def seed() -> Declared:
    return declare(declare_seed, stack="seed")


@pytest.fixture(scope="module")
def evaluations(seed: Declared) -> dict[str, Evaluation]:
    out = {}
    for name, path in CONFIGS.items():
        pack = Pack(ROOT / "policies")
        pack.configure(parse_config_file(path) if path else None, stack="seed", project="ai-platform")
        out[name] = Evaluation(pack, pack.analyze(seed.resources))
    return out


def _where(v: Violation) -> str:
    return v.urn.rsplit("::", 1)[-1] if v.urn else STACK


def markdown_table(evaluations: dict[str, Evaluation]) -> str:
    """Per policy that catches the seed: its checklist IDs, severity, the seed resources it
    reports, and its level and finding count under each config."""
    pack = evaluations["default"].pack
    where: dict[str, set[str]] = defaultdict(set)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for config, evaluation in evaluations.items():
        for v in evaluation.violations:
            where[v.policy].add(_where(v))
            counts[(v.policy, config)] += 1
    lines = ["| Policy | Checklist | Severity | Seed resources reported | "
             + " | ".join(f"{c} config" for c in evaluations) + " |",
             "|---|---|---|---|" + "---|" * len(evaluations)]
    for policy in sorted(where):
        info = pack.policies[policy]
        cells = [f"{evaluations[c].pack.levels[policy]} ({counts[(policy, c)]})" if counts[(policy, c)] else "-"
                 for c in evaluations]
        names = sorted(where[policy])
        shown = ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more"
        lines.append(f"| `{policy}` | {', '.join(info.checklist)} | {info.severity} | {shown} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_seed_declares_every_bicep_snippet(seed: Declared) -> None:
    assert {(r.type, r.name) for r in seed.resources} == SEED_RESOURCES


def test_seed_settings_are_the_bicep_settings(seed: Declared) -> None:
    cache = seed.inputs(T.CLASSIC_REDIS)
    assert cache["sku"] == {"name": "Premium", "family": "P", "capacity": 1.0}
    assert (cache["enableNonSslPort"], cache["minimumTlsVersion"], cache["shardCount"]) == (False, "1.2", 2.0)
    assert cache["redisConfiguration"] == {"maxmemoryPolicy": "allkeys-lru"} and "publicNetworkAccess" not in cache
    vault = seed.inputs(T.KEY_VAULT)["properties"]
    assert (vault["enableRbacAuthorization"], vault["enablePurgeProtection"], vault["enableSoftDelete"],
            vault["softDeleteRetentionInDays"], vault["sku"]["name"]) == (True, True, True, 90.0, "premium")
    assert "networkAcls" not in vault and vault["publicNetworkAccess"].lower() == "enabled"  # the SDK's default
    gateway = seed.inputs(T.APP_GATEWAY)
    assert gateway["webApplicationFirewallConfiguration"] == {
        "enabled": True, "firewallMode": "Prevention", "ruleSetType": "OWASP", "ruleSetVersion": "3.2"}
    assert "firewallPolicy" not in gateway and gateway["sku"]["capacity"] == 2.0
    subnets = {s["name"]: s for s in seed.inputs(T.VNET)["subnets"]}
    assert subnets["ai-services-subnet"]["privateEndpointNetworkPolicies"] == "Disabled"
    assert subnets["app-services-subnet"]["delegations"][0]["serviceName"] == "Microsoft.Web/serverFarms"
    budget = seed.inputs(T.BUDGET)
    assert budget["timePeriod"] == {"startDate": "2024-01-01", "endDate": "2024-12-31"}
    assert sorted(budget["notifications"]) == ["critical", "warning"]
    test = seed.inputs(T.WEB_TEST)
    assert test["webTestKind"] == "ping" and "request" not in test
    app = seed.inputs(T.CONTAINER_APP)
    ingress = app["configuration"]["ingress"]
    assert (ingress["external"], ingress["targetPort"], ingress["transport"]) == (True, 8000.0, "http")
    assert [r["name"] for r in app["template"]["scale"]["rules"]] == ["http-scaling", "cpu-scaling"]
    settings = seed.inputs(T.WEB_APP)["siteConfig"]["appSettings"]
    assert settings[0] == {"name": "FUNCTIONS_EXTENSION_VERSION", "value": "~4"}
    assert settings[1]["value"] == "@Microsoft.KeyVault(VaultName=kv-ai-seed;SecretName=openai-endpoint)"
    backup = seed.inputs(T.BACKUP_VAULT)["properties"]["storageSettings"]
    assert backup == [{"datastoreType": "VaultStore", "type": "LocallyRedundant"}]
    openai = seed.inputs(T.COGNITIVE_ACCOUNT)
    assert (openai["kind"], openai["sku"]["name"]) == ("OpenAI", "S0") and "properties" not in openai


@pytest.mark.parametrize("config", list(CONFIGS))
def test_exact_policies_that_catch_the_seed(evaluations: dict[str, Evaluation], config: str) -> None:
    assert {v.policy for v in evaluations[config].mandatory} == CAUGHT[config]


@pytest.mark.parametrize("finding", IMPORTANT, ids=[f"{f.policy}@{f.resource}[{f.config}]" for f in IMPORTANT])
def test_important_findings(evaluations: dict[str, Evaluation], finding: Finding) -> None:
    reported = [v for v in evaluations[finding.config].mandatory
                if v.policy == finding.policy and _where(v) == finding.resource]
    assert any(finding.says in v.message for v in reported), [v.message for v in reported]


def test_what_the_seed_got_right_passes(evaluations: dict[str, Evaluation]) -> None:
    for evaluation in evaluations.values():
        assert not SEED_GOT_RIGHT & {v.policy for v in evaluation.violations}
    assert set(evaluations["prod"].pack.policies) >= SEED_GOT_RIGHT


def test_seed_fails_most_of_the_checklist_in_prod(evaluations: dict[str, Evaluation]) -> None:
    prod = evaluations["prod"]
    assert len(prod.mandatory) > 80 and len(evaluations["default"].mandatory) > 60
    assert {c for v in prod.mandatory for c in v.checklist} == FAILING_IN_PROD


def test_the_seed_endpoint_lacks_its_dns_zone_group_whether_the_account_is_open_or_closed(
        seed: Declared, evaluations: dict[str, Evaluation]) -> None:
    """The seed's private endpoint has no private DNS zone group. While the account is public the
    resource policies report the public access and private-endpoint-coverage already reports the
    group; closing the account changes nothing here (the endpoint exists, it only lacks DNS)."""
    found = [v for v in evaluations["default"].violations if v.policy == "private-endpoint-coverage"]
    assert [(_where(v), "no private DNS zone group" in v.message) for v in found] == [
        ("openAIPrivateEndpoint", True)]
    account = seed.one(T.COGNITIVE_ACCOUNT)
    closed = replace(account, inputs={**copy.deepcopy(account.inputs),
                                      "properties": {"publicNetworkAccess": "Disabled"}})
    resources = [closed if r is account else r for r in seed.resources]
    found = [v for v in evaluations["default"].pack.analyze(resources) if v.policy == "private-endpoint-coverage"]
    assert [(_where(v), "no private DNS zone group" in v.message) for v in found] == [
        ("openAIPrivateEndpoint", True)]


def test_table(evaluations: dict[str, Evaluation]) -> None:
    table = markdown_table(evaluations)
    print(f"\n{table}")
    rows = table.splitlines()[2:]
    assert len(rows) == len({v.policy for e in evaluations.values() for v in e.violations})
    assert all(f"`{p}`" in table for p in CAUGHT["prod"] | CAUGHT["dev"])
