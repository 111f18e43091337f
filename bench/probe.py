"""One measured dry-run in a fresh process: `python -m bench.probe <project-dir> <stack>`.

Prints JSON with the split the benchmark reports: imports (the program's modules and their
azure-native submodules), program (running __main__.py under mocks), policy (loading the pack and
evaluating it), and the resource count.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
import types
from pathlib import Path


def main() -> None:
    project, stack = Path(sys.argv[1]).resolve(), sys.argv[2]
    root = Path(__file__).resolve().parent.parent
    t0 = time.perf_counter()
    sys.path.insert(0, str(root))
    from pulumi_policy import StackValidationPolicy

    # Imported inside main: the import time is what is measured.
    import components
    from dryrun.policy_driver import Pack
    from dryrun.program import run
    from policies.pack import POLICIES

    for module in pkgutil.iter_modules(components.__path__):
        loaded = importlib.import_module(f"components.{module.name}")
        for value in vars(loaded).values():
            # azure-native submodules load lazily, on first attribute access: force it here so
            # "imports" holds all module loading and "program" only the program's own work.
            if isinstance(value, types.ModuleType) and value.__name__.startswith("pulumi_azure_native."):
                getattr(value, "_utilities", None)
    t1 = time.perf_counter()
    result = run(project, stack)
    t2 = time.perf_counter()
    pack = Pack(root / "policies")
    pack.configure(None, stack=stack, project=result.project)
    t3 = time.perf_counter()
    violations = pack.analyze(result.resources)
    t4 = time.perf_counter()
    stack_policies = [p for p in POLICIES if isinstance(p, StackValidationPolicy)]
    t5 = t6 = 0.0
    if stack_policies:  # timed alone: the benchmark checks they stay linear in the resource count
        stack_only = Pack.from_policies(stack_policies)
        stack_only.configure(None, stack=stack, project=result.project)
        t5 = time.perf_counter()
        stack_only.analyze(result.resources)
        t6 = time.perf_counter()
    print(json.dumps({
        "imports": t1 - t0, "program": t2 - t1, "pack_load": t3 - t2, "policy": t4 - t3,
        "stack_policies": t6 - t5, "resources": len(result.resources), "violations": len(violations),
    }))


if __name__ == "__main__":
    main()
