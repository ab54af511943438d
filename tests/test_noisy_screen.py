"""What the screen says about a speedup that cannot be trusted, against a scripted noisy
baseline: runs whose tasks say when they ran (a sequential run that met a slow spell,
at half its speed), ended through the session as a real run ends. The caption, the run
panel and the results table each say "not comparable" and why, in words; the caption
draws no lesson from the figure; ``r`` leaves nothing that speaks of the cleared runs."""

from __future__ import annotations

from fakes import FrozenRun, fake_sampler, machine
from helpers import TINY, drive, until
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widget import Widget

from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.tui.app import Dashboard, create_app, elapsed
from coremeter.tui.caption import IDLE_CAPTION
from coremeter.tui.layout.speedup import SPEEDUP_HINT
from coremeter.tui.widgets.caption import Caption
from coremeter.tui.widgets.charts import SpeedupChart, Timeline
from coremeter.tui.widgets.results_table import ResultsTable
from coremeter.tui.widgets.run_panel import BigTimer, RunPanel
from coremeter.tui.widgets.tasks import TaskBars
from coremeter.userfunc import parse_spec

SLOW_SPELL = "the cores ran at 200% of the baseline's speed: the baseline met a slow spell"


def dashboard() -> Dashboard:
    box = machine()
    options = DashboardOptions(scale=0.2)
    return create_app(box, box.usable_cores, options, fake_sampler([20.0, 20.0]), elapsed)


def ended(app: Dashboard, mode: str, unit_s: float) -> FrozenRun:
    """A finished run of ``mode`` in which each core did a unit of work in ``unit_s``:
    sequential runs its tasks one after another, the others at once, over as long as
    their lanes take (threads under the GIL are one lane: one thread at a time)."""
    spec = app.session.spec(mode)  # type: ignore[arg-type]
    progress, at = {}, 0.0
    unit = min(t.size for t in spec.tasks)
    lane_s = sum(t.size for t in spec.tasks) / unit * unit_s / len(spec.concurrent_lanes())
    for task in spec.tasks:
        units = task.size / unit
        if mode == "sequential":
            progress[task.id] = (1.0, at, at + units * unit_s)
            at += units * unit_s
        else:
            progress[task.id] = (1.0, 0.0, lane_s)
    run = FrozenRun(spec, progress)
    run.state = "done"
    run.stopped_at = max(end for *_, end in progress.values()) + 0.1
    for task in spec.tasks:
        run.results[task.id] = (task.size - 1) * task.size / 2
    return run


async def end(pilot: Pilot, run: FrozenRun) -> None:
    """Hand the run to the session, which logs it at its next poll, as a real run's end."""
    app = pilot.app
    assert isinstance(app, Dashboard)
    logged = app.session.log.last
    app.session.run = run
    await until(pilot, lambda: app.session.log.last == logged + 1)
    await pilot.pause(0.2)


def chart_text(widget: Widget) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def caption(app: Dashboard) -> str:
    return app.query_one(Caption).text


def panel(app: Dashboard) -> str:
    """The panel's words, read as words however its lines wrap."""
    return " ".join(str(app.query_one(RunPanel).query_one("#status").render()).split())


def table(app: Dashboard) -> list[list[str]]:
    results = app.query_one(ResultsTable)
    return [
        [
            str(results.get_cell_at(Coordinate(row, column)))
            for column in range(len(results.columns))
        ]
        for row in range(results.row_count)
    ]


def column(app: Dashboard, name: str) -> list[str]:
    """A column by its name: a narrow table drops some (ResultsTable's docstring)."""
    results = app.query_one(ResultsTable)
    index = results.get_column_index(name)
    return [str(results.get_cell_at(Coordinate(row, index))) for row in range(results.row_count)]


def test_a_baseline_at_half_speed_is_called_not_comparable_on_screen() -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        await end(pilot, ended(app, "sequential", 2.0))  # a slow spell: 2 s a unit
        await end(pilot, ended(app, "threads", 1.0))  # threads at 1 s a unit
        said = caption(app)
        # Seen on a busy laptop: "2.01x ... the GIL ran one thread at a time".
        assert "not comparable: " + SLOW_SPELL in said and said.endswith("rerun s")
        assert "the GIL ran" not in said
        shown = panel(app)
        assert "not comparable: " + SLOW_SPELL in shown
        factors = app.session.log.runs[-1].factors
        assert factors is not None and factors.core_speed == 2.0
        assert f"what the parallelism gave: {factors.parallelism:.2f}x" in shown
        rows = table(app)
        header = ResultsTable.COLUMNS
        threads = dict(zip(header, rows[-1], strict=True))
        assert threads["comparable"] == "no: core speed 200%"
        assert (threads["workload"], threads["shape"]) == ("seed", "seed×0.2")
        assert dict(zip(header, rows[0], strict=True))["schedule"] == "-"
        assert threads["schedule"] == "longest-first"

    drive(app, script)


