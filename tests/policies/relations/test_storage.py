"""policies/relations/storage.py: what each policy accepts and what it reports, on inputs the real SDK
produces (baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

from policies.relations.storage import blob_service_declared
from tests.policies import secure_inputs as s
from tests.policies.support import (
    table_tests,
)


def account_with(blob_service: bool) -> s.Program:
    def build() -> None:
        s.storage_account()()
        if blob_service:
            s.blob_service()()
    return build


# (policy, compliant program[, config])
PASSING = [
    (blob_service_declared, account_with(blob_service=True), None),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (blob_service_declared, account_with(blob_service=False), None, "declares no blob service"),
]

test_passes, test_violates = table_tests(__file__, PASSING, FAILING)
