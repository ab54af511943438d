"""The timeline and the speedup chart: the pure layout first, then how they look.

Every record is built by hand, so the pictures are the same on any machine: one
unit of the seed's work takes 1.24 s, as a sequential run at scale 0.2 does on a
current laptop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest
from fakes import Charts, balanced, record

from coremeter.results import ResultsLog, RunRecord
from coremeter.tui.layout.cells import BAR, GHOST, IDLE, TRACK, Cell, cells, place_labels, ticks
from coremeter.tui.layout.rows import Axis, Bar, CoreRow, Header, Note
from coremeter.tui.layout.speedup import SPEEDUP_HINT, speedup_rows
from coremeter.tui.layout.timeline import (
    PACKED_NOTE,
    TIMELINE_HINT,
    core_lanes,
    timeline_rows,
    timeline_runs,
)
from coremeter.tui.widgets.charts import Timeline

SMALL, LARGE = (80, 24), (120, 24)


SEQUENTIAL = record(
    "sequential",
    [(0, 1, 0, 0.0, 1.24), (1, 2, 0, 1.24, 3.71), (2, 3, 0, 3.71, 7.43)],
    7.43,
    speedup=1.0,
    bound=1.0,
)
# Longest first: three units on each core, the seed's bound of 2.0.
PARALLEL = record(
    "parallel",
    [(0, 1, 1, 2.49, 3.76), (1, 2, 1, 0.01, 2.49), (2, 3, 0, 0.02, 3.78)],
    3.81,
    speedup=7.43 / 3.81,
)
# What the article's Pool did: in order, one core runs 1+3 units while the other runs 2.
IN_ORDER = record(
    "parallel",
    [(0, 1, 0, 0.01, 1.26), (1, 2, 1, 0.01, 2.50), (2, 3, 0, 1.26, 5.02)],
    5.02,
    speedup=7.43 / 5.02,
    bound=1.5,
)
FAILED = record(
    "parallel",
    [(0, 1, 1, None, None), (1, 2, 1, 0.01, None), (2, 3, 0, 0.02, None)],
    1.27,
    state="failed",
    reason="worker on cpu1 (pid 4102) was killed by SIGKILL",
)
# The GIL: two pinned threads take turns, each task as long as the whole run.
THREADS = record(
    "threads",
    [(0, 1, 1, 5.21, 7.90), (1, 2, 1, 0.01, 5.21), (2, 3, 0, 0.02, 7.96)],
    7.96,
    speedup=7.43 / 7.96,
)


def lanes_of(rows: list) -> list[CoreRow]:
    return [row for row in rows if isinstance(row, CoreRow)]


def eighths(row: Sequence[Cell], keep: Callable[[object], bool]) -> int:
    """How many eighths of a row hold an occupant that ``keep`` accepts."""
    return sum(c.eighths * keep(c.left) + (8 - c.eighths) * keep(c.right) for c in row)


def span(seconds: float, lane: CoreRow, scale: float = 7.43) -> int:
    """How many eighths ``seconds`` take on a lane whose width shows ``scale`` seconds."""
    return round(seconds / scale * len(lane.cells) * 8)


def drawn(lane: CoreRow) -> int:
    """How many cells of a lane show its run (tasks or idle) rather than the background."""
    return sum(cell.left is not None for cell in lane.cells)


def cells_for(seconds: float, lane: CoreRow) -> int:
    """How many cells a run of ``seconds`` starts to fill on a lane showing 7.43 s."""
    return -(-span(seconds, lane) // 8)


# -- cells -------------------------------------------------------------------------


def test_each_cell_shows_the_task_running_there() -> None:
    row = cells([(0, 0, 1), (1, 1, 3), (2, 3, 6)], scale=6, width=12)
    assert [cell.left for cell in row] == [0] * 2 + [1] * 4 + [2] * 6
    assert all(cell.full for cell in row)


def test_a_boundary_inside_a_cell_is_an_eighth_block_of_both_colours() -> None:
    assert cells([(1, 0, 0.3), (2, 0.3, 1)], scale=1, width=1) == [Cell(1, 2, 2)]
    assert cells([(1, 0, 0.5)], scale=1, width=1) == [Cell(1, None, 4)]


def test_a_task_shorter_than_an_eighth_still_shows() -> None:
    row = cells([(IDLE, 0, 100), (7, 50, 50.001)], scale=100, width=10)
    assert any(7 in (cell.left, cell.right) for cell in row)


def test_labels_go_where_they_fit_with_a_blank_cell_either_side() -> None:
    row = cells([(0, 0, 4), (1, 4, 14)], scale=14, width=14)
    texts = {0: ("t0 1.24s", "t0"), 1: ("t1 2.47s", "t1")}
    # Four cells hold "t0" with a blank either side; ten hold the long label, centred.
    assert place_labels(row, texts) == ((1, "t0"), (5, "t1 2.47s"))
    assert place_labels(cells([(0, 0, 3)], 3, 3), texts) == ()


def test_axis_ticks_are_round_steps_that_never_collide() -> None:
    # Centred on their tick, the first one from the left edge.
    centred = tuple((max(0, round(k / 7.43 * 75) - 1), f"{k}s") for k in range(8))
    assert ticks(7.43, 75, "s") == centred
    assert [t for _, t in ticks(7.43, 20, "s")] == ["0s", "5s"]
    assert [t for _, t in ticks(0.31, 60, "s")][:3] == ["0s", "0.05s", "0.1s"]
    assert ticks(16, 40, "x", min_step=1)[-1] == (37, "15x")
    # The axis end labelled, in place of the round tick too close to it.
    assert ticks(16, 40, "x", min_step=1, end=True)[-2:] == ((24, "10x"), (37, "16x"))
    assert ticks(2.1, 40, "x", min_step=1, end=True)[-2:] == ((18, "1x"), (36, "2.1x"))
    # The last label ends at the right edge instead of running past it.
    assert ticks(2, 40, "x", min_step=1)[-1] == (38, "2x")
    for scale, width in [(0.31, 60), (123.4, 100), (3.81, 11), (0.5, 200)]:
        placed = ticks(scale, width, "s")
        ends = [column + len(text) for column, text in placed]
        assert all(end + 2 < nxt for end, (nxt, _) in zip(ends, placed[1:], strict=False))
        assert ends[-1] <= width


# -- the timeline ----------------------------------------------------------------


def test_no_runs_is_a_one_line_hint() -> None:
    assert timeline_rows([], 80) == [Note(TIMELINE_HINT)]


def test_sequential_and_parallel_stand_on_one_time_scale() -> None:
    rows = timeline_rows([SEQUENTIAL, PARALLEL], 80)
    assert [type(row) for row in rows] == [Header, CoreRow, Header, CoreRow, CoreRow, Axis]
    seq, cpu0, cpu1 = lanes_of(rows)
    bars = len(seq.cells)
    assert bars == 80 - len("cpu0 ")
    # Six units on one core span the width; three units on each of two, about half.
    assert drawn(seq) == bars
    assert drawn(cpu0) == drawn(cpu1) == cells_for(3.81, cpu0) == 39
    # t1 then t0 on cpu1, t2 alone on cpu0, both starting at the left edge.
    assert [text for _, text in cpu1.labels] == ["t1 2.48s", "t0 1.27s"]
    assert {c.left for c in cpu0.cells[1 : drawn(cpu0) - 1]} == {2}
    assert [row.status for row in rows if isinstance(row, Header)] == ["7.43 s", "3.81 s"]


def test_the_idle_gap_of_an_imbalanced_schedule_is_drawn_and_labelled() -> None:
    _, cpu0, cpu1 = lanes_of(timeline_rows([SEQUENTIAL, IN_ORDER], 80))
    assert drawn(cpu0) == drawn(cpu1) == cells_for(5.02, cpu0)
    gap = eighths(cpu1.cells, lambda what: what == IDLE)
    assert abs(gap - (span(5.02, cpu1) - span(2.50, cpu1))) < 8
    assert [text for _, text in cpu1.labels] == ["t1 2.49s", "idle"]
    assert [text for _, text in cpu0.labels] == ["t0 1.25s", "t2 3.76s"]


def test_headers_line_up_the_wall_times_of_the_runs() -> None:
    headers = [
        row for row in timeline_rows([SEQUENTIAL, PARALLEL, THREADS], 80) if isinstance(row, Header)
    ]
    assert [h.mode for h in headers] == ["sequential", "parallel  ", "threads   "]
    assert headers[0].workload == "seed×0.2"


@pytest.mark.parametrize("width", range(40, 130))
def test_a_header_drops_whole_parts_where_it_is_too_narrow(width: int) -> None:
    """The note goes first, then the run's number and work; none is ever cut."""
    numbered = [replace(run, number=n) for n, run in enumerate([SEQUENTIAL, FAILED], 1)]
    many = replace(balanced("parallel", 64), number=3)
    for row in timeline_rows([*numbered, many], width):
        if isinstance(row, Header):
            head = len(f"{row.mode}  {row.status}  ")
            assert row.workload == "" or head + len(row.workload + row.note) <= width
            assert row.note == "" or row.workload
    headers = [row for row in timeline_rows([*numbered, many], width) if isinstance(row, Header)]
    assert headers[0].workload in ("", "run 1 · seed×0.2")
    assert headers[2].note in ("", PACKED_NOTE)