def test_a_speedup_past_the_core_count_is_never_stated_as_a_lesson() -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        await end(pilot, ended(app, "sequential", 2.0))
        await end(pilot, ended(app, "parallel", 1.0))
        record = app.session.log.runs[-1]
        assert record.speedup is not None and record.speedup > 2
        said = caption(app)
        assert f"{record.speedup:.2f}x sequential run 1" in said
        assert "is more than 2 cores can give" in said
        assert "not comparable" in panel(app)
        assert column(app, "comparable")[-1] == "no: core speed 200%, over 2 cores"

    drive(app, script)


def test_a_quiet_pair_says_which_run_it_is_measured_against() -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        await end(pilot, ended(app, "sequential", 1.0))
        await end(pilot, ended(app, "parallel", 1.0))
        assert "sequential run 1 (bound 2.00x)" in caption(app)
        assert "comparable with run 1" in panel(app)
        assert column(app, "comparable")[-1] == "yes, vs 1"

    drive(app, script)


def test_r_clears_the_caption_the_panel_and_the_task_bars_with_the_table() -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        await end(pilot, ended(app, "sequential", 2.0))
        await end(pilot, ended(app, "parallel", 1.0))
        await pilot.press("r")
        await pilot.pause(0.2)
        assert caption(app) == IDLE_CAPTION
        assert panel(app).startswith("idle · ")
        assert "comparable" not in panel(app) and "parallelism" not in panel(app)
        assert table(app) == []
        assert app.query_one(TaskBars).tasks == []
        assert app.query_one(RunPanel).query_one(BigTimer).value == "0.00"

    drive(app, script)


def test_escape_on_a_sequential_run_leaves_the_baseline_drawn() -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        app.show_view("charts")
        await end(pilot, ended(app, "sequential", 1.0))
        await end(pilot, ended(app, "parallel", 1.0))
        spec = app.session.spec("sequential")
        run = FrozenRun(spec, {0: (1.0, 0.0, 1.0), 1: (0.4, 1.0, None)})
        run.started_at = -2.0  # two seconds in: no slip, a run the log keeps
        app.session.run = run
        await pilot.pause(0.2)
        await pilot.press("escape")
        await until(pilot, lambda: app.session.log.last == 3)
        await pilot.pause(0.3)
        drawn = app.query_one(Timeline)._records
        assert [(r.number, r.state) for r in drawn] == [(1, "done"), (3, "cancelled"), (2, "done")]
        text = chart_text(app.query_one(Timeline))
        assert "run 2 against run 1" in text and "run 1 · seed×0.2" in text
        assert "vs run 1" in chart_text(app.query_one(SpeedupChart))

    drive(app, script)


def test_a_new_scale_starts_a_fresh_comparison() -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        app.show_view("charts")
        await end(pilot, ended(app, "sequential", 1.0))
        await end(pilot, ended(app, "parallel", 1.0))
        assert len(app.query_one(Timeline)._records) == 2
        await pilot.press("plus")
        await pilot.pause(0.2)
        assert app.query_one(Timeline)._records == ()
        assert SPEEDUP_HINT in chart_text(app.query_one(SpeedupChart))

    drive(app, script)


def test_the_timer_the_task_bars_and_the_timeline_read_one_time_a_frame() -> None:
    box = machine()
    ticks = iter(range(1, 10**6))
    # A clock that moves on at every reading, as a real one does between two calls.
    app = create_app(
        box, box.usable_cores, DashboardOptions(scale=0.2), fake_sampler([20.0, 20.0]),
        lambda run: next(ticks) * 0.37,
    )  # fmt: skip

    async def script(pilot: Pilot) -> None:
        app.show_view("charts")
        spec = app.session.spec("parallel")
        app.session.run = FrozenRun(spec, {1: (0.5, 0.0, None), 2: (0.4, 0.0, None)})
        await pilot.pause(0.3)
        timeline, bars = app.query_one(Timeline), app.query_one(TaskBars)
        timer = app.query_one(RunPanel).query_one(BigTimer)
        updates = 0
        for _ in range(40):
            drawn = timeline._records
            app.tick()
            running = [s for t, s in zip(bars.tasks, bars.seconds, strict=True) if not t.end_s]
            assert running and all(f"{s:.1f}" == timer.value for s in running if s is not None)
            if timeline._records != drawn:  # a frame that drew the charts
                updates += 1
                assert f"{timeline._records[-1].wall_s:.1f}" == timer.value
        assert updates >= 2

    drive(app, script)


def test_a_function_of_yours_shows_its_sum_in_the_table(machine: Machine, tmp_path) -> None:
    (tmp_path / "mine.py").write_text("def f(n):\n    return n * n\n")
    mine = parse_spec("mine.py:f", 10, cwd=str(tmp_path))
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY, workload=mine))

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")  # before any sequential run: nothing to check it against
        await until(pilot, lambda: len(column(app, "check")) == 1)
        assert column(app, "check") == ["ok, no sequential sum to check · sum 285"]
        await pilot.press("s")
        await until(pilot, lambda: len(column(app, "check")) == 2)
        assert column(app, "check")[1] == "ok · sum 285"
        assert (column(app, "workload")[1], column(app, "shape")[1]) == ("mine.py:f", "seed")

    drive(app, script)
