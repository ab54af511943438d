"""Taking a recording while runs run: one sample a tick, one record at each run's end.

Both front ends call :meth:`Recorder.tick` at their 10 Hz tick, after polling the
session and sampling the cores: the dashboard from its timer, ``bench --record`` from
its wait loop. The Recorder only keeps what the tick already computed (the sampler's
raw reading, the tasks' counts), so recording costs the run next to nothing.

Never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import coremeter
from coremeter.cores import Machine
from coremeter.recording import (
    RecordedRun,
    RecordedSpec,
    Recording,
    Samples,
    python_build,
    record_json,
)
from coremeter.results import ResultsLog, RunRecord
from coremeter.run import Run
from coremeter.sampler import CpuSampler
from coremeter.session import Session


@dataclass
class _Taking:
    """A run being recorded: its ticks so far."""

    run: Run
    cores: list[int]
    t: list[float] = field(default_factory=list)
    read: list[list[float]] = field(default_factory=list)
    own: dict[int, list[float]] = field(default_factory=dict)
    unplaced: list[float] = field(default_factory=list)
    dashboard: list[float] = field(default_factory=list)
    done: list[list[int]] = field(default_factory=list)

    def take(self, sampler: CpuSampler) -> None:
        ticks = len(self.t)
        self.t.append(self.run.elapsed())
        now, ours = sampler.read_now, sampler.ours_now
        self.read.append([now.get(core, 0.0) for core in self.cores])
        for core, used in ours.cores.items():
            self.own.setdefault(core, [0.0] * ticks).append(used)
        for series in self.own.values():
            if len(series) == ticks:  # no reading of this core at this tick
                series.append(0.0)
        self.unplaced.append(ours.unplaced)
        self.dashboard.append(ours.dashboard)
        self.done.append([task.done for task in self.run.tasks()])

    def ended(self, record: RunRecord) -> RecordedRun:
        ids = [task.id for task in self.run.spec.tasks]
        samples = Samples(
            t=tuple(self.t),
            cores={core: tuple(tick[i] for tick in self.read) for i, core in enumerate(self.cores)},
            own={core: tuple(series) for core, series in sorted(self.own.items())},
            unplaced=tuple(self.unplaced),
            dashboard=tuple(self.dashboard),
            done={task: tuple(tick[i] for tick in self.done) for i, task in enumerate(ids)},
        )
        return RecordedRun(record_json(record), RecordedSpec.of(self.run.spec), samples)


class Recorder:
    """The runs of a session as they run, for a Recording. ``keep``: how many ended runs
    it holds, the oldest dropped first (the dashboard's log bound); None for all."""

    def __init__(self, machine: Machine, label: str | None = None, keep: int | None = None):
        self.machine = machine
        self.label = label
        self.keep = keep
        self.recorded_at = datetime.now().astimezone().isoformat(timespec="seconds")
        self.runs: list[RecordedRun] = []
        self._taking: list[_Taking] = []
        self._last: RunRecord | None = None  # the last logged run looked at
        self._cores: list[int] = []  # the sampler's

    def tick(self, run: Run | None, log: ResultsLog, sampler: CpuSampler) -> None:
        """Once a tick, after the session was polled and ``sampler`` sampled: a sample of
        ``run`` (the session's current run) while it runs, and the record of each run
        that was logged since the last tick."""
        self._cores = list(sampler.cores)
        if run is not None and run.running:
            if not self._taking or self._taking[-1].run is not run:
                self._taking.append(_Taking(run, self._cores))
            self._taking[-1].take(sampler)
        self.collect(run, log)

    def collect(self, run: Run | None, log: ResultsLog) -> None:
        """Pair each run logged since the last call with its samples; ``run``: the
        session's current run, which may not have been logged yet."""
        for record in _since(log, self._last):
            self._last = record
            taking = next((t for t in self._taking if _same(t.run, record)), None)
            if taking is not None:
                self._taking.remove(taking)
            elif run is not None and _same(run, record):
                taking = _Taking(run, self._cores)  # it ended before a tick saw it run
            if taking is not None:
                self._add(taking.ended(record))
        # A run that ended unlogged (a slip, see Session.cancel) leaves nothing: once
        # another run is current, nothing of it will come.
        self._taking = [t for t in self._taking if t.run.running or t.run is run]

    def follow(self, session: Session, sampler: CpuSampler) -> None:
        """A tick for a front end that samples the cores for the recording alone (bench)."""
        run = session.run
        sampler.sample(run.workers() if run is not None else [])
        self.tick(run, session.log, sampler)

    def _add(self, recorded: RecordedRun) -> None:
        self.runs.append(recorded)
        if self.keep is not None and len(self.runs) > self.keep:
            del self.runs[: len(self.runs) - self.keep]

    def recording(self) -> Recording:
        """What was recorded of the runs that ended, in the order they ended."""
        return Recording(
            machine=self.machine,
            runs=tuple(self.runs),
            recorded_at=self.recorded_at,
            label=self.label,
            python_build=python_build(),
            coremeter=coremeter.__version__,
        )


def _since(log: ResultsLog, last: RunRecord | None) -> list[RunRecord]:
    """The runs logged after ``last``, oldest first: by the record itself, not its number,
    which starts from 1 again once the log is cleared."""
    new = []
    for record in reversed(log.runs):
        if record is last:
            break
        new.append(record)
    return new[::-1]


def _same(run: Run, record: RunRecord) -> bool:
    """Whether ``record`` is ``run``'s: a record's wall time is its run's elapsed time,
    read from the same two clock readings once the run has stopped."""
    return not run.running and run.spec.mode == record.mode and run.elapsed() == record.wall_s
