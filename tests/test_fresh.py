"""The fresh-process runner the tests fork snippets from (tests/fresh.py): each snippet behaves as
`python -c` (or `-m`) would, with its own streams, and a hanging one is ended."""

from __future__ import annotations

import pytest

from tests import fresh


def test_a_snippet_reads_its_own_stdin_and_never_the_servers() -> None:
    first = fresh.run("import sys; print(sys.stdin.read().upper())", stdin="given\n")
    assert (first.returncode, first.stdout) == (0, "GIVEN\n\n")
    # Reading to the end consumed only the snippet's input: the server still takes requests.
    assert fresh.run("import sys; print(repr(sys.stdin.read()))").stdout == "''\n"


def test_exit_codes_and_messages_are_the_interpreters() -> None:
    assert fresh.run("raise SystemExit(3)").returncode == 3
    message = fresh.run("raise SystemExit('refused: bad input')")
    assert (message.returncode, message.stderr) == (1, "refused: bad input\n")
    crash = fresh.run("1 / 0")
    assert crash.returncode == 1 and "ZeroDivisionError" in crash.stderr


def test_a_module_runs_as_with_dash_m_with_its_arguments() -> None:
    run = fresh.run_module("json.tool", "--compact", stdin='{"a": [1, 2]}')
    assert (run.returncode, run.stdout) == (0, '{"a":[1,2]}\n')


def test_a_snippet_that_hangs_is_ended_and_the_server_goes_on() -> None:
    with pytest.raises(TimeoutError, match="ran past 1 s"):
        fresh.run("import time; time.sleep(30)", timeout=1)
    assert fresh.run("print('next')").stdout == "next\n"
