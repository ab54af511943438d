"""What stands between the presenter's keys and the dashboard: the demo autopilot, which
any key stops, and the quit that asks before a session's results are lost.

A base of the Dashboard, so that its key and action hooks see every key and action
before the dashboard's own bindings do. The dashboard supplies the runs and the views.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from textual import events
from textual.actions import ActionParseResult, parse
from textual.app import App
from textual.dom import DOMNode

from coremeter.options import DashboardOptions
from coremeter.results import Mode
from coremeter.runner import Run
from coremeter.session import Session
from coremeter.tui.commands import DEMO_KEY
from coremeter.tui.demo import Autopilot, DemoStep, View
from coremeter.tui.widgets.screens import QuitScreen


class PresenterApp(App[None]):
    """The autopilot's host (see DemoHost) and the presenter's safety catches."""

    session: Session
    options: DashboardOptions
    _autopilot: Autopilot | None = None

    def start_mode(self, mode: Mode) -> Run | None:
        """Start ``mode`` as its key does; None if it could not start (a toast says why)."""
        raise NotImplementedError

    def show_view(self, view: View) -> None:
        raise NotImplementedError

    def say(self, story: str | None) -> None:
        """Put ``story`` in front of the caption, or take it away (the Dashboard's)."""
        raise NotImplementedError

    # -- the demo autopilot ------------------------------------------------------

    def action_demo(self) -> None:
        """Start the autopilot, or stop it: its button toggles it."""
        if not self._stop_demo():
            log = self.session.log
            autopilot = Autopilot(self, log, self.options.demo_pauses, time.monotonic)
            self._autopilot = autopilot if autopilot.begin() else None

    def advance_demo(self) -> None:
        """From the one timer: the autopilot's next step, if it is due."""
        if self._autopilot is not None and not self._autopilot.advance():
            self._autopilot = None

    @property
    def demo_step(self) -> DemoStep | None:
        """The autopilot's step, while it runs."""
        return None if self._autopilot is None else self._autopilot.step

    def show_step(self, step: DemoStep) -> None:
        """The step's words lead the caption, the one line the room reads, while it lasts."""
        self.say(f"demo, any key stops it · {step.text}")

    def _stop_demo(self) -> bool:
        """Stop the autopilot, leaving its run to finish; True if it was running."""
        autopilot, self._autopilot = self._autopilot, None
        if autopilot is not None:
            self.say(None)
        return autopilot is not None

    async def on_event(self, event: events.Event) -> None:
        """Any key stops the autopilot, then does what it always does; the autopilot's
        own key only stops it (else it would start it again at once). Textual sends
        every key here first, whichever screen or widget it is for."""
        if isinstance(event, events.Key) and self._stop_demo() and event.key == DEMO_KEY:
            return
        await super().on_event(event)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """A button or palette entry stops the autopilot too, except its own, which toggles
        it: the room should never see the autopilot and the presenter fight over a run."""
        _, name, _ = action if isinstance(action, tuple) else parse(action)
        if name != "demo":
            self._stop_demo()
        return await super().run_action(action, default_namespace, namespaces)

    # -- quitting ------------------------------------------------------------------

    def action_ask_quit(self) -> None:
        """q: with runs in the table, asks first; ctrl+q, ctrl+c and the quit signals
        never ask, so a quit that must happen always can."""
        if not self.session.log.runs:
            self.exit()
            return
        self.push_screen(QuitScreen(), lambda yes: self.exit() if yes else None)
