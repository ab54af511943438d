"""What keeps a talk's picture intact, driven through the keys: the demo autopilot
telling its story lap after lap (with runs the test ends), slips that leave no row,
``m`` that runs the baseline first, and the question before ``q`` loses the results."""

from __future__ import annotations

import os
import re
import signal

import pytest
from fakes import ScriptedRun, quiet_load
from helpers import TINY, drive, running_pids, toasts, until, wait_gone
from textual.coordinate import Coordinate
from textual.pilot import Pilot

from coremeter import session
from coremeter.cores import Machine
from coremeter.options import DashboardOptions, DemoPauses
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.widgets.results_table import ResultsTable
from coremeter.tui.widgets.screens import QuitScreen

# Runs long enough to be cancelled by hand (tens of seconds), never left to finish.
LONG = 0.5


def screen_text(app: Dashboard) -> str:
    """The screen as a person reads it: the SVG screenshot's text."""
    return re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")


def table(app: Dashboard) -> list[tuple[str, str]]:
    """The results table's rows: number and mode."""
    results = app.query_one(ResultsTable)
    cell = results.get_cell_at
    rows = range(results.row_count)
    return [(str(cell(Coordinate(r, 0))), str(cell(Coordinate(r, 1)))) for r in rows]


# The demo's runs in the app, each until the test ends it: what the room is told of
# each, and the table's laps, are the point here; real runs are tested below and in
# test_app, the story's timing in test_demo.
WALLS = {"sequential": 6.0, "parallel": 3.0, "threads": 6.0}


async def finish_when_running(pilot: Pilot, app: Dashboard, mode: str) -> None:
    """End the demo's run of ``mode`` once it has started."""
    await until(pilot, lambda: app.session.run.running and app.session.run.spec.mode == mode)
    app.session.run.finish(WALLS[mode])


def test_the_demo_tells_its_story_with_a_caption_each_step(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "local_run", ScriptedRun)
    # A run's step lasts as long as the run, which the test ends; the summary until a key.
    pauses = DemoPauses(after_run=0.05, comparison=3600.0)
    options = DashboardOptions(scale=TINY, demo=True, demo_pauses=pauses)
    app = create_app(machine, machine.usable_cores, options)
    app.session.load = quiet_load(machine.usable_cores)

    def stage() -> str:
        return app.presenter.step.stage if app.presenter.step else ""

    async def script(pilot: Pilot) -> None:
        seen: list[tuple[str, str, str]] = []
        for expected in ("sequential", "parallel", "threads", "summary"):
            await until(pilot, lambda expected=expected: stage() == expected)
            run = app.session.run
            seen.append((expected, app.presenter.step.text, app.view))
            if expected != "summary":
                assert run.spec.mode == expected  # the words are about the run on screen
                await finish_when_running(pilot, app, expected)
        await until(pilot, lambda: "summary: " in screen_text(app), timeout=5)
        assert [view for *_, view in seen] == ["tasks", "tasks", "tasks", "charts"]
        texts = [text for _, text, _ in seen]
        assert texts[0].startswith("sequential: one core runs all 3 tasks")
        assert texts[1].startswith("parallel: ") and "one process pinned to each core" in texts[1]
        gil = "the GIL lets one thread run Python at a time"
        assert texts[2].startswith("threads: ") and (gil in texts[2]) == machine.gil
        # A busy machine may have measured a comparison again: the last run of each mode
        # is the lap's, and the summary tells its lesson only where it can be trusted.
        last = {record.mode: record for record in app.session.log.runs}
        assert list(last) == ["sequential", "parallel", "threads"]
        parallel = last["parallel"]
        assert parallel.verdict is not None
        if all(r.verdict is None or r.verdict.comparable for r in last.values()):
            assert f"parallel {parallel.speedup:.2f}x sequential" in texts[3]
        else:
            assert texts[3].startswith("summary: the machine is too busy to show the lesson")
        await pilot.press("x")  # not bound to anything: it still stops the demo
        assert app.presenter.step is None
        await until(pilot, lambda: not app.session.run.running)
        assert "any key stops it" not in screen_text(app)
        stopped_at = app.session.log.last
        await pilot.pause(0.5)  # ten of the demo's pauses after a run
        assert app.session.log.last == stopped_at and not app.session.run.running

    drive(app, script, notifications=True)


def test_the_demo_keeps_one_lap_in_the_table_however_long_it_loops(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "local_run", ScriptedRun)
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    app.session.load = quiet_load(machine.usable_cores)

    def lap_rows() -> list[tuple[str, str]]:
        """The rows the table should hold at a summary: the presenter's run, then the runs
        of the lap on screen (a busy machine may have measured some again)."""
        autopilot = app.presenter.autopilot
        assert autopilot is not None and autopilot.lap is not None
        runs = app.session.log.numbered(after=autopilot.lap)
        return [("1", "sequential"), *((str(n), r.mode) for n, r in runs)]

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")  # the presenter's own run, before the demo: it stays
        await finish_when_running(pilot, app, "sequential")
        await until(pilot, lambda: table(app) == [("1", "sequential")])
        app.presenter.pauses = DemoPauses(0.05, 0.5)
        await pilot.press("d")
        first = 2
        for _ in range(3):
            for mode in ("sequential", "parallel", "threads"):
                await finish_when_running(pilot, app, mode)
            await until(pilot, lambda: app.presenter.step and app.presenter.step.stage == "summary")
            rows = lap_rows()
            # Numbers go on from lap to lap, never given twice; the previous lap is gone.
            assert rows[1][0] == str(first) and rows[1][1] == "sequential"
            assert {mode for _, mode in rows[1:]} == {"sequential", "parallel", "threads"}
            await until(pilot, lambda rows=rows: table(app) == rows)
            # The next lap starts with the whole lap still in the table.
            await until(pilot, lambda: app.presenter.step.stage == "sequential")
            assert table(app)[: len(rows)] == rows
            first = int(rows[-1][0]) + 1
        await pilot.press("d")
        assert app.presenter.step is None

    drive(app, script)


