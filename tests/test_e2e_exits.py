"""Ending coremeter from outside, in a real terminal: kill -9, a closed tmux session, a
killed tmux server (the terminal closed), and a terminal gone without any SIGHUP.

Each case starts the real program in tmux mid-run and watches real processes: every
worker must be gone within 1 s, and coremeter and its helpers (fork server, resource
tracker) must be gone too, so nothing is left spinning or orphaned. SIGTERM and SIGHUP
sent to bench are in test_cli.py.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import psutil
import pytest
from helpers import HOLD, Terminal, fork_server, parallel_lanes, stuck, wait_gone, wait_workers

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal"),
]

LONG = 5.0  # minutes of work: every run is still going when the test ends it
WORKER_DEATH_S = 1.0  # the spec
# Generous: the program gives itself 2 s (coremeter.shutdown), the helpers then see EOF.
EXIT_S = 10.0

PROGRAMS = {
    "dashboard": ("--mode", "parallel", "--scale", str(LONG), "--autostart"),
    "bench": ("bench", "--mode", "parallel", "--scale", str(LONG)),
}
# How it is started (as the pane's process, from a shell, or in a session of its own so
# the closed terminal sends it no SIGHUP), and how it is ended.
ENDINGS = {
    "kill -9": ({}, "kill"),
    "tmux kill-session": ({}, "kill-session"),
    "tmux kill-server": ({}, "kill-server"),
    "kill-server, started from a shell": ({"shell": True}, "kill-server"),
    "terminal gone without SIGHUP": ({"prefix": ("setsid", "-w")}, "kill-server"),
}


def start_mid_run(
    term: Terminal, args: tuple[str, ...], **launch
) -> tuple[psutil.Process, list[int], list[int]]:
    """coremeter with every worker of its parallel run alive; returns it, the workers'
    pids and its other children's (fork server, resource tracker)."""
    term.start(*args, **launch)
    app = term.app()
    return (
        app,
        wait_workers(app, parallel_lanes(app, LONG)),
        [child.pid for child in app.children()],
    )


@pytest.mark.parametrize(("launch", "how"), ENDINGS.values(), ids=ENDINGS.keys())
@pytest.mark.parametrize("args", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_ended_from_outside_leaves_nothing_running(
    args: tuple[str, ...], launch: dict, how: str
) -> None:
    with Terminal() as term:
        app, pids, helpers = start_mid_run(term, args, **launch)
        start = time.monotonic()
        if how == "kill":
            app.kill()
        else:
            term.tmux(how)
        assert wait_gone(pids, WORKER_DEATH_S) == []
        workers_s = time.monotonic() - start
        assert wait_gone([app.pid, *helpers], EXIT_S) == []
        print(f"workers gone in {workers_s:.2f} s, all in {time.monotonic() - start:.2f} s")


# Workers no Python code of theirs can end: one C call holding the GIL, or SIGSTOP.
UNREACHABLE = {
    "GIL held": {
        "dashboard": (*HOLD, "--mode", "parallel", "--autostart"),
        "bench": ("bench", *HOLD, "--mode", "parallel"),
    },
    "SIGSTOP": PROGRAMS,
}


@pytest.mark.parametrize("how", UNREACHABLE.keys())
@pytest.mark.parametrize("program", PROGRAMS.keys())
def test_kill_9_ends_workers_that_cannot_run_any_code(program: str, how: str) -> None:
    """The kernel ends them, through the fork server, within the spec's second. In a
    session of its own, as from a script: no hangup from the terminal ends them instead."""
    with Terminal() as term:
        term.start(*UNREACHABLE[how][program], prefix=("setsid", "-w"))
        app = term.app()
        count = 2 if how == "GIL held" else parallel_lanes(app, LONG)
        pids = wait_workers(app, min(count, len(app.cpu_affinity())))
        server = fork_server(app)
        assert server is not None
        helpers = [child.pid for child in app.children()]
        stuck(pids, how)
        start = time.monotonic()
        app.kill()
        assert wait_gone([*pids, server.pid], WORKER_DEATH_S) == []
        took = time.monotonic() - start
        assert wait_gone(helpers, EXIT_S) == []
        print(f"workers, fork server gone in {took:.2f} s; all in {time.monotonic() - start:.2f} s")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_to_the_dashboard_alone_ends_it_cleanly(signum: int) -> None:
    """Only the dashboard gets the signal (the hard case), started from a shell as a user
    would: its workers must still go, the shell must see 128 + the signal, and the
    terminal must be back from the dashboard's alternate screen."""
    with Terminal() as term:
        app, pids, helpers = start_mid_run(term, PROGRAMS["dashboard"], shell=True)
        app.send_signal(signum)
        assert term.wait_exit(EXIT_S) == 128 + signum
        assert wait_gone([*pids, *helpers], 2) == []
        assert "cpu0" not in term.screen()


STUCK = """
import asyncio, time
from coremeter.shutdown import QuitSignals

async def main() -> None:
    QuitSignals(print, deadline_s=0.3).install()
    print("stuck", flush=True)
    time.sleep(60)  # the loop, blocked the way a dead terminal blocks Textual's

asyncio.run(main())
"""


def test_a_blocked_event_loop_still_ends_on_a_quit_signal() -> None:
    proc = subprocess.Popen([sys.executable, "-c", STUCK], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "stuck\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 128 + signal.SIGTERM
    finally:
        proc.kill()
        proc.wait()
