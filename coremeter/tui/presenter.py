"""The demo autopilot's driver, which any key stops.

The dashboard owns one Presenter and tells it of every key and action before its own
bindings see them (``stop``); the Presenter starts the dashboard's runs, switches its
views and puts its step in front of the caption through the callbacks it was given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from coremeter.options import DemoPauses
from coremeter.results import Mode, ResultsLog
from coremeter.run import Run
from coremeter.tui.demo import Autopilot, DemoStep, View


@dataclass
class Presenter:
    """The autopilot's host (see DemoHost): ``start_mode`` starts a run as its key does
    (None if it could not start: a toast says why), ``say`` puts words in front of the
    caption, or takes them away. ``log`` is the session's, which the demo keeps to one
    lap."""

    log: ResultsLog
    pauses: DemoPauses
    start_mode: Callable[[Mode], Run | None]
    show_view: Callable[[View], None]
    say: Callable[[str | None], None]
    clock: Callable[[], float] = time.monotonic
    autopilot: Autopilot | None = None

    def toggle(self) -> None:
        """Start the autopilot, or stop it: its button toggles it."""
        if not self.stop():
            autopilot = Autopilot(self, self.log, self.pauses, self.clock)
            self.autopilot = autopilot if autopilot.begin() else None

    def advance(self) -> None:
        """From the one timer: the autopilot's next step, if it is due."""
        if self.autopilot is not None and not self.autopilot.advance():
            self.autopilot = None

    @property
    def step(self) -> DemoStep | None:
        """The autopilot's step, while it runs."""
        return None if self.autopilot is None else self.autopilot.step

    def show_step(self, step: DemoStep) -> None:
        """The step's words lead the caption, the one line the room reads, while it lasts."""
        self.say(f"demo, any key stops it · {step.text}")

    def stop(self) -> bool:
        """Stop the autopilot, leaving its run to finish; True if it was running."""
        autopilot, self.autopilot = self.autopilot, None
        if autopilot is not None:
            self.say(None)
        return autopilot is not None
