"""Whether a speedup can be trusted, and if not, what spoiled it.

A speedup is one run's wall time against another's. On a busy laptop either run can
meet a slow spell (a browser, a video call, a core slowed by heat), and the ratio then
says more about the spell than about the parallelism: "threads 2.01x" on 2 cores, with
the GIL holding them to one, was seen with the cores at 201% of the baseline's speed.
A speedup is comparable only when all four hold:

- its baseline ran the same work: workload, shape, scale and task sizes;
- the core-speed factor (coremeter.factors) is within BAND: the two runs met cores of
  about the same speed;
- the speedup does not exceed the run's core count, which no run can truly pass;
- no competition note (coremeter.notes) was raised for the run's or the baseline's
  cores.

Plain data: coremeter.report says each cause in words, for every front end alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from coremeter.factors import Factors

# The core speed, against the baseline's, within which two runs count as having met the
# same machine. Identical runs on a busy 2-core host differ by ±20% minute to minute;
# 15% either way lets a quiet machine through and stops a slow spell.
BAND = (0.85, 1.15)

# What spoiled a comparison, which run it points at (the remedy is running that again):
# - "other work": the baseline ran other work (the baseline);
# - "fast cores": the run's cores were faster than BAND allows, so the baseline met a
#   slow spell (the baseline);
# - "slow cores": slower than BAND allows, so the run met one (the run);
# - "over cores": the speedup exceeds the core count (the baseline was slow);
# - "run competed" / "baseline competed": another program kept their cores busy.
Cause = Literal[
    "other work", "fast cores", "slow cores", "over cores", "run competed", "baseline competed"
]
BASELINE_CAUSES: frozenset[Cause] = frozenset(
    {"other work", "fast cores", "over cores", "baseline competed"}
)


class Judged(Protocol):
    """A run as the log holds it: what the verdict reads of it and of its baseline."""

    @property
    def mode(self) -> str: ...
    @property
    def work(self) -> tuple[object, ...]: ...
    @property
    def cores(self) -> list[int]: ...
    @property
    def speedup(self) -> float | None: ...
    @property
    def factors(self) -> Factors | None: ...
    @property
    def competition(self) -> list[str]: ...
    @property
    def number(self) -> int: ...


@dataclass(frozen=True)
class Verdict:
    """The verdict on a ``mode`` run's speedup: ``baseline``, the number of the run it is
    measured against;
    ``causes``, what spoiled it (none: comparable), with the figures the words quote."""

    mode: str
    baseline: int
    causes: tuple[Cause, ...]
    speedup: float
    cores: int
    core_speed: float | None

    @property
    def comparable(self) -> bool:
        return not self.causes

    @property
    def rerun(self) -> list[str]:
        """The modes to run again, baseline first: those whose run a cause points at."""
        baseline = any(cause in BASELINE_CAUSES for cause in self.causes)
        run = any(cause not in BASELINE_CAUSES for cause in self.causes)
        return ["sequential"] * baseline + [self.mode] * run


def judge(run: Judged, baseline: Judged) -> Verdict:
    """The verdict on ``run``'s speedup against ``baseline``."""
    assert run.speedup is not None
    speed = run.factors.core_speed if run.factors is not None else None
    causes: list[Cause] = []
    if run.work != baseline.work:
        causes.append("other work")
    if speed is not None and speed > BAND[1]:
        causes.append("fast cores")
    if speed is not None and speed < BAND[0]:
        causes.append("slow cores")
    if run.speedup > len(run.cores):
        causes.append("over cores")
    if run.competition:
        causes.append("run competed")
    if baseline.competition:
        causes.append("baseline competed")
    return Verdict(run.mode, baseline.number, tuple(causes), run.speedup, len(run.cores), speed)
