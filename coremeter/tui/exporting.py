"""The ``e`` key: the session's ended runs, their recording and a picture of the screen,
into --out; and ``--record FILE``: the session's recording, written as it quits.

The app stays usable whatever happens, and a toast says where the files went.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from textual.app import App

from coremeter.export import ExportError, export_session
from coremeter.options import NO_RECORDING, RecordOptions
from coremeter.recorder import Recorder
from coremeter.recording import RecordingError, encode, save
from coremeter.report import counted
from coremeter.results import RunRecord
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.shutdown import writing

# The runs whose samples an export holds when nothing asked for a recording: a dashboard
# left on the demo all day must not grow without end (256 cores: about 1 MB a run).
EXPORT_KEEP = 50


class Exporter:
    """Writes ``session``'s runs and ``app``'s screenshot into ``out``; ``app`` also shows
    the toasts and draws the screen the picture is taken of. Records the runs as they
    run, for the export and for ``record``."""

    def __init__(
        self, app: App[None], session: Session, out: Path, record: RecordOptions = NO_RECORDING
    ) -> None:
        self.app = app
        self.session = session
        self.out = out
        self.record = record
        keep = None if record.path is not None else EXPORT_KEEP
        self.recorder = Recorder(session.machine, record.label, keep)

    def tick(self, sampler: CpuSampler) -> None:
        """At the app's tick, once ``sampler`` has sampled."""
        self.recorder.tick(self.session.run, self.session.log, sampler)

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
        self.recorder.collect(self.session.run, self.session.log)
        recording = self.recorder.recording()
        try:
            paths = export_session(
                runs,
                self.session.machine,
                self.out,
                screenshot=app.export_screenshot,
                recording=encode(recording) if recording.runs else None,
            )
        except ExportError as exc:
            app.notify(str(exc), title="export failed", severity="error", markup=False)
            return
        title = f"exported {counted(len(runs), 'run')}" + ", not the one in progress" * running
        app.notify("\n".join(map(str, paths)), title=title, timeout=8, markup=False)

    def finish(self) -> bool:
        """Once the session has closed: write ``record``'s file, if asked for, and say so
        on stderr in one line; False if it could not be written."""
        if self.record.path is None:
            return True
        self.recorder.collect(self.session.run, self.session.log)
        recording = self.recorder.recording()
        try:
            with writing():
                save(recording, self.record.path)
        except RecordingError as exc:
            _tell(f"coremeter: {exc}")
            return False
        _tell(f"coremeter: recorded {counted(len(recording.runs), 'run')} to {self.record.path}")
        return True


def _tell(line: str) -> None:
    with contextlib.suppress(OSError):  # after a hangup there is no terminal to tell
        print(line, file=sys.stderr)
