"""Specification of policies/rules/messaging.py (`messaging-local-auth-disabled`,
`messaging-private-access`, `messaging-tls`): what each policy accepts and what it reports, on
resources declared with the real SDK `...Args` (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

from policies.rules.messaging import messaging_local_auth_disabled, messaging_private_access, messaging_tls
from tests.policies import secure_inputs as s
from tests.policies.support import table_tests

# (policy, compliant program[, config])
PASSING = [
    (messaging_local_auth_disabled, s.event_hub()),
    (messaging_local_auth_disabled, s.service_bus()),
    (messaging_private_access, s.event_hub()),
    (messaging_private_access, s.service_bus()),
    (messaging_private_access, s.service_bus(public_network_access="SecuredByPerimeter")),  # network security perimeter
    (messaging_tls, s.event_hub()),
    (messaging_tls, s.service_bus()),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (messaging_local_auth_disabled, s.event_hub(disable_local_auth=False), "SAS keys"),
    (messaging_local_auth_disabled, s.service_bus(disable_local_auth=None), "SAS keys"),
    (messaging_private_access, s.event_hub(public_network_access=None), "'Enabled'"),  # the SDK's default
    (messaging_private_access, s.service_bus(public_network_access="Enabled"), "'Enabled'"),
    (messaging_tls, s.event_hub(minimum_tls_version="1.1"), "'1.1'"),
    (messaging_tls, s.service_bus(minimum_tls_version=None), "absent"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [messaging_local_auth_disabled, messaging_private_access, messaging_tls]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)
