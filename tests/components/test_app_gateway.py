"""WafGateway: WAF_v2 with a separate Prevention-mode policy, Key Vault TLS, HTTPS-only, one internal backend."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pydantic import SecretStr

from components.app_gateway import GATEWAY_LOGS, WafGateway, WafGatewayArgs, WafGatewayError
from components.common import Common, RoleGrant
from components.gateway_certificate import GatewayCertificateError, self_signed_pfx
from components.naming import NamingError
from stack_config.model import AppGateway, GatewayCertificate
from tests.components.common_inputs import SUB, WORKSPACE, resolve
from tests.harness import Declared, declare, stack_config

GATEWAY = "azure-native:network:ApplicationGateway"
POLICY = "azure-native:network:WebApplicationFirewallPolicy"
PIP = "azure-native:network:PublicIPAddress"
GRANT = "azure-native:authorization:RoleAssignment"
DIAG = "azure-native:monitor:DiagnosticSetting"
SECRET = "azure-native:keyvault:Secret"
SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-test/subnets/app-gateway"
IDENTITY = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-gateway"
VAULT_ID = f"{SUB}/Microsoft.KeyVault/vaults/kv-test"
BACKEND = "api-gateway.happy-sky-1234.eastus2.azurecontainerapps.io"


def _args(stack: str, **overrides: Any) -> WafGatewayArgs:
    cfg = stack_config(stack)
    values: dict[str, Any] = {
        "common": Common(resource_group_name="rg-test", location=cfg.primary.location, tags=cfg.resource_tags(),
                         workspace_id=WORKSPACE, protect=cfg.protect),
        "config": cfg.app_gateway,
        "zonal": cfg.is_prod and cfg.primary.zonal,
        "subnet_id": SUBNET,
        "identity_id": IDENTITY,
        "identity_principal_id": "principal-gateway",
        "key_vault_id": VAULT_ID,
        "key_vault_name": "kv-test",
        "probe_path": "/health",
        "backend_fqdn": BACKEND,
        "dns_label": f"aip-{stack}-agw-abc123",
        **overrides,
    }
    return WafGatewayArgs(**values)


def _build(stack: str, **overrides: Any) -> tuple[Declared, WafGateway]:
    built: list[WafGateway] = []
    declared = declare(lambda: built.append(WafGateway("agw-test", _args(stack, **overrides))))
    return declared, built[0]


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, WafGateway]:
    return _build("prod")


@pytest.fixture(scope="module")
def dev() -> tuple[Declared, WafGateway]:
    return _build("dev")


def _gateway_id() -> str:
    return "/subscriptions/8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f/resourceGroups/rg-test/providers/" \
           "Microsoft.Network/applicationGateways/agw-test"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"id": f"{_gateway_id()}/{kind}/{name}"}


def test_waf_policy_prevents_with_current_rule_sets(prod: tuple[Declared, WafGateway]) -> None:
    policy = prod[0].inputs(POLICY)
    settings = policy["policySettings"]
    assert (settings["state"], settings["mode"]) == ("Enabled", "Prevention")
    assert settings["requestBodyCheck"] is True and settings["requestBodyEnforcement"] is True
    assert policy["managedRules"]["managedRuleSets"] == [
        {"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"},
        {"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.1"},
    ]


def test_policy_is_associated_not_inline(prod: tuple[Declared, WafGateway]) -> None:
    declared, gateway = prod
    inputs = declared.inputs(GATEWAY)
    assert "webApplicationFirewallConfiguration" not in inputs
    assert inputs["firewallPolicy"] == {"id": resolve(gateway.waf_policy_id)}
    assert inputs["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"} and "capacity" not in inputs["sku"]


@pytest.mark.parametrize(("stack", "bounds", "zones"), [
    ("prod", {"minCapacity": 2, "maxCapacity": 10}, ["1", "2", "3"]),
    ("dev", {"minCapacity": 0, "maxCapacity": 2}, None),
])
def test_autoscale_and_zones_per_environment(stack: str, bounds: dict[str, int], zones: list[str] | None,
                                             prod: tuple[Declared, WafGateway],
                                             dev: tuple[Declared, WafGateway]) -> None:
    declared = prod[0] if stack == "prod" else dev[0]
    gateway, pip = declared.inputs(GATEWAY), declared.inputs(PIP)
    assert gateway["autoscaleConfiguration"] == bounds
    assert gateway.get("zones") == zones and pip.get("zones") == zones


def test_public_ip_is_standard_static_with_a_dns_label(prod: tuple[Declared, WafGateway]) -> None:
    declared, gateway = prod
    pip = declared.one(PIP)
    inputs = declared.inputs(PIP)
    assert inputs["sku"] == {"name": "Standard", "tier": "Regional"}
    assert inputs["publicIPAllocationMethod"] == "Static"
    assert inputs["dnsSettings"] == {"domainNameLabel": "aip-prod-agw-abc123"}
    assert pip.protect is True  # prod: the address is an external identity
    assert resolve(gateway.fqdn) == "aip-prod-agw-abc123.eastus2.cloudapp.azure.com"
    assert declared.inputs(GATEWAY)["frontendIPConfigurations"] == [
        {"name": "public", "publicIPAddress": {"id": resolve(gateway.public_ip_id)}}]


def test_https_listener_uses_the_key_vault_certificate(prod: tuple[Declared, WafGateway]) -> None:
    declared = prod[0]
    inputs = declared.inputs(GATEWAY)
    assert inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY]}
    # Versionless, so renewals in Key Vault roll out without a deploy.
    assert inputs["sslCertificates"] == [
        {"name": "gateway-tls", "keyVaultSecretId": "https://kv-test.vault.azure.net/secrets/gateway-tls"}]
    assert inputs["sslPolicy"] == {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"}
    listeners = {listener["name"]: listener for listener in inputs["httpListeners"]}
    https = listeners["https"]
    assert https["protocol"] == "Https" and https["hostName"] == "ai.contoso.com"
    assert https["sslCertificate"] == _ref("sslCertificates", "gateway-tls")
    assert https["frontendPort"] == _ref("frontendPorts", "https")
    assert {p["name"]: p["port"] for p in inputs["frontendPorts"]} == {"https": 443, "http": 80}


def test_the_certificate_the_gateway_reads_is_created_with_it(prod: tuple[Declared, WafGateway]) -> None:
    declared = prod[0]
    secret = declared.one(SECRET, "agw-test-cert")
    inputs = declared.inputs(SECRET, secret.name)
    assert (inputs["secretName"], inputs["vaultName"]) == ("gateway-tls", "kv-test")
    assert inputs["properties"]["contentType"] == "application/x-pkcs12"
    # A PFX App Gateway can load: a certificate for the listener's host name with its private key.
    key, cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(inputs["properties"]["value"]), None)
    assert key is not None and cert is not None
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ["ai.contoso.com"]
    assert secret.urn in declared.one(GATEWAY).dependencies


def test_a_configured_pfx_is_written_as_given() -> None:
    pfx = self_signed_pfx("ai.contoso.com")
    config = stack_config("prod").app_gateway.model_copy(
        update={"certificate": GatewayCertificate(source="pfx", pfx_base64=SecretStr(pfx))})
    declared, _ = _build("prod", config=config)
    properties = declared.inputs(SECRET, "agw-test-cert")["properties"]
    assert properties["value"] == pfx
    # The secret expires with the certificate, not before it (key-vault-secret-expiry).
    _, cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(pfx), None)
    assert cert is not None
    assert properties["attributes"] == {"enabled": True, "expires": int(cert.not_valid_after_utc.timestamp())}


def test_a_pfx_source_without_the_pfx_is_refused() -> None:
    config = stack_config("prod").app_gateway.model_copy(update={"certificate": GatewayCertificate(source="pfx")})
    with pytest.raises(GatewayCertificateError, match="pfxBase64 is not set"):
        declare(lambda: WafGateway("agw-test", _args("prod", config=config)))


def test_gateway_identity_reads_the_certificate_first(prod: tuple[Declared, WafGateway]) -> None:
    declared = prod[0]
    grant = declared.one(GRANT, "agw-test-kv-cert")
    inputs = declared.inputs(GRANT, grant.name)
    assert inputs["scope"] == VAULT_ID and inputs["principalId"] == "principal-gateway"
    assert inputs["roleDefinitionId"].endswith("/4633458b-17de-408a-b874-0445c86b69e6")  # Key Vault Secrets User
    assert grant.urn in declared.one(GATEWAY).dependencies


def test_plain_http_only_redirects_to_https(prod: tuple[Declared, WafGateway]) -> None:
    inputs = prod[0].inputs(GATEWAY)
    assert inputs["redirectConfigurations"] == [{
        "name": "http-to-https", "redirectType": "Permanent", "targetListener": _ref("httpListeners", "https"),
        "includePath": True, "includeQueryString": True}]
    rules = {rule["name"]: rule for rule in inputs["requestRoutingRules"]}
    redirect = rules["http-redirect"]
    assert redirect["httpListener"] == _ref("httpListeners", "http")
    assert redirect["redirectConfiguration"] == _ref("redirectConfigurations", "http-to-https")
    assert "backendAddressPool" not in redirect
    assert sorted(rule["priority"] for rule in rules.values()) == [100, 200]


def test_backend_is_the_internal_app_over_https_with_its_own_host(prod: tuple[Declared, WafGateway]) -> None:
    inputs = prod[0].inputs(GATEWAY)
    assert inputs["backendAddressPools"] == [{"name": "container-apps", "backendAddresses": [{"fqdn": BACKEND}]}]
    (settings,) = inputs["backendHttpSettingsCollection"]
    assert (settings["port"], settings["protocol"]) == (443, "Https")
    assert settings["pickHostNameFromBackendAddress"] is True
    assert settings["probe"] == _ref("probes", "health")
    (probe,) = inputs["probes"]
    assert (probe["protocol"], probe["path"]) == ("Https", "/health")
    assert probe["pickHostNameFromBackendHttpSettings"] is True
    rule = next(r for r in inputs["requestRoutingRules"] if r["name"] == "https-to-apps")
    assert rule["httpListener"] == _ref("httpListeners", "https")
    assert rule["backendAddressPool"] == _ref("backendAddressPools", "container-apps")
    assert rule["backendHttpSettings"] == _ref("backendHttpSettingsCollection", "container-apps-https")
    assert inputs["gatewayIPConfigurations"] == [{"name": "gateway-ip", "subnet": {"id": SUBNET}}]


def test_every_internal_reference_points_at_a_declared_part(prod: tuple[Declared, WafGateway]) -> None:
    inputs = prod[0].inputs(GATEWAY)
    declared_parts = {f"{_gateway_id()}/{kind}/{part['name']}"
                      for kind in ("frontendIPConfigurations", "frontendPorts", "sslCertificates", "httpListeners",
                                   "backendAddressPools", "backendHttpSettingsCollection", "probes",
                                   "redirectConfigurations")
                      for part in inputs[kind]}
    references = [v["id"] for v in _dicts(inputs) if set(v) == {"id"} and "/applicationGateways/" in v["id"]]
    assert len(references) == 12 and set(references) <= declared_parts


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(d for v in value.values() for d in _dicts(v))]
    if isinstance(value, list):
        return [d for v in value for d in _dicts(v)]
    return []


def test_gateway_logs_and_metrics_reach_the_workspace(prod: tuple[Declared, WafGateway]) -> None:
    declared, gateway = prod
    diag = declared.inputs(DIAG, "agw-test-diag")
    assert diag["resourceUri"] == resolve(gateway.gateway_id) and diag["workspaceId"] == WORKSPACE
    assert [log["category"] for log in diag["logs"]] == list(GATEWAY_LOGS) == [
        "ApplicationGatewayAccessLog", "ApplicationGatewayPerformanceLog", "ApplicationGatewayFirewallLog"]
    assert diag["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert declared.inputs(DIAG, "agw-test-pip-diag")["resourceUri"] == resolve(gateway.public_ip_id)


def test_every_resource_is_tagged(prod: tuple[Declared, WafGateway]) -> None:
    for typ in (GATEWAY, POLICY, PIP):
        assert prod[0].inputs(typ)["tags"]["cost-center"] == "cc-ai-prod"


def _invalid(stack: str = "prod", **overrides: Any) -> str:
    with pytest.raises(WafGatewayError) as info:
        declare(lambda: WafGateway("agw-test", _args(stack, **overrides)))
    return str(info.value)


def test_bad_inputs_are_named() -> None:
    with pytest.raises(NamingError, match="dns_label 'Bad_Label' cannot be part of an Azure DNS name"):
        declare(lambda: WafGateway("agw-test", _args("prod", dns_label="Bad_Label")))
    config = AppGateway(min_capacity=5, max_capacity=3)
    assert "minCapacity 5 is above maxCapacity 3" in _invalid(config=config)
    cfg = stack_config("prod")
    common = Common(resource_group_name="rg-test", location="westus", tags=cfg.resource_tags())
    assert "'westus' has no availability zones" in _invalid(common=common)
    grants = [RoleGrant(principal_id="p", role="Key Vault Secrets User", description="x")]
    common = Common(resource_group_name="rg-test", location="eastus2", tags={}, role_grants=grants)
    assert "Common.role_grants" in _invalid(common=common)
