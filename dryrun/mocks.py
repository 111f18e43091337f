"""Pulumi mocks that answer like Azure Resource Manager, and a monitor that records every
registration exactly as the engine would receive it.

Outputs are deterministic (derived from the URN), so two runs of one stack are byte-identical.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from policies.azure import types as T
from policies.azure.catalog import ARM

from .model import Resource, reveal

SUBSCRIPTION_ID = "8f3c2d1e-0a4b-4c5d-9e6f-7a8b9c0d1e2f"
TENANT_ID = "5b6c7d8e-1f2a-4b3c-8d4e-9f0a1b2c3d4e"
CLIENT_OBJECT_ID = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"

# Ids are built from the catalogue's ARM table (policies/azure/catalog.py), the one the pack reads.

# Azure names that accept no hyphen: autonaming strips them, as the provider does.
_ALNUM_ONLY = {T.STORAGE}


def _digest(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _uuid(text: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text))


def arm_name(typ: str, logical: str, inputs: dict[str, Any], urn: str) -> str:
    """The Azure name: the explicit name input, else an autoname like the provider's."""
    key = ARM.get(typ, ("", "name"))[1]
    explicit = inputs.get(key)
    if isinstance(explicit, str) and explicit:
        return explicit
    name = f"{logical}{_digest(urn, 7)}" if typ in _ALNUM_ONLY else f"{logical}-{_digest(urn, 7)}"
    return re.sub(r"[^a-z0-9]", "", name.lower())[:24] if typ in _ALNUM_ONLY else name


def arm_id(typ: str, name: str, inputs: dict[str, Any]) -> str:
    template = ARM.get(typ, (f"{typ.split(':')[1]}/{typ.split(':')[2]}/{{n}}", ""))[0]
    values = {k: v for k, v in inputs.items() if isinstance(v, str)}
    values.update(sub=SUBSCRIPTION_ID, n=name)
    path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(1)), template)
    if path.startswith("/"):
        return path
    scope = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{inputs.get('resourceGroupName', 'rg')}"
    return f"{scope}/providers/{path}"


def _computed(typ: str, name: str, inputs: dict[str, Any], urn: str) -> dict[str, Any]:
    """Outputs Azure computes that callers of the components wire onward."""
    location = inputs.get("location", "eastus2")
    out: dict[str, Any] = {}
    identity = inputs.get("identity")
    if isinstance(identity, dict) and "SystemAssigned" in str(identity.get("type", "")):
        out["identity"] = {**identity, "principalId": _uuid(urn + "#system"), "tenantId": TENANT_ID}
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # The input lists identity ids; ARM answers a map of id -> {principalId, clientId}.
        out["identity"] = {**out.get("identity", identity), "userAssignedIdentities": {
            i: {"principalId": _uuid(i + "#principal"), "clientId": _uuid(i + "#client")}
            for i in identity["userAssignedIdentities"]}}
    kind = typ.split(":", 1)[1]
    if kind == "managedidentity:UserAssignedIdentity":
        out.update(principalId=_uuid(urn + "#principal"), clientId=_uuid(urn + "#client"), tenantId=TENANT_ID)
    elif kind == "cognitiveservices:Account":
        sub = (inputs.get("properties") or {}).get("customSubDomainName", name)
        # OpenAI answers on openai.azure.com; single-service kinds on cognitiveservices.azure.com.
        domain = "openai.azure.com" if inputs.get("kind") == "OpenAI" else "cognitiveservices.azure.com"
        out["properties"] = {**(inputs.get("properties") or {}),
                             "endpoint": f"https://{sub}.{domain}/", "provisioningState": "Succeeded"}
    elif kind == "redisenterprise:RedisEnterprise":
        out["hostName"] = f"{name}.{location}.redis.azure.net"
    elif kind == "redisenterprise:Database":
        out["port"] = inputs.get("port", 10000)
    elif kind == "network:PublicIPAddress":
        digest = int(_digest(urn, 4), 16)
        out["ipAddress"] = f"20.{digest % 200 + 10}.{digest // 200 % 250}.{digest % 250 + 1}"
        label = (inputs.get("dnsSettings") or {}).get("domainNameLabel")
        if label:
            out["dnsSettings"] = {**inputs["dnsSettings"], "fqdn": f"{label}.{location}.cloudapp.azure.com"}
    elif kind == "trafficmanager:Profile":
        relative = (inputs.get("dnsConfig") or {}).get("relativeName", name)
        out["dnsConfig"] = {**(inputs.get("dnsConfig") or {}), "fqdn": f"{relative}.trafficmanager.net"}
    elif kind == "app:ManagedEnvironment":
        out["defaultDomain"] = f"{_digest(urn, 10)}.{location}.azurecontainerapps.io"
        out["staticIp"] = f"10.{int(_digest(urn, 2), 16) % 250}.2.{int(_digest(urn + 'ip', 2), 16) % 250 + 4}"
    elif kind == "app:ContainerApp":
        # The environment's defaultDomain (digest of its id); internal-only ingress adds '.internal.'.
        env_id = inputs.get("environmentId") or inputs.get("managedEnvironmentId", urn)
        domain = f"{_digest(env_id, 10)}.{location}.azurecontainerapps.io"
        config = inputs.get("configuration") or {}
        external = isinstance(config.get("ingress"), dict) and config["ingress"].get("external") is True
        fqdn = f"{name}.{domain}" if external else f"{name}.internal.{domain}"
        out["latestRevisionFqdn"] = fqdn
        if isinstance(config.get("ingress"), dict):
            out["configuration"] = {**config, "ingress": {**config["ingress"], "fqdn": fqdn}}
    elif kind == "keyvault:Vault":
        out["properties"] = {**(inputs.get("properties") or {}), "vaultUri": f"https://{name}.vault.azure.net/"}
    elif kind == "keyvault:Secret":
        vault = inputs.get("vaultName", "vault")
        uri = f"https://{vault}.vault.azure.net/secrets/{name}"
        out["properties"] = {**(inputs.get("properties") or {}), "secretUri": uri,
                             "secretUriWithVersion": f"{uri}/{_digest(urn, 32)}"}
    elif kind == "operationalinsights:Workspace":
        out["customerId"] = _uuid(urn + "#workspace")
    elif kind == "applicationinsights:Component":
        key = _uuid(urn + "#ikey")
        ingestion = f"https://{location}.in.applicationinsights.azure.com/"
        out.update(instrumentationKey=key, appId=_uuid(urn + "#app"),
                   connectionString=f"InstrumentationKey={key};IngestionEndpoint={ingestion}")
    elif kind == "storage:StorageAccount":
        out["primaryEndpoints"] = {"blob": f"https://{name}.blob.core.windows.net/",
                                   "queue": f"https://{name}.queue.core.windows.net/"}
    elif kind in ("eventhub:Namespace", "servicebus:Namespace"):
        out["serviceBusEndpoint"] = f"https://{name}.servicebus.windows.net:443/"
    elif kind == "apimanagement:ApiManagementService":
        digest = int(_digest(urn, 2), 16)
        out.update(privateIPAddresses=[f"10.{digest % 250}.6.{digest % 20 + 4}"],
                   gatewayUrl=f"https://{name}.azure-api.net")
    elif kind == "web:WebApp":
        out["defaultHostName"] = f"{name}.azurewebsites.net"
    elif kind == "web:StaticSite":
        # Azure generates '<adjective>-<noun>-<hex>.<partition>.azurestaticapps.net'.
        out["defaultHostname"] = f"gentle-river-{_digest(urn, 9)}.5.azurestaticapps.net"
    elif kind == "cdn:Profile":
        out["frontDoorId"] = _uuid(urn + "#fdid")
    elif kind == "cdn:AFDEndpoint":
        out["hostName"] = f"{name}-{_digest(urn, 16)}.z01.azurefd.net"
    elif kind == "cdn:AFDCustomDomain":
        out["validationProperties"] = {"validationToken": _digest(urn, 32), "expirationDate": "2027-01-01T00:00:00Z"}
    return out


