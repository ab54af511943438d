"""The live dashboard: per-core meters, a big timer, task bars or charts, and the results.

Everything it shows comes from the engine (Session, Run, CpuSampler); the app only
polls them from one 10 Hz timer and hands values to display-only widgets. That one
timer is also the one long-lived place psutil's per-thread baseline needs.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from textual import events, on
from textual.actions import ActionParseResult, parse
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, ContentSwitcher, Footer, Static
from textual.worker import Worker

from coremeter.bench import fit_parts, machine_line, warnings
from coremeter.charts import SpeedupChart, Timeline
from coremeter.cores import Machine
from coremeter.export import DEFAULT_FOLDER, ExportError, export_session
from coremeter.results import RunRecord, TaskRecord
from coremeter.runner import Run, prepare
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.shutdown import EXIT_DEADLINE_S, QuitSignals, watch_terminal
from coremeter.themes import THEMES
from coremeter.widgets import (
    CoreMeters,
    HelpScreen,
    ResultsTable,
    RunPanel,
    TaskBars,
    TooSmallScreen,
)
from coremeter.workload import DEFAULT_SCALE

TICK_S = 0.1
# Below this the header, the timer and the meters no longer fit: a notice says so instead.
MIN_SIZE = (40, 12)
DRAW_EVERY = 2  # ticks between draws during a run: 5 Hz
CHART_EVERY = 4  # ticks between chart updates during a run, when they are shown: 2.5 Hz
# Below this width the footer's keys need the room its ctrl+p entry takes (ctrl+p still works).
FOOTER_PALETTE_WIDTH = 90
# Below this width the footer leaves out SPARE_KEYS: all the others fit at 80 columns.
FOOTER_ALL_KEYS_WIDTH = 110
# The results table's least useful height, its margin included: a header and three rows.
# In the charts view it gives way to the charts rather than shrink below this.
RESULTS_ROOM = 5
# Runs the session keeps, and the table shows: about three hours of the demo autopilot.
RESULTS_KEEP = 1000

Clock = Callable[[Run], float]


@dataclass(frozen=True)
class DemoPauses:
    """How long the autopilot holds each picture, in seconds; tests pass short ones."""

    # After each run: long enough to read its time and speedup aloud.
    after_run: float = 3.0
    # The comparison, before it starts over: the picture the talk is about.
    comparison: float = 10.0


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
    Command(
        Binding("v", "view", "charts"),
        "Switch view",
        "Task bars, or the timeline and speedup chart",
    ),
    Command(
        Binding("d", "demo", "demo"),
        "Demo autopilot",
        "Sequential, parallel, the comparison, in a loop; any key stops it",
    ),
    Command(Binding("e", "export", "export"), "Export", "JSON, CSV and an SVG of the screen"),
    Command(Binding("question_mark", "help", "help"), "Help", "What each mode does"),
)
_QUIT = Binding("q", "quit", "quit")
# Escape and a key in one read of the terminal (tmux send-keys, keys typed over a laggy
# ssh) reach Textual as one alt+key: it stands for both, in order, so neither is lost.
_AFTER_ESCAPE = [
    Binding(f"alt+{b.key}", f"after_escape({b.action!r})", show=False)
    for b in (*(c.binding for c in COMMANDS), _QUIT)
    if b.key != "escape"
]
# Actions a narrow footer can leave out: their buttons, the help and the palette stay.
SPARE_KEYS = frozenset({"toggle", "shape", "clear"})
DEMO_KEY = next(c.binding.key for c in COMMANDS if c.binding.action == "demo")

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
the table  [b $accent]v[/] task bars, or the [b]timeline[/] and [b]speedup chart[/]  \
[b $accent]d[/] [b]demo[/]: sequential, parallel, the comparison, until any key  \
[b $accent]e[/] export JSON, CSV and SVG into --out  [b $accent]q[/] quit  \
[b $accent]ctrl+p[/] every action by name, and Theme (coremeter-projector for a projector)
"""


