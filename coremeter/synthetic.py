"""A made-up recording of a many-core machine, where no such machine is at hand.

Tests and benchmarks need a 256-core minute to measure a recording's size and to play
one; screenshots of the many-core layout need one before a real one is recorded. Its
readings look like a real balanced run's: every core busy near 100% with the noise of
/proc/stat's 10 ms ticks, the workers' own share a little under it, and each task's
count rising steadily to its size. Seeded: the same arguments give the same file.

Never imports Textual.
"""

from __future__ import annotations

import random

from coremeter.cores import Machine
from coremeter.recording import (
    EVERY_S,
    RecordedRun,
    RecordedSpec,
    Recording,
    Samples,
    percent,
    record_json,
)
from coremeter.results import RunRecord, TaskRecord

MODEL = "Synthetic CPU"
PYTHON = "3.11.7"
# Units a task does per second: the seed's loop runs about this fast on a current core.
UNITS_PER_S = 20_000_000


def machine(cores: int) -> Machine:
    """A Linux machine with ``cores`` usable cores, two hyperthreads per physical core, and
    CPython 3.11.7 with the GIL: the same recording whatever machine makes it (a snapshot
    of its replay must not change with the interpreter that runs the tests)."""
    return Machine(
        usable_cores=list(range(cores)),
        logical=cores,
        physical=max(1, cores // 2),
        python=PYTHON,
        gil=True,
        start_method="forkserver",
        affinity=True,
        quota=None,
        cpu_model=MODEL,
        siblings={c: [c - c % 2, c - c % 2 + 1] for c in range(cores - cores % 2)},
    )


def balanced_run(cores: int, seconds: float, rng: random.Random) -> RecordedRun:
    """A parallel run of the balanced shape, one task per core, lasting ``seconds``."""
    ticks = round(seconds / EVERY_S)
    size = round(UNITS_PER_S * seconds)
    t = tuple(round((i + 1) * EVERY_S, 3) for i in range(ticks))
    busy = {c: tuple(percent(100 - rng.choice((0, 0, 0, 9.9))) for _ in t) for c in range(cores)}
    own = {c: tuple(percent(max(0.0, b - rng.random() * 2)) for b in busy[c]) for c in busy}
    done = {c: tuple(min(size, round(size * at / seconds)) for at in t) for c in range(cores)}
    samples = Samples(
        t=t,
        cores=busy,
        own=own,
        unplaced=(0.0,) * ticks,
        dashboard=tuple(percent(rng.uniform(1, 3)) for _ in t),
        done=done,
    )
    tasks = [TaskRecord(c, size, c, size, 0.01, seconds, float(size)) for c in range(cores)]
    record = RunRecord(
        mode="parallel",
        shape="balanced",
        scale=1.0,
        cores=list(range(cores)),
        state="done",
        reason=None,
        wall_s=seconds,
        result=float(size * cores),
        expected=float(size * cores),
        ok=True,
        bound=float(cores),
        tasks=tasks,
        critical_speed=UNITS_PER_S,
        number=1,
    )
    spec = RecordedSpec(
        mode="parallel",
        shape="balanced",
        scale=1.0,
        cores=tuple(range(cores)),
        schedule=record.schedule,
        workload=record.workload,
        pinned=True,
        gil=True,
        releases_gil=False,
        tasks=tuple((c, size, 0) for c in range(cores)),
        lanes=tuple((c, (c,)) for c in range(cores)),
    )
    return RecordedRun(record_json(record), spec, samples)


def synthetic(cores: int = 256, seconds: float = 60.0, seed: int = 0) -> Recording:
    """A recording of one balanced parallel run on a made-up ``cores``-core machine."""
    rng = random.Random(seed)
    return Recording(
        machine=machine(cores),
        runs=(balanced_run(cores, seconds, rng),),
        recorded_at="2026-12-07T10:00:00+00:00",
        label=f"synthetic {cores} cores",
        python_build=f"CPython {PYTHON}",
    )