def test_a_failed_run_is_drawn_to_where_it_stopped_and_marked() -> None:
    rows = timeline_rows([SEQUENTIAL, FAILED], 80)
    header = rows[2]
    assert header == Header(
        "parallel  ",
        "failed at 1.27 s: worker on cpu1 (pid 4102) was killed by SIGKILL",
        "failed",
        "",  # the reason takes the line: the work goes whole, not cut (a failed header)
    )
    seq, cpu0, cpu1 = lanes_of(rows)
    assert drawn(cpu0) == drawn(cpu1) == cells_for(1.27, cpu0)
    # The mark stands in the cell after the last one drawn; t0 never started: no trace.
    assert cpu0.cut == cpu1.cut == cells_for(1.27, cpu0)
    assert seq.cut is None
    assert all(0 not in (c.left, c.right) for lane in (cpu0, cpu1) for c in lane.cells)


def test_a_cancelled_run_that_spans_the_scale_is_marked_in_its_last_cell() -> None:
    cancelled = record(
        "sequential", [(0, 1, 0, 0.0, None)], 2.0, state="cancelled", reason="cancelled with escape"
    )
    (lane,) = lanes_of(timeline_rows([cancelled], 40))
    assert lane.cut == len(lane.cells) - 1
    # The state said once, whether the reason starts with it or not.
    assert timeline_rows([cancelled], 40)[0].status == "cancelled at 2.00 s with escape"
    switched = replace(cancelled, reason="cancelled: parallel was started")
    assert timeline_rows([switched], 40)[0].status == "cancelled at 2.00 s: parallel was started"
    killed = replace(cancelled, state="failed", reason="worker on cpu0 exited with code 1")
    assert (
        timeline_rows([killed], 40)[0].status
        == "failed at 2.00 s: worker on cpu0 exited with code 1"
    )


