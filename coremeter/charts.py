"""Pictures that stay after a run: a per-core timeline of its tasks and a speedup chart.

Live meters show the present; a talk also needs something the room can compare
once the runs are over. Both widgets draw only from ``RunRecord`` data handed to
``show()``, through the Line API like the other widgets, at eighth-cell resolution.

The layout is pure (``cells``, ``full_runs``, ``place_labels``, ``ticks``,
``timeline_rows``, ``speedup_rows``): what a row shows is decided, and tested,
without a running app; the widgets only paint those rows.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style

from coremeter.results import RunRecord
from coremeter.widgets import _EIGHTHS, _LinesWidget

# Occupants of a cell besides task ids; None is "outside the run": the background.
IDLE = "idle"
BAR, GHOST, TRACK = "bar", "ghost", "track"

# Step candidates for an axis: 1, 2 and 5 times the powers of ten from 0.01 up.
_NICE = tuple(m * 10.0**e for e in range(-2, 5) for m in (1, 2, 5))
_TICK_GAP = 3
# Fewer, evenly spaced labels read better from the back of a room than many.
_TICK_SPACING = 8


class Cell(NamedTuple):
    """One terminal cell: ``left`` fills its first ``eighths`` eighths, ``right`` the rest.

    A tuple, so that comparing rows of cells (to redraw only what changed) runs in C.
    """

    left: Hashable
    right: Hashable
    eighths: int = 8

    @property
    def full(self) -> bool:
        return self.eighths == 8


def cells(spans: Sequence[tuple[Hashable, float, float]], scale: float, width: int) -> list[Cell]:
    """``width`` cells showing 0..``scale``; each span (what, start, end) draws over the ones
    before it, and a span shorter than an eighth still takes one, so no task vanishes.

    Each cell shows what fills it from its left edge, then what is at its right edge, so
    both edges are exact; a third occupant inside one cell (a span shorter than a cell) is
    drawn in the right edge's colour. The work is per span, not per cell: 256 cores at
    200 columns lay out in milliseconds.
    """
    size = max(0, width) * 8
    if scale <= 0:
        return [Cell(None, None)] * max(0, width)
    subs: list[Hashable] = [None] * size
    edges = {0, size}
    for what, start, end in spans:
        first = min(size, max(0, round(start / scale * size)))
        last = round(end / scale * size)
        if end > start:
            last = max(last, first + 1)
        last = min(last, size)
        if last > first:
            subs[first:last] = [what] * (last - first)
            edges.update((first, last))
    row: list[Cell] = []
    for start, end in pairwise(sorted(edges)):
        # Each cell is made by the run its left edge falls in.
        what, column = subs[start], -(-start // 8) * 8
        whole = (end - column) // 8
        if whole > 0:
            row.extend([Cell(what, what)] * whole)
            column += whole * 8
        if column < end:
            row.append(Cell(what, subs[column + 7], end - column))
    return row


def full_runs(row: Sequence[Cell]) -> list[tuple[Hashable, int, int]]:
    """(occupant, first column, length) of each stretch of cells one occupant fills whole."""
    runs, column = [], 0
    for cell, group in groupby(row):
        length = len(list(group))
        if cell.full:
            runs.append((cell.left, column, length))
        column += length
    return runs


def place_labels(
    row: Sequence[Cell], texts: Mapping[Hashable, Sequence[str]]
) -> tuple[tuple[int, str], ...]:
    """(column, text): in each stretch of whole cells, the first of its occupant's texts
    (longest first) that fits with a blank cell either side, centred."""
    placed = []
    for what, column, length in full_runs(row):
        text = next((t for t in texts.get(what, ()) if len(t) + 2 <= length), None)
        if text is not None:
            placed.append((column + (length - len(text)) // 2, text))
    return tuple(placed)


def ticks(
    scale: float, width: int, unit: str, min_step: float = 0.0, end: bool = False
) -> tuple[tuple[int, str], ...]:
    """(column, label) of an axis from 0 to ``scale`` over ``width`` cells: the smallest
    round step whose labels keep a gap between them; with ``end``, ``scale`` itself is
    labelled too, in place of a round tick too close to it. Labels are centred on their
    tick, except where that would run past either edge."""
    if scale <= 0 or width <= 0:
        return ()

    def label(value: float) -> str:
        # Two decimals: the finest step is 0.01, and an end value such as a measured
        # speedup of 2.04218 reads as 2.04.
        return f"{round(value, 2):g}{unit}"

    def count(step: float) -> int:
        return int(scale / step + 1e-9) + 1

    def fits(step: float) -> bool:
        # The step has the most decimals of its multiples, the last tick the most digits.
        widest = max(len(label(step)), len(label((count(step) - 1) * step)))
        return step >= min_step and step / scale * width >= max(widest + _TICK_GAP, _TICK_SPACING)

    step = next((s for s in _NICE if fits(s)), _NICE[-1])
    values = [k * step for k in range(count(step))]
    if end and not math.isclose(values[-1], scale):
        values.append(scale)
    placed: list[tuple[int, str]] = []
    for value in values:
        text = label(value)
        column = min(max(0, round(value / scale * width) - len(text) // 2), width - len(text))
        if placed and column < placed[-1][0] + len(placed[-1][1]) + _TICK_GAP:
            if value != scale:
                continue
            placed.pop()
        placed.append((column, text))
    return tuple(placed)


# -- rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """Tick labels (column, text) under a chart whose cells start at column ``offset``."""

    offset: int
    ticks: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Header:
    """A run's title row: its mode, then how it ended (``state`` picks the colour)."""

    mode: str
    status: str
    state: str
    workload: str
    note: str = ""


