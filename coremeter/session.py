"""A session: the current settings, at most one live run, and the log of past runs.

Both front ends drive the engine through this one class, so the rules (starting a
mode cancels the run in progress; pressing the running mode again does not
restart it; a slip leaves no row; ``m`` runs the baseline first) hold for the
dashboard and ``coremeter bench`` alike.
"""

from __future__ import annotations

import time

from coremeter.cores import Machine
from coremeter.notes import WINDOW_S, competition
from coremeter.options import DashboardOptions
from coremeter.report import warnings
from coremeter.results import Mode, ResultsLog, RunRecord
from coremeter.run import Launcher, Run
from coremeter.runner import local_run
from coremeter.sampler import LoadHistory, Span
from coremeter.schedule import DEFAULT_SCHEDULE, SCHEDULES, Schedule
from coremeter.spec import RunSpec
from coremeter.workload import BUILTINS, MAX_SCALE, SEED, SHAPES, Workload, check_scale

# The scales the dashboard's keys reach: below the least, a task is a few iterations.
MIN_KEY_SCALE = 1e-6
# A run cancelled sooner than this after its start was a slip of the finger (a key on
# the way to another, keys mashed): it leaves no row, so slips never crowd the results
# out of the picture. Long enough for a key pressed by mistake, short enough that no
# run worth comparing is lost.
SLIP_S = 1.0


