"""Specification of policies/relations/storage.py (`blob-service-declared`): a compliant and a
violating deployment per policy, declared with the SDK under mocks; relations come from the recorded
property dependencies, as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

from policies.relations.storage import blob_service_declared
from tests.policies import secure_inputs as s
from tests.policies.support import table_tests


def account_with(blob_service: bool) -> s.Program:
    def build() -> None:
        s.storage_account()()
        if blob_service:
            s.blob_service()()
    return build


# (policy, compliant program[, config])
PASSING = [
    (blob_service_declared, account_with(blob_service=True)),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (blob_service_declared, account_with(blob_service=False), "declares no blob service"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [blob_service_declared]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)
