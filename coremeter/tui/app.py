"""The live dashboard: per-core meters, a big timer, task bars or charts, and the results.

Everything it shows comes from the engine (Session, Run, CpuSampler); the app only
polls them from one 10 Hz timer and hands values to display-only widgets. That one
timer is also the one long-lived place psutil's per-thread baseline needs, and the
one that advances the demo autopilot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import cached_property, partial
from typing import Any

from textual import events
from textual.actions import ActionParseResult, parse
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from coremeter.cores import Machine
from coremeter.options import DEFAULTS, DashboardOptions
from coremeter.results import Mode, RunState
from coremeter.run import Run
from coremeter.runner import prepare
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.shutdown import EXIT_DEADLINE_S, QuitSignals, watch_terminal
from coremeter.tui.caption import Narrator, load, with_story
from coremeter.tui.commands import AFTER_ESCAPE, COMMANDS, DEMO_KEY, HELP, QUIT, workload_entries
from coremeter.tui.demo import View
from coremeter.tui.exporting import Exporter
from coremeter.tui.fit import Fitter, fit_width
from coremeter.tui.layout.screen import MIN_SIZE, too_small
from coremeter.tui.layout.tasks import own_time, pinned_labels
from coremeter.tui.pace import Pacer
from coremeter.tui.presenter import Presenter
from coremeter.tui.screenshot import offline_svg
from coremeter.tui.settings import NextRunSettings
from coremeter.tui.status import status
from coremeter.tui.themes import THEMES
from coremeter.tui.widgets.caption import Caption
from coremeter.tui.widgets.charts import SpeedupChart, Timeline
from coremeter.tui.widgets.controls import ActionButton, KeysFooter
from coremeter.tui.widgets.meters import CoreMeters
from coremeter.tui.widgets.results_table import ResultsTable
from coremeter.tui.widgets.run_panel import RunPanel
from coremeter.tui.widgets.screens import HelpScreen, QuitScreen, cover_when_too_small
from coremeter.tui.widgets.tasks import TaskBars

TICK_S = 0.1
# Ticks between draws during a run: 5 Hz where frames are cheap, down to 1 Hz where they
# are not (coremeter.tui.pace).
DRAW_FASTEST, DRAW_SLOWEST = 2, 10
METERS = 0.27  # the meters' share of the height before they get more compact
# Runs the session keeps, and the table shows: about three hours of the demo autopilot.
RESULTS_KEEP = 1000

Clock = Callable[[Run], float]


def elapsed(run: Run) -> float:
    """The run's own clock: the live dashboard's (tests and snapshots pass fixed ones)."""
    return run.elapsed()


class Dashboard(App[None]):
    """One screen for the room: which cores are busy, for how long, and what it gained.
    No reactive attributes: all state lives in the Session (a reactive repaints all)."""

    CSS_PATH = "app.tcss"
    TITLE = "coremeter"
    # Set by the real program only: in tests, ending the process would end pytest too.
    exit_deadline_s: float | None = None
    BINDINGS = [
        *(c.binding for c in COMMANDS),
        *AFTER_ESCAPE,
        QUIT,
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
        # Textual turns the terminal's ISIG off: Ctrl+Z reaches the app as a key.
        Binding("ctrl+z", "suspend_process", "suspend", show=False, priority=True),
    ]

    def __init__(
        self,
        session: Session,
        sampler: CpuSampler,
        options: DashboardOptions = DEFAULTS,
        clock: Clock = elapsed,
    ) -> None:
        """``sampler`` and ``clock`` are the two things that change by themselves: tests
        and snapshots pass fixed ones."""
        super().__init__()
        self.session = session
        self.sampler = sampler
        self.options = options
        self.clock = clock
        for registered in THEMES.values():
            self.register_theme(registered)
        if options.theme is not None:
            self.theme = options.theme
        # The run the screen last drew, and its state then: a change is drawn at once.
        self._drawn_run: Run | None = None
        self._drawn_state: RunState | None = None
        self._ticks = 0
        self._frame_s = 0.0  # the time into the run the last frame drew
        self._pacer = Pacer(TICK_S, DRAW_FASTEST, DRAW_SLOWEST)
        self._narrator = Narrator(session)
        self.exporter = Exporter(self, session, options.out, options.record)
        self.presenter = Presenter(
            session.log, options.demo_pauses, self.start_mode, self.show_view, self.say
        )
        # What someone else tells the room in front of the caption: the demo's step.
        self.story: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="machine", markup=False)
        yield Static(id="notes", markup=False)
        yield Caption(id="caption")
        yield RunPanel(id="run")
        yield CoreMeters(self.session.cores, self.session.machine.siblings, METERS, id="meters")
        with Vertical(id="views"):
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
                for binding in (*(c.binding for c in COMMANDS), QUIT):
                    yield ActionButton(binding)
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._panel = self.query_one(RunPanel)
        self._caption = self.query_one(Caption)
        self._results = self.query_one(ResultsTable)
        self._meters = self.query_one(CoreMeters)
        self._tasks = self.query_one(TaskBars)
        self._timeline = self.query_one(Timeline)
        self._speedup = self.query_one(SpeedupChart)
        # The charts' room is known once a layout places everything (size, view, rows).
        self.screen.screen_layout_refresh_signal.subscribe(self, lambda _: self._fit())
        self.theme_changed_signal.subscribe(self, lambda _: self._refill_results())
        # Back from Ctrl+Z or SIGTSTP, the shell has drawn over the screen, and Textual
        # repaints only what changes after a resume: the footer and table stayed blank.
        self.app_resume_signal.subscribe(self, lambda _: self.screen.refresh(layout=True))
        self._quit_signals = QuitSignals(
            lambda code: self.exit(return_code=code), self.exit_deadline_s, self.session.kill_now
        )
        self._quit_signals.install()
        notes = self.query_one("#notes", Static)
        self.next_run = NextRunSettings(
            self.session, self.notify, notes, self.draw, self._show_charts
        )
        self.next_run.show_notes()
        self.set_interval(TICK_S, self.tick)
        if self.options.demo:
            self.action_demo()
        elif self.options.autostart:
            self.action_rerun()
        self.tick()

    @cached_property
    def _fitter(self) -> Fitter:
        """Made at the first Resize, which comes before on_mount."""
        return Fitter.from_screen(self.screen)

    def on_unmount(self) -> None:
        """However the app ends (key, signal, test), no worker outlives it."""
        self._quit_signals.uninstall()
        self.session.close()

    def on_resize(self, event: events.Resize) -> None:
        """Fit to the event's size (App.size takes it later); below MIN_SIZE, hide it and
        cover it with a notice once refreshed: the first Resize comes before on_mount."""
        width, height = event.size
        self.set_class(too_small(width, height), "-too-small")
        self._refit(partial(self._fitter.resize, self.screen, width, height))
        self.call_after_refresh(cover_when_too_small, self, MIN_SIZE)
        fit_width(self, width, self.header())

    def header(self) -> str:
        """The first line, which says what the screen shows: this machine, a cluster, or a
        replay."""
        return self.options.engine.header(self.session.machine, self.session.cores)

    # -- the one timer -------------------------------------------------------

    def tick(self) -> None:
        """Poll the session and the sampler at 10 Hz; draw when the run changed.

        Every screen update costs CPU for each line it redraws, however small: a bare
        Textual app with one Digits redrawn at 10 Hz takes 3% of a core on a 2-core
        box. So it draws during a run as often as the pacer's budget allows (3-5 Hz
        with a few cores, 1 Hz with hundreds), at the history's 2 Hz otherwise, and at
        once when a run starts or ends."""
        self._pacer.tick()
        self.session.poll()
        # The run's workers over the same tenth of a second as the cores: the difference
        # is other programs' load.
        self.sampler.sample(run.workers() if (run := self.session.run) else [])
        self.exporter.tick(self.sampler)
        self.presenter.advance()
        run = self.session.run
        running = run is not None and run.running
        every = self._pacer.every if running else self.sampler.history_every
        changed = self._run_changed()
        if changed or self._ticks % every == 0:
            self.draw()
            if running and not changed:
                # A run's first frame lays the screen out anew: a one-off, not its pace.
                self._pacer.drew()
        self._ticks += 1

    def _run_changed(self) -> bool:
        """Whether the run is not the one last drawn, or not in the state it was drawn in."""
        run = self.session.run
        return run is not self._drawn_run or (run is not None and run.state != self._drawn_state)

    def draw(self) -> None:
        """Hand every widget the engine's current state; each skips what has not changed.
        The charts get every frame of a run and any changed run (started, ended or
        cancelled), whoever draws it: a key's action drew a cancel once, and the tick then
        saw no change, so the timeline went on saying "running" beside the cancelled run.
        Every frame, not every other: the pacer weighs the charts' cost with the rest, and
        a timeline a frame behind said 0.0 s beside a caption at 0.8 s."""
        changed = self._run_changed()
        self._results.sync(self.session.log)
        run = self._drawn_run = self.session.run
        # One reading of the clock a frame: the timer, the caption, the task bars and the
        # timeline say the same time.
        seconds = self._frame_s = self.clock(run) if run is not None else 0.0
        pinned = self._show_run(run, seconds) if run is not None else {}
        sampler = self.sampler
        self._meters.show(sampler.percent, sampler.history, pinned, sampler.others)
        self._show_status(run, seconds)
        if changed or (run is not None and run.running):
            self._show_charts(seconds)

    def say(self, story: str | None) -> None:
        """Put ``story`` in front of the caption (the demo's step), or take it away."""
        self.story = story
        self._show_status(self.session.run)

    def _show_run(self, run: Run, elapsed: float) -> dict[int, str]:
        """Draw the task bars ``elapsed`` seconds into the run; returns who is pinned on
        which core."""
        self._drawn_state = run.state
        tasks = run.tasks()
        self._tasks.show(tasks, [own_time(t, elapsed) for t in tasks], run.spec.workload.short_unit)
        return pinned_labels(run.lane_pids(), tasks) if run.running else {}

    def _show_charts(self, seconds: float | None = None) -> None:
        """Hand the charts the runs of the workload on screen and the run so far (``seconds``
        into it: the frame's time, else now), while they are on screen: hidden, they would
        lay out rows nobody sees."""
        if not self._fitter.charts_box.display:
            return
        run = self.session.run
        if run is None or not run.running:
            live = None
        else:
            live = replace(run.record(), wall_s=self.clock(run) if seconds is None else seconds)
        self._timeline.show(runs := self.session.comparable(), live)
        self._speedup.show(runs)

    def _fit(self) -> None:
        """The Fitter's, after each layout; the charts, as they come on screen. The layout
        this causes calls it again, to no change."""
        self._refit(partial(self._fitter.fit, self.screen))

    def _refit(self, fit: Callable[[], None]) -> None:
        """Fit, then hand the runs so far to charts that fitting showed: hidden, they got
        none (a resize from 80x24 to 120x35 showed "No runs yet" beside two runs)."""
        shown = self._fitter.charts_box.display
        fit()
        if self._fitter.charts_box.display and not shown:
            self._show_charts()

    def _show_status(self, run: Run | None, seconds: float | None = None) -> None:
        """The panel says the shown run's own settings, the caption what it shows;
        ``seconds``: the frame's time into the run, else now."""
        if seconds is None:
            seconds = self.clock(run) if run is not None else 0.0
        self._panel.show(seconds, bool(run and run.running), status(self.session, run))
        own, others = self.sampler.own.values(), self.sampler.others.values()
        now = load(own, others, self.options.engine.hosts)
        self._caption.show(with_story(self.story, self._narrator.say(run, now, seconds)), now)

    # -- actions ---------------------------------------------------------------

    def _start(self, start: Callable[[], Run]) -> Run | None:
        try:
            run = start()
        except (OSError, ValueError) as exc:
            self.notify(str(exc), title="could not start the run", severity="error")
            return None
        self.draw()
        return run

    def start_mode(self, mode: Mode) -> Run | None:
        return self._start(partial(self.session.start, mode))

    def action_run(self, mode: Mode) -> None:
        self.start_mode(mode)

    def action_other_mode(self) -> None:
        """m: the other of sequential and parallel. Not ``toggle``: that name is Textual's
        own action, which flips an attribute."""
        if self._start(self.session.toggle) and not self.session.has_baseline():
            self.notify("sequential first: parallel needs its time to compare with", timeout=3)

    def action_rerun(self) -> None:
        self._start(self.session.rerun)

    def action_cancel(self) -> None:
        self.session.cancel("cancelled with escape")
        self.draw()

    async def action_after_escape(self, action: str) -> None:
        self.action_cancel()
        await self.run_action(action)

    def action_clear(self) -> None:
        """r: the table, and all that describes its runs: the caption, the panel, the
        task bars and the charts."""
        self.session.clear()
        self._results.clear()
        if self.session.run is None:
            self._tasks.show([], [])
        self.draw()
        self._show_charts()

    def action_scale(self, factor: float) -> None:
        self.next_run.scale(factor)

    def action_workload(self, name: str | None = None) -> None:
        self.next_run.workload(name)

    def action_shape(self) -> None:
        self.next_run.shape()

    def action_schedule(self) -> None:
        self.next_run.schedule()

    def _refill_results(self) -> None:
        """The table's check column holds colours, not CSS: a new theme redraws its rows."""
        self._results.clear()
        self.draw()

    def action_view(self) -> None:
        """v: the other of the task bars and the charts."""
        self.show_view("charts" if self._fitter.view == "tasks" else "tasks")

    @property
    def view(self) -> View:
        """The view ``v`` chose: the task bars, or the charts."""
        return self._fitter.view

    def show_view(self, view: View) -> None:
        self._fitter.show(view)
        self._show_charts()

    def action_export(self) -> None:
        self.exporter.export()

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """Offline (tui.screenshot): ``save_screenshot`` and the export come through here."""
        return offline_svg(super().export_screenshot(title=title, simplify=simplify))

    def action_demo(self) -> None:
        self.presenter.toggle()

    async def on_event(self, event: events.Event) -> None:
        """Any key stops the autopilot, then does what it always does; the autopilot's
        own key only stops it (else it would start it again at once). Textual sends
        every key here first, whichever screen or widget it is for."""
        if isinstance(event, events.Key) and self.presenter.stop() and event.key == DEMO_KEY:
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
            self.presenter.stop()
        return await super().run_action(action, default_namespace, namespaces)

    def action_ask_quit(self) -> None:
        """q: with runs in the table, asks first; ctrl+q, ctrl+c and the quit signals
        never ask, so a quit that must happen always can."""
        if not self.session.log.runs:
            self.exit()
            return
        self.push_screen(QuitScreen(), lambda yes: self.exit() if yes else None)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(HELP))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for c in COMMANDS:
            yield SystemCommand(c.title, c.help, partial(self.run_action, c.binding.action))
        yield from workload_entries(self.session.workloads, self.action_workload)


def create_app(
    machine: Machine,
    cores: list[int],
    options: DashboardOptions = DEFAULTS,
    sampler: CpuSampler | None = None,
    clock: Clock = elapsed,
) -> Dashboard:
    """The dashboard with its session; tests pass a fake sampler and clock."""
    session = Session.opened(machine, cores, options, RESULTS_KEEP)
    options.engine.attach(session)
    sampler = sampler or CpuSampler(cores, source=options.engine.source)
    return Dashboard(session, sampler, options, clock)


def run_dashboard(machine: Machine, cores: list[int], options: DashboardOptions) -> int:
    """Entry point from the CLI; the exit code is 0, or 128 + the signal that quit it."""
    prepare()
    app = create_app(machine, cores, options)
    app.exit_deadline_s = EXIT_DEADLINE_S
    # A terminal, or in a browser tab the pipes to coremeter serve (cli.has_display).
    watch_terminal(pipes=True)
    try:
        app.run()
    finally:
        # on_unmount closes it too; this covers an app that failed before mounting.
        app.session.close()
        recorded = app.exporter.finish()
    return app.return_code or (0 if recorded else 1)
