"""Hammering the engine the way a presenter's keys do, and a long session of sampling."""

from __future__ import annotations

import random
import threading
import time
import tracemalloc

import psutil
import pytest
from helpers import TINY, alive

from coremeter.cores import Machine
from coremeter.sampler import CpuSampler, Source
from coremeter.session import Session

pytestmark = pytest.mark.e2e


def busy_workers() -> list[int]:
    """Workers are children of the fork server, which is a child of this process."""
    return [
        g.pid
        for c in psutil.Process().children()
        for g in c.children()
        if g.status() != psutil.STATUS_ZOMBIE
    ]


# Two hundred in the slow tier; twenty, each kind of command several times, in the quick one.
@pytest.mark.parametrize("count", [pytest.param(200, marks=pytest.mark.slow), 20])
def test_two_hundred_mixed_commands(machine: Machine, count: int) -> None:
    session = Session(machine, machine.usable_cores, "seed", TINY * 50)
    me = psutil.Process()
    rng = random.Random(3)
    commands = {
        "s": lambda: session.start("sequential"),
        "p": lambda: session.start("parallel"),
        "t": lambda: session.start("threads"),
        "m": session.toggle,
        "escape": session.cancel,
    }
    session.start("parallel")
    session.cancel()
    before = (me.num_fds(), threading.active_count(), me.memory_info().rss)
    started = []
    try:
        for key in rng.choices(list(commands), k=count):
            commands[key]()
            session.poll()
            if session.run and session.run.running:
                started.extend(session.run.pids)
            assert len(busy_workers()) <= len(machine.usable_cores)
        session.set_scale(TINY)  # the last run goes to its end: a short one will do
        last = session.start("parallel")
        assert last.wait(timeout=60)
        record = session.poll()
        assert record is not None and record.ok and record.mode == "parallel"
    finally:
        session.close()
    assert alive(started) == []
    assert me.num_fds() <= before[0]
    assert threading.active_count() <= before[1]
    assert me.memory_info().rss < before[2] + 20 * 2**20
    states = [r.state for r in session.log.runs]
    assert states[-1] == "done" and set(states) <= {"done", "cancelled"}


# Thirty minutes at 10 Hz in the slow tier; three in the quick one.
@pytest.mark.parametrize("ticks", [pytest.param(30 * 60 * 10, marks=pytest.mark.slow), 1800])
def test_thirty_minutes_of_sampling_stay_bounded(ticks: int) -> None:
    cores = list(range(64))
    rng = random.Random(1)
    sampler = CpuSampler(
        cores, source=Source(lambda: [rng.uniform(0, 100) for _ in cores], cores), history=60
    )
    # Traced from the start: the histories' first readings, replaced once they are full,
    # are then in both snapshots, and only growth past the warm-up counts.
    tracemalloc.start()
    for _ in range(1000):
        sampler.sample()
    first = tracemalloc.take_snapshot()
    for _ in range(ticks - 1000):
        sampler.sample()
    grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(first, "filename"))
    tracemalloc.stop()
    assert grown < 64 * 1024
    assert all(len(h) == 60 for h in sampler.history.values())
    assert all(0 <= p <= 100 for p in sampler.percent.values())


def test_the_real_sampler_maps_a_busy_worker_to_its_core(machine: Machine) -> None:
    core = machine.usable_cores[-1]
    sampler = CpuSampler(machine.usable_cores)
    session = Session(machine, [core], "seed", 5.0)
    try:
        session.start("sequential")
        deadline = time.monotonic() + 10
        while sampler.sample()[core] < 80:
            assert time.monotonic() < deadline, sampler.percent
            time.sleep(0.1)
    finally:
        session.close()
