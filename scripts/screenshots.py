"""Drive the real dashboard (real runs, real sampler, real clock) and save its screens.

Writes screenshots/idle.svg, sequential-midway.svg, parallel-midway.svg,
threads-midway.svg, results.svg, timeline.svg (the charts view after the three runs),
projector.svg and projector-light.svg (the results in the projector themes) at 120x35,
the size the dashboard is shown on a projector:

    python scripts/screenshots.py [--scale 0.05] [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.runner import prepare

# Textual is imported in main(), not here: every forkserver worker imports this
# script's top level (as __mp_main__), and Textual there cost each worker 0.3 s,
# which showed as idle in the timeline and as a poor speedup in the screenshots.
if TYPE_CHECKING:
    from textual.pilot import Pilot

    from coremeter.tui.app import Dashboard

SIZE = (120, 35)


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the dashboard did not get there in time")
        await pilot.pause(0.05)


def halfway(app: Dashboard) -> bool:
    """Half the run's work is done (the busiest lane, in parallel, is further behind)."""
    run = app.session.run
    if run is None or not run.running:
        return False
    tasks = run.tasks()
    return sum(t.done for t in tasks) >= sum(t.size for t in tasks) / 2


async def shoot(app: Dashboard, out: Path) -> None:
    from coremeter.tui.themes import PROJECTOR, PROJECTOR_LIGHT

    async with app.run_test(size=SIZE) as pilot:
        # Let the meters and their history settle on what the machine is doing.
        await pilot.pause(2.0)
        app.save_screenshot("idle.svg", str(out))
        for key, mode in (("s", "sequential"), ("p", "parallel"), ("t", "threads")):
            runs = len(app.session.log.runs)
            await pilot.press(key)
            await until(pilot, lambda: halfway(app))
            app.save_screenshot(f"{mode}-midway.svg", str(out))
            await until(pilot, lambda runs=runs: len(app.session.log.runs) > runs)
        # One more tick so the table shows the last row.
        await pilot.pause(0.3)
        app.save_screenshot("results.svg", str(out))
        await pilot.press("v")
        await pilot.pause(0.3)
        app.save_screenshot("timeline.svg", str(out))
        await pilot.press("v")
        for theme in (PROJECTOR, PROJECTOR_LIGHT):
            app.theme = theme.name
            await pilot.pause(0.3)
            app.save_screenshot(f"{theme.name.removeprefix('coremeter-')}.svg", str(out))
        await pilot.press("q", "y")  # with results on screen, q asks first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="work per run (default: 0.05)")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    prepare()
    machine = Machine.detect()
    from coremeter.tui.app import create_app

    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=args.scale))
    asyncio.run(shoot(app, args.out))
    for path in sorted(args.out.glob("*.svg")):
        print(path)


if __name__ == "__main__":
    main()
