"""The big timer and the run's status: what runs, how it stands, and why it stopped."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.renderables.digits import Digits as DigitsFont
from textual.strip import Strip
from textual.widgets import Digits, Static

from coremeter.report import fit_line, fit_parts
from coremeter.tui.layout.cache import Cached
from coremeter.tui.layout.numerals import PIXEL_ROWS, numerals, numerals_width
from coremeter.tui.status import NEXT, SETTINGS_DROP, Status


class BigTimer(Digits):
    """Textual's Digits, drawn through the Line API, or larger where the terminal has
    the rows (``size`` 1 or 2: coremeter.tui.layout.numerals).

    Digits renders through Rich's console pipeline on every change: at 10 Hz that was
    about a fifth of each screen update. Its strips are built once per value and
    size. Left-aligned, which is how the panel uses it.
    """

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self.size_step = 0
        self._strips: Cached[tuple[str, int, int], list[Strip]] = Cached(self._draw)

    def set_size_step(self, step: int) -> None:
        """0: Digits' three rows; 1 and 2: the numeral font's 5 and 10 rows."""
        if step != self.size_step:
            self.size_step = step
            self.refresh(layout=True)

    def notify_style_update(self) -> None:
        # Textual's hook for a change of styles (a theme), overridden against Textual
        # 8.2.8: the strips hold the old colours. Keeping them buys 0.7 ms of CPU a frame
        # (benchmarks/bench_frames.py, 8 cores at 120x35: 9.9 ms with them, 10.6 built
        # at every row drawn, medians of 7).
        self._strips.clear()
        super().notify_style_update()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if not self.size_step:
            return super().get_content_width(container, viewport)
        # The widest value of a run under 100 s (a run at the default scale takes 2-10 s),
        # so the words beside it do not jump as the time grows.
        return max(
            numerals_width(self.value, self.size_step), numerals_width("88.88", self.size_step)
        )

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 3 if not self.size_step else PIXEL_ROWS * self.size_step

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        strips = self._strips.get((self.value, width, self.size_step))
        return strips[y] if y < len(strips) else Strip.blank(width)

    def _draw(self, drawn: tuple[str, int, int]) -> list[Strip]:
        value, width, step = drawn
        style = self.rich_style
        if step:
            # A glyph's cells are one column each: its length is its width, said to the
            # Strip, which would otherwise measure every block of every row, every tenth.
            return [
                Strip([Segment(line[:width].ljust(width), style)], cell_length=width)
                for line in numerals(value, step)
            ]
        font = DigitsFont(value, style).render(style)
        lines = Segment.split_lines(part for part in font if isinstance(part, Segment))
        return [Strip(line).adjust_cell_length(width, style) for line in lines]


class RunPanel(Horizontal):
    """The big timer, with the run it times and how it stands, then the next run's
    settings where they differ: each line left out of whole parts rather than wrapped
    or cut mid-number, so a narrow terminal still shows the state. After a run the
    state line goes on with its speedup's factors; under it, what the parallelism gave
    with the core speed taken out and whether the speedup can be trusted; then why it
    stopped, or its notes (a core another program kept busy, the machine's caveats)."""

    DEFAULT_CSS = """
    RunPanel {
        height: auto;
        #timer { width: auto; min-width: 18; padding: 0 2 0 1; }
        #status {
            width: 1fr; height: auto; min-height: 3; text-wrap: nowrap; text-overflow: ellipsis;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield BigTimer("0.00", id="timer")
        yield StatusLines(id="status")

    def on_mount(self) -> None:
        self._digits = self.query_one(BigTimer)
        self._status = self.query_one("#status", StatusLines)
        self._key: Status | None = None

    def show(self, seconds: float, running: bool, status: Status) -> None:
        """Tenths while running (hundredths flicker unreadably), hundredths once it ends."""
        value = f"{seconds:.1f}" if running else f"{seconds:.2f}"
        if value != self._digits.value:
            self._digits.update(value)
        if status == self._key:
            return
        self._key = status
        self._status.show(partial(_lines, status))


def _lines(status: Status, width: int) -> Content:
    """The panel's lines at ``width``, each left out of whole parts rather than cut short
    (report.fit_line): the settings lose SETTINGS_DROP's parts first, the factors and
    the notes their last ones."""
    shown, outcome, upcoming = status.shown, status.outcome, status.next
    lines = []
    if shown is not None:
        said = fit_line(shown.parts, width, SETTINGS_DROP)
        rest = said.removeprefix(shown.mode)
        lines.append(Content.from_markup("[b]$mode[/b]$rest", mode=shown.mode, rest=rest))
    state = f"[{_STATE_STYLES[outcome.state]}]$state[/]"
    # After a run its speedup's factors; before, its workload's lesson (a next run
    # of another says its own on its line).
    lesson = shown.workload.lesson if shown else upcoming.workload.lesson if upcoming else ""
    explained = outcome.explained or lesson
    if explained:
        sep = " × " if outcome.explained else "; "
        room = width - len(outcome.state) - 3
        explained = fit_line(explained.split(sep), room, sep=sep)
    explained = f" · {explained}" if explained else ""
    lines.append(Content.from_markup(state + "$explained", state=outcome.state,
                                     explained=explained))  # fmt: skip
    if outcome.judged:
        # Whether the speedup can be trusted is said whole, over as many lines as it takes:
        # the room must not read half a reason.
        judged = fit_parts(outcome.judged, width)
        lines.append(Content.styled(judged, "" if outcome.trusted else "b $warning"))
    if outcome.detail:
        lines.append(Content.styled(fit_line(outcome.detail.split("  "), width, sep="  "),
                                    "$text-muted"))  # fmt: skip
    if upcoming is not None:
        parts, drop = upcoming.parts, list(SETTINGS_DROP)
        if shown is not None and upcoming.workload != shown.workload:
            # Its workload's lesson goes first, then the settings as on the line above.
            parts, drop = [*parts, upcoming.workload.lesson], [len(parts), *drop]
        said = fit_line(parts, width - len(NEXT), drop)
        lines.append(Content.styled(NEXT + said, "$text-muted italic"))
    return Content("\n").join(lines)


class StatusLines(Static):
    """The panel's words, laid out again at each width: ``draw(width)`` makes them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._draw: Callable[[int], Content] | None = None

    def show(self, draw: Callable[[int], Content]) -> None:
        self._draw = draw
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        if self._draw is not None:
            self.update(self._draw(self.size.width or sys.maxsize))


_STATE_STYLES = {
    "running": "b $accent",
    "done": "b $success",
    "cancelled": "b $warning",
    "failed": "b $error",
    "idle": "$text-muted",
}
