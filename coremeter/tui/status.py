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
from coremeter.report import explanation, notes_text, parallelism_text, verdict_text
from coremeter.results import Mode, RunRecord, RunState
from coremeter.run import Run
from coremeter.schedule import Schedule
from coremeter.session import Session
from coremeter.spec import RunSpec
from coremeter.tui.commands import mode_key
from coremeter.workload import Workload

NEXT = "next run: "
# Where the settings do not fit the panel's width, the parts left out first, in order:
# the schedule, the shape, the workload, then the scale; the mode and the cores stay.
SETTINGS_DROP = (3, 2, 1, 4)


@dataclass(frozen=True)
class Settings:
    """A run's mode, workload, schedule and the cores it uses, as the panel writes them:
    the workload and the shape named as the keys name them (w work, b shape), since the
    reference workload and its shape are both called seed."""

    mode: Mode
    workload: Workload
    shape: str
    scale: float
    schedule: Schedule
    cores: tuple[int, ...]

    @classmethod
    def from_spec(cls, spec: RunSpec) -> Settings:
        return _settings(spec)

    @property
    def parts(self) -> list[str]:
        where = "core" if len(self.cores) == 1 else "cores"
        return [
            self.mode,
            f"work {self.workload.name}",
            f"shape {self.shape}",
            self.schedule,
            self.workload.size_text(self.scale),
            f"{where} {format_core_list(list(self.cores))}",
        ]

    @property
    def text(self) -> str:
        return " · ".join(self.parts)

    @property
    def choice(self) -> tuple[object, ...]:
        """What the next run's settings are chosen by: when it differs, they are shown."""
        return (self.mode, self.workload, self.shape, self.scale, self.schedule)


@dataclass(frozen=True)
class Outcome:
    """How a run stands: its state, what explains its speedup once it has one (the
    factors), then ``judged``: what the parallelism gave and whether the speedup can be
    trusted (``trusted``), and the line under it: why it stopped, else its notes."""

    state: RunState
    explained: str = ""
    detail: str = ""
    judged: str = ""
    trusted: bool = True

    @classmethod
    def from_run(cls, run: Run | None, ended: RunRecord | None) -> Outcome:
        """How ``run`` stands (idle before the first); ``ended`` is the record of the run
        that ended last, which is this run's once it is no longer running."""
        if run is None:
            return cls("idle")
        detail = run.reason or notes_text(run.notes, sep="  ")
        if ended is None or run.running:
            return cls(run.state, "", detail)
        judged = [parallelism_text(ended.factors)] if ended.factors is not None else []
        verdict = ended.verdict
        if verdict is not None:
            judged.append(verdict_text(verdict, mode_key))
        trusted = verdict is None or verdict.comparable
        return cls(run.state, explanation(ended) or "", detail, " · ".join(judged), trusted)


@dataclass(frozen=True)
class Status:
    """The panel's words: ``shown`` is the run the timer times (None before any), how it
    stands, and ``next`` the next run's settings where they differ from it (or where
    there is no run yet)."""

    shown: Settings | None
    outcome: Outcome
    next: Settings | None


@lru_cache(maxsize=16)
def _settings(spec: RunSpec) -> Settings:
    """Made once per spec: the panel asks at every draw, and a spec of many cores takes
    its schedule to say which cores it uses."""
    return Settings(
        spec.mode, spec.workload, spec.shape, spec.scale, spec.schedule, tuple(spec.cores_used)
    )


@lru_cache(maxsize=16)
def _upcoming(session: Session, choice: tuple[object, ...]) -> Settings:
    """The next run's settings, made again when what chooses them (``choice``) changes."""
    return Settings.from_spec(session.spec(session.mode))


def status(session: Session, run: Run | None) -> Status:
    choice = (session.mode, session.workload, session.shape, session.scale, session.schedule)
    upcoming = _upcoming(session, choice)
    outcome = Outcome.from_run(run, session.ended)
    if run is None:
        return Status(None, outcome, upcoming)
    shown = Settings.from_spec(run.spec)
    return Status(shown, outcome, upcoming if upcoming.choice != shown.choice else None)