class Session:
    def __init__(
        self,
        machine: Machine,
        cores: list[int],
        shape: str,
        scale: float,
        keep: int | None = None,
    ) -> None:
        """``keep``: how many runs the log holds (see ResultsLog); None for all. The
        workload is the seed until :meth:`use` chooses another."""
        self.machine = machine
        self.cores = cores
        self.shape = shape
        self.scale = check_scale(scale)
        self.schedule: Schedule = DEFAULT_SCHEDULE
        # Where competition for the cores is read from (tests put a made-up one here).
        self.load = LoadHistory()
        # When this session's workers last ran, so that a run does not take the tail of
        # the one before for another program.
        self._spans: list[Span] = []
        self.workload: Workload = SEED
        self.workloads = list(BUILTINS)
        self.mode: Mode = "sequential"
        self.run: Run | None = None
        # What runs the work: this machine's processes and threads unless told otherwise
        # (a cluster's workers; a test's scripted runs).
        self.launch: Launcher = local_run
        self.log = ResultsLog(keep)
        self._logged: Run | None = None
        # The record of the run that ended last: the current run's, once it has ended.
        self.ended: RunRecord | None = None
        # The current run's competition notes, which its record carries to the verdict.
        self._competition: list[str] = []

    @classmethod
    def opened(
        cls, machine: Machine, cores: list[int], options: DashboardOptions, keep: int | None
    ) -> Session:
        """A dashboard's session, set as ``options`` open it: the next run's settings."""
        session = cls(machine, cores, options.shape, options.scale, keep)
        session.schedule = options.schedule
        session.mode = options.mode
        session.use(options.workload)
        return session

    def spec(self, mode: Mode) -> RunSpec:
        spec = RunSpec.build(mode, self.shape, self.scale, self.cores, self.schedule)
        return spec.with_workload(self.workload).for_machine(self.machine)

    def start(self, mode: Mode) -> Run:
        """Start ``mode``, cancelling a run in progress; the same run in progress is kept."""
        spec = self.spec(mode)
        if self.run is not None and self.run.running and self.run.spec == spec:
            return self.run
        # Made first: a run the launcher refuses (threads on a cluster) leaves the one in
        # progress running.
        run = self.launch(spec)
        self.cancel(f"cancelled: {mode} was started")
        self.mode = mode
        self._competition = self.competition(spec)
        run.notes = self.caveats(spec) + self._competition
        self.run = run.start()
        return run

    def caveats(self, spec: RunSpec) -> list[str]:
        """The machine's caveats for a run of ``spec``."""
        parallel = spec.mode != "sequential"
        threads = spec.mode == "threads"
        return warnings(self.machine, list(spec.cores), spec.worker_cores, parallel, threads)

    def competition(self, spec: RunSpec) -> list[str]:
        """The cores of a run of ``spec`` that another program is busy on, one line each."""
        return competition(self.load, spec.worker_cores or spec.cores, self._spans)

    def toggle(self) -> Run:
        """Run the other of sequential and parallel (see toggle_mode)."""
        return self.start(self.toggle_mode())

    def toggle_mode(self) -> Mode:
        """The other of sequential and parallel; but sequential while the workload has no
        sequential run to compare with, since a parallel run alone shows no speedup."""
        return "parallel" if self.mode == "sequential" and self.has_baseline() else "sequential"

    def has_baseline(self) -> bool:
        """Whether the next run's workload has a sequential run to be compared with."""
        return self.log.baseline(self.spec("sequential").work) is not None

    def rerun(self) -> Run:
        return self.start(self.mode)

    def cancel(self, reason: str = "cancelled") -> RunRecord | None:
        """Cancel the run in progress, if any, and log it; a slip (SLIP_S) is not logged."""
        run = self.run
        if run is None or not run.running:
            return None
        run.cancel(reason)
        if run.elapsed() < SLIP_S:
            # No record: the screen must not describe an older run as this one.
            self._logged, self.ended = run, None
            return None
        return self.poll()

    def clear(self) -> None:
        """Forget the logged runs, baselines included, and the ended run the screen
        describes, so that nothing on it speaks of a cleared run; a run in progress goes
        on, compared with no baseline."""
        self.log.clear()
        self.ended = None
        if self.run is not None and not self.run.running:
            self.run = None

    def kill_now(self) -> None:
        """Stop the run's workers at once, from a signal handler (see Run.kill_now)."""
        if self.run is not None:
            self.run.kill_now()

    def poll(self) -> RunRecord | None:
        """Advance the current run; returns its record the moment it ends. Call it
        often, running or not: it also keeps the cores' recent load."""
        self.load.read()
        run = self.run
        if run is None or run is self._logged or not run.poll():
            return None
        self._logged = run
        since = time.perf_counter() - 2 * WINDOW_S
        self._spans = [s for s in self._spans if s[2] > since] + run.busy_spans()
        record = run.record()
        # A replayed run's record holds what competed with it where it was recorded.
        record.competition = record.competition or self._competition
        self.ended = self.log.add(record)
        return self.ended

    def set_scale(self, scale: float) -> float:
        """Applies to the next run; clamped to what a workload allows."""
        self.scale = check_scale(min(max(scale, MIN_KEY_SCALE), MAX_SCALE))
        return self.scale

    def step_scale(self, factor: float) -> bool:
        """Multiply the scale, unless that passes a limit: then it stays, so halving
        after doubling always returns to where it was. False if it stayed."""
        scale = self.scale * factor
        if not MIN_KEY_SCALE <= scale <= MAX_SCALE:
            return False
        self.set_scale(scale)
        return True

    def comparable(self) -> list[RunRecord]:
        """The logged runs of one workload, shape and scale, the live run's or else the
        next run's: the charts compare like with like (a hash run beside a seed run mixes
        two lessons; balanced×0.1 beside seed×0.2 shares no time axis)."""
        if self.run is not None and self.run.running:
            spec = self.run.spec
            like = (spec.workload.name, spec.shape, spec.scale)
        else:
            like = (self.workload.name, self.shape, self.scale)
        return [run for run in self.log.runs if (run.workload, run.shape, run.scale) == like]

    def use(self, workload: Workload) -> Workload:
        """The workload of the next runs; a function of yours joins the built-ins in the
        list that :meth:`next_workload` cycles through."""
        if workload not in self.workloads:
            self.workloads.append(workload)
        self.workload = workload
        return workload

    def choose(self, name: str | None) -> Workload:
        """The workload of that name (one of ``workloads``), or with None the next one."""
        if name is None:
            return self.next_workload()
        return self.use(next(w for w in self.workloads if w.name == name))

    def next_workload(self) -> Workload:
        """The next workload from the next run on: seed, io, hash, then a function of yours."""
        index = self.workloads.index(self.workload)
        return self.use(self.workloads[(index + 1) % len(self.workloads)])

    def next_shape(self) -> str:
        self.shape = SHAPES[(SHAPES.index(self.shape) + 1) % len(SHAPES)]
        return self.shape

    def next_schedule(self) -> Schedule:
        self.schedule = SCHEDULES[(SCHEDULES.index(self.schedule) + 1) % len(SCHEDULES)]
        return self.schedule

    def close(self, because: str | None = None) -> None:
        """End the run in progress, logged however short: quitting is no slip.
        ``because``: what ended it, a signal's name, if not a quit."""
        if self.run is not None:
            self.run.cancel(f"cancelled: {because or 'coremeter quit'}")
        self.poll()
