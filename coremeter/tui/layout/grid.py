"""Grids for many items (cores, tasks): which form each item takes, how many columns,
and what a summary row sums up, so no item is ever dropped without a word."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

# htop's rule: eight rows of meters before a second column.
METER_ROWS = 8


@dataclass(frozen=True)
class Form:
    """One way to draw an item: its narrowest cell, the blank between columns, and whether
    items run along the rows (a strip) or down the columns (meters, as htop has them)."""

    name: str
    width: int
    gutter: int = 2
    across: bool = False

    def cell(self, width: int, columns: int) -> int:
        return (width - self.gutter * (columns - 1)) // columns


@dataclass(frozen=True)
class Grid:
    """Where a widget's items go: ``rows`` rows of ``columns`` cells ``cell`` wide. Only the
    first ``shown`` items are drawn; with ``summary``, one more row sums up the others (or,
    when all are shown, all of them), so no item is ever dropped without a word. Along a
    strip, items come in runs of ``group`` (a physical core's threads): each band of
    ``group`` rows holds the same runs, one thread a row."""

    form: Form
    columns: int
    rows: int
    cell: int
    shown: int
    summary: bool = False
    group: int = 1

    @property
    def height(self) -> int:
        return self.rows + self.summary

    def items(self, y: int) -> range:
        """The indices of the items on row ``y``."""
        if self.form.across:
            band, thread = divmod(y, self.group)
            start = band * self.columns * self.group
            return range(
                start + thread, min(self.shown, start + self.columns * self.group), self.group
            )
        return range(y, self.shown, self.rows)


@dataclass(frozen=True)
class Fit:
    """How a grid prefers to fill its room: ``prefer_rows`` rows before another column,
    and items in runs of ``group`` (the hyperthreads of one core) kept in one column."""

    prefer_rows: int = METER_ROWS
    group: int = 1


def grid(
    count: int, width: int, max_rows: int, forms: Sequence[Form], fit: Fit = Fit()
) -> Grid | None:
    """The first of ``forms`` (richest first) whose cells fit all ``count`` items in
    ``max_rows`` rows, or None. Columns are as many as ``fit.prefer_rows`` rows need, fewer
    (so wider) where those cells would be too narrow. Items in a ``fit.group`` stay in one
    column when rows can be rounded to a multiple of it."""
    prefer_rows, group = fit.prefer_rows, fit.group
    max_rows = max(1, max_rows)
    if count == 0:
        return Grid(forms[0], 1, 0, width, 0)
    for form in forms:
        most = math.ceil(count / min(prefer_rows, max_rows))
        for columns in range(most, math.ceil(count / max_rows) - 1, -1):
            if form.cell(width, columns) < form.width:
                continue
            rows = math.ceil(count / columns)
            if math.ceil(rows / group) * group <= max_rows:
                rows = math.ceil(rows / group) * group
            columns = math.ceil(count / rows)
            return Grid(form, columns, rows, form.cell(width, columns), count)
    return None


def summary_grid(count: int, width: int, max_rows: int, form: Form) -> Grid:
    """As many cells of ``form`` as fit in ``max_rows`` - 1 rows, and a summary row of the
    rest; never more rows than the items need (a widget not laid out yet has no limit)."""
    columns = max(1, (width + form.gutter) // (form.width + form.gutter))
    rows = min(max(0, max_rows - 1), math.ceil(count / columns))
    shown = min(count, rows * columns)
    return Grid(form, columns, rows, form.cell(width, columns), shown, shown < count)


STRIP = Form("strip", 1, gutter=1, across=True)
# Gauges per group in a strip; groups stand a blank apart, so a core can be counted out.
STRIP_GROUP = 8


def strip_grid(count: int, width: int, max_rows: int, label: int, group: int = 1) -> Grid:
    """One small gauge per core after a ``label`` wide row label, in runs of eight along
    the rows, each gauge as wide as the rows allow (three cells, two, one), with a summary
    row: the average load and how many cores are busy, and any cores that did not fit.
    The threads of a physical core (``group`` of them) stand one above the other."""
    bands_left = max(0, max_rows - 1) // group
    for gauge in (3, 2, 1):
        per_row = max(1, (width - label + 1) // (STRIP_GROUP * gauge + 1)) * STRIP_GROUP
        bands = math.ceil(count / (per_row * group))
        if bands <= bands_left or gauge == 1:
            bands = min(bands, bands_left)
            # As many cores in each band: 64 cores as 32 and 32, not 48 and 16.
            even = math.ceil(count / group / max(1, bands) / STRIP_GROUP) * STRIP_GROUP
            per_row = min(per_row, even)
            shown = min(count, bands * per_row * group)
            return Grid(STRIP, per_row, bands * group, gauge, shown, True, group)
    raise AssertionError("unreachable: a one-cell gauge always returns")


def physical_groups(cores: Sequence[int], siblings: Mapping[int, Sequence[int]]) -> list[list[int]]:
    """The cores by physical core: hyperthreads of one core side by side, in core order.

    Only siblings among ``cores`` count: a core whose sibling is not selected runs alone."""
    chosen = set(cores)

    def physical(core: int) -> int:
        return min(chosen.intersection(siblings.get(core, ())) | {core})

    ordered = sorted(cores, key=lambda core: (physical(core), core))
    return [list(group) for _, group in groupby(ordered, key=physical)]


def thread_mark(index: int, size: int) -> str:
    """A bracket joining the labels of one physical core's threads, one above the other."""
    if size == 1:
        return " "
    return "┌" if index == 0 else "└" if index == size - 1 else "├"
