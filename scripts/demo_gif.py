"""Record one real lap of `coremeter --demo` at 120x35 and write it as an animated GIF.

The real dashboard runs headless (Textual's run_test) with the real engine, sampler and
clock. Once its screen has settled, the d key starts the demo autopilot (what --demo
does at once), which tells its story: sequential, parallel, threads, then the summary on
the charts. Every --every seconds of real time the screen is exported as SVG, with the
offline fonts of coremeter.tui.screenshot. After the lap, cairosvg rasterises each SVG,
identical frames merge into one, and Pillow encodes the GIF with one palette for all
frames, each shown for as long as it was on screen, the last held --hold seconds:

    pip install -e ".[docs]"
    python scripts/demo_gif.py [--scale 0.1] [--every 0.4] [--hold 4] [--out docs/demo.gif]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coremeter.arguments import scale
from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.runner import prepare

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import SIZE  # noqa: E402  (the projector's size, as the stills)

# Textual, cairosvg and Pillow are imported where they are used, not here: every
# forkserver worker imports this script's top level (as __mp_main__), and Textual there
# cost each worker 0.3 s, which showed as idle in the timeline and a poor speedup.
if TYPE_CHECKING:
    from PIL.Image import Image

    from coremeter.tui.app import Dashboard

# Before the lap: the first layouts, and the meters' history of the machine at rest.
SETTLE_S = 2.0
# After the summary appears, how long to keep recording: the charts draw it first.
SUMMARY_SETTLE_S = 1.0
# Frames the palette is made from: all of them stacked took 1.1 GB for a lap.
PALETTE_FROM = 8


@dataclass
class Frame:
    """A picture and how long it stays on screen, in milliseconds (GIF's unit is 10 ms)."""

    picture: Image
    ms: int


async def record(app: Dashboard, every: float) -> list[tuple[float, str]]:
    """The dashboard's screen as SVG, with the time it was taken, until the lap's
    summary has been on screen SUMMARY_SETTLE_S. Only the SVG is made during the lap:
    9 ms of CPU at 120x35, 2% of a core at one each 0.4 s, taken from the threads run
    too, which shares this process; rasterising one takes 0.2 s, so it waits."""
    shots: list[tuple[float, str]] = []
    summary_at: float | None = None
    async with app.run_test(size=SIZE) as pilot:
        # The screen's first layouts (the meters not yet fitted, no footer) took 0.5-0.8 s
        # on a busy 2-core machine; d then starts the autopilot, as --demo does at once.
        await pilot.pause(SETTLE_S)
        await pilot.press("d")
        while summary_at is None or time.monotonic() < summary_at + SUMMARY_SETTLE_S:
            taken = time.monotonic()
            shots.append((taken, app.export_screenshot()))
            step = app.presenter.step
            if summary_at is None and step is not None and step.stage == "summary":
                summary_at = taken
            await pilot.pause(max(0.0, every - (time.monotonic() - taken)))
    return shots


def rasterise(svg: str) -> Image:
    import cairosvg  # type: ignore[import-untyped]
    from PIL import Image as PILImage

    png = cairosvg.svg2png(bytestring=svg.encode())
    return PILImage.open(io.BytesIO(png)).convert("RGB")


def assemble(shots: list[tuple[float, Image]], hold: float) -> list[Frame]:
    """Frames from pictures taken at the given times: each lasts until the next one is
    taken, the last ``hold`` seconds, and a picture equal to the one before it only
    lengthens that one."""
    frames: list[Frame] = []
    ends = [taken for taken, _ in shots[1:]] + [shots[-1][0] + hold]
    for (taken, picture), end in zip(shots, ends, strict=True):
        ms = round((end - taken) * 1000)
        if frames and frames[-1].picture.tobytes() == picture.tobytes():
            frames[-1].ms += ms
        else:
            frames.append(Frame(picture, ms))
    return frames


def write_gif(frames: list[Frame], out: Path) -> None:
    """One palette for all frames, made from PALETTE_FROM of them stacked, the last
    (the summary, whose charts have colours of their own) among them: a palette per
    frame would shift the colours of what did not change, and the encoder could no
    longer store only the part of a frame that changed."""
    from PIL import Image as PILImage

    width, height = frames[0].picture.size
    count = min(PALETTE_FROM, len(frames))
    picks = [frames[(len(frames) - 1) * index // max(1, count - 1)] for index in range(count)]
    stack = PILImage.new("RGB", (width, height * count))
    for index, frame in enumerate(picks):
        stack.paste(frame.picture, (0, height * index))
    palette = stack.quantize(colors=256, method=PILImage.Quantize.MEDIANCUT)
    pictures = [
        frame.picture.quantize(palette=palette, dither=PILImage.Dither.NONE) for frame in frames
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    pictures[0].save(
        out,
        save_all=True,
        append_images=pictures[1:],
        duration=[frame.ms for frame in frames],
        loop=0,
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seconds {text!r}: not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"invalid seconds {text}: give more than 0")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=scale, default=0.1, help="work per run (default: 0.1)")
    parser.add_argument(
        "--every", type=_seconds, default=0.4, help="seconds between frames (default: 0.4)"
    )
    parser.add_argument(
        "--hold", type=_seconds, default=4.0, help="seconds the last frame stays (default: 4)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("docs/demo.gif"), help="the GIF (default: docs/demo.gif)"
    )
    args = parser.parse_args()
    try:
        import cairosvg  # type: ignore[import-untyped]  # noqa: F401
        import PIL  # noqa: F401
    except (ImportError, OSError) as exc:
        parser.error(f'{exc}: install the docs extra, pip install -e ".[docs]"')
    prepare()
    machine = Machine.detect()
    from coremeter.tui.app import create_app

    options = DashboardOptions(scale=args.scale)
    app = create_app(machine, machine.usable_cores, options)
    started = time.monotonic()
    shots = asyncio.run(record(app, args.every))
    lap = time.monotonic() - started
    frames = assemble([(taken, rasterise(svg)) for taken, svg in shots], args.hold)
    write_gif(frames, args.out)
    width, height = frames[0].picture.size
    size = args.out.stat().st_size
    print(args.out)
    print(
        f"{len(frames)} frames ({len(shots)} taken over a {lap:.1f} s lap), "
        f"{width}x{height} px, {size / 1e6:.2f} MB in {time.monotonic() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
