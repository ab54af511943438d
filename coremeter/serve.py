"""``coremeter serve``: the dashboard in a web browser, through textual-serve.

Every browser tab gets its own dashboard process, started with the options given
to ``serve``, so the room sees the same workload the presenter chose. The page is
our own template (coremeter/templates/): textual-serve's links a web font from a
CDN, which a lecture hall without internet cannot reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from coremeter.options import ServeOptions
from coremeter.shutdown import EXIT_DEADLINE_S

TEMPLATES = Path(__file__).parent / "templates"
# A dashboard's clean exit takes a few tenths of a second; past this it is killed.
TAB_EXIT_S = 0.5
# The most cells a tab's terminal may have each way: more than any screen shows, and a
# page asking for more would have its dashboard lay out, and draw, that much.
MAX_CELLS = 1000


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


def terminal_size(width: object, height: object) -> tuple[int, int] | None:
    """A size a page sent, as one the dashboard can take: each whole number clamped to 1
    to MAX_CELLS (a hidden or collapsed tab sends 0x0); None, to be ignored, where
    either is not a whole number."""
    if type(width) is not int or type(height) is not int:  # not a bool, a float, a string
        return None
    return min(max(width, 1), MAX_CELLS), min(max(height, 1), MAX_CELLS)


def dashboard_command(options: ServeOptions) -> str:
    """The shell command textual-serve runs for each tab: this Python, this dashboard,
    these options; ``exec`` so the dashboard, not a shell, is the server's child."""
    tab = options.dashboard
    argv = [sys.executable, "-m", "coremeter", "--mode", tab.mode, "--shape", tab.shape]
    argv += ["--scale", repr(tab.scale), "--schedule", tab.schedule, "--out", str(tab.out)]
    argv += tab.workload.options()
    if options.cores is not None:
        argv += ["--cores", options.cores]
    if tab.cluster is not None:
        argv += tab.cluster.argv()
    if tab.theme is not None:
        argv += ["--theme", tab.theme]
    if tab.autostart:
        argv.append("--autostart")
    if tab.demo:
        argv.append("--demo")
    if options.replay:
        argv += ["replay", *map(str, options.replay)]
    return "exec " + shlex.join(argv)


class _Server(Server):
    """textual-serve with coremeter's page, a one-line greeting, and tabs that end.

    textual-serve (1.1.3) ends a tab's app by writing it a quit message and then waits,
    with no limit, for the app's output to end. An app that never reads that message
    (its input thread has stopped, or its loop is stuck) is left running for good, and
    so is the server's handler waiting on it; on SIGINT or SIGTERM the server then exits
    and leaves those apps orphaned. So each tab's dashboard is ended with SIGTERM instead,
    which coremeter's dashboard answers by killing its workers in the signal handler and
    exiting within EXIT_DEADLINE_S however busy its loop is, and SIGKILL after that.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tabs: dict[asyncio.Task[object], AppService] = {}

    def initialize_logging(self) -> None:
        """Errors only: a line per request would bury the greeting during a talk."""
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, but the tab's dashboard is ended by :func:`end_dashboard`
        however the connection ended: a close frame, a reset, a lost heartbeat, or the
        server stopping (which cancels this task)."""
        task = asyncio.current_task()
        assert task is not None
        websocket = web.WebSocketResponse(heartbeat=15)
        asked = (
            to_int(request.query.get("width", "80"), 80),
            to_int(request.query.get("height", "24"), 24),
        )
        width, height = terminal_size(*asked) or (80, 24)
        await websocket.prepare(request)

        async def close() -> None:
            await websocket.close()

        tab = AppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self._tabs[task] = tab
        try:
            await tab.start(width, height)
            await self._process_messages(websocket, tab)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # as textual-serve: one tab's failure is logged, not fatal
            logging.getLogger("textual-serve").exception(error)
        finally:
            await asyncio.shield(end_dashboard(tab))
            self._tabs.pop(task, None)
            # textual-serve's own bookkeeping, once only (two at once fail): with the
            # app gone its output has ended, so this returns at once; bounded all the
            # same, as a stuck handler would hold the server's exit.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(tab.stop(), EXIT_DEADLINE_S)
            await websocket.close()
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, tab: AppService) -> None:
        """textual-serve's loop over what the page sends, but what the dashboard cannot take
        is dropped, never the tab: a size is clamped (terminal_size), and a message that is
        not one textual-serve's page sends is ignored, where textual-serve's loop raised
        and so ended the tab."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                # A lone surrogate is valid JSON, not UTF-8: it reaches the app as U+FFFD.
                await tab.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                size = terminal_size(data.get("width"), data.get("height"))
                if size is not None:
                    await tab.set_terminal_size(*size)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await tab.blur()
            elif kind == "focus":
                await tab.focus()

    async def on_startup(self, app: web.Application) -> None:
        # textual-serve stops on SIGINT and SIGTERM only; a closed terminal's SIGHUP would
        # kill the server outright and leave every tab's dashboard behind.
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.request_exit)
        self.console.print(
            f"coremeter: serving the dashboard on {self.public_url} (Ctrl+C to stop)",
            highlight=False,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """End every tab's dashboard (and so its workers) at once, in parallel.

        aiohttp would otherwise wait up to 60 s for the open tabs' handlers.
        """
        await asyncio.gather(*(end_dashboard(tab) for tab in self._tabs.values()))
        for task in list(self._tabs):
            task.cancel()


async def end_dashboard(tab: AppService) -> None:
    """End a tab's dashboard: SIGTERM, then SIGKILL if it still runs TAB_EXIT_S later
    (one still starting up only asks its loop to exit); its workers, fork server and
    resource tracker each watch it and end with it. Safe to call twice at once."""
    process = tab._process
    if process is None:
        return
    # ProcessLookupError: it ended between the look and the signal.
    with contextlib.suppress(ProcessLookupError):
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), TAB_EXIT_S)
            except asyncio.TimeoutError:
                process.kill()
    await process.wait()


def serve(options: ServeOptions) -> int:
    """Serve until Ctrl+C, SIGTERM or SIGHUP; each tab's dashboard ends with the server.

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
