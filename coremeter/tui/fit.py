"""The dashboard fitted to the terminal: which views are on screen, how big the timer is,
how tall the meters and the timeline's lanes are, and how the header, the buttons and
the footer take the width.

The decisions are pure (``layout.fill``); this applies them to the widgets, after each
layout, from the heights the layout gave everything else. What it decides depends only
on the widgets it does not size and on the data, so the layout that follows a change
calls ``fit`` again to no change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import App
from textual.widget import Widget
from textual.widgets import Static

from coremeter.report import fit_parts
from coremeter.tui.demo import View
from coremeter.tui.layout.fill import (
    LEAST_TIMELINE_ROWS,
    METERS_SHARE,
    RESULTS_ROWS,
    Stage,
    both_views_fit,
    stretch,
    timer_step,
)
from coremeter.tui.layout.screen import (
    BUTTON_ROWS,
    FOOTER_ALL_KEYS_WIDTH,
    FOOTER_PALETTE_WIDTH,
    button_columns,
    charts_only,
)
from coremeter.tui.widgets.charts import SpeedupChart, Timeline
from coremeter.tui.widgets.controls import ActionButton, KeysFooter
from coremeter.tui.widgets.meters import CoreMeters
from coremeter.tui.widgets.results_table import ResultsTable
from coremeter.tui.widgets.run_panel import BigTimer
from coremeter.tui.widgets.tasks import TaskBars


def _rows(widget: Widget, margins_only: bool = False) -> int:
    """The rows a widget takes in the screen's column, its margins included; none hidden."""
    if not widget.display:
        return 0
    margin = widget.styles.margin
    return margin.top + margin.bottom + (0 if margins_only else widget.outer_size.height)


@dataclass
class Fitter:
    """``fixed``: every widget in the screen's column that keeps its natural height;
    ``frames``: containers whose margins alone take rows (their content is counted);
    ``views``: the task bars, the charts and the timer, which the height decides on."""

    fixed: Sequence[Widget]
    frames: Sequence[Widget]
    views: tuple[Widget, Widget, BigTimer]
    meters: CoreMeters
    charts: tuple[Timeline, SpeedupChart]
    results: ResultsTable
    footer: KeysFooter
    actions: Widget
    view: View = "tasks"
    width: int = 0
    height: int = 0
    # The timeline's height limit set here on a tall screen; None: its CSS one.
    limit: int | None = None

    @classmethod
    def from_screen(cls, screen: Widget) -> Fitter:
        """The dashboard's widgets, by the ids and types its compose gives them."""
        fixed = ["#machine", "#notes", "#caption", "#run", "#tasks", "#actions"]
        charts = screen.query_one("#charts")
        return cls(
            [*map(screen.query_one, fixed), screen.query_one(KeysFooter)],
            [screen.query_one("#views"), charts],
            (screen.query_one(TaskBars), charts, screen.query_one(BigTimer)),
            screen.query_one(CoreMeters),
            (screen.query_one(Timeline), screen.query_one(SpeedupChart)),
            screen.query_one(ResultsTable),
            screen.query_one(KeysFooter),
            screen.query_one("#actions"),
        )

    @property
    def charts_box(self) -> Widget:
        return self.views[1]

    def resize(self, screen: Widget, width: int, height: int) -> None:
        """Where the height allows, the timeline is on screen with the task bars, and the
        timer takes a larger font."""
        self.width, self.height = width, height
        screen.set_class(both_views_fit(height), "-both-views")
        self.views[2].set_size_step(timer_step(height))
        self.show(self.view)

    def show(self, view: View) -> None:
        """The task bars or the charts, as ``v`` chose; a tall screen keeps the charts
        (the live timeline) on screen with the task bars, where they have the rows."""
        self.view = view
        tasks, charts, _ = self.views
        tasks.display = view == "tasks"
        charts.display = view == "charts" or both_views_fit(self.height)

    def fit(self, screen: Widget) -> None:
        """After each layout: a small charts view keeps the table where the charts leave it
        RESULTS_ROOM rows; the rest share what the widgets not sized here leave."""
        screen.set_class(self._charts_only(), "-charts-only")
        self._fit_heights()

    def _charts_only(self) -> bool:
        if self.view != "charts" or both_views_fit(self.height):
            return False
        timeline, speedup = self.charts
        need = timeline.natural_rows(timeline.size.width)[0]
        need += speedup.rows(speedup.size.width) + speedup.styles.margin.top
        room = self.footer.region.y - self.charts_box.region.y
        # As if the meters had a row each: the rows they grow into are not the table's.
        room += self.meters.outer_size.height - self.meters.natural_rows(self.width)
        return charts_only(room - self.actions.outer_size.height, need)

    def _fit_heights(self) -> None:
        width = self.meters.size.width
        if not width:
            return
        timeline, speedup = self.charts
        others = sum(map(_rows, self.fixed)) + sum(_rows(f, True) for f in self.frames)
        if self.results.display:
            least = self.results.styles.min_height
            rows = 1 + min(self.results.row_count, RESULTS_ROWS)
            others += _rows(self.results, True) + max(rows, int(least.value) if least else 0)
        charts = both_views_fit(self.height) or self.view == "charts"
        if charts:
            others += speedup.rows(width) + speedup.styles.margin.top
        room = self.height - others
        if both_views_fit(self.height):
            # Rows data alone decides (not the timeline's own height): what the meters
            # leave at one row each goes to the timeline, packed to fit as many cores do.
            left = room - self.meters.natural_rows(width)
            charts = self.view == "charts" or left >= LEAST_TIMELINE_ROWS
            self.charts_box.display = charts
            self._limit(timeline, max(1, left))
        else:
            self._limit(timeline, None)
        rows, lanes = timeline.natural_rows(width) if charts else (0, 0)
        stage = Stage(
            self.meters.natural_rows(width),
            int(self.height * METERS_SHARE),
            self.meters.stretches(width),
            rows,
            lanes,
            timeline.max_rows,
        )
        tall, lane = stretch(room, stage)
        self.meters.set_tall(tall)
        timeline.set_tall(lane)

    def _limit(self, timeline: Timeline, rows: int | None) -> None:
        if rows != self.limit:
            self.limit = rows
            timeline.styles.max_height = rows


def fit_width(app: App[None], width: int, machine: str) -> None:
    """The machine's line, the buttons' columns and the footer's keys, to ``width``."""
    app.query_one("#machine", Static).update(fit_parts(machine, width - 2))
    labels = [len(str(button.label)) for button in app.query(ActionButton)]
    columns = button_columns(labels, width)
    app.query_one("#actions").styles.grid_size_columns = columns
    # Toasts stay within the buttons' rows and the footer's (app.tcss).
    rows = -(-len(labels) // columns)
    for many in range(2, BUTTON_ROWS + 1):
        app.set_class(rows == many, f"-buttons-{many}")
    footer = app.query_one(KeysFooter)
    footer.show_command_palette = width >= FOOTER_PALETTE_WIDTH
    footer.narrow = width < FOOTER_ALL_KEYS_WIDTH
