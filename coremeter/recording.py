"""A recording: a session's runs with everything the dashboard drew of them, as a file.

It is what lets a run be shown where it did not happen: recorded on a 64-core server,
replayed on a laptop, or compared with another machine's. The samples are the raw
readings the dashboard's CpuSampler took at each 10 Hz tick (what its Source's
``read`` and ``ours`` returned), so a replay feeds them back through the same sampler
code and draws what the live screen drew. See docs/recording.md for the format.

Version policy: ``version`` changes only when a field changes meaning or a reader of
the older version would misread the file; fields added within a version have defaults
and are ignored by older readers of that version. A later coremeter reads every
earlier version (upgrading it on load) or names the version it no longer plays.

Never imports Textual.
"""

from __future__ import annotations

import gzip
import json
import platform
import sysconfig
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coremeter.cores import Machine
from coremeter.export import ExportError, Part, make_folder, run_json, strict, write_whole
from coremeter.factors import Factors
from coremeter.ownload import OwnReading
from coremeter.report import counted
from coremeter.results import Mode, RunRecord, TaskRecord
from coremeter.schedule import Schedule

if TYPE_CHECKING:
    from coremeter.spec import RunSpec

FORMAT = "coremeter-recording"
VERSION = 1
# The dashboard's tick: what the samples were taken at, nominally.
EVERY_S = 0.1
GZIP_MAGIC = b"\x1f\x8b"


class RecordingError(Exception):
    """A file that cannot be read as a recording, or written; its message is one line."""


def python_build() -> str:
    """The interpreter as a comparison names it: "CPython 3.13.1", "CPython 3.14.0t"."""
    threaded = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    return f"{platform.python_implementation()} {platform.python_version()}{threaded}"


def percent(value: float) -> float | int:
    """A percent as stored: to 0.1, and a whole one without its ".0" (most readings of an
    idle or busy core are 0 or 100), which keeps a 256-core minute to a few MB."""
    tenth = round(float(value), 1)
    return int(tenth) if tenth.is_integer() else tenth


