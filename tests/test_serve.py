"""The browser view: ``coremeter serve`` opened in headless Chromium, as a person would.

xterm.js draws the dashboard on a canvas, so the DOM holds no text: the tests
check what the page fetched, that the app's output arrived, and what the keys did
to real processes; the screenshot is for eyes. Only loopback is ever contacted.
Set COREMETER_SAVE_SCREENSHOTS=1 to refresh screenshots/browser.png.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import helpers
import psutil
import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, alive, wait_gone, wait_http

from coremeter.cli import build_parser, serve_options
from coremeter.serve import TEMPLATES, dashboard_command
from coremeter.userfunc import parse_spec, resolve

sync_api = pytest.importorskip("playwright.sync_api")

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def in_the_browser(test: Callable) -> Callable:
    """An end-to-end test in headless Chromium."""
    needs = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
    return pytest.mark.e2e(needs(test))


def stop_group(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM the server's process group, then SIGKILL whatever is left of it."""
    for sig, wait_s in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            continue
        if not alive_in_group(proc.pid):
            return


def alive_in_group(pgid: int) -> list[int]:
    pids = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == pgid:
                pids.append(process.pid)
        except ProcessLookupError:
            pass
    return alive(pids)


@dataclass
class Served:
    """A running ``coremeter serve``, a browser page on it, and what the page fetched."""

    proc: subprocess.Popen
    page: sync_api.Page
    requests: list[str] = field(default_factory=list)

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def busy_workers(self, count: int, timeout: float = 20) -> list[int]:
        """Pids of at least ``count`` workers computing: children of a fork server
        (serve -> dashboard -> fork server -> worker)."""

        def workers() -> list[psutil.Process]:
            return [p for p in self.descendants() if _forked_by_the_fork_server(p)]

        return helpers.working(workers, count, timeout)

    def press(self, key: str) -> None:
        # xterm.js takes keys through its hidden textarea.
        self.page.focus(".xterm-helper-textarea")
        self.page.keyboard.press(key)


def _forked_by_the_fork_server(process: psutil.Process) -> bool:
    try:
        parent = process.parent()
        return parent is not None and "forkserver" in " ".join(parent.cmdline())
    except psutil.Error:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server and one browser tab for the module; every process ends with it."""
    port = helpers.free_port()
    url = f"http://{LOOPBACK}:{port}/"
    out = tmp_path_factory.mktemp("serve")
    log = (out / "serve.log").open("w")
    # --scale 5 runs for minutes: a run the tests start is still going when they look.
    command = [sys.executable, "-m", "coremeter", "serve", "--host", LOOPBACK]
    command += ["--port", str(port), "--scale", "5", "--out", str(out)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(port, proc)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                # A 720p projector: about 130x34 cells in the served terminal.
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                served = Served(proc, page)
                page.on("request", lambda request: served.requests.append(request.url))
                page.on("websocket", lambda socket: served.requests.append(socket.url))
                page.goto(url)
                # The first bytes of the app's output reveal the terminal.
                page.wait_for_selector("body.-first-byte .xterm-screen canvas", timeout=30_000)
                yield served
            finally:
                browser.close()
    finally:
        stop_group(proc, grace=10)
        log.close()
        assert alive_in_group(proc.pid) == []


@in_the_browser
def test_the_page_loads_everything_from_loopback(served: Served) -> None:
    page = served.page
    assert page.title() == "coremeter"
    assert any(urlsplit(url).path == "/ws" for url in served.requests), served.requests
    hosts = {urlsplit(url).hostname for url in served.requests}
    assert hosts == {LOOPBACK}, served.requests
    # The terminal's font is the copy textual-serve serves, not the CDN's.
    assert page.evaluate("document.fonts.check('16px \"Roboto Mono\"')")
    assert any("/static/fonts/RobotoMono" in url for url in served.requests)


@in_the_browser
def test_keys_work_without_a_click_first(served: Served) -> None:
    """The page gives the terminal focus when it loads: the first key starts a run."""
    assert served.page.evaluate("document.activeElement.className") == "xterm-helper-textarea"
    served.page.keyboard.press("s")
    assert len(served.busy_workers(1)) == 1


@in_the_browser
def test_a_key_in_the_page_starts_a_run_on_a_worker(served: Served) -> None:
    served.press("s")
    assert len(served.busy_workers(1)) == 1


@in_the_browser
def test_stopping_the_server_ends_every_dashboard_and_worker(
    served: Served, tmp_path: Path
) -> None:
    served.press("p")
    workers = served.busy_workers(min(2, len(os.sched_getaffinity(0))))
    # Let the meters catch up with the run before the picture.
    served.page.wait_for_timeout(1500)
    shot = tmp_path / "browser.png"
    served.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("COREMETER_SAVE_SCREENSHOTS"):
        shutil.copy(shot, SCREENSHOTS / "browser.png")
    everything = [p.pid for p in served.descendants()]
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(10) == 0
    assert wait_gone(everything, timeout=5) == [], f"left behind: {everything}, workers {workers}"


def test_the_page_template_fetches_only_from_its_own_server() -> None:
    page = (TEMPLATES / "app_index.html").read_text()
    links = re.findall(r"""(?:src|href)=["']([^"']+)""", page) + re.findall(
        r"url\(\"([^\"]+)", page
    )
    assert links and all(link.startswith("static/") for link in links), links
    assert "//" not in "".join(links)


def test_each_tab_runs_the_dashboard_with_the_options_given_to_serve() -> None:
    given = ["--shape", "balanced", "--scale", "0.0123", "--cores", "0", "--mode", "parallel"]
    given += [
        "--schedule",
        "in-order",
        "--autostart",
        "--demo",
        "--theme",
        "coremeter-projector",
        "--out",
        "talk results",
    ]
    args, tab = served_tab(["serve", *given])
    options = ("shape", "scale", "schedule", "cores", "mode", "autostart", "demo", "theme", "out")
    for option in options:
        assert getattr(tab, option) == getattr(args, option), option
    assert tab.workload == args.workload == "seed"


def served_tab(argv: list[str]) -> tuple[argparse.Namespace, argparse.Namespace]:
    """The command line given to serve, and the one its tabs' dashboards get."""
    args = build_parser().parse_args(argv)
    args.workload = resolve(args.workload, args.items)
    command = shlex.split(dashboard_command(serve_options(args)))
    assert command[:4] == ["exec", sys.executable, "-m", "coremeter"]
    tab = build_parser().parse_args(command[4:])
    assert tab.command is None  # the dashboard itself
    args.workload = args.workload.name
    return args, tab


def test_each_tab_gets_the_workload_given_to_serve(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "mine.py").write_text("def f(n):\n    return n\n")
    monkeypatch.chdir(tmp_path)
    _, tab = served_tab(["serve", "--workload", "mine.py:f", "--items", "50"])
    monkeypatch.chdir("/")  # a tab finds the same file from anywhere
    assert resolve(tab.workload, tab.items) == parse_spec("mine.py:f", 50, cwd=str(tmp_path))
    _, tab = served_tab(["serve", "--workload", "hash"])
    assert (tab.workload, tab.items) == ("hash", None)


def test_each_tab_gets_the_cluster_given_to_serve() -> None:
    for given in (["--cluster"], ["--cluster", "tcp://10.0.0.1:8786", "--connect-timeout", "3"]):
        args, tab = served_tab(["serve", *given])
        assert (tab.cluster, tab.connect_timeout) == (args.cluster, args.connect_timeout)
    _, tab = served_tab(["serve"])
    assert tab.cluster is None
