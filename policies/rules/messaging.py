"""Event Hubs and Service Bus namespaces (eventhub:Namespace, servicebus:Namespace)."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.inputs import UNKNOWN, get
from ..framework.values import public_access_disabled, show, tls_below


def _messaging_local_auth(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    disabled = get(args.props, "disableLocalAuth")
    if disabled is not UNKNOWN and disabled is not True:
        yield "SAS keys are accepted (disableLocalAuth is not true); authenticate with Entra ID only"


def _messaging_tls(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    version = get(args.props, "minimumTlsVersion")
    if version is None or tls_below(version):
        yield f"minimumTlsVersion is {show(version)}; set it to '1.2'"


messaging_local_auth_disabled = resource_policy(
    name="messaging-local-auth-disabled",
    description="Event Hubs and Service Bus namespaces accept Entra ID only, no SAS keys.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `disable_local_auth=True` and grant 'Azure Event Hubs / Service Bus Data Sender/Receiver' on "
                "the namespace (or entity) to the identities that use it.",
    types=[T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS],
    check=_messaging_local_auth,
)


messaging_private_access = resource_policy(
    name="messaging-private-access",
    description="Event Hubs and Service Bus namespaces are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'namespace') with the "
                "privatelink.servicebus.windows.net zone (Service Bus needs the Premium tier for this).",
    types=[T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS],
    check=public_access_disabled,
)


messaging_tls = resource_policy(
    name="messaging-tls",
    description="Event Hubs and Service Bus namespaces require TLS 1.2+.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `minimum_tls_version='1.2'`.",
    types=[T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS],
    check=_messaging_tls,
)


POLICIES: list[Policy] = [
    messaging_local_auth_disabled, messaging_private_access, messaging_tls,
]
