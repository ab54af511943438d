"""Thirty minutes of an open dashboard in seconds: the app's own tick, 18,000 times, with
a fake sampler and clock, through a running app that draws what each tick hands it
(the slow tier; the quick one ticks past full histories only).

tests/test_e2e_session.py checks the sampler alone; this checks everything the tick
feeds too (meters, their histories, the timer and the status), so a per-tick leak in
the app or a widget would show.
"""

from __future__ import annotations

import asyncio
import random
import tracemalloc
from dataclasses import replace

import pytest
from textual.pilot import Pilot

from coremeter.cores import Machine
from coremeter.sampler import CpuSampler, Source
from coremeter.tui.app import create_app
from coremeter.tui.widgets.meters import CoreMeters

pytestmark = pytest.mark.e2e

TICKS = 30 * 60 * 10  # 30 minutes at 10 Hz
# Ten minutes first: Rich's and Textual's caches (LRU, bounded) fill by then; what grows
# after is what a leak would.
WARM_UP = 6000
BATCH = 200  # ticks between screen updates: 90 of them, drawn in full
CORES = list(range(8))
HISTORY = 60


def soak(machine: Machine, ticks: int, warm_up: int) -> int:
    """The app's own tick ``ticks`` times; how much traced memory grew after ``warm_up``.
    Every meter's history stays bounded, in the sampler and on screen."""
    rng = random.Random(7)
    sampler = CpuSampler(
        CORES, source=Source(lambda: [rng.uniform(0, 100) for _ in CORES], CORES), history=HISTORY
    )
    box = replace(machine, usable_cores=CORES, quota=None)
    app = create_app(box, CORES, sampler=sampler, clock=lambda run: 0.0)
    grown: list[int] = []

    async def tick(pilot: Pilot, count: int) -> None:
        for done in range(count):
            app.tick()
            if done % BATCH == 0:
                await pilot.pause(0)  # lets the screen update, without waiting for idle

    async def script(pilot: Pilot) -> None:
        # Traced from the start: a cache entry made before tracing and evicted after
        # would otherwise count its replacement and not itself.
        tracemalloc.start()
        try:
            await tick(pilot, warm_up)
            before = tracemalloc.get_traced_memory()[0]
            await tick(pilot, ticks - warm_up)
            grown.append(tracemalloc.get_traced_memory()[0] - before)
        finally:
            tracemalloc.stop()
        meters = app.query_one(CoreMeters)
        assert all(len(h) == HISTORY for h in sampler.history.values())
        assert all(len(h) <= HISTORY for h in meters.history.values())

    async def main() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            await script(pilot)

    asyncio.run(main())
    return grown[0]


@pytest.mark.slow
def test_thirty_minutes_of_ticks_keep_memory_flat_and_histories_bounded(
    machine: Machine,
) -> None:
    grown = soak(machine, TICKS, WARM_UP)
    print(f"traced memory grew {grown / 1024:.0f} KiB over {TICKS - WARM_UP} ticks")
    assert grown < 2**20  # a leak of 90 bytes a tick would pass it


def test_the_histories_stay_bounded_once_full(machine: Machine) -> None:
    """The quick tier's share of the soak: past full histories, a few minutes of ticks.
    (Memory is measured by the soak: caches fill for its first ten minutes.)"""
    full = HISTORY * 5  # the sampler keeps every fifth sample
    soak(machine, 2 * full, full)
