"""What a run is asked to do: its mode, workload, cores and schedule, and what follows
from them (the lanes each core runs, the bound). Every kind of run takes one, so a
local run, a cluster run and a replay describe their work the same way."""

from __future__ import annotations

from dataclasses import dataclass, replace

from coremeter import schedule
from coremeter.cores import Machine, gil_enabled
from coremeter.results import MODES, Mode, Work, work_key
from coremeter.schedule import DEFAULT_SCHEDULE, Schedule
from coremeter.workload import SEED, Task, Workload, make_tasks

# A lane: the core its worker is pinned to (None: unpinned) and its tasks, in order.
Lane = tuple[int | None, list[Task]]


@dataclass(frozen=True)
class RunSpec:
    """What to run: mode, workload (its shape and scale), cores and schedule; ``pinned``
    is False where there is no affinity API (for threads: none per thread), ``gil``
    whether threads take turns."""

    mode: Mode
    shape: str
    scale: float
    cores: tuple[int, ...]
    tasks: tuple[Task, ...]
    pinned: bool = True
    schedule: Schedule = DEFAULT_SCHEDULE
    gil: bool = True
    workload: Workload = SEED

    @classmethod
    def build(
        cls,
        mode: Mode,
        shape: str,
        scale: float,
        cores: list[int],
        schedule: Schedule = DEFAULT_SCHEDULE,
    ) -> RunSpec:
        """Pinned, with threads taking turns where this interpreter has the GIL;
        ``for_machine`` says how a given machine runs it instead."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: choose from {', '.join(MODES)}")
        if not cores:
            raise ValueError("a run needs at least one core")
        tasks = make_tasks(shape, scale, len(cores))
        return cls(
            mode, shape, scale, tuple(cores), tuple(tasks), schedule=schedule, gil=gil_enabled()
        )

    def for_machine(self, machine: Machine) -> RunSpec:
        """This run as ``machine`` runs it: pinned only with an affinity API (threads
        only with one per thread), threads taking turns only under the GIL."""
        pinned = machine.affinity and (self.mode != "threads" or machine.thread_affinity)
        return replace(self, pinned=pinned, gil=machine.gil)

    def with_workload(self, workload: Workload) -> RunSpec:
        """The same run of another workload: its own tasks, from the same shape, scale
        and cores."""
        tasks = make_tasks(self.shape, self.scale, len(self.cores), workload)
        return replace(self, tasks=tuple(tasks), workload=workload)

    def assignment(self) -> list[list[Task]]:
        """Sequential: every task in order on one lane. Otherwise the schedule's, one lane
        per core; cores left without a task get no worker."""
        if self.mode == "sequential":
            return [list(self.tasks)]
        return schedule.assign(self.schedule, self.tasks, len(self.cores))

    def concurrent_lanes(self) -> list[list[Task]]:
        """The lanes that really run at once. Threads holding the GIL take turns, so their
        lanes are one: the bound is then 1.0, and the critical lane is all of them. A
        workload that releases the GIL (io's waits, hash's C code) runs them at once."""
        if self.mode == "threads" and self.threads_take_turns:
            return [list(self.tasks)]
        return self.assignment()

    @property
    def threads_take_turns(self) -> bool:
        """Whether this spec's work, run in threads, holds the GIL: one thread at a time."""
        return self.gil and not self.workload.releases_gil

    def lanes(self) -> list[Lane]:
        return [
            (core if self.pinned else None, tasks)
            for core, tasks in zip(self.cores, self.assignment(), strict=False)
            if tasks
        ]

    @property
    def worker_cores(self) -> list[int]:
        """The cores that get a pinned worker: two on one physical core share it."""
        return [core for core, _ in self.lanes() if core is not None]

    @property
    def cores_used(self) -> list[int]:
        """The cores its workers are pinned to (sequential: one), or the selection when
        unpinned: what a screen says the run runs on."""
        return sorted(set(self.worker_cores)) or list(self.cores)

    @property
    def bound(self) -> float:
        return schedule.bound(self.concurrent_lanes())

    @property
    def work(self) -> Work:
        return work_key(self.workload.name, self.shape, self.scale, (t.size for t in self.tasks))
