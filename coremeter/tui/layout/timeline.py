"""The timeline's rows: the last run of each mode, core by core over time, every run
on the scale of the longest."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from coremeter.cores import core_label
from coremeter.report import counted, workload_text
from coremeter.results import MODES, Mode, RunRecord
from coremeter.tui.layout.cells import IDLE, cells, place_labels, ticks
from coremeter.tui.layout.rows import Axis, CoreRow, Header, Note, Pair, Row
from coremeter.tui.layout.shading import rise, shade

# The lane groups, top to bottom. Threads runs are shown: their lanes, each as long
# as the whole run, are the GIL's story told on the same scale as the others.
TIMELINE_MODES = MODES
TIMELINE_HINT = "No runs yet: run sequential, then parallel, to see them here core by core."
# A run with more core rows than this draws two cores a row (64 cores in 32 rows); so
# does any run with more than one when the rows would not fit the chart's height.
PACK_LANES = 32
PACKED_NOTE = "  two cores a row: ▀ upper, ▄ lower"
SHARE_NOTE = "  height: each thread's measured share of a core"


def latest(records: Sequence[RunRecord], modes: Sequence[Mode]) -> list[RunRecord]:
    """The last record of each mode that has one, in the order of ``modes``."""
    last = {record.mode: record for record in records}
    return [last[mode] for mode in modes if mode in last]


def timeline_runs(records: Sequence[RunRecord], live: RunRecord | None) -> list[RunRecord]:
    """The runs the timeline draws: the last parallel and threads runs (``live``, the run
    in progress, in place of its mode's), and above them every sequential run a speedup
    on screen is measured against, with the latest baseline. A sequential run that is
    no baseline (running, cancelled, failed) is drawn after them, never in their place:
    the speedups stay measured against a run the room can see."""
    runs = [*records, *([live] if live else [])]
    others = latest([r for r in runs if r.mode != "sequential"], TIMELINE_MODES)
    good = [r for r in records if r.ok and r.mode == "sequential"]
    wanted = {r.verdict.baseline for r in latest([r for r in records if r.ok], MODES) if r.verdict}
    baselines = [r for r in good if r.number in wanted or r is good[-1]]
    last = latest([r for r in runs if r.mode == "sequential"], ["sequential"])
    extra = [r for r in last if all(r is not b for b in baselines)]
    return [*baselines, *extra, *others]


# (task id, start, end) of the tasks one core ran.
Spans = list[tuple[int, float, float]]


def core_lanes(record: RunRecord) -> list[tuple[str, Spans]]:
    """(label, [(task id, start, end)]) per row: one row per core that ran a task, in core
    order, unpinned tasks last. Tasks that overlap on one core (unpinned workers) stack on
    extra rows. A task still running, or cut by a stop, ends at the run's wall time.

    A run in progress has a row for each core a task will run on from its first frame,
    so the live chart does not gain rows as tasks start: every row it gains lays the
    whole screen out again, several times the cost of a frame."""
    by_core: dict[int | None, Spans] = {}
    for task in record.tasks:
        if task.start_s is not None:
            end = record.wall_s if task.end_s is None else task.end_s
            by_core.setdefault(task.core, []).append(
                (task.id, task.start_s, max(end, task.start_s))
            )
        elif record.state == "running":
            by_core.setdefault(task.core, [])
    lanes: list[tuple[str, Spans]] = []
    for core in sorted(by_core, key=lambda c: (c is None, c or 0)):
        stacked: list[Spans] = []
        for span in sorted(by_core[core], key=lambda s: s[1]):
            row = next((r for r in stacked if r[-1][2] <= span[1] + 1e-9), None)
            if row is None:
                stacked.append([span])
            else:
                row.append(span)
        label = core_label(core)
        lanes.extend((label, row) for row in stacked or [[]])
    return lanes


def _header(record: RunRecord, mode_width: int, packed: bool, width: int) -> Header:
    """Modes padded to ``mode_width``, so the wall times of the runs stand in one column.
    A header wider than ``width`` drops whole parts, never cuts one: the note first,
    then the run's number and work (the table has them)."""
    if record.state == "running":
        status = f"running · {record.wall_s:.1f} s"
    elif record.state == "done":
        status = f"{record.wall_s:.2f} s" + ("" if record.ok else " · WRONG result")
    else:
        status = f"{record.state} at {record.wall_s:.2f} s{record.detail}"
    state = "failed" if record.state == "done" and not record.ok else record.state
    workload = workload_text(record.workload, record.shape, record.scale)
    if record.number:
        against = f" against run {record.verdict.baseline}" if record.verdict else ""
        workload = f"run {record.number}{against} · {workload}"
    shared = any(task.cpu for task in record.tasks) and not packed
    note = PACKED_NOTE * packed + SHARE_NOTE * shared
    room = width - mode_width - len(f"  {status}  ")
    if len(workload + note) > room:
        note = ""
    if len(workload) > room:
        workload = ""
    return Header(record.mode.ljust(mode_width), status, state, workload, note)


def timeline_rows(
    records: Sequence[RunRecord], width: int, max_rows: int | None = None
) -> list[Row]:
    """Each run's header and core rows, one above the other, and one time axis under all
    of them: every run on the scale of the longest, so lengths compare across runs.

    Many cores are packed two a row; if the rows still exceed ``max_rows``, each run gets
    a share of them, its last row summing up the cores it could not show."""
    if not records:
        return [Note(TIMELINE_HINT)]
    lanes = [core_lanes(r) for r in records]
    packed = [len(run) > PACK_LANES for run in lanes]
    room = None if max_rows is None else max_rows - len(records) - 1
    if room is not None and sum(map(len, lanes)) > room:
        packed = [len(run) > 1 for run in lanes]
    labels = [_labels(run, pack) for run, pack in zip(lanes, packed, strict=True)]
    needs = list(map(len, labels))
    shown = needs if room is None or sum(needs) <= room else _share(needs, room)
    label_width = max((len(label) for run in labels for label in run), default=4)
    chart = _Scale(max(r.wall_s for r in records), max(1, width - label_width - 1))
    mode_width = max(len(r.mode) for r in records)
    rows: list[Row] = []
    for record, run, pack, run_labels, rows_shown in zip(
        records, lanes, packed, labels, shown, strict=True
    ):
        rows.append(_header(record, mode_width, pack, width))
        # The last row shown sums up the rest, when there is a rest.
        visible = rows_shown if rows_shown == len(run_labels) else rows_shown - 1
        per_row = 2 if pack else 1
        for index, label in enumerate(run_labels[:visible]):
            group = [spans for _, spans in run[index * per_row : (index + 1) * per_row]]
            rows.append(chart.row(record, label.ljust(label_width), group))
        if visible < len(run_labels):
            rows.append(Note(_hidden(run[visible * per_row :], record.wall_s)))
    rows.append(Axis(label_width + 1, ticks(chart.seconds, chart.bars, "s")))
    return rows


def lanes(rows: Sequence[Row]) -> int:
    """How many rows could grow taller: one per core lane, none once cores are packed two
    a row or summed up in a note (the many-core forms stay as they are)."""
    if any(isinstance(row, (Pair, Note)) for row in rows):
        return 0
    return sum(isinstance(row, CoreRow) for row in rows)


def stretch_lanes(rows: Sequence[Row], tall: int) -> list[Row]:
    """Each core lane ``tall`` rows high, like a task stream on a big screen: its label and
    task labels on the middle row, the colours (and a stop's ✕) on all of them, and a
    measured lane (threads) filled from the bottom up to its share (shading.rise)."""
    stretched: list[Row] = []
    for row in rows:
        if not isinstance(row, CoreRow):
            stretched.append(row)
            continue
        bare = replace(row, label=" " * len(row.label), labels=())
        middle = (tall - 1) // 2
        for part in range(tall):
            shown = row if part == middle else bare
            stretched.append(replace(shown, cells=rise(row.cells, tall - 1 - part, tall)))
    return stretched


@dataclass(frozen=True)
class _Scale:
    """``seconds`` of every run drawn over ``bars`` cells."""

    seconds: float
    bars: int

    def row(self, record: RunRecord, label: str, group: list[Spans]) -> CoreRow | Pair:
        """One core as a CoreRow with its task labels, or two as a Pair."""
        cut = self._cut(record, [tid for spans in group for tid, _, _ in spans])
        if len(group) == 2:
            upper, lower = (self._whole_cells(record, spans) for spans in group)
            return Pair(label, upper, lower, cut)
        (spans,) = group
        row = cells([(IDLE, 0.0, record.wall_s), *spans], self.seconds, self.bars)
        # A threads run's lanes, as high as the share of a core each thread really had.
        row = shade(row, {task.id: task.cpu for task in record.tasks if task.cpu}, self.seconds)
        texts: dict[Hashable, tuple[str, ...]] = {IDLE: ("idle",)}
        texts.update((tid, (f"t{tid} {end - s:.2f}s", f"t{tid}")) for tid, s, end in spans)
        return CoreRow(label, tuple(row), place_labels(row, texts), cut)

    def _whole_cells(self, record: RunRecord, spans: Spans) -> tuple[Hashable, ...]:
        """Half a text row has no eighths: a cell shows the last task to touch it, however
        briefly (so no task vanishes), else idle while the run lasted."""
        row: list[Hashable] = [None] * self.bars
        if not self.seconds:
            return tuple(row)

        def column(seconds: float) -> int:
            return min(self.bars, max(0, round(seconds / self.seconds * self.bars)))

        row[: column(record.wall_s)] = [IDLE] * column(record.wall_s)
        for tid, start, end in spans:
            first = min(self.bars - 1, int(start / self.seconds * self.bars))
            last = max(first + 1, column(end))
            row[first:last] = [tid] * (last - first)
        return tuple(row)

    def _cut(self, record: RunRecord, task_ids: list[int]) -> int | None:
        """Where a stopped run cut one of these tasks short: the cell after the last one
        drawn, inside the chart."""
        if record.state in ("running", "done") or not self.seconds:
            return None
        ids = set(task_ids)
        if all(t.end_s is not None for t in record.tasks if t.id in ids):
            return None
        return min(self.bars - 1, math.ceil(record.wall_s / self.seconds * self.bars))


def _labels(run: list[tuple[str, Spans]], packed: bool) -> list[str]:
    """A label per text row: a packed row's names both cores, "cpu0/1"."""
    if not packed:
        return [label for label, _ in run]
    pairs = [run[i : i + 2] for i in range(0, len(run), 2)]
    return [
        "/".join([pair[0][0], *(label.removeprefix("cpu") for label, _ in pair[1:])])
        if len({label for label, _ in pair}) > 1
        else pair[0][0]
        for pair in pairs
    ]


def _share(needs: list[int], room: int) -> list[int]:
    """Rows for each run when not all fit: small runs all they need, the others an even
    share of what is left; at least one each, for its summary row."""
    shares = [0] * len(needs)
    left = room
    order = sorted(range(len(needs)), key=needs.__getitem__)
    for done, index in enumerate(order):
        shares[index] = min(needs[index], max(1, left // (len(needs) - done)))
        left -= shares[index]
    return shares


def _hidden(run: list[tuple[str, Spans]], wall_s: float) -> str:
    """The summary of the core rows a run could not show: which, and how busy they were."""
    # fsum: correctly rounded, so a share on a rounding edge reads the same on every
    # Python (3.12's sum() compensates, 3.11's does not: 99% against 100%).
    busy = math.fsum(end - start for _, spans in run for _, start, end in spans)
    share = busy / (len(run) * wall_s) if wall_s > 0 else 0.0
    where = run[0][0] if len(run) == 1 else f"{run[0][0]} to {run[-1][0]}"
    return f"+ {counted(len(run), 'more core')} ({where}), busy {share:.0%} of the run"
