"""Small display-only widgets for the dashboard: the data stays in the engine.

Meters, task bars and the timer redraw several times a second, so they use the Line
API (``render_line`` returning Strips): measured at about a quarter of the CPU of
ProgressBars. Each keeps the key of what it last drew and refreshes only the rows
whose key changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

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
from coremeter.results import RunRecord, TaskRecord

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

    def rows(self, width: int) -> int:
        raise NotImplementedError

    def row_key(self, y: int, width: int) -> tuple:
        raise NotImplementedError

    def row_segments(self, y: int, width: int) -> list[Segment]:
        raise NotImplementedError

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.rows(width)

    def redraw_changed_rows(self) -> None:
        width = self.size.width
        keys = [self.row_key(y, width) for y in range(self.rows(width))]
        if len(keys) != len(self._keys):
            self.refresh(layout=True)
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


class CoreMeters(_LinesWidget):
    """One meter per core: label, load bar, percent, a short history, and who is pinned
    there now. More cores than MAX_ROWS spread over columns, as htop does; narrow
    meters drop the history and the pinned label, never a core."""

    COMPONENT_CLASSES = {
        "meter--label",
        "meter--fill",
        "meter--hot",
        "meter--empty",
        "meter--history",
        "meter--pinned",
    }
    DEFAULT_CSS = """
    CoreMeters {
        & > .meter--label { text-style: bold; }
        & > .meter--fill { color: $success; }
        & > .meter--hot { color: $warning; }
        & > .meter--empty { background: $surface-lighten-1; }
        & > .meter--history { color: $foreground-darken-3; }
        & > .meter--pinned { color: $text-muted; }
    }
    """
    HOT = 80.0
    DEADBAND = 3.0
    MAX_ROWS = 8
    MIN_CELL = 16
    GUTTER = 2

    def __init__(self, cores: Sequence[int], **kwargs) -> None:
        super().__init__(**kwargs)
        self.cores = list(cores)
        self.percent = dict.fromkeys(self.cores, 0.0)
        self.history: dict[int, tuple[float, ...]] = {core: () for core in self.cores}
        self.pinned = dict.fromkeys(self.cores, "")

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

    def _columns(self, width: int) -> int:
        fit = (width + self.GUTTER) // (self.MIN_CELL + self.GUTTER)
        return max(1, min(math.ceil(len(self.cores) / self.MAX_ROWS), fit))

    def rows(self, width: int) -> int:
        return math.ceil(len(self.cores) / self._columns(width))

    def _row(self, y: int, width: int) -> tuple[list[int], int]:
        """The cores on row ``y`` (cpu0-7 down the first column, like htop) and the
        width of each meter."""
        columns = self._columns(width)
        cell = (width - self.GUTTER * (columns - 1)) // columns
        return self.cores[y :: self.rows(width)], cell

    @staticmethod
    def _layout(cell: int) -> tuple[int, int, int]:
        """Bar, history and pinned widths for a meter ``cell`` wide."""
        history = 16 if cell >= 70 else 8 if cell >= 50 else 0
        pinned = 20 if cell >= 60 else 0
        extras = (history + 1 if history else 0) + (pinned + 1 if pinned else 0)
        return max(4, cell - 6 - 5 - extras), history, pinned

    def row_key(self, y: int, width: int) -> tuple:
        cores, cell = self._row(y, width)
        bar, history, _ = self._layout(cell)
        return tuple(
            (
                round(self.percent[core]),
                round(self.percent[core] * bar * 8 / 100),
                sparkline(self.history[core][-history:]) if history else "",
                self.pinned[core],
            )
            for core in cores
        )

    def row_segments(self, y: int, width: int) -> list[Segment]:
        cores, cell = self._row(y, width)
        segments: list[Segment] = []
        for index, core in enumerate(cores):
            if index:
                segments.append(Segment(" " * self.GUTTER))
            segments.extend(self._meter(core, cell))
        return segments

    def _meter(self, core: int, cell: int) -> list[Segment]:
        bar, history, pinned = self._layout(cell)
        percent = self.percent[core]
        fill = self.style("meter--hot" if percent >= self.HOT else "meter--fill")
        segments = [
            Segment(f"cpu{core}"[:5].ljust(6), self.style("meter--label")),
            *bar_segments(percent / 100, bar, fill, self.style("meter--empty")),
            Segment(f"{percent:4.0f}%"),
        ]
        if history:
            spark = sparkline(self.history[core][-history:]).rjust(history, _SPARKS[0])
            segments.append(Segment(" " + spark, self.style("meter--history")))
        if pinned:
            label = self.pinned[core][:pinned].ljust(pinned)
            segments.append(Segment(" " + label, self.style("meter--pinned")))
        return segments


class TaskBars(_LinesWidget):
    """One bar per task of the current run: id, size, core, progress, and its own time."""

    COMPONENT_CLASSES = {"task--label", "task--fill", "task--done", "task--empty", "task--time"}
    DEFAULT_CSS = """
    TaskBars {
        & > .task--label { color: $text-muted; }
        & > .task--fill { color: $primary; }
        & > .task--done { color: $success; }
        & > .task--empty { background: $surface-lighten-1; }
        & > .task--time { text-style: bold; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tasks: list[TaskRecord] = []
        self.seconds: list[float | None] = []

    def show(self, tasks: Sequence[TaskRecord], seconds: Sequence[float | None]) -> None:
        """``seconds``: each task's own time so far, None before it starts."""
        self.tasks, self.seconds = list(tasks), list(seconds)
        self.redraw_changed_rows()

    def rows(self, width: int) -> int:
        return len(self.tasks)

    @staticmethod
    def _bar_width(width: int) -> int:
        return max(4, width - 26 - 5 - 9)

    def row_key(self, y: int, width: int) -> tuple:
        task, seconds = self.tasks[y], self.seconds[y]
        return (
            task.id,
            task.size,
            task.core,
            task.end_s is not None,
            round(task.fraction * self._bar_width(width) * 8),
            None if seconds is None else round(seconds, 2),
        )

    def row_segments(self, y: int, width: int) -> list[Segment]:
        task, seconds = self.tasks[y], self.seconds[y]
        where = "any" if task.core is None else f"cpu{task.core}"
        label = f"task {task.id:<2} {compact_count(task.size):>6} it  {where:<6} "
        fill = self.style("task--done" if task.end_s is not None else "task--fill")
        clock = "waiting" if seconds is None else f"{seconds:7.2f}s"
        return [
            Segment(label, self.style("task--label")),
            *bar_segments(task.fraction, self._bar_width(width), fill, self.style("task--empty")),
            Segment(f"{task.fraction:5.0%}"),
            Segment(f" {clock:>8}", self.style("task--time")),
        ]


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
    """The big timer, with what is being run and how it stands."""

    DEFAULT_CSS = """
    RunPanel {
        height: auto;
        #timer { width: auto; min-width: 18; padding: 0 2 0 1; }
        #status { width: 1fr; height: 3; }
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
    """Every run of this session, one row each, in the order they ended."""

    COLUMNS = ("#", "mode", "work", "cores", "wall s", "speedup", "bound", "eff", "check")

    def on_mount(self) -> None:
        # No cursor: a permanently highlighted row would look like a selection to the room.
        self.cursor_type = "none"
        self.zebra_stripes = True
        self.add_columns(*self.COLUMNS)

    def add_record(self, record: RunRecord) -> None:
        speedup = "-" if record.speedup is None else f"{record.speedup:.2f}x"
        efficiency = "-" if record.efficiency is None else f"{record.efficiency:.0%}"
        self.add_row(
            str(self.row_count + 1),
            record.mode,
            f"{record.shape}×{record.scale:g}",
            format_core_list(record.cores),
            f"{record.wall_s:.2f}",
            speedup,
            f"{record.bound:.2f}x",
            efficiency,
            self._check(record),
        )
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
