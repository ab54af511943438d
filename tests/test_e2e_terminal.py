"""The real dashboard in a real terminal (tmux), read off the screen: a worker killed from
outside, keys sent faster than anyone types, and resizes from 40x12 to 250x70 mid-run.

Processes are real (psutil), the screen is what tmux's capture-pane shows; every wait
polls for a state, so a slow box makes these slower, never red.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import threading
import time

import psutil
import pytest
from helpers import (
    Terminal,
    alive,
    parallel_lanes,
    wait_for,
    wait_gone,
    wait_workers,
    workers,
)

from coremeter.session import SLIP_S

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal"),
]

# The results table's header: its columns, two blanks or more apart ("wall s" has one).
HEADER = re.compile(r"^\s*#\s+mode\s")
COLUMN = re.compile(r"\S+(?: \S+)*")
RUN = re.compile(r"^\s*\d+\s+(sequential|parallel|threads)\s")


def rows(screen: str) -> list[tuple[int, str, str, float]]:
    """The results rows on screen: number, mode, check and wall time, each cell read
    under its header. The table leaves out whole columns where it is narrow; it leaves out
    the check only while every check says just "ok", so a row without one reads "ok"."""
    lines = screen.splitlines()
    header = next((i for i, line in enumerate(lines) if HEADER.match(line)), None)
    if header is None:
        return []
    columns = [(m.group(), m.start()) for m in COLUMN.finditer(lines[header])]
    bounds = {
        name: (start, columns[i + 1][1] if i + 1 < len(columns) else None)
        for i, (name, start) in enumerate(columns)
    }

    def cell(line: str, name: str) -> str:
        start, end = bounds[name]
        # The table's scrollbar, where a layout in progress squeezed it for a moment.
        return line[start:end].strip().rstrip("▁▂▃▄▅▆▇█").strip()

    return [
        (
            int(cell(line, "#")),
            cell(line, "mode"),
            cell(line, "check") if "check" in bounds else "ok",
            float(cell(line, "wall s")),
        )
        for line in lines[header + 1 :]
        if RUN.match(line)
    ]


def usage(app: psutil.Process) -> tuple[int, int, int]:
    return app.num_threads(), app.num_fds(), app.memory_info().rss


def test_a_worker_killed_from_outside_fails_the_run_and_the_next_run_succeeds() -> None:
    with Terminal() as term:
        term.start("--mode", "parallel", "--scale", "0.5", "--autostart")
        app = term.app()
        pids = wait_workers(app, parallel_lanes(app, 0.5))
        os.kill(pids[0], signal.SIGKILL)
        reason = re.compile(rf"failed: worker on cpu\d+ \(pid {pids[0]}\) was killed by SIGKILL")
        term.wait_until(lambda s: any(reason.fullmatch(r[2]) for r in rows(s)), 30, "failed")
        assert wait_gone(pids, 2) == []  # the run stopped its other workers too
        term.keys(*"------", "s")  # a 64th of the work, sequential
        screen = term.wait_until(lambda s: len(rows(s)) == 2 and rows(s)[1][2] == "ok", 60, "ok")
        assert [row[:2] for row in rows(screen)] == [(1, "parallel"), (2, "sequential")]
        term.confirm_quit()
        assert term.wait_exit() == 0


def test_escape_and_a_key_sent_together_do_both() -> None:
    """tmux sends them in one write, and Textual reads the pair as alt+p."""
    with Terminal() as term:
        term.start("--scale", "0.5")
        app = term.app()
        term.wait_screen("idle")
        term.keys("s")
        sequential = wait_workers(app, 1)
        # Past a slip (SLIP_S), so the cancelled run keeps its row: it started before its
        # worker was seen. (A process's create_time is only as exact as the boot time.)
        seen = time.monotonic()
        wait_for(lambda: time.monotonic() > seen + SLIP_S, 10, "a run past a slip")
        term.keys("Escape", "p")
        parallel = wait_workers(app, parallel_lanes(app, 0.5))
        assert not set(sequential) & set(parallel)
        screen = term.wait_until(lambda s: rows(s)[:1] and rows(s)[0][1] == "sequential", 20, "row")
        assert rows(screen)[0][:3] == (1, "sequential", "cancelled with escape")
        term.confirm_quit()
        assert term.wait_exit() == 0


@pytest.mark.slow
def test_two_hundred_keys_at_once_leave_one_run_and_no_leak() -> None:
    with Terminal() as term:
        term.start("--scale", "0.05")
        app = term.app()
        cores = len(app.cpu_affinity())
        term.wait_screen("idle")
        # Every mode once first: what a first run loads for good is not a leak.
        for runs, key in enumerate("spt", start=1):
            term.keys(key)
            term.wait_until(lambda s, n=runs: len(rows(s)) == n and "ok" in rows(s)[-1][2], 60, key)
        before = usage(app)
        keys = random.Random(5).choices(["s", "p", "m", "t", "Escape"], k=198) + ["s", "p"]
        most, seen, stop = 0, set(), threading.Event()

        def count_workers() -> None:
            nonlocal most
            while not stop.is_set():
                pids = workers(app)
                seen.update(pids)
                most = max(most, len(pids))

        counter = threading.Thread(target=count_workers)
        counter.start()
        try:
            term.keys(*keys)
            # Keys are handled in order: once the second b's notice shows, all are in.
            term.keys("b", "b")
            term.wait_screen("shape seed from the next run")
            # A screen caught mid-update can lack the last row: wait for the row itself.
            screen = term.wait_until(
                lambda s: len(rows(s)) > 3 and rows(s)[-1][1:3] == ("parallel", "ok"), 60, "p"
            )
        finally:
            stop.set()
            counter.join()
        assert 1 <= most <= cores
        # The last run requested is the one that completed: p, just after s cancelled it.
        # Every run a key cancelled within a second of its start was a slip and left no
        # row; one that ran longer (a stall on a busy box) keeps its row.
        *slips, (number, last, check, _) = rows(screen)[3:]
        assert (last, check) == ("parallel", "ok")
        assert all(state.startswith("cancelled") and wall >= SLIP_S for *_, state, wall in slips)
        assert number > 3 and not workers(app) and alive(sorted(seen)) == []
        after = usage(app)
        print(f"rows added: {number - 3}; threads, fds, rss before {before}, after {after}")
        assert after[0] <= before[0] and after[1] <= before[1]
        assert after[2] < before[2] + 8 * 2**20
        term.confirm_quit()
        assert term.wait_exit() == 0


SIZES = [(40, 12), (60, 20), (80, 24), (120, 35), (200, 60), (250, 70)]


def redrawn(screen: str, core: int, size: tuple[int, int]) -> bool:
    """Drawn anew at ``size``: the footer on the last row, and the first core's meter with
    its percentage. (What tmux keeps of the old screen has neither where they belong.)"""
    width, height = size
    lines = screen.splitlines()
    meter = re.compile(rf"^ *cpu{core} .*\d+%")
    footer = len(lines) >= height and lines[height - 1].lstrip().startswith("s p t")
    return footer and any(meter.match(line[:width]) for line in lines[: height - 1])


@pytest.mark.slow  # the quick tier resizes in test_started_in_a_terminal_too_small_then_enlarged
def test_resized_from_40x12_to_250x70_during_a_run() -> None:
    with Terminal(80, 24) as term:
        term.start("--mode", "parallel", "--scale", "2", "--autostart")
        app = term.app()
        first = min(app.cpu_affinity())
        wait_workers(app, parallel_lanes(app, 2))
        # The first resize comes while the dashboard is still starting: that one used to
        # leave it blank for good.
        for width, height in [*SIZES, *reversed(SIZES[:-1])]:
            term.resize(width, height)
            size = (width, height)
            term.wait_until(lambda s, z=size: redrawn(s, first, z), 30, f"{width}x{height}")
            assert app.is_running()
        term.resize(30, 10)
        term.wait_screen("terminal too small")
        term.resize(80, 24)
        term.wait_until(lambda s: redrawn(s, first, (80, 24)), 30, "the dashboard again")
        term.keys("Escape")
        term.wait_screen("cancelled with escape")
        term.confirm_quit()
        assert term.wait_exit() == 0


def test_resized_to_one_and_two_columns_during_a_run_and_back() -> None:
    """Below one column of header, the fitting once raised "invalid width -1" and the
    dashboard was gone, its run with it."""
    with Terminal(80, 24) as term:
        term.start("--mode", "parallel", "--scale", "2", "--autostart")
        app = term.app()
        first = min(app.cpu_affinity())
        pids = wait_workers(app, parallel_lanes(app, 2))
        for width, height in [(2, 24), (1, 24), (1, 1), (2, 5)]:
            term.resize(width, height)
            time.sleep(1)  # a few of the dashboard's frames at this size
            assert term.exit_status() is None, term.screen()
        term.resize(80, 24)
        term.wait_until(lambda s: redrawn(s, first, (80, 24)), 30, "the dashboard again")
        assert alive(pids) == pids  # the run went on underneath
        term.keys("Escape")
        term.wait_screen("cancelled with escape")
        term.confirm_quit()
        assert term.wait_exit() == 0


def test_started_in_a_terminal_too_small_then_enlarged() -> None:
    with Terminal(20, 6) as term:
        term.start("--mode", "parallel", "--scale", "2", "--autostart")
        app = term.app()
        term.wait_screen("terminal too small")
        pids = wait_workers(app, parallel_lanes(app, 2))  # the run started underneath
        term.resize(80, 24)
        first = min(app.cpu_affinity())
        term.wait_until(lambda s: redrawn(s, first, (80, 24)), 30, "the dashboard")
        term.keys("q")
        assert term.wait_exit() == 0
        assert wait_gone(pids, 2) == []


def test_the_timeline_shows_a_run_made_while_it_was_hidden(tmp_path) -> None:
    """Runs made in the task view, then the charts: the timeline must draw the latest run.
    It used to keep the previous run's bars under the new run's title until a resize
    (not every time: three rounds found it every time it was there)."""
    with Terminal() as term:
        term.start("--scale", "0.02", "--out", str(tmp_path))
        term.wait_screen("idle")
        for runs in range(1, 4):
            term.keys("s")
            # The run's row, by its number: the export's toast, on screen for 8 s, hides
            # the rows' check column (the export says the run was ok, below).
            row = re.compile(rf"^\s*{runs}\s+sequential\s", re.MULTILINE)
            term.wait_until(lambda s, row=row: row.search(s), 60, "a run")
            term.keys("v")
            time.sleep(1)  # what a presenter does: look at it
            screen = term.wait_screen(" t2 ")
            term.keys("e")
            term.wait_screen(f"exported {runs} run")
            export = max(tmp_path.glob("*.json"), key=lambda path: path.stat().st_mtime)
            exported_runs = json.loads(export.read_text())["runs"]
            last = exported_runs[-1]
            assert len(exported_runs) == runs and last["ok"]
            lane = next(line for line in screen.splitlines() if re.match(r"\s*cpu\d.* t2 ", line))
            shown = [float(s) for s in re.findall(r"t\d (\d+\.\d+)s", lane)]
            exported = [t["end_s"] - t["start_s"] for t in last["tasks"]]
            assert shown == pytest.approx(exported, abs=0.011), f"run {runs}:\n{screen}"
            term.keys("v")
            time.sleep(1)
        term.confirm_quit()
        assert term.wait_exit() == 0


def whole(screen: str) -> bool:
    """Header, timer, meters, results table, buttons and footer all drawn: what a resume
    must bring back (the parts that change by themselves, header and meters, came back
    anyway; the rest stayed blank)."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return (
        len(lines) > 3
        and "usable" in lines[0]
        and any(state in line for line in lines[1:6] for state in ("idle", "running", "done"))
        and any(line.lstrip().startswith("cpu0") for line in lines)
        and any(line.lstrip().startswith("#  mode") for line in lines)
        and "export" in lines[-2]
        and "q quit" in lines[-1]
    )


