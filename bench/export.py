"""Write a large `pulumi stack export` file: `python -m bench.export <out.json> <count> [plain]`.

The resources are the prod dry-run's, repeated under numbered names until `count`, in the shape
the CLI writes (apitype.UntypedDeployment v3, ResourceV3 fields, secrets as ciphertext objects,
a default provider reference on every custom resource). `plain` writes each secret's value
unwrapped instead: the reader does not take ciphertext yet (the benchmark reports both).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dryrun.model import SECRET_SIG, SIG_KEY, Resource
from dryrun.program import run

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_ID = "b8f0f3a5-9e7c-4d6e-8f4b-2a1c3d5e7f90"


def _encrypt(value: Any, plain: bool) -> Any:
    """Secrets as `pulumi stack export` prints them without --show-secrets: ciphertext only."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return value.get("value") if plain else {SIG_KEY: SECRET_SIG, "ciphertext": "v1:AAAAAAAAAAAA:" + "x" * 24}
        return {k: _encrypt(v, plain) for k, v in value.items()}
    if isinstance(value, list):
        return [_encrypt(v, plain) for v in value]
    return value


def export(resources: list[Resource], stack: str, project: str, count: int, *, plain: bool = False,
           ) -> dict[str, Any]:
    stack_urn = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
    provider_urn = f"urn:pulumi:{stack}::{project}::pulumi:providers:azure-native::default_3_29_0"
    out: list[dict[str, Any]] = [
        {"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {},
         "created": "2026-11-20T10:00:00Z", "modified": "2026-11-20T10:00:00Z"},
        {"urn": provider_urn, "custom": True, "id": PROVIDER_ID, "type": "pulumi:providers:azure-native",
         "inputs": {"version": "3.29.0"}, "outputs": {"version": "3.29.0"}, "parent": stack_urn},
    ]
    body = [r for r in resources if r.type != "pulumi:pulumi:Stack"]
    copy = 0
    while len(out) < count:
        def rename(urn: str, copy: int = copy) -> str:
            return urn if urn == stack_urn or copy == 0 else f"{urn}-{copy}"
        for r in body:
            if len(out) >= count:
                break
            record: dict[str, Any] = {
                "urn": rename(r.urn), "custom": r.custom, "type": r.type,
                "inputs": _encrypt(r.inputs, plain),
                "outputs": {**_encrypt(r.inputs, plain), "provisioningState": None},
                "parent": rename(r.parent) if r.parent else stack_urn,
                "dependencies": [rename(d) for d in r.dependencies],
                "propertyDependencies": {k: [rename(d) for d in v] for k, v in r.property_dependencies.items()},
                "created": "2026-11-20T10:00:00Z", "modified": "2026-11-20T10:00:00Z",
            }
            if r.custom:
                record["id"] = f"/subscriptions/0000/{r.type}/{r.name}-{copy}"
                record["provider"] = f"{provider_urn}::{PROVIDER_ID}"
            if r.protect:
                record["protect"] = True
            out.append(record)
        copy += 1
    return {"version": 3, "deployment": {
        "manifest": {"time": "2026-11-20T10:00:00Z", "magic": "", "version": "v3.272.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:abc"}},
        "resources": out}}


def main() -> None:
    target, count, plain = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:] == ["plain"]
    result = run(ROOT, "prod")
    target.write_text(json.dumps(export(result.resources, "prod", result.project, count, plain=plain), indent=4))


if __name__ == "__main__":
    main()
