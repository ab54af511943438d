"""The caption: one line the tool writes about what the room is looking at.

A presenter's screen has to carry the story without a voice: during a run it counts
the cores' worth the run's own workers keep busy, and other programs' load apart from
it (a speaker's laptop is never quiet), after it says what the run gained against the bound,
and for threads on a GIL build it says why the total stays at one core. Plain words
from plain data, no Textual: the widget only paints them, and tests read them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coremeter.notes import BUSY
from coremeter.report import counted, others_text, stall_text, times, verdict_text, workload_text
from coremeter.results import Mode, RunRecord
from coremeter.run import Run
from coremeter.session import Session
from coremeter.stall import Stall
from coremeter.tui.commands import mode_key

IDLE_CAPTION = "s runs sequential, p parallel, t threads: watch which cores light up"
GIL_NOW = "the GIL runs one thread at a time"
GIL_AFTER = "the GIL ran one thread at a time"
# The article's own figure: the seed's three ranges at scale 1 sum to this.
ARTICLE_SCALE = 1.0


@dataclass(frozen=True)
class Load:
    """How busy the cores are, in cores' worth of time (the sum of their percents over
    100): ``total`` by the run's own workers, ``others`` by other programs, out of
    ``cores``."""

    total: float
    cores: int
    others: float = 0.0
    # A cluster's hosts, which the caption names; None on this machine.
    hosts: int | None = None

    @property
    def shown_others(self) -> float | None:
        """Other programs' load where it is worth a word: past the share of a core that
        makes a competition note (a dashboard's own jitter stays well under it)."""
        return self.others if self.others >= BUSY else None


def load(own: Iterable[float], others: Iterable[float], hosts: int | None = None) -> Load:
    """From each core's percent used by the run's workers, and by other programs, on a
    cluster's ``hosts``."""
    values = list(own)
    return Load(sum(values) / 100, len(values), sum(others) / 100, hosts)


def running(mode: Mode, threads: int, now: Load, seconds: float, gil: bool) -> str:
    """``parallel · 1.9 of 2 cores busy · 0.9 more by other programs · 1.4 s``: only the
    run's own workers count as busy. Threads under the GIL say why the total stays at one
    core's worth, however many cores read busy. On a cluster: ``parallel on 3 hosts ·
    24 of 24 cores busy · 2.1 s``."""
    busy = f"{now.total:.1f} of {counted(now.cores, 'core')} busy"
    others = "" if now.shown_others is None else f" · {others_text(now.shown_others)}"
    if mode == "threads" and gil:
        return f"threads: {counted(threads, 'thread')}, {busy}: {GIL_NOW}{others}"
    where = mode if now.hosts is None else f"{mode} on {counted(now.hosts, 'host')}"
    return f"{where} · {busy}{others} · {seconds:.1f} s"


def stalled(mode: Mode, stall: Stall) -> str:
    """``parallel stalled: worker on cpu1 is stopped (no progress for 5 s) · escape ends
    it``: said instead of the busy count, which would read "0 of 2 cores busy" for ever."""
    return f"{mode} {stall_text(stall)} · escape ends it"


def ended(record: RunRecord, speedup: float | None, gil: bool) -> str:
    """``parallel took 3.37 s: 1.93x sequential run 1 (bound 2.00x)``, or how it stopped.
    ``speedup``: against the last sequential run of its workload, None without one. A
    speedup that cannot be trusted says why, and no lesson is drawn from it."""
    mode, wall = record.mode, record.wall_s
    if record.state != "done":
        return f"{mode} {record.state} at {wall:.2f} s{record.detail}"
    took = f"{mode} took {wall:.2f} s"
    if not record.ok:
        return f"{took}: WRONG result"
    if mode == "sequential":
        said = f"{took} on one core: the baseline for parallel and threads"
    elif speedup is None:
        workload = workload_text(record.workload, record.shape, record.scale)
        said = f"{took}: no sequential run of {workload} to compare with (press s)"
    else:
        verdict = record.verdict
        against = "" if verdict is None else f" run {verdict.baseline}"
        said = f"{took}: {times(speedup)} sequential{against} (bound {times(record.bound)})"
        if verdict is not None and not verdict.comparable:
            return f"{said}, {verdict_text(verdict, mode_key)}"
        if mode == "threads" and gil:
            said += f": {GIL_AFTER}"
    return said + _article(record)


def _article(record: RunRecord) -> str:
    """At scale 1 the seed's work is the article's: its result, as the article printed it."""
    article = record.workload == "seed" and record.shape == "seed"
    if not article or record.scale != ARTICLE_SCALE or record.result is None:
        return ""
    return f" · result {record.result:.8e} ✓ as in the article"


def with_story(story: str | None, said: str) -> str:
    """The caption with a line someone else tells (the demo's step) in front of it."""
    return said if not story else f"{story} · {said}"


class Narrator:
    """The caption for the session as it stands: the run in progress counted from the
    meters, an ended run described once, from the session's record of it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ended: tuple[Run, str] | None = None

    def say(self, run: Run | None, now: Load, seconds: float) -> str:
        if run is None:
            return IDLE_CAPTION
        # The GIL's words where it holds the threads back: not for a workload (io, hash)
        # whose kernel releases it.
        gil = self.session.machine.gil and not run.spec.workload.releases_gil
        if run.running and run.stall is not None:
            return stalled(run.spec.mode, run.stall)
        if run.running:
            return running(run.spec.mode, len(run.spec.lanes()), now, seconds, gil)
        if self._ended is None or self._ended[0] is not run:
            # The session's record of it, with its speedup; a run it did not log (none
            # yet) is described from its own record, with nothing to compare.
            record = self.session.ended or run.record()
            self._ended = (run, ended(record, record.speedup, gil))
        return self._ended[1]
