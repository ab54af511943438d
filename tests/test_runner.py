"""Real pinned workers: where they ran, what they computed, how they end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from helpers import (
    TINY,
    alive,
    last_cpu,
    wait_gone,
    wait_until_working,
)

from coremeter.run import Run
from coremeter.runner import local_run
from coremeter.spec import RunSpec
from coremeter.workload import Task

CORES = sorted(os.sched_getaffinity(0))
LONG = 5.0  # long enough to look at the workers while they run, always cancelled


def started(mode: str, scale: float, shape: str = "seed", cores: list[int] = CORES) -> Run:
    return local_run(RunSpec.build(mode, shape, scale, cores)).start()


@pytest.mark.parametrize("mode", ["sequential", "parallel", "threads"])
def test_every_mode_computes_the_seeds_result(mode: str) -> None:
    run = started(mode, TINY)
    assert run.wait(timeout=30)
    record = run.record()
    assert record.state == "done", record.reason
    assert record.ok
    assert record.result == record.expected
    for task in record.tasks:
        assert task.done == task.size
        assert 0 <= task.start_s <= task.end_s <= record.wall_s + 1e-9


def test_sequential_uses_one_worker_on_one_core() -> None:
    run = started("sequential", LONG)
    try:
        wait_until_working(run)
        [pid] = run.pids
        assert psutil.Process(pid).cpu_affinity() == [CORES[0]]
        assert last_cpu(pid) == CORES[0]
        assert {t.core for t in run.tasks()} == {CORES[0]}
    finally:
        run.cancel()


def test_longest_first_on_two_cores_puts_the_big_task_alone() -> None:
    spec = RunSpec.build("parallel", "seed", 1.0, [0, 1])
    assert [(core, [(t.id, t.size) for t in tasks]) for core, tasks in spec.lanes()] == [
        (0, [(2, 300_000_000)]),
        (1, [(1, 200_000_000), (0, 100_000_000)]),
    ]
    assert spec.bound == 2.0
    assert RunSpec.build("sequential", "seed", 1.0, [0, 1]).bound == 1.0


def test_more_cores_than_tasks_start_no_idle_workers() -> None:
    spec = RunSpec.build("parallel", "seed", 1.0, list(range(16)))
    assert [core for core, _ in spec.lanes()] == [0, 1, 2]


def test_cancel_ends_every_worker_at_once() -> None:
    run = started("parallel", LONG)
    wait_until_working(run)
    pids = run.pids
    run.cancel()
    assert run.state == "cancelled"
    assert alive(pids) == []
    assert run.record().ok is False


def test_a_killed_worker_fails_the_run_with_its_reason_and_the_next_run_works() -> None:
    run = started("parallel", LONG)
    wait_until_working(run)
    victim = run.pids[-1]
    os.kill(victim, signal.SIGKILL)
    assert run.wait(timeout=5)
    assert run.state == "failed"
    assert f"pid {victim}" in run.reason and "SIGKILL" in run.reason
    assert alive(run.pids) == []
    again = started("parallel", TINY)
    assert again.wait(timeout=30) and again.record().ok


def test_a_worker_exception_fails_the_run_with_its_reason() -> None:
    # Zero iterations raise UnboundLocalError in the seed's loop, and in ours.
    spec = RunSpec("sequential", "seed", 1.0, (CORES[0],), (Task(0, 10), Task(1, 0)))
    run = local_run(spec).start()
    assert run.wait(timeout=30)
    assert run.state == "failed"
    assert "UnboundLocalError" in run.reason
    assert f"cpu{CORES[0]}" in run.reason


PARENT = """
import sys
from coremeter.run import Run
from coremeter.spec import RunSpec
from coremeter.runner import local_run, prepare
if __name__ == "__main__":
    prepare()
    run = local_run(RunSpec.build(sys.argv[1], "balanced", 5.0, {cores})).start()
    print(" ".join(map(str, run.pids)), flush=True)
    run.wait()
"""


@pytest.mark.parametrize("mode", ["parallel", "threads"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(tmp_path: Path, mode: str, sig: int) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT.format(cores=CORES))
    parent = subprocess.Popen(
        [sys.executable, str(script), mode], stdout=subprocess.PIPE, text=True
    )
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert pids and alive(pids) == pids
    parent.send_signal(sig)
    parent.wait(timeout=5)
    assert wait_gone(pids, timeout=1.0) == []
