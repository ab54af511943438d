"""Screenshots fetch nothing from the network: no web font, local monospace fonts."""

from __future__ import annotations

import asyncio
import re
from xml.etree import ElementTree

from fakes import machine
from rich.console import Console

from coremeter.options import DashboardOptions
from coremeter.tui.app import create_app
from coremeter.tui.screenshot import FONTS, SVG_NAMESPACE, offline_svg
from coremeter.tui.themes import PROJECTOR_LIGHT

URL = re.compile(r"https?://[^\s\"')]+")


def test_rich_svg_loses_its_web_font_and_keeps_the_picture() -> None:
    console = Console(record=True, width=40, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print("[bold green]cpu0[/] ████▌  100%")
    svg = console.export_svg(title="coremeter")
    assert "cdnjs" in svg  # what Rich does by itself
    offline = offline_svg(svg)
    assert URL.findall(offline) == [SVG_NAMESPACE]
    assert "@font-face" not in offline and "Fira Code" not in offline
    assert f"font-family: {FONTS}" in offline
    # Everything else is Rich's: the same text, still a well-formed SVG.
    ElementTree.fromstring(offline)
    assert offline.count("<text") == svg.count("<text")


def test_the_dashboards_screenshot_fetches_nothing() -> None:
    box = machine()
    app = create_app(box, box.usable_cores, DashboardOptions(theme=PROJECTOR_LIGHT.name))

    async def main() -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return app.export_screenshot()

    svg = asyncio.run(main())
    assert URL.findall(svg) == [SVG_NAMESPACE]
    # Every url() points inside the document (its clip paths).
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", svg))
    assert "@import" not in svg and "DejaVu Sans Mono" in svg
