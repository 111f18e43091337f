"""Specification of policies/rules/identity.py (`managed-identity-present`, `secrets-in-key-vault`):
what each policy accepts and what it reports, on resources declared with the real SDK `...Args`
(baselines in tests/policies/secure_inputs.py)."""

from __future__ import annotations

import pulumi_azure_native.app as app
import pulumi_azure_native.web as web
import pytest

from policies.rules.identity import managed_identity_present, secrets_in_key_vault
from tests.policies import secure_inputs as s
from tests.policies.support import file_config, fired, flagged, sdk_resources, table_tests


def env(name: str, value: str) -> app.EnvironmentVarArgs:
    return app.EnvironmentVarArgs(name=name, value=value)


def setting(name: str, value: str) -> web.NameValuePairArgs:
    return web.NameValuePairArgs(name=name, value=value)


def settings(**pairs: str) -> s.Program:
    return lambda: web.WebAppApplicationSettings(
        "func-settings", name="func-aip-prod-eus2", resource_group_name=s.RG, properties=pairs)


def connection_strings(value: str) -> s.Program:
    return lambda: web.WebAppConnectionStrings(
        "func-connections", name="func-aip-prod-eus2", resource_group_name=s.RG,
        properties={"db": web.ConnStringValueTypePairArgs(value=value, type=web.ConnectionStringType.SQL_AZURE)})


# (policy, compliant program[, config])
PASSING = [
    (managed_identity_present, s.openai_account()),
    (managed_identity_present, s.container_app()),
    (managed_identity_present, s.web_app()),
    (secrets_in_key_vault, s.container_app()),
    (secrets_in_key_vault, s.container_app(containers=[s.container(env=[
        env("KEY_VAULT_URI", "https://kv-aip-prod-eus2.vault.azure.net/"), env("MAX_TOKENS", "4096"),
        env("APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=0000;IngestionEndpoint=https://x")])])),
    (secrets_in_key_vault, s.web_app()),
    (secrets_in_key_vault, settings(COSMOS_PARTITION_KEY="/tenantId",
                                    OPENAI_KEY="@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/k)")),
]


# (policy, violating program[, config], a fragment of the message)
FAILING = [
    (managed_identity_present, s.openai_account(identity=False), "no managed identity"),
    (managed_identity_present, s.container_app(identity=False), "no managed identity"),
    (managed_identity_present, s.web_app(identity=False), "no managed identity"),
    (secrets_in_key_vault, s.container_app(containers=[s.container(env=[env("OPENAI_API_KEY", "sk-123")])]),
     "'OPENAI_API_KEY'"),
    (secrets_in_key_vault, s.container_app(containers=[s.container(env=[
        env("STORAGE", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc==")])]), "'STORAGE'"),
    (secrets_in_key_vault, s.web_app(app_settings=[setting("DB_PASSWORD", "hunter2")]), "'DB_PASSWORD'"),
    (secrets_in_key_vault, s.web_app(app_settings=[setting(
        "AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc==")]),
     "'AzureWebJobsStorage'"),
    (secrets_in_key_vault, s.web_app(connection_strings=[web.ConnStringInfoArgs(
        name="db", connection_string="Server=x;Password=y", type=web.ConnectionStringType.SQL_AZURE)]),
     "connection string 'db'"),
    (secrets_in_key_vault, settings(DB_PASSWORD="hunter2"), "app setting 'DB_PASSWORD'"),
    (secrets_in_key_vault, connection_strings("Server=db;Password=y"), "connection string 'db'"),
]

# The policies the tables specify: each has a compliant and a violating case.
AREA = [managed_identity_present, secrets_in_key_vault]

test_compliant_case_passes, test_violating_case_fails, test_every_policy_has_both_cases = table_tests(
    __file__, AREA, PASSING, FAILING)


def test_secret_names_are_configurable() -> None:
    program = s.web_app(app_settings=[setting("FEATURE_TOKEN", "on")])
    assert fired(secrets_in_key_vault, program)[0] == {"secrets-in-key-vault"}
    relaxed = file_config({"secrets-in-key-vault": {"nonSecretNames": ["FEATURE_TOKEN"]}})
    assert fired(secrets_in_key_vault, program, relaxed)[0] == set()


def test_plain_secret_value_in_container_app_config() -> None:
    program = lambda: app.ContainerApp(  # noqa: E731
        "api", resource_group_name=s.RG, managed_environment_id="/env",
        configuration=app.ConfigurationArgs(secrets=[app.SecretArgs(name="openai-key", value="sk-123")]))
    found, messages = fired(secrets_in_key_vault, program)
    assert found == {"secrets-in-key-vault"} and "secret 'openai-key' holds its value" in messages


@pytest.mark.parametrize("name, value, secret", [
    pytest.param("COSMOS_PARTITION_KEY", "/tenantId", False, id="partition-key-path"),
    pytest.param("CACHE_KEY", "sessions", False, id="cache-key-word"),
    pytest.param("IDEMPOTENCY_KEY", "request-id", False, id="idempotency-key-header-name"),
    pytest.param("CACHE_KEY", "Zx8f9Q2mK7pL4vR1tY6wE3sA", True, id="key-shaped-value"),
    pytest.param("SEARCH_API_KEY", "abc", True, id="api-key-name-whatever-the-value"),
    pytest.param("STORAGE_ACCOUNT_KEY", "short", True, id="account-key-name"),
])


def test_secret_setting_judged_by_value_shape(name: str, value: str, secret: bool) -> None:
    program = s.web_app(app_settings=[web.NameValuePairArgs(name=name, value=value)])
    assert flagged([secrets_in_key_vault], sdk_resources(program)) == ({"secrets-in-key-vault"} if secret else set())
