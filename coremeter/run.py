"""The seam between what runs the work and what shows it: every kind of run offers this.

The session, bench, the export, the factors, the notes and the dashboard only ever hold
a :class:`Run`. Local worker processes and local threads (coremeter.runner) implement
it, and so does a run on a Dask cluster; none of those front ends has a branch for
either. A run never blocks its caller except in :meth:`Run.wait`: the dashboard polls
it from its 10 Hz timer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from coremeter import factors
from coremeter.ownload import Worker
from coremeter.results import RunRecord, RunState, TaskRecord
from coremeter.sampler import Span
from coremeter.spec import Lane, RunSpec
from coremeter.stall import Stall
from coremeter.workload import total_result


class Run(Protocol):
    """One run of a spec: start it, poll it (never blocks), wait for it, or cancel it."""

    spec: RunSpec
    state: RunState
    # Why it ended other than done (failed, cancelled): one line for the user.
    reason: str | None
    # What to say beside this run's figures; the session fills it in at the start.
    notes: list[str]
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

    def elapsed(self) -> float: ...

    def tasks(self) -> list[TaskRecord]:
        """A snapshot of every task, cheap enough to take ten times a second."""
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


# How a session makes its runs: local processes or threads, a cluster's, a test's fake.
Launcher = Callable[[RunSpec], Run]


def record_of(run: Run) -> RunRecord:
    """A run's record, whatever ran it. Where the workload knows no result in advance (a
    user's function), ``expected`` is None and the log checks it against the sequential
    run."""
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