class ActionButton(Button, can_focus=False):
    """A button for the mouse; unfocusable, so space and escape keep their dashboard meaning."""


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
        *_AFTER_ESCAPE,
        _QUIT,
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        session: Session,
        sampler: CpuSampler,
        clock: Clock = Run.elapsed,
        autostart: bool = False,
        *,
        demo: bool = False,
        demo_pauses: DemoPauses = DemoPauses(),
        out: Path = DEFAULT_FOLDER,
        theme: str | None = None,
    ) -> None:
        """``sampler`` and ``clock`` are the two things that change by themselves: tests
        and snapshots pass fixed ones. ``theme`` None keeps Textual's default."""
        super().__init__()
        self.session = session
        self.sampler = sampler
        self.clock = clock
        self.autostart = autostart
        self.demo = demo
        self.demo_pauses = demo_pauses
        self.out = out
        for registered in THEMES.values():
            self.register_theme(registered)
        if theme is not None:
            self.theme = theme
        self._run: Run | None = None
        self._drawn_state = ""
        self._ticks = 0
        self._autopilot: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="machine", markup=False)
        yield Static(id="notes", markup=False)
        yield RunPanel(id="run")
        yield CoreMeters(self.session.cores, self.session.machine.siblings, id="meters")
        with ContentSwitcher(initial="tasks", id="views"):
            yield TaskBars(id="tasks")
            # Scrolls only where even the results table's room is too short for it.
            with VerticalScroll(id="charts", can_focus=False):
                yield Timeline(id="timeline")
                yield SpeedupChart(id="speedup")
        # The table and the buttons in a group of their own: a screen update of the live
        # part above then visits the group but not its children (each widget visited
        # costs CPU, changed or not).
        with Vertical(id="lower"):
            yield ResultsTable(id="results")
            with Container(id="actions"):
                for binding in (*(c.binding for c in COMMANDS), _QUIT):
                    action = f"app.{binding.action}"
                    yield ActionButton(binding.description, action=action, compact=True)
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._panel = self.query_one(RunPanel)
        self._results = self.query_one(ResultsTable)
        self._meters = self.query_one(CoreMeters)
        self._tasks = self.query_one(TaskBars)
        self._views = self.query_one(ContentSwitcher)
        self._timeline = self.query_one(Timeline)
        self._speedup = self.query_one(SpeedupChart)
        self._actions = self.query_one("#actions")
        self._footer = self.query_one(KeysFooter)
        # The charts' room is known once a layout places everything at the new size, the
        # new view, or the charts' new row count.
        self.screen.screen_layout_refresh_signal.subscribe(self, lambda _: self._fit_charts())
        self.theme_changed_signal.subscribe(self, lambda _: self._refill_results())
        self._quit_signals = QuitSignals(
            lambda code: self.exit(return_code=code), self.exit_deadline_s, self.session.kill_now
        )
        self._quit_signals.install()
        self._show_notes()
        self.set_interval(TICK_S, self.tick)
        if self.demo:
            self.action_demo()
        elif self.autostart:
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

    @on(events.Resize)
    def _resized(self, event: events.Resize) -> None:
        """Below MIN_SIZE, hide the dashboard at once (app.tcss), so nothing is laid out
        where it cannot be read, and cover it with a notice after the next refresh: the
        first Resize comes before on_mount, whose queries must find the dashboard."""
        width, height = MIN_SIZE
        self.set_class(event.size.width < width or event.size.height < height, "-too-small")
        self.call_after_refresh(self._check_minimum)

    def _check_minimum(self) -> None:
        small = self.has_class("-too-small")
        notice = self.screen if isinstance(self.screen, TooSmallScreen) else None
        if small:
            if notice is None:
                notice = TooSmallScreen(MIN_SIZE)
                self.push_screen(notice)
            notice.show(self.size)
        elif notice is not None:
            self.pop_screen()
            # Textual restyles only the screen on top: the dashboard's missed the change.
            self.call_after_refresh(self.refresh_css, False)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the header and the buttons to the terminal's width: the event's, since
        App.size only takes it after this handler (App's own runs last)."""
        width = event.size.width
        line = machine_line(self.session.machine, self.session.cores)
        self.query_one("#machine", Static).update(fit_parts(line, width - 2))
        labels = [len(str(button.label)) for button in self.query(ActionButton)]
        buttons = len(labels)
        # One row where every label fits with a cell of air either side; else two rows.
        wide = width >= buttons * (max(labels) + 3) + 1
        self.query_one("#actions").styles.grid_size_columns = buttons if wide else -(-buttons // 2)
        footer = self.query_one(KeysFooter)
        footer.show_command_palette = width >= FOOTER_PALETTE_WIDTH
        footer.narrow = width < FOOTER_ALL_KEYS_WIDTH

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
        if news or (running and self._ticks % CHART_EVERY == 0):
            self._show_charts()
        self._ticks += 1

    def draw(self) -> None:
        """Hand every widget the engine's current state; each skips what has not changed."""
        self._results.sync(self.session.log)
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
            if core is None or not pids or all(task.id in finished for task in lane):
                continue
            # One process per lane, except threads mode: one process for all lanes.
            pid = pids[index] if len(pids) == len(run.lanes) else pids[0]
            now = next((task.id for task in lane if task.id in running), None)
            labels[core] = f"pid {pid}" + ("" if now is None else f" · task {now}")
        return labels

    def _show_charts(self) -> None:
        """Hand the charts the log and the run so far, while they are on screen: hidden,
        they would lay out rows nobody sees."""
        if self._views.current != "charts":
            return
        run, runs = self.session.run, self.session.log.runs
        live = None
        if run is not None and run.running:
            live = replace(run.record(), wall_s=self.clock(run))
        self._timeline.show(runs, live)
        self._speedup.show(runs)

    def _fit_charts(self) -> None:
        """In the charts view the results table keeps its place below the charts where
        they leave it RESULTS_ROOM rows (120x35 with a few cores); elsewhere the charts
        take the table's room too. Either way the buttons stay on screen. A change of
        class lays the screen out again, which calls this again, to no change."""
        charts_only = False
        if self._views.current == "charts":
            need = self._timeline.rows(self._timeline.size.width) + self._speedup.rows(
                self._speedup.size.width
            )
            need += self._speedup.styles.margin.top
            room = self._footer.region.y - self._views.region.y - self._actions.outer_size.height
            charts_only = room - need < RESULTS_ROOM
        self.screen.set_class(charts_only, "-charts-only")

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

    def _start(self, start: Callable[[], Run]) -> Run | None:
        try:
            run = start()
        except (OSError, ValueError) as exc:
            self.notify(str(exc), title="could not start the run", severity="error")
            return None
        self.draw()
        return run

    def action_run(self, mode: str) -> None:
        self._start(partial(self.session.start, mode))

    def action_toggle(self) -> None:
        self._start(self.session.toggle)

    def action_rerun(self) -> None:
        self._start(self.session.rerun)

    def action_cancel(self) -> None:
        self.session.cancel("cancelled with escape")
        self.draw()

    async def action_after_escape(self, action: str) -> None:
        self.action_cancel()
        await self.run_action(action)

    def action_scale(self, factor: float) -> None:
        scale = self.session.scale
        if self.session.step_scale(factor):
            self.notify(f"scale {self.session.scale:g} from the next run", timeout=2)
        else:
            self.notify(f"scale stays {scale:g}: {scale * factor:g} is past its limit", timeout=2)
        self.draw()

    def action_shape(self) -> None:
        shape = self.session.next_shape()
        self.notify(f"shape {shape} from the next run", timeout=2)
        self._show_notes()
        self.draw()

    def action_clear(self) -> None:
        self.session.log.clear()
        self._results.clear()
        self._show_charts()

    def _refill_results(self) -> None:
        """The table's check column holds colours, not CSS: a new theme redraws its rows."""
        self._results.clear()
        self.draw()

    def action_view(self, view: str | None = None) -> None:
        """Show ``view`` ("tasks" or "charts"); with none, the other one."""
        if view is None:
            view = "charts" if self._views.current == "tasks" else "tasks"
        self._views.current = view
        self._show_charts()
        # The table is shorter in the charts view: keep the newest run in sight.
        self.call_after_refresh(self._results.scroll_end, animate=False)

    def action_export(self) -> None:
        """Write into --out; the app stays usable whatever happens, and a toast says where."""
        runs = list(self.session.log.runs)
        if not runs:
            self.notify("no run has ended yet", title="nothing to export", severity="warning")
            return
        # Toasts on screen would be in the screenshot, an earlier export's paths among
        # them: clear them, and write once the screen has been drawn without them.
        self.clear_notifications()
        running = self.session.run is not None and self.session.run.running
        self.call_after_refresh(self._export, runs, running)

    def _export(self, runs: list[RunRecord], running: bool) -> None:
        try:
            paths = export_session(
                runs,
                self.session.machine,
                self.out,
                screenshot=lambda path: self.save_screenshot(path.name, str(path.parent)),
            )
        except ExportError as exc:
            self.notify(str(exc), title="export failed", severity="error", markup=False)
            return
        title = f"exported {len(runs)} run{'' if len(runs) == 1 else 's'}"
        if running:
            title += ", not the one in progress"
        self.notify("\n".join(map(str, paths)), title=title, timeout=8, markup=False)

    # -- the demo autopilot ------------------------------------------------------

    def action_demo(self) -> None:
        """Start the autopilot, or stop it: its button toggles it."""
        if not self._stop_demo():
            self._autopilot = self.run_worker(self._demo_loop(), group="demo", exclusive=True)
            self.notify("demo autopilot: any key stops it", timeout=4)

    async def _demo_loop(self) -> None:
        """The talk's story, told through the Session like the keys tell it: sequential,
        a pause, parallel, a pause, then the comparison, and again."""
        pauses = self.demo_pauses
        while True:
            self.action_view("tasks")
            for mode in ("sequential", "parallel"):
                run = self._start(partial(self.session.start, mode))
                if run is None:
                    return  # the toast says why; looping would only repeat it
                while run.running:
                    await asyncio.sleep(TICK_S)
                await asyncio.sleep(pauses.after_run)
            self.action_view("charts")
            await asyncio.sleep(pauses.comparison)

    def _stop_demo(self) -> bool:
        """Stop the autopilot, leaving its run to finish; True if it was running."""
        autopilot, self._autopilot = self._autopilot, None
        if autopilot is None or autopilot.is_finished:
            return False
        autopilot.cancel()
        return True

    async def on_event(self, event: events.Event) -> None:
        """Any key stops the autopilot, then does what it always does; the autopilot's
        own key only stops it (else it would start it again at once). Textual sends
        every key here first, whichever screen or widget it is for."""
        if isinstance(event, events.Key) and self._stop_demo() and event.key == DEMO_KEY:
            return
        await super().on_event(event)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """A button or palette entry stops the autopilot too, except its own, which toggles
        it: the room should never see the autopilot and the presenter fight over a run."""
        _, name, _ = action if isinstance(action, tuple) else parse(action)
        if name != "demo":
            self._stop_demo()
        return await super().run_action(action, default_namespace, namespaces)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(HELP))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for c in COMMANDS:
            yield SystemCommand(c.title, c.help, partial(self.run_action, c.binding.action))


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
    demo: bool = False,
    demo_pauses: DemoPauses = DemoPauses(),
    out: Path = DEFAULT_FOLDER,
    theme: str | None = None,
) -> Dashboard:
    """The dashboard with its session; tests pass a fake sampler and clock."""
    session = Session(machine, cores, shape, scale, keep=RESULTS_KEEP)
    session.mode = mode
    return Dashboard(
        session,
        sampler or CpuSampler(cores),
        clock,
        autostart,
        demo=demo,
        demo_pauses=demo_pauses,
        out=out,
        theme=theme,
    )


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
        demo=args.demo,
        out=args.out,
        theme=args.theme,
    )
    app.exit_deadline_s = EXIT_DEADLINE_S
    watch_terminal()
    try:
        app.run()
    finally:
        # on_unmount closes it too; this covers an app that failed before mounting.
        app.session.close()
    return app.return_code or 0
