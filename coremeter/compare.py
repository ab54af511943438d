"""``coremeter compare A B``: two recordings' figures side by side, with B over A.

Two machines, two interpreters, or one machine before and after a change: per work
(workload, shape and scale) and mode, each side's wall time, speedup, bound and the
speedup's factors, and the ratio B/A. A side's figure is the median over its ok runs
of that work and mode (one run: that run's); failed and cancelled runs are left out,
as their wall time measures when they stopped.

Only like is compared with like: two recordings of different work are refused with
one line that names what differs. The work is the same when its workload, shape,
scale and total units are: a balanced run splits its units over the machine's cores,
so a 2-core and a 64-core recording of it hold different task sizes, and compare.

Never imports Textual.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO, get_args

from coremeter.export import strict
from coremeter.recording import RecordedRun, Recording, RecordingError, load
from coremeter.report import times, workload_text
from coremeter.results import MODES

Metric = Literal["wall_s", "speedup", "bound", "cores", "balance", "core_speed", "overhead"]
METRICS: tuple[Metric, ...] = get_args(Metric)
FACTORS: tuple[Metric, ...] = ("cores", "balance", "core_speed", "overhead")


def _seconds(value: float) -> str:
    return f"{value:.2f}"


def _percent(value: float) -> str:
    return f"{value:.0%}"


# Each figure's words and number format, as the summaries of bench write them.
LABELS: dict[Metric, str] = {
    "wall_s": "wall s",
    "speedup": "speedup",
    "bound": "bound",
    "cores": "cores",
    "balance": "balance",
    "core_speed": "core speed",
    "overhead": "overhead",
}
FORMATS: dict[Metric, Callable[[float], str]] = {
    "wall_s": _seconds,
    "speedup": times,
    "bound": times,
    "cores": "{:g}".format,
    "balance": _percent,
    "core_speed": _percent,
    "overhead": "{:.1%}".format,
}
MISSING = "-"


class CompareError(Exception):
    """Two recordings that cannot be compared; its message is one line."""


# What makes runs comparable across machines: workload, shape, scale, total units.
Work = tuple[str, str, float, int]


def work_of(run: RecordedRun) -> Work:
    record = run.record
    units = sum(int(task["size"]) for task in record["tasks"])
    return (record["workload"], record["shape"], float(record["scale"]), units)


@dataclass(frozen=True)
class Row:
    """One work and mode: each side's figures (None: none recorded) and ok runs."""

    work: Work
    mode: str
    a: Mapping[Metric, float | None]
    b: Mapping[Metric, float | None]
    runs: tuple[int, int]

    def ratio(self, metric: Metric) -> float | None:
        a, b = self.a[metric], self.b[metric]
        return None if a is None or b is None or a == 0 else b / a

    def to_json(self) -> dict[str, Any]:
        workload, shape, scale, units = self.work
        figures: dict[str, Any] = {
            m: {"a": self.a[m], "b": self.b[m], "ratio": self.ratio(m)} for m in METRICS
        }
        head = {"workload": workload, "shape": shape, "scale": scale, "units": units}
        return {
            **head,
            "mode": self.mode,
            "runs": {"a": self.runs[0], "b": self.runs[1]},
            **figures,
        }


def _figure(run: RecordedRun, metric: Metric) -> float | None:
    record = run.record
    if metric in FACTORS:
        factors = record.get("factors")
        return None if factors is None else float(factors[metric])
    value = record.get(metric)
    return None if value is None else float(value)


def _figures(runs: Sequence[RecordedRun]) -> dict[Metric, float | None]:
    """Each figure's median over ``runs``."""
    found: dict[Metric, float | None] = {}
    for metric in METRICS:
        values = [v for v in (_figure(run, metric) for run in runs) if v is not None]
        found[metric] = statistics.median(values) if values else None
    return found


def _ok(recording: Recording, work: Work, mode: str) -> list[RecordedRun]:
    return [
        run
        for run in recording.runs
        if run.record["ok"] and run.record["mode"] == mode and work_of(run) == work
    ]


def compare(a: Recording, b: Recording) -> list[Row]:
    """The rows, per work in the order A ran it and per mode in the usual order; raises
    CompareError naming what differs when the two did not run the same work."""
    works_a = list(dict.fromkeys(work_of(run) for run in a.runs))
    works_b = list(dict.fromkeys(work_of(run) for run in b.runs))
    if set(works_a) != set(works_b):
        raise CompareError(f"cannot compare them: {difference(works_a, works_b)}")
    rows = []
    for work in works_a:
        for mode in MODES:
            runs_a, runs_b = _ok(a, work, mode), _ok(b, work, mode)
            recorded = any(
                run.record["mode"] == mode and work_of(run) == work for run in a.runs + b.runs
            )
            if recorded:
                row = Row(
                    work, mode, _figures(runs_a), _figures(runs_b), (len(runs_a), len(runs_b))
                )
                rows.append(row)
    return rows


