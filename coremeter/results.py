"""What a run produced, and the session's log of runs with their speedups.

Plain data: the dashboard, ``coremeter bench`` and the JSON output all read the
same records, so a figure means the same thing everywhere.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from coremeter import factors
from coremeter.factors import Factors
from coremeter.schedule import DEFAULT_SCHEDULE, Schedule
from coremeter.verdict import Verdict, judge

# What a run does: the words the keys, the CLI, the JSON and the table all use.
Mode = Literal["sequential", "parallel", "threads"]
MODES: tuple[Mode, ...] = get_args(Mode)
# Where a run stands: idle until started, running, then how it ended.
RunState = Literal["idle", "running", "done", "cancelled", "failed"]
# (start_s, end_s, share): a thread had ``share`` of one core from start_s to end_s.
Share = tuple[float, float, float]
# What makes two runs comparable: the same workload, shape, scale and task sizes.
Work = tuple[str, str, float, tuple[int, ...]]


def work_key(workload: str, shape: str, scale: float, sizes: Iterable[int]) -> Work:
    """One key for a run to come (its spec) and a run done (its record), so a spec can ask
    whether its work already has a baseline."""
    return (workload, shape, scale, tuple(sizes))


def same_result(result: float | None, expected: float | None) -> bool:
    """Whether a sum is the one expected. NaN is a result like any other here: a function
    of yours that returns NaN returns it in every mode, and that is right."""
    if result is None or expected is None:
        return result is expected
    return result == expected or (math.isnan(result) and math.isnan(expected))


def detail(state: RunState, reason: str | None) -> str:
    """Why a run stopped, to follow its state: the engine's reasons often start with
    the state ("cancelled: sequential was started"), which is then said once."""
    rest = (reason or "").removeprefix(state)
    return rest if not rest or rest.startswith((":", " ")) else f": {rest}"


@dataclass(frozen=True)
class TaskRecord:
    """One task in a run; offsets are seconds from the run's start, None until reached.

    ``cpu``: in a threads run, how much of one core the task's thread really had over
    time, as (start_s, end_s, share) stretches (coremeter.threadshare); empty otherwise,
    where a task has its core to itself."""

    id: int
    size: int
    core: int | None
    done: int
    start_s: float | None
    end_s: float | None
    result: float | None
    cpu: tuple[Share, ...] = ()

    @property
    def fraction(self) -> float:
        return self.done / self.size if self.size else 0.0


@dataclass
class RunRecord:
    mode: Mode
    shape: str
    scale: float
    cores: list[int]
    state: RunState
    reason: str | None
    wall_s: float
    result: float | None
    # None where no value is known in advance (a user's function): the log fills in the
    # sum of the sequential run it is compared with.
    expected: float | None
    ok: bool
    bound: float
    tasks: list[TaskRecord] = field(default_factory=list)
    speedup: float | None = None
    workload: str = "seed"
    schedule: Schedule = DEFAULT_SCHEDULE
    # One line each, said beside the figures: the machine's caveats for this run, and
    # cores another program was busy on just before it (see coremeter.notes).
    notes: list[str] = field(default_factory=list)
    # Units of work per second along the critical lane, the one that ended last (None
    # unless done; see factors.critical_speed): what core_speed compares.
    critical_speed: float | None = None
    factors: Factors | None = None
    # Those of ``notes`` that say another program kept the run's cores busy: a speedup
    # they touch, as the run or as its baseline, is not trusted (coremeter.verdict).
    competition: list[str] = field(default_factory=list)
    # Whether its speedup can be trusted, and against which run: None for a sequential
    # run (its own baseline) and a run with no speedup.
    verdict: Verdict | None = None
    # Its number in the session's log, from 1 (0 until logged): what the table's first
    # column, the charts and a verdict ("comparable with run 3") call it.
    number: int = 0

    @property
    def work(self) -> Work:
        return work_key(self.workload, self.shape, self.scale, (t.size for t in self.tasks))

    @property
    def efficiency(self) -> float | None:
        """How much of the schedule's bound the run achieved (1.0 is ideal)."""
        if self.speedup is None or not self.bound:
            return None
        return self.speedup / self.bound

    @property
    def detail(self) -> str:
        return detail(self.state, self.reason)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        # The verdict goes out in words, which coremeter.export adds.
        del data["verdict"]
        data["efficiency"] = self.efficiency
        data["tasks"] = [{k: v for k, v in asdict(t).items() if k != "result"} for t in self.tasks]
        return data


