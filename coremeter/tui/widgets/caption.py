"""The caption line and the total gauge: the slide's title, written by the tool."""

from __future__ import annotations

import textwrap
from typing import Any

from rich.segment import Segment

from coremeter.tui.caption import Load
from coremeter.tui.layout.cache import Cached
from coremeter.tui.widgets.lines import OTHERS_GLYPH, LinesWidget, Part, stacked_bar

# The gauge's word for other programs' part, short: the caption above says it in full.
OTHERS = "others"


class Caption(LinesWidget):
    """One line of words (``coremeter.tui.caption``), and under it a gauge of the cores'
    total busy time out of the cores: ``1.0 / 2.0`` makes the GIL's point at a glance,
    where two meters at 50% invite adding them up wrong. The run's own workers fill it
    first; other programs' load follows in a second colour, its figure after the run's
    (``1.0 + 0.9 others / 2.0``) where it is worth a word. Words wider than the terminal
    (the threads run's, with the demo's step in front, at 80 columns) go on over a
    second line: an ellipsis cut off the point of the sentence, which comes last."""

    COMPONENT_CLASSES = {
        "caption--text",
        "caption--label",
        "caption--fill",
        "caption--others",
        "caption--empty",
    }
    DEFAULT_CSS = """
    Caption {
        padding: 0 1;
        & > .caption--text { text-style: bold; }
        & > .caption--label { color: $text-muted; }
        & > .caption--fill { color: $accent; }
        & > .caption--others { color: $text-muted; }
        & > .caption--empty { background: $surface-lighten-1; }
    }
    """
    LABEL = "cores busy "

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.load = Load(0.0, 0)
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
        others = self.load.shown_others
        more = "" if others is None else f" + {others:.1f} {OTHERS}"
        return f" {self.load.total:.1f}{more} / {self.load.cores:.1f}"

    def _parts(self) -> tuple[float, float]:
        """The run's share of the gauge, and other programs'."""
        cores = self.load.cores
        return (self.load.total / cores, self.load.others / cores) if cores else (0.0, 0.0)

    def _bar(self, width: int) -> int:
        return max(1, width - len(self.LABEL) - len(self._figures()))

    def row_key(self, y: int, width: int) -> tuple[object, ...]:
        lines = self.lines(width)
        if y < len(lines):
            return (lines[y],)
        eighths = self._bar(width) * 8
        return (self._figures(), *(round(part * eighths) for part in self._parts()))

    def row_segments(self, y: int, width: int) -> list[Segment]:
        lines = self.lines(width)
        if y < len(lines):
            return [Segment(lines[y], self.style("caption--text"))]
        own, others = self._parts()
        parts = [
            Part(own, self.style("caption--fill")),
            Part(others, self.style("caption--others"), OTHERS_GLYPH),
        ]
        return [
            Segment(self.LABEL, self.style("caption--label")),
            *stacked_bar(parts, self._bar(width), self.style("caption--empty")),
            Segment(self._figures(), self.style("caption--text")),
        ]


def _wrap(said: tuple[str, int]) -> list[str]:
    text, width = said
    return (textwrap.wrap(text, width) or [""]) if width > 0 else [text]
