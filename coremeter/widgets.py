"""Small display-only widgets for the dashboard: the data stays in the engine.

Meters, task bars and the timer redraw several times a second, so they use the Line
API (``render_line`` returning Strips): measured at about a quarter of the CPU of
ProgressBars. Each keeps the key of what it last drew and refreshes only the rows
whose key changed.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.geometry import Region, Size
from textual.renderables.digits import Digits as DigitsFont
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Digits, Static

from coremeter.cores import format_core_list
from coremeter.results import ResultsLog, RunRecord, TaskRecord

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = "▁▂▃▄▅▆▇█"


def bar_segments(fraction: float, width: int, fill: Style, empty: Style) -> list[Segment]:
    """A bar with eighth-cell resolution, so a slow task still visibly moves."""
    if width <= 0:
        return []
    eighths = round(min(max(fraction, 0.0), 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    segments = [Segment("█" * full, fill)]
    if full < width:
        # The partial cell draws the fill colour on the empty background.
        partial = fill + Style(bgcolor=empty.bgcolor)
        segments.append(Segment(_EIGHTHS[part], partial))
        segments.append(Segment(" " * (width - full - 1), empty))
    return segments


def sparkline(values: Sequence[float]) -> str:
    """Percent values as block characters, one cell each."""
    top = len(_SPARKS) - 1
    return "".join(_SPARKS[min(top, max(0, int(v / 100 * top + 0.5)))] for v in values)


def compact_count(n: int) -> str:
    """Iterations as 60.0M or 200k: the size column has six cells, not eleven."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1_000:
        return f"{n / 1_000:.0f}k"
    return str(n)


