"""Security policies: for each, the secure baseline passes and each flipped setting fails, with
inputs the real SDK produces (tests/policies/secure_inputs.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native.app as app
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.network as network
import pulumi_azure_native.web as web
import pytest
from pulumi_policy import Severity

from dryrun.model import SECRET_SIG, SIG_KEY, UNKNOWN
from policies.azure import types as T
from policies.azure.roles import PRIVILEGED, ROLES
from policies.framework import resource_policy
from policies.relations.databases import redis_enterprise_access_keys_disabled
from policies.relations.edge import container_app_ingress_restricted, container_app_no_public_ingress
from policies.rules.app_gateway import (
    app_gateway_https_redirect,
    app_gateway_no_inline_waf,
    app_gateway_tls_policy,
    app_gateway_waf_v2,
    waf_policy_managed_rule_set,
    waf_policy_prevention,
)
from policies.rules.authorization import role_assignment_not_privileged, role_assignment_resource_scope
from policies.rules.cognitive_services import (
    cognitive_services_custom_subdomain,
    cognitive_services_local_auth_disabled,
    cognitive_services_outbound_restricted,
    cognitive_services_private_access,
)
from policies.rules.container_apps import container_app_https_only, managed_environment_internal
from policies.rules.identity import managed_identity_present, secrets_in_key_vault
from policies.rules.key_vault import key_vault_private_access, key_vault_rbac_authorization
from policies.rules.messaging import messaging_local_auth_disabled, messaging_private_access, messaging_tls
from policies.rules.network import nsg_no_internet_inbound, public_ip_standard_sku, subnet_private_endpoint_policies
from policies.rules.redis import (
    redis_classic_private_access,
    redis_classic_retired,
    redis_classic_tls,
    redis_enterprise_private_access,
    redis_enterprise_tls,
)
from policies.rules.storage import storage_private_access, storage_secure_transport, storage_shared_key_disabled
from policies.rules.web import web_app_private_access, web_app_remote_debugging_disabled, web_app_secure_transport
from tests.policies import secure_inputs as s
from tests.policies.support import case_ids, evaluate, file_config, names, sdk_resources

OPENAI_USER = ROLES["Cognitive Services OpenAI User"]
OWNER = PRIVILEGED["Owner"]
ACCOUNT_SCOPE = f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.CognitiveServices/accounts/oai-aip-prod-eus2"

# The policies this module specifies (the pack's former security.py).
AREA = [
    cognitive_services_private_access, cognitive_services_local_auth_disabled,
    cognitive_services_outbound_restricted, cognitive_services_custom_subdomain, managed_identity_present,
    redis_enterprise_private_access, redis_enterprise_tls, redis_enterprise_access_keys_disabled,
    redis_classic_retired, redis_classic_private_access, redis_classic_tls, key_vault_rbac_authorization,
    key_vault_private_access, nsg_no_internet_inbound, subnet_private_endpoint_policies, public_ip_standard_sku,
    role_assignment_not_privileged, role_assignment_resource_scope, app_gateway_waf_v2, app_gateway_no_inline_waf,
    app_gateway_tls_policy, app_gateway_https_redirect, waf_policy_prevention, waf_policy_managed_rule_set,
    container_app_no_public_ingress, container_app_ingress_restricted, container_app_https_only,
    managed_environment_internal, secrets_in_key_vault, storage_shared_key_disabled, storage_private_access,
    storage_secure_transport, messaging_local_auth_disabled, messaging_private_access, messaging_tls,
    web_app_secure_transport, web_app_remote_debugging_disabled, web_app_private_access,
]


def role_assignment(role: str = OPENAI_USER, scope: str | Callable[[], pulumi.Output[Any]] = ACCOUNT_SCOPE,
                    principal_type: str = "ServicePrincipal") -> s.Program:
    return lambda: authorization.RoleAssignment(
        "grant", principal_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", principal_type=principal_type,
        role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        scope=scope if isinstance(scope, str) else scope())


def listener(name: str, protocol: str) -> network.ApplicationGatewayHttpListenerArgs:
    return network.ApplicationGatewayHttpListenerArgs(name=name, protocol=protocol)


def env(name: str, value: str) -> app.EnvironmentVarArgs:
    return app.EnvironmentVarArgs(name=name, value=value)


def setting(name: str, value: str) -> web.NameValuePairArgs:
    return web.NameValuePairArgs(name=name, value=value)


GATEWAY_SUBNET = "10.100.4.0/24"  # inside s.vnet()'s 10.100.0.0/16


def allow(*ranges: str, action: str = "Allow") -> list[app.IpSecurityRestrictionRuleArgs]:
    return [app.IpSecurityRestrictionRuleArgs(name=f"rule-{i}", action=action, ip_address_range=r)
            for i, r in enumerate(ranges)]


def entry_app(*ranges: str, action: str = "Allow", by_dependency: bool = True) -> s.Program:
    """The VNet, the internal environment injected into it (through the subnet id's dependency on the
    VNet, or only the id string) and an app with VNet-external ingress admitting `ranges`."""

    def program() -> None:
        vnet = s.vnet(s.inline_subnet("snet-apps"))()
        subnet_id = vnet.id.apply(lambda i: f"{i}/subnets/snet-apps") if by_dependency else \
            f"{s.SUB}/resourceGroups/{s.RG}/providers/Microsoft.Network/virtualNetworks/vnet-aip/subnets/snet-apps"
        environment = s.managed_environment(vnet_configuration=app.VnetConfigurationArgs(
            infrastructure_subnet_id=subnet_id, internal=True))()
        s.container_app(environment_id=environment.id, external=True,
                        ip_security_restrictions=allow(*ranges, action=action))()

    return program


def fired(policy: Any, program: s.Program, config: dict[str, Any] | None = None) -> tuple[set[str], str]:
    found = evaluate([policy], sdk_resources(program), config)
    return names(found), "\n".join(v.message for v in found)


# (policy, secure program) — each must pass.
PASSING = [
    (cognitive_services_private_access, s.openai_account()),
    (cognitive_services_local_auth_disabled, s.openai_account()),
    (cognitive_services_outbound_restricted, s.openai_account()),
    (cognitive_services_outbound_restricted, s.openai_account(allowed_fqdn_list=["api.contoso.com"])),
    (cognitive_services_custom_subdomain, s.openai_account()),
    (managed_identity_present, s.openai_account()),
    (managed_identity_present, s.container_app()),
    (managed_identity_present, s.web_app()),
    (redis_enterprise_private_access, s.redis_cluster()),
    (redis_enterprise_tls, s.redis_cluster()),
    (redis_enterprise_tls, s.redis_cluster(minimum_tls_version=None)),  # Managed Redis defaults to 1.2
    (redis_enterprise_tls, s.redis_database()),
    (redis_enterprise_access_keys_disabled, s.redis_database()),
    (redis_classic_private_access, s.classic_redis()),
    (redis_classic_tls, s.classic_redis()),
    (key_vault_rbac_authorization, s.key_vault()),
    (key_vault_private_access, s.key_vault()),
    (nsg_no_internet_inbound, s.nsg(
        s.rule(), s.rule("http", destination_port_range="80", priority=110),
        s.rule("lb", source_address_prefix="AzureLoadBalancer", destination_port_range="*", priority=120),
        s.rule("vnet", source_address_prefix="VirtualNetwork", destination_port_range="*", priority=130),
        s.rule("deny-all", access="Deny", source_address_prefix="*", destination_port_range="*", priority=4096),
        s.rule("out", direction="Outbound", source_address_prefix="*", destination_port_range="*", priority=100))),
    (nsg_no_internet_inbound, s.security_rule()),
    (nsg_no_internet_inbound, s.security_rule(source_address_prefix="*")),  # 65200-65535 is allowed
    (subnet_private_endpoint_policies, s.subnet()),
    (subnet_private_endpoint_policies, s.subnet("GatewaySubnet", private_endpoint_network_policies=None)),
    (subnet_private_endpoint_policies, s.subnet(private_endpoint_network_policies="NetworkSecurityGroupEnabled")),
    (subnet_private_endpoint_policies, s.vnet(s.inline_subnet(
        "snet-apps", private_endpoint_network_policies="Disabled",
        delegations=[network.DelegationArgs(name="apps", service_name="Microsoft.App/environments")]))),
    (public_ip_standard_sku, s.public_ip()),
    (role_assignment_not_privileged, role_assignment()),
    (role_assignment_not_privileged, role_assignment(OWNER, principal_type="Group")),
    (role_assignment_resource_scope, role_assignment()),
    (role_assignment_resource_scope, role_assignment(scope=s.unknown)),  # the id of a new resource
    (role_assignment_resource_scope, role_assignment(scope=s.SUB, principal_type="User")),
    (app_gateway_waf_v2, s.app_gateway()),
    (app_gateway_no_inline_waf, s.app_gateway()),
    (app_gateway_tls_policy, s.app_gateway()),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=network.ApplicationGatewaySslPolicyArgs(
        policy_type="CustomV2", min_protocol_version="TLSv1_3"))),
    (app_gateway_https_redirect, s.app_gateway()),
    (waf_policy_prevention, s.waf_policy()),
    (waf_policy_managed_rule_set, s.waf_policy()),
    (waf_policy_managed_rule_set, s.waf_policy(managed_rules=network.ManagedRulesDefinitionArgs(
        managed_rule_sets=[network.ManagedRuleSetArgs(rule_set_type="OWASP", rule_set_version="3.2")]))),
    (container_app_no_public_ingress, s.serving()),  # 'external' in an internal environment: the VNet only
    (container_app_no_public_ingress, s.serving(by_dependency=False)),
    (container_app_no_public_ingress, s.serving(internal=False, external=False)),
    (container_app_no_public_ingress, s.container_app(external=True)),  # its environment is another stack's
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET)),  # the gateway subnet only
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET, by_dependency=False)),
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET, "10.100.6.17")),  # a single address
    (container_app_ingress_restricted, s.container_app()),  # internal ingress: the environment only
    (container_app_ingress_restricted, s.container_app(external=True, ip_security_restrictions=s.unknown())),
    (container_app_https_only, s.container_app()),
    (managed_environment_internal, s.managed_environment()),
    (secrets_in_key_vault, s.container_app()),
    (secrets_in_key_vault, s.container_app(containers=[s.container(env=[
        env("KEY_VAULT_URI", "https://kv-aip-prod-eus2.vault.azure.net/"), env("MAX_TOKENS", "4096"),
        env("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=0000;IngestionEndpoint=https://x")])])),
    (secrets_in_key_vault, s.web_app()),
    (storage_shared_key_disabled, s.storage_account()),
    (storage_private_access, s.storage_account()),
    (storage_private_access, s.storage_account(network_rule_set=None)),  # closed: the firewall is moot
    (storage_secure_transport, s.storage_account()),
    (messaging_local_auth_disabled, s.event_hub()),
    (messaging_local_auth_disabled, s.service_bus()),
    (messaging_private_access, s.event_hub()),
    (messaging_private_access, s.service_bus()),
    (messaging_private_access, s.service_bus(public_network_access="SecuredByPerimeter")),  # network security perimeter
    (messaging_tls, s.event_hub()),
    (messaging_tls, s.service_bus()),
    (web_app_secure_transport, s.web_app()),
    (web_app_secure_transport, s.web_app(site={"min_tls_version": None})),  # App Service defaults to 1.2
    (web_app_secure_transport, s.web_app(site={"scm_min_tls_version": "1.3"})),
    (web_app_remote_debugging_disabled, s.web_app()),  # absent: Azure's default is off
    (web_app_remote_debugging_disabled, s.web_app(site={"remote_debugging_enabled": False})),
    (web_app_private_access, s.web_app()),
]

# (policy, insecure program, a fragment of the message) — each must fail with exactly that policy.
FAILING = [
    (cognitive_services_private_access, s.openai_account(public_network_access="Enabled"), "is 'Enabled'"),
    (cognitive_services_private_access, s.openai_account(public_network_access=None),
     "publicNetworkAccess is absent (Azure's default: Enabled)"),
    (cognitive_services_private_access, s.openai_account(network_acls=None),
     "defaultAction is absent (Azure's default: Allow)"),
    (cognitive_services_local_auth_disabled, s.openai_account(disable_local_auth=False), "API keys"),
    (cognitive_services_local_auth_disabled, s.openai_account(disable_local_auth=None), "API keys"),
    (cognitive_services_outbound_restricted, s.openai_account(restrict_outbound_network_access=False),
     "restrictOutboundNetworkAccess is 'False'"),
    (cognitive_services_outbound_restricted, s.openai_account(restrict_outbound_network_access=None),
     "absent (Azure's default: false)"),
    (cognitive_services_custom_subdomain, s.openai_account(custom_sub_domain_name=None), "customSubDomainName"),
    (managed_identity_present, s.openai_account(identity=False), "no managed identity"),
    (managed_identity_present, s.container_app(identity=False), "no managed identity"),
    (managed_identity_present, s.web_app(identity=False), "no managed identity"),
    (redis_enterprise_private_access, s.redis_cluster(public_network_access="Enabled"), "is 'Enabled'"),
    (redis_enterprise_tls, s.redis_cluster(minimum_tls_version="1.0"), "'1.0'"),
    (redis_enterprise_tls, s.redis_database(client_protocol="Plaintext"), "Plaintext"),
    (redis_enterprise_access_keys_disabled, s.redis_database(access_keys_authentication="Enabled"), "Entra"),
    (redis_enterprise_access_keys_disabled, s.redis_database(access_keys_authentication=None), "absent"),
    (redis_classic_retired, s.classic_redis(), "no longer accepts new caches"),
    (redis_classic_private_access, s.classic_redis(public_network_access=None),
     "absent (Azure's default: Enabled)"),
    (redis_classic_tls, s.classic_redis(enable_non_ssl_port=True), "6379"),
    (redis_classic_tls, s.classic_redis(minimum_tls_version="1.1"), "'1.1'"),
    (redis_classic_tls, s.classic_redis(minimum_tls_version=None), "minimumTlsVersion is absent"),
    (key_vault_rbac_authorization, s.key_vault(enable_rbac_authorization=None), "enableRbacAuthorization"),
    (key_vault_rbac_authorization, s.key_vault(access_policies=[keyvault.AccessPolicyEntryArgs(
        tenant_id=s.TENANT, object_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
        permissions=keyvault.PermissionsArgs(secrets=["get", "list"]))]), "accessPolicies"),
    (key_vault_private_access, s.key_vault(public_network_access=None), "is 'enabled'"),
    (key_vault_private_access, s.key_vault(network_acls=None), "absent (Azure's default: Allow)"),
    (nsg_no_internet_inbound, s.nsg(s.rule("ssh", destination_port_range="22")), "rule 'ssh'"),
    (nsg_no_internet_inbound, s.nsg(s.rule("any", source_address_prefix="*", destination_port_range="*")),
     "port(s) *"),
    (nsg_no_internet_inbound, s.nsg(s.rule(
        "rdp", source_address_prefix=None, source_address_prefixes=["10.0.0.0/8", "0.0.0.0/0"],
        destination_port_range=None, destination_port_ranges=["443", "3389"])), "port(s) 3389"),
    (nsg_no_internet_inbound, s.security_rule(source_address_prefix="Internet", destination_port_range="1-1024"),
     "1-1024"),
    (subnet_private_endpoint_policies, s.subnet(private_endpoint_network_policies="Disabled"), "'Disabled'"),
    (subnet_private_endpoint_policies, s.subnet(private_endpoint_network_policies=None),  # the SDK fills Disabled
     "'Disabled'"),
    (subnet_private_endpoint_policies, s.vnet(s.inline_subnet(
        "snet-pe", private_endpoint_network_policies="RouteTableEnabled")), "'RouteTableEnabled'"),
    (public_ip_standard_sku, s.public_ip(sku=network.PublicIPAddressSkuArgs(name="Basic")), "'Basic'"),
    (public_ip_standard_sku, s.public_ip(sku=None), "sku.name is absent"),
    (role_assignment_not_privileged, role_assignment(OWNER), "'Owner'"),
    (role_assignment_not_privileged, role_assignment(PRIVILEGED["User Access Administrator"]),
     "'User Access Administrator'"),
    (role_assignment_resource_scope, role_assignment(scope=s.SUB), "broad scope"),
    (role_assignment_resource_scope, role_assignment(scope=f"{s.SUB}/resourceGroups/{s.RG}"), "broad scope"),
    (app_gateway_waf_v2, s.app_gateway(sku=network.ApplicationGatewaySkuArgs(
        name="Standard_v2", tier="Standard_v2")), "use WAF_v2"),
    (app_gateway_waf_v2, s.app_gateway(firewall_policy=None), "no WAF policy"),
    (app_gateway_no_inline_waf, s.app_gateway(
        web_application_firewall_configuration=network.ApplicationGatewayWebApplicationFirewallConfigurationArgs(
            enabled=True, firewall_mode="Prevention", rule_set_type="OWASP", rule_set_version="3.2")), "2027"),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=None), "no sslPolicy"),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=network.ApplicationGatewaySslPolicyArgs(
        policy_type="Predefined", policy_name="AppGwSslPolicy20170401")), "AppGwSslPolicy20170401"),
    (app_gateway_tls_policy, s.app_gateway(ssl_policy=network.ApplicationGatewaySslPolicyArgs(
        policy_type="Custom", min_protocol_version="TLSv1_1")), "TLSv1_1"),
    (app_gateway_https_redirect, s.app_gateway(
        http_listeners=[listener("https", "Https"), listener("http", "Http")],
        request_routing_rules=[network.ApplicationGatewayRequestRoutingRuleArgs(
            name="http", priority=100, http_listener=network.SubResourceArgs(id=f"{s.GATEWAY}/httpListeners/http"),
            backend_address_pool=network.SubResourceArgs(id=f"{s.GATEWAY}/backendAddressPools/apps"))]),
     "HTTP listener 'http'"),
    (waf_policy_prevention, s.waf_policy(policy_settings=network.PolicySettingsArgs(
        state="Enabled", mode="Detection", request_body_check=True)), "'Detection'"),
    (waf_policy_prevention, s.waf_policy(policy_settings=network.PolicySettingsArgs(
        state="Disabled", mode="Prevention", request_body_check=False)), "requestBodyCheck"),
    (waf_policy_prevention, s.waf_policy(policy_settings=None), "mode is absent"),
    (waf_policy_managed_rule_set, s.waf_policy(managed_rules=network.ManagedRulesDefinitionArgs(
        managed_rule_sets=[network.ManagedRuleSetArgs(rule_set_type="OWASP", rule_set_version="3.1")])),
     "OWASP 3.1"),
    (container_app_no_public_ingress, s.serving(internal=False), "without the WAF"),
    (container_app_no_public_ingress, s.serving(internal=False, by_dependency=False), "'env', which is not"),
    (container_app_ingress_restricted, s.serving(), "without ipSecurityRestrictions"),
    (container_app_ingress_restricted, entry_app("10.100.0.0/16"), "the whole VNet range 10.100.0.0/16"),
    (container_app_ingress_restricted, entry_app(GATEWAY_SUBNET, "10.0.0.0/8"), "'10.0.0.0/8'"),
    (container_app_ingress_restricted, entry_app("10.0.0.0/8", by_dependency=False), "whole VNet range"),
    (container_app_ingress_restricted, entry_app("0.0.0.0/0"), "every address"),
    (container_app_ingress_restricted, entry_app("203.0.113.0/24", action="Deny"), "admit every other"),
    (container_app_https_only, s.container_app(allow_insecure=True), "allowInsecure"),
    (managed_environment_internal, s.managed_environment(vnet_configuration=None), "public ingress"),
    (managed_environment_internal, s.managed_environment(vnet_configuration=app.VnetConfigurationArgs(
        infrastructure_subnet_id="/subnets/x", internal=False)), "public ingress"),
    (secrets_in_key_vault, s.container_app(containers=[s.container(env=[env("OPENAI_API_KEY", "sk-123")])]),
     "'OPENAI_API_KEY'"),
    (secrets_in_key_vault, s.container_app(containers=[s.container(env=[
        env("STORAGE", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc==")])]), "'STORAGE'"),
    (secrets_in_key_vault, s.web_app(app_settings=[setting("DB_PASSWORD", "hunter2")]), "'DB_PASSWORD'"),
    (secrets_in_key_vault, s.web_app(app_settings=[setting(
        "AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc==")]),
     "'AzureWebJobsStorage'"),
    (secrets_in_key_vault, s.web_app(connection_strings=[web.ConnStringInfoArgs(
        name="db", connection_string="Server=x;Password=y", type=web.ConnectionStringType.SQL_AZURE)]),
     "connection string 'db'"),
    (storage_shared_key_disabled, s.storage_account(allow_shared_key_access=None),
     "absent (Azure's default: true)"),
    (storage_private_access, s.storage_account(allow_blob_public_access=True), "anonymous"),
    (storage_private_access, s.storage_account(public_network_access="Enabled", network_rule_set=None),
     "publicNetworkAccess is 'Enabled'; set it to 'Disabled'"),
    (storage_private_access, s.storage_account(public_network_access="Enabled"),  # firewall default Deny
     "publicNetworkAccess is 'Enabled'; set it to 'Disabled'"),
    (storage_private_access, s.storage_account(public_network_access=None),
     "publicNetworkAccess is absent (Azure's default: Enabled)"),
    (storage_secure_transport, s.storage_account(minimum_tls_version=None), "absent (Azure's default: TLS1_0)"),
    (storage_secure_transport, s.storage_account(minimum_tls_version="TLS1_1"), "'TLS1_1'"),
    (storage_secure_transport, s.storage_account(enable_https_traffic_only=False), "plain HTTP"),
    (messaging_local_auth_disabled, s.event_hub(disable_local_auth=False), "SAS keys"),
    (messaging_local_auth_disabled, s.service_bus(disable_local_auth=None), "SAS keys"),
    (messaging_private_access, s.event_hub(public_network_access=None), "'Enabled'"),  # the SDK's default
    (messaging_private_access, s.service_bus(public_network_access="Enabled"), "'Enabled'"),
    (messaging_tls, s.event_hub(minimum_tls_version="1.1"), "'1.1'"),
    (messaging_tls, s.service_bus(minimum_tls_version=None), "absent"),
    (web_app_secure_transport, s.web_app(https_only=None), "httpsOnly"),
    (web_app_secure_transport, s.web_app(site={"min_tls_version": "1.0"}), "'1.0'"),
    (web_app_secure_transport, s.web_app(site={"ftps_state": "AllAllowed"}), "'AllAllowed'"),
    (web_app_secure_transport, s.web_app(site={"ftps_state": None}), "ftpsState is absent"),
    (web_app_secure_transport, s.web_app(site={"scm_min_tls_version": "1.0"}), "scmMinTlsVersion is '1.0'"),
    (web_app_remote_debugging_disabled, s.web_app(site={"remote_debugging_enabled": True}),
     "remoteDebuggingEnabled is true"),
    (web_app_private_access, s.web_app(public_network_access=None), "absent (Azure's default: Enabled)"),
]


@pytest.mark.parametrize("policy, program", PASSING, ids=case_ids(__file__, "PASSING", PASSING))
def test_secure_setting_passes(policy: Any, program: s.Program) -> None:
    found, messages = fired(policy, program)
    assert found == set(), messages


@pytest.mark.parametrize("policy, program, fragment", FAILING, ids=case_ids(__file__, "FAILING", FAILING))
def test_insecure_setting_fails(policy: Any, program: s.Program, fragment: str) -> None:
    found, messages = fired(policy, program)
    assert found == {policy.name}
    assert fragment in messages


def test_every_security_policy_has_pass_and_fail_cases() -> None:
    passing, failing = {c[0].name for c in PASSING}, {c[0].name for c in FAILING}
    every = {p.name for p in AREA}
    assert every - failing == set()
    assert every - passing == {"redis-classic-retired"}  # every classic cache is flagged


def test_severity_follows_exposure() -> None:
    critical = {p.name for p in AREA if p.severity == Severity.CRITICAL}
    assert {"cognitive-services-local-auth-disabled", "storage-shared-key-disabled", "nsg-no-internet-inbound",
            "container-app-no-public-ingress", "key-vault-private-access"} <= critical
    assert app_gateway_tls_policy.severity == Severity.HIGH
    assert role_assignment_not_privileged.severity == Severity.HIGH


def test_internet_ports_are_configurable() -> None:
    http = s.nsg(s.rule("http", destination_port_range="80"))
    assert fired(nsg_no_internet_inbound, http)[0] == set()
    strict = file_config({"nsg-no-internet-inbound": {"allowedInternetPorts": ["443", "65200-65535"]}})
    assert fired(nsg_no_internet_inbound, http, strict)[0] == {"nsg-no-internet-inbound"}


def test_storage_firewall_is_accepted_only_when_configured() -> None:
    """`acceptFirewallDenyByDefault` relaxes storage-private-access to the account firewall: an open
    endpoint that denies by default passes, one that allows by default still fails."""
    firewall = file_config({"storage-private-access": {"acceptFirewallDenyByDefault": True}})
    denied = s.storage_account(public_network_access="Enabled")
    assert fired(storage_private_access, denied)[0] == {"storage-private-access"}
    assert fired(storage_private_access, denied, firewall)[0] == set()
    found, messages = fired(storage_private_access, s.storage_account(
        public_network_access="Enabled", network_rule_set=None), firewall)
    assert found == {"storage-private-access"} and "reachable from any network" in messages


def test_unrestricted_entry_app_is_reported_on_the_app() -> None:
    found = evaluate([container_app_ingress_restricted], sdk_resources(entry_app("10.100.0.0/16")))
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in found] == [("container-app-ingress-restricted", "api")]


def test_preview_unknown_subnet_id_finds_the_vnet_by_dependency() -> None:
    resources = sdk_resources(entry_app("10.100.0.0/16"))
    environment = next(r for r in resources if r.type == T.MANAGED_ENVIRONMENT)
    environment.inputs["vnetConfiguration"]["infrastructureSubnetId"] = UNKNOWN
    assert names(evaluate([container_app_ingress_restricted], resources)) == {"container-app-ingress-restricted"}
    # Without the dependency either, the VNet is unknown: only the missing or all-open restrictions count.
    environment.property_dependencies["vnetConfiguration"] = []
    assert evaluate([container_app_ingress_restricted], resources) == []


def test_broad_scope_allow_list() -> None:
    reader = "acdd72a7-3385-4ef4-8e8c-76f8b6ee0f54"
    program = role_assignment(reader, scope=s.SUB)
    assert fired(role_assignment_resource_scope, program)[0] == {"role-assignment-resource-scope"}
    allowed = file_config({"role-assignment-resource-scope": {"broadScopeRoleIds": [reader]}})
    assert fired(role_assignment_resource_scope, program, allowed)[0] == set()


def test_secret_names_are_configurable() -> None:
    program = s.web_app(app_settings=[setting("FEATURE_TOKEN", "on")])
    assert fired(secrets_in_key_vault, program)[0] == {"secrets-in-key-vault"}
    relaxed = file_config({"secrets-in-key-vault": {"nonSecretNames": ["FEATURE_TOKEN"]}})
    assert fired(secrets_in_key_vault, program, relaxed)[0] == set()


def test_public_container_app_is_reported_on_the_app() -> None:
    found = evaluate([container_app_no_public_ingress], sdk_resources(s.serving(internal=False)))
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in found] == [("container-app-no-public-ingress", "api")]


def test_plain_secret_value_in_container_app_config() -> None:
    program = lambda: app.ContainerApp(  # noqa: E731
        "api", resource_group_name=s.RG, managed_environment_id="/env",
        configuration=app.ConfigurationArgs(secrets=[app.SecretArgs(name="openai-key", value="sk-123")]))
    found, messages = fired(secrets_in_key_vault, program)
    assert found == {"secrets-in-key-vault"} and "secret 'openai-key' holds its value" in messages


def test_analyzer_unwraps_pulumi_secrets_before_policies_see_them() -> None:
    """Why no policy checks that Key Vault secret values are Pulumi secrets: the engine sends the
    secret wrapped, but pulumi-policy unwraps it before validation, so both look the same."""
    seen: list[Any] = []
    probe = resource_policy(
        name="probe", description="records secret values", checklist=["SEC-2"], severity=Severity.LOW,
        remediation="n/a", types=[T.KEY_VAULT_SECRET],
        check=lambda args, config: seen.append(args.props["properties"]["value"]) or [])

    def program() -> None:
        for name, value in (("from-config", pulumi.Output.secret("s3cr3t")), ("literal", "s3cr3t")):
            keyvault.Secret(name, resource_group_name=s.RG, vault_name="kv-aip-prod-eus2", secret_name=name,
                            properties=keyvault.SecretPropertiesArgs(value=value))

    resources = sdk_resources(program)
    # Registration order follows how outputs resolve, so look the two up by name.
    values = {r.name: r.inputs["properties"]["value"] for r in resources}
    assert values == {"from-config": {SIG_KEY: SECRET_SIG, "value": "s3cr3t"}, "literal": "s3cr3t"}
    assert evaluate([probe], resources) == []
    assert seen == ["s3cr3t", "s3cr3t"]
