"""The team's command line (`python -m data.cli`) as the tests run it.

`cli` runs the command's own entry point (`data.cli.main`, the function `python -m data.cli` calls)
in the test's process, with QUARTIERS_DB_URL, standard input, output and error as a terminal would
give them: the same code, exit status and messages, without starting Python and importing the
packages again for each command (≈ 1 s of CPU each, 57 commands in the fast suites).
`cli_process` starts a real `python -m data.cli`, as an administrator or an agent types it: the
tests about what reaches a terminal (French messages, no traceback, exit status, a password read
on standard input) keep it, and one whole session of commands in test_team.py runs that way."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_ENV = "QUARTIERS_DB_URL"


def cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    from data import cli as command

    out, err = io.StringIO(), io.StringIO()
    before_env, before_stdin = os.environ.get(DB_ENV), sys.stdin
    os.environ[DB_ENV] = url
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = command.main([str(a) for a in args])
    finally:
        sys.stdin = before_stdin
        if before_env is None:
            os.environ.pop(DB_ENV, None)
        else:
            os.environ[DB_ENV] = before_env
        gc.collect()  # the command's engine and its connections end with it, as with a process
    return subprocess.CompletedProcess(["python", "-m", "data.cli", *args], code, out.getvalue(), err.getvalue())


def cli_process(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data.cli", *args],
        input=stdin,
        env={**os.environ, DB_ENV: url},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
