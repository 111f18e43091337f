"""Benchmark: `./dev bench [--runs N] [--quick]` prints a table and writes bench/results/latest.json.

Every figure is a median over N runs, each run its own process (what a user pays per command).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .stacks import write_stack

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _wall(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _probe(project: Path, stack: str, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run([PY, "-m", "bench.probe", str(project), stack], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return {k: _median([s[k] for s in samples]) for k in samples[0]}


_LOADED = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from dryrun.program import run
run(Path(sys.argv[1]), "prod")
print(" ".join(sorted(m for m in sys.modules if m.startswith("pulumi_azure_native"))))
"""


def _used_modules() -> list[str]:
    """The azure-native modules the prod program really loads (the SDK loads classes lazily, so
    importing the submodule packages alone would understate the floor)."""
    out = subprocess.run([PY, "-c", _LOADED, str(ROOT)], check=True, capture_output=True, text=True).stdout
    return out.split()


def _uv() -> str:
    local = ROOT / ".cache" / "bootstrap" / "bin" / "uv"
    return str(local) if local.exists() else (shutil.which("uv") or "uv")


def measure(runs: int, scaling_runs: int, grid: list[tuple[int, int]]) -> dict[str, Any]:
    results: dict[str, Any] = {"runs": runs, "python_floor": _median([_wall([PY, "-c", "pass"]) for _ in range(runs)])}
    modules = _used_modules()
    results["azure_native_modules"] = modules
    results["import_floor"] = _median([_wall([PY, "-c", "; ".join(f"import {m}" for m in modules)])
                                       for _ in range(runs)])
    with tempfile.TemporaryDirectory() as tmp:
        env = {"UV_PROJECT_ENVIRONMENT": str(Path(tmp) / "venv")}
        setup = []
        for _ in range(runs):
            shutil.rmtree(Path(tmp) / "venv", ignore_errors=True)
            setup.append(_wall([_uv(), "sync", "--locked", "--quiet"], env=env))
        results["setup_fresh_venv"] = _median(setup)
    for stack in ("dev", "prod"):
        results[f"dryrun_{stack}_wall"] = _median([_wall([PY, "-m", "dryrun", stack, "--quiet"])
                                                   for _ in range(runs)])
        results[f"dryrun_{stack}_split"] = _probe(ROOT, stack, runs)
    results["tests_wall"] = _median([_wall([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto",
                                            "--dist", "loadfile"])
                                     for _ in range(max(1, runs // 2))])
    scaling = []
    with tempfile.TemporaryDirectory() as tmp:
        for regions, deployments in grid:
            stack = write_stack(Path(tmp), regions, deployments)
            wall = _median([_wall([PY, "-m", "dryrun", stack, "--quiet", "--project-dir", tmp])
                            for _ in range(scaling_runs)])
            split = _probe(Path(tmp), stack, scaling_runs)
            scaling.append({"regions": regions, "deployments": deployments, "wall": wall, **split})
    results["scaling"] = scaling
    return results


def table(r: dict[str, Any]) -> str:
    prod = r["dryrun_prod_split"]
    lines = [
        f"| measure (median of {r['runs']}) | seconds |", "|---|---|",
        f"| `python -c pass` | {r['python_floor']:.3f} |",
        f"| import floor ({len(r['azure_native_modules'])} azure-native modules the prod program loads) | "
        f"{r['import_floor']:.2f} |",
        f"| setup: fresh venv from uv.lock (warm cache) | {r['setup_fresh_venv']:.2f} |",
        f"| dry-run dev, wall | {r['dryrun_dev_wall']:.2f} |",
        f"| dry-run prod, wall | {r['dryrun_prod_wall']:.2f} |",
        f"| prod split: imports / program / pack load / policy | {prod['imports']:.2f} / {prod['program']:.2f}"
        f" / {prod['pack_load']:.2f} / {prod['policy']:.3f} |",
        f"| policy evaluation alone, prod ({int(prod['resources'])} resources) | {prod['policy']:.3f} |",
        f"| test suite, wall | {r['tests_wall']:.1f} |",
        "", "| regions | deployments/region | resources | wall s | program s | policy s | stack policies ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in r["scaling"]:
        lines.append(f"| {s['regions']} | {s['deployments']} | {int(s['resources'])} | {s['wall']:.2f} | "
                     f"{s['program']:.2f} | {s['policy']:.3f} | {s['stack_policies'] * 1000:.1f} |")
    return "\n".join(lines)


def verdicts(r: dict[str, Any]) -> list[str]:
    prod, floor = r["dryrun_prod_wall"], r["import_floor"]
    by_regions = {s["regions"]: s for s in r["scaling"] if s["deployments"] == 1}
    out = [f"prod dry-run / import floor = {prod / floor:.2f}x (target <= 1.5x)"]
    if 1 in by_regions and 8 in by_regions:
        one, eight = by_regions[1], by_regions[8]
        out.append(f"8 regions / 1 region wall = {eight['wall'] / one['wall']:.2f}x (target <= 3x)")
        # Per-resource cost of the stack policies at 8 regions against the smaller stacks' median:
        # one sample per stack is noisy, a pairwise scan would grow it ~8x.
        smaller = [s["stack_policies"] / s["resources"] for n, s in by_regions.items() if n < 8]
        baseline = statistics.median(smaller)
        if baseline > 0:
            ratio = eight["stack_policies"] / eight["resources"] / baseline
            out.append(f"stack policies per resource, 8 regions vs smaller stacks = {ratio:.2f}x "
                       f"(linear if about 1x: {'linear' if ratio < 2 else 'SUPERLINEAR'})")
    out.append(f"policy evaluation prod = {r['dryrun_prod_split']['policy']:.3f} s (target < 0.3 s)")
    out.append(f"test suite = {r['tests_wall']:.1f} s (target < 60 s)")
    out.append(f"first-time setup (fresh venv) = {r['setup_fresh_venv']:.1f} s (target < 25 s)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median); default 3")
    parser.add_argument("--quick", action="store_true", help="1 run each, scaling grid 1/8 regions only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--report", type=Path, help="print the table of an earlier run's JSON, measure nothing")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text())
        print(table(saved), "", *verdicts(saved), sep="\n")
        return 0
    runs = 1 if args.quick else args.runs
    grid = ([(1, 1), (8, 1)] if args.quick else
            [(1, 1), (2, 1), (4, 1), (8, 1), (1, 2), (1, 4), (1, 8), (8, 8)])
    results = measure(runs, 1 if args.quick else max(1, runs - 1), grid)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print()
    print("\n".join(verdicts(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
