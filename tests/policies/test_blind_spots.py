"""Checks PSRule for Azure, Checkov and Azure Policy built-ins have that the pack lacked (issue 14):
for each policy a compliant and a violating case, on inputs the real SDK produces. A case is
`(policy, program, config)` in PASSING and `(policy, program, config, fragment of the message)` in
FAILING; `config` is the policy's pack config (None: its defaults)."""

from __future__ import annotations

from typing import Any

import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.dataprotection as dataprotection
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network
import pulumi_azure_native.privatedns as privatedns
import pulumi_azure_native.storage as storage
import pulumi_azure_native.web as web
import pytest

from policies.azure.roles import PRIVILEGED, ROLES
from policies.relations.observability import service_health_alert
from policies.relations.private_link import private_dns_zone_wiring
from policies.relations.storage import blob_service_declared
from policies.rules.authorization import role_assignment_no_standing_privilege
from policies.rules.backup import backup_vault_cross_region_restore
from policies.rules.cognitive_services import (
    openai_deployment_content_filter,
    openai_deployment_data_processing,
    openai_deployment_version_pinned,
)
from policies.rules.identity import secrets_in_key_vault
from policies.rules.key_vault import key_vault_secret_expiry
from policies.rules.network import nsg_no_internet_inbound, subnet_no_default_outbound, vnet_ddos_protection
from policies.rules.resources import zone_redundancy
from policies.rules.storage import blob_cors_restricted, storage_cross_tenant_replication_disabled
from policies.rules.waf_policy import waf_policy_not_weakened
from tests.policies import secure_inputs as s
from tests.policies.support import case_ids, evaluate, file_config, names, sdk_resources

AREA = [
    role_assignment_no_standing_privilege, openai_deployment_content_filter, openai_deployment_data_processing,
    openai_deployment_version_pinned, key_vault_secret_expiry, storage_cross_tenant_replication_disabled,
    blob_cors_restricted, waf_policy_not_weakened, service_health_alert, private_dns_zone_wiring,
    subnet_no_default_outbound, vnet_ddos_protection, backup_vault_cross_region_restore, blob_service_declared,
]
GROUP_SCOPE = f"{s.SUB}/resourceGroups/{s.RG}"
DATA_ZONE = file_config({"openai-deployment-data-processing": {"dataProcessing": "datazone"}})
REGIONAL = file_config({"openai-deployment-data-processing": {"dataProcessing": "regional"}})
PINNED = file_config({"openai-deployment-version-pinned": {"requireNoAutoUpgrade": True}})
ZONES = file_config({"zone-redundancy": {"requireZoneRedundancy": True}})
DDOS = file_config({"vnet-ddos-protection": {"requireDdosProtection": True}})
CROSS_REGION = file_config({"backup-vault-cross-region-restore": {"requireCrossRegionRestore": True}})
ACTION_GROUP = f"{GROUP_SCOPE}/providers/Microsoft.Insights/actionGroups/ag-aip"
EXPIRES = 1_830_297_600  # 2028-01-01T00:00:00Z, in the seconds since the epoch Key Vault takes


def grant(role: str, principal_type: str, scope: str = GROUP_SCOPE) -> s.Program:
    return lambda: authorization.RoleAssignment(
        "grant", principal_id="0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", principal_type=principal_type,
        role_definition_id=f"{s.SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}", scope=scope)


def deployment(**overrides: Any) -> s.Program:
    args = {"sku": "DataZoneStandard", "rai_policy_name": "Microsoft.DefaultV2",
            "version_upgrade_option": "NoAutoUpgrade", **overrides}
    sku = args.pop("sku")
    return lambda: cognitiveservices.Deployment(
        "chat", resource_group_name=s.RG, account_name="oai-aip-prod-eus2", deployment_name="chat",
        sku=cognitiveservices.SkuArgs(name=sku, capacity=50),
        properties=cognitiveservices.DeploymentPropertiesArgs(
            model=cognitiveservices.DeploymentModelArgs(format="OpenAI", name="gpt-4o", version="2024-11-20"), **args))


