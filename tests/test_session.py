"""The rules both front ends share: one live run, no restart of the same run, a log."""

from __future__ import annotations

import pytest
from helpers import TINY, alive

from coremeter.cores import Machine
from coremeter.results import ResultsLog, RunRecord
from coremeter.session import Session


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
    second = session.start("sequential")
    assert second is not first and second.running
    assert first.state == "cancelled" and alive(pids) == []
    assert [r.state for r in session.log.runs] == ["cancelled"]
    assert "sequential was started" in session.log.runs[0].reason


def test_toggle_alternates_and_speedup_compares_with_sequential(session: Session) -> None:
    session.toggle()  # the first toggle from sequential runs parallel
    assert session.mode == "parallel"
    parallel = finish(session)
    assert parallel.ok and parallel.speedup is None  # nothing to compare with yet
    session.toggle()
    sequential = finish(session)
    assert sequential.mode == "sequential" and sequential.speedup == 1.0
    session.toggle()
    again = finish(session)
    assert again.speedup == pytest.approx(sequential.wall_s / again.wall_s)
    assert again.efficiency == pytest.approx(again.speedup / again.bound)


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


def test_close_leaves_no_worker(session: Session) -> None:
    session.set_scale(5.0)
    pids = session.start("threads").pids
    session.close()
    assert alive(pids) == []


def test_log_clear() -> None:
    log = ResultsLog()
    log.runs.append(None)  # type: ignore[arg-type]
    log.clear()
    assert log.runs == [] and log.all_ok
