"""Where the time went: the factors multiply back to the speedup, the bounds are honest
(the GIL, the article's in-order Pool), and repeated runs are summed up."""

from __future__ import annotations

import math
import sys
import sysconfig
from dataclasses import replace

import pytest

from coremeter import cores
from coremeter.cores import Machine
from coremeter.factors import Factors, critical_speed
from coremeter.report import factors_text, machine_line
from coremeter.results import ResultsLog, RunRecord, TaskRecord, summarise
from coremeter.schedule import in_order, longest_first, makespan
from coremeter.spec import RunSpec
from coremeter.workload import Task

SEED = [Task(0, 1), Task(1, 2), Task(2, 3)]


def task(id: int, size: int, core: int | None, start: float, end: float) -> TaskRecord:
    return TaskRecord(id, size, core, size, start, end, float(size))


def record(
    mode: str, wall: float, bound: float, cores: list[int], tasks: list[TaskRecord], lanes: list
) -> RunRecord:
    """A finished run as the runner makes it: ``lanes`` groups the tasks that ran one
    after another (the runner's concurrent lanes)."""
    by_id = {t.id: t for t in tasks}
    return RunRecord(
        mode,
        "seed",
        0.2,
        cores,
        "done",
        None,
        wall,
        6.0,
        6.0,
        True,
        bound,
        sorted(tasks, key=lambda t: t.id),
        critical_speed=critical_speed([[by_id[i] for i in lane] for lane in lanes]),
    )


def baseline_run() -> RunRecord:
    """A sequential run of 6 units: 6.0 s in its tasks, 6.1 s of wall (1 unit/s)."""
    return record(
        "sequential",
        6.1,
        1.0,
        [0],
        [task(0, 1, 0, 0.05, 1.05), task(1, 2, 0, 1.05, 3.05), task(2, 3, 0, 3.05, 6.05)],
        [[0, 1, 2]],
    )


def explained(run: RunRecord, baseline: RunRecord | None = None) -> Factors:
    """The run's factors against a baseline, checked to multiply back to its speedup."""
    log = ResultsLog()
    log.add(baseline or baseline_run())
    log.add(run)
    assert run.speedup is not None and run.factors is not None
    assert run.factors.product == pytest.approx(run.speedup, rel=1e-9)
    return run.factors


def test_the_factors_multiply_back_to_the_speedup_and_each_is_what_it_says() -> None:
    # Longest first on two cores: cpu0 runs the 3-unit task in 3.3 s (its core ran at
    # 3/3.3 of the sequential run's speed), cpu1 runs 2+1 in 3.0 s; the wall is 3.4 s.
    parallel = record(
        "parallel",
        3.4,
        2.0,
        [0, 1],
        [task(2, 3, 0, 0.04, 3.34), task(1, 2, 1, 0.04, 2.04), task(0, 1, 1, 2.04, 3.04)],
        [[2], [1, 0]],
    )
    f = explained(parallel)
    assert parallel.speedup == pytest.approx(6.1 / 3.4)
    assert f.cores == 2 and f.balance == 1.0
    # The lane that ended last (cpu0) ran 3 units in 3.3 s; the baseline 6 in 6.0 s.
    assert f.core_speed == pytest.approx((3 / 3.3) / (6 / 6.0))
    # Overhead: the share of the wall in that lane's tasks, against the baseline's share.
    assert f.overhead == pytest.approx((3.3 / 3.4) / (6.0 / 6.1))
    assert factors_text(parallel.speedup, f) == (
        "1.79x = 2 cores × 100% balance × 91% core speed × 98.7% overhead"
    )


