"""The ``e`` key: the session's ended runs and a picture of the screen, into --out.

The app stays usable whatever happens, and a toast says where the files went.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from coremeter.export import ExportError, export_session
from coremeter.report import counted
from coremeter.results import RunRecord
from coremeter.session import Session


class Exporter:
    """Writes ``session``'s runs and ``app``'s screenshot into ``out``; ``app`` also shows
    the toasts and draws the screen the picture is taken of."""

    def __init__(self, app: App[None], session: Session, out: Path) -> None:
        self.app = app
        self.session = session
        self.out = out

    def export(self) -> None:
        runs = list(self.session.log.runs)
        if not runs:
            self.app.notify("no run has ended yet", title="nothing to export", severity="warning")
            return
        # Toasts on screen would be in the screenshot, an earlier export's paths among
        # them: clear them, and write once the screen has been drawn without them.
        self.app.clear_notifications()
        run = self.session.run
        self.app.call_after_refresh(self._write, runs, run is not None and run.running)

    def _write(self, runs: list[RunRecord], running: bool) -> None:
        app = self.app
        try:
            paths = export_session(
                runs, self.session.machine, self.out, screenshot=app.export_screenshot
            )
        except ExportError as exc:
            app.notify(str(exc), title="export failed", severity="error", markup=False)
            return
        title = f"exported {counted(len(runs), 'run')}" + ", not the one in progress" * running
        app.notify("\n".join(map(str, paths)), title=title, timeout=8, markup=False)
