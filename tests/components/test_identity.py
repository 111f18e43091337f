"""WorkloadIdentities: one user-assigned identity per workload, ids by workload name."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.common import Common
from components.identity import IdentityError, WorkloadIdentities, WorkloadIdentitiesArgs
from components.rbac import RoleError
from policies.azure import types as T
from tests.harness import Declared, declare, stack_config

UAI = T.USER_ASSIGNED_IDENTITY
WORKLOADS = ["api-gateway", "chat", "gateway", "functions"]


def _common(stack: str) -> Common:
    cfg = stack_config(stack)
    return Common(resource_group_name="rg-eastus2", location="eastus2", tags=cfg.resource_tags(),
                  protect=cfg.protect)


@pytest.fixture(scope="module")
def prod() -> tuple[Declared, dict[str, Any], list[Any]]:
    outputs: dict[str, Any] = {}
    grants: list[Any] = []

    def build() -> None:
        ids = WorkloadIdentities("id-eastus2", WorkloadIdentitiesArgs(
            common=_common("prod"), base_name="aip-prod", workloads=WORKLOADS))
        grant = ids.role_grant("chat", "Cognitive Services OpenAI User")
        grants.append(grant)
        pulumi.Output.all(ids=ids.ids, principal_ids=ids.principal_ids, client_ids=ids.client_ids,
                          grant_principal=grant.principal_id).apply(outputs.update)

    return declare(build, stack="prod"), outputs, grants


def test_one_identity_per_workload(prod) -> None:
    declared, outputs, _ = prod
    identities = {declared.inputs(UAI, r.name)["resourceName"]: declared.inputs(UAI, r.name)
                  for r in declared.of_type(UAI)}
    assert sorted(identities) == sorted(f"id-aip-prod-eastus2-{w}" for w in WORKLOADS)
    for workload in WORKLOADS:
        identity = identities[f"id-aip-prod-eastus2-{workload}"]
        assert identity["location"] == "eastus2" and identity["resourceGroupName"] == "rg-eastus2"
        assert identity["tags"] == {**stack_config("prod").resource_tags(), "workload": workload}
    for key in ("ids", "principal_ids", "client_ids"):
        assert sorted(outputs[key]) == sorted(WORKLOADS)
    assert len(set(outputs["principal_ids"].values())) == len(WORKLOADS)
    assert outputs["ids"]["chat"].endswith("/userAssignedIdentities/id-aip-prod-eastus2-chat")


def test_role_grant_carries_the_workloads_principal(prod) -> None:
    _, outputs, grants = prod
    assert (grants[0].role, grants[0].description) == ("Cognitive Services OpenAI User", "chat")
    assert outputs["grant_principal"] == outputs["principal_ids"]["chat"]


def test_identities_are_parented_and_not_protected(prod) -> None:
    declared, _, _ = prod
    component = declared.one("ai-platform:identity:WorkloadIdentities")
    assert all(r.parent == component.urn for r in declared.of_type(UAI))
    assert not any(r.protect for r in declared.resources)


@pytest.mark.parametrize(("workloads", "message"), [
    ([], "no workloads given"),
    (["chat", "chat"], "workloads[1] 'chat' is listed twice"),
    (["Chat_API"], "workloads[0] 'Chat_API' is not a valid name"),
])
def test_bad_workloads_are_refused_before_anything_is_declared(workloads: list[str], message: str) -> None:
    errors: list[IdentityError] = []

    def build() -> None:
        try:
            WorkloadIdentities("ids", WorkloadIdentitiesArgs(common=_common("dev"), base_name="aip-dev",
                                                             workloads=workloads))
        except IdentityError as exc:
            errors.append(exc)

    assert not declare(build, stack="dev").resources
    assert len(errors) == 1 and message in str(errors[0])


@pytest.mark.parametrize(("workload", "role", "error", "message"), [
    ("vision", "AcrPull", IdentityError, "no identity for workload 'vision'"),
    ("chat", "Contributor", RoleError, "privileged"),
])
def test_role_grant_refuses_unknown_workloads_and_privileged_roles(
        workload: str, role: str, error: type[Exception], message: str) -> None:
    errors: list[Exception] = []

    def build() -> None:
        ids = WorkloadIdentities("ids", WorkloadIdentitiesArgs(common=_common("dev"), base_name="aip-dev",
                                                               workloads=["chat"]))
        try:
            ids.role_grant(workload, role)
        except error as exc:
            errors.append(exc)

    declare(build, stack="dev")
    assert len(errors) == 1 and message in str(errors[0])
