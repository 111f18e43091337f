"""The command-line contract shared by `python -m dryrun` and `python -m verify`: exit codes, file
arguments checked before any work starts, and an internal error that is never mistaken for a finding.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from .stackfile import UsageError

OK = 0  # clean: no mandatory violation / every check passed
FINDING = 1  # a mandatory violation / a failed check; nothing else exits 1
USAGE = 2  # the command line, a config or an input file is unusable; the message says which and why
INTERNAL = 3  # a bug in the tool: one line, where to report it
REPORT_TO = "open an issue in the ai-platform repository with the command line and this message"
TRACEBACK_ENV = "AI_PLATFORM_TRACEBACK"  # set to 1 to print the traceback of an internal error


def plain_paths(named: dict[str, str | Path | None]) -> None:
    """No file argument holds a NUL character: no operating system takes one in a file name."""
    for option, value in named.items():
        if value is not None and "\x00" in str(value):
            raise UsageError(f"{option}: a file name cannot contain a NUL character")


def output_file(value: str | Path, option: str) -> Path:
    """A file the command will write, checked now so that no run ends failing to write its report."""
    path = Path(value)
    if str(value) in ("", "-"):
        raise UsageError(f"{option}: give a file name (the report is not written to standard output)")
    if path.is_dir():
        raise UsageError(f"{option} {value}: is a directory; give a file name")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {value}: the file is not writable")
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{option} {value}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {value}: cannot create it, {ancestor} is not writable")
    return path


def distinct_files(named: dict[str, str | Path | None]) -> None:
    """No two options name the same file: a report must not overwrite an input or another report."""
    seen: dict[Path, str] = {}
    for option, value in named.items():
        if value is None or str(value) == "-":
            continue
        key = Path(value).resolve()
        if key in seen:
            raise UsageError(f"{option} and {seen[key]} name the same file {value}; give each its own")
        seen[key] = option


def write(path: Path, text: str, option: str) -> None:
    """Write a report whole or not at all (a crash mid-write leaves the old file, not half a new one)."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{option} {path}: cannot write: {exc.strerror or exc}") from None


def internal_error(prog: str, exc: BaseException, detail: str = "") -> int:
    """One line for a bug, with where to report it; exit code INTERNAL, never FINDING.

    The line names the exception's type and where it was raised, not its message: a message may
    quote a value, and the value may be a secret; `detail` is a description known to hold none."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    print(f"internal error in {prog}: {detail or type(exc).__name__ + where} (exit {INTERNAL}: a bug, not a problem "
          f"with your input; {REPORT_TO}; {TRACEBACK_ENV}=1 prints the traceback)", file=sys.stderr)
    if os.environ.get(TRACEBACK_ENV) == "1":
        traceback.print_exception(exc, file=sys.stderr)
    return INTERNAL


def exit_code(exc: SystemExit) -> int:
    """argparse exits with 2 on a usage error and 0 for --help: pass those on as return codes."""
    code = exc.code
    if code is None:
        return OK
    return code if isinstance(code, int) else USAGE