@dataclass(frozen=True)
class Lane:
    """One core of a run: its label, its cells, task labels, and where a stopped run was cut."""

    label: str
    cells: tuple[Cell, ...]
    labels: tuple[tuple[int, str], ...]
    cut: int | None


@dataclass(frozen=True)
class Pair:
    """Two cores of a run in one text row, in half blocks: the upper one's occupant of each
    cell is drawn as ▀ over the lower one's; a stopped run is cut at ``cut``."""

    label: str
    upper: tuple[Hashable, ...]
    lower: tuple[Hashable, ...]
    cut: int | None


@dataclass(frozen=True)
class Bar:
    """A mode's speedup bar and its figures; with no cells, ``text`` says why there is no bar."""

    label: str
    cells: tuple[Cell, ...]
    text: str


# What a chart's rows can be; a row is its own key: it is redrawn when it changes.
Row = Header | Lane | Pair | Bar | Axis | Note


# -- the timeline's layout -------------------------------------------------------

# The lane groups, top to bottom. Threads runs are shown: their lanes, each as long
# as the whole run, are the GIL's story told on the same scale as the others.
TIMELINE_MODES = ("sequential", "parallel", "threads")
TIMELINE_HINT = "No runs yet: run sequential, then parallel, to see them here core by core."
# A run with more core rows than this draws two cores a row (64 cores in 32 rows); so
# does any run with more than one when the rows would not fit the chart's height.
PACK_LANES = 32
PACKED_NOTE = "  two cores a row: ▀ upper, ▄ lower"


def latest(records: Sequence[RunRecord], modes: Sequence[str]) -> list[RunRecord]:
    """The last record of each mode that has one, in the order of ``modes``."""
    last = {record.mode: record for record in records}
    return [last[mode] for mode in modes if mode in last]


# (task id, start, end) of the tasks one core ran.
Spans = list[tuple[int, float, float]]


def core_lanes(record: RunRecord) -> list[tuple[str, Spans]]:
    """(label, [(task id, start, end)]) per row: one row per core that ran a task, in core
    order, unpinned tasks last. Tasks that overlap on one core (unpinned workers) stack on
    extra rows. A task still running, or cut by a stop, ends at the run's wall time."""
    by_core: dict[int | None, Spans] = {}
    for task in record.tasks:
        if task.start_s is not None:
            end = record.wall_s if task.end_s is None else task.end_s
            by_core.setdefault(task.core, []).append(
                (task.id, task.start_s, max(end, task.start_s))
            )
    lanes: list[tuple[str, Spans]] = []
    for core in sorted(by_core, key=lambda c: (c is None, c or 0)):
        stacked: list[Spans] = []
        for span in sorted(by_core[core], key=lambda s: s[1]):
            row = next((r for r in stacked if r[-1][2] <= span[1] + 1e-9), None)
            if row is None:
                stacked.append([span])
            else:
                row.append(span)
        label = "unpinned" if core is None else f"cpu{core}"
        lanes.extend((label, row) for row in stacked)
    return lanes