# What a difference is called, and how its values are written, by its place in Work.
_ASPECTS: tuple[tuple[str, Callable[[Any], str]], ...] = (
    ("workloads", str),
    ("shapes", str),
    ("scales", "{:g}".format),
    ("sizes", "{:,} units".format),
)


def difference(works_a: Iterable[Work], works_b: Iterable[Work]) -> str:
    """What differs between the work of A and of B, in words: the first aspect that does."""
    works_a, works_b = list(works_a), list(works_b)
    for index, (name, write) in enumerate(_ASPECTS):
        seen_a = sorted({work[index] for work in works_a})
        seen_b = sorted({work[index] for work in works_b})
        if seen_a != seen_b:
            return f"different {name}: {_listed(seen_a, write)} in A, {_listed(seen_b, write)} in B"
    only_a = [_work_text(w) for w in works_a if w not in works_b]
    only_b = [_work_text(w) for w in works_b if w not in works_a]
    return f"different runs: {', '.join(only_a) or 'none'} in A, {', '.join(only_b) or 'none'} in B"


def _listed(values: Sequence[Any], write: Callable[[Any], str]) -> str:
    return ", ".join(write(value) for value in values)


def _work_text(work: Work) -> str:
    return workload_text(work[0], work[1], work[2])


def side_text(letter: str, path: Path, recording: Recording) -> str:
    """``A  AMD EPYC 9654, 64 cores, CPython 3.13.1 · recorded 2026-12-07T10:00:00+01:00``"""
    return f"{letter}  {recording.name} · recorded {recording.recorded_at} · {path}"


def _cell(metric: Metric, value: float | None) -> str:
    return MISSING if value is None else FORMATS[metric](value)


def text(paths: tuple[Path, Path], a: Recording, b: Recording, rows: Sequence[Row]) -> str:
    """The comparison as a table: per work, one line per mode and figure."""
    lines = [side_text("A", paths[0], a), side_text("B", paths[1], b)]
    work: Work | None = None
    for row in rows:
        if row.work != work:
            work = row.work
            lines += ["", f"{_work_text(work):<22} {'A':>10} {'B':>10} {'B/A':>6}"]
        mode = row.mode
        for metric in METRICS:
            if not _shown(row, metric):
                continue
            ratio = row.ratio(metric)
            lines.append(
                f"{mode:<10} {LABELS[metric]:<11} {_cell(metric, row.a[metric]):>10} "
                f"{_cell(metric, row.b[metric]):>10} "
                f"{MISSING if ratio is None else f'{ratio:.2f}':>6}"
            )
            mode = ""
        if not any(row.runs):
            lines.append(f"{mode:<10} no ok run on either side")
    return "\n".join(lines)


def _shown(row: Row, metric: Metric) -> bool:
    """Whether the table has a line for it: a sequential run is its own baseline, so
    only its wall time says anything."""
    if row.mode == "sequential" and metric != "wall_s":
        return False
    return row.a[metric] is not None or row.b[metric] is not None


def _side_json(path: Path, recording: Recording) -> dict[str, Any]:
    return {
        "file": str(path),
        "name": recording.name,
        "label": recording.label,
        "recorded_at": recording.recorded_at,
        "python_build": recording.python_build,
        "machine": recording.machine.to_json(),
    }


def document(paths: tuple[Path, Path], a: Recording, b: Recording, rows: Sequence[Row]) -> str:
    data = {
        "a": _side_json(paths[0], a),
        "b": _side_json(paths[1], b),
        "rows": [row.to_json() for row in rows],
    }
    return json.dumps(strict(data), indent=2, allow_nan=False)


def add_compare_command(commands: Any) -> None:
    """``coremeter compare A B [--json]`` among the subcommands (argparse's
    ``add_subparsers`` object)."""
    parser = commands.add_parser(
        "compare",
        help="compare two recordings side by side",
        description="Print two recordings' wall times, speedups, bounds and factors side "
        "by side, per workload and mode, with the ratio B/A. Recordings of different work "
        "are refused. Exit 0, or 2 on a file that is not a recording.",
    )
    parser.add_argument("a", type=Path, metavar="A", help="a recording (coremeter --record)")
    parser.add_argument("b", type=Path, metavar="B", help="the recording to set beside it")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")


def compare_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The subcommand: what cannot be compared is one line and exit 2 (parser.error)."""
    try:
        run((args.a, args.b), args.json, sys.stdout)
    except (RecordingError, CompareError) as exc:
        parser.error(str(exc))
    except BrokenPipeError:
        # The reader left (`coremeter compare A B | head`): nothing more to say, and
        # Python's flush at exit must find nowhere to fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return 0


def run(paths: tuple[Path, Path], as_json: bool, out: TextIO) -> None:
    """Load both, compare, and write the table or the JSON on ``out``; raises
    RecordingError or CompareError, each one line, before writing anything."""
    a, b = load(paths[0]), load(paths[1])
    rows = compare(a, b)
    print(document(paths, a, b, rows) if as_json else text(paths, a, b, rows), file=out)
