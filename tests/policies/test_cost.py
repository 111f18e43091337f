"""Cost policies on resources declared with the SDK, and the per-environment right-sizing knobs."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi_azure_native.app as app
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.costmanagement as costmanagement
import pulumi_azure_native.network as network
import pulumi_azure_native.redis as redis
import pulumi_azure_native.redisenterprise as redisenterprise
import pytest
from pulumi_policy import Policy

from dryrun.model import Resource
from policies.rules.app_gateway import app_gateway_max_capacity
from policies.rules.budget import budget_notifications, budget_valid
from policies.rules.cognitive_services import openai_deployment_capacity
from policies.rules.container_apps import container_app_cpu_limit
from policies.rules.redis import redis_sku_allowed
from tests.policies.support import evaluate, file_config, names, sdk_resources

RG = "rg-cost"
CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"


def _env(stack: str, policy: Policy) -> dict:
    """The stack's real config file entry for one policy (the test pack holds only that policy)."""
    entries = json.loads((CONFIG_DIR / f"{stack}.json").read_text())
    return file_config({policy.name: entries[policy.name]})


def _notification(threshold: float, kind: str, emails: list[str] | None = None,
                  groups: list[str] | None = None) -> consumption.NotificationArgs:
    return consumption.NotificationArgs(enabled=True, operator="GreaterThan", threshold=threshold,
                                        threshold_type=kind, contact_emails=emails or [], contact_groups=groups)


SEED_NOTIFICATIONS = {  # the seed's budget: actual-cost notifications only
    "warning": _notification(80, "Actual", ["finance@contoso.com"]),
    "critical": _notification(95, "Actual", ["cto@contoso.com"]),
}
GOOD_NOTIFICATIONS = {
    **SEED_NOTIFICATIONS,
    "forecast": _notification(100, "Forecasted", groups=["/subscriptions/s/resourceGroups/rg/providers/"
                                                         "Microsoft.Insights/actionGroups/ag"]),
}


def _budget(notifications=None, *, start: str = "2026-11-01", end: str | None = None, grain: str = "Monthly",
            amount: float = 2000) -> list[Resource]:
    return sdk_resources(lambda: consumption.Budget(
        "budget", budget_name="ai-budget", scope=f"/subscriptions/s/resourceGroups/{RG}", amount=amount,
        category="Cost", time_grain=grain, notifications=GOOD_NOTIFICATIONS if notifications is None else notifications,
        time_period=consumption.BudgetTimePeriodArgs(start_date=start, end_date=end)))


def test_budget_notifications() -> None:
    policies = [budget_notifications]
    found = evaluate(policies, _budget(SEED_NOTIFICATIONS))
    assert names(found) == {"budget-notifications"} and "Forecasted" in found[0].message
    no_recipients = {**GOOD_NOTIFICATIONS, "forecast": _notification(100, "Forecasted")}
    found = evaluate(policies, _budget(no_recipients))
    assert {"notification 'forecast' has no contactEmails, contactGroups or contactRoles: nobody receives it",
            "no enabled Forecasted notification with recipients (the budget needs both Actual and Forecasted)"} \
        == {v.message.splitlines()[-1] for v in found}  # after the policy's description
    assert evaluate(policies, _budget()) == []


def test_budget_notifications_on_cost_management_budgets() -> None:
    resources = sdk_resources(lambda: costmanagement.Budget(
        "cm-budget", scope="/subscriptions/s", amount=100, category="Cost", time_grain="Monthly",
        time_period=costmanagement.BudgetTimePeriodArgs(start_date="2026-11-01"),
        notifications={"actual": costmanagement.NotificationArgs(
            enabled=True, operator="GreaterThan", threshold=80, contact_emails=["a@contoso.com"])}))
    assert names(evaluate([budget_notifications], resources)) == {"budget-notifications"}


@pytest.mark.parametrize("kwargs, problem", [
    ({"end": "2024-12-31"}, "has passed"),  # the seed's budget
    ({"start": "2026-11-15"}, "first day of a month"),
    ({"grain": "Annually"}, "timeGrain 'Annually'"),
    ({"amount": 0}, "greater than 0"),
])
def test_budget_valid(kwargs: dict, problem: str) -> None:
    found = evaluate([budget_valid], _budget(**kwargs))
    assert names(found) == {"budget-valid"} and problem in found[0].message


def test_budget_valid_compliant() -> None:
    assert evaluate([budget_valid], _budget()) == []
    assert evaluate([budget_valid], _budget(end="2999-12-31")) == []


