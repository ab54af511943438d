"""One long C call that holds the GIL (hours): no other thread of the worker runs
meanwhile, its watchdog included. ``--workload tests/hostile/gil_hold.py:hold``."""


def hold(item: int) -> int:
    return sum(range(10**13))
