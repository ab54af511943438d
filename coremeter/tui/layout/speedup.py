"""The speedup chart's rows: one bar per mode against its bound and its core count."""

from __future__ import annotations

from collections.abc import Sequence

from coremeter.report import counted, times
from coremeter.results import Mode, RunRecord
from coremeter.tui.layout.cells import BAR, GHOST, TRACK, cells, ticks
from coremeter.tui.layout.rows import Axis, Bar, Note, Row
from coremeter.tui.layout.timeline import latest

SPEEDUP_MODES: tuple[Mode, ...] = ("parallel", "threads")
SPEEDUP_HINT = "Speedups appear here once a sequential and a parallel run have finished."


def speedup_rows(
    records: Sequence[RunRecord], width: int, shared: Sequence[RunRecord] = ()
) -> list[Row]:
    """One bar per mode, the latest good run of each: the measured speedup, a ghost of the
    bound up to which the task sizes allow, and a track to the core count, which ends the
    row; then the run it is measured against. All rows share one scale, ended by the
    largest core count (or speedup), and one width: with ``shared``'s too, whose bars
    are drawn under these (another recording's)."""
    measured = _measured(records)
    if not measured:
        return [Note(SPEEDUP_HINT)]
    texts = {mode: _text(r, speedup) for mode, (r, speedup) in measured.items()}
    both = [*measured.values(), *_measured(shared).values()]
    label_width = max(map(len, SPEEDUP_MODES)) + 1
    text_width = max(len(_text(r, speedup)) for r, speedup in both)
    bars = max(1, width - label_width - text_width - 1)
    scale = max(max(len(r.cores), speedup) for r, speedup in both)
    good = latest([r for r in records if r.ok], SPEEDUP_MODES)
    rows: list[Row] = []
    for mode in SPEEDUP_MODES:
        label = mode.ljust(label_width)
        if mode not in measured:
            baseless = any(r.mode == mode for r in good)
            why = "no sequential run of its workload before it" if baseless else "not run yet"
            rows.append(Bar(label, (), why))
            continue
        record, speedup = measured[mode]
        spans = [(TRACK, 0, len(record.cores)), (GHOST, 0, record.bound), (BAR, 0, speedup)]
        rows.append(Bar(label, tuple(cells(spans, scale, bars)), texts[mode]))
    rows.append(Axis(label_width, ticks(scale, bars, "x", min_step=1, end=True)))
    return rows


def _measured(records: Sequence[RunRecord]) -> dict[Mode, tuple[RunRecord, float]]:
    """The latest good run of each mode that has a speedup, with it."""
    good = latest([r for r in records if r.ok], SPEEDUP_MODES)
    return {r.mode: (r, r.speedup) for r in good if r.speedup is not None}


def _text(record: RunRecord, speedup: float) -> str:
    bound = f"{times(speedup)}  bound {times(record.bound)}"
    return f"{bound}  {counted(len(record.cores), 'core')}" + _against(record)


def _against(record: RunRecord) -> str:
    """Which run a bar is measured against (the timeline draws it), and whether the
    comparison can be trusted: the caption and the panel say why not."""
    verdict = record.verdict
    if verdict is None:
        return ""
    return f"  vs run {verdict.baseline}" + ("" if verdict.comparable else ", not comparable")
