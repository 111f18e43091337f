"""secure_storage_account / private_container: the shared locked-down account, declared under its caller."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.storage as storage

from components.storage import private_container, secure_storage_account
from policies.azure import types as T
from tests.components.common_inputs import LINK, WORKSPACE, make_common, resolve
from tests.harness import Declared, declare

ACCOUNT = T.STORAGE
CONTAINER = T.BLOB_CONTAINER
ENDPOINT = T.PRIVATE_ENDPOINT
DIAG = T.DIAGNOSTIC_SETTING
HOST = "test:storage:Host"


def _declare(protect: bool = True) -> tuple[Declared, list[storage.StorageAccount]]:
    accounts: list[storage.StorageAccount] = []

    def build() -> None:
        host = pulumi.ComponentResource(HOST, "host")
        common = make_common(protect=protect)
        account = secure_storage_account(
            "host-st", common=common, parent=host, account_name="sthost", sku=storage.SkuName.STANDARD_ZRS,
            bypass=storage.Bypass.NONE, endpoints={"blob": "host-st", "queue": "host-st-queue"})
        private_container("host-st-data", common=common, parent=host, account=account, container_name="data")
        accounts.append(account)

    return declare(build), accounts


def test_account_is_private_entra_only_and_protected() -> None:
    declared, _ = _declare()
    st = declared.inputs(ACCOUNT)
    assert st["accountName"] == "sthost" and st["sku"] == {"name": "Standard_ZRS"} and st["kind"] == "StorageV2"
    assert st["allowSharedKeyAccess"] is False and st["defaultToOAuthAuthentication"] is True
    assert st["allowBlobPublicAccess"] is False and st["allowCrossTenantReplication"] is False
    assert st["publicNetworkAccess"] == "Disabled" and st["minimumTlsVersion"] == "TLS1_2"
    assert st["enableHttpsTrafficOnly"] is True
    assert st["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "None"}
    assert "accessTier" not in st
    assert st["tags"] == make_common().tags
    assert declared.one(ACCOUNT).protect
    assert not _declare(protect=False)[0].one(ACCOUNT).protect


def test_everything_is_a_child_of_the_caller() -> None:
    declared, _ = _declare()
    host = next(r for r in declared.resources if r.type == HOST)
    # Zone groups hang under their endpoint; everything else directly under the caller.
    assert {r.type for r in declared.children(host)} == {ACCOUNT, CONTAINER, ENDPOINT, DIAG}


def test_each_service_gets_its_named_endpoint_and_request_logs() -> None:
    declared, accounts = _declare()
    account_id = resolve(accounts[0].id)
    endpoints = {r.name: declared.inputs(ENDPOINT, r.name) for r in declared.of_type(ENDPOINT)}
    assert set(endpoints) == {"host-st-pe", "host-st-queue-pe"}
    for name, group in (("host-st-pe", "blob"), ("host-st-queue-pe", "queue")):
        connection = endpoints[name]["privateLinkServiceConnections"][0]
        assert connection["groupIds"] == [group] and connection["privateLinkServiceId"] == account_id
        assert endpoints[name]["subnet"]["id"] == LINK.subnet_id
    settings = {r.name: declared.inputs(DIAG, r.name) for r in declared.of_type(DIAG)}
    assert settings["host-st-diag"]["resourceUri"] == account_id and settings["host-st-diag"]["logs"] == []
    for service in ("blob", "queue"):
        logs = settings[f"host-st-{service}-diag"]
        assert logs["resourceUri"] == f"{account_id}/{service}Services/default"
        assert logs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert set(settings) == {"host-st-diag", "host-st-blob-diag", "host-st-queue-diag"}
    assert all(s["workspaceId"] == WORKSPACE for s in settings.values())


def test_container_has_no_anonymous_access() -> None:
    declared, _ = _declare()
    container = declared.inputs(CONTAINER)
    assert container["containerName"] == "data" and container["publicAccess"] == "None"
    assert container["accountName"] == "sthost"
    assert declared.one(ACCOUNT).urn in declared.one(CONTAINER).property_dependencies["accountName"]
