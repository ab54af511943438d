"""Speedup as a product of measured factors: cores × balance × core speed × overhead.

A speedup alone cannot say why it fell short of the core count, or how it passed
the bound (2.25x against 2.00x was seen on a noisy host). Each factor is measured
from the run and its baseline, and the four multiply back to the speedup:

- ``cores``: the cores the run used.
- ``balance``: the bound over the cores, what the schedule (or the GIL) allows.
- ``core_speed``: units of work per second on the run's critical lane, the lane that
  ended last, over the same on the baseline sequential run (see critical_speed).
  Cores slowed by each other, by a neighbour or by frequency scaling read below 1; a
  slow spell during the baseline reads above 1, which is how an efficiency over 100%
  comes about.
- ``overhead``: what is left, the speedup over the other three: the share of the
  run's wall time its critical lane spent in its tasks, against the same share of the
  baseline's. Starting workers, handing over tasks and collecting them lower it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Timed(Protocol):
    """A task as records hold it: its units of work and, once run, when."""

    @property
    def size(self) -> int: ...
    @property
    def start_s(self) -> float | None: ...
    @property
    def end_s(self) -> float | None: ...


@dataclass(frozen=True)
class Factors:
    cores: int
    balance: float
    core_speed: float
    overhead: float

    @property
    def product(self) -> float:
        return self.cores * self.balance * self.core_speed * self.overhead

    @property
    def parallelism(self) -> float:
        """The speedup with the core speed taken out: what the parallelism gave, whatever
        the machine's speed did between the run and its baseline."""
        return self.cores * self.balance * self.overhead


def measure(speedup: float, bound: float, cores: int, speed: float, base: float) -> Factors:
    """The factors of a run whose critical lane ran ``speed`` units/s, against a baseline
    whose lane ran ``base``; overhead is the remainder, so the product is the speedup.

    With speeds from critical_speed, that remainder is measured, not a fudge: the
    speedup is T_seq / T_par, and with W the work, M the makespan's units, B the
    critical lane's busy time and B_seq the baseline's, T_seq / T_par =
    (W / M) × ((M / B) / (W / B_seq)) × (B / T_par) × (T_seq / B_seq), where W / M is
    the bound: overhead = (B / T_par) / (B_seq / T_seq).
    """
    balance = bound / cores
    core_speed = speed / base
    return Factors(cores, balance, core_speed, speedup / (cores * balance * core_speed))


def critical_speed(lanes: Sequence[Sequence[Timed]]) -> float | None:
    """Units of work per second along the run's critical path: the most units any lane
    holds (the makespan the bound is made of) over the time the lane that ended last
    spent running its tasks. Usually that lane is the fullest, and this is its own
    speed; when a lighter lane ends last, its core was slowed enough to set the pace.

    None unless every task ran. Tasks of one lane may overlap (threads taking turns
    under the GIL run as one lane): their time is the union of theirs.
    """
    lanes = [lane for lane in lanes if lane]
    if not lanes or any(t.start_s is None or t.end_s is None for lane in lanes for t in lane):
        return None
    critical = max(lanes, key=lambda lane: max(_span(t)[1] for t in lane))
    busy = _union(sorted(_span(t) for t in critical))
    makespan = max(sum(t.size for t in lane) for lane in lanes)
    return makespan / busy if busy > 0 else None


def _span(task: Timed) -> tuple[float, float]:
    assert task.start_s is not None and task.end_s is not None
    return task.start_s, task.end_s


def _union(spans: list[tuple[float, float]]) -> float:
    """Total length covered by sorted intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total