def test_a_faster_run_than_the_bound_is_explained_by_core_speed() -> None:
    # The baseline ran in a slow spell (0.8 units/s); the parallel run's cores at 1.
    slow = record(
        "sequential",
        7.6,
        1.0,
        [0],
        [task(0, 3, 0, 0.05, 3.8), task(1, 3, 0, 3.8, 7.55)],
        [[0, 1]],
    )
    fast = record(
        "parallel",
        3.05,
        2.0,
        [0, 1],
        [task(0, 3, 0, 0.03, 3.03), task(1, 3, 1, 0.03, 3.02)],
        [[0], [1]],
    )
    f = explained(fast, slow)
    assert fast.efficiency is not None and fast.efficiency > 1.2
    assert f.core_speed == pytest.approx(1.25) and f.overhead < 1.0


def test_a_light_lane_that_ends_last_sets_the_core_speed_not_the_overhead() -> None:
    # In order on two cores: cpu0 has 1+3 units, cpu1 only 2, but cpu1 was so slowed
    # (0.4 units/s) that it ended last. The run's pace was set by it: core speed 4 units
    # (the makespan) in its 5 s, the overhead stays what the run lost outside its tasks.
    run = record(
        "parallel",
        5.1,
        1.5,
        [0, 1],
        [task(0, 1, 0, 0.05, 1.05), task(2, 3, 0, 1.05, 4.05), task(1, 2, 1, 0.05, 5.05)],
        [[0, 2], [1]],
    )
    f = explained(run)
    assert f.balance == 0.75 and f.core_speed == pytest.approx(4 / 5.0)
    assert f.overhead == pytest.approx((5.0 / 5.1) / (6.0 / 6.1))


def test_threads_taking_turns_are_one_lane_and_their_time_is_the_union() -> None:
    # Under the GIL both threads run from 0 to 6 s, each at half speed: one lane of 6
    # units in 6 s, so the core speed is the baseline's and the bound alone says 1.0.
    threads = record(
        "threads",
        6.1,
        1.0,
        [0, 1],
        [task(2, 3, 0, 0.05, 6.0), task(1, 2, 1, 0.05, 4.05), task(0, 1, 1, 4.05, 6.05)],
        [[2, 1, 0]],
    )
    f = explained(threads)
    assert (f.cores, f.balance) == (2, 0.5) and f.core_speed == pytest.approx(1.0)


def test_a_sequential_run_is_its_own_baseline_and_factors_are_one() -> None:
    log = ResultsLog()
    baseline = log.add(baseline_run())
    assert baseline.speedup == 1.0 and baseline.factors is not None
    assert (baseline.factors.cores, baseline.factors.balance) == (1, 1.0)
    assert baseline.factors.core_speed == 1.0 and baseline.factors.overhead == 1.0


def test_no_factors_without_a_baseline_or_an_end() -> None:
    lone = record("parallel", 3.0, 2.0, [0, 1], [task(0, 6, 0, 0.0, 3.0)], [[0]])
    ResultsLog().add(lone)
    assert lone.speedup is None and lone.factors is None
    unfinished = [TaskRecord(0, 6, 0, 3, 0.0, None, None)]
    assert critical_speed([unfinished]) is None


# -- the article's in-order Pool ------------------------------------------------------


@pytest.mark.parametrize(
    ("lanes", "in_order_span", "longest_first_span"), [(1, 6, 6), (2, 4, 3), (3, 3, 3), (4, 3, 3)]
)
def test_in_order_makespans_against_longest_first(
    lanes: int, in_order_span: int, longest_first_span: int
) -> None:
    assert makespan(in_order(SEED, lanes)) == in_order_span
    assert makespan(longest_first(SEED, lanes)) == longest_first_span


def test_the_article_pool_on_two_cores_runs_one_and_three_on_the_first() -> None:
    spec = RunSpec.build("parallel", "seed", 0.2, [0, 1], schedule="in-order")
    assert [(core, [t.id for t in tasks]) for core, tasks in spec.lanes()] == [
        (0, [0, 2]),
        (1, [1]),
    ]
    assert spec.bound == 1.5
    assert RunSpec.build("parallel", "seed", 0.2, [0, 1]).bound == 2.0
    # Equal tasks leave nothing to order: both schedules reach the core count.
    for schedule in ("in-order", "longest-first"):
        balanced = RunSpec.build("parallel", "balanced", 0.2, [0, 1, 2], schedule=schedule)
        assert balanced.bound == 3.0


