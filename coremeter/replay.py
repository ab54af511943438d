"""A recording played back through the live engine, as if its runs ran here now.

A :class:`ReplayRun` is a :class:`coremeter.run.Run` whose tasks, record and end come
from a recorded run at the replay's time (its clock times the speed): the session, the
log, the factors, the verdict, the caption and every view take it as they take a live
run, and so compute what they showed live. A :class:`Player` launches them for the
session (``Session.launch``) and is the sampler's :class:`Source`: the raw readings
recorded at each tick go back through the same CpuSampler code, so the meters, their
history and the own/others split come out as they did. It starts no worker and reads
nothing of this machine.

Never imports Textual.
"""

from __future__ import annotations

import argparse
import math
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from coremeter.ownload import OwnReading, Worker
from coremeter.recording import RecordedRun, RecordedSpec, Recording, RecordingError, load
from coremeter.report import replay_line
from coremeter.results import Mode, ResultsLog, RunRecord, RunState, TaskRecord
from coremeter.run import record_of, wait_for
from coremeter.sampler import Source, Span
from coremeter.spec import Lane, RunSpec
from coremeter.stall import Stall
from coremeter.workload import BUILTINS, Kernel, Task, Workload

Clock = Callable[[], float]
# The speeds `,` and `.` reach, halving and doubling from real time.
SLOWEST, FASTEST = 1 / 16, 64.0


class ReplayError(ValueError):
    """What a replay cannot do (a mode it has no run of); its message is one line."""


@dataclass(frozen=True)
class Replayed(Workload):
    """A workload known here by name only (a function of yours, recorded elsewhere): a
    replay never runs it, and knows no result in advance."""

    name: str
    lesson: str = "recorded elsewhere: a replay shows it, never runs it"
    unit: ClassVar[str] = "items"
    short_unit: ClassVar[str] = "items"

    def prepare(self) -> Kernel:
        raise ReplayError(f"{self.name} was recorded elsewhere: a replay does not run it")

    def expected(self, task: Task) -> float | None:
        return None


def workload_named(name: str) -> Workload:
    """The built-in of that name, whose results are known; else a stand-in."""
    return next((w for w in BUILTINS if w.name == name), None) or Replayed(name)


def rebuild(recorded: RecordedSpec) -> RunSpec:
    """The recorded run's spec, as the session and the views take one."""
    return RunSpec(
        mode=recorded.mode,
        shape=recorded.shape,
        scale=recorded.scale,
        cores=recorded.cores,
        tasks=tuple(Task(i, size, start) for i, size, start in recorded.tasks),
        pinned=recorded.pinned,
        schedule=recorded.schedule,
        gil=recorded.gil,
        workload=workload_named(recorded.workload),
    )


def logged(recording: Recording) -> list[RunRecord]:
    """The recording's runs as a session's log holds them once they ended: numbered,
    each measured against its baseline as it was live."""
    log = ResultsLog()
    for run in recording.runs:
        log.add(run.run_record())
    return log.runs


class ReplayRun:
    """One recorded run, played on ``clock`` at ``speed`` (coremeter.run.Run)."""

    def __init__(self, recorded: RecordedRun, clock: Clock, speed: float = 1.0) -> None:
        self.recorded = recorded
        self.spec = rebuild(recorded.spec)
        self.state: RunState = "idle"
        self.reason: str | None = None
        self.notes: list[str] = []
        self.stall: Stall | None = None
        self.samples = recorded.samples
        self._final = recorded.run_record()
        self._clock = clock
        self._speed = speed
        self._base = 0.0  # the replay's seconds at the clock's reading ``_since``
        self._since = math.nan
        self._stopped: float | None = None  # where it stopped, once it has
        self._played_out = False  # whether it ended as recorded, at its wall time

    @property
    def wall_s(self) -> float:
        return self._final.wall_s

    @property
    def running(self) -> bool:
        return self.state == "running"

    def start(self) -> ReplayRun:
        self.state, self._since = "running", self._clock()
        return self

    def set_speed(self, speed: float) -> None:
        """Play on at ``speed`` from where it is now."""
        if self.running:
            self._base, self._since = self.elapsed(), self._clock()
        self._speed = speed

    def elapsed(self) -> float:
        if self._stopped is not None:
            return self._stopped
        if self.state == "idle":
            return 0.0
        return min(self.wall_s, self._base + (self._clock() - self._since) * self._speed)

    def poll(self) -> bool:
        """Ends as the recorded run did, at its wall time: done, failed or cancelled."""
        if not self.running:
            return True
        if self.elapsed() < self.wall_s:
            return False
        self._stop(self._final.state, self._final.reason)
        self._played_out = True
        return True

    def wait(self, timeout: float | None = None, tick: float = 0.1) -> bool:
        return wait_for(self.poll, timeout, tick)

    def cancel(self, reason: str = "cancelled") -> None:
        if self.running:
            self._stop("cancelled", reason)

    def kill_now(self) -> None:
        """A replay has no worker to kill: ending it (cancel) is all there is."""

    def _stop(self, state: RunState, reason: str | None) -> None:
        self._stopped = self.elapsed()
        self.state, self.reason = state, reason

    def tick(self) -> int:
        """The last recorded tick at or before now; -1 before the first."""
        return bisect_right(self.samples.t, self.elapsed()) - 1

    def tasks(self) -> list[TaskRecord]:
        """Each task as the run had it now: started and ended once the replay has passed
        its recorded start and end, with the units done at the last tick."""
        now, tick = self.elapsed(), self.tick()
        done = self.samples.progress(tick) if tick >= 0 else {}
        return [_at(task, now, done.get(task.id, 0)) for task in self._final.tasks]

    def record(self) -> RunRecord:
        """While it plays, made as a live run's is (run.record_of); at its recorded
        end, the record as it was written, notes and all."""
        return self.recorded.run_record() if self._played_out else record_of(self)

    def busy_spans(self) -> list[Span]:
        """None of this machine's cores: a replay runs nothing here."""
        return []

    def lane_pids(self) -> list[tuple[Lane, int]]:
        """No lane has a process here (the recording keeps no pids)."""
        return []

    def workers(self) -> list[Worker]:
        return []


