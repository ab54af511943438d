"""How much of a core each thread of a threads run really used, over time.

A threads run has one thread per lane, each pinned to its own core, and on a GIL build
they take turns: each core's meter reads about half, and a timeline drawn from task
start and end alone shows every lane busy from start to finish. The truth is in each
thread's CPU time. The worker publishes each thread's native id in shared memory; the
parent samples those threads' CPU times from outside with psutil while the run lasts,
and each thread stores its own CPU time when a task ends, which closes the last stretch
exactly (its /proc entry is gone by the next sample).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import psutil

from coremeter.results import Share
from coremeter.worker import Slots

Series = tuple[Share, ...]

# /proc counts CPU time in 10 ms ticks: a quarter of a second keeps a sample within
# about 4% of the truth, and still draws several steps a second.
SAMPLE_INTERVAL_S = 0.25


class ThreadShares:
    """Samples each lane's thread, one lane per list of task ids, in the order it runs
    them. From the run's per-task ``slots`` it reads the thread that ran each task, when
    the task started and ended (perf_counter), and the thread's CPU seconds at its end."""

    def __init__(
        self, lanes: Sequence[Sequence[int]], slots: Slots, interval: float = SAMPLE_INTERVAL_S
    ) -> None:
        self.lanes = [list(lane) for lane in lanes]
        self._ids, self._starts = slots.threads, slots.starts
        self._ends, self._cpu = slots.ends, slots.cpu
        self.interval = interval
        self.series: list[list[Share]] = [[] for _ in self.lanes]
        # Per lane: (perf_counter, CPU seconds) of its last reading, None before its start.
        self._last: list[tuple[float, float] | None] = [None] * len(self.lanes)
        self._closed = [False] * len(self.lanes)
        self._process: psutil.Process | None = None
        self._sampled_at = -math.inf

    def sample(self, pid: int, origin: float, now: float) -> None:
        """Read the threads' CPU times, at most once an ``interval``; ``origin`` is the
        run's start, where the series' offsets count from."""
        if now - self._sampled_at < self.interval:
            return
        self._sampled_at = now
        times = self._thread_times(pid)
        for index, lane in enumerate(self.lanes):
            if self._closed[index]:
                continue
            last = self._last[index]
            if last is None:
                # A thread's CPU clock starts at its creation, just before its first task.
                if math.isnan(self._starts[lane[0]]):
                    continue
                last = self._last[index] = (self._starts[lane[0]], 0.0)
            if self.close(index, origin):
                continue
            cpu = times.get(self._ids[lane[0]])
            if cpu is not None:
                self._add(index, origin, now, cpu)

    def close(self, index: int, origin: float) -> bool:
        """End a lane whose thread has run its last task, with the CPU time the thread
        stored then; True if the lane is (now) closed."""
        end, cpu = self._ends[self.lanes[index][-1]], self._cpu[self.lanes[index][-1]]
        if self._closed[index] or math.isnan(end) or math.isnan(cpu):
            return self._closed[index]
        if self._last[index] is None:
            self._last[index] = (self._starts[self.lanes[index][0]], 0.0)
        self._add(index, origin, end, cpu)
        self._closed[index] = True
        return True

    def finish(self, origin: float) -> None:
        """Close every lane that ended: a run that is over is sampled no more."""
        for index in range(len(self.lanes)):
            self.close(index, origin)

    def _add(self, index: int, origin: float, now: float, cpu: float) -> None:
        last = self._last[index]
        assert last is not None
        then, used = last
        if now <= then:
            return
        # psutil's ticks and the thread's own clock differ by a tick or two: a thread
        # never runs on more than one core, nor less than none.
        share = min(1.0, max(0.0, (cpu - used) / (now - then)))
        self.series[index].append((then - origin, now - origin, share))
        self._last[index] = (now, cpu)

    def _thread_times(self, pid: int) -> dict[int, float]:
        """CPU seconds per native thread id of the worker; empty once it has exited."""
        try:
            if self._process is None or self._process.pid != pid:
                self._process = psutil.Process(pid)
            return {t.id: t.user_time + t.system_time for t in self._process.threads()}
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return {}

    def of_task(self, task_id: int, start_s: float | None, end_s: float | None) -> Series:
        """The task's part of its lane's series, clipped to when it ran."""
        if start_s is None:
            return ()
        lane = next((i for i, ids in enumerate(self.lanes) if task_id in ids), None)
        if lane is None:
            return ()
        stop = math.inf if end_s is None else end_s
        clipped = []
        for first, last, share in self.series[lane]:
            first, last = max(first, start_s), min(last, stop)
            if last > first:
                clipped.append((first, last, share))
        return tuple(clipped)
