"""Run a stack's program in this fresh process with the SDK's own imports (eager service packages,
annotations evaluated at import) and print what the engine would receive: one JSON object,
registration key -> canonical RegisterResource request, plus the stack's exported outputs. The
process takes the dry-run's collector settings (dryrun/collector.py), so that its imports are the
only thing it does differently.

    python -m tests.request_fingerprints <project-dir> <stack> --bootstrap-pfx FILE

A process of its own: a module is loaded one way per interpreter, and a test worker loads them
as the dry-run does (tests/conftest.py). The gateway's bootstrap certificate, a fresh key per
process otherwise, is the one in FILE, so that two processes can send the same requests.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from dryrun import program
from dryrun.collector import collect_cycles_less_often


def canonical(request: Any) -> dict[str, Any]:
    """The request as the engine reads it; fields the SDK fills from sets are sorted."""
    doc = json_format.MessageToDict(request, preserving_proto_field_name=True)
    doc["dependencies"] = sorted(doc.get("dependencies", []))
    doc["propertyDependencies"] = {k: sorted(v.get("urns", [])) for k, v in
                                   sorted(doc.get("propertyDependencies", {}).items())}
    return doc


def fingerprint(result: program.ProgramResult) -> dict[str, Any]:
    """A program run's requests, canonical and keyed, and its outputs."""
    return {"requests": keyed([canonical(r) for r in result.requests]), "outputs": result.outputs}


def keyed(seen: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for doc in seen:
        key = f"{doc.get('parent', '')} {doc['type']}::{doc['name']}"
        if key in out:
            raise AssertionError(f"two registrations of {key}")
        out[key] = json.dumps(doc, sort_keys=True)
    return dict(sorted(out.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("stack")
    parser.add_argument("--bootstrap-pfx", type=Path, required=True)
    args = parser.parse_args()
    # As the dry-run command runs but for its imports: the one shortcut under test is the only difference.
    collect_cycles_less_often()
    from components import gateway_certificate

    pfx = args.bootstrap_pfx.read_text()
    gateway_certificate.self_signed_pfx = lambda host_name, now=None: pfx  # type: ignore[assignment]
    result = program.run(args.project.resolve(), args.stack, lazy_service_imports=False)
    print(json.dumps(fingerprint(result), sort_keys=True, default=str))


if __name__ == "__main__":
    main()
