"""API Management, the AI gateway in front of Azure OpenAI (components/ai_gateway.py): private
inbound, TLS, its managed identity, zone redundancy, and circuit breakers on the OpenAI backends.

The rendered gateway policy (XML) and the pool are relations between several resources:
policies/relations/ai_gateway.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import VIOLATES, Row, equals, value_policy
from ..framework.inputs import UNKNOWN, get, items, number, text

# customProperties of ApiManagementService (REST spec Microsoft.ApiManagement 2024-05-01,
# ApiManagementServiceBaseProperties.customProperties): each must be "false". Absent, a service created
# before April 2018 keeps them on, so the pack wants them written out.
_SECURITY = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
DISABLED_PROTOCOLS: tuple[str, ...] = tuple(
    f"{_SECURITY}{side}Protocols.{protocol}" for side in ("", "Backend.") for protocol in ("Tls10", "Tls11", "Ssl30"))
DISABLED_CIPHERS: tuple[str, ...] = (f"{_SECURITY}Ciphers.TripleDes168",)

# Hosts of Azure OpenAI / AI Services data planes (learn.microsoft.com/azure/ai-services/openai/reference).
OPENAI_HOST_SUFFIXES: tuple[str, ...] = (".openai.azure.com", ".cognitiveservices.azure.com")

# The status codes a breaker must trip on: throttling and server errors.
TRIP_CODES: tuple[tuple[int, int], ...] = ((429, 429), (500, 599))


def openai_url(url: object) -> bool:
    host = urlparse(str(url)).hostname or ""
    return host.lower().endswith(OPENAI_HOST_SUFFIXES)


def inference_backend(props: object) -> bool | None:
    """Whether a Backend sends the API's traffic to an Azure OpenAI account (None: unknown).

    A backend pinned to one deployment's path (the semantic cache's embeddings call, `.../deployments/<d>/...`)
    serves a single internal call, not the API, and is neither pooled nor broken by a circuit breaker.
    """
    kind, url = text(props, "type"), get(props, "url")
    if kind is UNKNOWN or url is UNKNOWN:
        return None
    if kind not in (None, "single") or not isinstance(url, str) or not openai_url(url):
        return False
    return "/deployments/" not in urlparse(url).path.lower()


def _private_inbound(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    vnet_type, subnet = text(args.props, "virtualNetworkType"), get(args.props, "virtualNetworkConfiguration",
                                                                     "subnetResourceId")
    public = text(args.props, "publicNetworkAccess")
    if UNKNOWN in (vnet_type, subnet, public):
        return
    if vnet_type == "internal" and subnet:
        return
    if public == "disabled":
        return
    if vnet_type == "internal":
        yield "virtualNetworkType is 'Internal' but virtualNetworkConfiguration.subnetResourceId is not set"
    else:
        yield (f"virtualNetworkType is '{vnet_type or 'None'}' and publicNetworkAccess is "
               f"'{public or 'Enabled'}': the gateway takes requests from the Internet")


def _managed_identity(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    kind = text(args.props, "identity", "type")
    if kind is UNKNOWN:
        return
    if not isinstance(kind, str) or "systemassigned" not in kind.replace(" ", "").replace(",", ""):
        yield (f"identity.type is '{get(args.props, 'identity', 'type') or 'None'}'; the gateway authenticates to "
               "Azure OpenAI with its system-assigned identity (authentication-managed-identity)")


def _zone_redundant(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    """Premium with its units pinned evenly across 2+ zones, and the public IP resource a VNet-injected instance
    needs for zone support (learn.microsoft.com/azure/reliability/reliability-api-management: automatic placement
    is best-effort; "you must specify a public IP address resource" in an external or internal VNet)."""
    if not config["requireZoneRedundancy"]:
        return
    sku, capacity, zones = text(args.props, "sku", "name"), number(args.props, "sku", "capacity"), items(
        args.props, "zones")
    if sku is UNKNOWN or capacity is UNKNOWN or zones is UNKNOWN:
        return
    units = int(capacity or 1)
    if sku != "premium":
        yield f"sku.name is '{get(args.props, 'sku', 'name')}'; only Premium spreads the gateway across zones"
        return
    if units < 2:
        yield f"sku.capacity is {units}; Premium needs 2+ units to run in more than one zone"
    if len(zones) < 2:
        yield (f"zones is {zones or 'not set'}: automatic placement is best-effort; pin two or three zones that "
               "divide sku.capacity evenly")
    elif units % len(zones):
        yield f"sku.capacity {units} does not spread evenly over zones {zones}; use a multiple of {len(zones)} units"
    injected = text(args.props, "virtualNetworkType") in ("internal", "external")
    if injected and get(args.props, "publicIpAddressId") is None:
        yield ("publicIpAddressId is not set: an instance injected in a VNet needs a Standard, zone-redundant public "
               "IP of its own for zone support")


def _covers(ranges: list[object], low: int, high: int) -> bool:
    bounds = [(number(r, "min"), number(r, "max")) for r in ranges]
    return any(UNKNOWN in b or (isinstance(b[0], float) and isinstance(b[1], float) and b[0] <= low and b[1] >= high)
               for b in bounds)


def _circuit_breaker(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    if not inference_backend(args.props):
        return
    rules = items(args.props, "circuitBreaker", "rules")
    if rules is UNKNOWN:
        return
    if not rules:
        yield ("the Azure OpenAI backend has no circuit breaker: a throttled or failing account keeps "
               "receiving requests")
        return
    rule = rules[0]
    ranges = items(rule, "failureCondition", "statusCodeRanges")
    if rule is UNKNOWN or ranges is UNKNOWN:
        return
    missing = [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in TRIP_CODES if not _covers(ranges, lo, hi)]
    if missing:
        yield f"circuitBreaker.rules[0] does not trip on {', '.join(missing)}"
    if get(rule, "tripDuration") is None:
        yield "circuitBreaker.rules[0].tripDuration is not set"
    if get(rule, "acceptRetryAfter") not in (True, UNKNOWN):
        yield ("circuitBreaker.rules[0].acceptRetryAfter is not true: the breaker ignores Azure OpenAI's "
               "Retry-After and may close before the quota recovers")


apim_private_inbound = resource_policy(
    name="apim-private-inbound",
    description="The API Management gateway takes requests only from the virtual network.",
    checklist=["SEC-3"],
    severity=Severity.HIGH,
    remediation="Set `virtual_network_type='Internal'` with the apiManagement subnet (Developer/Premium), or add a "
                "private endpoint (group `Gateway`) and `public_network_access='Disabled'`.",
    types=[T.API_MANAGEMENT],
    check=_private_inbound,
)


apim_tls = value_policy(
    name="apim-tls",
    description="The API Management gateway speaks TLS 1.2+ to clients and backends, without 3DES.",
    checklist=["COMP-4", "SEC-4"],
    severity=Severity.HIGH,
    remediation="Add the `CUSTOM_PROPERTIES` of components/ai_gateway.py (TLS 1.0/1.1, SSL 3.0, 3DES and CBC "
                "ciphers off).",
    types=[T.API_MANAGEMENT],
    rows=[
        Row(("customProperties", key), equals("false"), absent=VIOLATES,
            default="on for services created before April 2018",
            message="customProperties['{path}'] is {shown}; set it to 'false'".replace(
                "{path}", key.removeprefix(_SECURITY)))
        for key in (*DISABLED_PROTOCOLS, *DISABLED_CIPHERS)
    ],
)


apim_managed_identity = resource_policy(
    name="apim-managed-identity",
    description="The API Management gateway has a system-assigned managed identity (it calls Azure OpenAI with it).",
    checklist=["SEC-1"],
    severity=Severity.HIGH,
    remediation="Set `identity=apimanagement.ApiManagementServiceIdentityArgs(type='SystemAssigned')` and grant it "
                "*Cognitive Services OpenAI User* on each account.",
    types=[T.API_MANAGEMENT],
    check=_managed_identity,
)


apim_zone_redundancy = resource_policy(
    name="apim-zones-prod",
    description="The API Management gateway survives the loss of a zone (Premium, units pinned evenly across 2+ "
                "zones, its own public IP when VNet-injected) where the environment requires it.",
    checklist=["REL-5"],
    severity=Severity.MEDIUM,
    remediation="Use `sku=ApiManagementServiceSkuPropertiesArgs(name='Premium', capacity=2)` with `zones=['1', '2']` "
                "(three zones for a multiple of three units) and, in a VNet, `public_ip_address_id` of a Standard "
                "static public IP with zones 1-3 and a DNS label (components.ai_gateway.gateway_zones); "
                "`requireZoneRedundancy` is true in prod.",
    types=[T.API_MANAGEMENT],
    check=_zone_redundant,
    config={"requireZoneRedundancy": {"type": "boolean", "default": False}},
)


openai_backend_circuit_breaker = resource_policy(
    name="openai-backend-circuit-breaker",
    description="Every Azure OpenAI backend of the gateway has a circuit breaker on 429 and 5xx that honours "
                "Retry-After.",
    checklist=["REL-3"],
    severity=Severity.HIGH,
    remediation="Give the backend a `circuit_breaker` rule on 429 and 500-599 with `trip_duration` and "
                "`accept_retry_after=True`.",
    types=[T.APIM_BACKEND],
    check=_circuit_breaker,
)


POLICIES: list[Policy] = [
    apim_private_inbound, apim_tls, apim_managed_identity, apim_zone_redundancy, openai_backend_circuit_breaker,
]
