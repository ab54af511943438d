"""The big timer and the run's status: what runs, how it stands, and why it stopped."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.renderables.digits import Digits as DigitsFont
from textual.strip import Strip
from textual.widgets import Digits, Static

from coremeter.cores import format_core_list
from coremeter.runner import Run, RunSpec
from coremeter.tui.layout.cache import Cached


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

    def show(self, seconds: float, run: Run | None, next_spec: RunSpec) -> None:
        """While a run runs, its settings; otherwise the next run's (``next_spec``), with
        the last run's state. Tenths while running (hundredths flicker unreadably),
        hundredths once it ends."""
        running = run is not None and run.running
        spec = run.spec if run is not None and running else next_spec
        state, reason = ("idle", None) if run is None else (run.state, run.reason)
        value = f"{seconds:.1f}" if running else f"{seconds:.2f}"
        if value != self._digits.value:
            self._digits.update(value)
        key = (spec, state, reason)
        if key == self._key:
            return
        self._key = key
        workload = spec.workload
        self._status.update(
            Content.from_markup(
                f"[b]$mode[/b] · [b]$workload[/b] · $shape · $size · cores $cores\n"
                f"[{_STATE_STYLES.get(state, '')}]$state[/] [$text-muted]· $lesson[/]\n"
                "[$text-muted]$reason[/]",
                mode=spec.mode,
                workload=workload.name,
                shape=spec.shape,
                size=workload.size_text(spec.scale),
                cores=format_core_list(list(spec.cores)),
                state=state,
                lesson=workload.lesson,
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
