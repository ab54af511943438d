"""The rules both front ends share: one live run, no restart of the same run, a log."""

from __future__ import annotations

import pytest
from helpers import TINY, alive, wait_for

from coremeter.cores import Machine
from coremeter.results import ResultsLog, RunRecord, TaskRecord
from coremeter.session import SLIP_S, Session
from coremeter.userfunc import UserFunction


@pytest.fixture
def session(machine: Machine):
    session = Session(machine, machine.usable_cores, "seed", TINY)
    yield session
    session.close()


def finish(session: Session) -> RunRecord:
    assert session.run.wait(timeout=30)
    record = session.poll()
    assert record is not None
    return record


def test_starting_the_running_mode_again_keeps_the_run(session: Session) -> None:
    session.set_scale(5.0)
    first = session.start("parallel")
    assert session.start("parallel") is first
    assert session.rerun() is first
    assert first.running


def test_starting_another_mode_cancels_the_run_in_progress(session: Session) -> None:
    session.set_scale(5.0)
    first = session.start("parallel")
    pids = first.pids
    wait_for(lambda: first.elapsed() > SLIP_S, 10, "a run past a slip")
    second = session.start("sequential")
    assert second is not first and second.running
    assert first.state == "cancelled" and alive(pids) == []
    assert [r.state for r in session.log.runs] == ["cancelled"]
    assert "sequential was started" in session.log.runs[0].reason


def test_a_run_cancelled_within_a_second_is_a_slip_and_leaves_no_row(session: Session) -> None:
    session.set_scale(5.0)
    slips = []
    for mode in ("sequential", "parallel", "threads", "sequential"):
        run = session.start(mode)
        slips.append(run)
    assert session.cancel("cancelled with escape") is None
    assert all(run.state == "cancelled" and run.elapsed() < SLIP_S for run in slips)
    assert alive([pid for run in slips for pid in run.pids]) == []
    assert session.log.runs == [] and session.poll() is None
    # Quitting is no slip: the run it ends is logged, however short.
    session.start("parallel")
    session.close()
    assert [(r.mode, r.reason) for r in session.log.runs] == [
        ("parallel", "cancelled: coremeter quit")
    ]


def test_toggle_runs_sequential_first_then_alternates(session: Session) -> None:
    session.start("parallel")  # a parallel run alone has nothing to compare with
    assert finish(session).speedup is None and not session.has_baseline()
    session.toggle()
    sequential = finish(session)
    assert sequential.mode == "sequential" and sequential.speedup == 1.0
    session.toggle()
    again = finish(session)
    assert again.mode == "parallel"
    assert again.speedup == pytest.approx(sequential.wall_s / again.wall_s)
    assert again.efficiency == pytest.approx(again.speedup / again.bound)
    session.toggle()
    assert finish(session).mode == "sequential"


def test_toggle_without_a_baseline_of_this_workload_runs_sequential(session: Session) -> None:
    assert session.toggle_mode() == "sequential"  # a fresh session: nothing to compare with
    assert session.toggle().spec.mode == "sequential"
    finish(session)
    assert session.has_baseline() and session.toggle_mode() == "parallel"
    session.set_scale(TINY * 2)  # another workload: its own baseline first
    assert not session.has_baseline() and session.toggle_mode() == "sequential"
    session.mode = "threads"  # from threads, m runs sequential either way
    session.set_scale(TINY)
    assert session.toggle_mode() == "sequential"


def test_a_different_workload_has_no_baseline(session: Session) -> None:
    session.start("sequential")
    finish(session)
    session.set_scale(TINY * 2)
    session.start("parallel")
    assert finish(session).speedup is None


def test_poll_reports_a_finished_run_once(session: Session) -> None:
    session.start("sequential")
    assert finish(session).ok
    assert session.poll() is None
    assert len(session.log.runs) == 1


def test_shape_cycles_and_scale_is_clamped(session: Session) -> None:
    assert session.next_shape() == "balanced"
    assert session.next_shape() == "seed"
    assert session.set_scale(1e12) == 100.0
    assert session.set_scale(0) > 0


def test_scale_steps_stop_at_the_limits_and_come_back_exactly(session: Session) -> None:
    start = session.scale
    halvings = sum(session.step_scale(0.5) for _ in range(40))
    assert session.scale >= 1e-6 and not session.step_scale(0.5)
    assert all(session.step_scale(2) for _ in range(halvings))
    assert session.scale == start
    while session.step_scale(2):
        pass
    assert session.scale <= 100 and session.scale * 2 > 100


