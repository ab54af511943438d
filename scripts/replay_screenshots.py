"""Drive real replays (real clock, real sampler code) and save their screens at 120x35.

Writes screenshots/replay.svg (examples/recordings/2-cores.json.gz: its sequential run
played at 8x, then its parallel run halfway) and replay-64-cores.svg (a synthetic
64-core recording halfway: the many-core layout until a real one is recorded):

    python scripts/replay_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from coremeter.recording import Recording, load
from coremeter.synthetic import synthetic
from screenshots import SIZE, halfway, until

EXAMPLE = Path(__file__).parent.parent / "examples" / "recordings" / "2-cores.json.gz"


async def shoot(recording: Recording, name: str, out: Path) -> None:
    from coremeter.tui.replay import create_replay

    app = create_replay([recording])
    async with app.run_test(size=SIZE) as pilot:
        if "sequential" in app.player.modes:
            await pilot.press(".", ".", ".", "s")  # 8x: the baseline, without the wait
            await until(pilot, lambda: len(app.session.log.runs) == 1)
            await pilot.press(",", ",", ",")  # back to real time for the picture
        await pilot.press("p")
        await until(pilot, lambda: halfway(app))
        await pilot.pause(0.5)  # a frame or two: the pace draws every few ticks
        app.save_screenshot(name, str(out))
        await pilot.press("ctrl+q")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(load(EXAMPLE), "replay.svg", args.out))
    asyncio.run(shoot(synthetic(cores=64, seconds=8.0), "replay-64-cores.svg", args.out))
    for name in ("replay.svg", "replay-64-cores.svg"):
        print(args.out / name)


if __name__ == "__main__":
    main()