def _header(record: RunRecord, mode_width: int, packed: bool) -> Header:
    """Modes padded to ``mode_width``, so the wall times of the runs stand in one column."""
    if record.state == "running":
        status = f"running · {record.wall_s:.1f} s"
    elif record.state == "done":
        status = f"{record.wall_s:.2f} s" + ("" if record.ok else " · WRONG result")
    else:
        status = f"{record.state} at {record.wall_s:.2f} s{record.detail}"
    state = "failed" if record.state == "done" and not record.ok else record.state
    workload = f"{record.shape}×{record.scale:g}"
    return Header(record.mode.ljust(mode_width), status, state, workload, PACKED_NOTE * packed)


def timeline_rows(
    records: Sequence[RunRecord], width: int, max_rows: int | None = None
) -> list[Row]:
    """Each run's header and core rows, one above the other, and one time axis under all
    of them: every run on the scale of the longest, so lengths compare across runs.

    Many cores are packed two a row; if the rows still exceed ``max_rows``, each run gets
    a share of them, its last row summing up the cores it could not show."""
    if not records:
        return [Note(TIMELINE_HINT)]
    lanes = [core_lanes(r) for r in records]
    packed = [len(run) > PACK_LANES for run in lanes]
    room = None if max_rows is None else max_rows - len(records) - 1
    if room is not None and sum(map(len, lanes)) > room:
        packed = [len(run) > 1 for run in lanes]
    labels = [_labels(run, pack) for run, pack in zip(lanes, packed, strict=True)]
    needs = list(map(len, labels))
    shown = needs if room is None or sum(needs) <= room else _share(needs, room)
    label_width = max((len(label) for run in labels for label in run), default=4)
    chart = _Scale(max(r.wall_s for r in records), max(1, width - label_width - 1))
    mode_width = max(len(r.mode) for r in records)
    rows: list[Row] = []
    for record, run, pack, run_labels, rows_shown in zip(
        records, lanes, packed, labels, shown, strict=True
    ):
        rows.append(_header(record, mode_width, pack))
        # The last row shown sums up the rest, when there is a rest.
        visible = rows_shown if rows_shown == len(run_labels) else rows_shown - 1
        per_row = 2 if pack else 1
        for index, label in enumerate(run_labels[:visible]):
            group = [spans for _, spans in run[index * per_row : (index + 1) * per_row]]
            rows.append(chart.row(record, label.ljust(label_width), group))
        if visible < len(run_labels):
            rows.append(Note(_hidden(run[visible * per_row :], record.wall_s)))
    rows.append(Axis(label_width + 1, ticks(chart.seconds, chart.bars, "s")))
    return rows


