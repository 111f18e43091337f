"""ContainerApps: an internal, VNet-injected environment; autoscaled, probed services with Key Vault references."""

from __future__ import annotations

from typing import Any

import pytest

from components.common import Common, RoleGrant
from components.container_apps import ContainerApps, ContainerAppsArgs, ContainerAppsError, ServiceIdentity
from policies.azure import types as T
from stack_config.model import ContainerApps as ContainerAppsConfig
from tests.components.common_inputs import SUB, WORKSPACE, resolve
from tests.harness import Declared, declare, stack_config, walk

ENV = T.MANAGED_ENVIRONMENT
APP = T.CONTAINER_APP
ZONE = T.PRIVATE_ZONE
RECORD = T.PRIVATE_RECORD_SET
LINK = T.VNET_LINK
GRANT = T.ROLE_ASSIGNMENT
DIAG = T.DIAGNOSTIC_SETTING
VNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-test"
SUBNET = f"{VNET}/subnets/container-apps"
VAULT_ID = f"{SUB}/Microsoft.KeyVault/vaults/kv-test"
OPENAI = "https://oai-test.openai.azure.com/"
REDIS = "redis-test.eastus2.redis.azure.net"
GATEWAY_PREFIX = "10.100.4.0/24"
SECRETS = {name: f"https://kv-test.vault.azure.net/secrets/{name}"
           for name in ("applicationinsights-connection-string", "Partner-Api-Key")}


def _identity(service: str) -> ServiceIdentity:
    return ServiceIdentity(resource_id=f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-{service}",
                           client_id=f"client-{service}", principal_id=f"principal-{service}")


def _args(stack: str, **overrides: Any) -> ContainerAppsArgs:
    cfg = stack_config(stack)
    values: dict[str, Any] = {
        "common": Common(resource_group_name="rg-test", location=cfg.primary.location, tags=cfg.resource_tags(),
                         workspace_id=WORKSPACE),
        "config": cfg.container_apps,
        "subnet_id": SUBNET,
        "identities": {s.name: _identity(s.name) for s in cfg.container_apps.services},
        "vnet_ids": [VNET],
        "openai_endpoint": OPENAI,
        "redis_host": REDIS,
        "key_vault_secrets": SECRETS,
        "key_vault_id": VAULT_ID,
        "gateway_subnet_prefix": GATEWAY_PREFIX,
        **overrides,
    }
    return ContainerAppsArgs(**values)


def _build(stack: str, **overrides: Any) -> tuple[Declared, ContainerApps]:
    built: list[ContainerApps] = []
    declared = declare(lambda: built.append(ContainerApps("cae-test", _args(stack, **overrides))))
    return declared, built[0]


def _apps(declared: Declared) -> dict[str, dict[str, Any]]:
    return {r.name.removeprefix("cae-test-"): declared.inputs(APP, r.name) for r in declared.of_type(APP)}


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, ContainerApps]:
    return _build("prod")


@pytest.fixture(scope="module")
def dev() -> tuple[Declared, ContainerApps]:
    return _build("dev")


def test_environment_is_internal_and_vnet_injected(prod: tuple[Declared, ContainerApps]) -> None:
    env = prod[0].inputs(ENV)
    assert env["vnetConfiguration"] == {"infrastructureSubnetId": SUBNET, "internal": True}
    assert env["publicNetworkAccess"] == "Disabled"
    (profile,) = env["workloadProfiles"]
    assert (profile["name"], profile["workloadProfileType"]) == ("Consumption", "Consumption")
    assert env["environmentName"] == "cae-test"


