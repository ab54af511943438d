"""Whose load each core carries: the run's workers, read from their own CPU times, and
other programs'. Split from plain readings, then measured with real workers and a real
program spinning on a core beside them."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest
from helpers import wait_for

from coremeter.ownload import OwnReading, WorkerClock, split
from coremeter.run import Run
from coremeter.runner import local_run
from coremeter.sampler import CpuSampler
from coremeter.spec import RunSpec

CORES = sorted(os.sched_getaffinity(0))
two_cores = pytest.mark.skipif(len(CORES) < 2, reason="needs two cores")


def test_a_core_another_program_holds_is_theirs_not_the_runs() -> None:
    parts = split({0: 100.0, 1: 100.0}, OwnReading({0: 100.0}))
    assert parts.own == {0: 100.0, 1: 0.0}
    assert parts.others == {0: 0.0, 1: 100.0}


def test_the_runs_part_never_exceeds_what_the_core_read() -> None:
    """The kernel counts both in 10 ms ticks: a worker can read a tick more than its core."""
    parts = split({0: 90.0}, OwnReading({0: 100.0}))
    assert parts.own == {0: 90.0} and parts.others == {0: 0.0}


def test_unpinned_work_and_the_dashboard_spread_over_the_cores_by_their_load() -> None:
    parts = split({0: 80.0, 1: 40.0}, OwnReading({}, unplaced=60.0, dashboard=6.0))
    assert parts.own == pytest.approx({0: 40.0, 1: 20.0})
    # The dashboard is coremeter too: neither the run's nor another program's.
    assert parts.others == pytest.approx({0: 36.0, 1: 18.0})


@pytest.fixture
def spinner() -> Iterator[psutil.Process]:
    """Another program: a Python loop pinned to the last core."""
    process = subprocess.Popen(
        [sys.executable, "-c", "while 1: pass"],
        preexec_fn=lambda: os.sched_setaffinity(0, {CORES[-1]}),
    )
    try:
        yield psutil.Process(process.pid)
    finally:
        process.kill()
        process.wait()


def sampled(run: Run, seconds: float) -> CpuSampler:
    """The sampler as the dashboard ticks it: the cores and the run's workers at 10 Hz."""
    sampler = CpuSampler(CORES[:1] + CORES[-1:])
    wait_for(lambda: run.workers(), 10, "the run's workers")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)
        run.poll()
        sampler.sample(run.workers())
    return sampler


@two_cores
@pytest.mark.parametrize("mode", ["sequential", "threads"])
def test_a_program_spinning_beside_the_run_is_counted_as_others(
    mode: str, spinner: psutil.Process
) -> None:
    first, last = CORES[0], CORES[-1]
    run = local_run(RunSpec.build(mode, "seed", 5.0, [first, last])).start()
    try:
        sampler = sampled(run, 1.5)
        assert run.running
        spun = spinner.cpu_times()
        assert spun.user + spun.system > 0.1, "the spinner never ran"
        if mode == "sequential":
            # No worker of ours on the spinner's core: nothing there is the run's.
            assert sampler.own[last] == 0.0
        assert sampler.own[first] > 0.0
        assert sampler.others[last] > 0.0
        for core in (first, last):
            total = sampler.own[core] + sampler.others[core]
            assert total <= sampler.percent[core] + 1e-6
    finally:
        run.cancel()


def test_the_workers_own_cpu_time_is_what_the_clock_reads() -> None:
    """Integrated over its readings, a worker's share is its process's CPU time."""
    run = local_run(RunSpec.build("sequential", "seed", 5.0, CORES[:1])).start()
    at = [time.perf_counter()]
    clock = WorkerClock(clock=lambda: at[0])
    try:
        found = wait_for(lambda: run.workers(), 10, "the worker")
        process = psutil.Process(found[0].pid)
        clock(found)  # the first sight only sets its baseline
        before = sum(process.cpu_times()[:2])
        used = 0.0
        for _ in range(10):
            time.sleep(0.1)
            then, at[0] = at[0], time.perf_counter()
            used += clock(found).cores.get(CORES[0], 0.0) / 100 * (at[0] - then)
        after = sum(process.cpu_times()[:2])
        assert math.isclose(used, after - before, abs_tol=0.03)
    finally:
        run.cancel()


def test_a_run_that_is_not_running_has_no_workers() -> None:
    run = local_run(RunSpec.build("parallel", "seed", 0.01, CORES))
    assert run.workers() == []