class ResultsLog:
    """The runs of a session, in order, each compared with the last sequential run of
    the same work: its wall time gives the speedup and, for a workload that knows no
    result in advance, its sum is the result every other mode must return.

    ``keep`` bounds what it holds: a dashboard left on the demo autopilot all day
    would otherwise grow, and redraw, without end. Runs are numbered from 1 in the
    order they ended, and keep their numbers when others are dropped or forgotten; a
    number is never given twice, and a dropped sequential run still serves as its
    workload's baseline.
    """

    def __init__(self, keep: int | None = None) -> None:
        self.keep = keep
        self.runs: list[RunRecord] = []
        self.numbers: list[int] = []  # each held run's number, in step with ``runs``
        self.dropped = 0  # runs dropped by ``keep``
        self.last = 0  # the number of the latest run added
        self._baselines: dict[Work, RunRecord] = {}

    def add(self, record: RunRecord) -> RunRecord:
        self.last += 1
        record.number = self.last
        if record.ok and record.mode == "sequential":
            if record.expected is None:
                record.expected = record.result
            self._baselines[record.work] = record
        baseline = self.baseline(record.work) if record.ok else None
        if baseline is not None and record.expected is None:
            # A function of yours: its sum must be the sequential run's.
            record.expected = baseline.result
            record.ok = same_result(record.result, record.expected)
        if baseline is not None and record.ok and record.wall_s > 0:
            record.speedup = baseline.wall_s / record.wall_s
            if record.critical_speed and baseline.critical_speed and record.cores:
                record.factors = factors.measure(
                    record.speedup,
                    record.bound,
                    len(record.cores),
                    record.critical_speed,
                    baseline.critical_speed,
                )
            if record.mode != "sequential":
                record.verdict = judge(record, baseline)
        self.runs.append(record)
        self.numbers.append(self.last)
        if self.keep is not None and len(self.runs) > self.keep:
            excess = len(self.runs) - self.keep
            del self.runs[:excess], self.numbers[:excess]
            self.dropped += excess
        return record

    def baseline(self, work: Work) -> RunRecord | None:
        """The last sequential run of ``work``: what its other runs are compared with."""
        return self._baselines.get(work)

    def numbered(self, after: int = 0) -> list[tuple[int, RunRecord]]:
        """The runs numbered above ``after`` that are still held, with their numbers."""
        start = bisect_right(self.numbers, after)
        return list(zip(self.numbers[start:], self.runs[start:], strict=True))

    def forget_after(self, number: int, upto: int | None = None) -> None:
        """Forget the runs numbered above ``number``, up to ``upto`` if given (the demo's
        previous lap, once the next is complete), keeping their baselines as ``keep`` does."""
        start = bisect_right(self.numbers, number)
        end = len(self.numbers) if upto is None else bisect_right(self.numbers, upto)
        del self.runs[start:end], self.numbers[start:end]

    def clear(self) -> None:
        self.runs.clear()
        self.numbers.clear()
        self.dropped = self.last = 0
        self._baselines.clear()

    @property
    def all_ok(self) -> bool:
        return all(run.ok for run in self.runs)


@dataclass(frozen=True)
class Summary:
    """The ok runs of one mode on one workload and schedule: how far apart they were."""

    mode: str
    shape: str
    scale: float
    schedule: Schedule
    runs: int
    median_wall_s: float
    min_wall_s: float
    max_wall_s: float
    median_speedup: float | None

    @property
    def spread(self) -> float:
        """Max minus min over the median wall: how much one run alone could mislead."""
        if not self.median_wall_s:
            return 0.0
        return (self.max_wall_s - self.min_wall_s) / self.median_wall_s

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarise(records: list[RunRecord]) -> list[Summary]:
    """One summary per mode, workload and schedule, in the order they first ended ok.

    Failed and cancelled runs are left out: their wall time measures when they stopped.
    """
    groups: dict[tuple[object, ...], list[RunRecord]] = {}
    for record in records:
        if record.ok:
            groups.setdefault((record.mode, record.schedule, record.workload), []).append(record)
    summaries = []
    for runs in groups.values():
        walls = [r.wall_s for r in runs]
        speedups = [r.speedup for r in runs if r.speedup is not None]
        first = runs[0]
        summaries.append(
            Summary(
                mode=first.mode,
                shape=first.shape,
                scale=first.scale,
                schedule=first.schedule,
                runs=len(runs),
                median_wall_s=statistics.median(walls),
                min_wall_s=min(walls),
                max_wall_s=max(walls),
                median_speedup=statistics.median(speedups) if speedups else None,
            )
        )
    return summaries
