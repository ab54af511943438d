"""A threads lane drawn by its thread's measured share of a core: pure layout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fakes import record

from coremeter.tui.layout.cells import IDLE, Cell, cells
from coremeter.tui.layout.rows import CoreRow, Header
from coremeter.tui.layout.shading import Measured, Shaded, rise, shade
from coremeter.tui.layout.timeline import SHARE_NOTE, stretch_lanes, timeline_rows


def heights(row: Sequence[Cell], part: int = 0, tall: int = 1) -> list[object]:
    """Each cell's height in eighths in row ``part`` (0: the bottom) of a lane ``tall``
    rows high; a full or unmeasured cell, its occupant."""
    return [c.left.eighths if isinstance(c.left, Shaded) else c.left for c in rise(row, part, tall)]


def test_a_cell_is_as_high_as_the_share_its_thread_had() -> None:
    row = cells([(0, 0, 4)], scale=4, width=4)
    shaded = shade(row, {0: [(0, 1, 0.5), (1, 2, 0.25), (2, 3, 1.0), (3, 4, 0.0)]}, 4)
    assert heights(shaded) == [4, 2, 0, 0]  # full share: the task's own solid cell
    assert shaded[2] == Cell(0, 0)


def test_a_share_under_an_eighth_still_shows_its_lowest_block() -> None:
    row = cells([(0, 0, 2)], scale=2, width=2)
    shaded = shade(row, {0: [(0, 1, 0.03), (1, 2, 0.0)]}, 2)
    assert heights(shaded) == [1, 0]
    assert heights(shaded, part=0, tall=3) == [1, 0]
    assert heights(shaded, part=1, tall=3) == [0, 0]


def test_a_tall_lane_fills_from_the_bottom_up_to_its_share() -> None:
    """Half a core over three rows is a row and a half from the bottom, as a bar chart's
    column: not the same half-high sliver on every row."""
    row = cells([(0, 0, 2)], scale=2, width=2)
    shaded = shade(row, {0: [(0, 1, 0.5), (1, 2, 0.9)]}, 2)
    assert [heights(shaded, part, 3) for part in (2, 1, 0)] == [
        [0, 6],  # top: 0.9 of three rows is 21.6 eighths, 22 - 16 = 6
        [4, 0],
        [0, 0],
    ]


def test_a_cell_averages_the_stretches_inside_it_by_time() -> None:
    row = cells([(0, 0, 2)], scale=2, width=1)
    # 1.5 s at a half and 0.5 s at a whole: 0.625 of a core, five eighths.
    assert heights(shade(row, {0: [(0, 1.5, 0.5), (1.5, 2, 1.0)]}, 2)) == [5]


def test_tasks_without_a_series_and_cells_before_the_first_sample_stay_solid() -> None:
    row = cells([(IDLE, 0, 4), (0, 0, 2), (1, 2, 4)], scale=4, width=8)
    shaded = shade(row, {1: [(3, 4, 0.5)]}, 4)
    assert heights(shaded) == [0, 0, 0, 0, 1, 1, 4, 4]
    assert shaded[:6] == row[:6]


def test_past_the_last_sample_the_last_share_stands() -> None:
    """A live run between two samples: its lane does not turn solid at the front."""
    row = cells([(0, 0, 4)], scale=4, width=4)
    assert heights(shade(row, {0: [(0, 1, 0.25), (1, 2, 0.5)]}, 4)) == [2, 4, 4, 4]


def test_edges_shared_by_two_tasks_keep_their_eighth_blocks() -> None:
    row = cells([(0, 0, 1.2), (1, 1.2, 3)], scale=3, width=2)
    assert not row[0].full
    assert shade(row, {0: [(0, 1.2, 0.5)], 1: [(1.2, 3, 0.5)]}, 3)[0] == row[0]


def test_two_gil_lanes_drawn_half_high_add_up_to_one_core() -> None:
    halves = ((0.0, 4.0, 0.5),)
    run = record("threads", [(0, 1, 0, 0.0, 4.0), (1, 1, 1, 0.0, 4.0)], 4.0)
    run = replace(run, tasks=[replace(task, cpu=halves) for task in run.tasks])
    # 80 columns: narrower, a header leaves its note out first (test_charts).
    rows = timeline_rows([run], 80)
    header, *lanes = [r for r in rows if isinstance(r, (Header, CoreRow))]
    assert header.note == SHARE_NOTE
    assert len(lanes) == 2
    for lane in lanes:
        assert set(heights(list(lane.cells))) == {4}
        assert lane.labels == ()  # no solid label block in the middle of a half-high lane


def test_a_run_without_shares_draws_solid_lanes_as_before() -> None:
    run = record("threads", [(0, 1, 0, 0.0, 4.0), (1, 1, 1, 0.0, 4.0)], 4.0)
    lanes = [r for r in timeline_rows([run], 60) if isinstance(r, CoreRow)]
    assert all(not isinstance(c.left, Measured) for lane in lanes for c in lane.cells)


def test_a_stretched_gil_lane_is_a_column_half_full_from_the_bottom() -> None:
    halves = ((0.0, 4.0, 0.5),)
    run = record("threads", [(0, 1, 0, 0.0, 4.0), (1, 1, 1, 0.0, 4.0)], 4.0)
    run = replace(run, tasks=[replace(task, cpu=halves) for task in run.tasks])
    rows = stretch_lanes(timeline_rows([run], 60), 4)
    cpu0 = [r for r in rows if isinstance(r, CoreRow)][:4]
    # Top to bottom: two empty rows, then two full ones in the task's own colour.
    assert [{c.left for c in lane.cells} for lane in cpu0] == [
        {Shaded(0, 0)},
        {Shaded(0, 0)},
        {0},
        {0},
    ]
