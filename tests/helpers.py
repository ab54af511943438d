"""What several test modules need to look at real processes."""

from __future__ import annotations

import time

import psutil

TINY = 0.002  # 1.2e6 iterations in all: a run takes about a tenth of a second


def alive(pids: list[int]) -> list[int]:
    """The pids still running; zombies count as gone, since they hold no core."""
    living = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                living.append(pid)
        except psutil.NoSuchProcess:
            pass
    return living


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait up to ``timeout`` for the pids to end; returns those still alive."""
    deadline = time.monotonic() + timeout
    while (living := alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return living


def last_cpu(pid: int) -> int:
    """The core a process last ran on, read from /proc/PID/stat (field 39)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[36])