@dataclass(frozen=True)
class _Scale:
    """``seconds`` of every run drawn over ``bars`` cells."""

    seconds: float
    bars: int

    def row(self, record: RunRecord, label: str, group: list[Spans]) -> Lane | Pair:
        """One core as a Lane with its task labels, or two as a Pair."""
        cut = self._cut(record, [tid for spans in group for tid, _, _ in spans])
        if len(group) == 2:
            upper, lower = (self._whole_cells(record, spans) for spans in group)
            return Pair(label, upper, lower, cut)
        (spans,) = group
        row = cells([(IDLE, 0.0, record.wall_s), *spans], self.seconds, self.bars)
        texts: dict[Hashable, tuple[str, ...]] = {IDLE: ("idle",)}
        texts.update((tid, (f"t{tid} {end - s:.2f}s", f"t{tid}")) for tid, s, end in spans)
        return Lane(label, tuple(row), place_labels(row, texts), cut)

    def _whole_cells(self, record: RunRecord, spans: Spans) -> tuple[Hashable, ...]:
        """Half a text row has no eighths: a cell shows the last task to touch it, however
        briefly (so no task vanishes), else idle while the run lasted."""
        row: list[Hashable] = [None] * self.bars
        if not self.seconds:
            return tuple(row)

        def column(seconds: float) -> int:
            return min(self.bars, max(0, round(seconds / self.seconds * self.bars)))

        row[: column(record.wall_s)] = [IDLE] * column(record.wall_s)
        for tid, start, end in spans:
            first = min(self.bars - 1, int(start / self.seconds * self.bars))
            last = max(first + 1, column(end))
            row[first:last] = [tid] * (last - first)
        return tuple(row)

    def _cut(self, record: RunRecord, task_ids: list[int]) -> int | None:
        """Where a stopped run cut one of these tasks short: the cell after the last one
        drawn, inside the chart."""
        if record.state in ("running", "done") or not self.seconds:
            return None
        ids = set(task_ids)
        if all(t.end_s is not None for t in record.tasks if t.id in ids):
            return None
        return min(self.bars - 1, math.ceil(record.wall_s / self.seconds * self.bars))


def _labels(run: list[tuple[str, Spans]], packed: bool) -> list[str]:
    """A label per text row: a packed row's names both cores, "cpu0/1"."""
    if not packed:
        return [label for label, _ in run]
    pairs = [run[i : i + 2] for i in range(0, len(run), 2)]
    return [
        "/".join([pair[0][0], *(label.removeprefix("cpu") for label, _ in pair[1:])])
        if len({label for label, _ in pair}) > 1
        else pair[0][0]
        for pair in pairs
    ]