def logged(*records: RunRecord) -> list[RunRecord]:
    """The records as a session logs them: numbered, each speedup judged."""
    log = ResultsLog()
    for one in records:
        log.add(replace(one, speedup=None))
    return log.runs


def headers(runs: list[RunRecord]) -> list[str]:
    rows = timeline_rows(runs, 100)
    return [f"{h.mode.strip()} {h.status} {h.workload}" for h in rows if isinstance(h, Header)]


def test_a_cancelled_sequential_run_is_drawn_below_the_baseline_never_in_its_place() -> None:
    # s, p, then s cancelled with escape: the caption's speedup is against run 1.
    cancelled = record(
        "sequential", [(0, 1, 0, 0.0, 1.24), (1, 2, 0, 1.24, None)], 2.0,
        state="cancelled", reason="cancelled with escape",
    )  # fmt: skip
    runs = logged(SEQUENTIAL, PARALLEL, cancelled)
    assert runs[1].verdict is not None and runs[1].verdict.baseline == 1
    assert headers(timeline_runs(runs, None)) == [
        "sequential 7.43 s run 1 · seed×0.2",
        "sequential cancelled at 2.00 s with escape run 3 · seed×0.2",
        "parallel 3.81 s run 2 against run 1 · seed×0.2",
    ]
    # While a sequential run runs, it is drawn below the baseline too.
    live = replace(cancelled, state="running", reason=None, number=0)
    drawn = timeline_runs(runs[:2], live)
    assert [(r.mode, r.number, r.state) for r in drawn] == [
        ("sequential", 1, "done"), ("sequential", 0, "running"), ("parallel", 2, "done"),
    ]  # fmt: skip


