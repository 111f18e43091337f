"""Benchmark: `./dev bench [--runs N] [--quick] [--export-resources N]` prints a table and writes
bench/results/latest.json.

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


def _timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """(wall, CPU) seconds of one command. CPU (user + system of the process) is what another
    job on a shared machine disturbs least; wall is what a user waits."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime


def _wall(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    return _timed(cmd, env, cwd)[0]


def _both(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    return _summary([_timed(cmd, env) for _ in range(runs)])


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    """Median wall and CPU of (wall, CPU) samples."""
    return {"wall": _median([w for w, _ in samples]), "cpu": _median([c for _, c in samples])}


def _interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, dict[str, float]]:
    """`_both` of each command, the commands taken in turn within each run."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(_timed(cmd))
    return {name: _summary(got) for name, got in samples.items()}


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _probe(project: Path, stack: str, runs: int, flags: list[str]) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run([PY, "-m", "bench.probe", str(project), stack, *flags], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return {k: _median([s[k] for s in samples]) for k in samples[0]}


_LOADED = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from dryrun.program import run
shortcuts = sys.argv[2] == "dry-run"
run(Path(sys.argv[1]), "prod", alias_shortcut=shortcuts, stack_trace_shortcut=shortcuts, lazy_service_imports=shortcuts)
print(" ".join(sorted(m for m in sys.modules if m.startswith("pulumi_azure_native"))))
"""


def _loaded_modules(mode: str) -> list[str]:
    """The azure-native modules the prod program loads: with the dry-run's lazy service packages
    ("dry-run") or as generated ("stock"). The root package loads services lazily, so importing
    the service packages alone would understate the floor: the list names every module."""
    out = subprocess.run([PY, "-c", _LOADED, str(ROOT), mode], check=True, capture_output=True, text=True).stdout
    return out.split()


_LAZY = "from dryrun import lazy_imports; lazy_imports.install(); "
# The probe's configurations: label -> flags (the dry-run as shipped first).
CONFIGS = {"dry-run": [], "stock aliases": ["--stock-aliases"], "stock stack traces": ["--stock-stack-traces"],
           "eager imports": ["--eager-imports"], "stock annotations": ["--stock-annotations"],
           "default GC": ["--stock-gc"],
           "all off (the stock SDK)": ["--stock-aliases", "--stock-stack-traces", "--eager-imports", "--stock-gc"]}
# The eager floor again with the dry-run's collector settings (dryrun/collector.py): how much of the
# dry-run's lead over the stock floor is the collector, and how much the import and alias shortcuts.
_TUNED_GC = "from dryrun.collector import collect_cycles_less_often; collect_cycles_less_often(); "


def _uv() -> str:
    local = ROOT / ".cache" / "bootstrap" / "bin" / "uv"
    return str(local) if local.exists() else (shutil.which("uv") or "uv")


def _peak(cmd: list[str]) -> tuple[float, str, int]:
    """(wall seconds, outcome, peak resident MiB) of one command; the outcome is its exit code, or
    "crash" when it printed a traceback (never acceptable: bad input must exit 2)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        outcome = "crash" if b"Traceback" in err.read() else f"exit {child.returncode}"
    return wall, outcome, usage.ru_maxrss // 1024


def _resources_mode(count: int) -> dict[str, Any]:
    """`--resources` on a generated `pulumi stack export` of `count` resources."""
    out: dict[str, Any] = {"count": count}
    with tempfile.TemporaryDirectory() as tmp:
        for secrets in ("ciphertext", "plain"):
            path = Path(tmp) / f"export-{secrets}.json"
            subprocess.run([PY, "-m", "bench.export", str(path), str(count),
                            *(["plain"] if secrets == "plain" else [])], cwd=ROOT, check=True)
            wall, outcome, peak = _peak([PY, "-m", "dryrun", "--resources", str(path), "--quiet"])
            out[secrets] = {"wall": wall, "outcome": outcome, "peak_mib": peak,
                            "file_mib": path.stat().st_size // (1 << 20)}
    return out


def measure(runs: int, scaling_runs: int, grid: list[tuple[int, int]], export_count: int) -> dict[str, Any]:
    results: dict[str, Any] = {"runs": runs, "python_floor": _median([_wall([PY, "-c", "pass"]) for _ in range(runs)])}
    modules = {"stock": _loaded_modules("stock"), "dry-run": _loaded_modules("dry-run")}
    results["azure_native_modules"] = {k: len(v) for k, v in modules.items()}
    eager_imports = "; ".join(f"import {m}" for m in modules["stock"])
    # The floors and the dry-runs they are compared with, taken in turn within each run: this
    # machine's speed drifts by a third within minutes, and a ratio must not compare two moments.
    results.update(_interleaved({
        "import_floor_eager": [PY, "-c", eager_imports],
        "import_floor_eager_tuned_gc": [PY, "-c", _TUNED_GC + eager_imports],
        "import_floor_lazy": [PY, "-c", _LAZY + "; ".join(f"import {m}" for m in modules["dry-run"])],
        "dryrun_dev": [PY, "-m", "dryrun", "dev", "--quiet"],
        "dryrun_prod": [PY, "-m", "dryrun", "prod", "--quiet"],
    }, runs))
    with tempfile.TemporaryDirectory() as tmp:
        env = {"UV_PROJECT_ENVIRONMENT": str(Path(tmp) / "venv")}
        setup = []
        for _ in range(runs):
            shutil.rmtree(Path(tmp) / "venv", ignore_errors=True)
            setup.append(_wall([_uv(), "sync", "--locked", "--quiet"], env=env))
        results["setup_fresh_venv"] = _median(setup)
    # Eager packages load their whole service: naming the services is enough (and naming every
    # module of them trips the SDK's own import order).
    services = sorted({".".join(m.split(".")[:2]) for m in modules["dry-run"] if m.count(".") >= 2})
    results["prod_split"] = {
        label: _probe(ROOT, "prod", runs,
                      [*flags, "--modules", *(services if "--eager-imports" in flags else modules["dry-run"])])
        for label, flags in CONFIGS.items()}
    # As `./dev test` runs it (bytecode cached); pyright, which `./dev test` runs beside it, is timed alone.
    results["tests"] = _both([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadscope"],
                             max(1, runs // 2), env={"PYTHONDONTWRITEBYTECODE": ""})
    results["pyright"] = _both([str(Path(PY).parent / "pyright")], 1)
    scaling = []
    with tempfile.TemporaryDirectory() as tmp:
        stacks = {point: write_stack(Path(tmp), *point) for point in grid}
        # The grid's dry-runs in turn within each run, as the floors: a ratio of two grid points
        # (8 regions against 1) must not be the machine's drift between them.
        walls = _interleaved({stack: [PY, "-m", "dryrun", stack, "--quiet", "--project-dir", tmp]
                              for stack in stacks.values()}, scaling_runs)
        for (regions, deployments), stack in stacks.items():
            split = _probe(Path(tmp), stack, scaling_runs, ["--modules", *modules["dry-run"]])
            scaling.append({"regions": regions, "deployments": deployments, **walls[stack], **split})
    results["scaling"] = scaling
    if export_count:
        results["resources_mode"] = _resources_mode(export_count)
    return results


def _pair(m: dict[str, float]) -> str:
    return f"{m['wall']:.2f} / {m['cpu']:.2f}"


def _split(s: dict[str, float]) -> str:
    return f"{s['imports']:.2f} / {s['program']:.2f} / {s['pack_load']:.2f} / {s['policy']:.3f}"


def table(r: dict[str, Any]) -> str:
    split = r["prod_split"]
    counts = r["azure_native_modules"]
    lines = [
        f"| measure (median of {r['runs']}) | seconds |", "|---|---|",
        f"| `python -c pass` | {r['python_floor']:.3f} |",
        f"| import floor, eager: the {counts['stock']} azure-native modules the used services load as generated"
        f" (wall / CPU) | {_pair(r['import_floor_eager'])} |",
        *([f"| import floor, eager, with the dry-run's collector settings (wall / CPU) | "
           f"{_pair(r['import_floor_eager_tuned_gc'])} |"] if "import_floor_eager_tuned_gc" in r else []),
        f"| import floor, used resource modules only: {counts['dry-run']} modules, lazy service packages and"
        f" deferred annotations (wall / CPU) | {_pair(r['import_floor_lazy'])} |",
        f"| setup: fresh venv from uv.lock (warm cache) | {r['setup_fresh_venv']:.2f} |",
        f"| dry-run dev (wall / CPU) | {_pair(r['dryrun_dev'])} |",
        f"| dry-run prod (wall / CPU) | {_pair(r['dryrun_prod'])} |",
        *(f"| prod split, {label}: imports / program / pack load / policy | {_split(s)} |"
          for label, s in split.items()),
        f"| policy evaluation alone, prod ({int(split['dry-run']['resources'])} resources) | "
        f"{split['dry-run']['policy']:.3f} |",
        f"| test suite, 2 workers (wall / CPU of all workers) | {_pair(r['tests'])} |",
        *([f"| pyright, alone (wall / CPU) | {_pair(r['pyright'])} |"] if "pyright" in r else []),
    ]
    mode = r.get("resources_mode")
    if mode:
        for secrets in ("plain", "ciphertext"):
            m = mode[secrets]
            lines.append(f"| `--resources`, {mode['count']:,}-resource stack export ({m['file_mib']} MiB, "
                         f"{secrets} secrets): wall s, peak MiB, outcome | {m['wall']:.1f}, {m['peak_mib']}, "
                         f"{m['outcome']} |")
    lines += ["", "| regions | deployments/region | resources | wall s | CPU s | program s | policy s | "
              "stack policies ms |", "|---|---|---|---|---|---|---|---|"]
    for s in r["scaling"]:
        lines.append(f"| {s['regions']} | {s['deployments']} | {int(s['resources'])} | {s['wall']:.2f} | "
                     f"{s.get('cpu', float('nan')):.2f} | {s['program']:.2f} | {s['policy']:.3f} | "
                     f"{s['stack_policies'] * 1000:.1f} |")
    return "\n".join(lines)


def verdicts(r: dict[str, Any]) -> list[str]:
    prod, eager, lazy = r["dryrun_prod"], r["import_floor_eager"], r["import_floor_lazy"]
    by_regions = {s["regions"]: s for s in r["scaling"] if s["deployments"] == 1}
    out = [f"prod dry-run / eager import floor = {prod['wall'] / eager['wall']:.2f}x wall, "
           f"{prod['cpu'] / eager['cpu']:.2f}x CPU (target <= 1.5x)",
           f"prod dry-run / used-modules import floor = {prod['wall'] / lazy['wall']:.2f}x wall, "
           f"{prod['cpu'] / lazy['cpu']:.2f}x CPU"]
    if "import_floor_eager_tuned_gc" in r:
        tuned = r["import_floor_eager_tuned_gc"]
        out.insert(1, f"prod dry-run / eager import floor with the same collector settings = "
                      f"{prod['wall'] / tuned['wall']:.2f}x wall, {prod['cpu'] / tuned['cpu']:.2f}x CPU")
    if 1 in by_regions and 8 in by_regions:
        one, eight = by_regions[1], by_regions[8]
        out.append(f"8 regions / 1 region wall = {eight['wall'] / one['wall']:.2f}x (target <= 3x)"
                   + (f", CPU = {eight['cpu'] / one['cpu']:.2f}x" if "cpu" in one and "cpu" in eight else "")
                   + f", for {eight['resources'] / one['resources']:.1f}x the resources")
        # Per-resource cost of the stack policies at 8 regions against the smaller stacks' median:
        # one sample per stack is noisy, a pairwise scan would grow it ~8x.
        smaller = [s["stack_policies"] / s["resources"] for n, s in by_regions.items() if n < 8]
        baseline = statistics.median(smaller)
        if baseline > 0:
            ratio = eight["stack_policies"] / eight["resources"] / baseline
            out.append(f"stack policies per resource, 8 regions vs smaller stacks = {ratio:.2f}x "
                       f"(linear if about 1x: {'linear' if ratio < 2 else 'SUPERLINEAR'})")
    out.append(f"policy evaluation prod = {r['prod_split']['dry-run']['policy']:.3f} s (target < 0.3 s)")
    out.append(f"test suite = {r['tests']['wall']:.1f} s wall on 2 workers, {r['tests']['cpu']:.1f} s CPU "
               f"(target <= 45 s wall; CPU / 2 is the wall on two idle cores)")
    out.append(f"first-time setup (fresh venv) = {r['setup_fresh_venv']:.1f} s (target < 25 s)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median); default 3")
    parser.add_argument("--quick", action="store_true", help="1 run each, scaling grid 1/8 regions only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--report", type=Path, help="print the table of an earlier run's JSON, measure nothing")
    parser.add_argument("--export-resources", type=int, default=20_000,
                        help="resources in the generated stack export `--resources` is timed on; 0 skips it")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text())
        print(table(saved), "", *verdicts(saved), sep="\n")
        return 0
    runs = 1 if args.quick else args.runs
    grid = ([(1, 1), (8, 1)] if args.quick else
            [(1, 1), (2, 1), (4, 1), (8, 1), (1, 2), (1, 4), (1, 8), (8, 8)])
    results = measure(runs, 1 if args.quick else max(1, runs - 1), grid, args.export_resources)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print()
    print("\n".join(verdicts(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
