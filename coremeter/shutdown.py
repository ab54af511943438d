"""Ending cleanly when the outside world ends coremeter: quit signals and lost terminals.

Two ways a terminal could leave coremeter running with nobody to see it, both found
with tmux by tests/test_e2e_exits.py:

- A closed terminal signals only its session leader. coremeter started by something
  that is not one (``setsid``, a shell that died first) hears nothing: the dashboard's
  writes then fail, Textual's writer thread dies on the first one, and the event loop
  blocks for good on the writer's full queue. Found alive, PPID 1, 40 minutes later.
- A quit signal is served by the event loop, so a loop that is blocked never serves it.

:func:`watch_terminal` turns a hangup into the SIGHUP it should have been, and
:class:`QuitSignals` answers SIGTERM and SIGHUP with a clean exit and, in the real
program, a deadline: if the process still exists ``deadline_s`` later, it ends itself
with ``os._exit``, and its workers, each watching its parent, end with it; once a file
being written (:func:`writing`) is whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

# What signal.signal() takes and gives back.
Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

QUIT_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))
# A clean exit of the dashboard takes a few tenths of a second; this is the limit.
EXIT_DEADLINE_S = 2.0
# How long the deadline waits on a file being written as coremeter quits (see writing):
# a 256-core recording of five minutes takes about two seconds to encode.
WRITE_GRACE_S = 30.0
_WRITING = threading.Lock()


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Hold off the quit deadline while a file that must be whole is written (the
    recording, at quit): ``os._exit`` would cut it, and no file would be left at all."""
    with _WRITING:
        yield


def _exit_when_written(code: int) -> None:
    _WRITING.acquire(timeout=WRITE_GRACE_S)
    os._exit(code)


def watch_terminal(pipes: bool = False) -> threading.Thread | None:
    """Send this process SIGHUP when its terminal goes away, as the kernel does for a
    session leader only; returns the watching thread, or None with nothing to watch.

    In a browser tab the "terminal" is the pipes to ``coremeter serve``: Textual's web
    driver stops reading at the end of its input and never tells the app, so a tab
    whose server died (SIGKILL, a crash) left its dashboard running, orphaned. A pipe
    reports its hangup here like a terminal does, with ``pipes``. Not for ``bench``: a
    script's stdin pipe that is closed at once (``echo | coremeter bench``) is no reason
    to stop.

    The thread sleeps in poll() asking for no events: a terminal or pipe reports only
    its hangup or error then, and nothing is read from it, so the input is untouched.
    """
    if not hasattr(signal, "SIGHUP") or not hasattr(select, "poll"):
        return None
    watched = [fd for fd in (0, 1, 2) if os.isatty(fd) or (pipes and _is_pipe(fd))]
    if not watched:
        return None
    poller = select.poll()
    for fd in watched:
        poller.register(fd, 0)

    def watch() -> None:
        poller.poll()
        os.kill(os.getpid(), signal.SIGHUP)

    thread = threading.Thread(target=watch, name="coremeter-hangup", daemon=True)
    thread.start()
    return thread


def _is_pipe(fd: int) -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:  # closed
        return False


class QuitSignals:
    """SIGTERM and SIGHUP stop the workers at once and ask an asyncio app to exit with
    128 + the signal's number.

    A plain signal handler, not ``loop.add_signal_handler``: Python runs it in the main
    thread even while the loop is busy or blocked, so the workers stop and the deadline
    starts however long the loop takes to get to the exit. (A loop busy redrawing on a
    loaded 2-core box took a second to; the spec for the workers is one second.)
    """

    def __init__(
        self,
        exit: Callable[[int], object],
        deadline_s: float | None = None,
        stop_now: Callable[[], object] = lambda: None,
    ) -> None:
        """``deadline_s``: None in tests, where ending the process would end pytest.
        ``stop_now`` runs inside the handler: it must be safe to run there."""
        self._exit = exit
        self.deadline_s = deadline_s
        self._stop_now = stop_now
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: dict[int, Handler] = {}
        self._deadline: threading.Timer | None = None

    def install(self) -> None:
        """From inside the running loop (an app's on_mount)."""
        self._loop = asyncio.get_running_loop()
        for signum in QUIT_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)

    def uninstall(self) -> None:
        """Give each signal back its previous handler; an armed deadline stays armed."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        code = 128 + signum
        self._stop_now()
        if signum == getattr(signal, "SIGHUP", None) and hasattr(signal, "SIGCONT"):
            # A hangup comes with a SIGCONT, and Textual answers any SIGCONT by restarting
            # its driver: on a dead terminal its writes then block the loop for good.
            self._previous.setdefault(signal.SIGCONT, signal.signal(signal.SIGCONT, signal.SIG_DFL))
        if self.deadline_s is not None and self._deadline is None:
            self._deadline = threading.Timer(self.deadline_s, _exit_when_written, (code,))
            self._deadline.daemon = True
            self._deadline.start()
        if self._loop is not None:
            # A closed loop means the app is ending already.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._exit, code)
