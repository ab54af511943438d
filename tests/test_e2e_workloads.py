"""The workloads in the real dashboard, in a real terminal: a speaker switches with one key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import Terminal, wait_for, wait_workers

pytestmark = pytest.mark.e2e

CORES = sorted(os.sched_getaffinity(0))


def thread_cpu(pid: int) -> dict[int, tuple[int, int]]:
    """Each thread of a process: the core it last ran on and its CPU ticks so far, from
    /proc/PID/task/TID/stat (fields 39, and 14 + 15)."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        threads[int(tid)] = (int(fields[36]), int(fields[11]) + int(fields[12]))
    return threads


@pytest.mark.skipif(len(CORES) < 2, reason="needs two usable cores")
def test_w_selects_hash_and_t_lights_every_core_from_one_worker_process() -> None:
    with Terminal(120, 35) as term:
        term.start("--scale", "2", "--shape", "balanced")
        app = term.app()
        term.wait_screen("sequential · work seed ·")
        term.keys("w", "w")
        term.wait_screen("sequential · work hash ·")
        term.wait_screen("C code that drops the GIL")
        term.keys("t")
        [pid] = wait_workers(app, 1)  # threads: one worker process for every core
        term.wait_screen("threads · work hash ·")
        before = thread_cpu(pid)

        def busy_cores() -> bool:
            """Every core has a thread of that one process that has run on it since."""
            now = thread_cpu(pid)
            ran = {core for tid, (core, ticks) in now.items() if ticks > before.get(tid, (0, 0))[1]}
            return ran >= set(CORES)

        wait_for(busy_cores, 20, "a thread of the one worker busy on every core")
        screen = term.screen()
        for core in CORES:
            assert any(
                line.lstrip().startswith(f"cpu{core} ") and f"pid {pid}" in line
                for line in screen.splitlines()
            ), screen
        term.keys("Escape")
        term.wait_screen("cancelled with escape")
        # A run cancelled past a slip (SLIP_S) keeps its row: then q asks, and y confirms.
        term.keys("q")
        wait_for(
            lambda: term.exit_status() is not None or "Quit coremeter?" in term.screen(),
            20,
            "q to quit, or to ask",
        )
        if term.exit_status() is None:
            term.keys("y")
        assert term.wait_exit() == 0
