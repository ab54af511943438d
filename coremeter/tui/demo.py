"""The demo autopilot: the talk's story told through the Session like the keys tell it.

Sequential, parallel and threads, each held a moment after it ends so its time can be
read aloud, then the summary on the charts, and again. Each step says in one line what
the room is watching and why. A lap forgets the previous lap's runs once it is complete
itself, so the table holds one whole lap however long the demo loops, and stopping the
demo mid-lap leaves the last whole lap in the table and the export.

A busy laptop can spoil a comparison (coremeter.verdict): a run whose speedup cannot be
trusted is measured again, its baseline first, up to REMEASURE times a lap; a lap still
spoiled says the machine is too busy to show the lesson, and why, rather than telling
the lesson against its own numbers ("parallel 2.93x" on 2 cores).

A small state machine, advanced by the dashboard's one timer: it holds no task of its
own, so stopping it is forgetting it, and its steps are tested without a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

from coremeter.options import DemoPauses
from coremeter.report import causes_text, counted, speedup_text
from coremeter.results import Mode, ResultsLog, RunRecord
from coremeter.run import Run
from coremeter.spec import RunSpec

View = Literal["tasks", "charts"]
# The modes the story runs, in order.
StoryMode = Literal["sequential", "parallel", "threads"]
STORY: tuple[StoryMode, ...] = get_args(StoryMode)
# Where the story stands: a mode's run (running, then held), or the summary.
Stage = StoryMode | Literal["summary"]
# How many times a lap measures a spoiled comparison again (its baseline and its run):
# enough to ride out a slow spell, few enough that a busy machine's lap still ends.
REMEASURE = 2
AGAIN = "again, the last comparison could not be trusted · "


@dataclass(frozen=True)
class DemoStep:
    """A step of the story, and what the room is told about it."""

    stage: Stage
    text: str


def run_text(spec: RunSpec) -> str:
    """What a run of the story shows, in words true of this run: its tasks, its workers."""
    tasks, lanes = counted(len(spec.tasks), "task"), len(spec.lanes())
    if spec.mode == "sequential":
        return f"sequential: one core runs all {tasks}, one after another"
    if spec.mode == "parallel":
        workers = counted(lanes, "worker")
        return f"parallel: {workers}, one process pinned to each core, share the {tasks}"
    threads = counted(lanes, "thread")
    if spec.threads_take_turns:
        return f"threads: {threads} in one process; the GIL lets one thread run Python at a time"
    if spec.gil:
        cores = counted(lanes, "core")
        return f"threads: {threads} in one process; this work releases the GIL: {cores} at once"
    return (
        f"threads: {threads} in one process, and no GIL: they use {counted(lanes, 'core')} at once"
    )


def summary_text(lap: list[RunRecord], turns: bool) -> str:
    """The lap's result against sequential, and why threads fell short of it (or did not):
    ``turns``, whether the lap's threads took turns under the GIL. A lap whose last runs
    still cannot be compared says so, and why, instead."""
    last = {record.mode: record for record in lap}
    spoiled = [
        f"{record.mode} {speedup_text(record.speedup)}, {causes_text(record.verdict)}"
        for record in last.values()
        if record.verdict is not None and not record.verdict.comparable
    ]
    if spoiled:
        return f"summary: the machine is too busy to show the lesson: {'; '.join(spoiled)}"
    speedups = {mode: speedup_text(record.speedup) for mode, record in last.items()}
    why = "under the GIL, threads take turns" if turns else "nothing held the threads to one core"
    return (
        f"summary: parallel {speedups.get('parallel', '-')} sequential, "
        f"threads {speedups.get('threads', '-')}: {why}"
    )


def spoiled(log: ResultsLog, after: int) -> bool:
    """Whether the last run of the lap that began after run ``after`` cannot be trusted."""
    runs = log.numbered(after=after)
    verdict = runs[-1][1].verdict if runs else None
    return verdict is not None and not verdict.comparable


class DemoHost(Protocol):
    """What the autopilot drives: the dashboard's own actions, and where it says its step."""

    def start_mode(self, mode: Mode) -> Run | None: ...

    def show_view(self, view: View) -> None: ...

    def show_step(self, step: DemoStep) -> None: ...


@dataclass
class Autopilot:
    """``advance()`` at every tick; False once it can go no further (a run failed to
    start: its toast says why, and looping would only repeat it). ``log`` is the
    session's, whose previous lap each complete lap forgets."""

    host: DemoHost
    log: ResultsLog
    pauses: DemoPauses
    clock: Callable[[], float]
    step: DemoStep | None = None
    # Whether the lap's threads took turns under the GIL, said again in the summary.
    turns: bool = True
    run: Run | None = None
    # When the picture on screen has been held long enough; None while a run runs.
    until: float | None = None
    # The log's last run number before this lap began; None before the first lap: the
    # runs before the demo are the presenter's, never forgotten.
    lap: int | None = None
    # The numbers of the previous lap's runs, (after, up to): forgotten once this lap is
    # complete, so that the table always holds a whole lap.
    previous: tuple[int, int] | None = None
    # The modes this lap has still to run, in order, and how often the comparison it is
    # making was measured again.
    queue: list[StoryMode] = field(default_factory=list)
    tries: int = 0

    def begin(self) -> bool:
        """A lap from its start: the task bars, a sequential run, then the rest of STORY."""
        if self.lap is not None:
            self.previous = (self.lap, self.log.last)
        self.lap = self.log.last
        self.queue, self.tries = list(STORY[1:]), 0
        self.host.show_view("tasks")
        return self._start("sequential")

    def advance(self) -> bool:
        now = self.clock()
        if self.step is None or self.step.stage == "summary":
            return self.begin() if self.until is not None and now >= self.until else True
        if self.run is not None and self.run.running:
            return True
        if self.until is None:
            self.until = now + self.pauses.after_run
            return True
        if now < self.until:
            return True
        stage = self.step.stage
        again = self.tries < REMEASURE and spoiled(self.log, self.lap or 0)
        if again:
            self.tries += 1
            self.queue[:0] = ["sequential", stage]
        elif stage != "sequential":
            self.tries = 0  # the next comparison has its own tries
        if self.queue:
            return self._start(self.queue.pop(0), again=again)
        if self.previous is not None:
            self.log.forget_after(*self.previous)
            self.previous = None
        lap = [record for _, record in self.log.numbered(after=self.lap or 0)]
        self._show(DemoStep("summary", summary_text(lap, self.turns)))
        self.run, self.until = None, now + self.pauses.comparison
        self.host.show_view("charts")
        return True

    def _start(self, mode: StoryMode, again: bool = False) -> bool:
        self.until = None
        self.run = self.host.start_mode(mode)
        if self.run is None:
            return False
        self.turns = self.run.spec.threads_take_turns
        self._show(DemoStep(mode, AGAIN * again + run_text(self.run.spec)))
        return True

    def _show(self, step: DemoStep) -> None:
        self.step = step
        self.host.show_step(step)
