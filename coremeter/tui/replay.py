"""``coremeter replay FILE [FILE_B]``: the dashboard on a recording, laid out for the
machine it was recorded on, its runs played back through the live engine.

Everything but the header, which says at all times that this is a replay and of what,
is the live dashboard's: the same keys, layout and numbers (coremeter.replay makes the
runs and the readings). With a second recording, the timeline and the speedup chart
draw its runs of the same work under the first's, on one scale.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from textual.binding import Binding

from coremeter.options import DEFAULTS, DashboardOptions, Engine
from coremeter.recording import Recording
from coremeter.replay import Clock, Player, logged
from coremeter.report import machine_line
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.shutdown import EXIT_DEADLINE_S, watch_terminal
from coremeter.tui.app import RESULTS_KEEP, Dashboard
from coremeter.tui.exporting import Exporter
from coremeter.tui.fit import fit_width
from coremeter.tui.layout.beside import Beside
from coremeter.tui.widgets.charts import SpeedupChart, Timeline

SPEED_GROUP = Binding.Group("speed", compact=True)


class _Unrecorded(Exporter):
    """``e`` as live, but no recording taken of a replay: the file played is the
    recording, and taking it again cost a fifth of a 256-core replay's CPU."""

    def tick(self, sampler: CpuSampler) -> None:
        """Nothing to take."""


class ReplayDashboard(Dashboard):
    """The dashboard with a Player for its runs and readings; ``,`` and ``.`` set the pace."""

    # The header says "replay": bold, in the warning colour, so the room reads it first.
    CSS = "#machine { color: $text-warning; text-style: bold; }"
    BINDINGS = [
        Binding("comma", "speed(0.5)", "slower", group=SPEED_GROUP),
        Binding("full_stop", "speed(2)", "faster", group=SPEED_GROUP),
    ]

    def __init__(
        self,
        session: Session,
        player: Player,
        options: DashboardOptions = DEFAULTS,
        beside: Beside | None = None,
    ) -> None:
        cores = session.cores
        super().__init__(session, CpuSampler(cores, source=player.source(cores)), options)
        self.player = player
        self.beside = beside
        self.exporter = _Unrecorded(self, session, options.out)

    def on_mount(self) -> None:
        self.query_one(Timeline).beside = self.beside
        self.query_one(SpeedupChart).beside = self.beside

    def header(self) -> str:
        """The replay's banner before the recorded machine's line, so that "replay" leads
        the header at every size (it takes at most two rows)."""
        machine = machine_line(self.session.machine, self.session.cores, model=False)
        return f"{self.player.banner()} · {machine}"

    def action_speed(self, factor: float) -> None:
        speed = self.player.set_speed(factor)
        fit_width(self, self.size.width, self.header())
        self.notify(f"{speed:g}x real time", title="replay speed", timeout=2)


def create_replay(
    recordings: Sequence[Recording],
    options: DashboardOptions = DEFAULTS,
    clock: Clock = time.monotonic,
) -> ReplayDashboard:
    """The replay of ``recordings[0]``, with ``recordings[1]`` beside it if given; the
    session opens on the last recorded run's work. Tests pass a clock they move."""
    first = recordings[0]
    player = Player(first, clock)
    spec = player.first_spec()
    options = replace(options, mode=spec.mode, shape=spec.shape, scale=spec.scale)
    options = replace(options, workload=spec.workload, schedule=spec.schedule)
    machine = first.machine
    session = Session.opened(machine, list(machine.usable_cores), options, RESULTS_KEEP)
    # Its runs are the player's, and no other program competes for a recorded run's
    # cores here: this machine's load is not read.
    Engine(player.launch, busy=dict).attach(session)
    beside = None
    if len(recordings) > 1:
        other = recordings[1]
        beside = Beside((first.name, other.name), tuple(logged(other)))
    return ReplayDashboard(session, player, options, beside)


def run_replay(recordings: Sequence[Recording], options: DashboardOptions = DEFAULTS) -> int:
    """Entry point from the CLI: no worker to prepare, nothing recorded to write."""
    app = create_replay(recordings, options)
    app.exit_deadline_s = EXIT_DEADLINE_S
    watch_terminal(pipes=True)
    app.run()
    return app.return_code or 0
