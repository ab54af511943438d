"""What a run computes: the workloads, their task shapes and their exact checks.

A workload is a name, a one-line lesson, how its tasks are made from the shape,
scale and cores, the kernel a worker runs with chunked progress, and the result a
task must return. The reference is the article's loop (``seed``), kept exactly:
its inner loop unchanged, wrapped in an outer loop over chunks that stores the
count done into shared memory after each chunk (a modulo check inside the hot loop
would cost about 45%, the chunked form under 2%). ``io`` and ``hash`` show the
other half of the GIL story: threads pay for waiting and for C code that releases
the GIL. A user's own function is the ``UserFunction`` workload (coremeter.userfunc).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, Literal, get_args

SEED_RANGES = (100_000_000, 200_000_000, 300_000_000)
Shape = Literal["seed", "balanced"]
SHAPES: tuple[Shape, ...] = get_args(Shape)
# 0.2 gives 1.2e8 iterations in all: 7-9 s sequential at the loop's 13-18 M
# iterations/s on a current laptop, long enough to watch, short enough for a demo.
DEFAULT_SCALE = 0.2
# 100 is 6e10 iterations, about an hour sequential: anything above is a typo.
MAX_SCALE = 100.0
CHUNK = 1_000_000


class WorkloadError(ValueError):
    """A shape, scale or workload that cannot make a run; its message is one line."""


class TaskFailure(Exception):
    """A kernel's own account of why a task failed (a user's function raised): the
    worker reports its message as it is, without naming the exception class again."""


@dataclass(frozen=True)
class Task:
    """One unit that lands on a core: ``size`` units of work from unit ``start`` on."""

    id: int
    size: int
    start: int = 0


# What a worker runs for one task: it stores the units done in ``counts[task.id]``
# as it goes and returns the task's result.
Kernel = Callable[[Task, MutableSequence[int]], float]


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


def check_shape(shape: str) -> Shape:
    if shape not in SHAPES:
        raise WorkloadError(f"unknown shape {shape!r}: choose from {', '.join(SHAPES)}")
    return shape


def split_evenly(total: int, n_cores: int) -> list[int]:
    """``balanced``: one equal task per core (sizes differ by at most one unit)."""
    count = max(1, min(n_cores, total))
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


class Workload:
    """What every workload says about itself and does. Instances are frozen dataclasses:
    they travel to the workers by pickling and compare equal when they run the same work.

    ``per_unit``: how many of the seed's iterations one unit of this workload stands
    for, so that one scale takes about as long whatever the workload.
    """

    name: str
    lesson: str
    unit: ClassVar[str]  # what a task's size counts, in the plural
    # Whether its kernel lets other threads run Python meanwhile: threads then run at once
    # even under the GIL (a function of yours is assumed to hold it).
    releases_gil: ClassVar[bool] = False
    short_unit: ClassVar[str]  # the same in a few cells, for a task's label
    per_unit: ClassVar[int] = 1

    def sizes(self, shape: Shape, scale: float, n_cores: int) -> list[int]:
        """The task sizes: ``seed`` three tasks of 1:2:3 (the article's ranges times the
        scale), ``balanced`` the same total work in one equal task per selected core."""
        check_scale(scale)
        sizes = [max(1, round(r * scale / self.per_unit)) for r in SEED_RANGES]
        return split_evenly(sum(sizes), n_cores) if shape == "balanced" else sizes

    def prepare(self) -> Kernel:
        """Called once in each worker process before its tasks: anything costly to set up
        (buffers, a user's module) is made here, outside the timed tasks' loops."""
        raise NotImplementedError

    def expected(self, task: Task) -> float | None:
        """The task's exact result; None where only a sequential run can tell it."""
        raise NotImplementedError

    @property
    def scaled(self) -> bool:
        """Whether ``--scale`` sets this workload's size (a user's function has --items)."""
        return True

    def size_text(self, scale: float) -> str:
        """What sets the size of its runs, in words: ``scale 0.2``."""
        return f"scale {scale:g}"

    def options(self) -> list[str]:
        """The command-line options that choose this workload again, from any folder:
        each ``coremeter serve`` tab is a dashboard started with them."""
        return ["--workload", self.name]


@dataclass(frozen=True)
class Seed(Workload):
    name: str = "seed"
    lesson: str = "pure-Python loop: only processes beat one core; threads wait on the GIL"
    chunk: int = CHUNK
    unit: ClassVar[str] = "iterations"
    short_unit: ClassVar[str] = "it"

    def prepare(self) -> Kernel:
        chunk = self.chunk
        return lambda task, counts: counted_loop(task.size, counts, task.id, chunk)

    def expected(self, task: Task) -> float:
        return expected_result(task.size)


# One wait stands for a network or disk round trip; 10 ms is about 150,000 of the seed's
# iterations, so a scale takes as long as the seed's.
WAIT_S = 0.01


class Counting(Workload):
    """A workload whose task result counts the units done right: every one, exactly. Both
    (io's waits, hash's C code) release the GIL while they work."""

    releases_gil: ClassVar[bool] = True

    def expected(self, task: Task) -> float:
        return float(task.size)


@dataclass(frozen=True)
class Io(Counting):
    name: str = "io"
    lesson: str = "blocking waits (network, disk): threads scale while the cores stay idle"
    unit: ClassVar[str] = "waits"
    short_unit: ClassVar[str] = "waits"
    per_unit: ClassVar[int] = 150_000

    def prepare(self) -> Kernel:
        return _waits


def _waits(task: Task, counts: MutableSequence[int]) -> float:
    """The task's waits, one after another; its result is how many were done."""
    done = 0
    for _ in range(task.size):
        time.sleep(WAIT_S)
        done += 1
        counts[task.id] = done
    return float(done)


# Buffers above 2047 bytes make hashlib release the GIL while it hashes. 256 KiB
# take about 0.17 ms with SHA extensions (2,500 of the seed's iterations).
BUFFER_BYTES = 256 * 1024
# sha256 of random.Random(k).randbytes(BUFFER_BYTES) for k = 0..3: known values, so
# the check does not trust the hashing it checks.
DIGESTS = (
    "fbdc0b37423e95a739359d6110c7791a5d3f063a5816fb184c8b624ee2b5a0ce",
    "7ef8db372a5c7cb2cf46fefe87ed36e8b3e707247dcd78d38bae910ed64163f7",
    "290ca4d11f2f76f8b8f1cceee2e1210eb1794aabf17382ddd999de1d23c98bfd",
    "96a6ea3f94913f5bc92bde8d26e6c411fbb27d987d63236fa848008a2360f8a6",
)


@cache
def hash_buffers() -> tuple[bytes, ...]:
    """The buffers the hash workload hashes, made once per process."""
    return tuple(random.Random(k).randbytes(BUFFER_BYTES) for k in range(len(DIGESTS)))


@dataclass(frozen=True)
class Hash(Counting):
    name: str = "hash"
    lesson: str = "sha256 of large buffers, C code that drops the GIL: threads scale too"
    unit: ClassVar[str] = "buffers"
    short_unit: ClassVar[str] = "bufs"
    per_unit: ClassVar[int] = 2_500

    def prepare(self) -> Kernel:
        hash_buffers()
        return _hashes


def _hashes(task: Task, counts: MutableSequence[int]) -> float:
    """sha256 of buffer ``unit % 4`` for each of the task's units; its result is how many
    digests matched their known values."""
    buffers = hash_buffers()
    digests = [bytes.fromhex(d) for d in DIGESTS]
    matched = 0
    for done, unit in enumerate(range(task.start, task.start + task.size), start=1):
        k = unit % len(buffers)
        matched += hashlib.sha256(buffers[k]).digest() == digests[k]
        counts[task.id] = done
    return float(matched)


SEED = Seed()
BUILTINS: tuple[Workload, ...] = (SEED, Io(), Hash())


def builtin(name: str) -> Workload | None:
    return next((w for w in BUILTINS if w.name == name), None)


def make_tasks(shape: str, scale: float, n_cores: int, workload: Workload = SEED) -> list[Task]:
    """The tasks of one run, each starting where the one before it ends."""
    sizes = workload.sizes(check_shape(shape), scale, n_cores)
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [Task(i, *pair) for i, pair in enumerate(zip(sizes, starts, strict=True))]


def total_result(results: list[float]) -> float:
    """The run's result: the task results summed in task order, as the seed prints it."""
    return sum(results, 0.0)
