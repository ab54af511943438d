"""Swaps stdout for a stream whose flush never returns, so a worker that has done its
tasks cannot get out. ``--workload tests/hostile/stuck_stdout.py:stick``."""

import sys
import threading


class Stuck:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        threading.Event().wait()


def stick(item: int) -> int:
    sys.stdout = Stuck()
    return item
