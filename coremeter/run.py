"""The seam between what runs the work and what shows it: every kind of run offers this.

The session, bench, the export, the factors, the notes and the dashboard only ever hold
a :class:`Run`. Local worker processes and local threads (coremeter.runner) implement
it, and so does a run on a Dask cluster; none of those front ends has a branch for
either. A run never blocks its caller except in :meth:`Run.wait`: the dashboard polls
it from its 10 Hz timer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, MutableSequence
from typing import Protocol

from coremeter import factors
from coremeter.ownload import Worker
from coremeter.results import RunRecord, RunState, TaskRecord
from coremeter.sampler import Span
from coremeter.spec import Lane, RunSpec
from coremeter.stall import Stall
from coremeter.threadshare import Series
from coremeter.workload import total_result


class Progress(Protocol):
    """What a run's record is made from (record_of): its spec, state and tasks so far."""

    spec: RunSpec
    state: RunState
    # Why it ended other than done (failed, cancelled): one line for the user.
    reason: str | None
    # What to say beside this run's figures; the session fills it in at the start.
    notes: list[str]

    def elapsed(self) -> float: ...

    def tasks(self) -> list[TaskRecord]:
        """A snapshot of every task, cheap enough to take ten times a second."""
        ...


class Run(Progress, Protocol):
    """One run of a spec: start it, poll it (never blocks), wait for it, or cancel it."""

    # A worker that has made no progress for a while, while the run goes on.
    stall: Stall | None

    @property
    def running(self) -> bool: ...

    def start(self) -> Run: ...

    def poll(self) -> bool:
        """Update the state; True once the run has ended."""
        ...

    def wait(self, timeout: float | None = None, tick: float = 0.1) -> bool:
        """Block until the run ends or the timeout passes; True if it ended."""
        ...

    def cancel(self, reason: str = "cancelled") -> None: ...

    def kill_now(self) -> None:
        """Stop the workers at once and change nothing else: safe in a signal handler."""
        ...

    def record(self) -> RunRecord: ...

    def busy_spans(self) -> list[Span]:
        """When this run's own work kept each core busy, in perf_counter seconds."""
        ...

    def lane_pids(self) -> list[tuple[Lane, int]]:
        """Each started lane with the pid of the process running it."""
        ...

    def workers(self) -> list[Worker]:
        """The running workers whose CPU time this machine can read (its own load)."""
        ...


def wait_for(
    ended: Callable[[], bool],
    timeout: float | None,
    tick: float,
    pause: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll ``ended`` until it says so or ``timeout`` seconds pass, pausing up to ``tick``
    between polls; True if it ended. Every kind of run waits with this one loop."""
    deadline = None if timeout is None else time.perf_counter() + timeout
    while not ended():
        left = tick if deadline is None else min(tick, deadline - time.perf_counter())
        if left <= 0:
            return False
        pause(left)
    return True


# How a session makes its runs: local processes or threads, a cluster's, a test's fake.
Launcher = Callable[[RunSpec], Run]


class TaskSlots:
    """What a run shows, read from one slot per task: units done, start, end and result
    (NaN until reached; times in this process's perf_counter seconds). A local run's
    slots are shared memory its workers write; a cluster run's are filled in from its
    workers' ticks. Both read them through this one class."""

    spec: RunSpec
    state: RunState
    reason: str | None
    notes: list[str]
    started_at: float
    stopped_at: float
    counts: MutableSequence[int]
    starts: MutableSequence[float]
    ends: MutableSequence[float]
    results: MutableSequence[float]
    # The core each task's lane runs on (None: unpinned).
    core_of: dict[int, int | None]

    @property
    def running(self) -> bool:
        return self.state == "running"

    def poll(self) -> bool:
        raise NotImplementedError

    def wait(self, timeout: float | None = None, tick: float = 0.1) -> bool:
        """Block until the run ends or the timeout passes; True if it ended."""
        return wait_for(self.poll, timeout, tick, self._pause)

    def _pause(self, seconds: float) -> None:
        """Wait up to ``seconds`` between polls (a local run: until a worker exits)."""
        time.sleep(min(seconds, 0.02))

    def elapsed(self) -> float:
        if math.isnan(self.started_at):
            return 0.0
        end = self.stopped_at if not math.isnan(self.stopped_at) else time.perf_counter()
        return max(0.0, end - self.started_at)

    def _offset(self, t: float) -> float | None:
        return None if math.isnan(t) else t - self.started_at

    def tasks(self) -> list[TaskRecord]:
        """A snapshot of every task, cheap enough to take ten times a second."""
        return [
            TaskRecord(
                id=task.id,
                size=task.size,
                core=self.core_of.get(task.id),
                done=self.counts[task.id],
                start_s=self._offset(self.starts[task.id]),
                end_s=self._offset(self.ends[task.id]),
                # A result is one once its task has ended: NaN is a result like any other.
                result=None if math.isnan(self.ends[task.id]) else self.results[task.id],
                cpu=self._cpu_share(task.id),
            )
            for task in self.spec.tasks
        ]

    def _cpu_share(self, task_id: int) -> Series:
        """The share of a core the task had over its run; () where it had a whole one."""
        return ()

    def lane_pids(self) -> list[tuple[Lane, int]]:
        raise NotImplementedError

    def workers(self) -> list[Worker]:
        """The running run's workers that have started; none when no run is running."""
        if not self.running:
            return []
        return [Worker(core, pid, None) for (core, _), pid in self.lane_pids()]

    def busy_spans(self) -> list[Span]:
        """(core, start, end) of each task that ran, in perf_counter seconds: when this
        run's own work kept a core busy (a task cut short ends when the run stopped)."""
        spans = []
        for task in self.spec.tasks:
            start, end = self.starts[task.id], self.ends[task.id]
            if not math.isnan(start):
                stop = end if not math.isnan(end) else self.stopped_at
                stop = time.perf_counter() if math.isnan(stop) else stop
                spans.append((self.core_of.get(task.id), start, stop))
        return spans

    def record(self) -> RunRecord:
        return record_of(self)


def record_of(run: Progress) -> RunRecord:
    """A run's record as of now, from its spec, state and tasks: every kind of run (a
    cluster's and a replay's too) makes its record here. Where the workload knows no
    result in advance (a user's function), ``expected`` is None and the log checks it
    against the sequential run."""
    spec, tasks = run.spec, run.tasks()
    by_id = {t.id: t for t in tasks}
    lanes = [[by_id[t.id] for t in lane] for lane in spec.concurrent_lanes()]
    workload = spec.workload
    each = [workload.expected(task) for task in spec.tasks]
    known = [e for e in each if e is not None]
    expected = total_result(known) if len(known) == len(each) else None
    right = all(t.result == e for t, e in zip(tasks, each, strict=True))
    ok = run.state == "done" and (expected is None or right)
    results = [t.result for t in tasks if t.result is not None]
    whole = run.state == "done" and len(results) == len(tasks)
    result = total_result(results) if whole else None
    return RunRecord(
        mode=spec.mode,
        workload=workload.name,
        shape=spec.shape,
        scale=spec.scale,
        cores=spec.cores_used,
        state=run.state,
        reason=run.reason,
        wall_s=run.elapsed(),
        result=result,
        expected=expected,
        ok=ok and (expected is None or result == expected),
        bound=spec.bound,
        tasks=tasks,
        schedule=spec.schedule,
        notes=list(run.notes),
        critical_speed=factors.critical_speed(lanes) if run.state == "done" else None,
    )
