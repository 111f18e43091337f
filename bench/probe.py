"""One measured dry-run in a fresh process:
`python -m bench.probe <project-dir> <stack> [--stock-aliases] [--stock-stack-traces] [--eager-imports]
[--stock-annotations] [--stock-gc] [--modules M ...]`.

Prints JSON with the split the benchmark reports: imports (the program's modules and the
azure-native modules given with --modules, the ones the program loads), program (running
__main__.py under mocks), pack_load, policy (evaluating the pack), and the resource count.
--stock-aliases, --stock-stack-traces and --eager-imports turn the dry-run's SDK shortcuts off one at a time,
--stock-annotations only the deferred annotations of the lazy imports, and --stock-gc the
collector settings (dryrun/collector.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("stack")
    parser.add_argument("--stock-aliases", action="store_true")
    parser.add_argument("--stock-stack-traces", action="store_true")
    parser.add_argument("--eager-imports", action="store_true")
    parser.add_argument("--stock-annotations", action="store_true")
    parser.add_argument("--stock-gc", action="store_true")
    parser.add_argument("--modules", nargs="*", default=[])
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    t0 = time.perf_counter()
    sys.path.insert(0, str(root))
    from pulumi_policy import StackValidationPolicy

    # Imported inside main: the import time is what is measured.
    import components
    from dryrun import lazy_imports, program
    from dryrun.collector import collect_cycles_less_often
    from dryrun.policy_driver import Pack
    from policies.pack import POLICIES

    if not args.stock_gc:  # where the dry-run command sets it: after its own imports, before the program
        collect_cycles_less_often()
    if not args.eager_imports:
        lazy_imports.install(defer_annotations=not args.stock_annotations)
    for module in pkgutil.iter_modules(components.__path__):
        importlib.import_module(f"components.{module.name}")
    # Load here what the program will load, so "imports" holds all module loading and
    # "program" only the program's own work.
    for name in args.modules:
        # The root package puts every service in sys.modules unexecuted (importlib's LazyLoader):
        # an attribute access runs it.
        getattr(importlib.import_module(name), "__name__")  # noqa: B009 - the access is the point
    t1 = time.perf_counter()
    result = program.run(args.project.resolve(), args.stack, alias_shortcut=not args.stock_aliases,
                         stack_trace_shortcut=not args.stock_stack_traces,
                         lazy_service_imports=not args.eager_imports)
    t2 = time.perf_counter()
    pack = Pack(root / "policies")
    pack.configure(None, stack=args.stack, project=result.project)
    t3 = time.perf_counter()
    violations = pack.analyze(result.resources)
    t4 = time.perf_counter()
    stack_policies = [p for p in POLICIES if isinstance(p, StackValidationPolicy)]
    t5 = t6 = 0.0
    if stack_policies:  # timed alone: the benchmark checks they stay linear in the resource count
        stack_only = Pack.from_policies(stack_policies)
        stack_only.configure(None, stack=args.stack, project=result.project)
        t5 = time.perf_counter()
        stack_only.analyze(result.resources)
        t6 = time.perf_counter()
    print(json.dumps({
        "imports": t1 - t0, "program": t2 - t1, "pack_load": t3 - t2, "policy": t4 - t3,
        "stack_policies": t6 - t5, "resources": len(result.resources), "violations": len(violations),
    }))


if __name__ == "__main__":
    main()
