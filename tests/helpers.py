"""What several test modules need: real processes, real terminals, and the dashboard driven
by Textual's pilot."""

from __future__ import annotations

import asyncio
import base64
import builtins
import errno
import http.client
import io
import itertools
import json
import os
import re
import shlex
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import psutil
import pytest
from textual.pilot import Pilot

from coremeter.results import RunRecord
from coremeter.run import Run
from coremeter.session import Session
from coremeter.spec import RunSpec
from coremeter.tui.app import Dashboard

T = TypeVar("T")

# A function in one C call that holds the GIL for hours (tests/hostile/gil_hold.py).
HOLD = ("--workload", f"{Path(__file__).parent / 'hostile' / 'gil_hold.py'}:hold", "--items", "2")
TINY = 0.002  # 1.2e6 iterations in all: a run takes about a tenth of a second
LOOPBACK = "127.0.0.1"
CHROMIUM = Path("/usr/bin/chromium")
# Headless, offline and quiet: no sandbox (root in CI), no GPU, no update or sync
# traffic, no proxy, and every host name but loopback resolves to nothing.
CHROMIUM_ARGS = [
    "--no-proxy-server",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOOPBACK}",
]


def drive(
    app: Dashboard,
    script: Callable[[Pilot], Awaitable[None]],
    size: tuple[int, int] = (120, 35),
    notifications: bool = False,
) -> None:
    """Run ``script`` against the app; ``notifications`` shows toasts, which run_test hides."""

    async def main() -> None:
        async with app.run_test(size=size, notifications=notifications) as pilot:
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


def toasts(app: Dashboard) -> str:
    """The text of the notifications on screen (Textual's Toast widgets)."""
    return "\n".join(str(toast.render()) for toast in app.screen.query("Toast"))


def run_modes(session: Session, modes: Sequence[str]) -> list[RunRecord]:
    """Run each mode to its end, then close the session; its log of runs."""
    try:
        for mode in modes:
            assert session.start(mode).wait(timeout=30)
            session.poll()
    finally:
        session.close()
    return session.log.runs


def alive(pids: list[int]) -> list[int]:
    """The pids still running; zombies count as gone, since they hold no core."""
    living = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                living.append(pid)
        except psutil.NoSuchProcess:
            pass
    return living


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait up to ``timeout`` for the pids to end; returns those still alive."""
    deadline = time.monotonic() + timeout
    while (living := alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return living


def last_cpu(pid: int) -> int:
    """The core a process last ran on, read from /proc/PID/stat (field 39)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[36])


def wait_until_working(run: Run) -> None:
    """Every lane's first task has done a unit: each worker has pinned itself."""
    firsts = [tasks[0].id for _, tasks in run.lanes]
    deadline = time.monotonic() + 10
    while not all(run.counts[task_id] > 0 for task_id in firsts):
        assert time.monotonic() < deadline, "a worker made no progress"
        time.sleep(0.01)


def assert_pinned(run: Run) -> None:
    """Each worker process is allowed its lane's core alone and last ran there (psutil, /proc)."""
    for pid, (core, _) in zip(run.pids, run.lanes, strict=True):
        assert psutil.Process(pid).cpu_affinity() == [core]
        assert last_cpu(pid) == core


def threads_cores(pid: int) -> set[str]:
    """The Cpus_allowed_list of each thread of a process, read from /proc."""
    allowed = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("Cpus_allowed_list"))
        allowed.add(line.split()[-1])
    return allowed


def stuck(pids: list[int], how: str) -> None:
    """Each worker deep in its work (a C call, or the seed's loop), then stopped for SIGSTOP.
    Not before: a worker stopped a few milliseconds after its fork has not yet asked the
    kernel to end it with its parent."""
    wait_for(lambda: all(psutil.Process(p).cpu_times().user > 0.2 for p in pids), 20, "work")
    if how == "SIGSTOP":
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)


