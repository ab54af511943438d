"""A chart row as cells at eighth-cell resolution, the labels that fit in them, and
the ticks of an axis under them."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from itertools import groupby, pairwise
from typing import NamedTuple

# Occupants of a cell besides task ids; None is "outside the run": the background.
IDLE = "idle"
BAR, GHOST, TRACK = "bar", "ghost", "track"

# Step candidates for an axis: 1, 2 and 5 times the powers of ten from 0.01 up.
_NICE = tuple(m * 10.0**e for e in range(-2, 5) for m in (1, 2, 5))
_TICK_GAP = 3
# Fewer, evenly spaced labels read better from the back of a room than many.
_TICK_SPACING = 8


class Cell(NamedTuple):
    """One terminal cell: ``left`` fills its first ``eighths`` eighths, ``right`` the rest.

    A tuple, so that comparing rows of cells (to redraw only what changed) runs in C.
    """

    left: Hashable
    right: Hashable
    eighths: int = 8

    @property
    def full(self) -> bool:
        return self.eighths == 8


def cells(spans: Sequence[tuple[Hashable, float, float]], scale: float, width: int) -> list[Cell]:
    """``width`` cells showing 0..``scale``; each span (what, start, end) draws over the ones
    before it, and a span shorter than an eighth still takes one, so no task vanishes.

    Each cell shows what fills it from its left edge, then what is at its right edge, so
    both edges are exact; a third occupant inside one cell (a span shorter than a cell) is
    drawn in the right edge's colour. The work is per span, not per cell: 256 cores at
    200 columns lay out in milliseconds.
    """
    size = max(0, width) * 8
    if scale <= 0:
        return [Cell(None, None)] * max(0, width)
    subs: list[Hashable] = [None] * size
    edges = {0, size}
    for what, start, end in spans:
        first = min(size, max(0, round(start / scale * size)))
        last = round(end / scale * size)
        if end > start:
            last = max(last, first + 1)
        last = min(last, size)
        if last > first:
            subs[first:last] = [what] * (last - first)
            edges.update((first, last))
    row: list[Cell] = []
    for start, end in pairwise(sorted(edges)):
        # Each cell is made by the run its left edge falls in.
        what, column = subs[start], -(-start // 8) * 8
        whole = (end - column) // 8
        if whole > 0:
            row.extend([Cell(what, what)] * whole)
            column += whole * 8
        if column < end:
            row.append(Cell(what, subs[column + 7], end - column))
    return row


def full_runs(row: Sequence[Cell]) -> list[tuple[Hashable, int, int]]:
    """(occupant, first column, length) of each stretch of cells one occupant fills whole."""
    runs, column = [], 0
    for cell, group in groupby(row):
        length = len(list(group))
        if cell.full:
            runs.append((cell.left, column, length))
        column += length
    return runs


def place_labels(
    row: Sequence[Cell], texts: Mapping[Hashable, Sequence[str]]
) -> tuple[tuple[int, str], ...]:
    """(column, text): in each stretch of whole cells, the first of its occupant's texts
    (longest first) that fits with a blank cell either side, centred."""
    placed = []
    for what, column, length in full_runs(row):
        text = next((t for t in texts.get(what, ()) if len(t) + 2 <= length), None)
        if text is not None:
            placed.append((column + (length - len(text)) // 2, text))
    return tuple(placed)


def ticks(
    scale: float, width: int, unit: str, min_step: float = 0.0, end: bool = False
) -> tuple[tuple[int, str], ...]:
    """(column, label) of an axis from 0 to ``scale`` over ``width`` cells: the smallest
    round step whose labels keep a gap between them; with ``end``, ``scale`` itself is
    labelled too, in place of a round tick too close to it. Labels are centred on their
    tick, except where that would run past either edge."""
    if scale <= 0 or width <= 0:
        return ()

    def label(value: float) -> str:
        # Two decimals: the finest step is 0.01, and an end value such as a measured
        # speedup of 2.04218 reads as 2.04.
        return f"{round(value, 2):g}{unit}"

    def count(step: float) -> int:
        return int(scale / step + 1e-9) + 1

    def fits(step: float) -> bool:
        # The step has the most decimals of its multiples, the last tick the most digits.
        widest = max(len(label(step)), len(label((count(step) - 1) * step)))
        return step >= min_step and step / scale * width >= max(widest + _TICK_GAP, _TICK_SPACING)

    step = next((s for s in _NICE if fits(s)), _NICE[-1])
    values = [k * step for k in range(count(step))]
    if end and not math.isclose(values[-1], scale):
        values.append(scale)
    placed: list[tuple[int, str]] = []
    for value in values:
        text = label(value)
        column = min(max(0, round(value / scale * width) - len(text) // 2), width - len(text))
        if placed and column < placed[-1][0] + len(placed[-1][1]) + _TICK_GAP:
            if value != scale:
                continue
            placed.pop()
        placed.append((column, text))
    return tuple(placed)