def test_every_baseline_of_a_speedup_on_screen_is_drawn() -> None:
    # s, p, s: the parallel run's speedup is against run 1, which stays drawn by run 3.
    runs = logged(SEQUENTIAL, PARALLEL, replace(SEQUENTIAL, wall_s=7.5))
    assert [r.number for r in timeline_runs(runs, None)] == [1, 3, 2]
    # s, p, s, p: both speedups against run 3; run 1 is no longer any speedup's baseline.
    runs = logged(SEQUENTIAL, PARALLEL, SEQUENTIAL, PARALLEL)
    assert [r.number for r in timeline_runs(runs, None)] == [3, 4]
    assert speedup_rows(runs, 80)[0].text.endswith("vs run 3")


def test_a_live_run_runs_to_now() -> None:
    live = record("parallel", [(1, 2, 1, 0.01, None), (2, 3, 0, 0.02, None)], 1.9, state="running")
    rows = timeline_rows([SEQUENTIAL, live], 80)
    _, cpu0, cpu1 = lanes_of(rows)
    assert drawn(cpu0) == drawn(cpu1) == cells_for(1.9, cpu0)
    assert cpu0.cut is None
    assert rows[2].status == "running · 1.9 s"


def test_only_cores_that_ran_tasks_get_a_row_in_core_order() -> None:
    run = record("parallel", [(0, 1, 12, 0.0, 1.2), (1, 2, 3, 0.0, 2.4), (2, 3, 40, 0.0, 3.6)], 3.6)
    lanes = core_lanes(run)
    assert [label for label, _ in lanes] == ["cpu3", "cpu12", "cpu40"]
    assert {lane.label for lane in lanes_of(timeline_rows([run], 80))} == {
        "cpu3 ",
        "cpu12",
        "cpu40",
    }


def test_unpinned_tasks_stack_on_rows_labelled_unpinned() -> None:
    run = record(
        "parallel",
        [(0, 1, None, 2.5, 3.8), (1, 2, None, 0.0, 2.5), (2, 3, None, 0.0, 3.8)],
        3.8,
    )
    assert core_lanes(run) == [
        ("unpinned", [(1, 0.0, 2.5), (0, 2.5, 3.8)]),
        ("unpinned", [(2, 0.0, 3.8)]),
    ]
    sequential = record("sequential", [(0, 1, None, 0, 1), (1, 2, None, 1, 3)], 3)
    assert [label for label, _ in core_lanes(sequential)] == ["unpinned"]


# -- the speedup chart -----------------------------------------------------------


def test_speedup_bars_measure_against_the_bound_and_the_cores() -> None:
    four = record("parallel", [(i, 1, i, 0, 1) for i in range(4)], 1.0, speedup=1.5, bound=2.0)
    parallel, threads, axis = speedup_rows([SEQUENTIAL, four], 80)
    width = len(parallel.cells)
    assert parallel.text == "1.50x  bound 2.00x  4 cores"
    assert width == 80 - len("parallel ") - len(parallel.text) - 1
    # On a scale ended by the four cores: 1.5 measured, up to 2 allowed, 4 in all.
    measured = round(1.5 / 4 * width * 8)
    assert eighths(parallel.cells, lambda what: what == BAR) == measured
    assert eighths(parallel.cells, lambda what: what == GHOST) == width * 8 / 2 - measured
    assert eighths(parallel.cells, lambda what: what == TRACK) == width * 8 / 2
    assert threads == Bar("threads  ", (), "not run yet")
    assert [text for _, text in axis.ticks] == ["0x", "1x", "2x", "3x", "4x"]


def test_speedup_bars_share_a_scale_and_keep_the_last_good_run() -> None:
    rows = speedup_rows([SEQUENTIAL, PARALLEL, THREADS, FAILED], 80)
    parallel, threads = rows[:2]
    assert parallel.text.startswith("1.95x")
    for bar, speedup in ((parallel, 7.43 / 3.81), (threads, 7.43 / 7.96)):
        assert eighths(bar.cells, lambda what: what == BAR) == round(speedup / 2 * 43 * 8)
        assert len(bar.cells) == 43


