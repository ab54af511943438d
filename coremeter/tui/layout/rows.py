"""What a chart's rows can be. Each row is plain frozen data and its own key: a widget
redraws a row when it changes, and paints it from these fields alone."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from coremeter.results import RunState
from coremeter.tui.layout.cells import Cell


@dataclass(frozen=True)
class Axis:
    """Tick labels (column, text) under a chart whose cells start at column ``offset``."""

    offset: int
    ticks: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Header:
    """A run's title row: its mode, then how it ended (``state`` picks the colour)."""

    mode: str
    status: str
    state: RunState
    workload: str
    note: str = ""


@dataclass(frozen=True)
class CoreRow:
    """One core of a run: its label, its cells, task labels, and where a stopped run was cut."""

    label: str
    cells: tuple[Cell, ...]
    labels: tuple[tuple[int, str], ...]
    cut: int | None


@dataclass(frozen=True)
class Pair:
    """Two cores of a run in one text row, in half blocks: the upper one's occupant of each
    cell is drawn as ▀ over the lower one's; a stopped run is cut at ``cut``."""

    label: str
    upper: tuple[Hashable, ...]
    lower: tuple[Hashable, ...]
    cut: int | None


@dataclass(frozen=True)
class Bar:
    """A mode's speedup bar and its figures; with no cells, ``text`` says why there is no bar."""

    label: str
    cells: tuple[Cell, ...]
    text: str


# What a chart's rows can be; a row is its own key: it is redrawn when it changes.
Row = Header | CoreRow | Pair | Bar | Axis | Note
