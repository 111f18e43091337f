"""Shared policy behaviour: checklist metadata, suppressions with reasons and expiry."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.resources as resources
import pytest
from pulumi_policy import PolicyResource, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from dryrun.model import SECRET_SIG, SIG_KEY
from policies.azure import types as T
from policies.framework import resource_policy
from policies.framework.inputs import ARM_PATHS, arm_key, id_key
from policies.rules.resources import required_tags
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, sdk_resources


def _untagged() -> list:
    return sdk_resources(lambda: resources.ResourceGroup("rg", location="eastus2"))


def test_policy_requires_known_checklist_ids() -> None:
    with pytest.raises(ValueError, match="checklist IDs"):
        resource_policy(name="x", description="x", checklist=["NOPE-1"], severity=Severity.LOW,
                        remediation="x", types=None, check=lambda a, c: [])


def test_violation_carries_checklist_ids() -> None:
    found = evaluate([required_tags], _untagged())
    assert [(v.policy, v.level, v.checklist) for v in found] == [("required-tags", "mandatory", ["COMP-4"])]


def test_valid_suppression_silences_and_is_recorded() -> None:
    cfg = file_config({"required-tags": {"suppressions": [
        {"resource": "*::rg", "reason": "legacy group, retagged in Q1", "expires": "2999-01-01"}]}})
    assert evaluate([required_tags], _untagged(), cfg) == []


@pytest.mark.parametrize("entry, problem", [
    ({"resource": "rg"}, "has no reason"),
    ({"resource": "rg", "reason": "old", "expires": "2020-01-01"}, "expired on 2020-01-01"),
    ({"resource": "rg", "reason": "bad date", "expires": "soon"}, "invalid 'expires'"),
])
def test_bad_suppression_is_a_violation(entry: dict, problem: str) -> None:
    cfg = file_config({"required-tags": {"suppressions": [entry]}})
    messages = [v.message for v in evaluate([required_tags], _untagged(), cfg)]
    assert any(problem in m for m in messages)
    assert any("missing required tag" in m for m in messages)  # an invalid suppression suppresses nothing


def test_suppression_matches_only_its_resource() -> None:
    cfg = file_config({"required-tags": {"suppressions": [{"resource": "other", "reason": "n/a"}]}})
    assert [v.policy for v in evaluate([required_tags], _untagged(), cfg)] == ["required-tags"]


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


@pytest.mark.parametrize("token", sorted(ARM_PATHS), ids=lambda t: t.split(":", 1)[1])
def test_a_declared_resource_and_its_arm_id_have_one_key(token: str) -> None:
    """arm_key (from a resource's name inputs) and id_key (from an id string) meet in Stack.by_id."""
    names = {name: f"{name.lower()}-1" for name in re.findall(r"\{(\w+)\}", ARM_PATHS[token])}
    # arm_key fills the path with format_map: its only braces must be the name placeholders.
    assert ARM_PATHS[token].count("{") == ARM_PATHS[token].count("}") == len(names) > 0
    props = {"resourceGroupName": "RG-Main", **names}
    resource = PolicyResource(token, props, f"urn:x::{token}::r", "r", None, None, None, [], {})  # type: ignore[arg-type]
    arm_id = "/subscriptions/0000/resourceGroups/RG-Main/providers/" + ARM_PATHS[token].format_map(names)
    assert arm_key(resource) == id_key(arm_id) is not None
    assert arm_key(PolicyResource(token, {**props, next(iter(names)): UNKNOWN_STRING_VALUE}, "u", "r", None, None,  # type: ignore[arg-type]
                                  None, [], {})) is None
