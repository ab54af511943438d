"""What the dashboard looks like at 80x24 and 120x35, frozen so it can be compared.

The two things that change by themselves are injected: the sampler reads fixed
percents (alpha 1, no history appended while the snapshot is taken) and the clock
is a constant. A mid-run screen comes from a real Run whose shared counters are
set by hand and whose workers are never started.
"""

from __future__ import annotations

import pytest
from fakes import FrozenRun, fake_sampler, machine
from textual.pilot import Pilot

from coremeter.options import DashboardOptions
from coremeter.results import ResultsLog, RunRecord
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.themes import PROJECTOR

SMALL = (80, 24)
LARGE = (120, 35)


def dashboard(
    percents: list[float], seconds: float = 0.0, theme: str | None = None, **machine_args
) -> Dashboard:
    box = machine(**machine_args)
    sampler = fake_sampler(percents)
    return create_app(
        box,
        box.usable_cores,
        DashboardOptions(scale=0.2, theme=theme),
        sampler=sampler,
        clock=lambda run: seconds,
    )


def mid_parallel_run(app: Dashboard) -> FrozenRun:
    spec = app.session.spec("parallel")
    return FrozenRun(spec, {1: (0.62, 0.02, None), 2: (0.41, 0.01, None)})


async def show_mid_run(pilot: Pilot) -> None:
    app = pilot.app
    app.session.mode = "parallel"
    app.session.run = mid_parallel_run(app)
    await pilot.pause(0.3)


def record(app: Dashboard, mode: str, wall_s: float) -> RunRecord:
    spec = app.session.spec(mode)
    run = FrozenRun(spec, {t.id: (1.0, 0.0, wall_s) for t in spec.tasks})
    run.state, run.stopped_at = "done", wall_s
    for task in spec.tasks:
        run.results[task.id] = (task.size - 1) * task.size / 2
    return run.record()


async def show_results(pilot: Pilot) -> None:
    """Three good runs, then a parallel run whose worker was killed."""
    app = pilot.app
    log: ResultsLog = app.session.log
    for mode, wall_s in (("sequential", 7.43), ("parallel", 3.81), ("threads", 7.96)):
        log.add(record(app, mode, wall_s))
    app.session.mode = "parallel"
    reason = "worker on cpu1 (pid 4102) was killed by SIGKILL"
    app.session.run = mid_parallel_run(app).fail(reason, at=1.27)
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x35"])
def test_idle(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard([3.0, 12.0]), terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x35"])
def test_parallel_run_midway(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([100.0, 100.0], seconds=2.5)
    assert snap_compare(app, terminal_size=size, run_before=show_mid_run)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x35"])
def test_results_and_a_failed_run(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([4.0, 9.0], seconds=1.27)
    assert snap_compare(app, terminal_size=size, run_before=show_results)


def test_help(snap_compare) -> None:
    assert snap_compare(dashboard([0.0, 0.0]), terminal_size=SMALL, press=["question_mark"])


def test_sixteen_cores_under_a_quota(snap_compare) -> None:
    percents = [float((37 * core) % 101) for core in range(16)]
    app = dashboard(percents, cores=16, quota=4.0)
    assert snap_compare(app, terminal_size=LARGE)


def timed_record(app: Dashboard, mode: str, unit_s: float) -> RunRecord:
    """A finished run whose lanes each work through their tasks one after another, a
    unit of work (the smallest task) taking ``unit_s``: the timeline's real shape."""
    spec = app.session.spec(mode)
    unit = min(task.size for task in spec.tasks)
    progress, wall_s = {}, 0.0
    for _, lane in spec.lanes():
        clock = 0.01
        for task in lane:
            progress[task.id] = (1.0, clock, clock + task.size / unit * unit_s)
            clock = progress[task.id][2]
        wall_s = max(wall_s, clock + 0.02)
    run = FrozenRun(spec, progress)
    run.state, run.stopped_at = "done", wall_s
    for task in spec.tasks:
        run.results[task.id] = (task.size - 1) * task.size / 2
    return run.record()


async def show_comparison(pilot: Pilot) -> None:
    """What the demo ends on: a sequential and a parallel run of the seed's 1:2:3 work."""
    log: ResultsLog = pilot.app.session.log
    for mode in ("sequential", "parallel"):
        log.add(timed_record(pilot.app, mode, unit_s=1.24))
    # The fake sampler never asks for an idle draw: the table takes the rows now.
    pilot.app.draw()
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x35"])
def test_charts_view(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([4.0, 9.0])
    assert snap_compare(app, terminal_size=size, run_before=show_comparison, press=["v"])


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x35"])
def test_projector_theme(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([100.0, 60.0], seconds=1.27, theme=PROJECTOR.name)
    assert snap_compare(app, terminal_size=size, run_before=show_results)