def test_ctrl_z_suspends_and_fg_brings_the_dashboard_back_whole() -> None:
    """In a real interactive shell: the job stops, its run goes on (the workers are not
    stopped with it), and fg brings the dashboard back whole, the run's true wall time
    in the table, the keys working."""
    with Terminal() as term:
        app = start_in_shell(term, "--scale", "0.03")
        term.keys("s")
        [worker] = wait_workers(app, 1)
        started = time.monotonic()
        term.keys("C-z")
        term.wait_screen("Stopped")
        wait_for(lambda: app.status() == psutil.STATUS_STOPPED, 10, "the dashboard stopped")
        assert wait_gone([worker], 120) == []  # the run went on and ended meanwhile
        stopped_for = time.monotonic() - started
        assert app.status() == psutil.STATUS_STOPPED
        term.type_line("fg")
        screen = term.wait_until(lambda s: whole(s) and rows(s), 30, "the dashboard back")
        [(number, mode, check, wall)] = rows(screen)
        assert (number, mode, check) == (1, "sequential", "ok")
        assert wall <= stopped_for + 1  # the run's own time, taken while suspended
        term.keys("t")
        wait_workers(app, 1)
        term.keys("escape")
        term.confirm_quit()  # the sequential run is in the table
        wait_prompt(term)
        assert alive([app.pid]) == []


