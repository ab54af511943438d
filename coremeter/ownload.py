"""Whose load each core carries: this run's workers', or other programs'.

A core's meter reads everything that ran on it, and a speaker's laptop is never quiet:
with a browser spinning on the other core, a sequential run read "2 of 2 cores busy".
What is ours is known exactly: the run's workers are a few pids (threads: a few thread
ids of one pid), each pinned to a known core, and the kernel counts each one's CPU
time. Read at the dashboard's 10 Hz tick, over the same interval as the cores' own
reading, the difference is other programs' load. The dashboard's own few percent is
neither: it is taken out of the others, never counted as the run's.

Where a worker is not pinned (no affinity API) its time belongs to no known core: it
is spread over the cores in proportion to their load, as is the dashboard's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import psutil

# Worker processes read at one tick: psutil's cpu_times costs ~25 us each, so hundreds
# of workers are read in turns, over several ticks, to keep the tick near its budget.
READS_PER_TICK = 16


class Worker(NamedTuple):
    """One of the run's workers: the core it is pinned to (None: unpinned), its pid,
    and in a threads run the native id of its thread (None: the whole process)."""

    core: int | None
    pid: int
    tid: int | None


@dataclass(frozen=True)
class OwnReading:
    """Percent of a core used since the last reading: by the workers pinned to each
    core, by unpinned workers (on no known core), and by the dashboard itself."""

    cores: Mapping[int, float] = field(default_factory=dict)
    unplaced: float = 0.0
    dashboard: float = 0.0


@dataclass(frozen=True)
class Split:
    """Each core's load in percent, split: ours (the run's workers) and other programs'."""

    own: dict[int, float]
    others: dict[int, float]


def split(total: Mapping[int, float], ours: OwnReading) -> Split:
    """Other programs' load is what the core read less ours; ours never exceeds what the
    core read (the two clocks count in 10 ms ticks, and differ by one now and then)."""
    own = {core: min(ours.cores.get(core, 0.0), busy) for core, busy in total.items()}
    rest = {core: busy - own[core] for core, busy in total.items()}
    spread = sum(rest.values())
    others = dict(rest)
    if spread > 0:
        for core, left in rest.items():
            weight = left / spread
            mine = min(left, ours.unplaced * weight)
            own[core] += mine
            others[core] = max(0.0, left - mine - ours.dashboard * weight)
    return Split(own, others)


def own_seconds() -> float:
    """This process's CPU seconds, every thread: the dashboard's own time."""
    times = os.times()
    return times.user + times.system


class WorkerClock:
    """Reads the workers' CPU seconds and says, per core, how much of it they used since
    the last call; the first sight of a worker only sets its baseline."""

    def __init__(
        self,
        clock: Callable[[], float] = time.perf_counter,
        dashboard: Callable[[], float] = own_seconds,
    ) -> None:
        self._clock, self._dashboard = clock, dashboard
        self._at, self._own = clock(), dashboard()
        # Each worker's last reading: (when, its CPU seconds, its share of a core then).
        self._last: dict[Worker, tuple[float, float, float]] = {}
        self._processes: dict[int, psutil.Process] = {}
        self._turn = 0

    def __call__(self, running: Sequence[Worker]) -> OwnReading:
        now, own = self._clock(), self._dashboard()
        seconds, dashboard = now - self._at, own - self._own
        self._at, self._own = now, own
        placed: dict[int, float] = {}
        unplaced = 0.0
        for worker, used in self._read(running, now).items():
            percent = 100 * used
            if worker.core is None:
                unplaced += percent
            else:
                placed[worker.core] = placed.get(worker.core, 0.0) + percent
        return OwnReading(placed, unplaced, 100 * dashboard / seconds if seconds > 0 else 0.0)

    def _read(self, running: Sequence[Worker], now: float) -> dict[Worker, float]:
        """Each worker's share of a core since its own last reading (0 to 1). A worker
        read in another turn keeps the share it had: its core stays lit."""
        turns = -(-len(running) // READS_PER_TICK) or 1
        self._turn = (self._turn + 1) % turns
        now_read = running[self._turn :: turns]
        seconds = self._seconds(now_read)
        last: dict[Worker, tuple[float, float, float]] = {}
        for worker in running:
            before = self._last.get(worker)
            cpu = seconds.get(worker)
            if cpu is None:
                if before is not None and worker not in now_read:
                    last[worker] = before
                continue
            share = 0.0
            if before is not None and now > before[0]:
                share = min(1.0, max(0.0, (cpu - before[1]) / (now - before[0])))
            last[worker] = (now, cpu, share)
        self._last = last
        self._processes = {w.pid: self._processes[w.pid] for w in last if w.pid in self._processes}
        return {worker: share for worker, (_, _, share) in last.items()}

    def _seconds(self, read: Sequence[Worker]) -> dict[Worker, float]:
        """CPU seconds of each worker: its process's, or its thread's; none for one gone."""
        found: dict[Worker, float] = {}
        for pid in {worker.pid for worker in read}:
            mine = [worker for worker in read if worker.pid == pid]
            try:
                process = self._processes.get(pid) or psutil.Process(pid)
                self._processes[pid] = process
                times: dict[int | None, float]
                if any(worker.tid is not None for worker in mine):
                    times = {t.id: t.user_time + t.system_time for t in process.threads()}
                else:
                    cpu = process.cpu_times()
                    times = {None: cpu.user + cpu.system}
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            found.update({w: times[w.tid] for w in mine if w.tid in times})
        return found
