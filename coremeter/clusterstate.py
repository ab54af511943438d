"""What a cluster's workers told us, as plain data: no Dask here, so the run that reads
it (coremeter.clusterrun) imports no Dask either. Filled in by coremeter.cluster from
the scheduler's events, on the client's own thread."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Place:
    """One worker: its address, the host it runs on and the core it is pinned to."""

    address: str
    host: str
    core: int
    name: str

    @property
    def label(self) -> str:
        return f"{self.host}:cpu{self.core}"


@dataclass
class Tick:
    """The last tick of one worker: when it came (perf_counter here), the host's cores'
    busy percentages, and its task in progress: key -> (start, units done)."""

    at: float
    cpu: list[float]
    tasks: dict[str, list[float]]


# The ticks a worker's clock offset is taken from: the last 5 s at 10 Hz.
OFFSET_TICKS = 50


@dataclass
class Events:
    """What the scheduler told us, written by the client's thread and read by the run:
    each worker's last tick, its clock's offset from ours, and the workers that left."""

    ticks: dict[str, Tick] = field(default_factory=dict)
    # perf_counter here minus perf_counter there as each recent tick arrived; the least
    # (least delay), added to a worker's time, puts it on this process's time axis. On
    # one host the two clocks are one (CLOCK_MONOTONIC). Recent ticks only: two hosts'
    # clocks drift apart by a few parts per million.
    offsets: dict[str, deque[float]] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)
    # Each worker name's latest address: a worker its nanny restarted keeps its name.
    addresses: dict[str, str] = field(default_factory=dict)
    # Busy seconds of each worker's core (its host's other programs' too), summed from
    # the ticks: what a local core's /proc/stat would say.
    busy: dict[str, float] = field(default_factory=dict)

    def tick(self, event: tuple[float, dict[str, Any]]) -> None:
        msg, now = event[1], time.perf_counter()
        address, core, cpu = msg["worker"], msg.get("core"), msg["cpu"]
        last = self.ticks.get(address)
        if last is not None and core is not None and core < len(cpu):
            self.busy[address] = self.busy.get(address, 0.0) + cpu[core] / 100 * (now - last.at)
        self.ticks[address] = Tick(now, cpu, msg["tasks"])
        self.addresses[msg["name"]] = address
        self.offsets.setdefault(address, deque(maxlen=OFFSET_TICKS)).append(now - msg["sent"])

    def any(self, event: tuple[float, dict[str, Any]]) -> None:
        msg = event[1]
        if isinstance(msg, dict) and msg.get("action") == "remove-worker":
            self.left.add(str(msg.get("worker", "")))

    def local(self, address: str, when: float) -> float:
        """A worker's perf_counter time as perf_counter here (before its first tick, as
        if on this host)."""
        offsets = self.offsets.get(address)
        return when + (min(offsets) if offsets else 0.0)
