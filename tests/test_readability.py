"""Readable from the back of the room: contrast, plurals, full bars.

Contrast is measured on what the dashboard really draws, in both projector themes: every
text character of the composed screen against its own background, in the states a talk
shows (a run midway, results with a failed run, the charts, the help), and the colours
the bars are drawn in against the background and track they are drawn on.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from fakes import FrozenRun, fake_sampler, machine, record
from rich.color import ColorTriplet
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from coremeter.options import DashboardOptions
from coremeter.report import counted, warnings
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.layout.rows import Bar
from coremeter.tui.layout.speedup import speedup_rows
from coremeter.tui.layout.timeline import timeline_rows
from coremeter.tui.themes import PROJECTOR, PROJECTOR_LIGHT
from coremeter.tui.widgets.caption import Caption
from coremeter.tui.widgets.charts import SpeedupChart
from coremeter.tui.widgets.meters import CoreMeters
from coremeter.tui.widgets.results_table import ResultsTable
from coremeter.tui.widgets.tasks import TaskBars

AA = 4.5  # WCAG 2 level AA, normal text
PROJECTOR_THEMES = [PROJECTOR.name, PROJECTOR_LIGHT.name]


def luminance(colour: ColorTriplet) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: ColorTriplet, b: ColorTriplet) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast(ColorTriplet(0, 0, 0), ColorTriplet(255, 255, 255)) == pytest.approx(21)
    assert contrast(ColorTriplet(118, 118, 118), ColorTriplet(255, 255, 255)) == pytest.approx(
        4.54, abs=0.01
    )


def is_text(char: str) -> bool:
    """Letters, digits, punctuation and symbols; not the block and box characters bars,
    tracks and the timer are drawn with (those are checked as bars, below)."""
    return (
        not char.isspace()
        and not 0x2500 <= ord(char) <= 0x259F
        and unicodedata.category(char) != "Zs"
    )


def low_contrast_text(app: App) -> list[str]:
    """Each stretch of text on the composed screen whose contrast is under AA. Over a
    modal screen, only the modal's own box: what is behind it is dimmed on purpose."""
    # The compositor's full update is what Textual's own screenshots are made from.
    update = app.screen._compositor.render_update(full=True)
    box = app.screen.children[0].region if app.screen.is_modal else app.screen.region
    found = []
    for y, line in enumerate(update.strips):
        x = 0
        for strip in line:
            for segment in strip:
                x += segment.cell_length
                start = x - segment.cell_length
                style = segment.style
                if not (box.y <= y < box.bottom and box.x <= start and x <= box.right):
                    continue
                if style is None or not any(is_text(c) for c in segment.text):
                    continue
                assert style.color is not None and style.bgcolor is not None, segment
                assert not style.dim, f"dim text on row {y}: {segment.text!r}"
                ratio = contrast(style.color.get_truecolor(), style.bgcolor.get_truecolor())
                if ratio < AA:
                    found.append(f"row {y}: {segment.text.strip()!r} at {ratio:.2f}:1")
    return found


def dashboard(theme: str, percents: tuple[float, ...] = (100.0, 60.0)) -> Dashboard:
    """Frozen meters and clock; a quota below the core count puts a warning on screen."""
    box = machine(quota=1.0)
    options = DashboardOptions(theme=theme)
    sampler = fake_sampler(list(percents))
    return create_app(box, box.usable_cores, options, sampler=sampler, clock=lambda run: 1.27)


def parallel_midway(app: Dashboard) -> FrozenRun:
    app.session.mode = "parallel"
    return FrozenRun(app.session.spec("parallel"), {1: (0.6, 0.02, None), 2: (0.4, 0.01, None)})


async def show_midway(pilot: Pilot) -> None:
    pilot.app.session.run = parallel_midway(pilot.app)
    await pilot.pause(0.3)


async def show_results(pilot: Pilot) -> None:
    """A good run of each mode, then a parallel run whose worker was killed."""
    for run in RUNS:
        pilot.app.session.log.add(run)
    killed = "worker on cpu1 (pid 4102) was killed by SIGKILL"
    pilot.app.session.run = parallel_midway(pilot.app).fail(killed, at=1.27)
    await pilot.pause(0.3)


async def show_charts(pilot: Pilot) -> None:
    await show_results(pilot)
    await pilot.press("v")
    await pilot.pause(0.3)


async def show_help(pilot: Pilot) -> None:
    await show_results(pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.3)


RUNS = [
    record("sequential", [(0, 1, 0, 0.0, 1.2), (1, 2, 0, 1.2, 3.7), (2, 3, 0, 3.7, 7.4)], 7.4),
    record("parallel", [(0, 1, 1, 2.5, 3.7), (1, 2, 1, 0.0, 2.5), (2, 3, 0, 0.0, 3.8)], 3.8),
    record("threads", [(0, 1, 1, 5.2, 7.9), (1, 2, 1, 0.0, 5.2), (2, 3, 0, 0.0, 8.0)], 8.0),
]
STATES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "midway": show_midway,
    "results": show_results,
    "charts": show_charts,
    "help": show_help,
}


