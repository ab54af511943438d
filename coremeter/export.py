"""A session's runs as files: JSON for programs, CSV for spreadsheets, an SVG for slides,
and their recording (coremeter.recording) to replay or compare them elsewhere.

The JSON document is the one ``coremeter bench --json`` prints, so a saved export
and a scripted benchmark can be read by the same code. The CSV has one row per
task per run: a task is the unit that lands on a core, and with that layout a
spreadsheet can filter by run, pivot by mode, or chart a timeline from the start
and end columns without splitting any cell. Run-level figures repeat on each of
the run's rows; ``task`` 0 is in every run, so filtering on it gives one row per run.

Both are strict: a function of yours may return NaN or an infinity, which JSON has no
literal for, so a non-finite number is written as the string ``"NaN"``, ``"Infinity"``
or ``"-Infinity"``, in the JSON and in the CSV alike: what Python's ``float()`` and
JavaScript's ``Number()`` read back. Files are written whole or not at all.

Never imports Textual: the dashboard passes its screenshot in as a callable.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from coremeter.cores import Machine
from coremeter.report import verdict_reason
from coremeter.results import RunRecord, summarise

DEFAULT_FOLDER = Path("coremeter-results")
# An export's recording, beside its JSON: "coremeter-20261207-101500.recording.json.gz".
RECORDING_SUFFIX = ".recording.json.gz"

# The CSV columns in order, each with what it holds (the README's table is this one).
CSV_COLUMNS = (
    "run",  # 1 for the session's first run, 2 for the next, ...
    "mode",  # sequential, parallel or threads
    "workload",  # seed, io, hash, or a function of yours (FILE.py:FUNC)
    "schedule",  # longest-first or in-order: how tasks were handed to the cores
    "shape",  # seed (1:2:3 units) or balanced (one equal task per core)
    "scale",  # work relative to the article's ranges
    "cores",  # the run's cores, space-separated ("0 1"), which no spreadsheet reads as a date
    "state",  # done, failed or cancelled
    "ok",  # true when the run finished and every task's result was right
    "wall_s",  # the run's wall time in seconds
    "speedup",  # against the last sequential run of the same workload (blank: none)
    "bound",  # the best speedup this schedule allows
    "efficiency",  # speedup / bound (blank without a speedup)
    "balance",  # bound / the run's core count (blank without a speedup)
    "core_speed",  # the critical lane's units/s over the baseline's (blank without a speedup)
    "overhead",  # speedup / (cores × balance × core_speed): start-up, hand-over, collection
    "comparable",  # whether the speedup can be trusted (blank without one: see coremeter.verdict)
    "comparable_reason",  # why not, and which runs to run again (blank when it can)
    "task",  # the task's id within its run
    "size",  # the task's units: loop iterations, waits, buffers or items
    "core",  # the core the task ran on (blank: unpinned)
    "done",  # iterations it completed
    "start_s",  # seconds from the run's start until the task started (blank: never)
    "end_s",  # seconds from the run's start until it ended (blank: never)
    "task_s",  # end_s - start_s (blank unless both are known)
    "reason",  # why the run failed or was cancelled (blank when done)
    "notes",  # the run's notes, joined by " | " (blank: none)
)


class ExportError(Exception):
    """A path that cannot be written; its message is one line for the user."""


def finite(value: object) -> object:
    """A value as strict JSON and the CSV hold it: a non-finite number as its string."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def strict(data: object) -> object:
    """Data as strict JSON holds it (see finite), however deeply nested."""
    if isinstance(data, dict):
        return {key: strict(value) for key, value in data.items()}
    if isinstance(data, list):
        return [strict(value) for value in data]
    return finite(data)


def document(records: list[RunRecord], machine: Machine) -> dict[str, Any]:
    """The JSON document of ``bench --json`` and of the dashboard's export."""
    return {
        "machine": machine.to_json(),
        "runs": [run_json(r) for r in records],
        "summary": [s.to_json() for s in summarise(records)],
    }


def run_json(record: RunRecord) -> dict[str, Any]:
    """One entry of the document's ``runs``: a recording holds each run's too."""
    return {**record.to_json(), "verdict": verdict_json(record)}


def verdict_json(record: RunRecord) -> dict[str, object] | None:
    """Whether the run's speedup can be trusted, why not, and the ``number`` of the run it
    is measured against; None for a run with nothing compared (a sequential run, a run
    with no baseline)."""
    verdict = record.verdict
    if verdict is None:
        return None
    return {
        "comparable": verdict.comparable,
        "reason": verdict_reason(verdict),
        "baseline": verdict.baseline,
    }


def json_text(records: list[RunRecord], machine: Machine) -> str:
    return json.dumps(strict(document(records, machine)), indent=2, allow_nan=False)


