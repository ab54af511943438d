"""The dashboard driven by its keys, with real runs at a tiny scale and real processes.

Each test checks what the presenter relies on: a key starts exactly the run it
names, a worker shown on a core is pinned there, and nothing outlives the app.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import psutil
import pytest
from helpers import TINY, alive, wait_gone
from textual.pilot import Pilot

from coremeter.app import COMMANDS, ActionButton, Dashboard, create_app
from coremeter.cores import Machine
from coremeter.widgets import CoreMeters, HelpScreen, ResultsTable, RunPanel

# Long enough to look at the workers while they run (a second or two), cancelled after.
WATCHABLE = 0.05


def drive(
    app: Dashboard, script: Callable[[Pilot], Awaitable[None]], size: tuple[int, int] = (120, 35)
) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await script(pilot)

    asyncio.run(main())


async def until(pilot: Pilot, condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the dashboard"
        await pilot.pause(0.05)


async def running_pids(pilot: Pilot, app: Dashboard) -> list[int]:
    """The pids of the run in progress, once every one of its workers is alive."""
    await until(pilot, lambda: app.session.run is not None and app.session.run.running)
    pids = app.session.run.pids
    await until(pilot, lambda: len(alive(pids)) == len(pids))
    return pids


def status_text(app: Dashboard) -> str:
    return str(app.query_one(RunPanel).query_one("#status").render())


def test_s_then_p_run_and_fill_the_results(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=TINY)

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        await until(pilot, lambda: app.query_one(ResultsTable).row_count == 2)
        first, second = app.session.log.runs
        assert (first.mode, second.mode) == ("sequential", "parallel")
        assert first.ok and second.ok
        assert second.speedup is not None
        assert "done" in status_text(app)

    drive(app, script)


def test_toggling_mid_run_leaves_exactly_one_run_alive(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=WATCHABLE)

    async def script(pilot: Pilot) -> None:
        await pilot.press("s")
        sequential = await running_pids(pilot, app)
        await pilot.press("m")
        parallel = await running_pids(pilot, app)
        assert app.session.run.spec.mode == "parallel"
        assert wait_gone(sequential, timeout=2) == []
        assert set(alive(sequential + parallel)) == set(parallel)
        assert app.session.log.runs[-1].state == "cancelled"
        await pilot.press("escape")
        assert wait_gone(parallel, timeout=2) == []

    drive(app, script)


def test_the_running_modes_key_does_not_restart_it(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=WATCHABLE)

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids = await running_pids(pilot, app)
        run = app.session.run
        await pilot.press("p")
        assert app.session.run is run
        assert alive(pids) == pids
        await pilot.press("escape")

    drive(app, script)


@pytest.mark.skipif(not hasattr(psutil.Process, "cpu_affinity"), reason="no affinity API")
def test_a_meters_worker_is_really_pinned_to_that_core(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=WATCHABLE)

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        await running_pids(pilot, app)
        meters = app.query_one(CoreMeters)
        await until(pilot, lambda: any(meters.pinned.values()))
        for core, label in meters.pinned.items():
            if not label:
                continue
            worker = psutil.Process(int(label.split()[1]))
            # The worker pins itself as it starts; the meter may show it a moment before.
            await until(pilot, lambda w=worker, c=core: w.cpu_affinity() == [c], timeout=2)
        await pilot.press("escape")

    drive(app, script)


@pytest.mark.parametrize("key", ["q", "ctrl+q", "ctrl+c"])
def test_quitting_leaves_no_worker(machine: Machine, key: str) -> None:
    app = create_app(machine, machine.usable_cores, scale=WATCHABLE)
    pids: list[int] = []

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids.extend(await running_pids(pilot, app))
        await pilot.press(key)

    drive(app, script)
    assert app.return_code == 0
    assert wait_gone(pids, timeout=2) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_quit_cleanly(machine: Machine, signum: int) -> None:
    app = create_app(machine, machine.usable_cores, scale=WATCHABLE)
    pids: list[int] = []

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids.extend(await running_pids(pilot, app))
        os.kill(os.getpid(), signum)
        await until(pilot, lambda: app.return_code is not None)

    drive(app, script)
    assert app.return_code == 128 + signum
    assert wait_gone(pids, timeout=2) == []
    # The app gave the signal back: outside it, the default behaviour holds again.
    assert signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler)


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_the_real_app_in_a_terminal_quits_cleanly_on_a_signal(tmp_path, signum: int) -> None:
    """Only the app gets the signal (the hard case): its workers must still go, and the
    terminal must leave the dashboard's alternate screen."""
    name = f"coremeter-test-{os.getpid()}-{signum}"
    status = tmp_path / "status"
    command = (
        f"{sys.executable} -m coremeter --mode parallel --scale {WATCHABLE * 10} --autostart; "
        f"echo $? > {status}"
    )
    tmux = ["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "35", command]
    subprocess.run(tmux, check=True)
    try:
        pane_pid = subprocess.run(
            ["tmux", "display-message", "-p", "-t", name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pane = psutil.Process(int(pane_pid))
        deadline = time.monotonic() + 20
        workers: list[psutil.Process] = []
        while not workers:
            assert time.monotonic() < deadline, "the dashboard never started its workers"
            time.sleep(0.1)
            apps = [p for p in pane.children() if "coremeter" in " ".join(p.cmdline())]
            tree = apps[0].children(recursive=True) if apps else []
            workers = [p for p in tree if len(p.cpu_affinity()) == 1]
        app = apps[0]
        app.send_signal(signum)
        while not status.exists():
            assert time.monotonic() < deadline + 10, "the dashboard did not quit"
            time.sleep(0.1)
        assert status.read_text().strip() == str(128 + signum)
        assert wait_gone([p.pid for p in tree], timeout=2) == []
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True
        ).stdout
        assert "cpu0" not in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_a_killed_worker_shows_failed_and_the_app_stays_usable(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=WATCHABLE)

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        pids = await running_pids(pilot, app)
        os.kill(pids[0], signal.SIGKILL)
        await until(pilot, lambda: app.session.log.runs and "failed" in status_text(app))
        assert "killed by SIGKILL" in status_text(app)
        assert wait_gone(pids, timeout=2) == []
        app.session.set_scale(TINY)
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        assert app.session.log.runs[-1].ok

    drive(app, script)


def test_scale_shape_and_clear_keys(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=TINY)

    async def script(pilot: Pilot) -> None:
        await pilot.press("plus")
        assert app.session.scale == pytest.approx(2 * TINY)
        await pilot.press("minus", "minus")
        assert app.session.scale == pytest.approx(TINY / 2)
        await pilot.press("b")
        assert app.session.shape == "balanced"
        await pilot.press("b")
        assert app.session.shape == "seed"
        await pilot.press("space")
        await until(pilot, lambda: app.query_one(ResultsTable).row_count == 1)
        await pilot.press("r")
        assert app.query_one(ResultsTable).row_count == 0
        assert app.session.log.runs == []

    drive(app, script)


def test_question_mark_opens_the_help_and_escape_closes_it(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=TINY)

    async def script(pilot: Pilot) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        # The help is modal: s must not start a run behind it.
        await pilot.press("s")
        assert app.session.run is None
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    drive(app, script, size=(80, 24))


def test_buttons_run_the_same_actions(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=TINY)

    async def script(pilot: Pilot) -> None:
        buttons = {str(b.label): b for b in app.query(ActionButton)}
        assert len(buttons) == len(COMMANDS) + 1
        await pilot.click(buttons["par"])
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].mode == "parallel"
        await pilot.click(buttons["shape"])
        assert app.session.shape == "balanced"

    drive(app, script, size=(80, 24))


def test_the_command_palette_runs_a_mode(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, scale=TINY)

    async def script(pilot: Pilot) -> None:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {c.title for c in COMMANDS} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Run threads")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].mode == "threads"

    drive(app, script)


def test_autostart_runs_the_preselected_mode(machine: Machine) -> None:
    app = create_app(machine, machine.usable_cores, mode="parallel", scale=TINY, autostart=True)

    async def script(pilot: Pilot) -> None:
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        assert app.session.log.runs[0].mode == "parallel"

    drive(app, script)
