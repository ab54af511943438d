"""Pictures that stay after a run: a per-core timeline of its tasks and a speedup chart.

Live meters show the present; a talk also needs something the room can compare
once the runs are over. Both widgets draw only from ``RunRecord`` data handed to
``show()``, through the Line API like the other widgets, at eighth-cell resolution.
What a row shows is decided, and tested, in ``tui.layout``; these only paint rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Mapping, Sequence
from itertools import groupby
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size

from coremeter.results import RunRecord
from coremeter.tui.layout.beside import Beside, beside_speedups, beside_timeline
from coremeter.tui.layout.blocks import EIGHTHS
from coremeter.tui.layout.cache import Cached
from coremeter.tui.layout.cells import IDLE, Cell
from coremeter.tui.layout.rows import Axis, Bar, CoreRow, Header, Note, Pair, Row
from coremeter.tui.layout.shading import HEIGHTS, Shaded
from coremeter.tui.layout.speedup import speedup_rows
from coremeter.tui.layout.timeline import (
    lanes,
    stretch_lanes,
    timeline_rows,
    timeline_runs,
)
from coremeter.tui.widgets.lines import LinesWidget


class Chart(LinesWidget):
    """Rows laid out once per input and width, then painted; ``show()`` with the same
    inputs as last time costs one comparison and draws nothing."""

    COMPONENT_CLASSES = {"chart--label", "chart--muted"}
    DEFAULT_CSS = """
    Chart {
        & > .chart--label { text-style: bold; }
        & > .chart--muted { color: $foreground-darken-2; }
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._records: tuple[RunRecord, ...] = ()
        # Another recording's runs, drawn under these (coremeter replay A B).
        self.beside: Beside | None = None
        self._laid_out: Cached[tuple[int, int], list[Row]] = Cached(self._lay_out_at)

    def lay_out(self, records: Sequence[RunRecord], width: int, max_rows: int) -> list[Row]:
        raise NotImplementedError

    def paint_row(self, row: Row) -> list[Segment]:
        raise NotImplementedError

    def cell_style(self, what: Hashable) -> Style:
        """How a whole cell of ``what`` looks: its background is the occupant's colour."""
        raise NotImplementedError

    def whole_cell(self, what: Hashable) -> tuple[str, Style]:
        """The character and style of a cell ``what`` fills: a blank in its colour."""
        return " ", self.cell_style(what)

    def _take(self, records: Sequence[RunRecord]) -> None:
        records = tuple(records)
        if records == self._records:
            return
        self._records = records
        self._laid_out.clear()
        self.redraw_changed_rows()

    def _rows(self, width: int) -> list[Row]:
        return self._laid_out.get((width, self.max_rows))

    def _lay_out_at(self, size: tuple[int, int]) -> list[Row]:
        width, max_rows = size
        return self.lay_out(self._records, width, max_rows)

    def rows(self, width: int) -> int:
        return len(self._rows(width))

    def row_key(self, y: int, width: int) -> tuple[object, ...]:
        return (self._rows(width)[y],)

    def row_segments(self, y: int, width: int) -> list[Segment]:
        row = self._rows(width)[y]
        if isinstance(row, Note):
            return [Segment(row.text, self.style("chart--muted"))]
        if isinstance(row, Axis):
            line = ""
            for column, text in row.ticks:
                line = line.ljust(row.offset + column) + text
            return [Segment(line, self.style("chart--muted"))]
        return self.paint_row(row)

    def paint(self, row: Sequence[Cell], overlay: Mapping[int, tuple[str, Style]]) -> list[Segment]:
        """Whole cells in their occupant's style, a shared cell as an eighth block (its left
        occupant's colour on its right one's), and ``overlay`` texts (column: text, style
        added) written over cells, each inside one stretch of identical cells.

        One segment per stretch, not per cell: a row is a handful of segments at any width."""
        marks = sorted(overlay)
        segments = []
        column = 0
        for cell, group in groupby(row):
            end = column + len(list(group))
            if cell.full:
                char, style = self.whole_cell(cell.left)
            else:
                left, right = self.cell_style(cell.left), self.cell_style(cell.right)
                char, style = (
                    EIGHTHS[cell.eighths],
                    Style(color=left.bgcolor, bgcolor=right.bgcolor),
                )
            for mark in marks[bisect_left(marks, column) : bisect_left(marks, end)]:
                text, extra = overlay[mark]
                segments.append(Segment(char * (mark - column), style))
                segments.append(Segment(text, self.cell_style(cell.left) + extra))
                column = mark + len(text)
            segments.append(Segment(char * (end - column), style))
            column = end
        return [segment for segment in segments if segment.text]


class Timeline(Chart):
    """The last run of each mode and the baselines of their speedups, core by core over
    time, like Dask's task stream: each task in its own colour, idle cores as an empty
    track, every run on one time scale, each header naming its run and its baseline."""

    TASK_COLOURS = 8
    # How many of the runs drawn are the playing recording's, the rest ``beside``'s.
    _mine = 0
    COMPONENT_CLASSES = {
        *(f"timeline--task-{i}" for i in range(TASK_COLOURS)),
        "timeline--idle",
        "timeline--cut",
        "timeline--mode",
        "timeline--running",
        "timeline--done",
        "timeline--cancelled",
        "timeline--failed",
    }
    # Bright enough for black labels, and told apart by colour-blind viewers first for
    # the seed's three tasks (Okabe-Ito's sky blue, orange, bluish green, then others).
    DEFAULT_CSS = """
    Timeline {
        & > .timeline--task-0 { background: #56B4E9; color: black; }
        & > .timeline--task-1 { background: #E69F00; color: black; }
        & > .timeline--task-2 { background: #2EBF91; color: black; }
        & > .timeline--task-3 { background: #F0E442; color: black; }
        & > .timeline--task-4 { background: #CC79A7; color: black; }
        & > .timeline--task-5 { background: #F4845F; color: black; }
        & > .timeline--task-6 { background: #9DA9F5; color: black; }
        & > .timeline--task-7 { background: #B8E07A; color: black; }
        & > .timeline--idle { background: $surface-lighten-1; }
        & > .timeline--cut { background: $error; color: $background; text-style: bold; }
        & > .timeline--mode { text-style: bold; }
        & > .timeline--running { color: $accent; text-style: bold; }
        & > .timeline--done { color: $success; text-style: bold; }
        & > .timeline--cancelled { color: $warning; text-style: bold; }
        & > .timeline--failed { color: $error; text-style: bold; }
    }
    """

    def show(self, records: Sequence[RunRecord], live: RunRecord | None = None) -> None:
        """``records``: the runs to compare; ``live``: the run in progress, its wall time
        the time so far (see timeline_runs for which are drawn); and ``beside``'s."""
        runs = timeline_runs(records, live)
        self._mine = len(runs)
        self._take(runs if self.beside is None else self.beside.timeline_runs(runs))

    def take_room(self, container: Size, viewport: Size) -> None:
        if self._laid_tall != self.tall:
            self._laid_tall = self.tall
            self._laid_out.clear()
        super().take_room(container, viewport)

    def natural_rows(self, width: int) -> tuple[int, int]:
        """Its rows at one row a lane, and how many of them are lanes that could grow."""
        rows = self._timeline_rows(self._records, width, self.max_rows)
        return len(rows), lanes(rows)

    def lay_out(self, records: Sequence[RunRecord], width: int, max_rows: int) -> list[Row]:
        return stretch_lanes(self._timeline_rows(records, width, max_rows), self._laid_tall)

    def _timeline_rows(self, records: Sequence[RunRecord], width: int, max_rows: int) -> list[Row]:
        if self.beside is None:
            return timeline_rows(records, width, max_rows)
        return beside_timeline(records, self._mine, self.beside, width, max_rows)

    def cell_style(self, what: Hashable) -> Style:
        if isinstance(what, Shaded):
            return self.cell_style(what.task)
        if isinstance(what, int):
            return self.style(f"timeline--task-{what % self.TASK_COLOURS}")
        return Style(bgcolor=self.style("timeline--idle" if what == IDLE else "").bgcolor)

    def whole_cell(self, what: Hashable) -> tuple[str, Style]:
        """A shaded cell: a block as high as its thread's share, on the idle track."""
        if isinstance(what, Shaded):
            colour = self.cell_style(what.task).bgcolor
            track = self.cell_style(IDLE).bgcolor
            return HEIGHTS[what.eighths], Style(color=colour, bgcolor=track)
        return super().whole_cell(what)

    def paint_row(self, row: Row) -> list[Segment]:
        if isinstance(row, Header):
            return [
                Segment(row.mode, self.style("timeline--mode")),
                Segment("  "),
                Segment(row.status, self.style(f"timeline--{row.state}")),
                Segment("  " + row.workload + row.note, self.style("chart--muted")),
            ]
        if isinstance(row, Pair):
            return [Segment(row.label + " ", self.style("chart--label")), *self._paint_pair(row)]
        assert isinstance(row, CoreRow)
        bold, muted = Style(bold=True), self.style("chart--muted")
        overlay = {
            column: (text, muted if row.cells[column].left == IDLE else bold)
            for column, text in row.labels
        }
        if row.cut is not None:
            overlay[row.cut] = ("✕", self.style("timeline--cut"))
        return [
            Segment(row.label + " ", self.style("chart--label")),
            *self.paint(row.cells, overlay),
        ]

    def _paint_pair(self, row: Pair) -> list[Segment]:
        """▀ in the upper core's colour on the lower one's; a blank where they agree; ✕
        where a stopped run was cut. One segment per stretch of equal cells."""
        segments = []
        column = 0
        for (upper, lower), group in groupby(zip(row.upper, row.lower, strict=True)):
            length = len(list(group))
            top, bottom = self.cell_style(upper), self.cell_style(lower)
            if upper == lower:
                segments.append(Segment(" " * length, top))
            else:
                segments.append(
                    Segment("▀" * length, Style(color=top.bgcolor, bgcolor=bottom.bgcolor))
                )
            column += length
        if row.cut is None:
            return segments
        before, _, after = Segment.divide(segments, [row.cut, row.cut + 1, column])
        return [*before, Segment("✕", self.style("timeline--cut")), *after]


class SpeedupChart(Chart):
    """Measured speedup per mode against the bound its task sizes allow and its core count."""

    COMPONENT_CLASSES = {"speedup--bar", "speedup--ghost", "speedup--track"}
    DEFAULT_CSS = """
    SpeedupChart {
        & > .speedup--bar { background: $success; }
        & > .speedup--ghost { background: $success-darken-3; }
        & > .speedup--track { background: $surface-lighten-1; }
    }
    """

    def show(self, records: Sequence[RunRecord]) -> None:
        """``records``: the session's log; only runs that ended well count."""
        self._take(records)

    def lay_out(self, records: Sequence[RunRecord], width: int, max_rows: int) -> list[Row]:
        if self.beside is None:
            return speedup_rows(records, width)
        return beside_speedups(records, self.beside, width)

    def cell_style(self, what: Hashable) -> Style:
        return Style(bgcolor=self.style(f"speedup--{what}" if what else "").bgcolor)

    def paint_row(self, row: Row) -> list[Segment]:
        assert isinstance(row, Bar)
        label = Segment(row.label, self.style("chart--label"))
        if not row.cells:
            return [label, Segment(row.text, self.style("chart--muted"))]
        return [label, *self.paint(row.cells, {}), Segment(" " + row.text)]