def wait_for(condition: Callable[[], T], timeout: float, what: str, tick: float = 0.05) -> T:
    """Poll until ``condition()`` is truthy and return it: tests wait for a state, never
    for a fixed time, so a slow CI box only makes them slower, not red."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(tick)
    return result


def cpu_seconds(process: psutil.Process) -> float | None:
    """The CPU seconds a process has run so far, user and system; None once it is gone."""
    try:
        times = process.cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


def working(
    find: Callable[[], Sequence[psutil.Process]], count: int = 1, timeout: float = 20
) -> list[int]:
    """The pids of at least ``count`` of the processes ``find`` lists that are computing:
    their CPU time grew since they were first seen. By any amount: on a machine shared
    with other programs a worker may get a sliver of a core, and is working all the same;
    a process that waits gains nothing."""
    first: dict[int, float] = {}

    def grown() -> list[int]:
        pids = []
        for process in find():
            now = cpu_seconds(process)
            if now is None:
                continue
            if now > first.setdefault(process.pid, now):
                pids.append(process.pid)
        return pids if len(pids) >= count else []

    return wait_for(grown, timeout, f"{count} working process(es)")


def fork_server(app: psutil.Process) -> psutil.Process | None:
    """The app's fork server: every worker is its child, not the app's."""
    for child in app.children():
        try:
            if "forkserver" in " ".join(child.cmdline()):
                return child
        except psutil.NoSuchProcess:
            pass
    return None


def workers(app: psutil.Process) -> list[int]:
    """The pids of the app's living workers (zombies hold no core, so they do not count)."""
    server = fork_server(app)
    try:
        return alive([worker.pid for worker in server.children()]) if server else []
    except psutil.NoSuchProcess:
        return []


def parallel_lanes(app: psutil.Process, scale: float, shape: str = "seed") -> int:
    """How many workers the app's parallel run has: one per lane, on the cores it may use."""
    return len(RunSpec.build("parallel", shape, scale, sorted(app.cpu_affinity())).lanes())


def wait_workers(app: psutil.Process, count: int, timeout: float = 30) -> list[int]:
    """The pids of the app's workers, once ``count`` of them are alive."""

    def check() -> list[int]:
        pids = workers(app)
        return pids if len(pids) == count else []

    return wait_for(check, timeout, f"{count} workers")


_SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def _cells(line: str) -> list[tuple[str, str]]:
    """(character, background) for each character of a ``capture-pane -e`` line; a row
    tmux ends early is its background continued."""
    background, cells, position = "default", [], 0
    for match in _SGR.finditer(line):
        cells += [(char, background) for char in line[position : match.start()]]
        position = match.end()
        params = re.split("[;:]", match[1]) if match[1] else ["0"]
        index = 0
        while index < len(params):
            param = params[index]
            if param in ("0", "49"):
                background = "default"
            elif param == "48" and index + 2 < len(params):
                count = 1 if params[index + 1] == "5" else 3
                background = ";".join(params[index : index + 2 + count])
                index += 1 + count
            elif param.isdigit() and (40 <= int(param) <= 47 or 100 <= int(param) <= 107):
                background = param
            index += 1
    cells += [(char, background) for char in line[position:]]
    return cells