class _LinesWidget(Widget):
    """Rows drawn by the Line API; subclasses say what each row shows and its key.

    One widget holds all its rows: each widget a screen update visits costs CPU even
    when it has not changed, and a refresh names only the rows whose key changed.
    Textual also drops a widget's computed styles on every refresh; recomputing them
    cost more than drawing the rows, so they are kept until the styles really change.
    """

    DEFAULT_CSS = """
    _LinesWidget { height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys: list[tuple] = []
        self._styles: dict[str, Style] = {}
        # The rows its max-height allows (unbounded without one): a subclass lays out its
        # items to fit, rather than have Textual cut off the rows past it.
        self.max_rows = sys.maxsize

    def rows(self, width: int) -> int:
        raise NotImplementedError

    def row_key(self, y: int, width: int) -> tuple:
        raise NotImplementedError

    def row_segments(self, y: int, width: int) -> list[Segment]:
        raise NotImplementedError

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        limit = self.styles.max_height
        if limit is not None:
            self.max_rows = max(1, int(limit.resolve(container, viewport)))
        return self.rows(width)

    def redraw_changed_rows(self) -> None:
        """Refresh only the rows whose key changed since the last call.

        Hidden (no width), refresh every row instead: Textual keeps a widget's drawn
        lines, and a row refreshed at no width was never redrawn when the widget came
        back, so a chart updated in the other view showed the previous run."""
        width = self.size.width
        keys = [self.row_key(y, width) for y in range(self.rows(width))]
        if len(keys) != len(self._keys):
            self.refresh(layout=True)
        elif not width:
            self.refresh()
        else:
            for y, (old, new) in enumerate(zip(self._keys, keys, strict=True)):
                if old != new:
                    self.refresh(Region(0, y, width, 1))
        self._keys = keys

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.style("")
        if y >= self.rows(width):
            return Strip.blank(width, base)
        strip = Strip(self.row_segments(y, width))
        return strip.apply_style(base).adjust_cell_length(width, base)

    def style(self, component: str) -> Style:
        """A component's partial style, or the widget's own for ``""``."""
        style = self._styles.get(component)
        if style is None:
            style = (
                self.get_component_rich_style(component, partial=True)
                if component
                else self.rich_style
            )
            self._styles[component] = style
        return style


# -- many cores: forms, grids and summaries ----------------------------------------

# htop's rule: eight rows of meters before a second column.
METER_ROWS = 8


@dataclass(frozen=True)
class Form:
    """One way to draw an item: its narrowest cell, the blank between columns, and whether
    items run along the rows (a strip) or down the columns (meters, as htop has them)."""

    name: str
    width: int
    gutter: int = 2
    across: bool = False

    def cell(self, width: int, columns: int) -> int:
        return (width - self.gutter * (columns - 1)) // columns


@dataclass(frozen=True)
class Grid:
    """Where a widget's items go: ``rows`` rows of ``columns`` cells ``cell`` wide. Only the
    first ``shown`` items are drawn; with ``summary``, one more row sums up the others (or,
    when all are shown, all of them), so no item is ever dropped without a word. Along a
    strip, items come in runs of ``group`` (a physical core's threads): each band of
    ``group`` rows holds the same runs, one thread a row."""

    form: Form
    columns: int
    rows: int
    cell: int
    shown: int
    summary: bool = False
    group: int = 1

    @property
    def height(self) -> int:
        return self.rows + self.summary

    def items(self, y: int) -> range:
        """The indices of the items on row ``y``."""
        if self.form.across:
            band, thread = divmod(y, self.group)
            start = band * self.columns * self.group
            return range(
                start + thread, min(self.shown, start + self.columns * self.group), self.group
            )
        return range(y, self.shown, self.rows)


def grid(
    count: int,
    width: int,
    max_rows: int,
    forms: Sequence[Form],
    *,
    prefer_rows: int = METER_ROWS,
    group: int = 1,
) -> Grid | None:
    """The first of ``forms`` (richest first) whose cells fit all ``count`` items in
    ``max_rows`` rows, or None. Columns are as many as ``prefer_rows`` rows need, fewer (so
    wider) where those cells would be too narrow. Items in a ``group`` (the hyperthreads of
    one core) stay in one column when rows can be rounded to a multiple of it."""
    max_rows = max(1, max_rows)
    if count == 0:
        return Grid(forms[0], 1, 0, width, 0)
    for form in forms:
        most = math.ceil(count / min(prefer_rows, max_rows))
        for columns in range(most, math.ceil(count / max_rows) - 1, -1):
            if form.cell(width, columns) < form.width:
                continue
            rows = math.ceil(count / columns)
            if math.ceil(rows / group) * group <= max_rows:
                rows = math.ceil(rows / group) * group
            columns = math.ceil(count / rows)
            return Grid(form, columns, rows, form.cell(width, columns), count)
    return None


def summary_grid(count: int, width: int, max_rows: int, form: Form) -> Grid:
    """As many cells of ``form`` as fit in ``max_rows`` - 1 rows, and a summary row of the
    rest; never more rows than the items need (a widget not laid out yet has no limit)."""
    columns = max(1, (width + form.gutter) // (form.width + form.gutter))
    rows = min(max(0, max_rows - 1), math.ceil(count / columns))
    shown = min(count, rows * columns)
    return Grid(form, columns, rows, form.cell(width, columns), shown, shown < count)


STRIP = Form("strip", 1, gutter=1, across=True)
# Gauges per group in a strip; groups stand a blank apart, so a core can be counted out.
STRIP_GROUP = 8


def strip_grid(count: int, width: int, max_rows: int, label: int, group: int = 1) -> Grid:
    """One small gauge per core after a ``label`` wide row label, in runs of eight along
    the rows, each gauge as wide as the rows allow (three cells, two, one), with a summary
    row: the average load and how many cores are busy, and any cores that did not fit.
    The threads of a physical core (``group`` of them) stand one above the other."""
    bands_left = max(0, max_rows - 1) // group
    for gauge in (3, 2, 1):
        per_row = max(1, (width - label + 1) // (STRIP_GROUP * gauge + 1)) * STRIP_GROUP
        bands = math.ceil(count / (per_row * group))
        if bands <= bands_left or gauge == 1:
            bands = min(bands, bands_left)
            # As many cores in each band: 64 cores as 32 and 32, not 48 and 16.
            even = math.ceil(count / group / max(1, bands) / STRIP_GROUP) * STRIP_GROUP
            per_row = min(per_row, even)
            shown = min(count, bands * per_row * group)
            return Grid(STRIP, per_row, bands * group, gauge, shown, True, group)
    raise AssertionError("unreachable: a one-cell gauge always returns")


def physical_groups(cores: Sequence[int], siblings: Mapping[int, Sequence[int]]) -> list[list[int]]:
    """The cores by physical core: hyperthreads of one core side by side, in core order.

    Only siblings among ``cores`` count: a core whose sibling is not selected runs alone."""
    chosen = set(cores)

    def physical(core: int) -> int:
        return min(chosen.intersection(siblings.get(core, ())) | {core})

    ordered = sorted(cores, key=lambda core: (physical(core), core))
    return [list(group) for _, group in groupby(ordered, key=physical)]


def _thread_mark(index: int, size: int) -> str:
    """A bracket joining the labels of one physical core's threads, one above the other."""
    if size == 1:
        return " "
    return "┌" if index == 0 else "└" if index == size - 1 else "├"


class CoreMeters(_LinesWidget):
    """One meter per core: label, load bar, percent, then a short history and who is
    pinned there where they fit. More cores than rows spread over columns, as htop does;
    with more, meters shrink to a number and a bar, then to one gauge per core in a strip
    with a summary row; never is a core left out without a word. The hyperthreads of one
    physical core stand together, their labels joined by a bracket (┌ └)."""

    COMPONENT_CLASSES = {
        "meter--label",
        "meter--fill",
        "meter--hot",
        "meter--empty",
        "meter--history",
        "meter--pinned",
        "meter--summary",
    }
    DEFAULT_CSS = """
    CoreMeters {
        & > .meter--label { text-style: bold; }
        & > .meter--fill { color: $success; }
        & > .meter--hot { color: $warning; }
        & > .meter--empty { background: $surface-lighten-1; }
        & > .meter--history { color: $foreground-darken-3; }
        & > .meter--pinned { color: $text-muted; }
        & > .meter--summary { color: $text-muted; }
    }
    """
    HOT = 80.0
    DEADBAND = 3.0

    def __init__(
        self,
        cores: Sequence[int],
        siblings: Mapping[int, Sequence[int]] | None = None,
        **kwargs,
    ) -> None:
        """``siblings``: Machine.siblings, each core's hyperthreads (itself included)."""
        super().__init__(**kwargs)
        self.cores = list(cores)
        self.percent = dict.fromkeys(self.cores, 0.0)
        self.history: dict[int, tuple[float, ...]] = {core: () for core in self.cores}
        self.pinned = dict.fromkeys(self.cores, "")
        groups = physical_groups(self.cores, siblings or {})
        self.order = [core for group in groups for core in group]
        self.threads = any(len(group) > 1 for group in groups)
        self.marks = {
            core: _thread_mark(index, len(group)) if self.threads else ""
            for group in groups
            for index, core in enumerate(group)
        }
        sizes = {len(group) for group in groups}
        self._group = sizes.pop() if len(sizes) == 1 else 1
        self._physical = len(groups)
        top = max(self.cores)
        # "cpu0  " as it always was; wider for cpu100 and up, never cut to an ambiguous "cpu10".
        self._label = max(6, len(f"cpu{top} "))
        self._digits = len(str(top))
        mark = 1 if self.threads else 0
        # What a meter holds besides its bar: the label and the percent (" 100%"); a mini
        # meter's number has its bar straight after it (the track tells them apart).
        self._meter_text = mark + self._label + 5
        self._mini_text = mark + self._digits + 4
        self._meter = Form("meter", self._meter_text + 4)
        self._mini = Form("mini", self._mini_text + 2)
        self._laid_out: tuple[tuple[int, int], Grid] | None = None

    def show(
        self,
        percent: Mapping[int, float],
        history: Mapping[int, Iterable[float]],
        pinned: Mapping[int, str],
    ) -> None:
        """Take new values; a row is redrawn only when what it shows changes.

        A 100 ms reading moves in steps of about 10 points (/proc/stat counts 100
        ticks a second), so a change under DEADBAND points is noise, not news: it
        would cost a screen update for nothing. 0 and 100 are always shown exactly.
        """
        for core in self.cores:
            new, old = percent[core], self.percent[core]
            if abs(new - old) >= self.DEADBAND or (
                round(new) in (0, 100) and round(new) != round(old)
            ):
                self.percent[core] = new
            self.history[core] = tuple(history[core])
            self.pinned[core] = pinned.get(core, "")
        self.redraw_changed_rows()

    def grid(self, width: int) -> Grid:
        """Meters if they fit, else mini meters, else the strip; laid out once per size."""
        key = (width, self.max_rows)
        if self._laid_out is None or self._laid_out[0] != key:
            count = len(self.order)
            forms = (self._meter, self._mini)
            laid_out = grid(count, width, self.max_rows, forms, group=self._group)
            if laid_out is None:
                label = len(self._number(self.order[0])) + 1
                laid_out = strip_grid(count, width, self.max_rows, label, self._group)
            self._laid_out = (key, laid_out)
        return self._laid_out[1]

    def rows(self, width: int) -> int:
        return self.grid(width).height

    def _meter_widths(self, cell: int) -> tuple[int, int, int]:
        """Bar, history and pinned widths for a meter ``cell`` wide."""
        history = 16 if cell >= 70 else 8 if cell >= 50 else 0
        pinned = 20 if cell >= 60 else 0
        extras = (history + 1 if history else 0) + (pinned + 1 if pinned else 0)
        return max(4, cell - self._meter_text - extras), history, pinned

    def _mini_bar(self, cell: int) -> int:
        return max(2, cell - self._mini_text)

    def row_key(self, y: int, width: int) -> tuple:
        layout = self.grid(width)
        if y == layout.rows:
            return (self._summary(layout),)
        cores = [self.order[i] for i in layout.items(y)]
        if layout.form is STRIP:
            return tuple(self._gauge(core) for core in cores)
        if layout.form is self._mini:
            bar, history, pinned = self._mini_bar(layout.cell), 0, 0
        else:
            bar, history, pinned = self._meter_widths(layout.cell)
        return tuple(
            (
                round(self.percent[core]),
                round(self.percent[core] * bar * 8 / 100),
                sparkline(self.history[core][-history:]) if history else "",
                self.pinned[core] if pinned else "",
            )
            for core in cores
        )

    def row_segments(self, y: int, width: int) -> list[Segment]:
        layout = self.grid(width)
        if y == layout.rows:
            return [Segment(self._summary(layout), self.style("meter--summary"))]
        cores = [self.order[i] for i in layout.items(y)]
        if layout.form is STRIP:
            return self._strip(cores, layout.cell)
        draw = self._draw_mini if layout.form is self._mini else self._draw_meter
        segments: list[Segment] = []
        for index, core in enumerate(cores):
            if index:
                segments.append(Segment(" " * layout.form.gutter))
            segments.extend(draw(core, layout.cell))
        return segments

    def _fill(self, core: int) -> Style:
        return self.style("meter--hot" if self.percent[core] >= self.HOT else "meter--fill")

    def _draw_meter(self, core: int, cell: int) -> list[Segment]:
        bar, history, pinned = self._meter_widths(cell)
        percent = self.percent[core]
        segments = [
            self._core_label(core),
            *bar_segments(percent / 100, bar, self._fill(core), self.style("meter--empty")),
            Segment(f"{percent:4.0f}%"),
        ]
        if history:
            spark = sparkline(self.history[core][-history:]).rjust(history, _SPARKS[0])
            segments.append(Segment(" " + spark, self.style("meter--history")))
        if pinned:
            label = self.pinned[core][:pinned].ljust(pinned)
            segments.append(Segment(" " + label, self.style("meter--pinned")))
        return segments

    def _core_label(self, core: int) -> Segment:
        return Segment(
            self.marks[core] + f"cpu{core}".ljust(self._label), self.style("meter--label")
        )

    def _draw_mini(self, core: int, cell: int) -> list[Segment]:
        percent = self.percent[core]
        bar = bar_segments(
            percent / 100, self._mini_bar(cell), self._fill(core), self.style("meter--empty")
        )
        label = Segment(self._number(core), self.style("meter--label"))
        return [label, *bar, Segment(f"{percent:4.0f}")]

    def _number(self, core: int) -> str:
        """A short label: the core's number, right-aligned, after its thread mark."""
        return f"{self.marks[core]}{core:>{self._digits}}"

    def _gauge(self, core: int) -> tuple[str, bool]:
        """One core in a strip: a block as high as its load, and whether it is hot."""
        return sparkline([self.percent[core]]), self.percent[core] >= self.HOT

    def _strip(self, cores: list[int], gauge: int) -> list[Segment]:
        """The row's first core as its label, then the gauges, a blank between runs."""
        track = Style(bgcolor=self.style("meter--empty").bgcolor)
        segments = [Segment(self._number(cores[0]) + " ", self.style("meter--label"))]
        for index, core in enumerate(cores):
            if index and index % STRIP_GROUP == 0:
                segments.append(Segment(" "))
            block, _ = self._gauge(core)
            segments.append(Segment(block * max(1, gauge - 1), self._fill(core) + track))
            if gauge > 1:
                segments.append(Segment(" "))
        return segments

    def _summary(self, layout: Grid) -> str:
        """The average load and the busy count of the cores not drawn, or of all of them
        under a strip, whose gauges show no figures."""
        rest = self.order[layout.shown :]
        percents = [self.percent[core] for core in rest or self.order]
        load = f"avg {sum(percents) / len(percents):.0f}%, "
        load += f"{sum(p >= self.HOT for p in percents)} busy"
        if rest:
            return f"+ {len(rest)} more cores: {load}"
        threads = f", {self._physical} physical (┌ └: one core's threads)" if self.threads else ""
        return f"{len(self.order)} cores{threads}: {load}"


class TaskBars(_LinesWidget):
    """One bar per task of the current run: id, size, core, progress, and its own time.

    More tasks than rows (a balanced run has one per core) spread over columns of short
    bars; past what those hold, a summary row counts the rest, done, running and waiting.
    """

    COMPONENT_CLASSES = {
        "task--label",
        "task--fill",
        "task--done",
        "task--empty",
        "task--time",
        "task--summary",
    }
    DEFAULT_CSS = """
    TaskBars {
        & > .task--label { color: $text-muted; }
        & > .task--fill { color: $primary; }
        & > .task--done { color: $success; }
        & > .task--empty { background: $surface-lighten-1; }
        & > .task--time { text-style: bold; }
        & > .task--summary { color: $text-muted; }
    }
    """
    # The percent and the time after a full bar; a short bar has the percent only.
    PERCENT, CLOCK = 5, 9

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tasks: list[TaskRecord] = []
        self.seconds: list[float | None] = []
        self._laid_out: tuple[tuple[int, int, int], Grid] | None = None

    def show(self, tasks: Sequence[TaskRecord], seconds: Sequence[float | None]) -> None:
        """``seconds``: each task's own time so far, None before it starts."""
        self.tasks, self.seconds = list(tasks), list(seconds)
        self.redraw_changed_rows()

    def _digits(self) -> int:
        """Task ids are 0 to n-1; two digits at least, as the seed's rows always had."""
        return max(2, len(str(len(self.tasks) - 1)))

    def _text_width(self, full: bool) -> int:
        """What a bar shares its cell with: the label, the percent and, when full, the time."""
        if full:
            label = f"task {0:<{self._digits()}} {0:>6} it  {'cpu0':<6} "
            return len(label) + self.PERCENT + self.CLOCK
        return len(f"t{0:<{self._digits()}} ") + self.PERCENT

    def grid(self, width: int) -> Grid:
        """Full rows while the tasks fit one a row, else columns of short bars, else as
        many of those as fit and a summary; laid out once per task count and size."""
        key = (len(self.tasks), width, self.max_rows)
        if self._laid_out is None or self._laid_out[0] != key:
            full = Form("full", self._text_width(full=True) + 10)
            short = Form("short", self._text_width(full=False) + 3)
            forms = (full, short)
            laid_out = grid(len(self.tasks), width, self.max_rows, forms, prefer_rows=self.max_rows)
            if laid_out is None:
                laid_out = summary_grid(len(self.tasks), width, self.max_rows, short)
            self._laid_out = (key, laid_out)
        return self._laid_out[1]

    def rows(self, width: int) -> int:
        return self.grid(width).height

    def _bar_width(self, layout: Grid) -> int:
        return layout.cell - self._text_width(full=layout.form.name == "full")

    def row_key(self, y: int, width: int) -> tuple:
        layout = self.grid(width)
        if y == layout.rows:
            return (self._summary(layout),)
        bar = self._bar_width(layout)
        keys = []
        for index in layout.items(y):
            task, seconds = self.tasks[index], self.seconds[index]
            keys.append(
                (
                    task.id,
                    task.size,
                    task.core,
                    task.end_s is not None,
                    round(task.fraction * bar * 8),
                    round(task.fraction * 100),
                    None if seconds is None else round(seconds, 2),
                )
            )
        return tuple(keys)

    def row_segments(self, y: int, width: int) -> list[Segment]:
        layout = self.grid(width)
        if y == layout.rows:
            return [Segment(self._summary(layout), self.style("task--summary"))]
        segments: list[Segment] = []
        for index in layout.items(y):
            if segments:
                segments.append(Segment(" " * layout.form.gutter))
            segments.extend(self._draw_task(index, layout))
        return segments

    def _draw_task(self, index: int, layout: Grid) -> list[Segment]:
        task, seconds = self.tasks[index], self.seconds[index]
        digits = self._digits()
        fill = self.style("task--done" if task.end_s is not None else "task--fill")
        bar = bar_segments(task.fraction, self._bar_width(layout), fill, self.style("task--empty"))
        if layout.form.name != "full":
            label = Segment(f"t{task.id:<{digits}} ", self.style("task--label"))
            return [label, *bar, Segment(f"{task.fraction:5.0%}")]
        where = "any" if task.core is None else f"cpu{task.core}"
        label = f"task {task.id:<{digits}} {compact_count(task.size):>6} it  {where:<6} "
        clock = "waiting" if seconds is None else f"{seconds:7.2f}s"
        return [
            Segment(label, self.style("task--label")),
            *bar,
            Segment(f"{task.fraction:5.0%}"),
            Segment(f" {clock:>8}", self.style("task--time")),
        ]

    def _summary(self, layout: Grid) -> str:
        rest = self.tasks[layout.shown :]
        done = sum(task.end_s is not None for task in rest)
        waiting = sum(task.start_s is None for task in rest)
        counts = ((done, "done"), (len(rest) - done - waiting, "running"), (waiting, "waiting"))
        return f"+ {len(rest)} more tasks: " + ", ".join(f"{n} {what}" for n, what in counts if n)


class BigTimer(Digits):
    """Textual's Digits, drawn through the Line API.

    Digits renders through Rich's console pipeline on every change: at 10 Hz that was
    about a fifth of each screen update. The font is Digits' own; its three strips are
    built once per value. Left-aligned, which is how the panel uses it.
    """

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(value, **kwargs)
        self._drawn: tuple = ()
        self._strips: list[Strip] = []

    def notify_style_update(self) -> None:
        self._drawn = ()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._drawn != (self.value, width):
            self._drawn = (self.value, width)
            style = self.rich_style
            segments = DigitsFont(self.value, style).render(style)
            lines = Segment.split_lines(segments)
            self._strips = [Strip(line).adjust_cell_length(width, style) for line in lines]
        return self._strips[y] if y < len(self._strips) else Strip.blank(width)


class RunPanel(Horizontal):
    """The big timer, with what is being run and how it stands: three lines, each cut
    short rather than wrapped, so a narrow terminal still shows the state."""

    DEFAULT_CSS = """
    RunPanel {
        height: auto;
        #timer { width: auto; min-width: 18; padding: 0 2 0 1; }
        #status { width: 1fr; height: 3; text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    def compose(self) -> ComposeResult:
        yield BigTimer("0.00", id="timer")
        yield Static(id="status")

    def on_mount(self) -> None:
        self._digits = self.query_one(BigTimer)
        self._status = self.query_one("#status", Static)
        self._key: tuple = ()

    def show(
        self,
        seconds: float,
        running: bool,
        settings: tuple[str, str, float, list[int]],
        state: str,
        reason: str | None,
    ) -> None:
        """Tenths while running (hundredths flicker unreadably), hundredths once it ends."""
        value = f"{seconds:.1f}" if running else f"{seconds:.2f}"
        if value != self._digits.value:
            self._digits.update(value)
        key = (settings, state, reason)
        if key == self._key:
            return
        self._key = key
        mode, shape, scale, cores = settings
        self._status.update(
            Content.from_markup(
                f"[b]$mode[/b] · $shape · scale $scale · cores $cores\n"
                f"[{_STATE_STYLES.get(state, '')}]$state[/]\n[$text-muted]$reason[/]",
                mode=mode,
                shape=shape,
                scale=f"{scale:g}",
                cores=format_core_list(cores),
                state=state,
                reason=reason or "",
            )
        )


_STATE_STYLES = {
    "running": "b $accent",
    "done": "b $success",
    "cancelled": "b $warning",
    "failed": "b $error",
    "idle": "$text-muted",
}


class ResultsTable(DataTable):
    """The session's runs, one row each, in the order they ended."""

    COLUMNS = ("#", "mode", "work", "cores", "wall s", "speedup", "bound", "eff", "check")

    shown = 0  # the number of the last run added

    def on_mount(self) -> None:
        # No cursor: a permanently highlighted row would look like a selection to the room.
        self.cursor_type = "none"
        self.zebra_stripes = True
        self.add_columns(*self.COLUMNS)

    def sync(self, log: ResultsLog) -> None:
        """Add the runs not shown yet; drop the rows of runs the log no longer holds."""
        for number, record in log.numbered(after=self.shown):
            self._add(number, record)
        while self.row_count > len(log.runs):
            self.remove_row(next(iter(self.rows)))

    def clear(self, columns: bool = False) -> ResultsTable:
        self.shown = 0
        return super().clear(columns)

    def _add(self, number: int, record: RunRecord) -> None:
        speedup = "-" if record.speedup is None else f"{record.speedup:.2f}x"
        efficiency = "-" if record.efficiency is None else f"{record.efficiency:.0%}"
        self.add_row(
            str(number),
            record.mode,
            f"{record.shape}×{record.scale:g}",
            format_core_list(record.cores),
            f"{record.wall_s:.2f}",
            speedup,
            f"{record.bound:.2f}x",
            efficiency,
            self._check(record),
        )
        self.shown = number
        self.scroll_end(animate=False)

    def _check(self, record: RunRecord) -> Text:
        """Plain Text, not markup: a failure reason may contain brackets."""
        colours = self.app.get_css_variables()
        if record.ok:
            return Text("ok", style=colours["success"])
        if record.state == "done":
            return Text("WRONG result", style=f"bold {colours['error']}")
        colour = colours["error" if record.state == "failed" else "warning"]
        return Text.assemble((record.state, colour), record.detail)


class HelpScreen(ModalScreen[None]):
    """What each mode does, for the room as much as for the presenter."""

    BINDINGS = [("escape,question_mark,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 80;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $accent;
            border-title-align: center;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "coremeter · escape closes"
            yield Static(self.text)


class TooSmallScreen(ModalScreen[None]):
    """Instead of a dashboard squeezed past reading, what the terminal measures and what it
    needs. The dashboard runs on underneath and comes back once the terminal is large
    enough."""

    BINDINGS = [("q", "app.quit", "quit")]
    DEFAULT_CSS = """
    TooSmallScreen {
        align: center middle;
        background: $background;
        & > Static { width: auto; max-width: 100%; text-align: center; }
    }
    """

    def __init__(self, minimum: tuple[int, int]) -> None:
        super().__init__()
        self.minimum = minimum
        self._notice = Static(markup=False)

    def compose(self) -> ComposeResult:
        yield self._notice

    def show(self, size: Size) -> None:
        width, height = self.minimum
        self._notice.update(
            f"terminal too small\n{size.width}x{size.height}, needs {width}x{height}\nq quits"
        )
