"""The big timer and the run's status: what runs, how it stands, and why it stopped."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.renderables.digits import Digits as DigitsFont
from textual.strip import Strip
from textual.widgets import Digits, Static

from coremeter.cores import format_core_list
from coremeter.report import explanation, notes_text
from coremeter.results import Mode, RunRecord, RunState
from coremeter.runner import Run, RunSpec
from coremeter.schedule import Schedule
from coremeter.session import Session
from coremeter.tui.layout.cache import Cached
from coremeter.workload import Workload

# What a run runs, or the next run will: mode, workload, shape, scale, schedule and cores.
Settings = tuple[Mode, Workload, str, float, Schedule, list[int]]


def settings_of(source: RunSpec | Session) -> Settings:
    """What a run runs (its spec), or the next run will (the session's settings)."""
    cores = list(source.cores)
    return (source.mode, source.workload, source.shape, source.scale, source.schedule, cores)


@dataclass(frozen=True)
class Outcome:
    """How a run stands: its state, what explains its speedup once it has one (the
    factors), and the line under it: why it stopped, else its notes."""

    state: RunState
    explained: str = ""
    detail: str = ""

    @classmethod
    def of(cls, run: Run | None, ended: RunRecord | None) -> Outcome:
        """How ``run`` stands (idle before the first); ``ended`` is the record of the run
        that ended last, which is this run's once it is no longer running."""
        if run is None:
            return cls("idle")
        explained = explanation(ended) if ended is not None and not run.running else None
        return cls(run.state, explained or "", run.reason or notes_text(run.notes, sep="  "))


class BigTimer(Digits):
    """Textual's Digits, drawn through the Line API.

    Digits renders through Rich's console pipeline on every change: at 10 Hz that was
    about a fifth of each screen update. The font is Digits' own; its three strips are
    built once per value. Left-aligned, which is how the panel uses it.
    """

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(value, **kwargs)
        self._strips: Cached[tuple[str, int], list[Strip]] = Cached(self._draw)

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        strips = self._strips.get((self.value, width))
        return strips[y] if y < len(strips) else Strip.blank(width)

    def _draw(self, drawn: tuple[str, int]) -> list[Strip]:
        value, width = drawn
        style = self.rich_style
        font = DigitsFont(value, style).render(style)
        lines = Segment.split_lines(part for part in font if isinstance(part, Segment))
        return [Strip(line).adjust_cell_length(width, style) for line in lines]


class RunPanel(Horizontal):
    """The big timer, with what is being run and how it stands: three lines, each cut
    short rather than wrapped, so a narrow terminal still shows the state. After a run
    the state line goes on with its speedup's factors, and the third line holds why it
    stopped, or its notes (a core another program kept busy, the machine's caveats)."""

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

    def show(self, seconds: float, running: bool, settings: Settings, outcome: Outcome) -> None:
        """Tenths while running (hundredths flicker unreadably), hundredths once it ends."""
        value = f"{seconds:.1f}" if running else f"{seconds:.2f}"
        if value != self._digits.value:
            self._digits.update(value)
        key = (settings, outcome)
        if key == self._key:
            return
        self._key = key
        mode, workload, shape, scale, schedule, cores = settings
        # After a run its speedup's factors; before, the workload's lesson.
        explained = f" · {outcome.explained or workload.lesson}"
        self._status.update(
            Content.from_markup(
                f"[b]$mode[/b] · [b]$workload[/b] · $shape · $schedule · $size · cores $cores\n"
                f"[{_STATE_STYLES.get(outcome.state, '')}]$state[/]$explained\n"
                "[$text-muted]$detail[/]",
                mode=mode,
                shape=shape,
                schedule=schedule,
                workload=workload.name,
                size=workload.size_text(scale),
                cores=format_core_list(cores),
                state=outcome.state,
                explained=explained,
                detail=outcome.detail,
            )
        )


_STATE_STYLES = {
    "running": "b $accent",
    "done": "b $success",
    "cancelled": "b $warning",
    "failed": "b $error",
    "idle": "$text-muted",
}
