"""Thirty minutes of an open dashboard in seconds: the app's own tick, 18,000 times, with
a fake sampler and clock, through a running app that draws what each tick hands it.

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


def test_thirty_minutes_of_ticks_keep_memory_flat_and_histories_bounded(
    machine: Machine,
) -> None:
    rng = random.Random(7)
    sampler = CpuSampler(
        CORES, source=Source(lambda: [rng.uniform(0, 100) for _ in CORES], CORES), history=HISTORY
    )
    box = replace(machine, usable_cores=CORES, quota=None)
    app = create_app(box, CORES, sampler=sampler, clock=lambda run: 0.0)
    grown: list[int] = []

    async def ticks(pilot: Pilot, count: int) -> None:
        for done in range(count):
            app.tick()
            if done % BATCH == 0:
                await pilot.pause(0)  # lets the screen update, without waiting for idle

    async def script(pilot: Pilot) -> None:
        # Traced from the start: a cache entry made before tracing and evicted after
        # would otherwise count its replacement and not itself.
        tracemalloc.start()
        try:
            await ticks(pilot, WARM_UP)
            before = tracemalloc.get_traced_memory()[0]
            await ticks(pilot, TICKS - WARM_UP)
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
    print(f"traced memory grew {grown[0] / 1024:.0f} KiB over {TICKS - WARM_UP} ticks")
    assert grown[0] < 2**20  # a leak of 90 bytes a tick would pass it
