"""Per-core utilisation, sampled from one long-lived place.

psutil keeps its cpu_percent baseline per thread (a call from a fresh pool thread
reads zeros) and indexes its list by online CPU, skipping offline ones; this class
owns one baseline and maps values back to real core ids. /proc/stat counts 100
ticks a second, so at 10 Hz a core reads in steps of about 10 points: a light
exponential moving average keeps the bars steady while a busy core still reads 100.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from coremeter.cores import parse_kernel_list
from coremeter.ownload import OwnReading, Worker, WorkerClock, own_seconds, split

_ONLINE = Path("/sys/devices/system/cpu/online")


def online_cores() -> list[int]:
    """Ids of the online cores, in the order psutil reports them."""
    try:
        return parse_kernel_list(_ONLINE.read_text().strip())
    except (OSError, ValueError):
        return list(range(psutil.cpu_count() or 1))


@dataclass(frozen=True)
class Source:
    """Where readings come from: ``read()`` returns one percent per id in ``online``;
    ``ours(workers)`` how much of each core the run's workers used since the last call."""

    read: Callable[[], list[float]]
    online: list[int]
    ours: Callable[[Sequence[Worker]], OwnReading] = field(default_factory=WorkerClock)


class CpuSampler:
    """Smoothed percent per core, and a bounded history sampled every ``history_every``
    polls (2 Hz at 10 Hz polling: history bars are costly to redraw). Each core's percent
    is also split (``own``, ``others``): the run's workers' part, and other programs'."""

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
        self._ours = source.ours
        self.percent: dict[int, float] = dict.fromkeys(self.cores, 0.0)
        self.own: dict[int, float] = dict.fromkeys(self.cores, 0.0)
        self.others: dict[int, float] = dict.fromkeys(self.cores, 0.0)
        self.history: dict[int, deque[float]] = {c: deque(maxlen=history) for c in self.cores}
        # The last sample's raw reading, before smoothing: what a recording keeps, so that
        # a replay feeds it through this same code (coremeter.recording).
        self.read_now: dict[int, float] = dict.fromkeys(self.cores, 0.0)
        self.ours_now = OwnReading()
        self._polls = 0
        self._read()  # the first reading only sets psutil's baseline

    def sample(self, workers: Sequence[Worker] = ()) -> dict[int, float]:
        """Read the cores, and ``workers`` (the running run's) over the same interval."""
        by_id = dict(zip(self._ids, self._read(), strict=False))
        now = self.read_now = {core: by_id.get(core, 0.0) for core in self.cores}
        ours = self.ours_now = self._ours(workers)
        parts = split(now, ours)
        for core in self.cores:
            self.percent[core] += self.alpha * (now[core] - self.percent[core])
            self.own[core] += self.alpha * (parts.own[core] - self.own[core])
            self.others[core] += self.alpha * (parts.others[core] - self.others[core])
        self._polls += 1
        if self._polls % self.history_every == 0:
            for core in self.cores:
                self.history[core].append(self.percent[core])
        return self.percent


# (core or None for unpinned, start, end) in perf_counter seconds: when our own work
# kept a core busy.
Span = tuple[int | None, float, float]


@dataclass(frozen=True)
class _Reading:
    at: float
    busy: dict[int, float]  # core id -> busy seconds since boot
    own: float  # this process's CPU seconds, every thread


def _busy_seconds() -> dict[int, float]:
    """Busy seconds per core since boot, counted as psutil's cpu_percent counts them:
    everything but idle and iowait (guest time is already inside user time)."""
    busy = {}
    for core, times in zip(online_cores(), psutil.cpu_times(percpu=True), strict=False):
        idle = times.idle + getattr(times, "iowait", 0.0)
        guest = getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)
        busy[core] = sum(times) - idle - guest
    return busy


class LoadHistory:
    """Per-core busy time over the last seconds, so that a run can tell whether its
    cores were busy with someone else's work just before it. Read at most every
    ``every_s``, which keeps its cost from the dashboard's 10 Hz tick near nothing,
    and still finds a reading about a second back.

    Ours is taken out: the spans our workers ran (pinned, so on known cores), and this
    process's own CPU, which could have been on any core and so is taken from each.
    What remains is another program's, another coremeter's included.
    """

    def __init__(
        self,
        keep_s: float = 2.0,
        every_s: float = 0.25,
        busy: Callable[[], dict[int, float]] = _busy_seconds,
        own: Callable[[], float] = own_seconds,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.keep_s = keep_s
        self.every_s = every_s
        self._busy = busy
        self._own = own
        self._clock = clock
        # Empty until the first read: a reading taken while coremeter starts up (the
        # fork server, say) would count its start-up as another program's.
        self._readings: deque[_Reading] = deque()

    def read(self) -> None:
        """Take a reading unless the last is under ``every_s`` old: cheap to call often."""
        now = self._clock()
        if self._readings and now - self._readings[-1].at < self.every_s:
            return
        self._take(now)

    def _take(self, now: float) -> _Reading:
        reading = _Reading(now, self._busy(), self._own())
        self._readings.append(reading)
        while len(self._readings) > 2 and now - self._readings[1].at > self.keep_s:
            self._readings.popleft()
        return reading

    def others(
        self, cores: Iterable[int], ours: Iterable[Span], window_s: float = 1.0
    ) -> tuple[float, dict[int, float]]:
        """How busy each core was with work not ours over about the last ``window_s``:
        the seconds measured and a fraction per core (0 to 1)."""
        now = self._take(self._clock())
        start = next(
            (r for r in reversed(self._readings) if r.at <= now.at - window_s),
            self._readings[0],
        )
        seconds = now.at - start.at
        if seconds <= 0:
            return 0.0, {}
        spans = list(ours)
        own = now.own - start.own + _overlap(spans, None, start.at, now.at)
        fractions = {}
        for core in cores:
            busy = now.busy.get(core, 0.0) - start.busy.get(core, 0.0)
            other = busy - _overlap(spans, core, start.at, now.at) - own
            fractions[core] = min(max(other / seconds, 0.0), 1.0)
        return seconds, fractions


def _overlap(spans: list[Span], core: int | None, start: float, end: float) -> float:
    """Seconds the spans on ``core`` (None: the unpinned ones) fall within start..end."""
    return sum(
        max(0.0, min(stop, end) - max(begin, start)) for on, begin, stop in spans if on == core
    )
