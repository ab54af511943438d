"""What the dashboard looks like at 80x24, 120x35 and 200x60, frozen so it can be compared.

The two things that change by themselves are injected: the sampler reads fixed
percents (alpha 1, no history appended while the snapshot is taken) and the clock
is a constant. A mid-run screen comes from a real Run whose shared counters are
set by hand and whose workers are never started.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import FrozenRun, ended, fake_sampler, machine, settle
from textual.pilot import Pilot

from coremeter.options import DashboardOptions
from coremeter.results import ResultsLog
from coremeter.tui.app import Dashboard, create_app, elapsed
from coremeter.tui.themes import PROJECTOR, PROJECTOR_LIGHT

SMALL = (80, 24)
LARGE = (120, 35)
HUGE = (200, 60)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE, HUGE], ids=["80x24", "120x35", "200x60"])


def dashboard(
    percents: list[float],
    seconds: float | None = 0.0,
    theme: str | None = None,
    others: list[float] | None = None,
    **machine_args,
) -> Dashboard:
    """``seconds``: what the frozen clock reads; None: each run's own time (an ended
    FrozenRun's is its wall time). ``others``: the part of each core's percent that is
    another program's."""
    box = machine(**machine_args)
    sampler = fake_sampler(percents, others)
    return create_app(
        box,
        box.usable_cores,
        DashboardOptions(scale=0.2, theme=theme),
        sampler=sampler,
        clock=elapsed if seconds is None else lambda run: seconds,
    )


def mid_parallel_run(app: Dashboard) -> FrozenRun:
    spec = app.session.spec("parallel")
    return FrozenRun(spec, {1: (0.62, 0.02, None), 2: (0.41, 0.01, None)})


async def show_mid_run(pilot: Pilot) -> None:
    app = pilot.app
    app.session.mode = "parallel"
    app.session.run = mid_parallel_run(app)
    await settle(pilot)


async def show_results(pilot: Pilot) -> None:
    """Three good runs, then a parallel run whose worker was killed."""
    app = pilot.app
    log: ResultsLog = app.session.log
    for mode, wall_s in (("sequential", 7.43), ("parallel", 3.81), ("threads", 7.96)):
        log.add(ended(app.session.spec(mode), wall_s))
    app.session.mode = "parallel"
    reason = "worker on cpu1 (pid 4102) was killed by SIGKILL"
    app.session.run = mid_parallel_run(app).fail(reason, at=1.27)
    await settle(pilot)


@SIZES
def test_idle(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard([3.0, 12.0]), terminal_size=size, run_before=settle)


@SIZES
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
    assert snap_compare(app, terminal_size=LARGE, run_before=settle)


def timed_run(app: Dashboard, mode: str, unit_s: float) -> FrozenRun:
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
    return run


async def show_comparison(pilot: Pilot) -> None:
    """What the demo ends on: a sequential and a parallel run of the seed's 1:2:3 work."""
    log: ResultsLog = pilot.app.session.log
    for mode in ("sequential", "parallel"):
        log.add(timed_run(pilot.app, mode, unit_s=1.24).record())
    # The fake sampler never asks for an idle draw: the table takes the rows now.
    pilot.app.draw()
    await pilot.pause(0.3)


@SIZES
def test_charts_view(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([4.0, 9.0])
    assert snap_compare(app, terminal_size=size, run_before=show_comparison, press=["v"])


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x35"])
def test_projector_theme(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([100.0, 60.0], seconds=1.27, theme=PROJECTOR.name)
    assert snap_compare(app, terminal_size=size, run_before=show_results)


# A unit of the seed's work, in seconds, for each mode: threads under the GIL take
# turns, so each of their lanes runs at half speed.
UNIT_S = {"sequential": 1.24, "parallel": 1.27, "threads": 2.65}


def after(*modes: str):
    """The screen once ``modes`` have run one after another, the last one still shown."""

    async def show(pilot: Pilot) -> None:
        app = pilot.app
        for mode in modes[:-1]:
            app.session.log.add(timed_run(app, mode, UNIT_S[mode]).record())
        # The last run ended, to be logged by the session: the next tick draws it.
        app.session.mode = modes[-1]
        app.session.run = timed_run(app, modes[-1], UNIT_S[modes[-1]])
        await settle(pilot)

    return show


@SIZES
@pytest.mark.parametrize(
    "modes",
    [("sequential",), ("sequential", "parallel"), ("sequential", "parallel", "threads")],
    ids=["sequential", "parallel", "threads"],
)
def test_after_a_run(snap_compare, size: tuple[int, int], modes: tuple[str, ...]) -> None:
    """The caption says what the last run gained, the timeline compares the runs."""
    app = dashboard([3.0, 12.0], seconds=None)
    assert snap_compare(app, terminal_size=size, run_before=after(*modes))


@SIZES
def test_threads_run_midway(snap_compare, size: tuple[int, int]) -> None:
    """Two threads, each core about half busy: the gauge reads one core's worth."""

    async def show(pilot: Pilot) -> None:
        app = pilot.app
        app.session.mode = "threads"
        spec = app.session.spec("threads")
        app.session.run = FrozenRun(spec, {1: (0.31, 0.02, None), 2: (0.2, 0.01, None)})
        await settle(pilot)

    assert snap_compare(dashboard([52.0, 48.0], seconds=2.5), terminal_size=size, run_before=show)


async def show_mid_sequential(pilot: Pilot) -> None:
    app = pilot.app
    app.session.run = FrozenRun(app.session.spec("sequential"), {0: (0.4, 0.01, None)})
    await settle(pilot)


@pytest.mark.parametrize(
    ("size", "theme"),
    [(SMALL, None), (LARGE, PROJECTOR_LIGHT.name), (HUGE, PROJECTOR.name)],
    ids=["80x24", "120x35-light", "200x60-projector"],
)
def test_another_program_beside_a_sequential_run(
    snap_compare, size: tuple[int, int], theme: str | None
) -> None:
    """A program spinning on cpu1: its load is drawn and said apart from the run's."""
    app = dashboard([100.0, 95.0], seconds=2.5, theme=theme, others=[0.0, 92.0])
    assert snap_compare(app, terminal_size=size, run_before=show_mid_sequential)


async def show_measured_threads(pilot: Pilot) -> None:
    """The charts after s, p and t, the threads run's lanes measured: each thread had
    about half a core, and one a mere sliver at its start."""
    app = pilot.app
    for mode in ("sequential", "parallel"):
        app.session.log.add(timed_run(app, mode, UNIT_S[mode]).record())
    threads = timed_run(app, "threads", UNIT_S["threads"]).record()
    tasks = []
    for task in threads.tasks:
        start, end = task.start_s or 0.0, task.end_s or 0.0
        sliver = ((start, start + 0.6, 0.05),) if task.id == 0 else ()
        tasks.append(replace(task, cpu=(*sliver, (start + 0.6 * bool(sliver), end, 0.5))))
    app.session.log.add(replace(threads, tasks=tasks))
    app.draw()
    await settle(pilot)


@pytest.mark.parametrize("size", [LARGE, HUGE], ids=["120x35", "200x60"])
def test_threads_lanes_drawn_as_heights(snap_compare, size: tuple[int, int]) -> None:
    app = dashboard([4.0, 9.0])
    assert snap_compare(app, terminal_size=size, run_before=show_measured_threads, press=["v"])
