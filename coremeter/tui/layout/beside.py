"""Two recordings in one chart (``coremeter replay A B``): the playing one's runs above,
the other's below, each group under its name, on one scale, so that lengths and
speedups compare across machines or interpreters as they do across modes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coremeter.results import RunRecord
from coremeter.tui.layout.rows import Axis, Header, Note, Row
from coremeter.tui.layout.speedup import speedup_rows
from coremeter.tui.layout.timeline import timeline_rows, timeline_runs

# The rows the two names take.
NAME_ROWS = 2


@dataclass(frozen=True)
class Beside:
    """The other recording: the names of both (the playing one's first), and the
    other's runs as its log numbered and measured them."""

    names: tuple[str, str]
    runs: tuple[RunRecord, ...]

    def like(self, shown: Sequence[RunRecord]) -> list[RunRecord]:
        """Its runs of the work on screen (the first shown run's), else all of them: a
        timeline of other work would share no time axis with it."""
        if not shown:
            return list(self.runs)
        work = (shown[0].workload, shown[0].shape, shown[0].scale)
        return [r for r in self.runs if (r.workload, r.shape, r.scale) == work]

    def timeline_runs(self, runs: Sequence[RunRecord]) -> list[RunRecord]:
        """The playing recording's timeline ``runs``, then the other's of the same work."""
        return [*runs, *timeline_runs(self.like(runs), None)]

    def name_row(self, which: int) -> Note:
        return Note(f"{'AB'[which]}  {self.names[which]}")


def beside_timeline(
    drawn: Sequence[RunRecord], mine: int, beside: Beside, width: int, max_rows: int | None
) -> list[Row]:
    """The timeline of ``drawn`` (Beside.timeline_runs: the playing recording's ``mine``
    runs first) on one time scale, each recording's runs under its name."""
    room = None if max_rows is None else max(1, max_rows - NAME_ROWS)
    rows = timeline_rows(drawn, width, room)
    headers = [i for i, row in enumerate(rows) if isinstance(row, Header)]
    split = headers[mine] if mine < len(headers) else len(rows) - 1
    if not drawn:
        split = len(rows)
    return [beside.name_row(0), *rows[:split], beside.name_row(1), *rows[split:]]


def beside_speedups(records: Sequence[RunRecord], beside: Beside, width: int) -> list[Row]:
    """Each recording's speedup bars under its name, on one scale and width."""
    other = beside.like([r for r in records if r.ok] or records)
    lower = speedup_rows(other, width, records)
    upper = speedup_rows(records, width, other)
    if any(isinstance(row, Axis) for row in lower):
        upper = [row for row in upper if not isinstance(row, Axis)]  # one axis for both
    return [beside.name_row(0), *upper, beside.name_row(1), *lower]
