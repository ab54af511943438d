"""Every helper process dies with its parent, through the kernel: no Python code of the
dying side or of the helper has to run, so a worker stuck in a C call that holds the
GIL, or stopped with SIGSTOP, still goes.

The chain is coremeter -> fork server -> workers. Each link asks Linux for
``PR_SET_PDEATHSIG(SIGKILL)`` against its own parent, then checks that the parent is
still the one it expected (it may have died before the request). The fork server runs
no code of ours but its preloads, so it arms itself when it imports this module, from
the parent's pid that :func:`ensure_fork_server` leaves in its environment.

PDEATHSIG fires when the parent *thread* that started a process ends, not the parent
process: the fork server is only armed when started from the main thread, which lives
as long as the process. Elsewhere (no prctl, or another thread) the worker's watchdog
thread (coremeter.worker) and the fork server's own "alive" pipe remain.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

import psutil

# What the parent leaves in the fork server's environment: its pid.
PARENT_ENV = "COREMETER_DIE_WITH"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# The exit code of a process that found its parent already gone.
ORPHANED = 3
# Why a run whose fork server was killed failed; a worker would read "exit code 255".
FORK_SERVER_DIED = "the fork server died, and its workers with it: the next run starts a new one"


def die_with(parent: int) -> None:
    """Have the kernel SIGKILL this process when ``parent`` ends (Linux; elsewhere the
    worker's watchdog thread is all there is); exits at once if it has ended already."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # After the request, not before: a parent that died in between is caught here.
    if os.getppid() != parent:
        os._exit(ORPHANED)


def _arm_fork_server() -> int | None:
    """In the fork server (the only process started with PARENT_ENV set): die with
    coremeter. Returns this process's pid, the parent of every worker."""
    parent = os.environ.pop(PARENT_ENV, None)
    if parent is None:
        return None
    die_with(int(parent))
    return os.getpid()


# The fork server's pid, in the fork server and in each worker it forks; None elsewhere.
server = _arm_fork_server()


def worker_parent() -> int:
    """The process a worker should die with: its fork server, or whoever started it."""
    return server if server is not None else os.getppid()


def ensure_fork_server() -> None:
    """Start the fork server, or a new one if it died, armed to die with this process.

    From the main thread only is the fork server armed (see the module's doc); the
    variable is set just for the start, so no other child inherits it.
    """
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    os.environ[PARENT_ENV] = str(os.getpid())
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(PARENT_ENV, None)


def fork_server_died(within_s: float = 0.2) -> bool:
    """Whether the fork server this process started has ended (killed, crashed), waiting
    up to ``within_s`` for it: its pipes close a moment before it is a zombie.

    Read without reaping it: multiprocessing reaps it when it starts the next one.
    """
    from multiprocessing import forkserver

    # multiprocessing keeps the pid of the fork server it started, unexposed.
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return False
    deadline = time.monotonic() + within_s
    while True:
        try:
            ended = psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True
        if ended or time.monotonic() > deadline:
            return ended
        time.sleep(0.01)
