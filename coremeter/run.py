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

from coremeter.ownload import Worker
from coremeter.results import RunRecord, RunState, TaskRecord
from coremeter.sampler import Span
from coremeter.spec import Lane, RunSpec
from coremeter.stall import Stall


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
