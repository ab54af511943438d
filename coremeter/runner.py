"""Runs of the workload on pinned worker processes: start, watch, cancel.

The runner owns its processes outright (no Pool, no executor): it can then end a
run within milliseconds (terminate, join briefly, kill) and knows which worker
died and why. Progress, timings and results travel through shared memory, one
writer per slot, so there is no queue to drain and no lock on the hot path.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import signal
import time
from multiprocessing.connection import wait

from coremeter.cores import start_method
from coremeter.lifeline import ensure_fork_server
from coremeter.ownload import Worker
from coremeter.report import stall_text
from coremeter.results import RunState
from coremeter.run import TaskSlots
from coremeter.spec import Lane, RunSpec
from coremeter.stall import Stall, StallWatch, Watched
from coremeter.threadshare import Series, ThreadShares
from coremeter.worker import Slots, run_worker
from coremeter.workerproc import WorkerProcess

STOP_GRACE_S = 0.05


def context() -> multiprocessing.context.DefaultContext:
    # The typeshed's get_context(str) is the abstract BaseContext, without Process.
    return multiprocessing.get_context(start_method())  # type: ignore[return-value]


def prepare() -> None:
    """Start the resource tracker and fork server before any Textual app runs.

    Started from inside a running Textual app they fail with ``bad value(s) in
    fds_to_keep`` (Textual #3593: Textual swaps sys.stderr for an object whose
    fileno() is -1). With the engine preloaded, a worker starts in 10-25 ms. Call it
    from the main thread: the fork server dies with the thread that started it.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    if start_method() == "forkserver":
        # coremeter.lifeline first: the fork server arms itself as it imports it.
        context().set_forkserver_preload(["coremeter.lifeline", "coremeter.runner"])
        ensure_fork_server()
        # The fork server imports its preloads on its first request: pay that here,
        # not in the first timed run.
        warm = context().Process(target=int, name="coremeter-warm-up")
        warm.start()
        warm.join()


def local_run(spec: RunSpec) -> LocalRun:
    """A run of ``spec`` on this machine: in threads of one process, or in processes."""
    return ThreadRun(spec) if spec.mode == "threads" else ProcessRun(spec)


