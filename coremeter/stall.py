"""A run that makes no progress says so, rather than showing "running" for ever.

A worker is stalled when, for STALL_S, none of its tasks moved (no unit counted, none
started or ended) and it used next to no CPU: stopped (SIGSTOP, a debugger), sleeping
or waiting (a lock, a socket, input), or runnable with its core taken by others. A
worker that computes without counting (one long call) uses CPU and is not stalled; the
built-in io workload sleeps, but counts every wait it finishes, so it is not either.

Read from what the run has anyway: the counts in shared memory, and each worker's CPU
time and state from psutil (/proc), at most every CHECK_EVERY_S.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import psutil

STALL_S = 5.0
CHECK_EVERY_S = 0.5
# Below this share of a core a worker counts as using no CPU; the margin is psutil's
# clock tick (10 ms), the resolution of the CPU times it reads.
IDLE_SHARE = 0.05
TICK_S = 0.02

# What the worker is doing, from psutil's status(): in the words the screen uses.
WorkerState = Literal["stopped", "sleeping", "waiting for the disk", "waiting for its core"]
_STATES: dict[str, WorkerState] = {
    psutil.STATUS_STOPPED: "stopped",
    psutil.STATUS_SLEEPING: "sleeping",
    psutil.STATUS_TRACING_STOP: "stopped",
    psutil.STATUS_DISK_SLEEP: "waiting for the disk",
    psutil.STATUS_RUNNING: "waiting for its core",
}


@dataclass(frozen=True)
class Stall:
    """The worker on ``where`` (a core label, or several for a threads run) has made no
    progress for ``seconds``, and is ``state``."""

    where: str
    pid: int
    state: WorkerState
    seconds: float


@dataclass
class _Mark:
    """When a worker last showed progress or CPU use, and its figures then."""

    at: float
    progress: int
    cpu: float


@dataclass
class Watched:
    """A worker process and the ids of its tasks."""

    pid: int
    where: str
    tasks: list[int]


class StallWatch:
    def __init__(self, workers: list[Watched], started_at: float) -> None:
        self.workers = workers
        self._marks: dict[int, _Mark] = {}
        self._checked = started_at
        self.stall: Stall | None = None

    def check(
        self,
        now: float,
        counts: Sequence[int],
        starts: Sequence[float],
        ends: Sequence[float],
    ) -> Stall | None:
        """The first stalled worker, or None; reads the processes every CHECK_EVERY_S."""
        if now - self._checked < CHECK_EVERY_S:
            return self.stall
        self._checked = now
        self.stall = None
        for worker in self.workers:
            ended = sum(not math.isnan(ends[t]) for t in worker.tasks)
            if ended == len(worker.tasks):
                continue
            started = sum(not math.isnan(starts[t]) for t in worker.tasks)
            progress = sum(counts[t] for t in worker.tasks) + started + ended
            stall = self._check_one(worker, now, progress)
            if stall is not None and self.stall is None:
                self.stall = stall
        return self.stall

    def _check_one(self, worker: Watched, now: float, progress: int) -> Stall | None:
        try:
            process = psutil.Process(worker.pid)
            times = process.cpu_times()
            status = process.status()
        except psutil.Error:  # gone: the run's poll says how it ended
            return None
        cpu = times.user + times.system
        mark = self._marks.get(worker.pid)
        if (
            mark is None
            or progress != mark.progress
            or cpu - mark.cpu > IDLE_SHARE * (now - mark.at) + TICK_S
        ):
            self._marks[worker.pid] = _Mark(now, progress, cpu)
            return None
        if now - mark.at < STALL_S:
            return None
        return Stall(worker.where, worker.pid, _STATES.get(status, "sleeping"), now - mark.at)
