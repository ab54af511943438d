"""Per-core utilisation, sampled from one long-lived place.

psutil keeps its cpu_percent baseline per thread (a call from a fresh pool thread
reads zeros) and indexes its list by online CPU, skipping offline ones; this class
owns one baseline and maps values back to real core ids. /proc/stat counts 100
ticks a second, so at 10 Hz a core reads in steps of about 10 points: a light
exponential moving average keeps the bars steady while a busy core still reads 100.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

from coremeter.cores import parse_kernel_list

_ONLINE = Path("/sys/devices/system/cpu/online")


def online_cores() -> list[int]:
    """Ids of the online cores, in the order psutil reports them."""
    try:
        return parse_kernel_list(_ONLINE.read_text().strip())
    except (OSError, ValueError):
        return list(range(psutil.cpu_count() or 1))


@dataclass(frozen=True)
class Source:
    """Where readings come from: ``read()`` returns one percent per id in ``online``."""

    read: Callable[[], list[float]]
    online: list[int]


class CpuSampler:
    """Smoothed percent per core, and a bounded history sampled every ``history_every``
    polls (2 Hz at 10 Hz polling: history bars are costly to redraw)."""

    def __init__(
        self,
        cores: Iterable[int],
        alpha: float = 0.6,
        history: int = 60,
        history_every: int = 5,
        source: Source | None = None,
    ) -> None:
        """``source`` replaces psutil and /sys, for deterministic tests and screenshots."""
        self.cores = list(cores)
        self.alpha = alpha
        self.history_every = history_every
        if source is None:
            source = Source(lambda: psutil.cpu_percent(interval=None, percpu=True), online_cores())
        self._read = source.read
        self._ids = source.online
        self.percent: dict[int, float] = dict.fromkeys(self.cores, 0.0)
        self.history: dict[int, deque[float]] = {c: deque(maxlen=history) for c in self.cores}
        self._polls = 0
        self._read()  # the first reading only sets psutil's baseline

    def sample(self) -> dict[int, float]:
        by_id = dict(zip(self._ids, self._read(), strict=False))
        for core in self.cores:
            value = by_id.get(core, 0.0)
            self.percent[core] += self.alpha * (value - self.percent[core])
        self._polls += 1
        if self._polls % self.history_every == 0:
            for core in self.cores:
                self.history[core].append(self.percent[core])
        return self.percent
