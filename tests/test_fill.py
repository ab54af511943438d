"""How the dashboard fills a tall terminal: the rows the meters and lanes grow into, the
timer's font."""

from __future__ import annotations

from fakes import record

from coremeter.tui.commands import COMMANDS, QUIT
from coremeter.tui.layout.fill import (
    MOST_LANE_ROWS,
    Stage,
    both_views_fit,
    stretch,
    timer_step,
)
from coremeter.tui.layout.numerals import PIXEL_ROWS, numerals, numerals_width
from coremeter.tui.layout.rows import CoreRow, Header
from coremeter.tui.layout.screen import button_columns
from coremeter.tui.layout.timeline import lanes, stretch_lanes, timeline_rows

SEQUENTIAL = record("sequential", [(0, 1, 0, 0.0, 1.2), (1, 2, 0, 1.2, 3.7)], 3.7)
PARALLEL = record("parallel", [(0, 1, 1, 0.0, 1.2), (1, 2, 0, 0.0, 2.5)], 2.5)


def test_the_timer_grows_with_the_height_and_the_timeline_joins_the_task_bars() -> None:
    assert [timer_step(h) for h in (24, 29, 30, 35, 49, 50, 60)] == [0, 0, 1, 1, 1, 2, 2]
    assert not both_views_fit(24) and both_views_fit(35) and both_views_fit(60)


def test_numerals_are_five_rows_a_size_and_a_pixel_is_two_cells_wide() -> None:
    lines = numerals("1.5", 1)
    assert len(lines) == PIXEL_ROWS and len({len(line) for line in lines}) == 1
    # 3 + 1 + 1 + 1 + 3 pixels: "1", gap, ".", gap, "5".
    assert numerals_width("1.5", 1) == 9 * 2
    big = numerals("1.5", 2)
    assert len(big) == 2 * PIXEL_ROWS and len(big[0]) == 9 * 4
    assert big[0] == big[1] and big[0].startswith(" " * 4 + "█" * 4)


def test_lanes_grow_while_the_meters_stay_at_least_as_tall() -> None:
    # Two meters, a timeline of a header, two lanes and an axis, in 20 rows.
    stage = Stage(meters=2, meters_most=17, meters_grow=True, timeline=4, lanes=2, timeline_most=24)
    tall, lane = stretch(20, stage)
    assert tall >= lane > 1
    assert 2 * tall + 4 + 2 * (lane - 1) <= 20
    # Nothing left to grow into: one row each.
    assert stretch(6, stage) == (1, 1)


def test_meters_take_what_the_lanes_leave_up_to_their_share() -> None:
    stage = Stage(meters=2, meters_most=30, meters_grow=True, timeline=1, lanes=0, timeline_most=24)
    assert stretch(40, stage) == (15, 1)
    assert stretch(40, Stage(2, 16, True, 1, 0, 24)) == (8, 1)


def test_the_many_core_forms_stay_as_they_are() -> None:
    many = Stage(meters=9, meters_most=30, meters_grow=False, timeline=20, lanes=0, timeline_most=9)
    assert stretch(60, many) == (1, 1)


def test_lanes_stop_at_their_most_rows_and_within_the_timeline_limit() -> None:
    assert stretch(200, Stage(2, 200, True, 4, 2, 200))[1] == MOST_LANE_ROWS
    # 4 rows + 2 lanes * 2 extra rows = 8: three rows a lane would need 8 + 2 rows.
    assert stretch(200, Stage(2, 200, True, 4, 2, 9))[1] == 3


def test_a_stretched_lane_keeps_its_labels_on_its_middle_row_only() -> None:
    rows = timeline_rows([SEQUENTIAL, PARALLEL], 80)
    assert lanes(rows) == 3
    tall = stretch_lanes(rows, 3)
    assert len(tall) == len(rows) + 3 * 2
    cpu0 = [row for row in tall if isinstance(row, CoreRow)][:3]
    assert [row.label.strip() for row in cpu0] == ["", "cpu0", ""]
    assert cpu0[1].labels and not cpu0[0].labels and cpu0[0].cells == cpu0[1].cells
    assert sum(isinstance(row, Header) for row in tall) == 2


def test_packed_or_summed_up_lanes_do_not_grow() -> None:
    rows = timeline_rows([SEQUENTIAL, PARALLEL], 80, max_rows=4)
    assert lanes(rows) == 0
    assert stretch_lanes(rows, 1) == rows


def test_every_buttons_label_fits_its_cell_at_80_120_and_200_columns() -> None:
    """At 80 columns two rows of buttons cut "scale×2" to "scale×" and "threads" to
    "thread": a third row keeps every label whole."""
    labels = [len(c.binding.description) for c in COMMANDS] + [len(QUIT.description)]
    assert button_columns(labels, 200) == len(labels)
    for width in (80, 120):
        columns = button_columns(labels, width)
        cell = (width - 2 - (columns - 1)) // columns
        assert cell >= max(labels) + 2, (width, columns)
    assert button_columns(labels, 80) == 6  # three rows
    assert button_columns(labels, 40) == 6  # no more than three rows, however narrow