class LocalRun(TaskSlots):
    """A run on this machine's worker processes (coremeter.run.Run). Poll it (it never
    blocks), wait for it, or cancel it. :class:`ProcessRun` gives each lane a process;
    :class:`ThreadRun` gives all lanes one, a thread each."""

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.lanes = spec.lanes()
        self.state: RunState = "idle"
        self.reason: str | None = None
        n = len(spec.tasks)
        ctx = context()
        self.counts = ctx.RawArray("q", n)
        self.starts = ctx.RawArray("d", [math.nan] * n)
        self.ends = ctx.RawArray("d", [math.nan] * n)
        self.results = ctx.RawArray("d", [math.nan] * n)
        workers = self._groups()
        self.ready = ctx.RawArray("d", [math.nan] * len(workers))
        self.threads = ctx.RawArray("q", n)
        self.cpu = ctx.RawArray("d", [math.nan] * n)
        self.slots = Slots(
            self.counts, self.starts, self.ends, self.results, self.ready, self.threads, self.cpu
        )
        self._workers: list[WorkerProcess] = []
        for index, lanes in enumerate(workers):
            reader, writer = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=run_worker,
                args=(index, lanes, self.slots, writer, spec.workload),
                name=f"coremeter-worker-{index}",
            )
            self._workers.append(WorkerProcess(process, reader, writer, lanes))
        self.pids: list[int] = []
        self.started_at = math.nan
        self.stopped_at = math.nan
        self.core_of = {task.id: core for core, tasks in self.lanes for task in tasks}
        # What to say beside this run's figures; the session fills it in at the start.
        self.notes: list[str] = []
        self._stalls: StallWatch | None = None
        # A worker that has made no progress for a while, while the run goes on.
        self.stall: Stall | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> LocalRun:
        if start_method() == "forkserver":
            ensure_fork_server()  # a new one if the last died
        self.started_at = time.perf_counter()
        self.state = "running"
        for worker in self._workers:
            worker.process.start()
            worker.writer.close()
            assert worker.process.pid is not None  # started
            self.pids.append(worker.process.pid)
        watched = [
            Watched(pid, w.where, w.task_ids)
            for w, pid in zip(self._workers, self.pids, strict=True)
        ]
        self._stalls = StallWatch(watched, self.started_at)
        return self

    def poll(self) -> bool:
        """Update the state from the workers' exits; True once the run has ended."""
        if self.state != "running":
            return True
        now = time.perf_counter()
        self._sample(now)
        all_exited = True
        for worker in self._workers:
            code = worker.process.exitcode
            if code is None:
                all_exited = all_exited and worker.lingers(self.ends, now)
            elif code != 0:
                self._stop("failed", worker.failure())
                return True
        if not all_exited:
            if self._stalls is not None:
                self.stall = self._stalls.check(now, self.counts, self.starts, self.ends)
            return False
        if any(math.isnan(end) for end in self.ends):
            self._stop("failed", "a worker exited before its tasks were done")
        else:
            self._stop("done", None)
        return True

    def _pause(self, seconds: float) -> None:
        wait([w.process.sentinel for w in self._workers], seconds)

    def cancel(self, reason: str = "cancelled") -> None:
        if self.state == "running":
            self._stop("cancelled", reason)

    def kill_now(self) -> None:
        """SIGKILL every worker and change nothing else: safe in a signal handler, which
        may have interrupted this run's own code. Ending the run (cancel, poll) still
        follows, and finds them gone."""
        if self.state == "running":
            for pid in self.pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))

    def _stop(self, state: RunState, reason: str | None) -> None:
        """End every worker: SIGTERM, a short join, then SIGKILL for stragglers."""
        if self.stall is not None:
            self.notes.append(stall_text(self.stall))
            self.stall = None
        if state == "done":
            self.stopped_at = max(self.ends)
        else:
            self.stopped_at = time.perf_counter()
        processes = [w.process for w in self._workers]
        for process in processes:
            if process.exitcode is None:
                process.terminate()
        deadline = time.perf_counter() + STOP_GRACE_S
        for process in processes:
            process.join(max(0.0, deadline - time.perf_counter()))
        for process in processes:
            if process.exitcode is None:
                process.kill()
                process.join()
        for worker in self._workers:
            worker.reader.close()
            worker.process.close()
        self._finish()
        self.state, self.reason = state, reason

    # -- what processes and threads do differently ---------------------------

    def _groups(self) -> list[list[Lane]]:
        """The lanes each worker process runs."""
        raise NotImplementedError

    def _sample(self, now: float) -> None:
        """Measure the workers while they run, at each poll."""

    def _finish(self) -> None:
        """Close the measurements once the workers are gone."""

    def lane_pids(self) -> list[tuple[Lane, int]]:
        """Each lane with the pid of the process running it, once started: its own
        worker's, or in threads mode the one process all lanes share."""
        return [
            (lane, pid)
            for worker, pid in zip(self._workers, self.pids, strict=False)
            for lane in worker.lanes
        ]

    def worker_start_latency(self) -> float | None:
        """Seconds from start() until the last worker was running its code."""
        if any(math.isnan(r) for r in self.ready):
            return None
        last: float = max(self.ready)
        return last - self.started_at


class ProcessRun(LocalRun):
    """Sequential and parallel: a process per lane, each pinned to its core."""

    def _groups(self) -> list[list[Lane]]:
        return [[lane] for lane in self.lanes]


class ThreadRun(LocalRun):
    """Threads: one process, a thread per lane, each thread pinned to its core. Threads
    share one process, so what each really ran is measured, not assumed."""

    def __init__(self, spec: RunSpec) -> None:
        super().__init__(spec)
        lanes = [[task.id for task in tasks] for _, tasks in self.lanes]
        self.shares = ThreadShares(lanes, self.slots)

    def _groups(self) -> list[list[Lane]]:
        return [self.lanes]

    def _sample(self, now: float) -> None:
        if self.pids:
            self.shares.sample(self.pids[0], self.started_at, now)

    def _finish(self) -> None:
        self.shares.finish(self.started_at)

    def _cpu_share(self, task_id: int) -> Series:
        start, end = self._offset(self.starts[task_id]), self._offset(self.ends[task_id])
        return self.shares.of_task(task_id, start, end)

    def workers(self) -> list[Worker]:
        """A thread publishes its id as it starts its first task: until then it used
        nothing."""
        if not self.running:
            return []
        found = [(core, pid, self.threads[tasks[0].id]) for (core, tasks), pid in self.lane_pids()]
        return [Worker(core, pid, tid) for core, pid, tid in found if tid]