def _managed_redis(sku: str) -> list[Resource]:
    return sdk_resources(lambda: redisenterprise.RedisEnterprise(
        "redis", resource_group_name=RG, location="eastus2", sku=redisenterprise.SkuArgs(name=sku),
        minimum_tls_version="1.2", public_network_access="Disabled"))


def _classic_redis(sku: str) -> list[Resource]:
    family = "P" if sku == "Premium" else "C"
    return sdk_resources(lambda: redis.Redis(
        "classic", resource_group_name=RG, sku=redis.SkuArgs(name=sku, family=family, capacity=1)))


def test_redis_sku_allow_lists_per_environment() -> None:
    policies = [redis_sku_allowed]
    dev, prod = _env("dev", policies[0]), _env("prod", policies[0])
    assert names(evaluate(policies, _managed_redis("Balanced_B10"), dev)) == {"redis-sku-allowed"}
    assert evaluate(policies, _managed_redis("Balanced_B0"), dev) == []
    assert evaluate(policies, _managed_redis("Balanced_B10"), prod) == []
    assert names(evaluate(policies, _classic_redis("Premium"), dev)) == {"redis-sku-allowed"}
    assert evaluate(policies, _classic_redis("Standard"), dev) == []
    # Without a config file any SKU passes: users' stacks are not blocked by our sizing choices.
    assert evaluate(policies, _managed_redis("MemoryOptimized_M2000") + _classic_redis("Premium")) == []


def _deployment(capacity: int | None) -> list[Resource]:
    return sdk_resources(lambda: cognitiveservices.Deployment(
        "chat", resource_group_name=RG, account_name="oai", deployment_name="chat",
        sku=cognitiveservices.SkuArgs(name="GlobalStandard", capacity=capacity),
        properties=cognitiveservices.DeploymentPropertiesArgs(
            model=cognitiveservices.DeploymentModelArgs(format="OpenAI", name="gpt-4o", version="2024-11-20"))))


def test_openai_capacity_per_environment() -> None:
    policies = [openai_deployment_capacity]
    assert names(evaluate(policies, _deployment(100), _env("dev", policies[0]))) == {"openai-deployment-capacity"}
    assert evaluate(policies, _deployment(10), _env("dev", policies[0])) == []
    assert evaluate(policies, _deployment(100), _env("prod", policies[0])) == []
    found = evaluate(policies, _deployment(None))
    assert names(found) == {"openai-deployment-capacity"} and "explicit sku.capacity" in found[0].message


def _gateway(max_capacity: int | None, autoscale: bool = True) -> list[Resource]:
    return sdk_resources(lambda: network.ApplicationGateway(
        "agw", resource_group_name=RG,
        sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2", capacity=None if autoscale else 4),
        autoscale_configuration=network.ApplicationGatewayAutoscaleConfigurationArgs(
            min_capacity=0, max_capacity=max_capacity) if autoscale else None))


def test_app_gateway_max_capacity_per_environment() -> None:
    policies = [app_gateway_max_capacity]
    dev = _env("dev", policies[0])
    assert names(evaluate(policies, _gateway(10), dev)) == {"app-gateway-max-capacity"}
    assert names(evaluate(policies, _gateway(None), dev)) == {"app-gateway-max-capacity"}  # unbounded autoscale
    assert names(evaluate(policies, _gateway(None, autoscale=False), dev)) == {"app-gateway-max-capacity"}
    assert evaluate(policies, _gateway(2), dev) == []
    assert evaluate(policies, _gateway(10), _env("prod", policies[0])) == []
    assert evaluate(policies, _gateway(None)) == []


def _container_app(cpu: float) -> list[Resource]:
    return sdk_resources(lambda: app.ContainerApp(
        "chat", resource_group_name=RG, managed_environment_id="/env",
        template=app.TemplateArgs(containers=[app.ContainerArgs(
            name="chat", image="mcr.microsoft.com/k8se/quickstart:latest",
            resources=app.ContainerResourcesArgs(cpu=cpu, memory=f"{cpu * 2}Gi"))])))


def test_container_app_cpu_per_environment() -> None:
    policies = [container_app_cpu_limit]
    assert names(evaluate(policies, _container_app(2.0), _env("dev", policies[0]))) == {"container-app-cpu-limit"}
    assert evaluate(policies, _container_app(0.5), _env("dev", policies[0])) == []
    assert evaluate(policies, _container_app(2.0), _env("prod", policies[0])) == []
    assert evaluate(policies, _container_app(4.0)) == []