def _at(task: TaskRecord, now: float, done: int) -> TaskRecord:
    """``task`` (as it ended) as it was ``now`` seconds into its run. Built directly, not
    with dataclasses.replace: a frame of 256 tasks took 1.3 ms that way."""
    start, end = task.start_s, task.end_s
    ended = end is not None and end <= now
    cpu = tuple((a, min(b, now), share) for a, b, share in task.cpu if a < now)
    return TaskRecord(
        task.id,
        task.size,
        task.core,
        task.done if ended else min(done, task.size),
        start if start is not None and start <= now else None,
        end if ended else None,
        task.result if ended else None,
        cpu,
    )


class Player:
    """A recording on the session's screen: it launches the recorded run of each mode
    asked for (the session's launcher), sets the speed, and feeds the sampler what the
    cores read at the playing run's time."""

    def __init__(self, recording: Recording, clock: Clock = time.monotonic) -> None:
        self.recording = recording
        self.clock = clock
        self.speed = 1.0
        self.playing: ReplayRun | None = None
        self._columns: dict[int, list[Sequence[float] | None]] = {}

    @property
    def modes(self) -> list[Mode]:
        """The modes with a recorded run, in the order first recorded."""
        return list(dict.fromkeys(run.spec.mode for run in self.recording.runs))

    def launch(self, spec: RunSpec) -> ReplayRun:
        """The last recorded run of ``spec``'s mode, of its work if there is one."""
        runs = [r for r in self.recording.runs if r.spec.mode == spec.mode]
        if not runs:
            recorded = ", ".join(self.modes)
            raise ReplayError(f"this recording has no {spec.mode} run (it has {recorded})")
        same = [r for r in runs if rebuild(r.spec).work == spec.work]
        self.playing = ReplayRun((same or runs)[-1], self.clock, self.speed)
        return self.playing

    def first_spec(self) -> RunSpec:
        """The spec the session starts with: the last recorded run's."""
        return rebuild(self.recording.runs[-1].spec)

    def set_speed(self, factor: float) -> float:
        """Multiply the speed, within SLOWEST..FASTEST; the playing run follows at once."""
        self.speed = min(max(self.speed * factor, SLOWEST), FASTEST)
        if self.playing is not None:
            self.playing.set_speed(self.speed)
        return self.speed

    def banner(self) -> str:
        """What the screen says throughout: a replay, of which machine, when, how fast."""
        recording = self.recording
        machine = recording.machine
        cores = len(machine.usable_cores)
        return replay_line(machine.cpu_model, cores, recording.recorded_at, self.speed)

    def source(self, cores: Sequence[int]) -> Source:
        """The sampler's readings: the playing run's, recorded at the last tick passed;
        idle cores before a run, between runs and after one."""
        ids = list(cores)
        return Source(lambda: self._read(ids), ids, self._ours)

    def _playing_tick(self) -> tuple[ReplayRun, int] | None:
        run = self.playing
        if run is None or not run.running:
            return None
        tick = run.tick()
        return None if tick < 0 else (run, tick)

    def _read(self, cores: list[int]) -> list[float]:
        found = self._playing_tick()
        if found is None:
            return [0.0] * len(cores)
        run, tick = found
        columns = self._columns.get(id(run.samples))
        if columns is None:
            columns = self._columns[id(run.samples)] = [run.samples.cores.get(c) for c in cores]
        return [0.0 if column is None else column[tick] for column in columns]

    def _ours(self, workers: Sequence[Worker]) -> OwnReading:
        found = self._playing_tick()
        return OwnReading() if found is None else found[0].samples.ours(found[1])


def add_replay_command(commands: Any) -> None:
    """``coremeter replay FILE [FILE_B]`` among the subcommands (argparse's
    ``add_subparsers`` object)."""
    parser = commands.add_parser(
        "replay",
        help="play a recording in the dashboard, as if its runs ran here",
        description="Open the dashboard on a recording (coremeter --record, bench --record), "
        "laid out for the machine it was recorded on: s, p and t play that mode's run in "
        "real time, space the last one again, d the demo over it, , and . halve and double "
        "the speed, escape stops. With FILE_B, the timeline and speedup chart draw its runs "
        "under FILE's. Nothing runs here. Exit 2 on a file that is not a recording.",
    )
    parser.add_argument("replay", type=Path, nargs="+", metavar="FILE", help=RECORDINGS_HELP)


RECORDINGS_HELP = "a recording, and optionally a second to draw beside it"


def recordings(parser: argparse.ArgumentParser, paths: Sequence[Path]) -> list[Recording]:
    """The recordings to replay, each checked whole before anything opens: what cannot
    be played is one line and exit 2 (parser.error)."""
    if len(paths) > 2:
        parser.error(f"replay takes one recording, or two to compare, not {len(paths)}")
    try:
        return [load(path) for path in paths]
    except RecordingError as exc:
        parser.error(str(exc))
