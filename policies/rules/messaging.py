"""Event Hubs and Service Bus namespaces (eventhub:Namespace, servicebus:Namespace)."""

from __future__ import annotations

from pulumi_policy import Policy, Severity

from ..azure import types as T
from ..framework.expect import VIOLATES, Row, closed, equals, tls_at_least, value_policy

messaging_local_auth_disabled = value_policy(
    name="messaging-local-auth-disabled",
    description="Event Hubs and Service Bus namespaces accept Entra ID only, no SAS keys.",
    checklist=["SEC-1"],
    severity=Severity.CRITICAL,
    remediation="Set `disable_local_auth=True` and grant 'Azure Event Hubs / Service Bus Data Sender/Receiver' on "
                "the namespace (or entity) to the identities that use it.",
    types=[T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS],
    rows=[
        Row(("disableLocalAuth",), equals(True), absent=VIOLATES,
            message="SAS keys are accepted (disableLocalAuth is not true); authenticate with Entra ID only"),
    ],
)


messaging_private_access = value_policy(
    name="messaging-private-access",
    description="Event Hubs and Service Bus namespaces are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and add a private endpoint (group 'namespace') with the "
                "privatelink.servicebus.windows.net zone (Service Bus needs the Premium tier for this).",
    types=[T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS],
    rows=[
        closed("publicNetworkAccess"),
    ],
)


messaging_tls = value_policy(
    name="messaging-tls",
    description="Event Hubs and Service Bus namespaces require TLS 1.2+.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `minimum_tls_version='1.2'`.",
    types=[T.EVENT_HUB_NAMESPACE, T.SERVICE_BUS],
    rows=[
        Row(("minimumTlsVersion",), tls_at_least(), absent=VIOLATES, message="{path} is {shown}; set it to '1.2'"),
    ],
)


POLICIES: list[Policy] = [
    messaging_local_auth_disabled, messaging_private_access, messaging_tls,
]
