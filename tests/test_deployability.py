"""The review's deploy blockers, checked on the stacks the real program declares for dev and prod: one test per
defect (each failed on the code the review read)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dryrun import report
from dryrun.policy_driver import Pack
from stack_config.preflight import images, openai_models
from tests.harness import program_run

ROOT = Path(__file__).resolve().parent.parent
STACKS = ["dev", "prod"]
PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"  # Monitoring Metrics Publisher


class Stack:
    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.resources = resources

    def of(self, short_type: str) -> Iterator[dict[str, Any]]:
        return (r for r in self.resources if r["type"] == f"azure-native:{short_type}")

    def by_urn(self, urn: str) -> dict[str, Any]:
        return next(r for r in self.resources if r["urn"] == urn)


@pytest.fixture(scope="module")
def stacks() -> dict[str, Stack]:
    """Each stack as `python -m dryrun <stack> --json` writes it, which passes the pack at its default
    levels (tests/test_dryrun.py runs the command itself; this reads the shared recording)."""
    out: dict[str, Stack] = {}
    for stack in STACKS:
        result = program_run(stack)
        pack = Pack(ROOT / "policies")
        pack.configure(None, stack=result.stack, project=result.project)
        violations = pack.analyze(result.resources)
        assert not [v for v in violations if v.level == "mandatory"], violations
        out[stack] = Stack(json.loads(report.to_json(stack, result.resources, violations))["resources"])
    return out


def _region(resource_name: str) -> str:
    return resource_name.split("-")[1]


@pytest.mark.parametrize("stack", STACKS)
def test_1_every_app_targets_and_probes_the_port_its_image_serves(stacks: dict[str, Stack], stack: str) -> None:
    apps = list(stacks[stack].of("app:ContainerApp"))
    assert apps
    for app in apps:
        (container,) = app["inputs"]["template"]["containers"]
        port = images.IMAGES[images.repository(container["image"])]["port"]
        assert app["inputs"]["configuration"]["ingress"]["targetPort"] == port
        assert {p["httpGet"]["port"] for p in container["probes"]} == {port}


@pytest.mark.parametrize("stack", STACKS)
def test_2_the_budget_starts_in_the_month_it_is_created(stacks: dict[str, Stack], stack: str) -> None:
    (budget,) = [b for b in stacks[stack].of("consumption:Budget")
                 if not b["inputs"]["budgetName"].endswith("-openai-tokens")]
    first = datetime.now(UTC).date().replace(day=1)
    assert budget["inputs"]["timePeriod"]["startDate"] == f"{first.isoformat()}T00:00:00Z"


@pytest.mark.parametrize("stack", STACKS)
def test_3_every_model_deployment_is_offered_in_its_region(stacks: dict[str, Stack], stack: str) -> None:
    s = stacks[stack]
    accounts = {r["inputs"]["accountName"]: r["inputs"]["location"] for r in s.of("cognitiveservices:Account")}
    deployments = list(s.of("cognitiveservices:Deployment"))
    assert deployments
    for d in deployments:
        model, sku = d["inputs"]["properties"]["model"], d["inputs"]["sku"]["name"]
        found = openai_models.offered_in(model["name"], model["version"], sku)
        assert found is not None and accounts[d["inputs"]["accountName"]] in found[0], d["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_4_every_gateway_certificate_is_a_secret_the_stack_creates_first(stacks: dict[str, Stack], stack: str) -> None:
    s = stacks[stack]
    secrets = {r["urn"]: r for r in s.of("keyvault:Secret")}
    gateways = list(s.of("network:ApplicationGateway"))
    assert gateways
    for gateway in gateways:
        (cert,) = gateway["inputs"]["sslCertificates"]
        secret_urns = [u for u in gateway["dependencies"] if u in secrets]
        assert len(secret_urns) == 1
        secret = secrets[secret_urns[0]]["inputs"]
        assert cert["keyVaultSecretId"].endswith(f"/secrets/{secret['secretName']}")
        assert secret["properties"]["contentType"] == "application/x-pkcs12"


@pytest.mark.parametrize("stack", STACKS)
def test_5_operators_reach_the_private_endpoints_from_the_operations_subnet(
        stacks: dict[str, Stack], stack: str) -> None:
    s = stacks[stack]
    for vnet in s.of("network:VirtualNetwork"):
        subnets = {sn["name"]: sn["addressPrefix"] for sn in vnet["inputs"]["subnets"]}
        operations = subnets["snet-operations"]
        region = vnet["inputs"]["location"]
        nsg = next(n for n in s.of("network:NetworkSecurityGroup")
                   if n["inputs"]["networkSecurityGroupName"].endswith(f"{region}-private-endpoints"))
        rule = next(r for r in nsg["inputs"]["securityRules"] if r["name"] == "allow-operations-https")
        assert (rule["access"], rule["sourceAddressPrefix"], rule["destinationPortRange"]) == (
            "Allow", operations, "443")


@pytest.mark.parametrize("stack", STACKS)
def test_6_oss_cluster_shard_ports_are_open_to_the_workloads(stacks: dict[str, Stack], stack: str) -> None:
    s = stacks[stack]
    # The stamps' shared caches are OSSCluster (10000 plus the shard ports); the AI gateway's semantic cache is
    # EnterpriseCluster for RediSearch (10000 only): the workloads' rule admits both, the gateway subnet included.
    policies = {("AIGateway$" in d["urn"], d["inputs"]["clusteringPolicy"]) for d in s.of("redisenterprise:Database")}
    assert policies == {(False, "OSSCluster"), (True, "EnterpriseCluster")}
    gateway_subnets = {sn["addressPrefix"] for v in s.of("network:VirtualNetwork") for sn in v["inputs"]["subnets"]
                       if sn["name"] == "snet-api-management"}
    assert gateway_subnets
    for nsg in s.of("network:NetworkSecurityGroup"):
        if nsg["inputs"]["networkSecurityGroupName"].endswith("private-endpoints"):
            rule = next(r for r in nsg["inputs"]["securityRules"] if r["name"] == "allow-workloads")
            assert {"10000", "8500-8599"} <= set(rule["destinationPortRanges"])
            # Every region's gateway reaches every region's endpoints (cross-region pool members, its own cache).
            assert gateway_subnets <= set(rule["sourceAddressPrefixes"]), rule


@pytest.mark.parametrize("stack", STACKS)
def test_7_every_telemetry_sender_may_publish_to_its_regions_app_insights(
        stacks: dict[str, Stack], stack: str) -> None:
    s = stacks[stack]
    components = {r["inputs"]["location"]: r["inputs"]["resourceName"] for r in s.of("applicationinsights:Component")}
    identities = {r["inputs"]["resourceName"]: r for r in s.of("managedidentity:UserAssignedIdentity")}
    publishers = [r["inputs"] for r in s.of("authorization:RoleAssignment")
                  if r["inputs"]["roleDefinitionId"].endswith(PUBLISHER)]
    for app in s.of("app:ContainerApp"):
        region = app["inputs"]["location"]
        (container,) = app["inputs"]["template"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        auth = env["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
        assert auth == f"Authorization=AAD;ClientId={env['AZURE_CLIENT_ID']}"
        assert sum(p["scope"].endswith(f"/components/{components[region]}") for p in publishers) >= 1
    for function_app in s.of("web:WebApp"):
        settings = {kv["name"]: kv["value"] for kv in function_app["inputs"]["siteConfig"]["appSettings"]}
        assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].startswith("Authorization=AAD;ClientId=")
    # One grant per telemetry sender (each service, and the functions identity), none for the WAF
    # gateway's identity; the AI gateway's own system identity publishes through its logger.
    senders = [n for n, i in identities.items() if i["inputs"]["tags"]["workload"] != "gateway"]
    workload_publishers = [p for p in publishers if p.get("description") != "the AI gateway"]
    assert len(workload_publishers) == len(senders)


@pytest.mark.parametrize("stack", STACKS)
def test_8_storage_metrics_and_defender_as_azure_stores_them(stacks: dict[str, Stack], stack: str) -> None:
    s = stacks[stack]
    for pricing in s.of("security:Pricing"):
        if pricing["inputs"]["pricingName"] == "StorageAccounts":
            assert pricing["inputs"]["subPlan"] == "DefenderForStorageV2"
    data_services = [d for d in s.of("monitor:DiagnosticSetting")
                     if d["inputs"]["resourceUri"].endswith(("/blobServices/default", "/queueServices/default"))]
    assert data_services
    for setting in data_services:
        assert [m["category"] for m in setting["inputs"]["metrics"]] == ["Transaction"]


def test_prod_enables_defender_for_storage(stacks: dict[str, Stack]) -> None:
    assert [p["inputs"]["pricingName"] for p in stacks["prod"].of("security:Pricing")
            if p["inputs"].get("subPlan") == "DefenderForStorageV2"] == ["StorageAccounts"]
