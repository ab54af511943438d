"""A threads lane drawn by how much of a core its thread really had.

On a GIL build the threads of a run take turns: drawn solid from start to end, two
lanes look like two busy cores. Drawn as high as the measured CPU share (a cell whose
thread had half a core is half full), the lanes of a threads run add up to one core,
which is the point the picture has to make.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

from coremeter.results import Share
from coremeter.tui.layout.cells import Cell

# A cell's height in eighths, from none to full: the lower blocks.
HEIGHTS = " ▁▂▃▄▅▆▇█"


class Shaded(NamedTuple):
    """A cell of ``task`` whose thread had ``eighths`` eighths of a core (0-7; a full
    cell stays the task itself)."""

    task: Hashable
    eighths: int


def shade(
    row: Sequence[Cell], series: Mapping[Hashable, Sequence[Share]], scale: float
) -> list[Cell]:
    """``row`` (cells over 0..``scale`` seconds) with each whole cell of a task that has a
    share series made ``Shaded`` by the share its thread had over that cell's time.

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
        if share is not None:
            eighths = round(share * 8)
            if eighths < 8:
                what = Shaded(cell.left, eighths)
                shaded[column] = Cell(what, what)
    return shaded
