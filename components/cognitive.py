"""A keyless, private Azure AI services account of one kind: the seed's Computer Vision (vision
service) and Document Intelligence (text service).

The seed draws both boxes and declares neither. Here each is an account of its own kind per
serving region, secured like the OpenAI account: local (key) auth disabled, public network access
off with a deny-by-default ACL, outbound calls restricted, a private endpoint in the region's
endpoint subnet, audit logs to the region's workspace, and `Cognitive Services User` for the one
service that calls it, scoped to the account. Separate accounts (rather than one multi-service
`AIServices` account) keep each service's grant to the API it uses.

Settings: https://learn.microsoft.com/azure/ai-services/disable-local-auth (disableLocalAuth),
https://learn.microsoft.com/azure/ai-services/cognitive-services-virtual-networks (networkAcls,
publicNetworkAccess, private endpoints and the privatelink.cognitiveservices.azure.com zone),
https://learn.microsoft.com/azure/ai-services/cognitive-services-custom-subdomains (a custom
subdomain is required for Entra ID tokens and private endpoints), REST spec
Microsoft.CognitiveServices/accounts 2025-06-01 (the pinned SDK's version).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_azure_native.cognitiveservices as cognitiveservices

from .common import Common, RoleGrant
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output
from .private_endpoint import check_private_link, private_endpoint
from .rbac import check_grants, consumer_grants, grant_all

COGNITIVE_USER = "Cognitive Services User"
# Log categories of Microsoft.CognitiveServices/accounts, every kind alike:
# https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-cognitiveservices-accounts-logs
LOG_CATEGORIES = ("Audit", "RequestResponse", "Trace")
# Single-service accounts answer on <subdomain>.cognitiveservices.azure.com only.
ZONES = ("privatelink.cognitiveservices.azure.com",)
# The private-link group (sub-resource) of a Cognitive Services account's endpoint.
PRIVATE_LINK_GROUP = "account"
_SUBDOMAIN_MAX = 64

Kind = Literal["ComputerVision", "FormRecognizer"]


@dataclass(frozen=True)
class KindSpec:
    sku: str  # the paid tier; F0 has no private endpoint support and one free account per subscription
    prefix: str  # short name part of the globally unique subdomain
    endpoint_variable: str  # the environment variable the consuming service reads


# https://learn.microsoft.com/azure/ai-services/computer-vision/overview (S1) and
# https://learn.microsoft.com/azure/ai-services/document-intelligence/overview (S0); variable names
# follow the Azure SDKs' samples (VISION_ENDPOINT, DOCUMENTINTELLIGENCE_ENDPOINT).
KINDS: dict[str, KindSpec] = {
    "ComputerVision": KindSpec(sku="S1", prefix="cv", endpoint_variable="AZURE_VISION_ENDPOINT"),
    "FormRecognizer": KindSpec(sku="S0", prefix="di", endpoint_variable="AZURE_DOCUMENT_INTELLIGENCE_ENDPOINT"),
}


class CognitiveAccountError(pulumi.RunError):
    """CognitiveAccount was given inputs it cannot build securely."""


def keyless_private_properties(subdomain: pulumi.Input[str]) -> cognitiveservices.AccountPropertiesArgs:
    """Account properties every AI account in the stack shares (OpenAI included): Entra ID only,
    no public network path, and no outbound calls (an empty allow-list: nothing the account does
    needs to reach another host)."""
    return cognitiveservices.AccountPropertiesArgs(
        custom_sub_domain_name=subdomain,
        disable_local_auth=True,
        public_network_access=cognitiveservices.PublicNetworkAccess.DISABLED,
        # No trusted-service exception: nothing in the stack calls the account from outside the VNet.
        network_acls=cognitiveservices.NetworkRuleSetArgs(
            default_action=cognitiveservices.NetworkRuleAction.DENY,
            bypass=cognitiveservices.ByPassSelection.NONE,
            ip_rules=[],
            virtual_network_rules=[],
        ),
        restrict_outbound_network_access=True,
        allowed_fqdn_list=[],
    )


def system_principal_id(identity: cognitiveservices.outputs.IdentityResponse | None) -> str:
    if identity is None or not identity.principal_id:
        raise CognitiveAccountError("the AI services account reported no system-assigned identity")
    return identity.principal_id


@dataclass(frozen=True)
class CognitiveAccountArgs:
    common: Common
    kind: Kind
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # The Pulumi stack and the Entra tenant, hashed into the globally unique subdomain.
    stack: str
    tenant_id: pulumi.Input[str]
    # Workload name -> principal id; each gets Cognitive Services User on this account only.
    consumers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def _grants(args: CognitiveAccountArgs) -> list[RoleGrant]:
    return consumer_grants(COGNITIVE_USER, args.consumers, args.common.role_grants)


def _check(name: str, args: CognitiveAccountArgs) -> KindSpec:
    spec = KINDS.get(args.kind)
    if spec is None:
        raise CognitiveAccountError(f"{name}: kind '{args.kind}' is not supported; use one of {', '.join(KINDS)}")
    check_private_link(name, args.common, PRIVATE_LINK_GROUP, ZONES)
    check_grants(name, _grants(args))
    check_parts(name, base_name=args.base_name, location=args.common.location)
    return spec


class CognitiveAccount(pulumi.ComponentResource):
    """A private, keyless Computer Vision or Document Intelligence account."""

    account: cognitiveservices.Account
    account_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    endpoint_variable: str
    principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: CognitiveAccountArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = _check(name, args)
        super().__init__("ai-platform:cognitive:CognitiveAccount", name, None, opts)
        common = args.common
        subdomain = unique_name_output(spec.prefix, base_name=args.base_name, location=common.location,
                                       stack=args.stack, tenant_id=args.tenant_id, max_length=_SUBDOMAIN_MAX)
        self.account = cognitiveservices.Account(
            name,
            account_name=subdomain,
            resource_group_name=common.resource_group_name,
            location=common.location,
            kind=args.kind,
            sku=cognitiveservices.SkuArgs(name=spec.sku),
            identity=cognitiveservices.IdentityArgs(type=cognitiveservices.ResourceIdentityType.SYSTEM_ASSIGNED),
            properties=keyless_private_properties(subdomain),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )
        private_endpoint(name, common=common, target_id=self.account.id, group_id=PRIVATE_LINK_GROUP, parent=self,
                         zones=ZONES)
        grant_all(name, scope=self.account.id, grants=_grants(args), parent=self)
        diagnostic_setting(name, target_id=self.account.id, workspace_id=common.workspace_id, parent=self,
                           categories=LOG_CATEGORIES)

        self.account_id = self.account.id
        self.endpoint = self.account.properties.apply(lambda p: p.endpoint)
        self.endpoint_variable = spec.endpoint_variable
        self.principal_id = self.account.identity.apply(system_principal_id)
        self.register_outputs({
            "accountId": self.account_id,
            "endpoint": self.endpoint,
            "principalId": self.principal_id,
        })