def secret(**overrides: Any) -> s.Program:
    args = {"content_type": "text/plain", "attributes": keyvault.SecretAttributesArgs(enabled=True, expires=EXPIRES),
            **overrides}
    return lambda: keyvault.Secret(
        "secret", resource_group_name=s.RG, vault_name="kv-aip-prod-eus2", secret_name="search-key",
        properties=keyvault.SecretPropertiesArgs(value="x", **args))


def cors(*origins: str) -> s.Program:
    return s.blob_service(cors=storage.CorsRulesArgs(cors_rules=[storage.CorsRuleArgs(
        allowed_origins=list(origins), allowed_methods=["GET"], allowed_headers=["*"], exposed_headers=["*"],
        max_age_in_seconds=3600)]))


def settings(**pairs: str) -> s.Program:
    return lambda: web.WebAppApplicationSettings(
        "func-settings", name="func-aip-prod-eus2", resource_group_name=s.RG, properties=pairs)


def connection_strings(value: str) -> s.Program:
    return lambda: web.WebAppConnectionStrings(
        "func-connections", name="func-aip-prod-eus2", resource_group_name=s.RG,
        properties={"db": web.ConnStringValueTypePairArgs(value=value, type=web.ConnectionStringType.SQL_AZURE)})


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


def plan(tier: str, name: str, capacity: int | None = None, zone_redundant: bool | None = True) -> s.Program:
    return lambda: web.AppServicePlan(
        "plan", name="asp-aip", resource_group_name=s.RG, kind="elastic", reserved=True,
        sku=web.SkuDescriptionArgs(name=name, tier=tier, capacity=capacity), zone_redundant=zone_redundant)


def served(category: str | None = "ServiceHealth", enabled: bool = True) -> s.Program:
    """An OpenAI account (a serving stack) with an activity log alert on `category` (None: no alert)."""
    def build() -> None:
        s.openai_account()()
        if category is not None:
            monitor.ActivityLogAlert(
                "health", resource_group_name=s.RG, location="global", enabled=enabled, scopes=[s.SUB],
                condition=monitor.AlertRuleAllOfConditionArgs(all_of=[
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(field="category", equals=category)]),
                actions=monitor.ActionListArgs(action_groups=[monitor.ActionGroupArgs(action_group_id=ACTION_GROUP)]))
    return build


def ddos_vnet() -> s.Program:
    plan = f"{GROUP_SCOPE}/providers/Microsoft.Network/ddosProtectionPlans/ddos-aip"
    return lambda: network.VirtualNetwork(
        "vnet", resource_group_name=s.RG, virtual_network_name="vnet-aip",
        address_space=network.AddressSpaceArgs(address_prefixes=["10.100.0.0/16"]),
        enable_ddos_protection=True, ddos_protection_plan=network.SubResourceArgs(id=plan))


def geo_vault(cross_region: str | None) -> s.Program:
    restore = dataprotection.CrossRegionRestoreSettingsArgs(state=cross_region) if cross_region else None
    features = dataprotection.FeatureSettingsArgs(cross_region_restore_settings=restore) if restore else None
    return lambda: dataprotection.BackupVault(
        "backup", resource_group_name=s.RG, vault_name="bvault-aip",
        identity=dataprotection.DppIdentityDetailsArgs(type="SystemAssigned"),
        properties=dataprotection.BackupVaultArgs(
            storage_settings=[dataprotection.StorageSettingArgs(datastore_type="VaultStore", type="GeoRedundant")],
            feature_settings=features))


def account_with(blob_service: bool) -> s.Program:
    def build() -> None:
        s.storage_account()()
        if blob_service:
            s.blob_service()()
    return build


def inbound(protocol: str) -> s.Program:
    return s.nsg(s.rule("https", protocol=protocol))


