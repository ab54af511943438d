"""``coremeter --record FILE``: the real dashboard in tmux, ended by a signal mid-run,
still writes its recording whole, with the run it was in."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import Terminal

from coremeter.recording import load

EXIT_S = 10.0
# A sequential run of a second or two here; threads, under the GIL, as long.
SCALE = "0.03"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_dashboard_ended_by_a_signal_writes_its_recording(signum: int, tmp_path: Path) -> None:
    path = tmp_path / "talk.json.gz"
    with Terminal() as term:
        args = ("--record", str(path), "--label", "talk", "--scale", SCALE, "--autostart")
        term.start(*args, shell=True)
        term.wait_until(lambda s: "sequential took" in s, 60, "sequential ends")
        term.keys("t")
        term.wait_until(lambda s: "threads" in s and "running" in s, 20, "threads runs")
        time.sleep(1.2)  # past a slip: the run is logged however it ends
        term.app().send_signal(signum)
        assert term.wait_exit(EXIT_S) == 128 + signum
    recording = load(path)
    assert recording.label == "talk"
    runs = [run.record for run in recording.runs]
    assert [(r["mode"], r["state"]) for r in runs][0] == ("sequential", "done")
    assert runs[1]["mode"] == "threads" and runs[1]["state"] in ("done", "cancelled")
    assert all(len(run.samples) > 0 for run in recording.runs)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left beside


SLOW_WRITE = """
import asyncio, time
from coremeter.shutdown import QuitSignals, writing

async def main() -> None:
    QuitSignals(print, deadline_s=0.2).install()
    with writing():
        print("writing", flush=True)
        time.sleep(1.0)  # a recording slower to write than the quit deadline
        print("written", flush=True)
    time.sleep(60)  # then blocked: the deadline ends it

asyncio.run(main())
"""


def test_the_quit_deadline_waits_for_a_file_being_written() -> None:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 128 + signal.SIGTERM
        assert "written" in proc.stdout.read()
    finally:
        proc.kill()
        proc.wait()
