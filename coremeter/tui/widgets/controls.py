"""The dashboard's controls for the mouse and the eye: its buttons and its footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Footer

from coremeter.tui.commands import SPARE_KEYS


class ActionButton(Button, can_focus=False):
    """A key's button for the mouse: its description, its app action; unfocusable, so
    space and escape keep their dashboard meaning."""

    def __init__(self, binding: Binding) -> None:
        super().__init__(binding.description, action=f"app.{binding.action}", compact=True)


class KeysFooter(Footer):
    """Textual's footer, less the SPARE_KEYS when ``narrow``: the rest then fit at 80
    columns instead of the last keys (quit and help among them) running off the edge.

    Hidden rather than left out: recomposing the footer from the first Resize stalled
    Textual's resize timer, and a dashboard resized while starting stayed blank for
    good (tests/test_e2e_terminal.py)."""

    narrow: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            self._fit(widget)
            yield widget

    def watch_narrow(self) -> None:
        for widget in self.children:
            self._fit(widget)

    def _fit(self, widget: Widget) -> None:
        # Only the footer's keys have an action; none of the spare ones is in a group.
        if getattr(widget, "action", None) in SPARE_KEYS:
            widget.display = not self.narrow
