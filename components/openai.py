"""Azure OpenAI, keyless and private, with its model deployments.

Differences from the seed's Bicep, each deliberate:
- The seed reads `listKeys().key1` into Key Vault. Here local (key) authentication is disabled:
  every caller authenticates with its managed identity and the `Cognitive Services OpenAI User`
  role, so there is no key to store, rotate or leak, and none appears in any output.
- The seed's account is reachable from the internet; here public network access is off, the
  network ACL denies by default, and the account is reached only through its private endpoint.
- Outbound calls from the account are restricted to an empty allow-list (data-exfiltration guard).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native.cognitiveservices as cognitiveservices

from stack_config.model import OpenAI

from .cognitive import PRIVATE_LINK_GROUP, keyless_private_properties, system_principal_id
from .common import Common, RoleGrant
from .diagnostics import diagnostic_setting
from .naming import check_parts, unique_name_output
from .private_endpoint import check_private_link, private_endpoint
from .rbac import check_grants, consumer_grants, grant_all

OPENAI_USER = "Cognitive Services OpenAI User"
# Audit: who changed what; RequestResponse: every inference call and its caller; Trace: the
# service's own diagnostics. Together they are the seed's audit requirement (COMP-2).
LOG_CATEGORIES = ("Audit", "RequestResponse", "Trace")
# A deployment can take many minutes under regional capacity pressure, and each one waits for the
# previous (see below); the provider's default would give up on a healthy but slow operation.
DEPLOYMENT_TIMEOUTS = pulumi.CustomTimeouts(create="30m", update="30m", delete="30m")
# Custom subdomain: 2-64 characters, globally unique (it is the account's DNS name).
_SUBDOMAIN_MAX = 64


@dataclass(frozen=True)
class SecureOpenAIArgs:
    common: Common
    config: OpenAI
    # "<namePrefix>-<environment>", e.g. "aip-prod".
    base_name: str
    # The Pulumi stack and the Entra tenant (`authorization.get_client_config_output().tenant_id`),
    # hashed into the globally unique subdomain.
    stack: str
    tenant_id: pulumi.Input[str]
    # Workload name -> principal id (`WorkloadIdentities.principal_ids`); each gets `Cognitive
    # Services OpenAI User` on the account, keyed by workload so one change never moves another.
    consumers: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def _grants(args: SecureOpenAIArgs) -> list[RoleGrant]:
    return consumer_grants(OPENAI_USER, args.consumers, args.common.role_grants)


def _check(name: str, args: SecureOpenAIArgs) -> None:
    check_private_link(name, args.common, PRIVATE_LINK_GROUP)
    check_grants(name, _grants(args))
    check_parts(name, base_name=args.base_name, location=args.common.location)


class SecureOpenAI(pulumi.ComponentResource):
    """A private, keyless Azure OpenAI account with serialized model deployments."""

    account: cognitiveservices.Account
    deployments: list[cognitiveservices.Deployment]
    account_id: pulumi.Output[str]
    account_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    deployment_names: pulumi.Output[list[str]]
    principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: SecureOpenAIArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:openai:SecureOpenAI", name, None, opts)
        common = args.common
        # The subdomain is required for Entra ID tokens and private endpoints alike.
        subdomain = unique_name_output("oai", base_name=args.base_name, location=common.location,
                                       stack=args.stack, tenant_id=args.tenant_id, max_length=_SUBDOMAIN_MAX)

        self.account = cognitiveservices.Account(
            name,
            account_name=subdomain,
            resource_group_name=common.resource_group_name,
            location=common.location,
            kind="OpenAI",
            sku=cognitiveservices.SkuArgs(name="S0"),
            identity=cognitiveservices.IdentityArgs(type=cognitiveservices.ResourceIdentityType.SYSTEM_ASSIGNED),
            properties=keyless_private_properties(subdomain),
            tags=common.tags,
            opts=common.child(self, stateful=True),
        )

        # Azure runs one deployment operation per account at a time and answers a concurrent one
        # with 409 RequestConflict, so each deployment waits for the one before it.
        self.deployments = []
        for model in args.config.deployments:
            self.deployments.append(cognitiveservices.Deployment(
                f"{name}-{model.name}",
                deployment_name=model.name,
                account_name=self.account.name,
                resource_group_name=common.resource_group_name,
                sku=cognitiveservices.SkuArgs(name=model.sku, capacity=model.capacity),
                properties=cognitiveservices.DeploymentPropertiesArgs(
                    model=cognitiveservices.DeploymentModelArgs(format="OpenAI", name=model.model,
                                                                version=model.version),
                    version_upgrade_option=args.config.version_upgrade_option,
                    rai_policy_name=model.rai_policy,
                ),
                tags=common.tags,
                opts=common.child(self, depends_on=self.deployments[-1:], custom_timeouts=DEPLOYMENT_TIMEOUTS),
            ))

        # The account stays in provisioning state 'Accepted' while a deployment runs, and a private
        # endpoint connection made then fails (AccountProvisioningStateInvalid); the endpoint's
        # target id therefore carries a dependency on the last deployment.
        settled_id = pulumi.Output.all(self.account.id, *[d.id for d in self.deployments]).apply(lambda ids: ids[0])
        private_endpoint(name, common=common, target_id=settled_id, group_id=PRIVATE_LINK_GROUP, parent=self)

        grant_all(name, scope=self.account.id, grants=_grants(args), parent=self)

        diagnostic_setting(name, target_id=self.account.id, workspace_id=common.workspace_id, parent=self,
                           categories=LOG_CATEGORIES)

        self.account_id = self.account.id
        self.account_name = self.account.name
        self.endpoint = self.account.properties.apply(lambda p: p.endpoint)
        self.deployment_names = pulumi.Output.all(*[d.name for d in self.deployments])
        self.principal_id = self.account.identity.apply(system_principal_id)
        self.register_outputs({
            "accountId": self.account_id,
            "accountName": self.account_name,
            "endpoint": self.endpoint,
            "deploymentNames": self.deployment_names,
            "principalId": self.principal_id,
        })

