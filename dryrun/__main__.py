"""Offline dry-run: run the real program under mocks and evaluate the real policy pack on it.

    python -m dryrun <stack> [--json FILE] [--sarif FILE] [--checklist] [--policy-config FILE]
    python -m dryrun --resources FILE [--json FILE] [--sarif FILE] [--checklist] [--policy-config FILE]

--checklist-json FILE writes the checklist status; --quiet prints only the summary (and the checklist).

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 a config or usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import report, sarif
from .policy_driver import Pack, parse_config_file
from .program import ProgramError
from .program import run as run_program
from .readers import read as read_resources
from .stackfile import UsageError

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dryrun",
                                description="Offline dry-run of a stack against the policy pack.")
    p.add_argument("stack", nargs="?", help="stack name: reads Pulumi.<stack>.yaml")
    p.add_argument("--resources", type=Path, help="evaluate resources from a dry-run JSON, "
                   "`pulumi stack export` or `pulumi preview --json` file instead of running the program")
    p.add_argument("--json", type=Path, dest="json_out", help="write resources and violations as JSON")
    p.add_argument("--sarif", type=Path, dest="sarif_out", help="write findings as SARIF 2.1.0 (GitHub code scanning)")
    p.add_argument("--checklist", action="store_true",
                   help="print the production checklist: per item the enforcing policies and its status")
    p.add_argument("--checklist-json", type=Path, dest="checklist_out", help="write the checklist status as JSON")
    p.add_argument("--policy-config", type=Path, help="policy pack config (the --policy-pack-config format)")
    p.add_argument("--policy-pack", type=Path, default=ROOT / "policies", help="policy pack directory")
    p.add_argument("--project-dir", type=Path, default=ROOT, help="directory holding Pulumi.yaml")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ProgramError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if bool(args.stack) == bool(args.resources):
        raise UsageError("give a stack name or --resources FILE (one of them)")
    file_config = parse_config_file(args.policy_config) if args.policy_config else None
    if args.resources:
        stack, resources = read_resources(args.resources)
        project = "ai-platform"
        source_file: Path = args.resources
    else:
        result = run_program(args.project_dir.resolve(), args.stack)
        stack, resources, project = result.stack, result.resources, result.project
        source_file = args.project_dir / f"Pulumi.{stack}.yaml"
    source = str(args.resources) if args.resources else source_file.name
    pack = Pack(args.policy_pack.resolve())
    pack.configure(file_config, stack=stack, project=project)
    violations = pack.analyze(resources)
    suppressed = pack.suppressed

    mandatory = [v for v in violations if v.level == "mandatory"]
    if not args.quiet:
        print(f"== {source}: {len(resources)} resources\n{report.tree(resources)}\n")
        print(f"== resources by type\n{report.counts(resources)}\n")
        print(f"== policy pack {pack.name}@{pack.version}: {len(pack.policies)} policies")
        print(report.violations_text(violations, pack) + "\n")
        print(f"== suppressed findings\n{report.suppressed_text(suppressed, pack)}\n")
    rows = report.checklist(pack, violations, suppressed)
    if args.checklist:
        print(f"== checklist\n{report.checklist_text(rows)}\n")
    print(f"stack {stack}: {len(resources)} resources, {len(mandatory)} mandatory and "
          f"{len(violations) - len(mandatory)} other violation(s), {len(suppressed)} suppressed")
    if args.json_out:
        report.write(args.json_out, report.to_json(stack, resources, violations, suppressed))
    if args.sarif_out:
        report.write(args.sarif_out, sarif.to_sarif(pack, stack, sarif.artifact_uri(source_file), resources,
                                                    violations, suppressed))
    if args.checklist_out:
        report.write(args.checklist_out, report.checklist_json(stack, rows))
    return 1 if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
