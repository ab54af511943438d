"""What the command line asked for, typed: the CLI builds these from argparse, and each
front end takes its own, so no untyped Namespace travels past the command line.

Nothing here imports Textual: ``bench`` and ``serve`` read these too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coremeter.cores import Machine
from coremeter.export import DEFAULT_FOLDER
from coremeter.report import machine_line
from coremeter.results import Mode
from coremeter.run import Launcher
from coremeter.sampler import LoadHistory, Source
from coremeter.schedule import DEFAULT_SCHEDULE, Schedule
from coremeter.workload import DEFAULT_SCALE, SEED, Workload

if TYPE_CHECKING:  # the session reads these options as it opens
    from coremeter.session import Session


@dataclass(frozen=True)
class DemoPauses:
    """How long the autopilot holds each picture, in seconds; tests pass short ones."""

    # After each run: long enough to read its time and speedup aloud.
    after_run: float = 3.0
    # The summary on the charts, before it starts over: the picture the talk is about.
    comparison: float = 10.0


@dataclass(frozen=True)
class RecordOptions:
    """``--record FILE`` and ``--label TEXT``: where the session's recording is written
    (None: nowhere) and what a comparison calls it (None: its machine and Python)."""

    path: Path | None = None
    label: str | None = None


NO_RECORDING = RecordOptions()


@dataclass(frozen=True)
class ClusterOptions:
    """``--cluster``: ``address`` None for a LocalCluster on the selected cores, and how
    long a scheduler has to answer."""

    address: str | None = None
    timeout: float = 5.0

    def argv(self) -> list[str]:
        """The same options on a command line (each ``coremeter serve`` tab's)."""
        given = [self.address] if self.address is not None else []
        return ["--cluster", *given, "--connect-timeout", repr(self.timeout)]


@dataclass(frozen=True)
class Engine:
    """Where the runs run, as the front ends see it: this machine's processes when all is
    None; with ``--cluster``, the cluster's workers (``launch``), whose cores the meters
    read from the workers' ticks (``source``), whose load before a run is summed from
    them too (``busy``: seconds per core), whose line the header shows (``where``), and
    whose hosts the caption counts."""

    launch: Launcher | None = None
    source: Source | None = None
    busy: Callable[[], dict[int, float]] | None = None
    where: str | None = None
    hosts: int | None = None

    def header(self, machine: Machine, cores: list[int]) -> str:
        """The line that says what runs the work: the cluster's, or this machine's."""
        return self.where or machine_line(machine, cores)

    def attach(self, session: Session) -> None:
        """Have ``session`` run here (None: its own, this machine's processes), and read
        its cores' recent load (its runs' competition) here too."""
        if self.launch is not None:
            session.launch = self.launch
        if self.busy is not None:
            # A cluster's workers are processes on other hosts: none of it is ours.
            session.load = LoadHistory(busy=self.busy, own=float)


LOCAL = Engine()


@dataclass(frozen=True)
class DashboardOptions:
    """How the dashboard opens: its first run's settings, and what it does on its own.
    ``theme`` None keeps Textual's default."""

    mode: Mode = "sequential"
    shape: str = "seed"
    scale: float = DEFAULT_SCALE
    schedule: Schedule = DEFAULT_SCHEDULE
    workload: Workload = SEED
    autostart: bool = False
    demo: bool = False
    theme: str | None = None
    out: Path = DEFAULT_FOLDER
    demo_pauses: DemoPauses = field(default_factory=DemoPauses)
    record: RecordOptions = NO_RECORDING
    # Where its runs run, and the --cluster that chose it, if any.
    engine: Engine = field(default_factory=Engine)
    cluster: ClusterOptions | None = None


DEFAULTS = DashboardOptions()


@dataclass(frozen=True)
class BenchOptions:
    """What ``coremeter bench`` runs and where it writes. ``modes`` run in order, each
    ``repeat`` times over; compare on the command line is sequential then parallel."""

    modes: tuple[Mode, ...] = ("sequential", "parallel")
    shape: str = "seed"
    scale: float = DEFAULT_SCALE
    workload: Workload = SEED
    repeat: int = 1
    json: bool = False
    csv: Path | None = None
    schedule: Schedule = DEFAULT_SCHEDULE
    record: RecordOptions = NO_RECORDING
    engine: Engine = field(default_factory=Engine)


@dataclass(frozen=True)
class ServeOptions:
    """Where ``coremeter serve`` listens, and the dashboard each tab gets; ``cores`` is
    the list as given, passed on to each tab's dashboard to resolve."""

    host: str
    port: int
    cores: str | None = None
    dashboard: DashboardOptions = field(default_factory=DashboardOptions)
    # --replay: each tab replays these recordings (coremeter replay) instead.
    replay: tuple[Path, ...] = ()
