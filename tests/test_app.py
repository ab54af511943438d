"""The dashboard driven by its keys, with real runs at a tiny scale and real processes.

Each test checks what the presenter relies on: a key starts exactly the run it
names, a worker shown on a core is pinned there, and nothing outlives the app.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import time
from pathlib import Path
from xml.etree import ElementTree

import psutil
import pytest
from fakes import FrozenRun, ScriptedRun, fake_sampler
from fakes import machine as fake_machine
from fakes import record as fake_record
from helpers import TINY, alive, disk_full_for, drive, running_pids, toasts, until, wait_gone
from textual.command import CommandList, CommandPalette
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widget import Widget

from coremeter import session
from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.report import counted, explanation
from coremeter.sampler import LoadHistory
from coremeter.session import SLIP_S
from coremeter.tui.app import RESULTS_KEEP, Dashboard, create_app, elapsed
from coremeter.tui.caption import IDLE_CAPTION
from coremeter.tui.commands import COMMANDS
from coremeter.tui.layout.fill import BOTH_VIEWS_HEIGHT
from coremeter.tui.screenshot import SVG_NAMESPACE
from coremeter.tui.themes import PROJECTOR
from coremeter.tui.widgets.caption import Caption
from coremeter.tui.widgets.charts import SpeedupChart, Timeline
from coremeter.tui.widgets.controls import ActionButton, KeysFooter
from coremeter.tui.widgets.meters import CoreMeters
from coremeter.tui.widgets.results_table import ResultsTable
from coremeter.tui.widgets.run_panel import RunPanel
from coremeter.tui.widgets.screens import HelpScreen
from coremeter.tui.widgets.tasks import TaskBars
from coremeter.userfunc import parse_spec
from coremeter.workload import Hash, Io, Seed

# Long enough to look at the workers while they run (a second or two), cancelled after.
WATCHABLE = 0.05


def palette_first(app: Dashboard) -> str:
    """The command palette's first match ("" until it has one): what enter would run."""
    if not isinstance(app.screen, CommandPalette):
        return ""
    commands = app.screen.query_one(CommandList)
    if not commands.option_count:
        return ""
    return str(commands.get_option_at_index(0).prompt)


def status_text(app: Dashboard) -> str:
    return str(app.query_one(RunPanel).query_one("#status").render())


def test_s_then_p_run_and_fill_the_results(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        await until(pilot, lambda: app.query_one(ResultsTable).row_count == 2)
        first, second = app.session.log.runs
        assert (first.mode, second.mode) == ("sequential", "parallel")
        assert first.ok and second.ok
        assert second.speedup is not None
        assert "done" in status_text(app)

    drive(app, script)


def test_o_runs_the_article_pool_and_the_panel_explains_the_run(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    busy = machine.usable_cores[-1]
    # Another program on the last core, as the session's load history will read it.
    app.session.load = LoadHistory(busy=lambda: {busy: 0.9 * time.perf_counter()}, own=lambda: 0.0)

    async def script(pilot: Pilot) -> None:
        await pilot.press("o")
        assert app.session.schedule == "in-order"
        await until(pilot, lambda: "· in-order ·" in status_text(app))
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        parallel = app.session.log.runs[1]
        assert parallel.ok and parallel.schedule == "in-order"
        if len(machine.usable_cores) >= 2:
            first, second = machine.usable_cores[:2]
            assert parallel.bound == 1.5
            assert [t.core for t in parallel.tasks] == [first, second, first]
        explained = explanation(parallel)
        assert explained is not None
        await until(pilot, lambda: explained in status_text(app))
        note = f"⚠ cpu{busy} was 90% busy before the run: another program competes for it"
        assert note in status_text(app)
        assert parallel.notes == [note.removeprefix("⚠ ")]
        # Its speedup is not trusted, and the caption, the panel and the table say why.
        for said in (app.query_one(Caption).text, status_text(app)):
            shown = " ".join(said.split())  # read as words, however the lines wrap
            assert "not comparable: " in shown and "another program competed for" in shown
        results = app.query_one(ResultsTable)
        verdict = results.get_cell_at(Coordinate(1, results.get_column_index("comparable")))
        assert str(verdict).startswith("no: ") and "another program" in str(verdict)

    drive(app, script)


def test_toggling_mid_run_leaves_exactly_one_run_alive(machine: Machine) -> None:
    # Long enough to run past a slip (SLIP_S), whose cancelled run leaves no row.
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=0.5))

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        parallel = await running_pids(pilot, app)
        await until(pilot, lambda: app.session.run.elapsed() > SLIP_S)
        await pilot.press("m")
        sequential = await running_pids(pilot, app)
        assert app.session.run.spec.mode == "sequential"
        assert wait_gone(parallel, timeout=2) == []
        assert set(alive(sequential + parallel)) == set(sequential)
        assert [(r.mode, r.state) for r in app.session.log.runs] == [("parallel", "cancelled")]
        await pilot.press("escape")
        assert wait_gone(sequential, timeout=2) == []

    drive(app, script)


