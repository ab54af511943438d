"""A function that maps a function and a class of its own file over a Pool of its own, as a
script written for plain Python would: each of the pool's processes must import this file by
its name to unpickle them. One entry per start method."""

from __future__ import annotations

import multiprocessing


class Box:
    def __init__(self, n: int) -> None:
        self.n = n


def unbox(box: Box) -> int:
    return box.n * box.n


def _pool_sum(method: str, n: int) -> int:
    with multiprocessing.get_context(method).Pool(2) as pool:
        return sum(pool.map(unbox, [Box(n), Box(n + 1)]))


def spawn(n: int) -> int:
    return _pool_sum("spawn", n)


def forkserver(n: int) -> int:
    return _pool_sum("forkserver", n)


def fork(n: int) -> int:
    return _pool_sum("fork", n)
