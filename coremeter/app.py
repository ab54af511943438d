"""The live dashboard: per-core meters, a big timer, task bars and the session's results.

Everything it shows comes from the engine (Session, Run, CpuSampler); the app only
polls them from one 10 Hz timer and hands values to display-only widgets. That one
timer is also the one long-lived place psutil's per-thread baseline needs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from coremeter.bench import machine_line, warnings
from coremeter.cores import Machine
from coremeter.results import TaskRecord
from coremeter.runner import Run, prepare
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.shutdown import EXIT_DEADLINE_S, QuitSignals, watch_terminal
from coremeter.widgets import CoreMeters, HelpScreen, ResultsTable, RunPanel, TaskBars
from coremeter.workload import DEFAULT_SCALE

TICK_S = 0.1
DRAW_EVERY = 2  # ticks between draws during a run: 5 Hz
# Narrower than this, the buttons take two rows instead of running off the screen.
BUTTON_ROW_WIDTH = 110
# Below this width the footer's keys need the room its ctrl+p entry takes (ctrl+p still works).
FOOTER_PALETTE_WIDTH = 90

Clock = Callable[[Run], float]


@dataclass(frozen=True)
class Command:
    """One action, offered as a key (with its footer label), a button and a palette entry."""

    binding: Binding
    title: str
    help: str


_RUN = Binding.Group("run")
_SCALE = Binding.Group("scale", compact=True)


def _run(key: str, mode: str, label: str, what: str) -> Command:
    return Command(Binding(key, f"run('{mode}')", label, group=_RUN), f"Run {mode}", what)


COMMANDS = (
    _run("s", "sequential", "seq", "Every task in order on one core"),
    _run("p", "parallel", "par", "One pinned worker process per core"),
    _run("t", "threads", "threads", "Pinned threads in one process"),
    Command(Binding("m", "toggle", "toggle"), "Toggle sequential/parallel", "Run the other one"),
    Command(Binding("space", "rerun", "rerun", key_display="␣"), "Rerun", "The last mode again"),
    Command(Binding("escape", "cancel", "cancel"), "Cancel the run", "Stop every worker now"),
    Command(
        Binding("plus", "scale(2)", "scale×2", group=_SCALE),
        "Double the scale",
        "Twice the work from the next run",
    ),
    Command(
        Binding("minus", "scale(0.5)", "scale÷2", group=_SCALE),
        "Halve the scale",
        "Half the work from the next run",
    ),
    Command(Binding("b", "shape", "shape"), "Switch shape", "seed (tasks of 1:2:3) or balanced"),
    Command(Binding("r", "clear", "clear"), "Clear results", "Empty the results table"),
    Command(Binding("question_mark", "help", "help"), "Help", "What each mode does"),
)
_QUIT = Binding("q", "quit", "quit")

HELP = """\
The article's loop, [b](n*(n+1))/2[/b] over a range, run on the selected cores.
Each run is compared with the last sequential run of the same work.

[b $accent]s[/] [b]sequential[/]: every task runs in order in one worker process pinned to \
the first selected core. It is the baseline: one core lights up, and its time is what \
the work costs without parallelism.

[b $accent]p[/] [b]parallel[/]: one worker process per core, each pinned to its core, takes \
the tasks longest first. Every selected core lights up; [i]bound[/] is the best speedup \
the task sizes allow, and [i]eff[/] how much of it the run achieved.

[b $accent]t[/] [b]threads[/]: the same lanes as parallel, run as threads of one process, \
each pinned to its core. With the GIL on, only one thread runs Python at a time, so the \
cores take turns and the speedup stays near 1x.