def test_the_running_modes_key_does_not_restart_it(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=WATCHABLE))

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids = await running_pids(pilot, app)
        run = app.session.run
        await pilot.press("p")
        assert app.session.run is run
        assert alive(pids) == pids
        await pilot.press("escape")

    drive(app, script)


@pytest.mark.skipif(not hasattr(psutil.Process, "cpu_affinity"), reason="no affinity API")
def test_a_meters_worker_is_really_pinned_to_that_core(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=WATCHABLE))

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        await running_pids(pilot, app)
        meters = app.query_one(CoreMeters)
        await until(pilot, lambda: any(meters.pinned.values()))
        for core, label in meters.pinned.items():
            if not label:
                continue
            worker = psutil.Process(int(label.split()[1]))
            # The worker pins itself as it starts; the meter may show it a moment before.
            await until(pilot, lambda w=worker, c=core: w.cpu_affinity() == [c], timeout=2)
        await pilot.press("escape")

    drive(app, script)


@pytest.mark.parametrize("key", ["q", "ctrl+q", "ctrl+c"])
def test_quitting_leaves_no_worker(machine: Machine, key: str) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=WATCHABLE))
    pids: list[int] = []

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids.extend(await running_pids(pilot, app))
        await pilot.press(key)

    drive(app, script)
    assert app.return_code == 0
    assert wait_gone(pids, timeout=2) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_quit_cleanly(machine: Machine, signum: int) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=WATCHABLE))
    pids: list[int] = []

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids.extend(await running_pids(pilot, app))
        os.kill(os.getpid(), signum)
        await until(pilot, lambda: app.return_code is not None)

    drive(app, script)
    assert app.return_code == 128 + signum
    assert wait_gone(pids, timeout=2) == []
    # The app gave the signal back: outside it, the default behaviour holds again.
    assert signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler)


def test_a_killed_worker_shows_failed_and_the_app_stays_usable(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=WATCHABLE))

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids = await running_pids(pilot, app)
        os.kill(pids[0], signal.SIGKILL)
        await until(pilot, lambda: app.session.log.runs and "failed" in status_text(app))
        assert "killed by SIGKILL" in status_text(app)
        assert wait_gone(pids, timeout=2) == []
        app.session.set_scale(TINY)
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        assert app.session.log.runs[-1].ok

    drive(app, script)


