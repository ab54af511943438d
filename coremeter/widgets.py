"""Small display-only widgets for the dashboard: the data stays in the engine.

Meters and task bars redraw up to ten times a second, so they use the Line API
(``render_line`` returning a Strip): measured at about a quarter of the CPU of
ProgressBars at 10 Hz. Each one keeps the key of what it last drew and refreshes
only when that key changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
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


class _LineWidget(Widget):
    """A one-line widget drawn by the Line API; subclasses build the line's segments."""

    DEFAULT_CSS = """
    _LineWidget { height: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._key: tuple = ()

    def _redraw_if_changed(self, key: tuple) -> None:
        if key != self._key:
            self._key = key
            self.refresh()

    def segments(self, width: int) -> list[Segment]:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        if y != 0:
            return Strip.blank(self.size.width, base)
        strip = Strip(self.segments(self.size.width))
        return strip.apply_style(base).adjust_cell_length(self.size.width, base)

    def style(self, component: str) -> Style:
        return self.get_component_rich_style(component, partial=True)


class CoreMeter(_LineWidget):
    """One core: label, load bar, percent, a short history, and who is pinned there now."""

    COMPONENT_CLASSES = {
        "meter--label",
        "meter--fill",
        "meter--hot",
        "meter--empty",
        "meter--history",
        "meter--pinned",
    }
    DEFAULT_CSS = """
    CoreMeter {
        height: 1;
        & > .meter--label { text-style: bold; }
        & > .meter--fill { color: $success; }
        & > .meter--hot { color: $warning; }
        & > .meter--empty { background: $surface-lighten-1; }
        & > .meter--history { color: $foreground-darken-3; }
        & > .meter--pinned { color: $text-muted; }
    }
    """
    HOT = 80.0

    def __init__(self, core: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.core = core
        self.percent = 0.0
        self.history: tuple[float, ...] = ()
        self.pinned = ""

    def show(self, percent: float, history: Sequence[float], pinned: str) -> None:
        """Take new values; the line is redrawn only when what it shows changes."""
        width = self._history_width(self.size.width)
        self.percent = percent
        self.history = tuple(history)[-width:] if width else ()
        self.pinned = pinned
        bar = round(percent * self._bar_width(self.size.width) * 8 / 100)
        self._redraw_if_changed((round(percent), bar, sparkline(self.history), pinned))

    @staticmethod
    def _history_width(width: int) -> int:
        return 16 if width >= 70 else 8 if width >= 50 else 0

    @staticmethod
    def _pinned_width(width: int) -> int:
        return 20 if width >= 60 else 0

    def _bar_width(self, width: int) -> int:
        """Whatever the label, percent, history and pinned columns leave."""
        history = self._history_width(width)
        pinned = self._pinned_width(width)
        extras = (history + 1 if history else 0) + (pinned + 1 if pinned else 0)
        return max(4, width - 6 - 5 - extras)

    def segments(self, width: int) -> list[Segment]:
        fill = self.style("meter--hot" if self.percent >= self.HOT else "meter--fill")
        empty = self.style("meter--empty")
        pinned_width = self._pinned_width(width)
        segments = [
            Segment(f"cpu{self.core:<3}"[:5].ljust(6), self.style("meter--label")),
            *bar_segments(self.percent / 100, self._bar_width(width), fill, empty),
            Segment(f"{self.percent:4.0f}%"),
        ]
        if self._history_width(width):
            history = sparkline(self.history).rjust(self._history_width(width), _SPARKS[0])
            segments.append(Segment(" " + history, self.style("meter--history")))
        if pinned_width:
            segments.append(Segment(" " + self.pinned[:pinned_width], self.style("meter--pinned")))
        return segments


class TaskBar(_LineWidget):
    """One task of the current run: id, size, core, progress, and its own time."""

    COMPONENT_CLASSES = {"task--label", "task--fill", "task--done", "task--empty", "task--time"}
    DEFAULT_CSS = """
    TaskBar {
        height: 1;
        & > .task--label { color: $text-muted; }
        & > .task--fill { color: $primary; }
        & > .task--done { color: $success; }
        & > .task--empty { background: $surface-lighten-1; }
        & > .task--time { text-style: bold; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.record: TaskRecord | None = None
        self.seconds: float | None = None

    def show(self, task: TaskRecord, seconds: float | None) -> None:
        """``seconds`` is the task's own time so far, None before it starts."""
        self.record = task
        self.seconds = seconds
        width = self._bar_width(self.size.width)
        seconds_shown = None if seconds is None else round(seconds, 2)
        self._redraw_if_changed((task, round(task.fraction * width * 8), seconds_shown))

    @staticmethod
    def _bar_width(width: int) -> int:
        return max(4, width - 26 - 5 - 9)

    def segments(self, width: int) -> list[Segment]:
        task = self.record
        if task is None:
            return []
        where = "any" if task.core is None else f"cpu{task.core}"
        label = f"task {task.id:<2} {compact_count(task.size):>6} it  {where:<6} "
        done = task.end_s is not None
        fill = self.style("task--done" if done else "task--fill")
        clock = "waiting" if self.seconds is None else f"{self.seconds:7.2f}s"
        return [
            Segment(label, self.style("task--label")),
            *bar_segments(task.fraction, self._bar_width(width), fill, self.style("task--empty")),
            Segment(f"{task.fraction:5.0%}"),
            Segment(f" {clock:>8}", self.style("task--time")),
        ]


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
        yield Digits("0.00", id="timer")
        yield Static(id="status", markup=True)

    def on_mount(self) -> None:
        self._digits = self.query_one("#timer", Digits)
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
        reason = f": {record.reason}" if record.reason else ""
        return Text.assemble((record.state, colour), reason)


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
