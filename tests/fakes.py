"""Fakes the tests share: hand-built records, a fixed machine and sampler, a Run that
never starts, and the charts alone in an app. One place, so no test module imports
another."""

from __future__ import annotations

import math
import time
from dataclasses import replace

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from coremeter.cores import Machine
from coremeter.ownload import OwnReading
from coremeter.results import Mode, ResultsLog, RunRecord, TaskRecord
from coremeter.runner import LocalRun
from coremeter.sampler import CpuSampler, LoadHistory, Source
from coremeter.spec import Lane, RunSpec
from coremeter.tui.demo import DemoStep
from coremeter.tui.widgets.charts import SpeedupChart, Timeline
from coremeter.tui.widgets.meters import CoreMeters

WAVE = [5, 10, 30, 70, 95, 100, 100, 100, 98, 60, 20, 5, 2, 0, 40, 100]


def machine(cores: int = 2, quota: float | None = None) -> Machine:
    return Machine(
        usable_cores=list(range(cores)),
        logical=cores,
        physical=cores,
        python="3.11.7",
        gil=True,
        start_method="forkserver",
        affinity=True,
        quota=quota,
        cpu_model="Example CPU 3.0GHz",
    )


def fake_sampler(percents: list[float], others: list[float] | None = None) -> CpuSampler:
    """Cores reading ``percents``, of which ``others`` (none by default) are another
    program's: the rest is the run's, whoever runs."""
    cores = list(range(len(percents)))
    theirs = others or [0.0] * len(percents)
    ours = OwnReading(
        {core: p - o for core, (p, o) in enumerate(zip(percents, theirs, strict=True))}
    )
    source = Source(lambda: percents, cores, lambda workers: ours)
    sampler = CpuSampler(cores, alpha=1.0, history_every=10**9, source=source)
    for core in cores:
        sampler.history[core].extend(v * (core + 1) / len(cores) for v in WAVE)
    return sampler


class FrozenRun(LocalRun):
    """A real local run, never started: its shared counters say how far each task got."""

    def __init__(self, spec: RunSpec, progress: dict[int, tuple[float, float, float | None]]):
        """``progress``: task id -> (fraction done, start offset, end offset or None)."""
        super().__init__(spec)
        self.started_at = 0.0
        self.state = "running"
        self.pids = [4101, 4102]
        for task in spec.tasks:
            fraction, start, end = progress.get(task.id, (0.0, math.nan, None))
            self.counts[task.id] = round(fraction * task.size)
            self.starts[task.id] = start
            self.ends[task.id] = math.nan if end is None else end

    def _groups(self) -> list[list[Lane]]:
        """As the mode's own run groups them: threads in one process."""
        return [self.lanes] if self.spec.mode == "threads" else [[lane] for lane in self.lanes]

    def poll(self) -> bool:
        return not self.running

    def cancel(self, reason: str = "cancelled") -> None:
        self.state, self.reason, self.stopped_at = "cancelled", reason, 0.0

    def fail(self, reason: str, at: float) -> FrozenRun:
        self.state, self.reason, self.stopped_at = "failed", reason, at
        return self


def ended(spec: RunSpec, wall_s: float) -> RunRecord:
    """A run of ``spec`` that ended ok after ``wall_s``, every task done and right."""
    run = FrozenRun(spec, {t.id: (1.0, 0.0, wall_s) for t in spec.tasks})
    run.state, run.stopped_at = "done", wall_s
    for task in spec.tasks:
        run.results[task.id] = (task.size - 1) * task.size / 2
    return run.record()


def quiet_load(cores: list[int]) -> LoadHistory:
    """A machine no other program uses: where a scripted run's speedup is the point, the
    real cores' load (other tests, other programs) must not make it not comparable."""
    return LoadHistory(busy=lambda: dict.fromkeys(cores, 0.0), own=lambda: 0.0)


class ScriptedRun(FrozenRun):
    """A Run the session starts as it starts a real one, with no worker: it runs until
    the test ends it with :meth:`finish`. In place of the session's own:
    ``monkeypatch.setattr(session, "local_run", ScriptedRun)``, where what the keys and the
    demo do with runs is the point, and real work would only make it slow."""

    def __init__(self, spec: RunSpec) -> None:
        super().__init__(spec, {})
        self.state, self.pids = "idle", []

    def start(self) -> ScriptedRun:
        self.state, self.started_at = "running", time.perf_counter()
        return self

    def finish(self, wall_s: float) -> None:
        """Done in ``wall_s``, each task with its right result: a lane's tasks one after
        another, each taking its share of the lane's work."""
        for _, tasks in self.lanes:
            at, lane_size = self.started_at, sum(task.size for task in tasks)
            for task in tasks:
                self.counts[task.id] = task.size
                self.results[task.id] = self.spec.workload.expected(task) or 0.0
                self.starts[task.id], at = at, at + wall_s * task.size / lane_size
                self.ends[task.id] = at
        self.state, self.stopped_at = "done", self.started_at + wall_s

    def cancel(self, reason: str = "cancelled") -> None:
        if self.running:
            self.state, self.reason, self.stopped_at = "cancelled", reason, time.perf_counter()


