"""Azure AI Search policies (policies/rules/search.py): the secure baseline (components/search.py's
prod service) passes, each flipped setting fails, with inputs the real SDK produces."""

from __future__ import annotations

import pulumi_azure_native.search as search
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.azure import catalog as C
from policies.rules.search import (
    search_capacity_within_sku,
    search_local_auth_disabled,
    search_managed_identity,
    search_private_access,
    search_replicas,
    search_sku_allowed,
)
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, file_config, names, sdk_resources, table_tests

# prod.json's thresholds.
TWO_REPLICAS = file_config({"search-replicas": {"minReplicas": 2}})
STANDARD_TIERS = file_config({"search-sku-allowed": {"allowedSkus": [
    "standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2"]}})
AREA = [search_local_auth_disabled, search_private_access, search_managed_identity, search_replicas,
        search_sku_allowed, search_capacity_within_sku]

# (policy, secure program[, config]) — each must pass.
PASSING = [
    (search_local_auth_disabled, s.search_service()),
    (search_private_access, s.search_service()),
    (search_private_access, s.search_service(network_rule_set=None)),  # no firewall rules at all
    (search_private_access, s.search_service(public_network_access="SecuredByPerimeter")),
    (search_managed_identity, s.search_service()),
    (search_replicas, s.search_service(), TWO_REPLICAS),
    (search_replicas, s.search_service(replica_count=None)),  # the default floor is one replica
    (search_sku_allowed, s.search_service(), STANDARD_TIERS),
    (search_sku_allowed, s.search_service(sku=search.SkuArgs(name="basic"), replica_count=1)),
    (search_capacity_within_sku, s.search_service()),
    (search_capacity_within_sku, s.search_service(sku=search.SkuArgs(name="basic"), replica_count=3,
                                                  partition_count=1)),
    (search_capacity_within_sku, s.search_service(replica_count=12, partition_count=3)),
]

# (policy, insecure program[, config], a fragment of the message) — each must fail with exactly that policy.
FAILING = [
    (search_local_auth_disabled, s.search_service(disable_local_auth=False), "disableLocalAuth is 'False'"),
    (search_local_auth_disabled, s.search_service(disable_local_auth=None),
     "disableLocalAuth is absent (Azure's default: false)"),
    (search_local_auth_disabled, s.search_service(auth_options=search.DataPlaneAuthOptionsArgs(api_key_only={})),
     "authOptions is set"),
    (search_private_access, s.search_service(public_network_access="Enabled"), "publicNetworkAccess is 'Enabled'"),
    # The SDK sends its default when the setting is dropped.
    (search_private_access, s.search_service(public_network_access=None), "'Enabled'; set it to 'Disabled'"),
    (search_private_access, s.search_service(network_rule_set=search.NetworkRuleSetArgs(
        ip_rules=[search.IpRuleArgs(value="203.0.113.0/24")])), "networkRuleSet.ipRules admits public addresses"),
    (search_managed_identity, s.search_service(identity=None), "identity.type is absent (Azure's default: None)"),
    (search_managed_identity, s.search_service(identity=search.IdentityArgs(type=search.IdentityType.NONE)),
     "identity.type is 'None'"),
    (search_replicas, s.search_service(replica_count=1), TWO_REPLICAS, "replicaCount is 1: this environment needs 2"),
    (search_sku_allowed, s.search_service(sku=search.SkuArgs(name="basic")), STANDARD_TIERS, "sku.name is 'basic'"),
    (search_sku_allowed, s.search_service(sku=search.SkuArgs(name="free")), "sku.name is 'free'"),
    (search_capacity_within_sku, s.search_service(sku=search.SkuArgs(name="basic"), replica_count=4),
     "replicaCount 4 is above the 3 replicas tier 'basic' allows"),
    (search_capacity_within_sku, s.search_service(partition_count=5), "partitionCount 5 is not offered"),
    (search_capacity_within_sku, s.search_service(replica_count=12, partition_count=4),
     "12 replicas x 4 partitions = 48 search units, above the 36"),
]



test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_prod_config_requires_the_read_sla_and_a_standard_tier() -> None:
    service = sdk_resources(s.search_service(sku=search.SkuArgs(name="basic"), replica_count=1))
    assert names(evaluate([search_replicas, search_sku_allowed], service, {**TWO_REPLICAS, **STANDARD_TIERS})) == {
        "search-replicas", "search-sku-allowed"}
    assert evaluate([search_replicas, search_sku_allowed], service) == []  # the defaults suit dev


@settings(max_examples=40, deadline=None)
@given(sku=st.sampled_from(sorted(C.SEARCH_LIMITS)), replicas=st.integers(1, 13), partitions=st.integers(1, 13))
def test_capacity_policy_agrees_with_the_tier_table(sku: str, replicas: int, partitions: int) -> None:
    max_replicas, allowed, max_units = C.SEARCH_LIMITS[sku]
    fits = replicas <= max_replicas and partitions in allowed and replicas * partitions <= max_units
    found = evaluate([search_capacity_within_sku], sdk_resources(s.search_service(
        sku=search.SkuArgs(name=sku), replica_count=replicas, partition_count=partitions)))
    assert (found == []) == fits, [v.message for v in found]