def _cell(value: object) -> object:
    """Blank for unknown, lowercase booleans, and times and ratios to the microsecond
    rather than float noise: what spreadsheets and pandas read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 6)
    return finite(value)


def csv_rows(records: list[RunRecord]) -> list[dict[str, object]]:
    rows = []
    for number, run in enumerate(records, start=1):
        factors = run.factors
        for task in run.tasks:
            start, end = task.start_s, task.end_s
            row = {
                "run": number,
                "mode": run.mode,
                "workload": run.workload,
                "schedule": run.schedule,
                "shape": run.shape,
                "scale": str(run.scale),  # as given: a scale can be below a millionth
                "cores": " ".join(map(str, run.cores)),
                "state": run.state,
                "ok": run.ok,
                "wall_s": run.wall_s,
                "speedup": run.speedup,
                "bound": run.bound,
                "efficiency": run.efficiency,
                "balance": None if factors is None else factors.balance,
                "core_speed": None if factors is None else factors.core_speed,
                "overhead": None if factors is None else factors.overhead,
                "comparable": None if run.verdict is None else run.verdict.comparable,
                "comparable_reason": None if run.verdict is None else verdict_reason(run.verdict),
                "task": task.id,
                "size": task.size,
                "core": task.core,
                "done": task.done,
                "start_s": task.start_s,
                "end_s": task.end_s,
                "task_s": end - start if start is not None and end is not None else None,
                "reason": run.reason,
                "notes": " | ".join(run.notes),
            }
            rows.append({k: _cell(v) for k, v in row.items()})
    return rows


def write_csv(records: list[RunRecord], path: Path) -> Path:
    """The runs as CSV at ``path``, whole or not at all, its folder made when missing."""
    make_folder(path.parent)
    write_whole([Part("the CSV", path, csv_text(records))])
    return path


def csv_text(records: list[RunRecord]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_rows(records))
    return out.getvalue()


@dataclass(frozen=True)
class Part:
    """One file of an export: ``name`` is what a failure calls it ("the CSV"); ``text``
    is bytes for a file that is not text (a gzipped recording)."""

    name: str
    path: Path
    text: str | bytes


def write_whole(parts: list[Part]) -> None:
    """Write every part whole or none at all: each into a hidden temporary name beside
    its path, renamed once all are written. A full disk then leaves no empty or cut file
    behind, nor a complete one beside a cut one, and the ExportError names the part."""
    pairs = [(part, part.path.with_name(f".{part.path.name}.{os.getpid()}.part")) for part in parts]
    try:
        for part, temp in pairs:
            with _naming(part), _open(temp, part.text) as out:
                out.write(part.text)
        for part, temp in pairs:
            with _naming(part):
                os.replace(temp, part.path)
    finally:
        for _, temp in pairs:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)


def _open(path: Path, text: str | bytes) -> IO[Any]:
    if isinstance(text, bytes):
        return open(path, "wb")
    return open(path, "w", encoding="utf-8", newline="")


@contextlib.contextmanager
def _naming(part: Part) -> Iterator[None]:
    """An OSError writing ``part`` as the one line that names it."""
    try:
        yield
    except OSError as exc:
        raise ExportError(
            f"cannot write {part.name} {str(part.path)!r}: {_one_line(exc)}"
        ) from None


def _one_line(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_folder(folder: Path) -> Path:
    """Fail now, with one line, if the folder could not be created or written later.

    Run before any work starts, so a typo costs a second, not the results; creates
    nothing, so a dashboard that never exports leaves no empty folder behind.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(
            f"cannot write into {str(folder)!r}: {str(existing)!r} is not a directory"
        )
    try:
        # A real file, at once deleted: os.access says yes to root even on /proc.
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise ExportError(
            f"cannot write into {str(folder)!r}: no file can be made in {str(existing)!r} "
            f"({_one_line(exc)})"
        ) from None
    return folder


def check_csv_path(text: str) -> Path:
    """A CSV file that can be written once the runs are done (its folder is created then)."""
    return check_file_path(text, "CSV")


def check_file_path(text: str, kind: str) -> Path:
    """A file of ``kind`` ("CSV", "the recording") that can be written once the runs are
    done: fails now, with one line, if it could not be."""
    path = Path(text)
    if not text:
        raise ExportError(f"cannot write {kind} to '': give a file name")
    if path.is_dir() or text.endswith(("/", os.sep)):
        raise ExportError(f"cannot write {kind} to {text!r}: it is a directory")
    check_folder(path.parent)
    return path


def _free_stem(folder: Path, suffixes: list[str]) -> str:
    """A timestamped name that no earlier export in this folder holds.

    Two exports within one second get -2, -3, ...: an export never overwrites.
    """
    base = "coremeter-" + time.strftime("%Y%m%d-%H%M%S")
    stem, n = base, 1
    while any((folder / f"{stem}{suffix}").exists() for suffix in suffixes):
        n += 1
        stem = f"{base}-{n}"
    return stem


def make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        # mkdir would say "File exists", which reads as if nothing were wrong.
        raise ExportError(f"cannot write into {str(folder)!r}: it is not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {str(folder)!r}: {_one_line(exc)}") from None


def export_session(
    records: list[RunRecord],
    machine: Machine,
    folder: Path = DEFAULT_FOLDER,
    screenshot: Callable[[], str] | None = None,
    recording: bytes | None = None,
) -> list[Path]:
    """Write the runs as JSON and CSV, the screen as SVG when given a way to, and the
    recording's bytes (gzipped, see coremeter.recording) when given, all or none (see
    write_whole).

    ``screenshot`` returns the SVG's text, so the engine never needs Textual; the
    dashboard's ``e`` key passes its screen's. Returns the paths written, JSON first.
    Raises ExportError, naming the part, when one cannot be written.
    """
    folder = Path(folder)
    make_folder(folder)
    parts: list[tuple[str, str, str | bytes]] = [
        ("the JSON", ".json", json_text(records, machine) + "\n"),
        ("the CSV", ".csv", csv_text(records)),
    ]
    if screenshot is not None:
        parts.append(("the screenshot", ".svg", screenshot()))
    if recording is not None:
        parts.append(("the recording", RECORDING_SUFFIX, recording))
    stem = _free_stem(folder, [suffix for _, suffix, _ in parts])
    write_whole([Part(name, folder / f"{stem}{suffix}", text) for name, suffix, text in parts])
    return [folder / f"{stem}{suffix}" for _, suffix, _ in parts]
