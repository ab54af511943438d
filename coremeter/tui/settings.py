"""The keys that change what the next run will be: its scale, workload, shape and schedule.

Apart from the Dashboard, which mixes them in, so that tui/app.py keeps to its size.
Each says what changed, and redraws what depends on the next run's settings: the
machine's notes (which depend on the shape and the workload), the charts (which
compare within one workload) and the run panel.
"""

from __future__ import annotations

from typing import Protocol

from coremeter.session import Session


class Host(Protocol):
    """What these actions need from the app that mixes them in."""

    session: Session

    def notify(self, message: str, *, timeout: float | None = None) -> None: ...

    def draw(self) -> None: ...

    def _show_notes(self) -> None: ...

    def _show_charts(self) -> None: ...


class NextRunSettings:
    """The settings' actions, bound to keys and the palette by the Dashboard."""

    def action_scale(self: Host, factor: float) -> None:
        """+ and -: a new size starts a fresh comparison, as a new shape or workload does:
        the charts show the runs of the new size (none yet), not the last size's."""
        scale, workload = self.session.scale, self.session.workload
        if not workload.scaled:
            self.notify(f"{workload.name}: --items sets its size, not the scale", timeout=3)
        elif self.session.step_scale(factor):
            for_next_run(self, f"scale {self.session.scale:g} from the next run")
            return
        else:
            self.notify(f"scale stays {scale:g}: {scale * factor:g} is past its limit", timeout=2)
        self.draw()

    def action_workload(self: Host, name: str | None = None) -> None:
        """w: the next workload (the palette names one)."""
        workload = self.session.choose(name)
        for_next_run(self, f"workload {workload.name} from the next run: {workload.lesson}")

    def action_shape(self: Host) -> None:
        for_next_run(self, f"shape {self.session.next_shape()} from the next run")

    def action_schedule(self: Host) -> None:
        for_next_run(self, f"schedule {self.session.next_schedule()} from the next run")


def for_next_run(host: Host, change: str) -> None:
    """Say what changed, and show what the next run will be and compare with."""
    host.notify(change, timeout=3)
    host._show_notes()
    host._show_charts()
    host.draw()