def drive_at(app: App, script: Callable[[Pilot], Awaitable[None]], size: tuple[int, int]) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await script(pilot)

    asyncio.run(main())


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("theme", PROJECTOR_THEMES)
def test_all_text_has_aa_contrast_in_the_projector_themes(theme: str, state: str) -> None:
    app = dashboard(theme)

    async def script(pilot: Pilot) -> None:
        await STATES[state](pilot)
        assert app.query_one("#notes").display, "no warning line to measure"
        assert app.query_one(ResultsTable).rich_style.bold, "projector text is bold"
        assert low_contrast_text(app) == []

    drive_at(app, script, (120, 35))


@pytest.mark.parametrize("theme", PROJECTOR_THEMES)
def test_bars_stand_out_from_their_track_and_the_background(theme: str) -> None:
    app = dashboard(theme)

    async def script(pilot: Pilot) -> None:
        await show_charts(pilot)
        page = app.screen.rich_style.bgcolor
        meters, tasks = app.query_one(CoreMeters), app.query_one(TaskBars)
        caption = app.query_one(Caption)
        speedup = app.query_one(SpeedupChart)
        pairs = {
            "meter": (meters.style("meter--fill").color, meters.style("meter--empty").bgcolor),
            "hot meter": (meters.style("meter--hot").color, meters.style("meter--empty").bgcolor),
            "other programs' meter": (
                meters.style("meter--others").color,
                meters.style("meter--empty").bgcolor,
            ),
            "gauge": (
                caption.style("caption--fill").color,
                caption.style("caption--empty").bgcolor,
            ),
            "other programs' gauge": (
                caption.style("caption--others").color,
                caption.style("caption--empty").bgcolor,
            ),
            "task": (tasks.style("task--fill").color, tasks.style("task--empty").bgcolor),
            "done task": (tasks.style("task--done").color, tasks.style("task--empty").bgcolor),
            "speedup": (
                speedup.style("speedup--bar").bgcolor,
                speedup.style("speedup--track").bgcolor,
            ),
        }
        for name, (bar, track) in pairs.items():
            assert bar is not None and track is not None and page is not None
            for under in (track, page):
                ratio = contrast(bar.get_truecolor(), under.get_truecolor())
                assert ratio >= AA, f"{name} bar at {ratio:.2f}:1 in {theme}"

    drive_at(app, script, (120, 35))


# -- plurals --------------------------------------------------------------------------


def test_a_count_agrees_with_its_noun() -> None:
    assert counted(1, "core") == "1 core"
    assert counted(2, "core") == "2 cores"
    assert counted(0, "task") == "0 tasks"
    assert counted(0.5, "core") == "0.5 cores"
    assert counted(1.0, "core") == "1 core"
    assert counted(3, "more task") == "3 more tasks"


def test_one_core_reads_one_core_on_every_screen_that_counts_cores() -> None:
    one = record("parallel", [(0, 1, 0, 0.0, 1.0), (1, 2, 0, 1.0, 3.0)], 3.0, speedup=1.0)
    bars = [row for row in speedup_rows([one], 80) if isinstance(row, Bar) and row.cells]
    assert bars and bars[0].text.endswith("1 core")
    box = machine(cores=1, quota=0.5)
    assert "a CPU quota of 0.5 cores limits parallel runs on 1 core" in warnings(box, [0], [0])
    # Eight cores' rows in the room of three: the last row sums up the rest.
    many = record("parallel", [(i, 1, i, 0.0, 1.0) for i in range(8)], 1.0)
    notes = [row for row in timeline_rows([many], 80, max_rows=5) if hasattr(row, "text")]
    assert any("more cores" in note.text for note in notes)


def test_no_count_is_written_with_a_fixed_plural() -> None:
    """Every "{n} things" goes through counted(): no f-string pluralises by hand."""
    fixed = re.compile(r"\{len\([^}]*\)[^}]*\}\s*(more\s+)?[a-z]+s\b|run\{'' if")
    sources = Path(__file__).parent.parent.joinpath("coremeter").rglob("*.py")
    offenders = [
        f"{path.name}: {line.strip()}"
        for path in sources
        for line in path.read_text().splitlines()
        if fixed.search(line)
    ]
    assert offenders == []


# -- a full meter is a full bar ---------------------------------------------------------


class OneMeter(App[None]):
    def compose(self) -> ComposeResult:
        yield CoreMeters([0, 1])


@pytest.mark.parametrize("percent", [99.5, 99.6, 99.9, 100.0])
def test_a_meter_reading_100_percent_draws_a_full_bar(percent: float) -> None:
    app = OneMeter()

    async def script(pilot: Pilot) -> None:
        meters = app.query_one(CoreMeters)
        meters.show({0: percent, 1: 50.0}, {0: (), 1: ()}, {})
        await pilot.pause()
        full, half = (meters.render_line(y).text for y in range(2))
        assert "100%" in full
        bar = full.split("100%")[0].removeprefix("cpu0").strip()
        assert bar and set(bar) == {"█"}, f"{percent}% reads 100% but draws {bar!r}"
        assert "▌" in half or "█" * 3 in half

    drive_at(app, script, (60, 6))
