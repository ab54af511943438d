"""coremeter without a terminal: a script, ``ssh host coremeter`` without -t, a cron job.

The dashboard refuses at once, before drawing anything or starting a process; ``bench``
works the same with or without one. Real subprocesses, watched with psutil.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time

import psutil
import pytest
from helpers import TINY

from coremeter.cli import NO_TERMINAL

pytestmark = pytest.mark.e2e

COREMETER = [sys.executable, "-m", "coremeter"]


def refused(stdin: int | None, stdout: int) -> tuple[int, str, str, list[str]]:
    """Run the dashboard; its exit code, stdout, stderr, and every process it started."""
    proc = subprocess.Popen(
        [*COREMETER, "--autostart"], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE
    )
    started: set[str] = set()
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            started.update(" ".join(p.cmdline()) for p in parent.children(recursive=True))
        time.sleep(0.01)
    if proc.poll() is None:
        proc.kill()
    out, err = proc.communicate(timeout=10)
    return proc.returncode, (out or b"").decode(), err.decode(), sorted(started)


def test_stdin_from_dev_null_is_refused_at_once() -> None:
    with open("/dev/null") as nothing:
        code, out, err, started = refused(nothing.fileno(), subprocess.PIPE)
    assert (code, out, started) == (2, "", [])
    assert err == f"coremeter: error: {NO_TERMINAL}\n"


def test_stdout_to_a_pipe_is_refused_at_once() -> None:
    """stdin is this test's own (not a terminal under pytest either): a pipe of ours."""
    code, out, err, started = refused(subprocess.PIPE, subprocess.PIPE)
    assert (code, out, started) == (2, "", [])
    assert err == f"coremeter: error: {NO_TERMINAL}\n"


@pytest.mark.parametrize("mode", ["sequential", "parallel", "threads", "compare"])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_bench_needs_no_terminal(mode: str, as_json: bool) -> None:
    command = [*COREMETER, "bench", "--mode", mode, "--scale", str(TINY)]
    with open("/dev/null") as nothing:
        result = subprocess.run(
            command + ["--json"] * as_json, stdin=nothing, capture_output=True, timeout=120
        )
    assert result.returncode == 0, result.stderr.decode()
    assert "\x1b[" not in result.stdout.decode()  # no terminal, no escape codes
    if as_json:
        runs = json.loads(result.stdout)["runs"]
        modes = ["sequential", "parallel"] if mode == "compare" else [mode]
        assert [run["mode"] for run in runs] == modes
        assert all(run["ok"] for run in runs)
    else:
        assert "ok" in result.stdout.decode()
