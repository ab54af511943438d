"""How often the dashboard draws during a run: as often as its CPU budget allows.

A screen update costs CPU for every row it redraws, and what a frame redraws depends
on the terminal and the machine: two tall meters and a timer at 120x35, or 256 cores'
meters and task bars at 200x60, several times as many rows. Drawn at one fixed rate,
the dashboard would take a few percent of a core on a laptop and a fifth of one on a
big server, which is CPU taken from the run it measures. So it measures what its
frames cost (its own process's CPU time, the terminal writer's thread included) and
spaces them so that drawing stays within a budget: as fast as ``fastest`` while frames
are cheap, down to ``slowest`` on a screen full of cores (htop redraws every 1.5 s).
"""

from __future__ import annotations

import math
import statistics
import time
from collections import deque
from collections.abc import Callable

# The share of one core a run's frames may take; polling the run and the sampler at
# 10 Hz takes under 1% more, inside the dashboard's 4% budget during a run.
DRAW_BUDGET = 0.03
# Frames whose cost decides the pace: a median, so one frame that also laid out the
# screen (a run's first, about ten times a plain one) does not slow the next ones.
FRAMES_WEIGHED = 5


class Pacer:
    """Ticks between draws, from the CPU the last few frames took."""

    def __init__(
        self,
        tick_s: float,
        fastest: int,
        slowest: int,
        budget: float = DRAW_BUDGET,
        cpu: Callable[[], float] = time.process_time,
    ) -> None:
        """``tick_s``: the dashboard's tick; ``fastest`` and ``slowest``: the fewest and
        the most ticks between draws; ``cpu``: the process's CPU seconds so far."""
        self.tick_s = tick_s
        self.fastest = fastest
        self.slowest = slowest
        self.budget = budget
        self._cpu = cpu
        self._costs: deque[float] = deque(maxlen=FRAMES_WEIGHED)
        self._tick_at = 0.0
        self._drawn_at: float | None = None
        self.every = fastest

    def tick(self) -> None:
        """Called first thing in every tick: the frame the last tick drew, if it drew one,
        is over. Its cost is the CPU from that tick's start to this one's: the tick's
        polling, the draw, and the screen update Textual made of it. The polling makes
        the estimate a little high: the budget is not overrun."""
        self._tick_at = self._cpu()
        if self._drawn_at is not None:
            self._costs.append(self._tick_at - self._drawn_at)
            cost = statistics.median(self._costs)
            ticks = math.ceil(cost / (self.budget * self.tick_s) - 1e-9)
            self.every = min(self.slowest, max(self.fastest, ticks))
        self._drawn_at = None

    def drew(self) -> None:
        """This tick drew a frame of a run: its cost counts."""
        self._drawn_at = self._tick_at
