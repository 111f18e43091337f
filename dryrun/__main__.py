"""Offline dry-run: run the real program under mocks and evaluate the real policy pack on it.

    python -m dryrun <stack> [--json FILE] [--sarif FILE] [--checklist] [--policy-config FILE]
    python -m dryrun --resources FILE|- [--json FILE] [--sarif FILE] [--checklist] [--policy-config FILE]

--checklist-json FILE writes the checklist status; --quiet prints only the summary (and the checklist).

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 a usage, config or input error
(nothing was evaluated), 3 an internal error (a bug: one line saying where to report it).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from . import arguments, report, sarif
from .collector import collect_cycles_less_often
from .policy_driver import Pack, PolicyCrash, parse_config_file
from .program import ProgramError
from .program import run as run_program
from .readers import Resources
from .readers import read as read_resources
from .stackfile import UsageError

ROOT = Path(__file__).resolve().parent.parent
# Pulumi's stack names (sdk/go/common/tokens: alphanumerics, '-', '_', '.'); it also keeps the
# name from reaching outside the project directory through Pulumi.<stack>.yaml.
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
PROJECT = "ai-platform"  # the project a --resources file is evaluated as (Pulumi.yaml's name)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dryrun",
                                description="Offline dry-run of a stack against the policy pack.",
                                epilog="exit codes: 0 no mandatory violation, 1 a mandatory violation, "
                                       "2 usage, config or input error, 3 internal error")
    p.add_argument("stack", nargs="?", help="stack name: reads Pulumi.<stack>.yaml")
    p.add_argument("--resources", metavar="FILE|-", help="evaluate resources from a dry-run JSON, "
                   "`pulumi stack export` or `pulumi preview --json` file (- for standard input) instead of "
                   "running the program")
    p.add_argument("--json", dest="json_out", metavar="FILE", help="write resources and violations as JSON")
    p.add_argument("--sarif", dest="sarif_out", metavar="FILE",
                   help="write findings as SARIF 2.1.0 (GitHub code scanning)")
    p.add_argument("--checklist", action="store_true",
                   help="print the production checklist: per item the enforcing policies and its status")
    p.add_argument("--checklist-json", dest="checklist_out", metavar="FILE", help="write the checklist status as JSON")
    p.add_argument("--policy-config", metavar="FILE", help="policy pack config (the --policy-pack-config format)")
    p.add_argument("--policy-pack", type=Path, default=ROOT / "policies", help="policy pack directory")
    p.add_argument("--project-dir", type=Path, default=ROOT, help="directory holding Pulumi.yaml")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return arguments.exit_code(exc)
    try:
        return _run(args)
    except (UsageError, ProgramError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return arguments.USAGE
    except PolicyCrash as exc:
        # A file can hold any properties: one the pack cannot read is an input error. The program's own
        # resources are typed by the SDK, so there it is a bug in the pack.
        if args.resources:
            print(f"error: {exc}", file=sys.stderr)
            return arguments.USAGE
        return arguments.internal_error("python -m dryrun", exc, str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return arguments.internal_error("python -m dryrun", exc)


def _run(args: argparse.Namespace) -> int:
    if bool(args.stack) == bool(args.resources):
        raise UsageError("give a stack name or --resources FILE (one of them)")
    if args.stack and not _STACK_NAME.fullmatch(args.stack):
        raise UsageError(f"stack name {args.stack!r}: use letters, digits, '-', '_' and '.' only")
    # Every file argument is checked before anything runs: no run ends unable to write its report.
    outputs = {"--json": args.json_out, "--sarif": args.sarif_out, "--checklist-json": args.checklist_out}
    arguments.plain_paths({"--resources": args.resources, "--policy-config": args.policy_config, **outputs,
                           "--policy-pack": args.policy_pack, "--project-dir": args.project_dir})
    json_out, sarif_out, checklist_out = (arguments.output_file(v, k) if v is not None else None
                                          for k, v in outputs.items())
    arguments.distinct_files({"--resources": args.resources, "--policy-config": args.policy_config, **outputs})
    for option, directory in (("--policy-pack", args.policy_pack), ("--project-dir", args.project_dir)):
        if not directory.is_dir():
            raise UsageError(f"{option} {directory}: not a directory")
    file_config = parse_config_file(Path(args.policy_config)) if args.policy_config else None
    read = read_resources(args.resources) if args.resources else None
    pack = Pack(args.policy_pack.resolve())
    project = PROJECT
    pack.configure(file_config, stack=read.stack if read else args.stack, project=project)  # errors before the run
    if read is None:
        result = run_program(args.project_dir.resolve(), args.stack)
        read = Resources(result.stack, result.resources, "program")
        if result.project != project:
            project = result.project
            pack.configure(file_config, stack=read.stack, project=project)
        source_file = args.project_dir / f"Pulumi.{read.stack}.yaml"
        source, artifact = source_file.name, sarif.artifact_uri(source_file)
    elif args.resources == "-":
        source, artifact = "standard input", "stdin"
    else:
        source, artifact = args.resources, sarif.artifact_uri(Path(args.resources))
    stack, resources, notes = read.stack, read.resources, read.notes
    violations = pack.analyze(resources, stack_policies=read.complete)
    suppressed = pack.suppressed
    report.scrub(violations, suppressed, report.secret_texts(resources))

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
    for note in notes:
        print(f"note: {note}")
    print(f"stack {stack}: {len(resources)} resources, {len(mandatory)} mandatory and "
          f"{len(violations) - len(mandatory)} other violation(s), {len(suppressed)} suppressed")
    if json_out:
        arguments.write(json_out, report.to_json(stack, resources, violations, suppressed, notes), "--json")
    if sarif_out:
        arguments.write(sarif_out, sarif.to_sarif(pack, stack, artifact, resources, violations, suppressed), "--sarif")
    if checklist_out:
        arguments.write(checklist_out, report.checklist_json(stack, rows), "--checklist-json")
    return arguments.FINDING if mandatory else arguments.OK


if __name__ == "__main__":
    collect_cycles_less_often()  # a process setting: the command's, not main()'s when a test calls it
    sys.exit(main())
