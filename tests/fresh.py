"""Run a snippet as `python -c` would, in a process of its own, forked from a pristine parent.

Tests that need a fresh interpreter (what a module import does to `sys.modules`, whether a process
may fork) used to start one each: about 0.3 s of start-up and `import pulumi` per snippet. A
server process per test worker imports only what every such snippet imports first (pulumi and
pulumi-policy: nothing of azure-native, nothing of this project), never runs a snippet itself,
and forks a child per snippet. The child is what a fresh `python -c` would be, but for those
modules already loaded and the server's hash seed.
"""

from __future__ import annotations

import atexit
import json
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SERVER = r"""
import json, os, signal, sys, traceback
import pulumi, pulumi.runtime, pulumi_policy  # loaded once here, shared by every child
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(request["timeout"])  # a snippet that hangs is ended, not waited for
            # Not the server's own stdin: that is the pipe its requests come through.
            with open(request["stdin"]) as given, open(request["stdout"], "w") as out, \
                    open(request["stderr"], "w") as err:
                os.dup2(given.fileno(), 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
            sys.stdin = open(0, closefd=False)
            os.chdir(request["cwd"])
            sys.argv = ["-c", *request["args"]]
            try:
                exec(compile(request["code"], "<string>", "exec"), {"__name__": "__main__"})
                code = 0
            except SystemExit as exc:  # as the interpreter ends on it: a message is printed, exit 1
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


class _Server:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", _SERVER], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        atexit.register(self.stop)

    def stop(self) -> None:
        # Ended and reaped, not killed: its CPU (and its children's) counts in the suite's.
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def run(self, code: str, args: list[str], cwd: Path, stdin: str, timeout: int) -> Completed:
        assert self.process.stdin is not None and self.process.stdout is not None
        with tempfile.TemporaryDirectory() as tmp:
            given, out, err = Path(tmp) / "stdin", Path(tmp) / "stdout", Path(tmp) / "stderr"
            given.write_text(stdin)
            request = {"code": code, "args": args, "cwd": str(cwd), "stdin": str(given), "stdout": str(out),
                       "stderr": str(err), "timeout": timeout}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            reply = self.process.stdout.readline()
            if not reply:
                raise RuntimeError("the fresh-process server stopped")
            returncode = json.loads(reply)["returncode"]
            if returncode == -signal.SIGALRM:
                raise TimeoutError(f"the snippet ran past {timeout} s; stderr: {err.read_text()[-2000:]}")
            return Completed(returncode, out.read_text(), err.read_text())


_server: _Server | None = None


def run(code: str, *args: str, cwd: Path = ROOT, stdin: str = "", timeout: int = 600) -> Completed:
    """`python -c code args...` in a fresh process (see the module's docstring), reading `stdin`;
    never raises for the snippet's failure (the exit code and the streams say what happened), but
    raises TimeoutError for a snippet still running after `timeout` seconds (it is ended)."""
    global _server
    if _server is None or _server.process.poll() is not None:
        _server = _Server()
    return _server.run(code, list(args), cwd, stdin, timeout)


def run_module(module: str, *args: str, cwd: Path = ROOT, stdin: str = "", timeout: int = 600) -> Completed:
    """`python -m module args...` in a fresh process, as `run` does a snippet."""
    return run(f"import runpy\nrunpy.run_module({module!r}, run_name='__main__', alter_sys=True)", *args,
               cwd=cwd, stdin=stdin, timeout=timeout)
