"""The session's runs as a table, one row each, in the order they ended."""

from __future__ import annotations

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


class ResultsTable(DataTable[str | Text]):
    """The session's runs, one row each, in the order they ended: the workload and the
    shape each in a column of its own (the seed workload and the seed shape share a
    name), and beside each speedup whether it can be trusted, and why not (the caption
    and the panel say which run to redo). A narrow terminal cuts the columns on the
    right, so the schedule, the same for most runs, comes last."""

    COLUMNS = (
        "#", "mode", "workload", "shape", "cores", "wall s", "speedup", "comparable", "bound",
        "eff", "check", "schedule",
    )  # fmt: skip

    shown = 0  # the number of the last run added

    def on_mount(self) -> None:
        # No cursor: a permanently highlighted row would look like a selection to the room.
        self.cursor_type = "none"
        self.zebra_stripes = True
        self.add_columns(*self.COLUMNS)

    def on_resize(self) -> None:
        """Shorter or taller (the charts view, tall meters), it keeps the newest run in sight."""
        self.call_after_refresh(self.scroll_end, animate=False)

    def sync(self, log: ResultsLog) -> None:
        """Add the runs not shown yet; drop the rows of runs the log no longer holds
        (the oldest, past its ``keep``, or the demo's previous lap). Every row shown is
        of a run the log held, so more rows than runs means some must go."""
        for number, record in log.numbered(after=self.shown):
            self._add(number, record)
        if self.row_count > len(log.runs):
            held = set(map(str, log.numbers))
            for key in [key for key in self.rows if key.value not in held]:
                self.remove_row(key)

    def clear(self, columns: bool = False) -> ResultsTable:
        self.shown = 0
        return super().clear(columns)

    def _add(self, number: int, record: RunRecord) -> None:
        cells: dict[str, str | Text] = {
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
            "check": self._check(record),
            "schedule": "-" if record.mode == "sequential" else record.schedule,
        }
        self.add_row(*(cells[column] for column in self.COLUMNS), key=str(number))
        self.shown = number
        self.scroll_end(animate=False)

    def _check(self, record: RunRecord) -> Text:
        """Plain Text, not markup: a failure reason may contain brackets."""
        colours = self.app.get_css_variables()
        if record.ok:
            return Text(ok_text(record), style=colours["success"])
        if record.state == "done":
            return Text("WRONG result", style=f"bold {colours['error']}")
        colour = colours["error" if record.state == "failed" else "warning"]
        return Text.assemble((record.state, colour), record.detail)

    def _verdict(self, record: RunRecord) -> Text:
        verdict = record.verdict
        if verdict is None:
            return Text("-")
        colour = "" if verdict.comparable else f"bold {self.app.get_css_variables()['warning']}"
        return Text(verdict_short(verdict), style=colour)
