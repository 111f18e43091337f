
"""Severity follows exposure across the pack: what opens the estate to the internet or to keys is
critical, weak TLS and privileged grants are high."""

from __future__ import annotations

from pulumi_policy import Severity

from policies.pack import POLICIES
from policies.rules.app_gateway import app_gateway_tls_policy
from policies.rules.authorization import role_assignment_not_privileged


def test_severity_follows_exposure() -> None:
    critical = {p.name for p in POLICIES if p.severity == Severity.CRITICAL}
    assert {"cognitive-services-local-auth-disabled", "storage-shared-key-disabled", "nsg-no-internet-inbound",
            "container-app-no-public-ingress", "key-vault-private-access"} <= critical
    assert app_gateway_tls_policy.severity == Severity.HIGH
    assert role_assignment_not_privileged.severity == Severity.HIGH
