"""The session's runs as a table, one row each, in the order they ended."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from coremeter.cores import format_core_list
from coremeter.report import (
    efficiency_text,
    ok_text,
    shape_text,
    speedup_text,
    times,
    verdict_short,
)
from coremeter.results import ResultsLog, RunRecord

Cell = str | Text

# A step in the order below: each check says its verdict alone ("failed", "ok"), not
# what stopped the run or the sum a function of yours returned.
DETAILS = "details"


class _Row(NamedTuple):
    cells: dict[str, Cell]
    plain: bool  # its check says "ok" and nothing more
    verdict: Text  # the check without its details


class Layout(NamedTuple):
    columns: tuple[str, ...]
    details: bool


def drop_order(plain: bool) -> tuple[str, ...]:
    """What a table too narrow drops, first first. Where every check says "ok" and
    nothing more, the check goes second; a check that says more (a failure, a sum)
    stays until last, its details (a failure's also in the caption and the panel
    while it is the latest run) going before the bound."""
    if plain:
        return ("schedule", "check", "eff", "shape", "workload", "bound", "cores")
    return ("schedule", "eff", "shape", "workload", DETAILS, "bound", "cores", "check")


def fit(
    columns: Iterable[str], widths: Mapping[str, tuple[int, int]], room: int, plain: bool
) -> Layout:
    """The most columns, in the order of ``columns``, that fit ``room`` cells whole.
    ``widths``: each column's width with the details and without, padding included."""
    shown = list(columns)
    details = True
    for dropped in ("", *drop_order(plain)):
        if dropped == DETAILS:
            details = False
        elif dropped:
            shown.remove(dropped)
        if sum(widths[name][not details] for name in shown) <= room:
            break
    return Layout(tuple(shown), details)


class ResultsTable(DataTable[Cell]):
    """The session's runs, one row each, in the order they ended: the workload and the
    shape each in a column of its own (the seed workload and the seed shape share a
    name), and beside each speedup whether it can be trusted, and why not (the caption
    and the panel say which run to redo).

    A table too narrow for every column drops whole columns, never a cell's end:
    first the schedule; then the check, where every check says ``ok`` and nothing
    more; then eff, shape, workload; then the checks' details, a stopped run's reason
    and a function's sum (the check still says ``failed`` or ``ok``); then bound,
    cores and, last, the check. #, mode, wall s, speedup and
    comparable always stay. The widths of the cells decide, on a resize and when the
    rows change; the columns are rebuilt only when the ones shown change."""

    COLUMNS = (
        "#", "mode", "workload", "shape", "cores", "wall s", "speedup", "comparable", "bound",
        "eff", "check", "schedule",
    )  # fmt: skip

    shown = 0  # the number of the last run added

    def on_mount(self) -> None:
        # No cursor: a permanently highlighted row would look like a selection to the room.
        self.cursor_type = "none"
        self.zebra_stripes = True
        self._rows: dict[str, _Row] = {}
        self._widths: dict[str, tuple[int, int]] = {}
        self._layout = Layout((), True)
        self._measure()
        self._fit()

    def on_resize(self) -> None:
        """Shorter or taller (the charts view, tall meters), it keeps the newest run in
        sight; narrower or wider, it shows the columns that fit."""
        self._fit()
        self.call_after_refresh(self.scroll_end, animate=False)

    def watch_show_vertical_scrollbar(self) -> None:
        """The scrollbar, once the rows outgrow the table, takes cells from the columns."""
        self._fit()

    def sync(self, log: ResultsLog) -> None:
        """Add the runs not shown yet; drop the rows of runs the log no longer holds
        (the oldest, past its ``keep``, or the demo's previous lap). Every row shown is
        of a run the log held, so more rows than runs means some must go."""
        added = []
        for number, record in log.numbered(after=self.shown):
            added.append(key := str(number))
            self._rows[key] = self._row(number, record)
            self.shown = number
        gone: list[str] = []
        if len(self._rows) > len(log.runs):
            held = set(map(str, log.numbers))
            gone = [key for key in self._rows if key not in held]
            for key in gone:
                del self._rows[key]
        if not added and not gone:
            return
        self._measure()
        if not self._fit():
            for key in gone:
                self.remove_row(key)
            for key in added:
                self._add(key)
        self.scroll_end(animate=False)

    def clear(self, columns: bool = False) -> ResultsTable:
        self.shown = 0
        self._rows.clear()
        self._measure()
        return super().clear(columns)

    def _measure(self) -> None:
        """Each column's width, with the details and without, as the table draws it."""
        padding = 2 * self.cell_padding
        for name in self.COLUMNS:
            whole = [cell_len(str(row.cells[name])) for row in self._rows.values()]
            short = whole
            if name == "check":
                short = [cell_len(str(row.verdict)) for row in self._rows.values()]
            widths = (max(whole, default=0), max(short, default=0))
            self._widths[name] = (
                padding + max(cell_len(name), widths[0]),
                padding + max(cell_len(name), widths[1]),
            )

    def _fit(self) -> bool:
        """Shows the columns that fit, if they are not the ones shown; whether it did."""
        room = self.scrollable_content_region.width
        if not room:
            return False
        plain = all(row.plain for row in self._rows.values())
        layout = fit(self.COLUMNS, self._widths, room, plain)
        if layout == self._layout:
            return False
        self._layout = layout
        super().clear(columns=True)
        self.add_columns(*((name, name) for name in layout.columns))
        for key in self._rows:
            self._add(key)
        return True

    def _add(self, key: str) -> None:
        row = self._rows[key]
        cells = dict(row.cells, check=row.cells["check"] if self._layout.details else row.verdict)
        self.add_row(*(cells[name] for name in self._layout.columns), key=key)

    def _row(self, number: int, record: RunRecord) -> _Row:
        check, verdict = self._check(record)
        cells: dict[str, Cell] = {
            "#": str(number),
            "mode": record.mode,
            "workload": record.workload,
            "shape": shape_text(record.workload, record.shape, record.scale),
            "cores": format_core_list(record.cores),
            "wall s": f"{record.wall_s:.2f}",
            "speedup": speedup_text(record.speedup),
            "comparable": self._verdict(record),
            "bound": times(record.bound),
            "eff": efficiency_text(record.efficiency),
            "check": check,
            "schedule": "-" if record.mode == "sequential" else record.schedule,
        }
        plain = record.ok and record.expected is not None and check == verdict
        return _Row(cells, plain, verdict)

    def _check(self, record: RunRecord) -> tuple[Text, Text]:
        """The check, and the check without the reason the run stopped for or the sum of
        a function of yours. Plain Text, not markup: a failure reason may contain
        brackets."""
        colours = self.app.get_css_variables()
        if record.ok:
            said = (ok_text(record), ok_text(record, with_sum=False))
            ok, verdict = (Text(text, style=colours["success"]) for text in said)
            return ok, verdict
        if record.state == "done":
            wrong = Text("WRONG result", style=f"bold {colours['error']}")
            return wrong, wrong
        state = Text(
            record.state, style=colours["error" if record.state == "failed" else "warning"]
        )
        return Text.assemble(state, record.detail), state

    def _verdict(self, record: RunRecord) -> Text:
        verdict = record.verdict
        if verdict is None:
            return Text("-")
        colour = "" if verdict.comparable else f"bold {self.app.get_css_variables()['warning']}"
        return Text(verdict_short(verdict), style=colour)
