"""The demo autopilot: the talk's story told through the Session like the keys tell it.

Sequential, parallel and threads, each held a moment after it ends so its time can be
read aloud, then the summary on the charts, and again. Each step says in one line what
the room is watching and why. A lap forgets the previous lap's runs as it starts, so
the table holds one lap however long the demo loops.

A small state machine, advanced by the dashboard's one timer: it holds no task of its
own, so stopping it is forgetting it, and its steps are tested without a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from coremeter.options import DemoPauses
from coremeter.report import counted, speedup_text
from coremeter.results import Mode, ResultsLog, RunRecord
from coremeter.runner import Run, RunSpec

View = Literal["tasks", "charts"]
# The modes the story runs, in order.
StoryMode = Literal["sequential", "parallel", "threads"]
STORY: tuple[StoryMode, ...] = get_args(StoryMode)
# Where the story stands: a mode's run (running, then held), or the summary.
Stage = StoryMode | Literal["summary"]


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
    ``turns``, whether the lap's threads took turns under the GIL."""
    speedups = {record.mode: speedup_text(record.speedup) for record in lap}
    why = "under the GIL, threads take turns" if turns else "nothing held the threads to one core"
    return (
        f"summary: parallel {speedups.get('parallel', '-')} sequential, "
        f"threads {speedups.get('threads', '-')}: {why}"
    )


class DemoHost(Protocol):
    """What the autopilot drives: the dashboard's own actions, and where it says its step."""

    def start_mode(self, mode: Mode) -> Run | None: ...

    def show_view(self, view: View) -> None: ...

    def show_step(self, step: DemoStep) -> None: ...


@dataclass
class Autopilot:
    """``advance()`` at every tick; False once it can go no further (a run failed to
    start: its toast says why, and looping would only repeat it). ``log`` is the
    session's, whose previous lap each lap forgets."""

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
    # The log's last run number before this lap began; None before the first lap, whose
    # start forgets nothing: the runs before the demo are the presenter's.
    lap: int | None = None

    def begin(self) -> bool:
        """A lap from its start: the previous lap forgotten, the task bars, a sequential run."""
        if self.lap is not None:
            self.log.forget_after(self.lap)
        self.lap = self.log.last
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
        following = STORY.index(self.step.stage) + 1
        if following < len(STORY):
            return self._start(STORY[following])
        lap = [record for _, record in self.log.numbered(after=self.lap or 0)]
        self._show(DemoStep("summary", summary_text(lap, self.turns)))
        self.run, self.until = None, now + self.pauses.comparison
        self.host.show_view("charts")
        return True

    def _start(self, mode: StoryMode) -> bool:
        self.until = None
        self.run = self.host.start_mode(mode)
        if self.run is None:
            return False
        self.turns = self.run.spec.threads_take_turns
        self._show(DemoStep(mode, run_text(self.run.spec)))
        return True

    def _show(self, step: DemoStep) -> None:
        self.step = step
        self.host.show_step(step)
