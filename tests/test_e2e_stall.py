"""A run that makes no progress says so, on the real program: the dashboard's caption in
a real terminal, bench's stderr; and it still ends as any run does."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from helpers import Terminal, parallel_lanes, stuck, tree, wait_for, wait_gone, wait_workers

from coremeter.stall import STALL_S

pytestmark = pytest.mark.e2e

LONG = 5.0
SLEEPER = f"{Path(__file__).parent / 'hostile' / 'sleeper.py'}:nap"
# STALL_S and then some, for a loaded box.
SAID_WITHIN_S = STALL_S + 15


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal")
def test_a_stopped_worker_is_named_on_screen_and_escape_ends_the_run() -> None:
    with Terminal() as term:
        term.start("--mode", "parallel", "--scale", str(LONG), "--autostart")
        app = term.app()
        pids = wait_workers(app, parallel_lanes(app, LONG))
        victim = pids[-1]
        stuck([victim], "SIGSTOP")
        [core] = psutil.Process(victim).cpu_affinity()
        said = f"parallel stalled: worker on cpu{core} is stopped (no progress for"
        term.wait_screen(said, SAID_WITHIN_S)
        term.keys("Escape")
        term.wait_screen("parallel cancelled at")
        assert wait_gone(pids, 2) == []


def test_bench_tells_a_stalled_run_on_stderr(tmp_path: Path) -> None:
    errors = tmp_path / "stderr"
    command = [sys.executable, "-m", "coremeter", "bench", "--workload", SLEEPER]
    command += ["--items", "1", "--mode", "sequential"]
    with errors.open("w") as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    everything: list[int] = []
    try:
        line = "coremeter: stalled: worker on cpu"
        wait_for(lambda: line in errors.read_text(), SAID_WITHIN_S, "the stall on stderr")
        everything = tree(proc.pid)
        told = [x for x in errors.read_text().splitlines() if x.startswith(line)]
        assert len(told) == 1 and " is sleeping (no progress for " in told[0], told
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 128 + signal.SIGTERM
        assert wait_gone(everything, 5) == []
    finally:
        proc.kill()
        proc.wait()
