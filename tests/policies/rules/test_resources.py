"""Resource-wide policies (policies/rules/resources.py) on the pattern 1 types: an Azure AI Search
service holds its indexes, so prod protects it from deletion."""

from __future__ import annotations

from policies.rules.resources import stateful_resources_protected
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, names, sdk_resources

PROTECT_REQUIRED = file_config({"stateful-resources-protected": {"requireProtect": True}})


def test_unprotected_search_service_fails_where_protection_is_required() -> None:
    found = evaluate([stateful_resources_protected], sdk_resources(s.search_service()), PROTECT_REQUIRED)
    assert names(found) == {"stateful-resources-protected"}


def test_protected_search_service_passes() -> None:
    assert evaluate([stateful_resources_protected], sdk_resources(s.search_service(protect=True)),
                    PROTECT_REQUIRED) == []
