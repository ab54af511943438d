"""The reference workload: the article's loop, kept exactly, and its task shapes.

The kernel's inner loop is the seed's, unchanged. Progress is reported by an outer
loop over chunks that stores the count done into shared memory after each chunk:
a modulo check inside the hot loop would cost about 45%, the chunked form under 2%.
"""

from __future__ import annotations

import math
from collections.abc import MutableSequence
from dataclasses import dataclass

SEED_RANGES = (100_000_000, 200_000_000, 300_000_000)
SHAPES = ("seed", "balanced")
# 0.2 gives 1.2e8 iterations in all: 7-9 s sequential at the loop's 13-18 M
# iterations/s on a current laptop, long enough to watch, short enough for a demo.
DEFAULT_SCALE = 0.2
# 100 is 6e10 iterations, about an hour sequential: anything above is a typo.
MAX_SCALE = 100.0
CHUNK = 1_000_000


class WorkloadError(ValueError):
    """A shape or scale that cannot make a workload; its message is one line for the user."""


def seed_loop(r: int) -> float:
    """The article's kernel, verbatim; benchmarks compare the instrumented one against it."""
    for n in range(r):
        result = (n * (n + 1)) / 2
    return result


def counted_loop(r: int, counts: MutableSequence[int], slot: int, chunk: int = CHUNK) -> float:
    """The seed's loop over ``range(r)``, storing the count done in ``counts[slot]`` per chunk.

    Like the seed, ``r == 0`` raises UnboundLocalError: the result is never bound.
    """
    done = 0
    while done < r:
        stop = min(done + chunk, r)
        for n in range(done, stop):
            result = (n * (n + 1)) / 2
        done = stop
        counts[slot] = done
    return result


def expected_result(size: int) -> float:
    """What ``seed_loop(size)`` returns, bit for bit: the last term, (r-1)*r/2 as a float."""
    return (size - 1) * size / 2


@dataclass(frozen=True)
class Task:
    id: int
    size: int


def check_scale(scale: float, given: str | None = None) -> float:
    """The scale, if it can make a workload. ``given``: the text it was read from, shown
    in the message instead of the float (``1e400`` rather than ``inf``)."""
    shown = given if given is not None else _shown(scale)
    if math.isnan(scale) or scale <= 0:
        raise WorkloadError(f"invalid scale {shown}: must be a number above 0")
    if scale > MAX_SCALE:
        raise WorkloadError(
            f"scale {shown} is above the limit of {MAX_SCALE:g} (about an hour sequential)"
        )
    return scale


def _shown(value: float) -> str:
    """The number as written short (``101``), unless that would round it: a message must
    never say ``scale 100 is above the limit of 100``."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def make_tasks(shape: str, scale: float, n_cores: int) -> list[Task]:
    """The tasks of one run.

    ``seed``: three tasks of 1:2:3 units, the seed's ranges times the scale.
    ``balanced``: the same total work in one equal task per selected core, so a
    parallel run has nothing to wait for.
    """
    check_scale(scale)
    sizes = [max(1, round(r * scale)) for r in SEED_RANGES]
    if shape == "balanced":
        total = sum(sizes)
        count = max(1, min(n_cores, total))
        base, extra = divmod(total, count)
        sizes = [base + (1 if i < extra else 0) for i in range(count)]
    elif shape != "seed":
        raise WorkloadError(f"unknown shape {shape!r}: choose from {', '.join(SHAPES)}")
    return [Task(i, size) for i, size in enumerate(sizes)]


def total_result(results: list[float]) -> float:
    """The run's result: the task results summed in task order, as the seed prints it."""
    return sum(results, 0.0)