def wired_endpoint(zone: str = "privatelink.vaultcore.azure.net", linked_vnet: str = "vnet-aip",
                   zone_by_id: bool = False) -> s.Program:
    """A Key Vault's private endpoint in vnet-aip; its zone group writes into `zone`, linked to `linked_vnet`."""
    def build() -> None:
        vnets = {n: network.VirtualNetwork(n, resource_group_name=s.RG, virtual_network_name=n,
                                           address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
                 for n in {"vnet-aip", linked_vnet}}
        subnet = network.Subnet("snet-pe", resource_group_name=s.RG, virtual_network_name=vnets["vnet-aip"].name,
                                subnet_name="snet-pe", address_prefix="10.0.1.0/24")
        endpoint = network.PrivateEndpoint(
            "kv-pe", resource_group_name=s.RG, private_endpoint_name="kv-pe",
            subnet=network.SubnetArgs(id=subnet.id),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="vault", group_ids=["vault"],
                private_link_service_id=f"{GROUP_SCOPE}/providers/Microsoft.KeyVault/vaults/kv-aip-prod-eus2")])
        dns_zone = privatedns.PrivateZone(zone, resource_group_name=s.RG, private_zone_name=zone, location="global")
        privatedns.VirtualNetworkLink(
            f"{zone}-link", resource_group_name=s.RG, private_zone_name=dns_zone.name, location="global",
            virtual_network_link_name="link", registration_enabled=False,
            virtual_network=privatedns.SubResourceArgs(id=vnets[linked_vnet].id))
        zone_id = f"{GROUP_SCOPE}/providers/Microsoft.Network/privateDnsZones/{zone}" if zone_by_id else dns_zone.id
        network.PrivateDnsZoneGroup(
            "kv-pe-dns", resource_group_name=s.RG, private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[network.PrivateDnsZoneConfigArgs(name="zone", private_dns_zone_id=zone_id)])
    return build


def account_endpoint(kind: str, zones: tuple[str, ...] = ("privatelink.cognitiveservices.azure.com",)) -> s.Program:
    """A Cognitive Services account of `kind` behind an `account` private endpoint whose zone group writes
    into `zones` (each declared and linked to the endpoint's VNet)."""
    def build() -> None:
        vnet = network.VirtualNetwork("vnet-aip", resource_group_name=s.RG, virtual_network_name="vnet-aip",
                                      address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
        subnet = network.Subnet("snet-pe", resource_group_name=s.RG, virtual_network_name=vnet.name,
                                subnet_name="snet-pe", address_prefix="10.0.1.0/24")
        account = cognitiveservices.Account("cv", resource_group_name=s.RG, account_name="cv-aip", kind=kind,
                                            sku=cognitiveservices.SkuArgs(name="S0"))
        endpoint = network.PrivateEndpoint(
            "cv-pe", resource_group_name=s.RG, private_endpoint_name="cv-pe", subnet=network.SubnetArgs(id=subnet.id),
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name="account", group_ids=["account"], private_link_service_id=account.id)])
        configs = []
        for zone in zones:
            dns_zone = privatedns.PrivateZone(zone, resource_group_name=s.RG, private_zone_name=zone, location="global")
            privatedns.VirtualNetworkLink(
                f"{zone}-link", resource_group_name=s.RG, private_zone_name=dns_zone.name, location="global",
                virtual_network_link_name="link", registration_enabled=False,
                virtual_network=privatedns.SubResourceArgs(id=vnet.id))
            configs.append(network.PrivateDnsZoneConfigArgs(name=zone, private_dns_zone_id=dns_zone.id))
        network.PrivateDnsZoneGroup("cv-pe-dns", resource_group_name=s.RG, private_endpoint_name=endpoint.name,
                                    private_dns_zone_group_name="default", private_dns_zone_configs=configs)
    return build


