"""A run's frames redraw rows: the screen is laid out as the run starts, not again while
it runs. Each layout redraws the whole screen, the CPU of several frames."""

from __future__ import annotations

from fakes import FakeClock, FrozenRun, fake_sampler
from fakes import machine as fake_machine
from helpers import drive, until
from textual.pilot import Pilot

from coremeter.options import DashboardOptions
from coremeter.tui.app import create_app
from coremeter.tui.widgets.charts import Timeline
from coremeter.tui.widgets.meters import CoreMeters


async def settle(pilot: Pilot, layouts: list[object]) -> int:
    """The layouts so far, once 0.15 s (several screen updates) pass without one: a
    run's start lays out a screen update apart, as the fitter answers each layout."""
    quiet = 0
    while quiet < 3:
        before = len(layouts)
        await pilot.pause(0.05)
        quiet = quiet + 1 if len(layouts) == before else 0
    return len(layouts)


def test_a_run_lays_the_screen_out_as_it_starts_and_not_while_its_tasks_start() -> None:
    box = fake_machine()
    clock = FakeClock()
    app = create_app(box, box.usable_cores, DashboardOptions(scale=0.2),
                     sampler=fake_sampler([97.0, 99.0]), clock=lambda run: clock.now)  # fmt: skip
    layouts: list[object] = []

    async def script(pilot: Pilot) -> None:
        timeline, meters = app.query_one(Timeline), app.query_one(CoreMeters)
        app.screen.screen_layout_refresh_signal.subscribe(app, layouts.append)
        # The seed in parallel, longest first: task 2 on one core; tasks 1 and 0 wait.
        spec = app.session.spec("parallel")
        run = FrozenRun(spec, {2: (0.0, 0.0, None)})
        app.session.run = run
        await until(
            pilot,
            lambda: (
                timeline.natural_rows(timeline.size.width)[1] > 0
                and timeline.laid_out
                and meters.laid_out
            ),
        )
        settled = await settle(pilot, layouts)
        for frame in range(1, 21):
            clock.now = 0.2 * frame
            run.counts[2] = frame * spec.tasks[2].size // 40
            if frame == 5:  # the second core's task starts
                run.starts[1] = clock.now
            run.counts[1] = max(0, frame - 5) * spec.tasks[1].size // 40
            app.tick()
            await pilot.pause()
        assert "task 1" in app.query_one("#tasks").render_line(1).text
        assert len(layouts) == settled
        # A row for each core a task will run on, from the first frame.
        assert timeline.natural_rows(timeline.size.width)[1] == len({t.core for t in run.tasks()})

    drive(app, script)


def test_a_cancel_reaches_the_live_timeline_at_once() -> None:
    """escape drew the cancel itself, the tick then saw no news, and the timeline went on
    saying "running" beside the cancelled run until the next run."""
    box = fake_machine()
    clock = FakeClock()
    app = create_app(box, box.usable_cores, DashboardOptions(scale=0.2),
                     sampler=fake_sampler([97.0, 99.0]), clock=lambda run: clock.now)  # fmt: skip

    def header() -> str:
        timeline = app.query_one(Timeline)
        return timeline.render_line(0).text

    async def script(pilot: Pilot) -> None:
        spec = app.session.spec("parallel")
        clock.now = 2.0
        run = FrozenRun(spec, {2: (0.5, 0.0, None), 1: (0.5, 0.0, None)})
        run.started_at = -2.0  # its cancel (at 0.0) comes 2 s in: past a slip, so logged
        app.session.run = run
        await until(pilot, lambda: "running · 2.0 s" in header())
        await pilot.press("escape")
        await until(pilot, lambda: "running" not in header())
        assert "cancelled at 2.00 s" in header()

    drive(app, script)


def test_a_hidden_widget_whose_rows_change_asks_for_one_layout_not_one_a_frame() -> None:
    """In the charts view of a small terminal the task bars are hidden, and a hidden
    widget is never laid out: asking again at every frame laid the screen out 5 times
    a second."""
    box = fake_machine()
    clock = FakeClock()
    app = create_app(box, box.usable_cores, DashboardOptions(scale=0.2),
                     sampler=fake_sampler([97.0, 99.0]), clock=lambda run: clock.now)  # fmt: skip
    layouts: list[object] = []

    async def script(pilot: Pilot) -> None:
        await pilot.press("v")
        await until(pilot, lambda: not app.query_one("#tasks").display)
        app.screen.screen_layout_refresh_signal.subscribe(app, layouts.append)
        spec = app.session.spec("parallel")
        run = FrozenRun(spec, {2: (0.0, 0.0, None), 1: (0.0, 0.0, None)})
        app.session.run = run
        await until(pilot, lambda: app.query_one(Timeline).natural_rows(80)[0] > 1)
        started = await settle(pilot, layouts)
        for frame in range(1, 21):
            clock.now = 0.2 * frame
            run.counts[2] = frame * spec.tasks[2].size // 40
            app.tick()
            await pilot.pause()
        assert len(layouts) == started

    drive(app, script, size=(80, 24))