[b $accent]m[/] the other of sequential and parallel  [b $accent]space[/] rerun  \
[b $accent]escape[/] cancel  [b $accent]+ -[/] double or halve the work  \
[b $accent]b[/] the seed's 1:2:3 tasks or one equal task per core  [b $accent]r[/] clear \
the table  [b $accent]q[/] quit  [b $accent]ctrl+p[/] every action by name
"""


class ActionButton(Button, can_focus=False):
    """A button for the mouse; unfocusable, so space and escape keep their dashboard meaning."""


class Dashboard(App[None]):
    """One screen for the room: which cores are busy, for how long, and what it gained.

    No reactive attributes: all state lives in the Session, and a reactive on the App
    would repaint the whole screen.
    """

    CSS_PATH = "app.tcss"
    TITLE = "coremeter"
    # Set by the real program only: in tests, ending the process would end pytest too.
    exit_deadline_s: float | None = None
    BINDINGS = [
        *(c.binding for c in COMMANDS),
        _QUIT,
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        session: Session,
        sampler: CpuSampler,
        clock: Clock = Run.elapsed,
        autostart: bool = False,
    ) -> None:
        """``sampler`` and ``clock`` are the two things that change by themselves: tests
        and snapshots pass fixed ones."""
        super().__init__()
        self.session = session
        self.sampler = sampler
        self.clock = clock
        self.autostart = autostart
        self._run: Run | None = None
        self._drawn_state = ""
        self._ticks = 0

    def compose(self) -> ComposeResult:
        yield Static(id="machine", markup=False)
        yield Static(id="notes", markup=False)
        yield RunPanel(id="run")
        yield CoreMeters(self.session.cores, self.session.machine.siblings, id="meters")
        yield TaskBars(id="tasks")
        # The table and the buttons in a group of their own: a screen update of the live
        # part above then visits the group but not its children (each widget visited
        # costs CPU, changed or not).
        with Vertical(id="lower"):
            yield ResultsTable(id="results")
            with Container(id="actions"):
                for binding in (*(c.binding for c in COMMANDS), _QUIT):
                    action = f"app.{binding.action}"
                    yield ActionButton(binding.description, action=action, compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._panel = self.query_one(RunPanel)
        self._results = self.query_one(ResultsTable)
        self._meters = self.query_one(CoreMeters)
        self._tasks = self.query_one(TaskBars)
        self._quit_signals = QuitSignals(
            lambda code: self.exit(return_code=code), self.exit_deadline_s, self.session.kill_now
        )
        self._quit_signals.install()
        self._show_notes()
        self.set_interval(TICK_S, self.tick)
        if self.autostart:
            self.action_rerun()
        self.tick()

    def _show_notes(self) -> None:
        """The machine's caveats, for the parallel run the settings would start: which of
        its workers share a physical core depends on the shape."""
        session = self.session
        workers = session.spec("parallel").worker_cores
        notes = warnings(session.machine, session.cores, workers)
        notice = self.query_one("#notes", Static)
        notice.update("\n".join(f"⚠ {n}" for n in notes))
        notice.display = bool(notes)

    def on_unmount(self) -> None:
        """However the app ends (key, signal, test), no worker outlives it."""
        self._quit_signals.uninstall()
        self.session.close()

    def on_resize(self) -> None:
        """Fit the header and the buttons to the terminal's width."""
        width = self.size.width
        line = machine_line(self.session.machine, self.session.cores)
        self.query_one("#machine", Static).update(_wrap_parts(line, width - 2))
        buttons = len(self.query(ActionButton))
        wide = width >= BUTTON_ROW_WIDTH
        self.query_one("#actions").styles.grid_size_columns = buttons if wide else -(-buttons // 2)
        self.query_one(Footer).show_command_palette = width >= FOOTER_PALETTE_WIDTH

    # -- the one timer -------------------------------------------------------

    def tick(self) -> None:
        """Poll the session and the sampler at 10 Hz; draw when there is news.

        Every screen update costs CPU for each line it redraws, however small: a bare
        Textual app with one Digits redrawn at 10 Hz takes 3% of a core on a 2-core
        box, this dashboard 5% at 10 Hz and 3% at 5 Hz. So it draws at 5 Hz during
        a run, at the history's 2 Hz otherwise, and at once when a run starts or ends.
        """
        self.session.poll()
        self.sampler.sample()
        run = self.session.run
        running = run is not None and run.running
        every = DRAW_EVERY if running else self.sampler.history_every
        news = run is not self._run or (run is not None and run.state != self._drawn_state)
        if news or self._ticks % every == 0:
            self.draw()
        self._ticks += 1

    def draw(self) -> None:
        """Hand every widget the engine's current state; each skips what has not changed."""
        for record in self.session.log.runs[self._results.row_count :]:
            self._results.add_record(record)
        run = self._run = self.session.run
        pinned = self._show_run(run) if run is not None else {}
        self._meters.show(self.sampler.percent, self.sampler.history, pinned)
        self._show_status(run)

    def _show_run(self, run: Run) -> dict[int, str]:
        """Draw the task bars; returns who is pinned on which core."""
        self._drawn_state = run.state
        elapsed = self.clock(run)
        tasks = run.tasks()
        self._tasks.show(tasks, [_own_time(task, elapsed) for task in tasks])
        return self._pinned(run, tasks) if run.running else {}

    def _pinned(self, run: Run, tasks: list[TaskRecord]) -> dict[int, str]:
        """Core -> "pid P · task T" for each lane's worker, while its lane has work."""
        running = {t.id for t in tasks if t.start_s is not None and t.end_s is None}
        finished = {t.id for t in tasks if t.end_s is not None}
        pids = run.pids
        labels = {}
        for index, (core, lane) in enumerate(run.lanes):
            if core is None or not pids or all(tid in finished for tid, _ in lane):
                continue
            # One process per lane, except threads mode: one process for all lanes.
            pid = pids[index] if len(pids) == len(run.lanes) else pids[0]
            now = next((tid for tid, _ in lane if tid in running), None)
            labels[core] = f"pid {pid}" + ("" if now is None else f" · task {now}")
        return labels

    def _show_status(self, run: Run | None) -> None:
        """While a run runs it shows that run's settings; otherwise the next run's."""
        session = self.session
        if run is not None and run.running:
            spec = run.spec
            settings = (spec.mode, spec.shape, spec.scale, list(spec.cores))
        else:
            settings = (session.mode, session.shape, session.scale, session.cores)
        if run is None:
            self._panel.show(0.0, False, settings, "idle", None)
        else:
            self._panel.show(self.clock(run), run.running, settings, run.state, run.reason)

    # -- actions ---------------------------------------------------------------

    def _start(self, start: Callable[[], Run]) -> None:
        try:
            start()
        except (OSError, ValueError) as exc:
            self.notify(str(exc), title="could not start the run", severity="error")
            return
        self.draw()

    def action_run(self, mode: str) -> None:
        self._start(partial(self.session.start, mode))

    def action_toggle(self) -> None:
        self._start(self.session.toggle)

    def action_rerun(self) -> None:
        self._start(self.session.rerun)

    def action_cancel(self) -> None:
        self.session.cancel("cancelled with escape")
        self.draw()

    def action_scale(self, factor: float) -> None:
        scale = self.session.set_scale(self.session.scale * factor)
        self.notify(f"scale {scale:g} from the next run", timeout=2)
        self.draw()

    def action_shape(self) -> None:
        shape = self.session.next_shape()
        self.notify(f"shape {shape} from the next run", timeout=2)
        self._show_notes()
        self.draw()

    def action_clear(self) -> None:
        self.session.log.clear()
        self._results.clear()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(HELP))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for c in COMMANDS:
            yield SystemCommand(c.title, c.help, partial(self.run_action, c.binding.action))


