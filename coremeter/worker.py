"""The code a worker process runs, kept small so the fork server can preload it.

Nothing here imports Textual or the rest of the engine beyond the workloads, so a
worker starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass
from functools import partial
from multiprocessing import parent_process
from multiprocessing.connection import Connection, wait
from typing import NoReturn

from coremeter.cores import core_label, pin
from coremeter.lifeline import ORPHANED, die_with, worker_parent
from coremeter.spec import Lane
from coremeter.workload import Kernel, TaskFailure, Workload, WorkloadError


@dataclass(frozen=True)
class Slots:
    """The run's shared memory: one slot per task (per worker for ``ready``), each
    written by one worker only, so no locks. Passed whole to the worker process.

    ``threads`` and ``cpu``: the native id of the thread that ran each task and that
    thread's CPU seconds when the task ended, so the parent can tell how much of a core
    each thread of a threads run really had (coremeter.threadshare)."""

    counts: MutableSequence[int]
    starts: MutableSequence[float]
    ends: MutableSequence[float]
    results: MutableSequence[float]
    ready: MutableSequence[float]
    threads: MutableSequence[int]
    cpu: MutableSequence[float]


def _watch_parent() -> None:
    """Exit at once when the parent dies, however it died: the fallback where the kernel
    does not end the worker with its parent (coremeter.lifeline), and only while the
    worker's code lets this thread have the GIL.

    Under forkserver the OS parent is the fork server; the sentinel is coremeter's.
    """
    parent = parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(ORPHANED)

    threading.Thread(target=watch, name="coremeter-watchdog", daemon=True).start()


def _run_lane(lane: Lane, kernel: Kernel, slots: Slots) -> None:
    core, tasks = lane
    pin(core)
    for task in tasks:
        slots.threads[task.id] = threading.get_native_id()
        slots.starts[task.id] = time.perf_counter()
        slots.results[task.id] = kernel(task, slots.counts)
        slots.cpu[task.id] = time.thread_time()
        slots.ends[task.id] = time.perf_counter()


def _where(lanes: list[Lane]) -> str:
    return ",".join(core_label(core) for core, _ in lanes)


def failure_text(where: str, exc: BaseException) -> str:
    """One line: the workload's own account as it is, any other exception with its class."""
    if isinstance(exc, (TaskFailure, WorkloadError)):
        return f"worker on {where}: {exc}"
    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return f"worker on {where} raised {detail}"


def run_worker(
    index: int, lanes: list[Lane], slots: Slots, errors: Connection, workload: Workload
) -> None:
    """Run each lane: in this thread when there is one, in one thread per lane otherwise.

    One writer per shared slot, so no locks. A failure is sent as one line on
    ``errors`` and the process exits non-zero; the parent turns that into the
    run's reason.
    """
    # Ctrl+C reaches the whole process group; the parent decides what to cancel.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(worker_parent())
    _watch_parent()
    slots.ready[index] = time.perf_counter()
    failures: list[str] = []

    def guarded(where: str, work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - any failure must reach the parent
            failures.append(failure_text(where, exc))

    # The workload's kernel, made once per process before any task (a user's module is
    # imported here); its failure is the run's too.
    kernels: list[Kernel] = []
    guarded(_where(lanes), lambda: kernels.append(workload.prepare()))
    if kernels:
        runs = [
            partial(guarded, _where([lane]), partial(_run_lane, lane, kernels[0], slots))
            for lane in lanes
        ]
        if len(runs) == 1:
            runs[0]()
        else:
            threads = [threading.Thread(target=run) for run in runs]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    if failures:
        errors.send(failures[0])
    errors.close()
    _leave(1 if failures else 0)


def _leave(code: int) -> NoReturn:
    """Exit now that the tasks are done, without the interpreter's shutdown: it would
    join any thread the user's function left running, and the run would never end."""
    for stream in (sys.stdout, sys.stderr):
        # A user may have replaced the stream, or there may be none.
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
