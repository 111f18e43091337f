"""The real program validates all of its config before it declares a single resource."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import dryrun.program as program
from dryrun.model import SECRET_SIG, SIG_KEY
from dryrun.program import ProgramError
from dryrun.stackfile import UsageError
from tests.stack_config.config_cases import ROOT

PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "components", "stack_config", "policies")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in PROJECT_FILES:
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


@pytest.fixture
def monitors(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    created: list[Any] = []

    class Recording(program.RecordingMonitor):
        def __init__(self, mocks: Any) -> None:
            super().__init__(mocks)
            created.append(self)

    monkeypatch.setattr(program, "RecordingMonitor", Recording)
    return created


def _dev_config() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())


BAD = [
    pytest.param(lambda c: c["config"].__setitem__("ai-platform:namePrefix", "AIP"), "namePrefix",
                 id="field-validator"),
    pytest.param(lambda c: c["config"]["ai-platform:backup"].__setitem__("retentionDays", 2), "retentionDays",
                 id="rule-that-used-to-live-in-a-component"),
    pytest.param(lambda c: c["config"]["ai-platform:tags"].__setitem__("owner", {"secure": "v1:x"}),
                 "tags.owner", id="secret-in-a-tag"),
    pytest.param(lambda c: c["config"].__setitem__("ai-platfrom:governance", {}), "did you mean",
                 id="namespace-typo"),
    pytest.param(lambda c: c["config"].__setitem__("ai-platform:secrets", {"a": {"secure": "v1:x"}, "b": "plain"}),
                 "secrets.b", id="plain-secret-beside-encrypted"),
]


@pytest.mark.parametrize(("mutate", "fragment"), BAD)
def test_bad_config_declares_nothing(project: Path, monitors: list[Any], mutate: Any, fragment: str) -> None:
    config = _dev_config()
    mutate(config)
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ProgramError) as info:
        program.run(project, "dev")
    assert fragment in str(info.value) and "nothing was deployed" in str(info.value)
    assert [r for r in monitors[0].recorded if r.type != "pulumi:pulumi:Stack"] == []


def test_duplicate_key_in_stack_file_is_a_usage_error(project: Path) -> None:
    text = (ROOT / "Pulumi.dev.yaml").read_text() + "  ai-platform:protect: true\n"
    (project / "Pulumi.dev.yaml").write_text(text)
    with pytest.raises(UsageError, match="'ai-platform:protect' is defined twice"):
        program.run(project, "dev")


def test_secret_reaches_key_vault_as_a_pulumi_secret(project: Path) -> None:
    config = _dev_config()
    config["config"]["ai-platform:secrets"] = {"search-key": {"secure": "v1:ciphertext"}}
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config))
    result = program.run(project, "dev")
    written = [r for r in result.resources
               if r.type == "azure-native:keyvault:Secret" and r.inputs.get("secretName") == "search-key"]
    assert written and all(r.inputs["properties"]["value"][SIG_KEY] == SECRET_SIG for r in written)
