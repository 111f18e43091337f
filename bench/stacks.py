"""Generate scaled stacks (config only, no code change) from the prod stack file."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Distinct zonal regions, primary first; enough for the largest benchmarked stack. Each offers the prod
# chat model on DataZoneStandard (the preflight's availability table refuses a stack that asks elsewhere).
REGIONS = ["eastus2", "westus3", "centralus", "eastus", "westeurope", "swedencentral", "southcentralus",
           "francecentral"]


def _region(index: int, location: str, template: dict[str, Any]) -> dict[str, Any]:
    region = copy.deepcopy(template)
    region["location"] = location
    region["addressSpace"] = f"10.{100 + index}.0.0/16"
    for subnet in region["subnets"]:
        octets = subnet["prefix"].split(".")
        subnet["prefix"] = ".".join([octets[0], str(100 + index), *octets[2:]])
    return region


def write_stack(target: Path, regions: int, deployments: int) -> str:
    """A project dir linking the real program, with a stack of `regions` x `deployments`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("__main__.py", "components", "stack_config"):
        link = target / name
        if not link.exists():
            os.symlink(ROOT / name, link)
    shutil.copy(ROOT / "Pulumi.yaml", target / "Pulumi.yaml")
    base = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    config = base["config"]
    template = config["ai-platform:network"]["regions"][0]
    config["ai-platform:network"]["regions"] = [_region(i, REGIONS[i], template) for i in range(regions)]
    config["ai-platform:allowedLocations"] = REGIONS[:regions]
    model, *others = config["ai-platform:openai"]["deployments"]
    # The chat model scaled out; the deployments other config names (the AI gateway's semantic cache
    # embeddings) stay as they are.
    named = {config.get("ai-platform:aiGateway", {}).get("semanticCache", {}).get("embeddingsDeployment")}
    config["ai-platform:openai"]["deployments"] = [
        *({**model, "name": f"model-{i}", "capacity": 10} for i in range(deployments)),
        # Only seven regions offer the embeddings model on DataZoneStandard; a grid stack is never deployed, so
        # the preflight's own override lets the other regions through (it would refuse them otherwise).
        *({**d, "assumeAvailableIn": REGIONS[:regions]} for d in others if d["name"] in named)]
    # prod sizes everywhere, but as environment "test": prod's rules would refuse one region.
    config["ai-platform:environment"] = "test"
    stack = f"r{regions}d{deployments}"
    (target / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    return stack