def test_keys_pressed_within_a_second_of_a_start_leave_no_row(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pilot takes up to a second a key on a busy box, where a person's keys come in
    # milliseconds: the window is widened for it (test_session times the real one).
    monkeypatch.setattr(session, "SLIP_S", 30.0)
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=LONG))

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        started = list(app.session.run.pids)
        await pilot.press("t", "p")  # two slips on the way to p
        started += app.session.run.pids
        await pilot.press("escape")  # and p itself, cancelled at once
        assert app.session.run.state == "cancelled" and app.session.log.runs == []
        assert wait_gone(started, timeout=2) == []
        await until(pilot, lambda: "cancelled with escape" in screen_text(app))
        assert app.query_one(ResultsTable).row_count == 0
        # A run that ends is no slip, however short.
        app.session.set_scale(TINY)
        await pilot.press("s")
        await until(pilot, lambda: table(app) == [("1", "sequential")])

    drive(app, script)


def test_m_without_a_baseline_runs_sequential_first(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        await pilot.press("m")
        assert app.session.run.spec.mode == "sequential"
        await until(pilot, lambda: "sequential first" in toasts(app), timeout=5)
        await until(pilot, lambda: table(app) == [("1", "sequential")])
        await pilot.press("m")
        assert app.session.run.spec.mode == "parallel"
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        assert app.session.log.runs[1].speedup is not None
        await pilot.press("b", "m")  # another workload: its own baseline first
        assert app.session.run.spec.mode == "sequential"

    drive(app, script, notifications=True)


async def results_on_screen(pilot: Pilot, app: Dashboard) -> None:
    await pilot.press("s")
    await until(pilot, lambda: app.query_one(ResultsTable).row_count == 1)


@pytest.mark.parametrize("confirm", ["q", "y"])
def test_q_with_results_asks_once_and_q_or_y_quits(machine: Machine, confirm: str) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    asked: list[str] = []

    async def script(pilot: Pilot) -> None:
        await results_on_screen(pilot, app)
        await pilot.press("q")
        assert isinstance(app.screen, QuitScreen)
        await until(pilot, lambda: "Quit coremeter?" in screen_text(app))
        asked.append(screen_text(app))
        await pilot.press(confirm)

    drive(app, script, size=(80, 24))
    assert app.return_code == 0
    assert "q or y quits · any other key stays" in asked[0]


@pytest.mark.parametrize("key", ["x", "s", "escape", "click"])
def test_any_other_answer_keeps_the_session_and_does_nothing_else(
    machine: Machine, key: str
) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        await results_on_screen(pilot, app)
        run = app.session.run
        await pilot.press("q")
        assert isinstance(app.screen, QuitScreen)
        if key == "click":
            await pilot.click(offset=(0, 0))
        else:
            await pilot.press(key)
        assert not isinstance(app.screen, QuitScreen)
        assert app.is_running and app.return_code is None
        assert app.session.run is run and len(app.session.log.runs) == 1  # s ran nothing
        await until(pilot, lambda: "Quit coremeter?" not in screen_text(app))
        await pilot.press("s")  # the dashboard is itself again
        await until(pilot, lambda: len(app.session.log.runs) == 2)

    drive(app, script)


@pytest.mark.parametrize(
    ("asking", "quit_now"),
    [(False, "ctrl+q"), (False, "ctrl+c"), (True, "ctrl+q"), (True, "ctrl+c"), (True, "SIGTERM")],
)
def test_ctrl_q_ctrl_c_and_quit_signals_never_ask(
    machine: Machine, asking: bool, quit_now: str
) -> None:
    """With results on screen and a run going, even while the question shows."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    pids: list[int] = []

    async def script(pilot: Pilot) -> None:
        await results_on_screen(pilot, app)
        app.session.set_scale(LONG)
        await pilot.press("p")
        pids.extend(await running_pids(pilot, app))
        if asking:
            await pilot.press("q")
            assert isinstance(app.screen, QuitScreen)
        if quit_now == "SIGTERM":
            os.kill(os.getpid(), signal.SIGTERM)
            await until(pilot, lambda: app.return_code is not None)
        else:
            await pilot.press(quit_now)

    drive(app, script)
    assert app.return_code == (128 + signal.SIGTERM if quit_now == "SIGTERM" else 0)
    assert wait_gone(pids, timeout=2) == []
