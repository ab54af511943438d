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


def export_screen(app: App[None], session: Session, out: Path) -> None:
    runs = list(session.log.runs)
    if not runs:
        app.notify("no run has ended yet", title="nothing to export", severity="warning")
        return
    # Toasts on screen would be in the screenshot, an earlier export's paths among
    # them: clear them, and write once the screen has been drawn without them.
    app.clear_notifications()
    running = session.run is not None and session.run.running
    app.call_after_refresh(_export, app, session, out, (runs, running))


def _export(
    app: App[None], session: Session, out: Path, what: tuple[list[RunRecord], bool]
) -> None:
    runs, running = what
    try:
        paths = export_session(
            runs,
            session.machine,
            out,
            screenshot=app.export_screenshot,
        )
    except ExportError as exc:
        app.notify(str(exc), title="export failed", severity="error", markup=False)
        return
    title = f"exported {counted(len(runs), 'run')}" + ", not the one in progress" * running
    app.notify("\n".join(map(str, paths)), title=title, timeout=8, markup=False)