def test_logs_go_through_azure_monitor_without_a_shared_key(prod: tuple[Declared, ContainerApps]) -> None:
    declared = prod[0]
    env = declared.inputs(ENV)
    assert env["appLogsConfiguration"] == {"destination": "azure-monitor"}
    assert not [k for v in walk(env) if isinstance(v, dict) for k in v if "sharedKey" in k or "customerId" in k]
    diag = declared.inputs(DIAG, "cae-test-env-diag")
    assert diag["workspaceId"] == WORKSPACE and diag["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert diag["resourceUri"].endswith("/Microsoft.App/managedEnvironments/cae-test")
    for service in _apps(declared):
        metrics_only = declared.inputs(DIAG, f"cae-test-{service}-diag")
        assert metrics_only["logs"] == [] and metrics_only["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_zone_redundancy_follows_the_environment(prod: tuple[Declared, ContainerApps],
                                                 dev: tuple[Declared, ContainerApps]) -> None:
    assert prod[0].inputs(ENV)["zoneRedundant"] is True
    assert dev[0].inputs(ENV)["zoneRedundant"] is False


def test_one_app_per_configured_service(prod: tuple[Declared, ContainerApps],
                                        dev: tuple[Declared, ContainerApps]) -> None:
    assert sorted(_apps(prod[0])) == ["api-gateway", "chat", "text", "vision"]
    assert sorted(_apps(dev[0])) == ["api-gateway", "chat"]
    env_id = resolve(prod[1].environment_id)
    for service, app in _apps(prod[0]).items():
        assert app["containerAppName"] == service and app["environmentId"] == env_id
        assert app["workloadProfileName"] == "Consumption"
        assert app["tags"]["environment"] == "prod"


def test_no_app_is_public_and_only_the_entrypoint_leaves_the_environment(
        prod: tuple[Declared, ContainerApps]) -> None:
    # The environment is internal (private IP only), so 'external' here means VNet-visible.
    for service, app in _apps(prod[0]).items():
        ingress = app["configuration"]["ingress"]
        assert ingress["allowInsecure"] is False and ingress["transport"] == "http"
        assert ingress["targetPort"] == 8000
        if service == "api-gateway":
            assert ingress["external"] is True
            assert ingress["ipSecurityRestrictions"] == [{
                "name": "app-gateway", "action": "Allow", "ipAddressRange": GATEWAY_PREFIX,
                "description": "Only the WAF gateway reaches the entrypoint"}]
        else:
            assert ingress["external"] is False and "ipSecurityRestrictions" not in ingress


@pytest.mark.parametrize(("stack", "cpu", "memory", "bounds"), [
    ("prod", 2.0, "4Gi", {"api-gateway": (2, 50), "chat": (2, 50), "vision": (2, 20), "text": (2, 20)}),
    ("dev", 0.5, "1Gi", {"api-gateway": (0, 3), "chat": (0, 3)}),
])
def test_scale_and_size_per_environment(stack: str, cpu: float, memory: str, bounds: dict[str, tuple[int, int]],
                                        prod: tuple[Declared, ContainerApps],
                                        dev: tuple[Declared, ContainerApps]) -> None:
    declared = prod[0] if stack == "prod" else dev[0]
    for service, app in _apps(declared).items():
        scale = app["template"]["scale"]
        assert (scale["minReplicas"], scale["maxReplicas"]) == bounds[service]
        assert scale["rules"] == [
            {"name": "http-scaling", "http": {"metadata": {"concurrentRequests": "20"}}},
            {"name": "cpu-scaling", "custom": {"type": "cpu", "metadata": {"type": "Utilization", "value": "70"}}},
        ]
        (container,) = app["template"]["containers"]
        assert container["resources"] == {"cpu": cpu, "memory": memory}


def test_health_probes_on_the_target_port(prod: tuple[Declared, ContainerApps]) -> None:
    for app in _apps(prod[0]).values():
        (container,) = app["template"]["containers"]
        probes = {p["type"]: p for p in container["probes"]}
        assert sorted(probes) == ["Liveness", "Readiness"]
        for probe in probes.values():
            assert probe["httpGet"] == {"path": "/health", "port": 8000, "scheme": "HTTP"}


def test_secrets_are_key_vault_references_through_the_service_identity(
        prod: tuple[Declared, ContainerApps]) -> None:
    for service, app in _apps(prod[0]).items():
        identity = _identity(service).resource_id
        assert app["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity]}
        assert app["configuration"]["secrets"] == [
            {"name": s.lower(), "keyVaultUrl": uri, "identity": identity} for s, uri in SECRETS.items()]
        assert not [v for v in walk(app["configuration"]["secrets"]) if isinstance(v, dict) and "value" in v]
        (container,) = app["template"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert env["AZURE_OPENAI_ENDPOINT"]["value"] == OPENAI
        assert env["REDIS_HOST"]["value"] == REDIS and env["REDIS_PORT"]["value"] == "10000"
        assert env["AZURE_CLIENT_ID"]["value"] == f"client-{service}"
        assert env["APPLICATIONINSIGHTS_CONNECTION_STRING"] == {
            "name": "APPLICATIONINSIGHTS_CONNECTION_STRING", "secretRef": "applicationinsights-connection-string"}
        assert env["PARTNER_API_KEY"] == {"name": "PARTNER_API_KEY", "secretRef": "partner-api-key"}
        assert not [e for e in env.values() if "secretRef" not in e and "key" in e["name"].lower()]


def test_each_identity_can_read_the_vault_before_its_app_starts(prod: tuple[Declared, ContainerApps]) -> None:
    declared = prod[0]
    for service in _apps(declared):
        grant = declared.one(GRANT, f"cae-test-{service}-kv-secrets")
        inputs = declared.inputs(GRANT, grant.name)
        assert inputs["scope"] == VAULT_ID and inputs["principalId"] == f"principal-{service}"
        assert inputs["roleDefinitionId"].endswith("/4633458b-17de-408a-b874-0445c86b69e6")  # Key Vault Secrets User
        assert grant.urn in declared.one(APP, f"cae-test-{service}").dependencies


def test_no_secrets_means_no_references_and_no_grants() -> None:
    declared, _ = _build("dev", key_vault_secrets={}, key_vault_id=None)
    assert not declared.of_type(GRANT)
    assert all("secrets" not in app["configuration"] for app in _apps(declared).values())


def test_private_dns_resolves_the_default_domain_to_the_environment(prod: tuple[Declared, ContainerApps]) -> None:
    declared, apps = prod
    domain, static_ip = resolve(apps.default_domain), resolve(apps.static_ip)
    assert declared.inputs(ZONE)["privateZoneName"] == domain
    record = declared.inputs(RECORD)
    assert record["relativeRecordSetName"] == "*" and record["recordType"] == "A"
    assert record["aRecords"] == [{"ipv4Address": static_ip}]
    link = declared.inputs(LINK)
    assert link["virtualNetwork"] == {"id": VNET} and link["registrationEnabled"] is False
    # The gateway's backend name falls under the zone's wildcard.
    assert resolve(apps.entrypoint_fqdn) == f"api-gateway.{domain}"


def test_outputs_name_every_service(prod: tuple[Declared, ContainerApps]) -> None:
    apps = prod[1]
    fqdns = {service: resolve(fqdn) for service, fqdn in apps.fqdns.items()}
    assert sorted(fqdns) == ["api-gateway", "chat", "text", "vision"]
    assert fqdns["chat"].startswith("chat.internal.")
    assert all(resolve(i).endswith(f"/containerApps/{s}") for s, i in apps.app_ids.items())


def _invalid(stack: str = "prod", **overrides: Any) -> str:
    with pytest.raises(ContainerAppsError) as info:
        declare(lambda: ContainerApps("cae-test", _args(stack, **overrides)))
    return str(info.value)


def test_missing_identity_is_named() -> None:
    identities = {s: _identity(s) for s in ("api-gateway", "chat")}
    assert "no identity for service(s) vision, text" in _invalid(identities=identities)


def test_zone_redundancy_needs_a_zonal_region() -> None:
    cfg = stack_config("prod")
    common = Common(resource_group_name="rg-test", location="westus", tags=cfg.resource_tags())
    assert "'westus' has no availability zones" in _invalid(common=common)


def test_entrypoint_is_required() -> None:
    cfg = stack_config("dev").container_apps
    config = ContainerAppsConfig(services=[s.model_copy(update={"entrypoint": False}) for s in cfg.services])
    assert "exactly one service needs `entrypoint: true`, found 0" in _invalid("dev", config=config)


def test_secret_names_and_vault_are_checked() -> None:
    assert "-partner-key not valid" in _invalid(key_vault_secrets={"-partner-key": "https://kv/secrets/x"})
    assert "need key_vault_id" in _invalid(key_vault_id=None)


def test_role_grants_are_refused() -> None:
    grants = [RoleGrant(principal_id="p", role="Key Vault Secrets User", description="x")]
    common = Common(resource_group_name="rg-test", location="eastus2", tags={}, role_grants=grants)
    assert "Common.role_grants" in _invalid(common=common)