class AzureMocks(Mocks):
    """Answers resource registrations and invokes as Azure would, deterministically."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return "", {}
        inputs = reveal(args.inputs)
        urn = f"{args.typ}::{args.name}::{inputs.get('resourceGroupName', '')}::{inputs.get('location', '')}"
        name = arm_name(args.typ, args.name, inputs, urn)
        rid = arm_id(args.typ, name, inputs)
        state = {**args.inputs, "id": rid, "name": name}
        state.update(_computed(args.typ, name, inputs, rid))
        return rid, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        # The failures list must be a list: MockMonitor.Invoke iterates it (None raises TypeError).
        if args.token == T.GET_CLIENT_CONFIG:
            return {"clientId": _uuid("client"), "objectId": CLIENT_OBJECT_ID,
                    "subscriptionId": SUBSCRIPTION_ID, "tenantId": TENANT_ID}, []
        if args.token == T.GET_RESOURCE_GROUP:
            name = args.args.get("resourceGroupName", "rg")
            return {"id": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{name}", "name": name,
                    "location": "eastus2"}, []
        if args.token == T.LIST_REDIS_DATABASE_KEYS:
            return {"primaryKey": _digest(str(args.args.get("clusterName")), 32),
                    "secondaryKey": _digest(str(args.args.get("clusterName")) + "#2", 32)}, []
        return {}, []


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every RegisterResource request as the engine would see it."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Resource] = []
        self.requests: list[Any] = []
        self.stack_outputs: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine does not qualify children of the root stack with the stack's type.
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        self.requests.append(request)
        inputs = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        timeouts = {k: v for k, v in (("create", request.customTimeouts.create),
                                      ("update", request.customTimeouts.update),
                                      ("delete", request.customTimeouts.delete)) if v}
        self.recorded.append(Resource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            inputs=inputs,
            parent=request.parent or None,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            custom=request.custom,
            protect=request.protect,
            custom_timeouts=timeouts,
        ))
        return response

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == "pulumi:pulumi:Stack":
            self.stack_outputs = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)


def configure(stack: str, project: str, monitor: RecordingMonitor) -> None:
    """Point the Pulumi runtime at the recording monitor, with a fresh root stack each time."""
    pulumi.runtime.settings.ROOT.set(None)
    # A previous run that failed inside an output leaves its tasks behind; they must not fail this run.
    pulumi.runtime.settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor)
