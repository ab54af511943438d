"""The caption line and the total gauge: the slide's title, written by the tool."""

from __future__ import annotations

from rich.segment import Segment

from coremeter.tui.caption import Load
from coremeter.tui.widgets.lines import LinesWidget, bar_segments


class Caption(LinesWidget):
    """One line of words (``coremeter.tui.caption``), cut short rather than wrapped, and
    under it a gauge of the cores' total busy time out of the cores: ``1.0 / 2.0`` makes
    the GIL's point at a glance, where two meters at 50% invite adding them up wrong."""

    COMPONENT_CLASSES = {"caption--text", "caption--label", "caption--fill", "caption--empty"}
    DEFAULT_CSS = """
    Caption {
        padding: 0 1;
        & > .caption--text { text-style: bold; }
        & > .caption--label { color: $text-muted; }
        & > .caption--fill { color: $accent; }
        & > .caption--empty { background: $surface-lighten-1; }
    }
    """
    LABEL = "cores busy "

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.load = Load(0, 0.0, 0)

    def show(self, text: str, load: Load) -> None:
        self.text, self.load = text, load
        self.redraw_changed_rows()

    def rows(self, width: int) -> int:
        return 2

    def _figures(self) -> str:
        return f" {self.load.total:.1f} / {self.load.cores:.1f}"

    def _bar(self, width: int) -> int:
        return max(1, width - len(self.LABEL) - len(self._figures()))

    def row_key(self, y: int, width: int) -> tuple:
        if y == 0:
            return (self.text,)
        fraction = self.load.total / self.load.cores if self.load.cores else 0.0
        return (self._figures(), round(fraction * self._bar(width) * 8))

    def row_segments(self, y: int, width: int) -> list[Segment]:
        if y == 0:
            text = self.text if len(self.text) <= width else self.text[: width - 1] + "…"
            return [Segment(text, self.style("caption--text"))]
        fraction = self.load.total / self.load.cores if self.load.cores else 0.0
        fill, empty = self.style("caption--fill"), self.style("caption--empty")
        return [
            Segment(self.LABEL, self.style("caption--label")),
            *bar_segments(fraction, self._bar(width), fill, empty),
            Segment(self._figures(), self.style("caption--text")),
        ]
