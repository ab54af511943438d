"""The keys that change what the next run will be: its scale, workload, shape and schedule.

Each says what changed, and has the dashboard show what depends on the next run's
settings: the machine's notes (which depend on the shape and the workload), the charts
(which compare within one workload) and the run panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual.widgets import Static

from coremeter.report import notes_text, warnings
from coremeter.session import Session


class Notify(Protocol):
    """A toast: the App's ``notify``."""

    def __call__(self, message: str, *, timeout: float | None = None) -> None: ...


class NextRunSettings:
    """The settings' actions, bound to keys and the palette by the Dashboard, and the
    machine's ``notes`` for the next run. ``draw`` redraws the screen; ``show_charts``
    shows the runs the next run will compare with."""

    def __init__(
        self,
        session: Session,
        notify: Notify,
        notes: Static,
        draw: Callable[[], None],
        show_charts: Callable[[], None],
    ) -> None:
        self.session = session
        self.notify = notify
        self.notes = notes
        self.draw = draw
        self.show_charts = show_charts

    def show_notes(self) -> None:
        """The machine's caveats, for the parallel run the settings would start: which of
        its workers share a physical core depends on the shape and the workload."""
        session = self.session
        workers = session.spec("parallel").worker_cores
        notes = warnings(session.machine, session.cores, workers)
        self.notes.update(notes_text(notes))
        self.notes.display = bool(notes)

    def scale(self, factor: float) -> None:
        """+ and -: a new size starts a fresh comparison, as a new shape or workload does:
        the charts show the runs of the new size (none yet), not the last size's."""
        scale, workload = self.session.scale, self.session.workload
        if not workload.scaled:
            self.notify(f"{workload.name}: --items sets its size, not the scale", timeout=3)
        elif self.session.step_scale(factor):
            self._for_next_run(f"scale {self.session.scale:g} from the next run")
            return
        else:
            self.notify(f"scale stays {scale:g}: {scale * factor:g} is past its limit", timeout=2)
        self.draw()

    def workload(self, name: str | None = None) -> None:
        """w: the next workload (the palette names one)."""
        workload = self.session.choose(name)
        self._for_next_run(f"workload {workload.name} from the next run: {workload.lesson}")

    def shape(self) -> None:
        self._for_next_run(f"shape {self.session.next_shape()} from the next run")

    def schedule(self) -> None:
        self._for_next_run(f"schedule {self.session.next_schedule()} from the next run")

    def _for_next_run(self, change: str) -> None:
        self.notify(change, timeout=3)
        self.show_notes()
        self.show_charts()
        self.draw()
