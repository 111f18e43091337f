"""Secrets live only in fields the model declares secret, arrive encrypted, and never appear in a message."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from stack_config import ConfigError
from tests.stack_config.config_cases import parse, problems

CIPHER = {"secure": "v1:abc"}


def _file(values: dict[str, Any]) -> dict[str, Any]:
    """The stack file's `config:` as written."""
    return {f"ai-platform:{k}": v for k, v in values.items()}


def test_plain_entry_next_to_an_encrypted_one_is_refused(prod: dict[str, Any]) -> None:
    written = {**prod, "secrets": {"search-key": CIPHER, "redis-key": "plain-text-value"}}
    prod["secrets"] = {"search-key": "decrypted-value", "redis-key": "plain-text-value"}
    found = problems(prod, secret={"secrets"}, stack_file=_file(written))
    assert "plain text" in found["secrets.redis-key"]
    assert "secrets.search-key" not in found


def test_encrypted_entries_are_accepted_and_stay_secret(prod: dict[str, Any]) -> None:
    written = {**prod, "secrets": {"search-key": CIPHER}}
    prod["secrets"] = {"search-key": "decrypted-value"}
    config = parse(prod, secret={"secrets"}, stack_file=_file(written))
    assert isinstance(config.secrets["search-key"], SecretStr)
    assert "decrypted-value" not in repr(config) and "decrypted-value" not in str(config.model_dump())


def test_the_whole_secrets_map_encrypted_as_one_value(prod: dict[str, Any]) -> None:
    written = {**prod, "secrets": CIPHER}
    prod["secrets"] = {"search-key": "decrypted-value"}
    assert parse(prod, secret={"secrets"}, stack_file=_file(written)).secrets["search-key"].get_secret_value() \
        == "decrypted-value"


@pytest.mark.parametrize(("key", "path", "written"), [
    pytest.param("tags", "tags.owner", {"owner": CIPHER, "costCenter": "cc"}, id="secret-in-a-tag"),
    pytest.param("namePrefix", "namePrefix", CIPHER, id="secret-name-prefix"),
    pytest.param("monitoring", "monitoring.alertEmails[0]",
                 {"retentionDays": 90, "alertEmails": [CIPHER]}, id="secret-in-a-list"),
])
def test_secure_value_outside_a_secret_field_is_refused(prod: dict[str, Any], key: str, path: str,
                                                        written: Any) -> None:
    found = problems(prod, secret={key}, stack_file=_file({**prod, key: written}))
    assert "not a secret field" in found[path]


def test_key_level_marking_without_the_stack_file(prod: dict[str, Any]) -> None:
    # Config from ESC or --config-file: only the key is known to be secret.
    found = problems(prod, secret={"tags"})
    assert "holds no secret field" in found["tags"]
    prod["secrets"] = {"search-key": "plain-text-value"}
    assert "plain text" in problems(prod)["secrets.search-key"]


def test_no_message_prints_a_value_that_may_be_secret(prod: dict[str, Any]) -> None:
    prod["namePrefix"] = "Leaked-Prefix-Value"
    prod["secrets"] = {"bad_name": 123456789}
    with pytest.raises(ConfigError) as info:
        parse(prod, secret={"namePrefix", "secrets"})
    text = str(info.value)
    assert "namePrefix" in text and "secrets.bad_name" in text
    assert "Leaked-Prefix-Value" not in text and "123456789" not in text

