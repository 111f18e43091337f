"""Ordinary mistakes in stack config: each is exit 2 with its path and the fix, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.stack_config.config_cases import parse, problems

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(values: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        node: Any = values
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return mutate


def _add_region(location: str) -> Mutation:
    def mutate(values: dict[str, Any]) -> None:
        values["allowedLocations"].append(location)
        values["network"]["regions"][1]["location"] = location
    return mutate


REFUSED = [
    pytest.param(_set("namePrefix", "AIP"), "namePrefix", "lowercase", id="name-prefix-uppercase"),
    pytest.param(_set("namePrefix", "ai_p"), "namePrefix", "lowercase", id="name-prefix-underscore"),
    pytest.param(_set("namePrefix", "aïp"), "namePrefix", "lowercase", id="name-prefix-unicode"),
    pytest.param(_set("namePrefix", "a" * 40), "namePrefix", "2-32", id="name-prefix-too-long"),
    pytest.param(_set("openai.deployments[0].name", "Chat"), "openai.deployments[0].name", "lowercase",
                 id="deployment-name-shape"),
    pytest.param(_set("budget.amount", 1e400), "budget", "finite", id="infinity-in-config-json"),
    pytest.param(_set("budget.amount", "1e400"), "budget.amount", "finite", id="amount-text-overflows-to-infinity"),
    pytest.param(_set("budget.amount", "NaN"), "budget.amount", "finite", id="amount-nan-as-text"),
    pytest.param(_set("containerApps.services[0].cpu", "two"), "containerApps.services[0].cpu", "'two'",
                 id="number-that-is-not-a-number"),
    pytest.param(_set("protect", "maybe"), "protect", "'maybe'", id="boolean-that-is-not-a-boolean"),
    pytest.param(_set("network", [1, 2]), "network", "dictionary", id="section-not-a-mapping"),
    pytest.param(_set("allowedLocations", ["eastus2", "westus3", "eastus2"]), "allowedLocations[2]",
                 "already allowedLocations[0]", id="duplicate-allowed-location"),
    pytest.param(_set("governance.defenderPlans", ["AI", "KeyVaults", "AI"]), "governance.defenderPlans[2]",
                 "already defenderPlans[0]", id="duplicate-defender-plan"),
    pytest.param(_set("monitoring.availabilityLocations", ["us-va-ash-azr", "us-va-ash-azr"]),
                 "monitoring.availabilityLocations[1]", "list it once", id="duplicate-availability-location"),
    pytest.param(_set("monitoring.alertEmails", ["oncall@contoso.com", "OnCall@Contoso.com"]),
                 "monitoring.alertEmails[1]", "already alertEmails[0]", id="duplicate-email-any-case"),
    pytest.param(_set("budget.contactEmails", ["a@contoso.com", "a@contoso.com"]), "budget.contactEmails[1]",
                 "list it once", id="duplicate-budget-contact"),
    pytest.param(_set("openai.deployments[1].name", "chat"), "openai.deployments[1].name",
                 "already deployments[0]", id="duplicate-deployment"),
    pytest.param(_set("containerApps.services[1].name", "api-gateway"), "containerApps.services[1].name",
                 "already services[0]", id="duplicate-service"),
    pytest.param(_set("containerApps.services[1].name", "gateway"), "containerApps.services[1].name",
                 "platform's own gateway identity", id="service-named-like-platform-identity"),
    pytest.param(_set("containerApps.services[1].name", "apigateway"), "containerApps.services[1].name",
                 "same Redis access policy assignment", id="service-names-collide-without-hyphens"),
    pytest.param(_set("containerApps.services[1].name", "func-tions"), "containerApps.services[1].name",
                 "and 'functions' name the same Redis access policy assignment",
                 id="service-collides-with-the-functions-identity"),
    pytest.param(_set("secrets", {"bad_name": "x"}), "secrets.bad_name", "Key Vault secret name",
                 id="secret-name-invalid-for-key-vault"),
    pytest.param(_set("secrets", {"-lead": "x"}), "secrets.-lead", "Container Apps secret name",
                 id="secret-name-valid-for-key-vault-only"),
    pytest.param(_set("secrets", {"Api-Key": "x", "api-key": "y"}), "secrets.api-key", "case-insensitive",
                 id="secret-names-differ-in-case-only"),
    pytest.param(_set("secrets", {"ApplicationInsights-Connection-String": "x"}),
                 "secrets.ApplicationInsights-Connection-String", "platform's own", id="secret-name-reserved"),
    pytest.param(_set("monitoring.alertEmails", ["on..call@contoso.com"]), "monitoring.alertEmails[0]",
                 "e-mail", id="email-doubled-dot"),
    pytest.param(_set("budget.contactEmails", ["finance@-contoso.com"]), "budget.contactEmails[0]", "e-mail",
                 id="email-domain-label-starts-with-hyphen"),
    pytest.param(_set("budget.contactEmails", ["x" * 65 + "@contoso.com"]), "budget.contactEmails[0]", "e-mail",
                 id="email-local-part-too-long"),
    pytest.param(_set("budget.amount", 2e9), "budget.amount", "less than or equal", id="absurd-budget-amount"),
    pytest.param(_set("budget.amount", 0), "budget.amount", "greater than 0", id="zero-budget"),
    pytest.param(_set("backup.retentionDays", 3), "backup.retentionDays", "7 days", id="backup-retention-floor"),
    pytest.param(_set("monitoring.privateLink", False), "monitoring.privateLink", "set privateLink: true",
                 id="prod-monitoring-without-private-link"),
    pytest.param(_set("monitoring.privateLink", "sometimes"), "monitoring.privateLink", "boolean",
                 id="private-link-switch-not-a-boolean"),
    pytest.param(_add_region("northcentralus"), "containerApps.zoneRedundant", "no availability zones",
                 id="zone-redundant-apps-in-region-without-zones"),
    pytest.param(_set("environment", "dev"), "environment", "named for prod", id="prod-stack-declares-dev"),
]


@pytest.mark.parametrize(("mutate", "path", "fragment"), REFUSED)
def test_refused_with_path_and_fix(prod: dict[str, Any], mutate: Mutation, path: str, fragment: str) -> None:
    mutate(prod)
    found = problems(prod, secret={"secrets"} if "secrets" in prod else set())
    assert path in found, found
    assert fragment in found[path]


def test_zone_redundant_backup_and_event_hubs_need_a_zonal_primary(prod: dict[str, Any]) -> None:
    prod["allowedLocations"].append("northcentralus")
    prod["network"]["regions"][0]["location"] = "northcentralus"
    prod["containerApps"]["zoneRedundant"] = False
    prod["backup"]["redundancy"] = "ZoneRedundant"
    found = problems(prod)
    assert "northcentralus has no availability zones" in found["backup.redundancy"]
    assert "no availability zones" in found["eventProcessing.eventHubZoneRedundant"]


def test_every_problem_at_once(prod: dict[str, Any]) -> None:
    prod["namePrefix"] = "AIP"
    prod["backup"]["retentionDays"] = 3
    prod["governance"]["defenderPlans"] = ["AI", "AI"]
    assert {"namePrefix", "backup.retentionDays", "governance.defenderPlans[1]"} <= set(problems(prod))


ACCEPTED = [
    pytest.param(_set("budget.amount", "2000"), lambda c: c.budget.amount == 2000.0, id="number-as-text"),
    pytest.param(_set("protect", "true"), lambda c: c.protect is True, id="boolean-as-text"),
    pytest.param(_set("containerApps.services[0].cpu", "2.0"), lambda c: c.container_apps.services[0].cpu == 2.0,
                 id="float-as-text"),
    pytest.param(_set("containerApps.services[0].minReplicas", "3"),
                 lambda c: c.container_apps.services[0].min_replicas == 3, id="int-as-text"),
    pytest.param(_set("openai.deployments[1].version", 1), lambda c: c.openai.deployments[1].version == "1",
                 id="version-as-number"),
    pytest.param(_set("openai.deployments[0].version", "2024-11-20"),
                 lambda c: c.openai.deployments[0].version == "2024-11-20", id="version-as-unquoted-date"),
]


@pytest.mark.parametrize(("mutate", "check"), ACCEPTED)
def test_values_as_pulumi_config_set_stores_them(prod: dict[str, Any], mutate: Mutation,
                                                 check: Callable[[Any], bool]) -> None:
    mutate(prod)
    assert check(parse(prod))


@pytest.mark.parametrize(("stack", "environment"), [
    pytest.param("dev-alice", "dev", id="personal-dev-stack"),
    pytest.param("feature-x", "prod", id="name-says-no-environment"),
    pytest.param("prod-eu", "prod", id="regional-prod-stack"),
])
def test_stack_names_that_agree(prod: dict[str, Any], stack: str, environment: str) -> None:
    prod["environment"] = environment
    assert parse(prod, stack=stack).environment == environment


@pytest.mark.parametrize("stack", ["dev", "development", "dev-eu"])
def test_stack_named_for_another_environment(prod: dict[str, Any], stack: str) -> None:
    assert "but declares environment 'prod'" in problems(prod, stack=stack)["environment"]


def test_namespace_typo_gets_did_you_mean(prod: dict[str, Any]) -> None:
    prod["ai-platfrom:governance"] = {"defenderPlans": []}
    found = problems(prod)
    assert "did you mean 'ai-platform:governance'?" in found["ai-platfrom:governance"]


@pytest.mark.parametrize("key", ["azure-native:location", "pulumi:tags", "azure-native:subscriptionId",
                                 "github:owner"])
def test_other_namespaces_pass(prod: dict[str, Any], key: str) -> None:
    prod[key] = "x"
    assert parse(prod).environment == "prod"