PASSING = [
    # Computer Vision answers on <name>.cognitiveservices.azure.com only: the openai zones are not needed.
    (private_dns_zone_wiring, account_endpoint("ComputerVision"), None),
    (role_assignment_no_standing_privilege, grant(PRIVILEGED["Owner"], "User", f"{GROUP_SCOPE}/providers/"
                                                  "Microsoft.KeyVault/vaults/kv-aip-prod-eus2"), None),
    (role_assignment_no_standing_privilege, grant(ROLES["Key Vault Secrets User"], "Group"), None),
    (openai_deployment_content_filter, deployment(), None),
    (openai_deployment_data_processing, deployment(), DATA_ZONE),
    (openai_deployment_data_processing, deployment(sku="GlobalStandard"), None),  # the default allows Global
    (openai_deployment_data_processing, deployment(sku="Standard"), REGIONAL),
    (openai_deployment_version_pinned, deployment(), PINNED),
    (openai_deployment_version_pinned, deployment(version_upgrade_option=None), None),  # not required by default
    (key_vault_secret_expiry, secret(), None),
    (storage_cross_tenant_replication_disabled, s.storage_account(allow_cross_tenant_replication=False), None),
    (blob_cors_restricted, cors("https://app.contoso.com"), None),
    (blob_cors_restricted, s.blob_service(), None),
    (secrets_in_key_vault, settings(COSMOS_PARTITION_KEY="/tenantId",
                                    OPENAI_KEY="@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/k)"),
     None),
    (nsg_no_internet_inbound, inbound("Tcp"), None),
    (waf_policy_not_weakened, s.waf_policy(), None),
    (subnet_no_default_outbound, s.subnet(default_outbound_access=False), None),
    (subnet_no_default_outbound, s.subnet("GatewaySubnet"), None),  # Azure's reserved subnets are left alone
    (vnet_ddos_protection, s.vnet(), None),  # not required by default
    (vnet_ddos_protection, ddos_vnet(), DDOS),
    (backup_vault_cross_region_restore, geo_vault(None), None),  # not required by default
    (backup_vault_cross_region_restore, geo_vault("Enabled"), CROSS_REGION),
    (blob_service_declared, account_with(blob_service=True), None),
    (service_health_alert, served(), None),
    (private_dns_zone_wiring, wired_endpoint(), None),
    (private_dns_zone_wiring, wired_endpoint(zone_by_id=True), None),
    (service_health_alert, served("ResourceHealth"), None),
    (zone_redundancy, plan("ElasticPremium", "EP1", capacity=2), ZONES),
    (zone_redundancy, plan("FlexConsumption", "FC1"), ZONES),
    (waf_policy_not_weakened, waf(overridden("Enabled", "Block"), BOTS), None),
    (waf_policy_not_weakened, waf(DRS, BOTS, exclusions=[exclusion("Equals", "prompt", scoped=True)]), None),
]

