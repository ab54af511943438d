"""Waits an hour on each item: no progress and no CPU, as a function stuck on a lock or
a socket. ``--workload tests/hostile/sleeper.py:nap``."""

import time


def nap(item: int) -> int:
    time.sleep(3600)
    return item
