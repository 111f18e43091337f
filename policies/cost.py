"""Cost (COST-*, PERF-6): budgets that alert and stay valid, and right-sizing per environment.

Right-sizing limits are knobs set per environment in policies/config/<env>.json. Their defaults
allow everything, so a stack audited without a config file is not blocked by our sizing choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from .framework import Config, resource_policy
from .inputs import UNKNOWN, entries, get, items, number, text

BUDGETS = ("azure-native:consumption:Budget", "azure-native:costmanagement:Budget")
REDIS_ENTERPRISE = "azure-native:redisenterprise:RedisEnterprise"
CLASSIC_REDIS = "azure-native:redis:Redis"
OPENAI_DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
CONTAINER_APP = "azure-native:app:ContainerApp"

# Application Gateway v2 autoscale without maxCapacity may grow to Azure's ceiling.
_APP_GATEWAY_CEILING = 125


def _today() -> date:
    return date.today()


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _budget_notifications(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    notifications = entries(args.props, "notifications")
    if notifications is UNKNOWN:
        return
    kinds: set[str] = set()
    for key, n in notifications:
        if n is UNKNOWN or get(n, "enabled") is False:
            continue
        if not (get(n, "contactEmails") or get(n, "contactGroups")):
            yield f"notification '{key}' has no contactEmails or contactGroups: nobody receives it"
            continue
        kind = text(n, "thresholdType")
        if kind is UNKNOWN:
            return
        kinds.add(kind or "actual")  # Azure's default threshold type
    for wanted in ("Actual", "Forecasted"):
        if wanted.lower() not in kinds:
            yield f"no enabled {wanted} notification with recipients (the budget needs both Actual and Forecasted)"


def _budget_valid(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    amount = number(args.props, "amount")
    if amount is not UNKNOWN and (amount or 0) <= 0:
        yield "amount must be greater than 0"
    grain = get(args.props, "timeGrain")
    allowed = [str(g).lower() for g in config["allowedTimeGrains"]]
    if grain is not UNKNOWN and str(grain or "").lower() not in allowed:
        yield f"timeGrain '{grain}' is not one of {config['allowedTimeGrains']}"
    start, end = get(args.props, "timePeriod", "startDate"), get(args.props, "timePeriod", "endDate")
    if start is not UNKNOWN and start is not None:
        first = _date(start)
        if first is None or first.day != 1:
            yield f"timePeriod.startDate '{start}' must be the first day of a month (Azure rejects others)"
    if end is not UNKNOWN and end is not None:
        last = _date(end)
        if last is None:
            yield f"timePeriod.endDate '{end}' is not a date"
        elif last < _today():
            yield f"timePeriod.endDate {last} has passed: the budget no longer alerts"


def _allowed(sku: object, allowed: list[str]) -> bool:
    return not allowed or str(sku).lower() in {a.lower() for a in allowed}


def _redis_sku(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    sku = get(args.props, "sku", "name")
    knob = "redisEnterpriseSkus" if args.resource_type == REDIS_ENTERPRISE else "classicRedisSkus"
    allowed = list(config[knob])
    if sku is not UNKNOWN and not _allowed(sku, allowed):
        yield f"SKU '{sku}' is not allowed in this environment (`{knob}`: {', '.join(allowed)})"


def _openai_capacity(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    capacity = number(args.props, "sku", "capacity")
    if capacity is UNKNOWN:
        return
    if capacity is None:
        yield "the deployment has no explicit sku.capacity (thousands of tokens per minute)"
        return
    limit = config["maxCapacity"]
    if limit and capacity > limit:
        yield f"sku.capacity {capacity:g}K TPM exceeds this environment's maximum of {limit}K"


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


def _container_cpu(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    limit = config["maxCpu"]
    containers = items(args.props, "template", "containers")
    if not limit or containers is UNKNOWN:
        return
    for i, container in enumerate(containers):
        cpu = number(container, "resources", "cpu")
        if cpu is not UNKNOWN and cpu is not None and cpu > limit:
            name = get(container, "name") or i
            yield f"container '{name}' requests {cpu:g} vCPU; this environment allows at most {limit}"


budget_notifications = resource_policy(
    name="budget-notifications",
    description="Budgets notify people on actual and on forecasted spend.",
    checklist=["COST-1"],
    severity=Severity.MEDIUM,
    remediation="Add enabled `notifications` with `threshold_type='Actual'` (e.g. 80 and 95%) and "
                "`threshold_type='Forecasted'` (100%), each with `contact_emails` or `contact_groups` "
                "(an action group id).",
    types=BUDGETS,
    check=_budget_notifications,
)

budget_valid = resource_policy(
    name="budget-valid",
    description="Budgets are monthly, have a positive amount, a first-of-month start and no expired end date.",
    checklist=["COST-1"],
    severity=Severity.HIGH,
    remediation="Set `amount` > 0, `time_grain='Monthly'`, `time_period.start_date` to the first of a month "
                "pinned in config, and drop `end_date` (or set one in the future): an expired budget stops "
                "alerting silently.",
    types=BUDGETS,
    check=_budget_valid,
    config={"allowedTimeGrains": {"type": "array", "items": {"type": "string"}, "default": ["Monthly"]}},
)

redis_sku_allowed = resource_policy(
    name="redis-sku-allowed",
    description="Redis caches use a SKU allowed in this environment (right-sizing).",
    checklist=["COST-2"],
    severity=Severity.MEDIUM,
    remediation="Pick a SKU from `redisEnterpriseSkus` (Azure Managed Redis) for this environment in "
                "policies/config/<env>.json (e.g. Balanced_B0..B5 in dev), or from `classicRedisSkus` for classic "
                "caches (dev: no Premium); an empty list allows any SKU.",
    types=[REDIS_ENTERPRISE, CLASSIC_REDIS],
    check=_redis_sku,
    config={
        "redisEnterpriseSkus": {"type": "array", "items": {"type": "string"}, "default": []},
        "classicRedisSkus": {"type": "array", "items": {"type": "string"}, "default": []},
    },
)

openai_deployment_capacity = resource_policy(
    name="openai-deployment-capacity",
    description="Model deployments declare their capacity (TPM), within the environment's maximum.",
    checklist=["COST-2", "PERF-6"],
    severity=Severity.MEDIUM,
    remediation="Set `sku=SkuArgs(name=..., capacity=<thousands of TPM>)` from the stack config, at most "
                "`maxCapacity` (0 = no limit) for this environment.",
    types=[OPENAI_DEPLOYMENT],
    check=_openai_capacity,
    config={"maxCapacity": {"type": "number", "minimum": 0, "default": 0}},
)

app_gateway_max_capacity = resource_policy(
    name="app-gateway-max-capacity",
    description="Application Gateway autoscaling is bounded by the environment's maximum instance count.",
    checklist=["COST-2"],
    severity=Severity.LOW,
    remediation="Set `autoscale_configuration.max_capacity` to at most `maxCapacity` (0 = no limit) for this "
                "environment.",
    types=[APP_GATEWAY],
    check=_app_gateway_capacity,
    config={"maxCapacity": {"type": "number", "minimum": 0, "default": 0}},
)

container_app_cpu_limit = resource_policy(
    name="container-app-cpu-limit",
    description="Container app containers request no more vCPU than the environment allows.",
    checklist=["COST-2"],
    severity=Severity.LOW,
    remediation="Lower `template.containers[].resources.cpu` to at most `maxCpu` (0 = no limit) for this "
                "environment.",
    types=[CONTAINER_APP],
    check=_container_cpu,
    config={"maxCpu": {"type": "number", "minimum": 0, "default": 0}},
)

POLICIES: list[Policy] = [
    budget_notifications, budget_valid, redis_sku_allowed, openai_deployment_capacity, app_gateway_max_capacity,
    container_app_cpu_limit,
]