class Terminal:
    """A real terminal for the real program: a tmux window W x H, typed into with
    send-keys and read with capture-pane.

    Each terminal runs on a tmux server of its own (``-L``), so a test never touches the
    user's tmux or another test's, and a stuck one dies with its server. A pane stays
    after its program exits (remain-on-exit), so its exit status and last screen can
    still be read.
    """

    _numbers = itertools.count()

    def __init__(self, width: int = 120, height: int = 35) -> None:
        self.socket = f"coremeter-test-{os.getpid()}-{next(self._numbers)}"
        self.size = (width, height)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.tmux("kill-server", check=False)
        # tmux leaves its socket file behind: hundreds after a few runs of the suite.
        folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)

    def tmux(self, *args: str, check: bool = True) -> str:
        command = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        # An explicit environment: under pytest the process's C environment holds
        # COLUMNS=80 and LINES=24 (os.environ does not show them), and a program that
        # inherits them draws at 80x24 whatever the terminal's size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        result = subprocess.run(command, capture_output=True, text=True, timeout=10, env=env)
        if check and result.returncode != 0:
            raise AssertionError(f"{shlex.join(command)}: {result.stderr.strip()}")
        return result.stdout

    def start(self, *args: str, shell: bool = False, prefix: Sequence[str] = ()) -> None:
        """Run ``coremeter ARGS`` as the pane's own process or, with ``shell``, as the child
        of a shell, the way a user typing it at a prompt runs it."""
        command = self.coremeter_line(*args, prefix=prefix)
        width, height = self.size
        self.tmux(
            *("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";"),
            *("new-session", "-d", "-x", str(width), "-y", str(height)),
            f"{command}; exit $?" if shell else f"exec {command}",
        )

    def start_shell(self) -> None:
        """An interactive bash with job control and no rc files, as a user's prompt: run
        ``coremeter`` in it with :meth:`type_line`."""
        width, height = self.size
        self.tmux(
            *("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";"),
            *("new-session", "-d", "-x", str(width), "-y", str(height)),
            "env PS1='$ ' bash --norc --noprofile -i",
        )

    def type_line(self, line: str) -> None:
        self.tmux("send-keys", "-l", line)
        self.tmux("send-keys", "Enter")

    @staticmethod
    def coremeter_line(*args: str, prefix: Sequence[str] = ()) -> str:
        """The command line that runs this Python's coremeter with ARGS."""
        return shlex.join([*prefix, sys.executable, "-m", "coremeter", *args])

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def blank_rows(self) -> int:
        """Rows that show nothing: only spaces on the screen's own background. A painted
        track (a meter's empty bar, a coloured lane) is not blank; bare background is."""
        rows = [_cells(line) for line in self.tmux("capture-pane", "-p", "-e").split("\n")]
        rows = rows[: self.size[1]]
        counts = Counter(background for row in rows for _, background in row)
        screen = counts.most_common(1)[0][0] if counts else "default"
        return sum(
            all(char == " " and bg in (screen, "default") for char, bg in row) for row in rows
        )

    def wait_screen(self, text: str, timeout: float = 20) -> str:
        """The screen, once ``text`` is on it."""
        return self.wait_until(lambda screen: text in screen, timeout, repr(text))

    def wait_until(self, test: Callable[[str], object], timeout: float, what: str) -> str:
        """The screen, once ``test(screen)`` holds."""

        last = ""

        def check() -> str:
            nonlocal last
            last = self.screen()
            return last if test(last) else ""

        try:
            return wait_for(check, timeout, what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen:\n{last}") from None

    def keys(self, *keys: str) -> None:
        """Press keys in tmux's names (``s``, ``Escape``), all in one send-keys: as fast as
        a terminal can deliver them."""
        self.tmux("send-keys", *keys)

    def confirm_quit(self) -> None:
        """Quit with results on screen: q asks, the question shows, a second q confirms."""
        self.keys("q")
        self.wait_screen("Quit coremeter?")
        self.keys("q")

    def resize(self, width: int, height: int) -> None:
        self.tmux("resize-window", "-x", str(width), "-y", str(height))
        self.size = (width, height)

    def wait_exit(self, timeout: float = 20) -> int:
        """The program's exit status, once it has exited."""

        def exited() -> list[int]:
            # The status read once: read again, it can fall between the zombie and tmux's
            # report of the pane (see exit_status).
            status = self.exit_status()
            return [] if status is None else [status]

        try:
            [status] = wait_for(exited, timeout, "the program to exit")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen:\n{self.screen()}") from None
        return status

    def exit_status(self) -> int | None:
        """The program's exit status once the pane's process has exited, else None; killed
        by a signal, 128 + the signal, as a shell reports it."""
        shown = self.tmux(
            "display-message",
            "-p",
            "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}:#{pane_pid}",
        )
        dead, status, signal, pid = shown.strip().split(":")
        if dead == "1" and (status or signal):  # tmux reports the status a moment later
            return int(status) if status else 128 + int(signal)
        return unreaped_status(int(pid)) if pid else None

    def app(self, timeout: float = 20) -> psutil.Process:
        """The coremeter process: the pane's own, or a descendant when started through a
        shell or a prefix."""

        def find() -> psutil.Process | None:
            try:
                pane = psutil.Process(int(self.tmux("display-message", "-p", "#{pane_pid}")))
                for process in (pane, *pane.children(recursive=True)):
                    if process.cmdline()[1:3] == ["-m", "coremeter"]:
                        return process
            except psutil.NoSuchProcess:
                pass
            return None

        return wait_for(find, timeout, "the coremeter process")


def unreaped_status(pid: int) -> int | None:
    """The exit status of a process that has exited and is not yet reaped (a zombie), as
    a shell reports it; None while it runs or once it is gone. From /proc/PID/stat
    (field 52, the status waitpid would return): on a busy box the tmux server can miss
    its pane's SIGCHLD and show a pane whose program has exited as alive for a minute."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] != "Z":
        return None
    status = int(fields[49])
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def tree(pid: int) -> list[int]:
    """A process and all its descendants, collected before anything is signalled: an
    orphan is reparented to init and would no longer be found under its parent."""
    try:
        process = psutil.Process(pid)
        return [pid, *(child.pid for child in process.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_http(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"coremeter serve exited with {proc.returncode}")
        # http.client, not urllib: no proxy from the environment is ever asked.
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=1)
        try:
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise AssertionError(f"port {port} did not answer within {timeout} s")


class RawTab:
    """A browser tab reduced to its WebSocket to ``coremeter serve``, on a raw socket: it
    sends what textual-serve's page sends, answers the server's pings, reads and drops
    what the dashboard draws, and can vanish the way a killed browser or a lost network
    does, with no close frame."""

    def __init__(self, port: int, width: object = 100, height: object = 30) -> None:
        self.sock = socket.create_connection((LOOPBACK, port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /ws?width={width}&height={height} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise AssertionError(f"no WebSocket from coremeter serve: {head!r}")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        self.sock.settimeout(None)
        self._lock = threading.Lock()
        self.received = 0  # bytes of the dashboard's output so far
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                first, second = self._exactly(2)
                size = second & 0x7F
                if size == 126:
                    size = struct.unpack(">H", self._exactly(2))[0]
                elif size == 127:
                    size = struct.unpack(">Q", self._exactly(8))[0]
                payload = self._exactly(size)
                self.received += size
                if first & 0x0F == 0x9:  # ping
                    self._frame(0xA, payload)
        except OSError:
            pass

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def _frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        header = bytes([0x80 | opcode])
        header += (
            bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + struct.pack(">H", size)
        )
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        with self._lock:
            self.sock.sendall(header + mask + masked)

    def send(self, message: object) -> None:
        """One text message: ``["resize", {"width": 80, "height": 24}]`` as the page sends
        it, in JSON; a string as it is."""
        text = message if isinstance(message, str) else json.dumps(message)
        self._frame(0x1, text.encode())

    def press(self, keys: str) -> None:
        self.send(["stdin", keys])

    def drop(self) -> None:
        """Vanish without a close frame: the kernel answers with a TCP reset.

        The reading thread is woken first: a socket closed while another thread waits in
        recv() on it stays open in the kernel until that recv() returns."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.shutdown(socket.SHUT_RD)
        self._reader.join(5)
        self.sock.close()


def disk_full_for(monkeypatch, suffix: str) -> None:
    """From now on, a file whose name holds ``suffix`` fills the disk halfway through its
    first write: half the text lands, then ENOSPC, as on a full disk. Both names of
    open() are patched: pathlib's write_text opens through io.open."""
    real_open = builtins.open

    def opener(file, *args, **kwargs):
        opened = real_open(file, *args, **kwargs)
        if suffix in os.fspath(file):
            write = opened.write

            def half(text):
                write(text[: len(text) // 2])
                opened.flush()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            opened.write = half
        return opened

    monkeypatch.setattr(builtins, "open", opener)
    monkeypatch.setattr(io, "open", opener)


def bench(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """``coremeter bench`` run to its end, in a session of its own: past ``timeout`` it is
    killed whole, with any process a function of yours started, and the test fails saying
    so. ``kwargs`` go to subprocess.Popen (cwd, env, ...)."""
    with subprocess.Popen(
        [sys.executable, "-m", "coremeter", "bench", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"coremeter bench {' '.join(args)} still running after {timeout:g} s")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