def test_scale_shape_and_clear_keys(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        await pilot.press("plus")
        assert app.session.scale == pytest.approx(2 * TINY)
        await pilot.press("minus", "minus")
        assert app.session.scale == pytest.approx(TINY / 2)
        await pilot.press("b")
        assert app.session.shape == "balanced"
        await pilot.press("b")
        assert app.session.shape == "seed"
        await pilot.press("space")
        await until(pilot, lambda: app.query_one(ResultsTable).row_count == 1)
        await pilot.press("r")
        assert app.query_one(ResultsTable).row_count == 0
        assert app.session.log.runs == []

    drive(app, script)


def test_the_table_keeps_the_runs_the_log_keeps_with_their_numbers(machine: Machine) -> None:
    """An all-day demo loop must not grow the table (or the log) without end."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    assert app.session.log.keep == RESULTS_KEEP
    app.session.log.keep = 2  # the same rule, reached in four runs

    def numbers() -> list[str]:
        results = app.query_one(ResultsTable)
        return [str(results.get_cell_at(Coordinate(row, 0))) for row in range(results.row_count)]

    async def script(pilot: Pilot) -> None:
        log = app.session.log
        for done in range(1, 5):
            await pilot.press("s")
            await until(pilot, lambda done=done: log.dropped + len(log.runs) == done)
        await until(pilot, lambda: numbers() == ["3", "4"])
        app.theme = "textual-light"  # refills the table from the log
        await until(pilot, lambda: numbers() == ["3", "4"])
        await pilot.press("r")
        await pilot.press("s")
        await until(pilot, lambda: numbers() == ["1"])

    drive(app, script)


def test_question_mark_opens_the_help_and_escape_closes_it(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        # The help is modal: s must not start a run behind it.
        await pilot.press("s")
        assert app.session.run is None
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    drive(app, script, size=(80, 24))


def test_buttons_run_the_same_actions(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        buttons = {str(b.label): b for b in app.query(ActionButton)}
        assert len(buttons) == len(COMMANDS) + 1
        await pilot.click(buttons["par"])
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].mode == "parallel"
        # The ended run's caption takes a second line at 80 columns: the rows below move
        # down for a frame, until the meters give it up. Click where the button then is.
        bar, footer = app.query_one("#actions"), app.query_one(KeysFooter)
        await until(pilot, lambda: bar.region.bottom == footer.region.y)
        await pilot.click(buttons["shape"])
        assert app.session.shape == "balanced"

    drive(app, script, size=(80, 24))


def test_the_command_palette_runs_a_mode(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {c.title for c in COMMANDS} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Run threads")
        await until(pilot, lambda: "Run threads" in palette_first(app))
        await pilot.press("enter")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].mode == "threads"

    drive(app, script)


def test_autostart_runs_the_preselected_mode(machine: Machine) -> None:
    app = create_app(
        machine, machine.usable_cores, DashboardOptions(mode="parallel", scale=TINY, autostart=True)
    )

    async def script(pilot: Pilot) -> None:
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].mode == "parallel"

    drive(app, script)


def chart_text(widget: Widget) -> str:
    """What a chart shows, as plain text, row by row."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
def test_v_swaps_the_task_bars_for_the_timeline_and_speedup(
    machine: Machine, size: tuple[int, int]
) -> None:
    """On a small terminal v swaps the charts in; from BOTH_VIEWS_HEIGHT the timeline is on
    screen with the task bars from the start, and v leaves it the task bars' room."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    both = size[1] >= BOTH_VIEWS_HEIGHT

    async def script(pilot: Pilot) -> None:
        charts = app.query_one("#charts")
        assert charts.display == both
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await pilot.press("v")
        assert charts.display
        assert not app.query_one(TaskBars).display
        timeline, speedup = app.query_one(Timeline), app.query_one(SpeedupChart)
        await until(pilot, lambda: "sequential" in chart_text(timeline))
        assert "parallel" not in chart_text(timeline)
        # Fed from the tick: the parallel run shows up without another key.
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        await until(pilot, lambda: "parallel" in chart_text(timeline))
        cores = app.session.log.runs[-1].cores
        # A lane per core once the layout has settled on the charts' room: the first
        # layout after a new run may pack two cores a row for a moment.
        await until(pilot, lambda: all(f"cpu{core}" in chart_text(timeline) for core in cores))
        speedup_text = chart_text(speedup)
        assert counted(len(cores), "core") in speedup_text and "bound" in speedup_text
        # The buttons and the footer stay on screen, once the charts' new rows are laid out.
        actions = app.query_one("#actions")
        await until(pilot, lambda: actions.region.bottom <= size[1] - 1, timeout=2)
        assert actions.region.height >= 1
        await pilot.press("v")
        assert app.query_one(TaskBars).display
        assert charts.display == both

    drive(app, script, size=size)


def test_e_exports_the_runs_and_the_screen_into_out(machine: Machine, tmp_path: Path) -> None:
    out = tmp_path / "talk" / "results"
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY, out=out))

    async def script(pilot: Pilot) -> None:
        for key, runs in (("s", 1), ("p", 2)):
            await pilot.press(key)
            await until(pilot, lambda runs=runs: len(app.session.log.runs) == runs)
        await pilot.press("e")
        await until(pilot, lambda: out.is_dir() and len(list(out.iterdir())) == 3)
        written = sorted(out.iterdir())
        assert [p.suffix for p in written] == [".csv", ".json", ".svg"]
        await until(pilot, lambda: all(str(p) in toasts(app) for p in written), timeout=5)
        csv_path, json_path, svg_path = written
        doc = json.loads(json_path.read_text())
        assert [r["mode"] for r in doc["runs"]] == ["sequential", "parallel"]
        assert doc["runs"][1]["speedup"] == app.session.log.runs[1].speedup
        rows = list(csv.DictReader(csv_path.open()))
        assert {row["run"] for row in rows} == {"1", "2"}
        assert len(rows) == sum(len(r.tasks) for r in app.session.log.runs)
        svg = ElementTree.parse(svg_path).getroot()
        assert svg.tag.endswith("svg") and "parallel" in svg_path.read_text()
        # It fetches nothing: its one URL is the SVG namespace, which no viewer loads.
        assert re.findall(r"https?://[^\s\"')]+", svg_path.read_text()) == [SVG_NAMESPACE]
        # A second export in the same second gets its own names, and the app goes on.
        # The first export's toast is not in the second's screenshot.
        await pilot.press("e")
        await until(pilot, lambda: len(list(out.iterdir())) == 6, timeout=5)
        second_svg = max(out.glob("*.svg"), key=lambda path: path.stat().st_mtime_ns)
        assert second_svg != svg_path and "exported" not in second_svg.read_text()
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 3)

    drive(app, script, notifications=True)


def test_the_newest_run_stays_in_sight_when_the_charts_open(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "local_run", ScriptedRun)  # eighteen rows, not eighteen real runs
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        results = app.query_one(ResultsTable)
        for runs, key in enumerate("spt" * 6, start=1):
            await pilot.press(key)
            app.session.run.finish(1.0)
            await until(pilot, lambda runs=runs: results.row_count == runs)
        await pilot.press("v")
        await until(pilot, lambda: results.max_scroll_y > 0)  # the table no longer fits
        await until(pilot, lambda: results.scroll_y == results.max_scroll_y)

    drive(app, script)


def test_the_run_state_shows_at_the_smallest_size(machine: Machine) -> None:
    """At 40x12 the settings line leaves out whole parts, not wrapped over the state
    below it nor cut mid-number: the mode and the cores stay."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=WATCHABLE))

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        await running_pids(pilot, app)

        def screen() -> str:
            return re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")

        await until(pilot, lambda: "running" in screen())
        assert re.search(r"parallel · (scale \S+ · )?cores 0-1$", screen(), re.MULTILINE)
        await pilot.press("escape")

    drive(app, script, size=(40, 12))


def test_e_says_what_it_leaves_out(machine: Machine, tmp_path: Path) -> None:
    """Nothing ended yet: nothing written. A run in progress: the toast says it is not in."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY, out=tmp_path))

    async def script(pilot: Pilot) -> None:
        await pilot.press("e")
        await until(pilot, lambda: "no run has ended yet" in toasts(app), timeout=5)
        assert list(tmp_path.iterdir()) == []
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        app.session.set_scale(WATCHABLE)
        await pilot.press("p")
        await running_pids(pilot, app)
        await pilot.press("e")
        await until(pilot, lambda: "exported 1 run, not the one in progress" in toasts(app), 5)
        assert len(list(tmp_path.glob("*.json"))) == 1
        await pilot.press("escape")

    drive(app, script, notifications=True)


def test_an_export_that_cannot_be_written_is_a_toast(machine: Machine, tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    app = create_app(
        machine, machine.usable_cores, DashboardOptions(scale=TINY, out=blocker / "results")
    )

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await pilot.press("e")
        await until(pilot, lambda: "cannot create" in toasts(app), timeout=5)
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 2)

    drive(app, script, notifications=True)


def test_an_export_onto_a_full_disk_leaves_nothing_and_says_which_part(
    machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY, out=tmp_path))

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        disk_full_for(monkeypatch, ".svg")
        await pilot.press("e")
        await until(pilot, lambda: "cannot write the screenshot" in toasts(app), timeout=5)
        assert "No space left on device" in toasts(app)
        assert list(tmp_path.iterdir()) == []
        monkeypatch.undo()
        await pilot.press("e")
        await until(pilot, lambda: len(list(tmp_path.iterdir())) == 3, timeout=5)

    drive(app, script, notifications=True)


def test_the_projector_theme_is_bold_and_in_the_theme_switcher(machine: Machine) -> None:
    app = create_app(
        machine, machine.usable_cores, DashboardOptions(scale=TINY, theme=PROJECTOR.name)
    )

    async def script(pilot: Pilot) -> None:
        assert app.theme == PROJECTOR.name
        results = app.query_one(ResultsTable)
        assert results.rich_style.bold
        assert app.get_css_variables()["success"].upper() == PROJECTOR.success
        await pilot.press("s")
        await until(pilot, lambda: results.row_count == 1)

        def check_colour() -> str:
            check = results.get_column_index("check")
            return str(results.get_cell_at(Coordinate(0, check)).style)

        # Any theme from Textual's switcher, and back to the projector's.
        for query, name in (("nord", "nord"), ("projector", PROJECTOR.name)):
            await pilot.press("ctrl+p")
            await pilot.press(*"Theme")
            await until(pilot, lambda: "Theme" in palette_first(app))
            await pilot.press("enter")
            await pilot.press(*query)
            await until(pilot, lambda query=query: query in palette_first(app))
            await pilot.press("enter")
            await until(pilot, lambda name=name: app.theme == name)
            assert bool(results.rich_style.bold) == (name == PROJECTOR.name)
            # The results' colours follow too, though the table holds them as plain colours.
            success = app.get_css_variables()["success"]
            await until(pilot, lambda success=success: check_colour().lower() == success.lower())

    drive(app, script)


# -- the caption and the panel's truth ------------------------------------------------


def caption(app: Dashboard) -> str:
    return app.query_one(Caption).text


def frozen(
    percents: list[float], seconds: float = 2.5, others: list[float] | None = None
) -> Dashboard:
    box = fake_machine()
    return create_app(
        box,
        box.usable_cores,
        DashboardOptions(scale=0.2),
        sampler=fake_sampler(percents, others),
        clock=lambda run: seconds,
    )


def test_mid_run_the_caption_reads_the_meters_and_the_gauge_sums_them() -> None:
    app = frozen([52.0, 48.0])

    async def script(pilot: Pilot) -> None:
        app.session.mode = "threads"
        app.session.run = FrozenRun(app.session.spec("threads"), {1: (0.3, 0.0, None)})
        await until(pilot, lambda: caption(app).startswith("threads: 2 threads"))
        assert caption(app).endswith("1.0 of 2 cores busy: the GIL runs one thread at a time")
        gauge = "".join(s.text for s in app.query_one(Caption).row_segments(1, 100))
        assert gauge.endswith(" 1.0 / 2.0")
        assert (
            "threads · work seed · shape seed · longest-first · scale 0.2 · cores 0-1\nrunning"
            in status_text(app)
        )

    drive(app, script)


def test_another_program_on_a_core_is_not_counted_as_the_runs() -> None:
    """A sequential run with another program spinning on the other core read
    "sequential · 2 of 2 cores busy": the caption summed the meters."""
    app = frozen([100.0, 100.0], others=[0.0, 100.0])

    async def script(pilot: Pilot) -> None:
        app.session.run = FrozenRun(app.session.spec("sequential"), {0: (0.3, 0.0, None)})
        await until(pilot, lambda: caption(app).startswith("sequential ·"))
        assert caption(app) == (
            "sequential · 1.0 of 2 cores busy · 1.0 more by other programs · 2.5 s"
        )
        widget = app.query_one(Caption)
        gauge = widget.row_segments(1, 100)
        figures = " 1.0 + 1.0 others / 2.0"
        assert "".join(s.text for s in gauge).endswith(figures)
        # Half the gauge in the run's colour, half in the others' colour and shade.
        fill, others = widget.style("caption--fill"), widget.style("caption--others")
        assert fill.color != others.color
        blocks = [(s.text, s.style.color) for s in gauge if s.style and s.text.strip()]
        assert blocks[1:] == [("█" * 33, fill.color), ("▒" * 33, others.color), (figures, None)]
        meters = app.query_one(CoreMeters)
        rows = [meters.render_line(y) for y in range(meters.size.height)]
        ours, theirs = (next(r for r in rows if core in r.text) for core in ("cpu0", "cpu1"))
        assert "other programs" in theirs.text and "other programs" not in ours.text
        assert "▒" in theirs.text and "▒" not in ours.text
        colour = meters.style("meter--others").color
        assert [s.style.color for s in theirs if "▒" in s.text] == [colour]

    drive(app, script)


def test_a_caption_wider_than_the_terminal_goes_on_over_a_second_line() -> None:
    """At 80 columns the demo's step and the GIL's words do not fit one line: the
    sentence's point comes last, and an ellipsis cut it off."""
    app = frozen([52.0, 48.0])

    async def script(pilot: Pilot) -> None:
        app.session.mode = "threads"
        app.session.run = FrozenRun(app.session.spec("threads"), {1: (0.3, 0.0, None)})
        app.say("3 of 4: threads")
        widget = app.query_one(Caption)
        await until(pilot, lambda: len(widget.lines(widget.size.width)) == 2)
        await until(pilot, lambda: widget.size.height == 3)  # two lines and the gauge
        lines = [widget.render_line(y).text.strip() for y in range(2)]
        assert " ".join(lines) == caption(app)
        assert caption(app).endswith("busy: the GIL runs one thread at a time")
        assert "…" not in "".join(lines)

    drive(app, script, size=(80, 24))


def test_the_demo_can_tell_its_step_in_the_caption() -> None:
    app = frozen([0.0, 0.0])

    async def script(pilot: Pilot) -> None:
        app.say("1 of 4: sequential, one core")
        assert caption(app) == f"1 of 4: sequential, one core · {IDLE_CAPTION}"
        app.say(None)
        assert caption(app) == IDLE_CAPTION

    drive(app, script)


def test_at_scale_1_the_articles_result_shows_with_its_check() -> None:
    box = fake_machine()
    app = create_app(box, box.usable_cores, DashboardOptions(scale=1.0),
                     sampler=fake_sampler([0.0, 0.0]), clock=elapsed)  # fmt: skip

    async def script(pilot: Pilot) -> None:
        spec = app.session.spec("sequential")
        run = FrozenRun(spec, {t.id: (1.0, 0.0, 1.0 + t.id) for t in spec.tasks})
        run.state, run.stopped_at = "done", 3.0
        for task in spec.tasks:
            run.results[task.id] = (task.size - 1) * task.size / 2
        app.session.run = run
        await until(pilot, lambda: "result" in caption(app))
        assert caption(app).endswith("result 6.99999997e+16 ✓ as in the article")

    drive(app, script)


def test_the_panel_shows_the_runs_own_settings_and_the_next_ones_apart(machine: Machine) -> None:
    """The rehearsal's false line: after b and -, the panel read the next run's settings
    beside the last run's time. Sequential also claimed both cores."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    first = machine.usable_cores[0]

    async def script(pilot: Pilot) -> None:
        assert (
            "next run: sequential · work seed · shape seed · longest-first · scale 0.002 · core "
            in status_text(app)
        )
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await until(pilot, lambda: "done" in status_text(app))
        assert (
            f"sequential · work seed · shape seed · longest-first · scale 0.002 · core {first}"
            in status_text(app)
        )
        assert "next run" not in status_text(app)
        assert re.fullmatch(r"sequential took \d+\.\d\d s on one core: .*", caption(app))
        await pilot.press("b", "minus")
        await until(pilot, lambda: "next run" in status_text(app))
        lines = status_text(app).splitlines()
        assert (
            lines[0]
            == f"sequential · work seed · shape seed · longest-first · scale 0.002 · core {first}"
        )
        upcoming = "sequential · work seed · shape balanced · longest-first · scale 0.001"
        assert lines[-1] == f"next run: {upcoming} · core {first}"
        # The time beside them is still the sequential run's own.
        assert app.query_one("#timer").value == f"{app.session.log.runs[0].wall_s:.2f}"
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        await until(pilot, lambda: caption(app).startswith("parallel took"))
        assert "no sequential run of balanced×0.001" in caption(app)
        assert status_text(app).startswith(
            "parallel · work seed · shape balanced · longest-first · scale 0.001 · cores"
        )


def test_w_switches_the_workload_and_the_charts_compare_within_it(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        assert "seed" in status_text(app) and Seed().lesson in status_text(app)
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await pilot.press("v")
        timeline, speedup = app.query_one(Timeline), app.query_one(SpeedupChart)
        await until(pilot, lambda: "sequential" in chart_text(timeline))
        await pilot.press("w", "w")
        assert app.session.workload == Hash()
        # Its lesson does not fit beside the next run's settings at 120 columns: left out.
        await until(pilot, lambda: "work hash" in status_text(app))
        assert "…" not in status_text(app)
        # The seed's run is not hash's: the charts have nothing of hash's to show yet.
        await until(pilot, lambda: "No runs yet" in chart_text(timeline))
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        await until(pilot, lambda: "parallel" in chart_text(timeline))
        assert "sequential" not in chart_text(timeline)
        assert "once a sequential and a parallel run" in chart_text(speedup)
        hash_run = app.session.log.runs[-1]
        assert (hash_run.workload, hash_run.ok, hash_run.speedup) == ("hash", True, None)
        assert "hash" in str(app.query_one(ResultsTable).get_row_at(1))

    drive(app, script)


def test_the_palette_lists_the_workloads_and_selects_one(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Workload seed", "Workload io", "Workload hash", "Switch workload"} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Workload io")
        await until(pilot, lambda: "Workload io" in palette_first(app))
        await pilot.press("enter")
        await until(pilot, lambda: app.session.workload == Io())
        await pilot.press("t")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].workload == "io" and app.session.log.runs[0].ok

    drive(app, script)


def test_a_function_of_yours_in_the_dashboard(machine: Machine, tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(
        "def f(n):\n    if n == 7:\n        raise ValueError('not seven')\n    return n\n"
    )
    mine = parse_spec("mine.py:f", 20, cwd=str(tmp_path))
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY, workload=mine))

    async def script(pilot: Pilot) -> None:
        assert "mine.py:f" in status_text(app) and "20 items" in status_text(app)
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        failed = app.session.log.runs[0]
        assert failed.state == "failed" and "f(7) raised ValueError: not seven" in failed.reason
        await until(pilot, lambda: "not seven" in status_text(app))
        # Still usable: the next workload runs.
        await pilot.press("w", "s")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        assert app.session.log.runs[1].workload == "seed" and app.session.log.runs[1].ok

    drive(app, script)


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 35), (200, 60)], ids=["80x24", "120x35", "200x60"]
)
def test_toasts_never_cover_the_results_tables_numbers(size: tuple[int, int]) -> None:
    """A toast stood over the table's last rows, bottom right, where its speedups are."""
    app = frozen([0.0, 0.0])

    async def script(pilot: Pilot) -> None:
        for wall_s in (7.4, 3.8, 7.9, 3.9, 7.5, 3.7, 7.6, 3.8):
            app.session.log.add(fake_record("sequential", [(0, 1, 0, 0.0, wall_s)], wall_s))
        app.draw()
        app.notify("wrote coremeter-results.csv and coremeter-results.json", title="exported")
        app.notify("no run has ended yet: nothing to write", title="export")
        await until(pilot, lambda: len(app.screen.query("Toast")) == 2)
        await pilot.pause(0.3)
        table = app.query_one(ResultsTable).region
        for toast in app.screen.query("Toast"):
            assert not toast.region.overlaps(table), (toast.region, table)
        # The newest is on screen whole, its title and its words, over the buttons.
        newest = app.screen.query("Toast").last().region
        assert newest.height >= 2 and newest.bottom <= size[1], newest

    drive(app, script, size=size, notifications=True)


def test_charts_a_resize_brings_on_screen_show_the_runs_so_far(machine: Machine) -> None:
    """Runs made on a small terminal are on the timeline once a resize makes room for it
    (it said "No runs yet" beside the table's two rows)."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))

    async def script(pilot: Pilot) -> None:
        charts = app.query_one("#charts")
        for mode, runs in (("s", 1), ("p", 2)):
            await pilot.press(mode)
            await until(pilot, lambda runs=runs: len(app.session.log.runs) == runs)
        assert not charts.display
        await pilot.resize_terminal(120, BOTH_VIEWS_HEIGHT + 5)
        await until(pilot, lambda: charts.display)
        timeline = app.query_one(Timeline)
        await until(pilot, lambda: "No runs yet" not in chart_text(timeline), timeout=2)
        assert "sequential" in chart_text(timeline) and "parallel" in chart_text(timeline)

    drive(app, script, size=(80, 24))
