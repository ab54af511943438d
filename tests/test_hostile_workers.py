"""Workers that misbehave, for real: functions from tests/hostile/ that hold the GIL,
leave threads behind, never flush or never return; workers stopped with SIGSTOP; a
killed fork server. Nothing may hang, stall without a word, or be left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import alive, fork_server, tree, wait_for, wait_gone, wait_until_working

from coremeter.cores import core_label
from coremeter.lifeline import FORK_SERVER_DIED, ORPHANED, fork_server_died
from coremeter.run import Run
from coremeter.runner import local_run
from coremeter.spec import RunSpec
from coremeter.stall import STALL_S
from coremeter.userfunc import parse_spec
from coremeter.workload import Io

CORES = sorted(os.sched_getaffinity(0))
HOSTILE = Path(__file__).parent / "hostile"
LONG = 5.0  # minutes of the seed's work: always ended by the test
# Far more than STALL_S, for a loaded box.
STALL_WAIT_S = STALL_S + 15


def hostile_run(spec: str, items: int = 2, mode: str = "parallel") -> Run:
    workload = parse_spec(f"{HOSTILE / spec}", items)
    return local_run(RunSpec.build(mode, "seed", 1.0, CORES).with_workload(workload)).start()


def seed_run(scale: float = LONG) -> Run:
    return local_run(RunSpec.build("parallel", "seed", scale, CORES)).start()


@pytest.mark.parametrize("mode", ["sequential", "parallel", "threads"])
def test_a_thread_left_running_does_not_hold_the_run(mode: str) -> None:
    run = hostile_run("leftover_thread.py:leave", mode=mode)
    try:
        assert run.wait(timeout=20), "the run never ended"
        assert run.state == "done", run.reason
        assert alive(run.pids) == []
    finally:
        run.cancel()


def test_a_worker_that_cannot_exit_is_ended_and_the_run_is_done() -> None:
    """Its stdout never flushes, so it never gets out: the parent ends it."""
    run = hostile_run("stuck_stdout.py:stick")
    try:
        assert run.wait(timeout=20), "the run never ended"
        assert run.state == "done", run.reason
        assert run.record().result == 1.0  # 0 + 1
        assert wait_gone(run.pids, 2) == []
    finally:
        run.cancel()


def stalled(run: Run) -> object:
    run.poll()
    return run.stall


def test_a_stopped_worker_is_a_stalled_run_that_says_so() -> None:
    run = seed_run()
    try:
        wait_until_working(run)
        (core, _), victim = run.lane_pids()[-1]
        os.kill(victim, signal.SIGSTOP)
        stall = wait_for(lambda: stalled(run), STALL_WAIT_S, "the stall")
        assert stall.pid == victim and stall.state == "stopped"
        assert stall.where == core_label(core) and stall.seconds >= STALL_S
        run.cancel()
        line = f"stalled: worker on {core_label(core)} is stopped (no progress for"
        assert any(note.startswith(line) for note in run.record().notes), run.notes
        assert wait_gone(run.pids, 2) == []
    finally:
        run.cancel()


def test_a_function_that_sleeps_is_a_stalled_run_and_a_long_call_is_not() -> None:
    sleeping = hostile_run("sleeper.py:nap", mode="sequential")
    holding = hostile_run("gil_hold.py:hold", mode="sequential")
    try:
        stall = wait_for(lambda: stalled(sleeping), STALL_WAIT_S, "the stall")
        assert stall.state == "sleeping"
        holding.poll()
        assert holding.stall is None  # no progress counted, but busy on its core
    finally:
        sleeping.cancel()
        holding.cancel()


@pytest.mark.slow  # watches a whole io run, several seconds, for a word that must not come
def test_io_sleeps_but_is_never_called_stalled() -> None:
    # Long enough to be called stalled twice over if its waits were not counted.
    spec = RunSpec.build("sequential", "seed", 1.0, CORES).with_workload(Io())
    run = local_run(spec).start()
    try:
        deadline = time.monotonic() + 2 * STALL_S
        while time.monotonic() < deadline and not run.poll():
            assert run.stall is None
            time.sleep(0.1)
        assert run.running, "too short to tell"
    finally:
        run.cancel()


def test_a_killed_fork_server_is_named_and_the_next_run_works() -> None:
    run = seed_run()
    wait_until_working(run)
    fork_server(psutil.Process()).kill()
    assert run.wait(timeout=5)
    assert run.state == "failed" and run.reason == FORK_SERVER_DIED
    assert wait_gone(run.pids, 1) == []
    assert fork_server_died()
    again = seed_run(0.002)
    assert again.wait(timeout=30)
    assert again.record().ok, again.reason
    assert not fork_server_died()


def test_a_process_whose_parent_is_already_gone_exits_at_once() -> None:
    """The check after the kernel's request: here the expected parent (pid 1) is not it."""
    code = "from coremeter.lifeline import die_with; die_with(1); print('ran on')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == ORPHANED and done.stdout == ""


PARENT = """
import sys
from coremeter.runner import local_run, prepare
from coremeter.spec import RunSpec
from coremeter.userfunc import parse_spec
if __name__ == "__main__":
    prepare()
    workload = parse_spec(sys.argv[1], 2)
    spec = RunSpec.build(sys.argv[2], "seed", 1.0, {cores}).with_workload(workload)
    run = local_run(spec).start()
    print(" ".join(map(str, run.pids)), flush=True)
    run.wait()
"""


@pytest.mark.parametrize("mode", ["parallel", "threads"])
def test_workers_in_a_long_c_call_die_with_their_parent(tmp_path: Path, mode: str) -> None:
    """The worker's watchdog thread cannot run while the GIL is held: the kernel ends it."""
    script = tmp_path / "parent.py"
    script.write_text(PARENT.format(cores=CORES))
    command = [sys.executable, str(script), f"{HOSTILE / 'gil_hold.py'}:hold", mode]
    parent = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    everything: list[int] = []
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert pids and alive(pids) == pids
        server = fork_server(psutil.Process(parent.pid))
        assert server is not None
        everything = tree(parent.pid)
        # Until every worker is in its C call.
        wait_for(lambda: all(psutil.Process(p).cpu_times().user > 0.2 for p in pids), 20, "work")
        parent.kill()
        assert wait_gone([*pids, server.pid], 1.0) == []
        # The resource tracker, once every holder of its pipe has gone.
        assert wait_gone(everything, 10) == []
    finally:
        for pid in alive(everything):
            os.kill(pid, signal.SIGKILL)
        parent.kill()
        parent.wait()