def test_speedup_needs_a_good_run_with_a_baseline() -> None:
    assert speedup_rows([], 80) == [Note(SPEEDUP_HINT)]
    assert speedup_rows([SEQUENTIAL, FAILED], 80) == [Note(SPEEDUP_HINT)]
    no_baseline = record("threads", [(0, 1, 0, 0, 1)], 1.0)
    rows = speedup_rows([PARALLEL, no_baseline], 80)
    assert rows[1] == Bar("threads  ", (), "no sequential run of its workload before it")


@pytest.mark.parametrize("width", [0, 1, 7, 20, 300])
def test_any_width_lays_out_without_losing_a_row(width: int) -> None:
    runs = [SEQUENTIAL, PARALLEL, THREADS, FAILED, IN_ORDER, balanced("parallel", 16)]
    for run in runs:
        assert len(lanes_of(timeline_rows([SEQUENTIAL, run], width))) == 1 + len(core_lanes(run))
    assert len(speedup_rows(runs, width)) == 3


# -- the widgets -----------------------------------------------------------------


def test_show_with_equal_inputs_lays_out_nothing_again() -> None:
    async def main() -> None:
        app = Charts([SEQUENTIAL, PARALLEL])
        async with app.run_test(size=SMALL) as pilot:
            timeline = app.query_one(Timeline)
            await pilot.pause()
            width = timeline.size.width
            lay_out = timeline.lay_out
            laid_out: list[int] = []

            def counted(records: Sequence[RunRecord], width: int, max_rows: int) -> list:
                laid_out.append(len(records))
                return lay_out(records, width, max_rows)

            timeline.lay_out = counted  # type: ignore[method-assign]
            copies = [RunRecord(**vars(r)) for r in (SEQUENTIAL, PARALLEL)]
            timeline.show(copies)
            timeline.show([SEQUENTIAL], PARALLEL)
            assert timeline.rows(width) == 6
            assert laid_out == []
            timeline.show([SEQUENTIAL, PARALLEL], IN_ORDER)
            await pilot.pause()
            assert timeline.rows(width) == 6
            assert laid_out == [2]
            # A live run under the longer sequential one: only its own rows are redrawn,
            # never the sequential row (1) or the axis (5).
            refreshed: list[int] = []
            timeline.refresh = lambda *regions, **_: refreshed.extend(r.y for r in regions)
            for seconds in (1.0, 1.5):
                tasks = [(1, 2, 1, 0.01, None), (2, 3, 0, 0.02, None)]
                timeline.show([SEQUENTIAL], record("parallel", tasks, seconds, state="running"))
            assert refreshed == [2, 3, 4] * 2

    asyncio.run(main())


SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80", "120"])


@SIZES
def test_seed_sequential_against_parallel(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(Charts([SEQUENTIAL, PARALLEL]), terminal_size=size)


@SIZES
def test_in_order_schedule_leaves_an_idle_gap(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(Charts([SEQUENTIAL, IN_ORDER]), terminal_size=size)


@SIZES
def test_failed_parallel_run(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(Charts([SEQUENTIAL, PARALLEL, FAILED]), terminal_size=size)


@SIZES
def test_sixteen_cores_balanced(snap_compare, size: tuple[int, int]) -> None:
    runs = [balanced("sequential", 16), balanced("parallel", 16)]
    assert snap_compare(Charts(runs), terminal_size=(size[0], 28))


def test_three_modes_and_a_live_run(snap_compare) -> None:
    live = record("parallel", [(1, 2, 1, 0.01, None), (2, 3, 0, 0.02, None)], 1.9, state="running")
    app = Charts([SEQUENTIAL, PARALLEL, THREADS], live)
    assert snap_compare(app, terminal_size=SMALL)


def test_no_runs_yet(snap_compare) -> None:
    assert snap_compare(Charts([]), terminal_size=(80, 8))


def test_an_end_label_past_the_round_ticks_has_two_decimals() -> None:
    # A measured speedup above the core count ends the speedup axis.
    assert ticks(2.04218, 40, "x", min_step=1, end=True)[-1][1] == "2.04x"
