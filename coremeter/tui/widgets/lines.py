"""The Line API base every live widget draws through, and its eighth-cell bars.

Meters, task bars and charts redraw several times a second, so they use the Line
API (``render_line`` returning Strips): measured at about a quarter of the CPU of
ProgressBars. Each keeps the key of what it last drew and refreshes only the rows
whose key changed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from coremeter.tui.layout.blocks import EIGHTHS

# Other programs' load, beside a run's: a shade, not a solid block.
OTHERS_GLYPH = "▒"


def bar_segments(fraction: float, width: int, fill: Style, empty: Style) -> list[Segment]:
    """A bar with eighth-cell resolution, so a slow task still visibly moves."""
    return stacked_bar([Part(fraction, fill)], width, empty)


class Part(NamedTuple):
    """One part of a stacked bar: its fraction of the whole, its colour, and the glyph
    its whole cells are drawn with (a shade tells a part apart where colours are close,
    as on a washed-out projector)."""

    fraction: float
    style: Style
    glyph: str = "█"


def stacked_bar(parts: Sequence[Part], width: int, empty: Style) -> list[Segment]:
    """Parts of one bar end to end (a run's load, then other programs'), with
    eighth-cell resolution. A cell where a part ends draws that part's eighths on the
    colour of what follows it: the next part, or the track; a part that also ends
    inside that cell is lost in it."""
    if width <= 0:
        return []
    bounds: list[tuple[int, Part]] = []  # where each part ends, in eighths of a cell
    total = 0.0
    for part in parts:
        total += max(part.fraction, 0.0)
        bounds.append((round(min(total, 1.0) * width * 8), part))
    track = Style(bgcolor=empty.bgcolor)
    segments: list[Segment] = []
    cell = 0  # cells drawn so far
    for index, (end, part) in enumerate(bounds):
        full = end // 8 - cell
        if full > 0:
            segments.append(Segment(part.glyph * full, part.style + track))
            cell += full
        if end % 8 and end // 8 == cell:
            later = [after.style.color for stop, after in bounds[index + 1 :] if stop > end]
            under = later[0] if later else empty.bgcolor
            segments.append(Segment(EIGHTHS[end % 8], part.style + Style(bgcolor=under)))
            cell += 1
    if cell < width:
        segments.append(Segment(" " * (width - cell), empty))
    return segments


class LinesWidget(Widget):
    """Rows drawn by the Line API; subclasses say what each row shows and its key.

    One widget holds all its rows: each widget a screen update visits costs CPU even
    when it has not changed, and a refresh names only the rows whose key changed.
    Textual also drops a widget's computed styles on every refresh; recomputing them
    cost more than drawing the rows, so they are kept until the styles really change.
    """

    DEFAULT_CSS = """
    LinesWidget { height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._keys: list[tuple[object, ...]] = []
        # Rows at the last layout; none yet.
        self._laid_rows = -1
        self._styles: dict[str, Style] = {}
        # The rows its max-height allows (unbounded without one): a subclass lays out its
        # items to fit, rather than have Textual cut off the rows past it.
        self.max_rows = sys.maxsize
        # Text rows per row where the screen has them (coremeter.tui.fit), for a subclass
        # that grows; and those of the layout on screen, taken by the subclass at its next
        # layout, so no frame is drawn torn (a tall bar without its words).
        self.tall = 1
        self._laid_tall = 1

    @property
    def laid_out(self) -> bool:
        """Whether the layout on screen has the rows ``tall`` asks for."""
        return self._laid_tall == self.tall

    def set_tall(self, tall: int) -> None:
        if tall != self.tall:
            self.tall = tall
            self.refresh(layout=True)
            # Asked from inside a layout (the screen's layout signal, as the dashboard
            # mounts), that layout was sometimes lost: then ask again once it is on
            # screen. Asking again every time laid a run's first frames out once more.
            self.call_after_refresh(self._lay_out_again)

    def _lay_out_again(self) -> None:
        if not self.laid_out:
            self.refresh(layout=True)

    def rows(self, width: int) -> int:
        raise NotImplementedError

    def row_key(self, y: int, width: int) -> tuple[object, ...]:
        raise NotImplementedError

    def row_segments(self, y: int, width: int) -> list[Segment]:
        raise NotImplementedError

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self.take_room(container, viewport)
        self._laid_rows = self.rows(width)
        return self._laid_rows

    def take_room(self, container: Size, viewport: Size) -> None:
        """Before a layout: the rows it may take (``max_rows``), here its max-height."""
        limit = self.styles.max_height
        if limit is not None:
            self.max_rows = max(1, int(limit.resolve(container, viewport)))

    def redraw_changed_rows(self) -> None:
        """Refresh only the rows whose key changed since the last call.

        A new row count needs a layout, but only against the rows the last layout gave
        it: a layout made for another reason (its tall rows, a new view) has drawn all
        of them, and asking again would lay the whole screen out once more for nothing.
        Hidden (no width), refresh every row instead: Textual keeps a widget's drawn
        lines, and a row refreshed at no width was never redrawn when the widget came
        back, so a chart updated in the other view showed the previous run."""
        width = self.size.width
        keys = [self.row_key(y, width) for y in range(self.rows(width))]
        if len(keys) != self._laid_rows:
            self.refresh(layout=True)
            # Asked once: a hidden widget is not laid out, and asking at every frame laid
            # the whole screen out at every frame.
            self._laid_rows = len(keys)
        elif not width or len(keys) != len(self._keys):
            self.refresh()
        else:
            for y, (old, new) in enumerate(zip(self._keys, keys, strict=True)):
                if old != new:
                    self.refresh(Region(0, y, width, 1))
        self._keys = keys

    def notify_style_update(self) -> None:
        # Textual's hook for a change of styles, overridden against Textual 8.2.8, whose
        # Widget.refresh empties its own cache of component styles at every refresh: the
        # styles ``style`` hands out are dropped here only. It buys 1.7 ms of CPU a frame
        # (benchmarks/bench_frames.py, 8 cores at 120x35: 9.9 ms with it, 11.6 without,
        # medians of 7), nearly 1% of a core at 5 frames a second, against the dashboard's
        # 3.25% during a run; bench_dashboard.py --quick cannot resolve it (3.30% with,
        # 3.03% without, medians of 3 on a busy machine).
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