def test_sigtstp_from_outside_then_fg_redraws_everything() -> None:
    """kill -TSTP, as a shell's job control or another terminal sends it, then fg (a
    SIGCONT): before, the footer came back blank until the terminal was resized."""
    with Terminal() as term:
        app = start_in_shell(term, "--scale", "0.03")
        app.send_signal(signal.SIGTSTP)
        term.wait_screen("Stopped")
        term.type_line("fg")
        term.wait_until(whole, 10, "the whole dashboard back")
        term.keys("s")
        wait_workers(app, 1)
        term.keys("escape")
        # A run cancelled within a second leaves no row; one that took longer to cancel
        # on a busy box does, and then q asks.
        screen = term.wait_screen("cancelled with escape")
        if rows(screen):
            term.confirm_quit()
        else:
            term.keys("q")
        wait_prompt(term)


def start_in_shell(term: Terminal, *args: str) -> psutil.Process:
    """coremeter typed at a real interactive bash (job control on); once it is drawn."""
    term.start_shell()
    wait_prompt(term)
    term.type_line(term.coremeter_line(*args))
    app = term.app()
    term.wait_until(whole, 30, "the dashboard")
    return app


def wait_prompt(term: Terminal) -> None:
    term.wait_until(lambda s: s.rstrip().endswith("$"), 20, "the shell's prompt")
