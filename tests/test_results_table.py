"""The results table at 80x24, 120x35 and 200x60: every cell it shows is whole, and a
table too narrow drops whole columns, in the order its docstring gives."""

from __future__ import annotations

import re

import pytest
from fakes import FrozenRun, ended, fake_sampler, machine, settle
from helpers import drive
from textual.coordinate import Coordinate
from textual.pilot import Pilot

from coremeter.options import DashboardOptions
from coremeter.results import RunRecord
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.widgets.results_table import DETAILS, ResultsTable, drop_order

SIZES = pytest.mark.parametrize(
    "size", [(80, 24), (120, 35), (200, 60)], ids=["80x24", "120x35", "200x60"]
)
REASON = "worker on cpu1 (pid 4102) was killed by SIGKILL"


def dashboard() -> Dashboard:
    box = machine()
    options = DashboardOptions(scale=0.2)
    return create_app(box, box.usable_cores, options, sampler=fake_sampler([4.0, 9.0]))


def failed(app: Dashboard) -> RunRecord:
    spec = app.session.spec("parallel")
    return FrozenRun(spec, {1: (0.62, 0.02, None)}).fail(REASON, at=1.27).record()


def add_runs(app: Dashboard, failure: bool) -> None:
    """A run of each mode, then (``failure``) a parallel run whose worker was killed."""
    for mode, wall_s in (("sequential", 7.43), ("parallel", 3.81), ("threads", 7.96)):
        app.session.log.add(ended(app.session.spec(mode), wall_s))
    if failure:
        app.session.log.add(failed(app))


def shown(results: ResultsTable) -> list[str]:
    return [str(column.label) for column in results.columns.values()]


def assert_whole(results: ResultsTable) -> None:
    """Each line as drawn holds the header and the cells of its row, each whole (the
    columns stand at least two cells apart; no cell has two spaces in a row)."""
    assert re.split(r" {2,}", results.render_line(0).text.strip()) == shown(results)
    top = round(results.scroll_y)
    for y in range(1, results.size.height):
        row = top + y - 1
        if row >= results.row_count:
            break
        cells = [str(results.get_cell_at(Coordinate(row, c))) for c in range(len(results.columns))]
        assert re.split(r" {2,}", results.render_line(y).text.strip()) == cells


def assert_dropped_in_order(results: ResultsTable, plain: bool, details: bool) -> None:
    """What is gone is the first of the documented order, and no more than must go."""
    order = drop_order(plain)
    gone = [name for name in ResultsTable.COLUMNS if name not in shown(results)]
    steps = [step for step in order if step in gone or (step == DETAILS and not details)]
    assert steps == list(order[: len(steps)])
    assert {"#", "mode", "wall s", "speedup", "comparable"} <= set(shown(results))


# At 80 columns: three good runs drop the schedule, the check that says ok and eff; a
# failed run keeps its check, saying "failed" without the reason, and drops more.
EXPECTED_AT_80 = {
    False: (
        ["#", "mode", "workload", "shape", "cores", "wall s", "speedup", "comparable", "bound"],
        True,
    ),
    True: (["#", "mode", "cores", "wall s", "speedup", "comparable", "bound", "check"], False),
}


@SIZES
@pytest.mark.parametrize("failure", [False, True], ids=["ok", "failed"])
def test_every_cell_shown_is_whole(size: tuple[int, int], failure: bool) -> None:
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        add_runs(app, failure)
        app.draw()
        await settle(pilot)
        results = app.query_one(ResultsTable)
        assert results.row_count == 3 + failure
        assert_whole(results)
        check = results.get_column_index("check") if "check" in shown(results) else None
        said = "" if check is None else str(results.get_cell_at(Coordinate(2 + failure, check)))
        reasons = not failure or REASON in said
        assert_dropped_in_order(results, plain=not failure, details=reasons)
        if size[0] == 80:
            assert (shown(results), reasons) == EXPECTED_AT_80[failure]
            assert said == ("failed" if failure else "")  # the check of the last run
        if size[0] == 200:
            assert shown(results) == list(ResultsTable.COLUMNS) and reasons

    drive(app, script, size=size)


def test_columns_follow_the_width_and_stay_put_between_frames() -> None:
    """Frames with no new run, and a change of height, leave the columns as they were;
    wider, the table shows what fits now, and a failed run brings its check back."""
    app = dashboard()

    async def script(pilot: Pilot) -> None:
        add_runs(app, failure=False)
        app.draw()
        await settle(pilot)
        results = app.query_one(ResultsTable)
        columns = list(results.columns.values())
        assert "check" not in shown(results)
        for _ in range(3):
            app.draw()
            await pilot.pause(0.05)
        await pilot.resize_terminal(80, 30)
        await settle(pilot)
        assert list(results.columns.values()) == columns  # the very same columns
        app.session.log.add(failed(app))
        app.draw()
        await pilot.pause(0.1)
        assert "check" in shown(results)
        assert_whole(results)
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        assert shown(results) == list(ResultsTable.COLUMNS)
        assert_whole(results)

    drive(app, script, size=(80, 24))
