"""What the run panel says beside the timer, so that it never says something false.

The time on the big timer belongs to one run; the words beside it are that run's own
mode, workload and the cores it used (sequential: one), never the settings changed
since. Settings that differ show on a line of their own, marked as the next run's.
Plain data from the engine, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from coremeter.cores import format_core_list
from coremeter.report import workload_text
from coremeter.results import Mode, RunState
from coremeter.runner import Run, RunSpec
from coremeter.session import Session

NEXT = "next run: "


@dataclass(frozen=True)
class Settings:
    """A run's mode, workload and the cores it uses, as the panel writes them."""

    mode: Mode
    shape: str
    scale: float
    cores: tuple[int, ...]

    @classmethod
    def of(cls, spec: RunSpec) -> Settings:
        return _settings(spec)

    @property
    def text(self) -> str:
        where = "core" if len(self.cores) == 1 else "cores"
        return (
            f"{self.mode} · {workload_text(self.shape, self.scale)} · "
            f"{where} {format_core_list(list(self.cores))}"
        )


@dataclass(frozen=True)
class Status:
    """The panel's words: ``shown`` is the run the timer times (None before any), ``next``
    the next run's settings where they differ from it (or where there is no run yet)."""

    shown: Settings | None
    state: RunState
    reason: str | None
    next: Settings | None


@lru_cache(maxsize=16)
def _settings(spec: RunSpec) -> Settings:
    """Made once per spec: the panel asks at every draw, and a spec of many cores takes
    its schedule to say which cores it uses."""
    return Settings(spec.mode, spec.shape, spec.scale, tuple(spec.cores_used))


@lru_cache(maxsize=16)
def _upcoming(session: Session, mode: Mode, workload: tuple[str, float]) -> Settings:
    """The next run's settings, made again when its mode or ``workload`` (shape, scale)
    changes."""
    return Settings.of(session.spec(mode))


def status(session: Session, run: Run | None) -> Status:
    upcoming = _upcoming(session, session.mode, (session.shape, session.scale))
    if run is None:
        return Status(None, "idle", None, upcoming)
    shown = Settings.of(run.spec)
    changed = (upcoming.mode, upcoming.shape, upcoming.scale) != (
        shown.mode,
        shown.shape,
        shown.scale,
    )
    return Status(shown, run.state, run.reason, upcoming if changed else None)