def _share(needs: list[int], room: int) -> list[int]:
    """Rows for each run when not all fit: small runs all they need, the others an even
    share of what is left; at least one each, for its summary row."""
    shares = [0] * len(needs)
    left = room
    order = sorted(range(len(needs)), key=needs.__getitem__)
    for done, index in enumerate(order):
        shares[index] = min(needs[index], max(1, left // (len(needs) - done)))
        left -= shares[index]
    return shares


def _hidden(run: list[tuple[str, Spans]], wall_s: float) -> str:
    """The summary of the core rows a run could not show: which, and how busy they were."""
    busy = sum(end - start for _, spans in run for _, start, end in spans)
    share = busy / (len(run) * wall_s) if wall_s > 0 else 0.0
    where = run[0][0] if len(run) == 1 else f"{run[0][0]} to {run[-1][0]}"
    return f"+ {len(run)} more cores ({where}), busy {share:.0%} of the run"


# -- the speedup chart's layout ----------------------------------------------------

SPEEDUP_MODES = ("parallel", "threads")
SPEEDUP_HINT = "Speedups appear here once a sequential and a parallel run have finished."


def speedup_rows(records: Sequence[RunRecord], width: int) -> list[Row]:
    """One bar per mode, the latest good run of each: the measured speedup, a ghost of the
    bound up to which the task sizes allow, and a track to the core count, which ends the
    row. All rows share one scale, ended by the largest core count (or speedup)."""
    good = latest([r for r in records if r.ok], SPEEDUP_MODES)
    measured = {r.mode: r for r in good if r.speedup is not None}
    if not measured:
        return [Note(SPEEDUP_HINT)]
    texts = {
        mode: f"{r.speedup:.2f}x  bound {r.bound:.2f}x  {len(r.cores)} cores"
        for mode, r in measured.items()
    }
    label_width = max(map(len, SPEEDUP_MODES)) + 1
    bars = max(1, width - label_width - max(map(len, texts.values())) - 1)
    scale = max(max(len(r.cores), r.speedup) for r in measured.values())
    rows: list[Row] = []
    for mode in SPEEDUP_MODES:
        record = measured.get(mode)
        label = mode.ljust(label_width)
        if record is None:
            baseless = any(r.mode == mode for r in good)
            rows.append(
                Bar(
                    label,
                    (),
                    "no sequential run of its workload before it" if baseless else "not run yet",
                )
            )
            continue
        spans = [(TRACK, 0, len(record.cores)), (GHOST, 0, record.bound), (BAR, 0, record.speedup)]
        rows.append(Bar(label, tuple(cells(spans, scale, bars)), texts[mode]))
    rows.append(Axis(label_width, ticks(scale, bars, "x", min_step=1, end=True)))
    return rows


# -- the widgets -------------------------------------------------------------------


class _Chart(_LinesWidget):
    """Rows laid out once per input and width, then painted; ``show()`` with the same
    inputs as last time costs one comparison and draws nothing."""

    COMPONENT_CLASSES = {"chart--label", "chart--muted"}
    DEFAULT_CSS = """
    _Chart {
        & > .chart--label { text-style: bold; }
        & > .chart--muted { color: $foreground-darken-2; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._records: tuple[RunRecord, ...] = ()
        self._laid_out: tuple[tuple[int, int], list[Row]] | None = None

    def lay_out(self, records: Sequence[RunRecord], width: int, max_rows: int) -> list[Row]:
        raise NotImplementedError

    def paint_row(self, row: Row) -> list[Segment]:
        raise NotImplementedError

    def cell_style(self, what: Hashable) -> Style:
        """How a whole cell of ``what`` looks: its background is the occupant's colour."""
        raise NotImplementedError

    def _take(self, records: Sequence[RunRecord]) -> None:
        records = tuple(records)
        if records == self._records:
            return
        self._records, self._laid_out = records, None
        self.redraw_changed_rows()

    def _rows(self, width: int) -> list[Row]:
        key = (width, self.max_rows)
        if self._laid_out is None or self._laid_out[0] != key:
            self._laid_out = (key, self.lay_out(self._records, width, self.max_rows))
        return self._laid_out[1]

    def rows(self, width: int) -> int:
        return len(self._rows(width))

    def row_key(self, y: int, width: int) -> tuple:
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
                char, style = " ", self.cell_style(cell.left)
            else:
                left, right = self.cell_style(cell.left), self.cell_style(cell.right)
                char, style = (
                    _EIGHTHS[cell.eighths],
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


class Timeline(_Chart):
    """The last run of each mode, core by core over time, like Dask's task stream: each
    task in its own colour, idle cores as an empty track, every run on one time scale."""

    TASK_COLOURS = 8
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
        & > .timeline--cut { background: $error; color: white; text-style: bold; }
        & > .timeline--mode { text-style: bold; }
        & > .timeline--running { color: $accent; text-style: bold; }
        & > .timeline--done { color: $success; text-style: bold; }
        & > .timeline--cancelled { color: $warning; text-style: bold; }
        & > .timeline--failed { color: $error; text-style: bold; }
    }
    """

    def show(self, records: Sequence[RunRecord], live: RunRecord | None = None) -> None:
        """``records``: the session's log; ``live``: the run in progress, its wall time the
        time so far. It replaces the last logged run of its mode until it ends."""
        self._take(latest([*records, *([live] if live else [])], TIMELINE_MODES))

    def lay_out(self, records: Sequence[RunRecord], width: int, max_rows: int) -> list[Row]:
        return timeline_rows(records, width, max_rows)

    def cell_style(self, what: Hashable) -> Style:
        if isinstance(what, int):
            return self.style(f"timeline--task-{what % self.TASK_COLOURS}")
        return Style(bgcolor=self.style("timeline--idle" if what == IDLE else "").bgcolor)

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
        assert isinstance(row, Lane)
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


class SpeedupChart(_Chart):
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
        return speedup_rows(records, width)

    def cell_style(self, what: Hashable) -> Style:
        return Style(bgcolor=self.style(f"speedup--{what}" if what else "").bgcolor)

    def paint_row(self, row: Row) -> list[Segment]:
        assert isinstance(row, Bar)
        label = Segment(row.label, self.style("chart--label"))
        if not row.cells:
            return [label, Segment(row.text, self.style("chart--muted"))]
        return [label, *self.paint(row.cells, {}), Segment(" " + row.text)]
