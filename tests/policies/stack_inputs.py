"""Builders shared by the stack-policy (relations) tests: a tagged resource group, a private Key Vault,
a WAF-fronted gateway, and lookups on the recorded resources."""

from __future__ import annotations

import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources

from dryrun.model import Resource

TAGS = {"environment": "prod", "owner": "ai-platform-team", "cost-center": "cc-ai-prod"}

def one(resources_: list[Resource], type_token: str, name: str | None = None) -> Resource:
    found = [r for r in resources_ if r.type == type_token and (name is None or r.name == name)]
    assert len(found) == 1, found
    return found[0]


def messages(found: list) -> list[str]:
    return [v.message.splitlines()[-1] for v in found]  # after the policy's description


def group(location: str = "eastus2") -> resources.ResourceGroup:
    return resources.ResourceGroup(f"rg-{location}", resource_group_name=f"rg-ai-{location}", location=location,
                                   tags=TAGS)


def vault(group: resources.ResourceGroup, name: str = "kv", public: str = "Disabled") -> keyvault.Vault:
    return keyvault.Vault(name, vault_name=f"{name}-ai-prod", resource_group_name=group.name, tags=TAGS,
                          properties=keyvault.VaultPropertiesArgs(
                              tenant_id="t", public_network_access=public, enable_rbac_authorization=True,
                              sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.PREMIUM)))


def without_dependencies(r: Resource, *props: str) -> None:
    for prop in props:
        r.property_dependencies[prop] = []
    r.dependencies = []


def where(found: list) -> list[tuple[str, str]]:
    return [(v.urn.rsplit("::", 1)[-1], messages([v])[0]) for v in found]

WORKSPACE_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"

def gateway(group: resources.ResourceGroup, location: str, waf: bool = True) -> network.PublicIPAddress:
    ip = network.PublicIPAddress(
        f"pip-{location}", public_ip_address_name=f"pip-agw-{location}", resource_group_name=group.name,
        location=location, sku=network.PublicIPAddressSkuArgs(name="Standard"), tags=TAGS)
    policy = network.WebApplicationFirewallPolicy(
        f"waf-{location}", resource_group_name=group.name, location=location, tags=TAGS,
        managed_rules=network.ManagedRulesDefinitionArgs(managed_rule_sets=[
            network.ManagedRuleSetArgs(rule_set_type="Microsoft_DefaultRuleSet", rule_set_version="2.1")]))
    network.ApplicationGateway(
        f"agw-{location}", resource_group_name=group.name, location=location, tags=TAGS,
        sku=network.ApplicationGatewaySkuArgs(name="WAF_v2", tier="WAF_v2"),
        firewall_policy=network.SubResourceArgs(id=policy.id) if waf else None,
        frontend_ip_configurations=[network.ApplicationGatewayFrontendIPConfigurationArgs(
            name="public", public_ip_address=network.SubResourceArgs(id=ip.id))])
    return ip
