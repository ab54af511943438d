"""``coremeter serve`` and tabs that go away: however a tab's connection ends, or the
server does, every tab's dashboard, fork server, resource tracker and workers end too.

Real processes throughout: the server, tabs as raw WebSocket clients (RawTab) or Debian's
chromium, every pid collected with psutil before anything is signalled, since an orphan
is reparented and no longer found under its parent. The time each took is printed
(``pytest -s``) for the README's reliability table.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOLD,
    LOOPBACK,
    RawTab,
    alive,
    fork_server,
    free_port,
    parallel_lanes,
    stuck,
    tree,
    wait_for,
    wait_gone,
    wait_http,
    wait_workers,
)

pytestmark = pytest.mark.e2e

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
SCALE = 5.0  # minutes of work: a run a test starts is still going when it looks
# The dashboard's own exit deadline is 2 s; the margin is for a loaded 2-core box.
GONE_WITHIN_S = 4.0


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    def dashboards(self) -> list[psutil.Process]:
        """The tabs' dashboards: the server's children running coremeter's dashboard."""
        found = []
        for child in psutil.Process(self.proc.pid).children():
            try:
                if child.cmdline()[1:4] == ["-m", "coremeter", "--mode"]:
                    found.append(child)
            except psutil.NoSuchProcess:
                pass
        return found

    def wait_dashboards(self, count: int) -> list[psutil.Process]:
        def check() -> list[psutil.Process]:
            found = self.dashboards()
            return found if len(found) == count else []

        return wait_for(check, 30, f"{count} dashboards")

    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """``coremeter serve``, with the options a test passes as its parameter, if any."""
    port = free_port()
    command = [sys.executable, "-m", "coremeter", "serve", "--port", str(port)]
    command += ["--scale", str(SCALE), "--out", str(tmp_path), *getattr(request, "param", ())]
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        proc = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_http(port, proc)
        yield Server(proc, port, log)
    finally:
        for pid in tree(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(10)


def running_parallel(tab: RawTab, dashboard: psutil.Process) -> list[int]:
    """Start a parallel run in the tab; the pids of its workers once they run."""
    tab.press("p")
    return wait_workers(dashboard, parallel_lanes(dashboard, SCALE))


def gone_in(pids: list[int], what: str) -> float:
    """Seconds until every pid has ended; fails if some are still there after the limit."""
    started = time.monotonic()
    left = wait_gone(pids, GONE_WITHIN_S)
    took = time.monotonic() - started
    assert left == [], f"{what}: still running after {GONE_WITHIN_S} s: {left} of {pids}"
    print(f"\n{what}: all {len(pids)} processes gone in {took:.2f} s")
    return took


def test_a_tab_dropped_without_a_close_frame_ends_its_dashboard_and_workers(
    server: Server,
) -> None:
    tab = RawTab(server.port)
    [dashboard] = server.wait_dashboards(1)
    workers = running_parallel(tab, dashboard)
    everything = tree(dashboard.pid)
    assert set(workers) <= set(everything) and len(everything) >= len(workers) + 3
    tab.drop()
    gone_in(everything, "TCP reset, parallel run")
    assert server.proc.poll() is None  # the server goes on serving
    RawTab(server.port)
    server.wait_dashboards(1)


def test_five_tabs_dropped_at_once_leave_nothing(server: Server) -> None:
    tabs = [RawTab(server.port) for _ in range(5)]
    dashboards = server.wait_dashboards(5)
    everything = [pid for d in dashboards for pid in tree(d.pid)]
    for tab in tabs:
        tab.drop()
    gone_in(everything, "five tabs reset")
    assert server.dashboards() == []


def test_an_idle_tab_does_not_spin(server: Server) -> None:
    """A spin takes a whole core; the dashboard's idle budget is 2% (see the benchmarks)."""
    tab = RawTab(server.port)
    [dashboard] = server.wait_dashboards(1)
    # Start-up is not idle: measure once the whole screen has been drawn.
    wait_for(lambda: tab.received > 20_000, 60, "the dashboard drawn")
    before = dashboard.cpu_times()
    started = time.monotonic()
    time.sleep(2)  # a spin would take a whole core of it, 100 times the tick's grain
    after = dashboard.cpu_times()
    share = (after.user + after.system - before.user - before.system) / (time.monotonic() - started)
    print(f"\nan idle tab's dashboard: {share:.1%} of a core")
    assert share < 0.2


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_a_quit_signal_to_serve_ends_every_tab(server: Server, signum: int) -> None:
    tabs = [RawTab(server.port), RawTab(server.port)]
    dashboards = server.wait_dashboards(2)
    for tab, dashboard in zip(tabs, dashboards, strict=True):
        running_parallel(tab, dashboard)
    everything = tree(server.proc.pid)
    server.proc.send_signal(signum)
    gone_in(everything, f"{signal.Signals(signum).name} to serve, two tabs running")
    assert server.proc.wait(1) == 0, server.log.read_text()


def test_the_server_killed_ends_every_tab(server: Server) -> None:
    """SIGKILL cannot be caught: each dashboard sees its pipes to the server hang up."""
    tab = RawTab(server.port)
    [dashboard] = server.wait_dashboards(1)
    running_parallel(tab, dashboard)
    everything = tree(server.proc.pid)
    server.proc.kill()
    gone_in(everything, "serve SIGKILLed, one tab running")


# What a page (or anyone with a WebSocket) may send: no size may reach the app unclamped,
# and no message end the tab.
BAD_MESSAGES: list[object] = [
    *(
        ["resize", size]
        for size in [
            {"width": 1, "height": 1},
            {"width": 0, "height": 0},
            {"width": -1, "height": -7},
            {"width": 2, "height": 5},
            {"width": 10**9, "height": 10**9},
            {"width": "wide", "height": None},
            {"width": 1.5, "height": True},
            {},
            [],
        ]
    ),
    ["resize"],
    ["stdin", 5],
    '["stdin", "\\ud800"]',
    [],
    {"resize": 1},
    "not JSON",
]


# Idle in the slow tier: mid-run sends the same messages, with a run going on as well.
@pytest.mark.parametrize(
    "running", [pytest.param(False, marks=pytest.mark.slow), True], ids=["idle", "mid-run"]
)
def test_no_message_a_tab_sends_ends_its_dashboard(server: Server, running: bool) -> None:
    tab = RawTab(server.port, width=0, height=-3)
    [dashboard] = server.wait_dashboards(1)
    wait_for(lambda: fork_server(dashboard), 30, "the dashboard started")
    workers = running_parallel(tab, dashboard) if running else []
    for message in BAD_MESSAGES:
        tab.send(message)
        time.sleep(0.3)
        assert dashboard.is_running(), f"after {message}: {server.log.read_text()}"
    assert alive(workers) == workers
    tab.send(["resize", {"width": 100, "height": 30}])
    drawn = tab.received
    wait_for(lambda: tab.received > drawn + 5_000, 30, "the dashboard drawn again")
    assert dashboard.is_running() and alive(workers) == workers
    assert "Traceback" not in server.log.read_text()


UNREACHABLE = {"GIL held": HOLD, "SIGSTOP": ()}


@pytest.mark.parametrize("server", UNREACHABLE.values(), ids=UNREACHABLE.keys(), indirect=True)
def test_the_server_killed_ends_workers_that_cannot_run_any_code(server: Server) -> None:
    """Workers in a C call holding the GIL, or stopped: the dashboard SIGKILLs them as it
    sees its pipes hang up, and its fork server dies with it."""
    tab = RawTab(server.port)
    [dashboard] = server.wait_dashboards(1)
    tab.press("p")
    held = "--workload" in dashboard.cmdline()
    count = 2 if held else parallel_lanes(dashboard, SCALE)
    workers = wait_workers(dashboard, min(count, len(dashboard.cpu_affinity())))
    stuck(workers, "GIL held" if held else "SIGSTOP")
    helper = fork_server(dashboard)
    assert helper is not None
    everything = tree(server.proc.pid)
    started = time.monotonic()
    server.proc.kill()
    assert wait_gone([*workers, helper.pid], GONE_WITHIN_S) == []
    print(f"\nworkers and fork server gone in {time.monotonic() - started:.2f} s")
    gone_in(everything, "serve SIGKILLed, stuck workers")


def chromium(profile: Path, *args: str) -> list[str]:
    return [str(CHROMIUM), "--headless", *CHROMIUM_ARGS, f"--user-data-dir={profile}", *args]


@needs_chromium
def test_a_browser_killed_ends_its_tab(server: Server, tmp_path: Path) -> None:
    browser = subprocess.Popen(
        chromium(tmp_path / "profile", "--remote-debugging-port=0", server.url()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        [dashboard] = server.wait_dashboards(1)
        wait_for(lambda: fork_server(dashboard), 30, "the dashboard's fork server")
        everything = tree(dashboard.pid)
        os.killpg(browser.pid, signal.SIGKILL)
        gone_in(everything, "chromium SIGKILLed")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGKILL)
        browser.wait(10)


# Slow tier, run alone: on a loaded machine Chromium's virtual time can take the shot
# before the tab's dashboard starts (seen beside a parallel quick tier), and then there
# is nothing to check. test_a_browser_killed_ends_its_tab covers a tab's end in the quick
# tier.
@pytest.mark.slow
@needs_chromium
def test_a_headless_screenshot_leaves_no_dashboard(server: Server, tmp_path: Path) -> None:
    seen: set[int] = set()
    shot = tmp_path / "shot.png"
    browser = subprocess.Popen(
        chromium(
            tmp_path / "profile", f"--screenshot={shot}", "--virtual-time-budget=6000", server.url()
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while browser.poll() is None:
        for dashboard in server.dashboards():
            seen.update(tree(dashboard.pid))
        time.sleep(0.05)
    assert shot.exists() and seen, "the page never started a dashboard"
    gone_in(sorted(seen), "headless screenshot")
    assert alive(sorted(seen)) == []
