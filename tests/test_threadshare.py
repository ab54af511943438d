"""Threads runs measure what each thread really ran: its share of a core over time."""

from __future__ import annotations

import os
import sys
import sysconfig
from itertools import pairwise

import pytest

from coremeter.results import TaskRecord
from coremeter.runner import local_run
from coremeter.spec import RunSpec

CORES = sorted(os.sched_getaffinity(0))[:2]


def gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)
    return check() if check else not sysconfig.get_config_var("Py_GIL_DISABLED")


def finished(mode: str, scale: float) -> list[TaskRecord]:
    run = local_run(RunSpec.build(mode, "balanced", scale, CORES)).start()
    assert run.wait(timeout=120)
    record = run.record()
    assert record.state == "done", record.reason
    return record.tasks


def share_at(task: TaskRecord, t: float) -> float | None:
    return next((share for start, end, share in task.cpu if start <= t < end), None)


@pytest.mark.skipif(len(CORES) < 2, reason="needs two usable cores")
@pytest.mark.skipif(not gil_enabled(), reason="a free-threaded build runs threads at once")
def test_threads_on_two_cores_share_one_cores_worth_under_the_gil() -> None:
    tasks = finished("threads", 0.03)
    assert [task.core for task in tasks] == CORES
    for task in tasks:
        assert task.cpu, "a thread of a threads run has no measured share"
        # The stretches cover the task from its start to its end, one after another.
        assert task.cpu[0][0] == pytest.approx(task.start_s)
        assert task.cpu[-1][1] == pytest.approx(task.end_s)
        assert all(a[1] == pytest.approx(b[0]) for a, b in pairwise(task.cpu))
        assert all(0.0 <= share <= 1.0 for _, _, share in task.cpu)
    # While both threads ran, their shares add up to one core at most: the GIL lets one
    # run at a time. The lower bound is loose: a busy host gives the process less.
    both = (max(t.start_s for t in tasks), min(t.end_s for t in tasks))
    used = sum(
        (min(end, both[1]) - max(start, both[0])) * share
        for task in tasks
        for start, end, share in task.cpu
        if end > both[0] and start < both[1]
    )
    cores_worth = used / (both[1] - both[0])
    assert 0.1 < cores_worth < 1.15, f"threads used {cores_worth:.2f} cores' worth"
    middle = sum(share_at(task, sum(both) / 2) or 0.0 for task in tasks)
    assert middle < 1.15


def test_processes_have_their_core_to_themselves_and_record_no_share() -> None:
    assert all(task.cpu == () for task in finished("parallel", 0.002))
