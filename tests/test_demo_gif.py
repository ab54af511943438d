"""scripts/demo_gif.py turns the dashboard's SVG screens into an animated GIF: here on
three tiny screens drawn by Rich, as the dashboard's are, not on a whole lap."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rich.console import Console

from coremeter.tui.screenshot import offline_svg

pytest.importorskip("cairosvg", reason="the docs extra is not installed")
pytest.importorskip("PIL", reason="the docs extra is not installed")
sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))

from demo_gif import assemble, rasterise, write_gif  # noqa: E402
from PIL import Image, ImageChops, ImageStat  # noqa: E402


def screen(markup: str) -> str:
    console = Console(record=True, width=24, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(markup)
    return offline_svg(console.export_svg(title="coremeter"))


def test_equal_screens_merge_and_each_frame_lasts_until_the_next(tmp_path: Path) -> None:
    busy, idle = screen("[bold green]cpu0[/] ████▌ 100%"), screen("[bold red]cpu0[/] ▏ 0%")
    shots = [(10.0, busy), (10.3, busy), (10.6, idle)]
    frames = assemble([(taken, rasterise(svg)) for taken, svg in shots], hold=1.0)
    assert [frame.ms for frame in frames] == [600, 1000]

    out = tmp_path / "docs" / "demo.gif"
    write_gif(frames, out)
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.is_animated and gif.n_frames == 2
        assert gif.info["loop"] == 0
        for index, frame in enumerate(frames):
            gif.seek(index)
            assert gif.info["duration"] == frame.ms
            # One shared palette keeps each picture: text, block characters and colours.
            difference = ImageChops.difference(gif.convert("RGB"), frame.picture)
            assert max(ImageStat.Stat(difference).mean) < 2
