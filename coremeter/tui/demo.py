"""The demo autopilot: the talk's story told through the Session like the keys tell it.

Sequential, a pause to read its time aloud, parallel, a pause, then the comparison on
the charts, and again. A small state machine, advanced by the dashboard's one timer:
it holds no task of its own, so stopping it is forgetting it, and its steps are
tested without a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from coremeter.options import DemoPauses
from coremeter.results import Mode
from coremeter.runner import Run

View = Literal["tasks", "charts"]
# The modes the story runs, in order.
StoryMode = Literal["sequential", "parallel"]
# Where the story stands: a mode's run (running, then held), or the comparison.
Stage = StoryMode | Literal["comparison"]


class DemoHost(Protocol):
    """What the autopilot drives: the dashboard's own actions."""

    def start_mode(self, mode: Mode) -> Run | None: ...

    def show_view(self, view: View) -> None: ...


@dataclass
class Autopilot:
    """``advance(now)`` at every tick; False once it can go no further (a run failed to
    start: its toast says why, and looping would only repeat it)."""

    host: DemoHost
    pauses: DemoPauses
    clock: Callable[[], float]
    stage: Stage = "sequential"
    run: Run | None = None
    # When the picture on screen has been held long enough; None while a run runs.
    until: float | None = None

    def begin(self) -> bool:
        """The story from its start: the task bars, and a sequential run."""
        self.host.show_view("tasks")
        return self._start("sequential")

    def advance(self) -> bool:
        now = self.clock()
        if self.stage == "comparison":
            return self.begin() if self.until is not None and now >= self.until else True
        if self.run is not None and self.run.running:
            return True
        if self.until is None:
            self.until = now + self.pauses.after_run
            return True
        if now < self.until:
            return True
        if self.stage == "sequential":
            return self._start("parallel")
        self.stage, self.run = "comparison", None
        self.until = now + self.pauses.comparison
        self.host.show_view("charts")
        return True

    def _start(self, mode: StoryMode) -> bool:
        self.stage, self.until = mode, None
        self.run = self.host.start_mode(mode)
        return self.run is not None
