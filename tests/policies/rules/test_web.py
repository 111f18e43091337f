"""Specification of policies/rules/web.py (`web-app-secure-transport`,
`web-app-remote-debugging-disabled`, `web-app-private-access`): what each policy accepts and what it
reports, on resources declared with the real SDK `...Args` (baselines in
tests/policies/secure_inputs.py)."""

from __future__ import annotations

from policies.rules.web import web_app_private_access, web_app_remote_debugging_disabled, web_app_secure_transport
from tests.policies import secure_inputs as s
from tests.policies.support import table_tests

# (policy, compliant program[, config])
PASSING = [
    (web_app_secure_transport, s.web_app()),
    (web_app_secure_transport, s.web_app(site={"min_tls_version": None})),  # App Service defaults to 1.2
    (web_app_secure_transport, s.web_app(site={"scm_min_tls_version": "1.3"})),
    (web_app_remote_debugging_disabled, s.web_app()),  # absent: Azure's default is off
    (web_app_remote_debugging_disabled, s.web_app(site={"remote_debugging_enabled": False})),
    (web_app_private_access, s.web_app()),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (web_app_secure_transport, s.web_app(https_only=None), "httpsOnly"),
    (web_app_secure_transport, s.web_app(site={"min_tls_version": "1.0"}), "'1.0'"),
    (web_app_secure_transport, s.web_app(site={"ftps_state": "AllAllowed"}), "'AllAllowed'"),
    (web_app_secure_transport, s.web_app(site={"ftps_state": None}), "ftpsState is absent"),
    (web_app_secure_transport, s.web_app(site={"scm_min_tls_version": "1.0"}), "scmMinTlsVersion is '1.0'"),
    (web_app_remote_debugging_disabled, s.web_app(site={"remote_debugging_enabled": True}),
     "remoteDebuggingEnabled is true"),
    (web_app_private_access, s.web_app(public_network_access=None), "absent (Azure's default: Enabled)"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [web_app_secure_transport, web_app_remote_debugging_disabled, web_app_private_access]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)