def test_close_leaves_no_worker(session: Session) -> None:
    session.set_scale(5.0)
    pids = session.start("threads").pids
    session.close()
    assert alive(pids) == []


def logged(mode: str, wall_s: float, scale: float = 0.2) -> RunRecord:
    task = TaskRecord(0, 10, 0, 10, 0.0, wall_s, 45.0)
    return RunRecord(mode, "seed", scale, [0], "done", None, wall_s, 45.0, 45.0, True, 1.0, [task])


def test_a_bounded_log_keeps_the_latest_runs_their_numbers_and_the_baseline() -> None:
    log = ResultsLog(keep=3)
    log.add(logged("sequential", 4.0))
    log.add(logged("sequential", 9.0, scale=0.5))
    for _ in range(4):
        log.add(logged("parallel", 2.0))
    assert len(log.runs) == 3 and log.dropped == 3
    # Both sequential runs are gone from the log, yet still the baseline of their workload.
    assert [r.speedup for r in log.runs] == [2.0, 2.0, 2.0]
    assert log.add(logged("parallel", 3.0, scale=0.5)).speedup == 3.0
    assert [n for n, _ in log.numbered()] == [5, 6, 7]
    assert [n for n, _ in log.numbered(after=6)] == [7]
    assert log.numbered(after=7) == []


def test_forgotten_runs_keep_their_numbers_and_their_baseline() -> None:
    log = ResultsLog()
    for mode in ("sequential", "parallel", "sequential", "parallel"):
        log.add(logged(mode, 4.0 if mode == "sequential" else 2.0))
    log.forget_after(2)
    assert [(n, r.mode) for n, r in log.numbered()] == [(1, "sequential"), (2, "parallel")]
    added = log.add(logged("parallel", 1.0))
    assert log.numbered(after=2) == [(5, added)]  # a number is never given twice
    assert added.speedup == 4.0  # the forgotten sequential run is still the baseline


def test_an_unbounded_log_keeps_every_run_and_clear_forgets_baselines() -> None:
    log = ResultsLog()
    log.add(logged("sequential", 4.0))
    for _ in range(2000):
        log.add(logged("parallel", 2.0))
    assert len(log.runs) == 2001 and log.runs[-1].speedup == 2.0
    log.clear()
    assert log.runs == [] and log.all_ok and log.numbered() == []
    assert log.add(logged("parallel", 2.0)).speedup is None


def test_w_cycles_the_builtins_then_a_function_of_yours(machine: Machine) -> None:
    mine = UserFunction("mine.py:f", "f", 10, path="/nowhere/mine.py")
    session = Session(machine, machine.usable_cores, "seed", TINY)
    assert session.use(mine) is session.workload is mine
    assert [session.next_workload().name for _ in range(4)] == ["seed", "io", "hash", "mine.py:f"]
    plain = Session(machine, machine.usable_cores, "seed", TINY)
    assert [plain.next_workload().name for _ in range(3)] == ["io", "hash", "seed"]


def test_a_speedup_is_against_a_sequential_run_of_the_same_workload(session: Session) -> None:
    session.start("sequential")
    finish(session)
    session.next_workload()  # io
    session.start("parallel")
    io_parallel = finish(session)
    assert io_parallel.workload == "io" and io_parallel.ok
    assert io_parallel.speedup is None  # the seed's sequential run is no baseline for io
    session.start("sequential")
    finish(session)
    session.start("threads")
    io_threads = finish(session)
    assert io_threads.speedup is not None


def test_the_charts_compare_runs_of_the_same_shape_and_scale_only(session: Session) -> None:
    session.start("sequential").wait(timeout=60)
    session.poll()
    assert [run.mode for run in session.comparable()] == ["sequential"]
    session.set_scale(TINY * 2)  # a fresh comparison; the log keeps the first run
    assert session.comparable() == [] and len(session.log.runs) == 1
    session.start("parallel").wait(timeout=60)
    session.poll()
    assert [(run.mode, run.scale) for run in session.comparable()] == [("parallel", TINY * 2)]
    session.next_shape()
    assert session.comparable() == []
    session.next_shape()
    session.set_scale(TINY)
    assert [run.mode for run in session.comparable()] == ["sequential"]
