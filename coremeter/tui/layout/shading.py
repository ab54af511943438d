"""A threads lane drawn by how much of a core its thread really had.

On a GIL build the threads of a run take turns: drawn solid from start to end, two
lanes look like two busy cores. Drawn as high as the measured CPU share (a cell whose
thread had half a core is half full), the lanes of a threads run add up to one core,
which is the point the picture has to make. A lane several rows tall fills from the
bottom up, as a bar chart's column does: half a core is its lower half, not a sliver
repeated on every row.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

from coremeter.results import Share
from coremeter.tui.layout.cells import Cell

# A cell's height in eighths, from none to full: the lower blocks.
HEIGHTS = " ▁▂▃▄▅▆▇█"


class Measured(NamedTuple):
    """A cell of ``task`` whose thread had ``share`` of a core (under 1; a whole core
    stays the task itself), before it is cut into the rows of its lane (``rise``)."""

    task: Hashable
    share: float


class Shaded(NamedTuple):
    """One row of a measured cell, as drawn: ``eighths`` of it filled from the bottom
    (0-7; a full row is the task itself)."""

    task: Hashable
    eighths: int


def rise(row: Sequence[Cell], part: int, tall: int) -> tuple[Cell, ...]:
    """Row ``part`` (0: the bottom) of a lane ``tall`` rows high: each measured cell
    filled up to its share of the lane's height. A share under an eighth of a row still
    shows as the lowest eighth block: a thread that had almost nothing still ran."""
    risen = []
    for cell in row:
        what = cell.left
        if not isinstance(what, Measured):
            risen.append(cell)
            continue
        eighths = min(max(round(what.share * tall * 8) - 8 * part, 0), 8)
        if part == 0 and what.share > 0:
            eighths = max(eighths, 1)
        shown = what.task if eighths == 8 else Shaded(what.task, eighths)
        risen.append(Cell(shown, shown))
    return tuple(risen)


def shade(
    row: Sequence[Cell], series: Mapping[Hashable, Sequence[Share]], scale: float
) -> list[Cell]:
    """``row`` (cells over 0..``scale`` seconds) with each whole cell of a task that has a
    share series made ``Measured`` by the share its thread had over that cell's time.

    A cell's share is the time-weighted mean of the stretches that overlap it. Past the
    last stretch (a live run between samples, or cut short) the last share stands, as a
    meter holds its last reading; a task with no stretch yet keeps its solid look. Cells
    that a task shares
    with its neighbour stay as they are, so the edges stay exact. One pass over the
    cells and the stretches together: a row costs its width plus its samples.
    """
    width = len(row)
    if not width or scale <= 0 or not series:
        return list(row)
    step = scale / width
    shaded = list(row)
    position: dict[Hashable, int] = {}
    for column, cell in enumerate(row):
        stretches = series.get(cell.left) if cell.full else None
        if not stretches:
            continue
        first, last = column * step, (column + 1) * step
        # Stretches end in order: skip those that ended before this cell.
        index = position.get(cell.left, 0)
        while index < len(stretches) and stretches[index][1] <= first:
            index += 1
        position[cell.left] = index
        covered = used = 0.0
        for start, end, had in stretches[index:]:
            if start >= last:
                break
            overlap = min(end, last) - max(start, first)
            covered += overlap
            used += overlap * had
        past_the_last = index == len(stretches)
        share = used / covered if covered > 0 else stretches[-1][2] if past_the_last else None
        if share is not None and share < 1:
            what = Measured(cell.left, share)
            shaded[column] = Cell(what, what)
    return shaded
