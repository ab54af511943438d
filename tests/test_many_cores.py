"""From 1 to 256 cores: meters, task bars and the timeline fit the screen and never drop a
core without a word; hyperthreads of one physical core are marked and warned about.

The layout is pure and tested first; then the dashboard is pictured with a fake sampler
and a fake machine of 8, 64 and 256 cores (hyperthreads in the 64 and 256 case), idle and
in the middle of a balanced parallel run, at 80x24 and 200x60.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest
from fakes import WAVE, Charts, FrozenRun, balanced, record, settle
from fakes import machine as plain_machine
from textual.pilot import Pilot

from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.ownload import OwnReading
from coremeter.report import warnings
from coremeter.sampler import CpuSampler, Source
from coremeter.spec import RunSpec
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.layout.grid import (
    STRIP,
    Fit,
    Form,
    Grid,
    grid,
    physical_groups,
    strip_grid,
    summary_grid,
)
from coremeter.tui.layout.rows import CoreRow, Header, Note, Pair
from coremeter.tui.layout.timeline import PACK_LANES, timeline_rows
from coremeter.tui.widgets.meters import CoreMeters

# The forms of 256 cores with hyperthreads: a meter is "┌cpu255 " + a bar of 4 + " 100%",
# a mini meter "┌255" + a bar of 2 + " 100".
METER, MINI = Form("meter", 16), Form("mini", 10)


def smt_machine(cores: int, threads: int = 1) -> Machine:
    """A machine whose logical cores i, i + n, ... are the threads of physical core i, as
    Linux numbers them on most x86 boxes."""
    physical = cores // threads
    siblings = {
        core: [core % physical + k * physical for k in range(threads)] for core in range(cores)
    }
    return replace(
        plain_machine(cores), physical=physical, siblings=siblings if threads > 1 else {}
    )


# -- the grid ----------------------------------------------------------------------


def test_a_few_cores_stand_in_one_column_then_columns_of_eight_rows() -> None:
    assert grid(2, 78, 6, [METER]) == Grid(METER, 1, 2, 78, 2)
    # htop's eight rows, when the height allows them...
    assert grid(16, 118, 8, [METER]) == Grid(METER, 2, 8, 58, 16)
    # ...and as many rows as it does when not.
    assert grid(16, 78, 6, [METER]) == Grid(METER, 3, 6, 24, 16)


def test_too_narrow_meters_give_way_to_fewer_wider_columns_then_the_next_form() -> None:
    # Four columns of eight rows would be 18 wide: three columns of 11 rows are 24.
    wide = Form("wide", 24)
    assert grid(32, 78, 12, [wide]) == Grid(wide, 3, 11, 24, 32)
    # 256 cores in 16 rows of 200 columns: no meter fits, the mini form does.
    assert grid(256, 198, 16, [METER, MINI]) == Grid(MINI, 16, 16, 10, 256)
    assert grid(256, 78, 6, [METER, MINI]) is None


def test_hyperthreads_of_one_core_stay_in_one_column_when_the_rows_allow() -> None:
    # 10 pairs in 3 columns would need 7 rows, splitting a pair: 8 rows keep them whole.
    assert grid(20, 78, 8, [METER], Fit(prefer_rows=7, group=2)).rows == 8
    assert grid(20, 78, 7, [METER], Fit(prefer_rows=7, group=2)).rows == 7


def test_items_run_down_the_columns_or_along_a_strip() -> None:
    down = Grid(METER, 3, 3, 20, 8)
    assert [list(down.items(y)) for y in range(3)] == [[0, 3, 6], [1, 4, 7], [2, 5]]
    along = Grid(STRIP, 4, 2, 1, 6, True)
    assert [list(along.items(y)) for y in range(2)] == [[0, 1, 2, 3], [4, 5]]
    assert along.height == 3


def test_a_strip_shows_every_core_with_wide_gauges_where_the_rows_allow() -> None:
    # 64 cores at 80 columns: three-cell gauges, 16 a row, and the summary row.
    assert strip_grid(64, 78, 6, 6) == Grid(STRIP, 16, 4, 3, 64, True)
    # 256 cores: one cell each, 64 a row in eight groups of eight.
    assert strip_grid(256, 78, 6, 7) == Grid(STRIP, 64, 4, 1, 256, True)


def test_a_strip_that_cannot_fit_counts_the_rest_in_its_summary() -> None:
    assert strip_grid(256, 78, 3, 7) == Grid(STRIP, 64, 2, 1, 128, True)
    assert strip_grid(256, 78, 1, 7) == Grid(STRIP, 64, 0, 1, 0, True)


def test_tasks_past_the_rows_are_counted_and_no_more_rows_than_needed() -> None:
    short = Form("short", 12)
    # 64 tasks at 80 columns in 3 rows: two rows of five bars, and a summary.
    assert summary_grid(64, 78, 3, short) == Grid(short, 5, 2, 14, 10, True)
    # Before layout, without a width or a limit: one row per task, not sys.maxsize rows.
    assert summary_grid(3, 0, sys.maxsize, short) == Grid(short, 1, 3, 0, 3, False)


@pytest.mark.parametrize("count", [1, 2, 3, 8, 16, 33, 64, 100, 128, 256])
@pytest.mark.parametrize("size", [(80, 24), (120, 35), (200, 60), (60, 10)])
def test_every_core_is_drawn_or_counted_within_the_height_allowed(
    count: int, size: tuple[int, int]
) -> None:
    width, height = size
    meters = CoreMeters(range(count), smt_machine(count, 2 if count % 2 == 0 else 1).siblings)
    meters.max_rows = height // 4
    laid_out = meters.grid(width - 2)
    assert laid_out.height <= max(1, meters.max_rows)
    assert laid_out.shown == count or laid_out.summary
    drawn = sorted(i for y in range(laid_out.rows) for i in laid_out.items(y))
    assert drawn == list(range(laid_out.shown))
    assert sorted(meters.order) == list(range(count))
    if laid_out.form is not STRIP:
        assert laid_out.cell * laid_out.columns + laid_out.form.gutter * (laid_out.columns - 1) <= (
            width - 2
        )


# -- hyperthreads ------------------------------------------------------------------


def test_hyperthreads_of_one_core_are_grouped_and_bracketed() -> None:
    siblings = smt_machine(8, threads=2).siblings
    assert physical_groups(range(8), siblings) == [[0, 4], [1, 5], [2, 6], [3, 7]]
    # A thread whose sibling is not selected runs alone.
    assert physical_groups([0, 1, 4], siblings) == [[0, 4], [1]]
    meters = CoreMeters(range(8), siblings)
    assert meters.order == [0, 4, 1, 5, 2, 6, 3, 7]
    assert [meters.marks[c] for c in meters.order[:2]] == ["┌", "└"]
    assert CoreMeters(range(8)).marks == dict.fromkeys(range(8), "")


def test_the_warning_names_the_workers_that_share_a_physical_core() -> None:
    box = smt_machine(4, threads=2)
    assert warnings(box, [0, 1, 2, 3], [0, 1]) == []
    assert warnings(box, [0, 1, 2, 3], [0, 2]) == [
        "parallel workers on cpu0 and cpu2: hyperthreads sharing one physical core"
    ]
    assert warnings(box, [0, 1, 2, 3], [0, 1, 2, 3]) == [
        "parallel workers on cpu0+cpu2 and cpu1+cpu3: hyperthreads sharing a physical core"
    ]
    (note,) = warnings(smt_machine(256, threads=2), list(range(256)), list(range(256)))
    assert note == ("parallel workers on 128 hyperthread pairs: cpu0+cpu128, cpu1+cpu129, …")
    assert len(note) + len("⚠ ") <= 78


def test_only_a_parallel_run_that_uses_both_threads_is_warned_about() -> None:
    box = smt_machine(64, threads=2)
    cores = box.usable_cores
    # The seed's three tasks run on cpu0-2: three physical cores, no warning.
    seed = RunSpec.build("parallel", "seed", 0.2, cores).worker_cores
    assert seed == [0, 1, 2]
    assert warnings(box, cores, seed) == []
    everywhere = RunSpec.build("parallel", "balanced", 0.2, cores).worker_cores
    assert "32 hyperthread pairs" in warnings(box, cores, everywhere)[0]


# -- the timeline with many cores --------------------------------------------------


def test_many_cores_pack_two_to_a_timeline_row() -> None:
    rows = timeline_rows([balanced("sequential", 64), balanced("parallel", 64)], 80)
    pairs = [row for row in rows if isinstance(row, Pair)]
    assert len(pairs) == 32
    assert [pair.label.rstrip() for pair in pairs[:2]] == ["cpu0/1", "cpu2/3"]
    assert len(pairs[0].upper) == len(pairs[0].lower) == 80 - len("cpu62/63 ")
    headers = [row for row in rows if isinstance(row, Header)]
    assert headers[0].note == "" and "two cores a row" in headers[1].note
    # Up to PACK_LANES cores keep a row each, with their task labels.
    sixteen = timeline_rows([balanced("parallel", PACK_LANES)], 80)
    assert sum(isinstance(row, CoreRow) for row in sixteen) == PACK_LANES


def test_a_packed_row_shows_each_core_on_its_half() -> None:
    (pair,) = [r for r in timeline_rows([balanced("parallel", 34)], 60) if isinstance(r, Pair)][:1]
    # cpu0 runs task 0, cpu1 task 1, from (nearly) the left edge.
    assert (pair.upper[1], pair.lower[1]) == (0, 1)


def test_a_task_shorter_than_half_a_cell_still_shows_in_a_packed_row() -> None:
    tasks = [(i, 1, i, 0.0, 10.0) for i in range(34)]
    tasks[1] = (1, 1, 1, 5.0, 5.01)
    (pair, *_) = [
        r for r in timeline_rows([record("parallel", tasks, 10.0)], 60) if isinstance(r, Pair)
    ]
    assert 1 in pair.lower
    assert set(pair.upper) == {0}


def test_rows_past_the_height_are_summed_up_so_every_core_is_accounted_for() -> None:
    runs = [balanced("sequential", 256), balanced("parallel", 256)]
    rows = timeline_rows(runs, 200, max_rows=20)
    assert len(rows) == 20
    pairs = [row for row in rows if isinstance(row, Pair)]
    (note,) = [row for row in rows if isinstance(row, Note)]
    assert note.text.startswith(f"+ {256 - 2 * len(pairs)} more cores (cpu{2 * len(pairs)} to")
    assert "busy" in note.text
    # The sequential run keeps its one row.
    assert isinstance(rows[1], CoreRow)


def test_a_small_height_packs_a_few_cores_before_it_cuts_any() -> None:
    runs = [balanced("sequential", 8), balanced("parallel", 8)]
    rows = timeline_rows(runs, 80, max_rows=8)
    assert sum(isinstance(row, Pair) for row in rows) == 4
    assert not any(isinstance(row, Note) for row in rows)


# -- pictures ----------------------------------------------------------------------

SMALL, HUGE = (80, 24), (200, 60)
SIZES = pytest.mark.parametrize("size", [SMALL, HUGE], ids=["80x24", "200x60"])
COUNTS = pytest.mark.parametrize("cores", [8, 64, 256])


def sampler(cores: int, busy: bool) -> CpuSampler:
    """A fixed reading: a little load here and there, or every core busy but a few."""
    if busy:
        percents = [100.0 - (core * 37 % 11 == 0) * (core * 7 % 60) for core in range(cores)]
    else:
        percents = [float(core * 37 % 23) + (core % 16 == 5) * 70 for core in range(cores)]
    ids = list(range(cores))
    # All of it the run's: the meters of many cores, in one colour.
    source = Source(lambda: percents, ids, lambda workers: OwnReading(dict(enumerate(percents))))
    fake = CpuSampler(ids, alpha=1.0, history_every=10**9, source=source)
    for core in ids:
        fake.history[core].extend(v * ((core % 8) + 1) / 8 for v in WAVE)
    return fake


def dashboard(cores: int, busy: bool, shape: str = "seed") -> Dashboard:
    box = smt_machine(cores, threads=1 if cores == 8 else 2)
    return create_app(
        box,
        box.usable_cores,
        DashboardOptions(shape=shape, scale=0.2),
        sampler=sampler(cores, busy),
        clock=lambda run: 2.5,
    )


async def mid_balanced_run(pilot: Pilot) -> None:
    """A balanced parallel run half way: one task per core, a few done, a few late."""
    app = pilot.app
    spec = app.session.spec("parallel")
    progress = {}
    for task in spec.tasks:
        fraction = min(1.0, 0.35 + (task.id * 37 % 50) / 70)
        progress[task.id] = (fraction, 0.004 * task.id, 2.2 if fraction == 1.0 else None)
    run = FrozenRun(spec, progress)
    run.pids = [4101 + index for index in range(len(run.lanes))]
    app.session.mode = "parallel"
    app.session.run = run
    await settle(pilot)


@COUNTS
@SIZES
def test_idle(snap_compare, cores: int, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(cores, busy=False), terminal_size=size, run_before=settle)


@COUNTS
@SIZES
def test_balanced_parallel_run_midway(snap_compare, cores: int, size: tuple[int, int]) -> None:
    app = dashboard(cores, busy=True, shape="balanced")
    assert snap_compare(app, terminal_size=size, run_before=mid_balanced_run)


class CappedCharts(Charts):
    """The charts with the height the dashboard gives the timeline."""

    CSS = Charts.CSS + "Timeline { max-height: 40vh; }"


@pytest.mark.parametrize("cores", [64, 256])
def test_timeline_of_many_cores(snap_compare, cores: int) -> None:
    runs = [balanced("sequential", cores), balanced("parallel", cores)]
    assert snap_compare(CappedCharts(runs), terminal_size=HUGE)
