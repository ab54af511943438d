"""A frame's CPU: the dashboard drawing a run, headless, in this process.

    python benchmarks/bench_frames.py [--cores 8] [--frames 300] [--size 120x35] [--quick]

Nothing real runs: a machine of ``--cores`` cores (tests/fakes.py) whose meters move,
and a parallel run whose tasks advance a little each frame. Each frame hands the
widgets the new state (``draw``) and lets Textual update the screen, as the 10 Hz
timer does during a run. What it measures is the CPU time of this process per frame,
so it tells apart changes to the drawing that tmux and ``bench_dashboard.py`` (whose
figures are counted in 10 ms clock ticks) cannot: run it before and after a change,
alternately, and compare medians.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from fakes import FakeClock, FrozenRun, fake_sampler  # noqa: E402
from fakes import machine as fake_machine  # noqa: E402

from coremeter.options import DashboardOptions  # noqa: E402
from coremeter.tui.app import create_app  # noqa: E402


async def frame_ms(cores: int, frames: int, size: tuple[int, int]) -> float:
    """Milliseconds of CPU a frame, over ``frames`` frames of one run."""
    box, clock = fake_machine(cores), FakeClock()
    percents = [50.0] * cores
    app = create_app(box, box.usable_cores, DashboardOptions(scale=0.2),
                     sampler=fake_sampler(percents), clock=lambda run: clock.now)  # fmt: skip
    async with app.run_test(size=size) as pilot:
        spec = app.session.spec("parallel")
        run = FrozenRun(spec, {task.id: (0.0, 0.0, None) for task in spec.tasks})
        app.session.run = run
        await pilot.pause(0.5)  # the run's first layout, a one-off
        start = time.process_time()
        for frame in range(1, frames + 1):
            clock.now = 0.1 * frame
            for task in spec.tasks:
                run.counts[task.id] = frame * task.size // (frames + 1)
            percents[:] = [random.uniform(40.0, 99.0) for _ in range(cores)]
            app.sampler.sample()
            app.draw()
            await pilot.pause()
        return (time.process_time() - start) / frames * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cores", type=int, default=8)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--size", default="120x35", help="columns x rows")
    parser.add_argument("--quick", action="store_true", help="30 frames: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.frames = 30
    width, height = map(int, args.size.split("x"))
    print(f"{asyncio.run(frame_ms(args.cores, args.frames, (width, height))):.2f} ms a frame")


if __name__ == "__main__":
    main()