# -- honest bounds for threads -------------------------------------------------------


def test_threads_under_the_gil_are_bound_to_one_core() -> None:
    for shape in ("seed", "balanced"):
        spec = replace(RunSpec.build("threads", shape, 0.2, [0, 1, 2, 3]), gil=True)
        assert spec.bound == 1.0
        assert replace(spec, mode="parallel").bound > 1.5


@pytest.fixture
def free_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """This interpreter as a free-threaded build with the GIL off would report itself."""
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: False, raising=False)


def test_a_free_threaded_build_bounds_threads_like_processes(
    free_threaded: None, machine: Machine
) -> None:
    assert cores.gil_enabled() is False
    detected = Machine.detect()
    assert detected.gil is False and "(GIL off)" in machine_line(detected, [0])
    # A spec asks the interpreter, and a session its machine: threads now reach the
    # schedule's bound.
    assert RunSpec.build("threads", "balanced", 0.2, [0, 1, 2, 3]).bound == 4.0
    assert RunSpec.build("threads", "seed", 0.2, [0, 1]).bound == 2.0
    assert RunSpec.build("threads", "seed", 0.2, [0, 1], schedule="in-order").bound == 1.5
    # The machine the session was given (detected with the GIL on) decides for its runs.
    assert RunSpec.build("threads", "seed", 0.2, [0, 1]).for_machine(machine).bound == 1.0


@pytest.mark.parametrize(("config", "gil"), [(None, True), (0, True), (1, False), ("1", False)])
def test_without_is_gil_enabled_the_build_decides(
    monkeypatch: pytest.MonkeyPatch, config: object, gil: bool
) -> None:
    """Before 3.13 there is no sys._is_gil_enabled: Py_GIL_DISABLED is None there, 0 on a
    normal build, 1 on a free-threaded one. Only its truth counts."""
    monkeypatch.delattr(sys, "_is_gil_enabled", raising=False)
    real = sysconfig.get_config_var
    monkeypatch.setattr(
        sysconfig,
        "get_config_var",
        lambda name: config if name == "Py_GIL_DISABLED" else real(name),
    )
    assert cores.gil_enabled() is gil


# -- noise: repeated runs summed up ----------------------------------------------------


def test_the_summary_per_mode_takes_medians_of_the_ok_runs_only() -> None:
    log = ResultsLog()
    walls = {"sequential": [6.0, 8.4, 6.4], "parallel": [3.9, 3.1, 3.3]}
    for seq, par in zip(walls["sequential"], walls["parallel"], strict=True):
        log.add(replace(baseline_run(), wall_s=seq))
        log.add(replace(baseline_run(), mode="parallel", wall_s=par, bound=2.0))
    log.add(replace(baseline_run(), mode="parallel", wall_s=0.5, state="cancelled", ok=False))
    seq, parallel = summarise(log.runs)
    assert (seq.mode, seq.runs, seq.median_wall_s) == ("sequential", 3, 6.4)
    assert (seq.min_wall_s, seq.max_wall_s) == (6.0, 8.4)
    assert seq.spread == pytest.approx(2.4 / 6.4)
    assert seq.median_speedup == 1.0
    assert (parallel.runs, parallel.median_wall_s) == (3, 3.3)
    # Each parallel run is compared with the sequential run just before it.
    assert parallel.median_speedup == pytest.approx(sorted([6 / 3.9, 8.4 / 3.1, 6.4 / 3.3])[1])
    assert set(parallel.to_json()) >= {
        "mode",
        "runs",
        "median_wall_s",
        "min_wall_s",
        "max_wall_s",
        "median_speedup",
    }


def test_a_mode_without_a_baseline_has_no_median_speedup() -> None:
    (threads,) = summarise([replace(baseline_run(), mode="threads", speedup=None)])
    assert threads.median_speedup is None and threads.to_json()["median_speedup"] is None
    assert not math.isnan(threads.spread)