FAILING = [
    (role_assignment_no_standing_privilege, grant(PRIVILEGED["Owner"], "Group"), None, "'Owner' to a group"),
    (role_assignment_no_standing_privilege, grant(PRIVILEGED["Role Based Access Control Administrator"], "User",
                                                  s.SUB), None, "'Role Based Access Control Administrator' to a user"),
    (openai_deployment_content_filter, deployment(rai_policy_name=None), None, "raiPolicyName is absent"),
    (openai_deployment_content_filter, deployment(rai_policy_name="Microsoft.Nil"), None, "not filtered"),
    (openai_deployment_data_processing, deployment(sku="GlobalStandard"), DATA_ZONE, "outside the data zone"),
    (openai_deployment_data_processing, deployment(sku="DataZoneStandard"), REGIONAL, "outside the region"),
    (openai_deployment_version_pinned, deployment(version_upgrade_option=None), PINNED,
     "absent (Azure's default: OnceNewDefaultVersionAvailable)"),
    (openai_deployment_version_pinned, deployment(version_upgrade_option="OnceCurrentVersionExpired"), PINNED,
     "'OnceCurrentVersionExpired'"),
    (key_vault_secret_expiry, secret(attributes=keyvault.SecretAttributesArgs(enabled=True)), None,
     "attributes.expires is absent"),
    (key_vault_secret_expiry, secret(content_type=None), None, "contentType is absent"),
    (storage_cross_tenant_replication_disabled, s.storage_account(allow_cross_tenant_replication=None), None,
     "allowCrossTenantReplication is absent"),
    (blob_cors_restricted, cors("https://app.contoso.com", "*"), None, "every origin"),
    (secrets_in_key_vault, settings(DB_PASSWORD="hunter2"), None, "app setting 'DB_PASSWORD'"),
    (secrets_in_key_vault, connection_strings("Server=db;Password=y"), None, "connection string 'db'"),
    (nsg_no_internet_inbound, inbound("Udp"), None, "over protocol 'Udp'"),
    (nsg_no_internet_inbound, inbound("*"), None, "over protocol '*'"),
    (waf_policy_not_weakened, waf(overridden("Disabled"), BOTS), None, "rule 942430 of SQLI"),
    (subnet_no_default_outbound, s.subnet(), None, "defaultOutboundAccess absent"),
    (subnet_no_default_outbound, s.vnet(s.inline_subnet("snet-apps", default_outbound_access=True)), None,
     "subnet 'snet-apps' has defaultOutboundAccess 'True'"),
    (vnet_ddos_protection, s.vnet(), DDOS, "no DDoS Network Protection plan"),
    (backup_vault_cross_region_restore, geo_vault(None), CROSS_REGION, "crossRegionRestoreSettings.state is absent"),
    (blob_service_declared, account_with(blob_service=False), None, "declares no blob service"),
    (service_health_alert, served(None), None, "no enabled activity log alert on Service Health"),
    (private_dns_zone_wiring, wired_endpoint(zone="privatelink.blob.core.windows.net"), None,
     "does not serve its group id"),
    (private_dns_zone_wiring, wired_endpoint(linked_vnet="vnet-hub-other"), None, "linked to no VNet hosting"),
    (private_dns_zone_wiring, account_endpoint("OpenAI"), None, "lacks zone 'privatelink.openai.azure.com'"),
    (service_health_alert, served("Administrative"), None, "no enabled activity log alert on Service Health"),
    (service_health_alert, served(enabled=False), None, "no enabled activity log alert on Service Health"),
    (zone_redundancy, plan("ElasticPremium", "EP1", capacity=1), ZONES, "at least two instances"),
    (zone_redundancy, plan("PremiumV3", "P1v3", capacity=3, zone_redundant=None), ZONES, "zoneRedundant is not true"),
    (waf_policy_not_weakened, waf(overridden(None, "Log"), BOTS), None, "only logged"),
    (waf_policy_not_weakened, waf(DRS), None, "no Microsoft_BotManagerRuleSet"),
    (waf_policy_not_weakened, waf(DRS, BOTS, exclusions=[exclusion("EqualsAny", "")]), None, "exempts every"),
    (waf_policy_not_weakened, waf(DRS, BOTS, exclusions=[exclusion("StartsWith", "x")]), None, "every rule"),
    (waf_policy_not_weakened, waf(network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet",
                                                             rule_set_version="2.0"), BOTS), None,
     "older than the current 2.1"),
]


@pytest.mark.parametrize("policy, program, config", PASSING, ids=case_ids(__file__, "PASSING", PASSING))
def test_compliant_setup_passes(policy: Any, program: s.Program, config: dict[str, Any] | None) -> None:
    found = evaluate([policy], sdk_resources(program), config)
    assert found == [], [v.message for v in found]


@pytest.mark.parametrize("policy, program, config, fragment", FAILING, ids=case_ids(__file__, "FAILING", FAILING))
def test_blind_spot_is_caught(policy: Any, program: s.Program, config: dict[str, Any] | None, fragment: str) -> None:
    found = evaluate([policy], sdk_resources(program), config)
    assert names(found) == {policy.name}
    assert any(fragment in v.message for v in found), [v.message for v in found]


def test_every_new_policy_has_pass_and_fail_cases() -> None:
    every = {p.name for p in AREA}
    assert every <= {c[0].name for c in PASSING} and every <= {c[0].name for c in FAILING}
