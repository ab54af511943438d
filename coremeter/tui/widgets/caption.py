"""The caption line and the total gauge: the slide's title, written by the tool."""

from __future__ import annotations

import textwrap
from typing import Any

from rich.segment import Segment

from coremeter.tui.caption import Load
from coremeter.tui.layout.cache import Cached
from coremeter.tui.widgets.lines import LinesWidget, bar_segments


class Caption(LinesWidget):
    """One line of words (``coremeter.tui.caption``), and under it a gauge of the cores'
    total busy time out of the cores: ``1.0 / 2.0`` makes the GIL's point at a glance,
    where two meters at 50% invite adding them up wrong. Words wider than the terminal
    (the threads run's, with the demo's step in front, at 80 columns) go on over a
    second line: an ellipsis cut off the point of the sentence, which comes last."""

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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.load = Load(0, 0.0, 0)
        self._lines: Cached[tuple[str, int], list[str]] = Cached(_wrap)

    def show(self, text: str, load: Load) -> None:
        self.text, self.load = text, load
        self.redraw_changed_rows()

    def lines(self, width: int) -> list[str]:
        """The words, over as many lines as ``width`` needs (one, nearly always)."""
        return self._lines.get((self.text, width))

    def rows(self, width: int) -> int:
        return len(self.lines(width)) + 1

    def _figures(self) -> str:
        return f" {self.load.total:.1f} / {self.load.cores:.1f}"

    def _bar(self, width: int) -> int:
        return max(1, width - len(self.LABEL) - len(self._figures()))

    def row_key(self, y: int, width: int) -> tuple[object, ...]:
        lines = self.lines(width)
        if y < len(lines):
            return (lines[y],)
        fraction = self.load.total / self.load.cores if self.load.cores else 0.0
        return (self._figures(), round(fraction * self._bar(width) * 8))

    def row_segments(self, y: int, width: int) -> list[Segment]:
        lines = self.lines(width)
        if y < len(lines):
            return [Segment(lines[y], self.style("caption--text"))]
        fraction = self.load.total / self.load.cores if self.load.cores else 0.0
        fill, empty = self.style("caption--fill"), self.style("caption--empty")
        return [
            Segment(self.LABEL, self.style("caption--label")),
            *bar_segments(fraction, self._bar(width), fill, empty),
            Segment(self._figures(), self.style("caption--text")),
        ]


def _wrap(said: tuple[str, int]) -> list[str]:
    text, width = said
    return (textwrap.wrap(text, width) or [""]) if width > 0 else [text]
