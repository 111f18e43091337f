"""Storage accounts and their blob service (REL-2): soft delete is a setting of the account's blob
service (storage:BlobServiceProperties), so an account declared without one keeps Azure's default,
which depends on how it was created (the portal turns blob soft delete on, ARM and the SDK do not;
https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-enable). blob-soft-delete checks
the values of a declared blob service; this policy that there is one.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, Severity, StackValidationArgs

from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, text
from ..framework.stack import Finding, Stack

# Account kinds without a blob service (premium file shares only).
NO_BLOB_SERVICE = frozenset({"filestorage"})


def _blob_service_declared(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    served: set[str] = set()
    names: set[tuple[object, object]] = set()
    for service in stack.of(T.BLOB_SERVICE):
        served |= depends_on(service, "accountName")
        names.add((text(service.props, "resourceGroupName"), text(service.props, "accountName")))
    if any(UNKNOWN in key for key in names):
        return  # a blob service whose account cannot be told yet may be any account's
    for account in stack.of(T.STORAGE):
        key = (text(account.props, "resourceGroupName"), text(account.props, "accountName"))
        if text(account.props, "kind") in NO_BLOB_SERVICE or account.urn in served or key in names:
            continue
        yield (f"storage account '{account.name}' declares no blob service (storage:BlobServiceProperties), so "
               "blob and container soft delete are whatever Azure defaulted to", account.urn)


blob_service_declared = stack_policy(
    name="blob-service-declared",
    description="Every storage account declares its blob service, so blob and container soft delete are set "
                "(and checked by blob-soft-delete) rather than left to how the account was created.",
    checklist=["REL-2"],
    severity=Severity.MEDIUM,
    remediation="Add a storage:BlobServiceProperties with `account_name=<account>.name`, "
                "`blob_services_name='default'`, and `delete_retention_policy` / "
                "`container_delete_retention_policy` = `DeleteRetentionPolicyArgs(enabled=True, days=<n>)`.",
    check=_blob_service_declared,
)


POLICIES: list[Policy] = [
    blob_service_declared,
]
