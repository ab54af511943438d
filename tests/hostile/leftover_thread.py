"""Returns at once, leaving a non-daemon thread that waits for ever: an interpreter
shutting down would join it for ever. ``--workload tests/hostile/leftover_thread.py:leave``."""

import threading


def leave(item: int) -> int:
    threading.Thread(target=threading.Event().wait, name="left-over").start()
    return item