def _wrap_parts(line: str, width: int, sep: str = " · ") -> str:
    """Break the header only between its parts, so no figure is split from its label."""
    lines: list[str] = []
    for part in line.split(sep):
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _own_time(task: TaskRecord, elapsed: float) -> float | None:
    if task.start_s is None:
        return None
    end = task.end_s if task.end_s is not None else elapsed
    return max(0.0, end - task.start_s)


def create_app(
    machine: Machine,
    cores: list[int],
    *,
    mode: str = "sequential",
    shape: str = "seed",
    scale: float = DEFAULT_SCALE,
    autostart: bool = False,
    sampler: CpuSampler | None = None,
    clock: Clock = Run.elapsed,
) -> Dashboard:
    """The dashboard with its session; tests pass a fake sampler and clock."""
    session = Session(machine, cores, shape, scale)
    session.mode = mode
    return Dashboard(session, sampler or CpuSampler(cores), clock, autostart)


def run_dashboard(machine: Machine, cores: list[int], args: argparse.Namespace) -> int:
    """Entry point from the CLI; the exit code is 0, or 128 + the signal that quit it."""
    prepare()
    app = create_app(
        machine,
        cores,
        mode=args.mode,
        shape=args.shape,
        scale=args.scale,
        autostart=args.autostart,
    )
    app.exit_deadline_s = EXIT_DEADLINE_S
    watch_terminal()
    try:
        app.run()
    finally:
        # on_unmount closes it too; this covers an app that failed before mounting.
        app.session.close()
    return app.return_code or 0
