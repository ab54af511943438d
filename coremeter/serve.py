"""``coremeter serve``: the dashboard in a web browser, through textual-serve.

Every browser tab gets its own dashboard process, started with the options given
to ``serve``, so the room sees the same workload the presenter chose. The page is
our own template (coremeter/templates/): textual-serve's links a web font from a
CDN, which a lecture hall without internet cannot reach.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server

from coremeter.options import ServeOptions

TEMPLATES = Path(__file__).parent / "templates"


class ServeError(Exception):
    """An address that cannot be served on; its message is one line for the user."""


def check_address(host: str, port: int) -> str:
    """The host as an IP address, once bound here, so a typo or a taken port is one
    line, not a traceback from inside the web server.

    Only IP addresses and ``localhost``: a listening address is an interface of this
    machine, and checking one must not send a name lookup anywhere.
    """
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ServeError(
            f"invalid host {host!r}: give localhost or an IP address such as 127.0.0.1, "
            "::1 or 0.0.0.0 (no other host names)"
        ) from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {url(host, port)}: {exc.strerror}") from None
    return host


def url(host: str, port: int) -> str:
    """The address to open; an IPv6 address needs brackets there."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def dashboard_command(options: ServeOptions) -> str:
    """The shell command textual-serve runs for each tab: this Python, this dashboard,
    these options; ``exec`` so the dashboard, not a shell, is the server's child."""
    tab = options.dashboard
    argv = [sys.executable, "-m", "coremeter", "--mode", tab.mode, "--shape", tab.shape]
    argv += ["--scale", repr(tab.scale), "--out", str(tab.out), *tab.workload.options()]
    if options.cores is not None:
        argv += ["--cores", options.cores]
    if tab.theme is not None:
        argv += ["--theme", tab.theme]
    if tab.autostart:
        argv.append("--autostart")
    if tab.demo:
        argv.append("--demo")
    return "exec " + shlex.join(argv)


class _Server(Server):
    """textual-serve with coremeter's page, a one-line greeting, and a quick stop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tabs: set[asyncio.Task[object]] = set()

    def initialize_logging(self) -> None:
        """Errors only: a line per request would bury the greeting during a talk."""
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        task = asyncio.current_task()
        assert task is not None
        self._tabs.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self._tabs.discard(task)

    async def on_shutdown(self, app: web.Application) -> None:
        """Quit every tab's dashboard (and so its workers) at once.

        textual-serve leaves open tabs alone, and aiohttp then waits up to 60 s for
        them; cancelled, each tab's handler sends its dashboard the quit message.
        """
        for task in self._tabs:
            task.cancel()

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(
            f"coremeter: serving the dashboard on {self.public_url} (Ctrl+C to stop)",
            highlight=False,
        )


def serve(options: ServeOptions) -> int:
    """Serve until Ctrl+C or SIGTERM; each tab's dashboard ends with the server.

    ``options.host`` is an IP address that :func:`check_address` accepted.
    """
    if not ipaddress.ip_address(options.host).is_loopback:
        print(
            f"note: {options.host} is reachable from other machines, and anyone who opens "
            "the page can start runs that take every core here",
            file=sys.stderr,
        )
    server = _Server(
        dashboard_command(options),
        host=options.host,
        port=options.port,
        title="coremeter",
        public_url=url(options.host, options.port),
        templates_path=TEMPLATES,
    )
    server.serve()
    return 0