@dataclass(frozen=True)
class Samples:
    """One run's ticks: ``t`` the seconds from the run's start of each; per tick what the
    cores read (``cores``: percent busy, every core of the sampler), what the run's
    workers used of each (``own``: a core absent is 0 throughout), of no known core
    (``unplaced``), and coremeter itself (``dashboard``); and each task's units done
    (``done``, by task id). Every series has one value per tick."""

    t: tuple[float, ...]
    cores: Mapping[int, tuple[float, ...]]
    own: Mapping[int, tuple[float, ...]] = field(default_factory=dict)
    unplaced: tuple[float, ...] = ()
    dashboard: tuple[float, ...] = ()
    done: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    every_s: float = EVERY_S

    def __len__(self) -> int:
        return len(self.t)

    def read(self, tick: int) -> list[float]:
        """What Source.read returned at ``tick``, one percent per core of ``cores``."""
        return [series[tick] for series in self.cores.values()]

    def ours(self, tick: int) -> OwnReading:
        """What Source.ours returned at ``tick``."""
        placed = {core: series[tick] for core, series in self.own.items() if series[tick]}
        unplaced = self.unplaced[tick] if self.unplaced else 0.0
        dashboard = self.dashboard[tick] if self.dashboard else 0.0
        return OwnReading(placed, unplaced, dashboard)

    def progress(self, tick: int) -> dict[int, int]:
        """Each task's units done at ``tick``."""
        return {task: series[tick] for task, series in self.done.items()}

    def to_json(self) -> dict[str, Any]:
        def series(values: Sequence[float]) -> list[float | int]:
            return [percent(v) for v in values]

        return {
            "every_s": self.every_s,
            "t": [round(t, 3) for t in self.t],
            "cores": {str(c): series(v) for c, v in self.cores.items()},
            "own": {str(c): series(v) for c, v in self.own.items() if any(v)},
            "unplaced": series(self.unplaced),
            "dashboard": series(self.dashboard),
            "done": {str(task): list(v) for task, v in self.done.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Samples:
        t = tuple(float(x) for x in data["t"])

        def series(values: Sequence[float]) -> tuple[float, ...]:
            if len(values) != len(t):
                raise ValueError(
                    f"a series of {counted(len(values), 'value')} for {counted(len(t), 'tick')}"
                )
            return tuple(float(v) for v in values)

        def by_id(table: Mapping[str, Sequence[float]]) -> dict[int, tuple[float, ...]]:
            return {int(key): series(values) for key, values in table.items()}

        done = {int(k): tuple(int(n) for n in series(v)) for k, v in data.get("done", {}).items()}
        return cls(
            t=t,
            cores=by_id(data["cores"]),
            own=by_id(data.get("own", {})),
            unplaced=series(data["unplaced"]) if data.get("unplaced") else (),
            dashboard=series(data["dashboard"]) if data.get("dashboard") else (),
            done=done,
            every_s=float(data.get("every_s", EVERY_S)),
        )


# A lane as RunSpec.lanes() gives it, by task id: (its core, None unpinned; its tasks).
RecordedLane = tuple[int | None, tuple[int, ...]]


@dataclass(frozen=True)
class RecordedSpec:
    """What a replay needs to rebuild the run's RunSpec: the workload by name (a function
    of yours need not exist where it is replayed), each task's id, size and first unit,
    and the lanes the tasks ran in."""

    mode: Mode
    shape: str
    scale: float
    cores: tuple[int, ...]
    schedule: Schedule
    workload: str
    pinned: bool
    gil: bool
    releases_gil: bool
    tasks: tuple[tuple[int, int, int], ...]  # (id, size, start)
    lanes: tuple[RecordedLane, ...]

    @classmethod
    def of(cls, spec: RunSpec) -> RecordedSpec:
        return cls(
            mode=spec.mode,
            shape=spec.shape,
            scale=spec.scale,
            cores=spec.cores,
            schedule=spec.schedule,
            workload=spec.workload.name,
            pinned=spec.pinned,
            gil=spec.gil,
            releases_gil=spec.workload.releases_gil,
            tasks=tuple((task.id, task.size, task.start) for task in spec.tasks),
            lanes=tuple((core, tuple(t.id for t in tasks)) for core, tasks in spec.lanes()),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "shape": self.shape,
            "scale": self.scale,
            "cores": list(self.cores),
            "schedule": self.schedule,
            "workload": self.workload,
            "pinned": self.pinned,
            "gil": self.gil,
            "releases_gil": self.releases_gil,
            "tasks": [{"id": i, "size": size, "start": start} for i, size, start in self.tasks],
            "lanes": [{"core": core, "tasks": list(tasks)} for core, tasks in self.lanes],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedSpec:
        return cls(
            mode=data["mode"],
            shape=str(data["shape"]),
            scale=float(data["scale"]),
            cores=tuple(int(c) for c in data["cores"]),
            schedule=data["schedule"],
            workload=str(data["workload"]),
            pinned=bool(data["pinned"]),
            gil=bool(data["gil"]),
            releases_gil=bool(data["releases_gil"]),
            tasks=tuple(
                (int(t["id"]), int(t["size"]), int(t.get("start", 0))) for t in data["tasks"]
            ),
            lanes=tuple(
                (None if lane["core"] is None else int(lane["core"]), tuple(lane["tasks"]))
                for lane in data["lanes"]
            ),
        )


@dataclass(frozen=True)
class RecordedRun:
    """One run: ``record``, its entry of ``bench --json``'s ``runs`` as it was written
    (verdict included; a threads run's per-thread CPU shares are each task's ``cpu``),
    ``spec`` and its ``samples``."""

    record: Mapping[str, Any]
    spec: RecordedSpec
    samples: Samples

    def run_record(self) -> RunRecord:
        """The record as the engine holds it, as the run ended: its speedup, factors and
        verdict are the log's to work out again (ResultsLog.add), as they were live."""
        data = self.record
        tasks = [
            TaskRecord(
                id=int(t["id"]),
                size=int(t["size"]),
                core=t["core"],
                done=int(t["done"]),
                start_s=t["start_s"],
                end_s=t["end_s"],
                result=None,
                cpu=tuple(tuple(share) for share in t.get("cpu", ())),
            )
            for t in data["tasks"]
        ]
        return RunRecord(
            mode=data["mode"],
            shape=data["shape"],
            scale=float(data["scale"]),
            cores=list(data["cores"]),
            state=data["state"],
            reason=data["reason"],
            wall_s=float(data["wall_s"]),
            result=_number(data["result"]),
            expected=_number(data["expected"]),
            ok=bool(data["ok"]),
            bound=float(data["bound"]),
            tasks=tasks,
            workload=data["workload"],
            schedule=data["schedule"],
            notes=list(data["notes"]),
            critical_speed=data["critical_speed"],
            competition=list(data.get("competition", [])),
        )

    @property
    def factors(self) -> Factors | None:
        """The factors as recorded (the record's own, against its session's baseline)."""
        found = self.record.get("factors")
        return None if found is None else Factors(**found)

    def to_json(self) -> dict[str, Any]:
        return {
            "record": dict(self.record),
            "spec": self.spec.to_json(),
            "samples": self.samples.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedRun:
        return cls(
            record=dict(data["record"]),
            spec=RecordedSpec.from_json(data["spec"]),
            samples=Samples.from_json(data["samples"]),
        )


def record_json(record: RunRecord) -> dict[str, Any]:
    """A run's record as a recording holds it, and reads it back: its entry in ``bench
    --json``'s ``runs``, through strict JSON (lists, not tuples; NaN as "NaN")."""
    loaded: dict[str, Any] = json.loads(json.dumps(strict(run_json(record)), allow_nan=False))
    return loaded


def _number(value: object) -> float | None:
    """A figure as strict JSON writes it (a non-finite one as its string) read back."""
    return None if value is None else float(value)  # type: ignore[arg-type]


def machine_json(machine: Machine) -> dict[str, Any]:
    """The machine as ``bench --json`` writes it, and its SMT siblings, which a replay's
    layout pairs."""
    return {**machine.to_json(), "siblings": {str(c): s for c, s in machine.siblings.items()}}


@dataclass(frozen=True)
class Recording:
    """A recorded session: where (``machine``, ``python_build``), when, what it is called
    (``label``: --label, or None), and its runs in the order they ended."""

    machine: Machine
    runs: tuple[RecordedRun, ...]
    recorded_at: str
    label: str | None = None
    python_build: str = ""
    coremeter: str = ""

    @property
    def name(self) -> str:
        """What a comparison calls it: its label, or its machine and Python build."""
        if self.label:
            return self.label
        model = self.machine.cpu_model or "unknown CPU"
        return f"{model}, {counted(len(self.machine.usable_cores), 'core')}, {self.python_build}"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "coremeter": self.coremeter,
            "recorded_at": self.recorded_at,
            "label": self.label,
            "machine": machine_json(self.machine),
            "python_build": self.python_build,
            "runs": [run.to_json() for run in self.runs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recording:
        return cls(
            machine=Machine.from_json(data["machine"]),
            runs=tuple(RecordedRun.from_json(run) for run in data["runs"]),
            recorded_at=str(data["recorded_at"]),
            label=data.get("label"),
            python_build=str(data.get("python_build", "")),
            coremeter=str(data.get("coremeter", "")),
        )


def encode(recording: Recording, gzipped: bool = True) -> bytes:
    """The file's bytes: compact JSON (strict: a non-finite figure as its string),
    gzipped unless told otherwise: deterministically (no time in its header), and at level
    6, which writes a 256-core minute in a tenth of a second where 9 takes a second."""
    text = json.dumps(strict(recording.to_json()), separators=(",", ":"), allow_nan=False)
    data = (text + "\n").encode()
    return gzip.compress(data, compresslevel=6, mtime=0) if gzipped else data


def is_gzip(path: Path) -> bool:
    return path.name.endswith(".gz")


def save(recording: Recording, path: Path) -> Path:
    """Write the recording whole or not at all (gzip when the name ends in .gz), its
    folder made when missing."""
    if not recording.runs:
        raise RecordingError(f"cannot write recording {str(path)!r}: no run has ended")
    try:
        make_folder(path.parent)
        write_whole([Part("the recording", path, encode(recording, is_gzip(path)))])
    except ExportError as exc:
        raise RecordingError(str(exc)) from None
    return path


def load(path: Path) -> Recording:
    """Read a recording; every way it cannot be is a RecordingError of one line. Reading
    never writes."""
    where = f"cannot read recording {str(path)!r}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{where}: it is a directory") from None
    except OSError as exc:
        raise RecordingError(f"{where}: {exc.strerror or exc}") from None
    data = _parse(_unzip(raw, is_gzip(path), where), where)
    version = data.get("version")
    if data.get("format") != FORMAT or not isinstance(version, int) or version < 1:
        raise RecordingError(f"{where}: not a coremeter recording")
    if version > VERSION:
        raise RecordingError(
            f"{where}: made by a newer coremeter: format {version}, this one reads {VERSION}"
        )
    if not data.get("runs"):
        raise RecordingError(f"{where}: it has no runs")
    try:
        recording = Recording.from_json(data)
        for run in recording.runs:
            run.run_record()  # a record that cannot be read back is damaged now, not later
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RecordingError(f"{where}: damaged ({type(exc).__name__}: {exc})") from None
    return recording


def _unzip(raw: bytes, named_gzip: bool, where: str) -> bytes:
    if not raw.startswith(GZIP_MAGIC):
        if named_gzip:
            raise RecordingError(f"{where}: not gzip, though its name ends in .gz")
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise RecordingError(f"{where}: truncated (the gzip stream ends early)") from None
    except (OSError, zlib.error) as exc:
        raise RecordingError(f"{where}: gzip data is corrupt ({exc})") from None


def _parse(raw: bytes, where: str) -> dict[str, Any]:
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise RecordingError(f"{where}: not a coremeter recording (not text)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # A document cut short (a full disk, a copy stopped) begins as one and never ends.
        if text.lstrip().startswith("{") and not text.rstrip().endswith("}"):
            raise RecordingError(f"{where}: truncated (the JSON ends early)") from None
        raise RecordingError(f"{where}: not a coremeter recording (not JSON)") from None
    if not isinstance(data, dict):
        raise RecordingError(f"{where}: not a coremeter recording")
    return data