UNIT_S = 1.24
SIZE = 20_000_000  # iterations in one unit at scale 0.2
# (task id, units, core, start_s, end_s); None: not started, or not finished.
Task = tuple[int, int, "int | None", "float | None", "float | None"]


def record(
    mode: str,
    tasks: list[Task],
    wall_s: float,
    *,
    state: str = "done",
    reason: str | None = None,
    speedup: float | None = None,
    bound: float = 2.0,
    shape: str = "seed",
) -> RunRecord:
    task_records = [
        TaskRecord(tid, units * SIZE, core, units * SIZE if end else 0, start, end, None)
        for tid, units, core, start, end in tasks
    ]
    cores = sorted({core for _, _, core, _, _ in tasks if core is not None})
    return RunRecord(
        mode=mode,
        shape=shape,
        scale=0.2,
        cores=cores,
        state=state,
        reason=reason,
        wall_s=wall_s,
        result=None,
        expected=0.0,
        ok=state == "done",
        bound=bound,
        tasks=task_records,
        speedup=speedup,
    )


def balanced(mode: str, cores: int) -> RunRecord:
    """The balanced shape: one equal task per core, run on one core or on all of them."""
    each = 7.43 / cores
    if mode == "sequential":
        tasks = [(i, 1, 0, i * each, (i + 1) * each) for i in range(cores)]
        return record(mode, tasks, 7.43, speedup=1.0, bound=1.0, shape="balanced")
    # Workers start a few milliseconds apart and do not finish together.
    tasks = [
        (i, 1, i, 0.004 * i, 0.004 * i + each * (1 + 0.03 * (i * 7 % 5))) for i in range(cores)
    ]
    wall = max(end for *_, end in tasks) + 0.01
    return record(mode, tasks, wall, speedup=7.43 / wall, bound=float(cores), shape="balanced")


class Charts(App[None]):
    """The two charts alone, fed fixed records, as the dashboard would feed them."""

    CSS = "Timeline, SpeedupChart { margin: 1 1 0 1; }"

    def __init__(self, records: list[RunRecord], live: RunRecord | None = None) -> None:
        super().__init__()
        self.records, self.live = records, live

    def compose(self) -> ComposeResult:
        yield Timeline()
        yield SpeedupChart()

    def on_mount(self) -> None:
        self.query_one(Timeline).show(self.records, self.live)
        self.query_one(SpeedupChart).show(self.records)


class FakeHost:
    """What the demo autopilot drives, recorded: the views shown, the runs started (each a
    run that lasts until the test ends it, with the spec it would really have) and the
    steps told; a run ended goes into ``log`` as a record of its mode."""

    def __init__(self, fail: str | None = None, cores: int = 2, gil: bool = True) -> None:
        self.calls: list[str] = []
        self.steps: list[DemoStep] = []
        self.fail = fail
        self.cores = list(range(cores))
        self.gil = gil
        self.log = ResultsLog()
        self.run: FakeHost.Run | None = None

    class Run:
        def __init__(self, spec: RunSpec) -> None:
            self.spec = spec
            self.running = True

    def start_mode(self, mode: Mode) -> FakeHost.Run | None:
        self.calls.append(mode)
        if mode == self.fail:
            return None
        spec = RunSpec.build(mode, "seed", 0.2, self.cores)
        self.run = FakeHost.Run(replace(spec, gil=self.gil))
        return self.run

    def show_view(self, view: str) -> None:
        self.calls.append(view)

    def show_step(self, step: DemoStep) -> None:
        self.steps.append(step)

    def end_run(
        self, wall_s: float = 1.0, speed: float | None = None, competition: tuple[str, ...] = ()
    ) -> None:
        """One task of a unit per core, all on the first core in a sequential run;
        ``speed``: the critical lane's units per second, which the core speed compares;
        ``competition``: the run's notes of another program on its cores."""
        assert self.run is not None
        self.run.running = False
        mode = self.run.spec.mode
        units = [
            (i, 1, core if mode != "sequential" else 0, 0.0, wall_s)
            for i, core in enumerate(self.cores)
        ]
        bound = 1.0 if mode == "sequential" else float(len(self.cores))
        done = record(mode, units, wall_s, speedup=None, bound=bound)
        self.log.add(replace(done, critical_speed=speed, competition=list(competition)))


async def settle(pilot: Pilot, timeout: float = 10.0) -> None:
    """For a snapshot: the layouts that fit the rows to the terminal (tui/fit.py) come
    after the first one; wait until the tall rows asked for are the ones laid out, and
    stay so, however loaded the machine is."""
    widgets = [pilot.app.query_one(CoreMeters), pilot.app.query_one(Timeline)]
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        await pilot.pause(0.15)
        now = [(widget.tall, widget.laid_out) for widget in widgets]
        if now == last and all(laid for _, laid in now):
            return
        last = now


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now
