"""No terminal size ends the dashboard: at 2x5, 1x1 and 0x0, idle or mid-run, it shows the
too-small notice (or nothing where not even that fits) and comes back whole when enlarged."""

from __future__ import annotations

import re

import pytest
from helpers import drive, running_pids, until
from textual.pilot import Pilot

from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.report import fit_parts, machine_line
from coremeter.serve import MAX_CELLS, terminal_size
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.widgets.screens import TooSmallScreen

TINY_SIZES = [(2, 5), (1, 1), (0, 0), (1, 40), (200, 1)]
# Long enough that the run is still going when the sizes have been tried.
LONG = 0.5


def shown(app_screenshot: str) -> str:
    return re.sub(r"<[^>]+>", "", app_screenshot).replace("&#160;", " ")


def whole(screenshot: str, app: Dashboard) -> bool:
    """The header's machine line as a 120-column terminal fits it, and the footer's keys."""
    screen = shown(screenshot)
    line = machine_line(app.session.machine, app.session.cores)
    header = all(part in screen for part in fit_parts(line, 118).splitlines())
    return header and "q quit" in screen and "? help" in screen


# Idle in the slow tier: mid-run covers the same sizes, with a run going on as well.
@pytest.mark.parametrize(
    "running", [pytest.param(False, marks=pytest.mark.slow), True], ids=["idle", "mid-run"]
)
def test_any_size_down_to_nothing_keeps_the_dashboard(machine: Machine, running: bool) -> None:
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=LONG))

    async def script(pilot: Pilot) -> None:
        if running:
            await pilot.press("p")
            pids = await running_pids(pilot, app)
        for size in TINY_SIZES:
            await pilot.resize_terminal(*size)
            await until(pilot, lambda: isinstance(app.screen, TooSmallScreen))
            await pilot.pause(0.2)  # a few frames drawn at this size
            assert app.is_running
        await pilot.resize_terminal(120, 35)
        await until(pilot, lambda: not isinstance(app.screen, TooSmallScreen))
        await until(pilot, lambda: whole(app.export_screenshot(), app))
        if running:
            assert app.session.run is not None and app.session.run.pids == pids
            assert app.session.run.running
            await pilot.press("escape")

    drive(app, script, size=(120, 35))


@pytest.mark.parametrize("width", [1, 0, -1])
def test_parts_fit_a_width_of_nothing_one_word_a_line(width: int) -> None:
    assert fit_parts("AMD EPYC · cores 0-1", width) == "AMD\nEPYC\ncores\n0-1"


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [
        (80, 24, (80, 24)),
        (0, 0, (1, 1)),
        (-1, -7, (1, 1)),
        (10**9, 3, (MAX_CELLS, 3)),
        ("80", 24, None),
        (1.5, 24, None),
        (True, 24, None),
        (None, None, None),
    ],
)
def test_a_tabs_size_is_clamped_or_ignored(width: object, height: object, size: object) -> None:
    assert terminal_size(width, height) == size
