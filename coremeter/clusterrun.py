"""Runs on a Dask cluster, with the interface of a local run, and the ``--cluster`` options.

Nothing here imports Dask: coremeter.cluster does, and only once ``--cluster`` is
given (:func:`open_cluster`). A run's tasks are placed by the same schedule as
locally, one lane per worker; each task's progress, start and end come from the
worker's ticks and its result, on this process's time axis (each worker's clock is
corrected by the least delay seen from it).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn

from coremeter import arguments
from coremeter.clusterstate import Place
from coremeter.cores import Machine, name_cores
from coremeter.options import LOCAL as LOCAL_ENGINE
from coremeter.options import ClusterOptions, Engine
from coremeter.ownload import OwnReading
from coremeter.report import (
    CLUSTER_THREADS,
    cluster_left_text,
    cluster_line,
    cluster_plain_text,
    cluster_restarted_text,
)
from coremeter.results import RunState
from coremeter.run import TaskSlots
from coremeter.runner import prepare
from coremeter.sampler import Source
from coremeter.spec import Lane, RunSpec
from coremeter.stall import Stall
from coremeter.worker import failure_text
from coremeter.workload import Task

if TYPE_CHECKING:
    from coremeter.cluster import Cluster

EXTRA = "coremeter-parallel[cluster]"
DEFAULT_TIMEOUT_S = ClusterOptions.timeout
# A worker with a task to run that has not ticked for this long has gone (killed, its
# host down or cut off), whether or not the scheduler has noticed yet.
SILENT_S = 1.5
# How long cancel waits for the workers to leave their tasks (the kernel looks after
# each chunk) before it restarts those that did not.
CANCEL_WAIT_S = 0.4
# How long a run waits for a worker that is being restarted before it counts as gone.
REJOIN_S = 10.0
LOCAL = "local"


class ClusterRun(TaskSlots):
    """One run of a spec on the cluster's workers, lane k on worker k. Poll it (it never
    blocks), wait for it, or cancel it."""

    def __init__(self, spec: RunSpec, cluster: Cluster) -> None:
        """Refuses a threads run (ValueError): its lanes share one process, and each of a
        cluster's workers is a process of its own."""
        if spec.mode == "threads":
            raise ValueError(CLUSTER_THREADS)
        self.spec, self.cluster = spec, cluster
        self.state: RunState = "idle"
        self.reason: str | None = None
        self.notes: list[str] = []
        self.stall: Stall | None = None
        self.started_at = math.nan
        self.stopped_at = math.nan
        # Unique on a scheduler that other clients (other coremeters) share.
        run = f"coremeter-{uuid.uuid4().hex[:12]}"
        self._plan: list[tuple[Place, int | None, list[Task]]] = [
            (place, core, tasks)
            for place, core, tasks in zip(
                cluster.places, spec.cores, spec.assignment(), strict=False
            )
            if tasks
        ]
        self._keys = {task.id: f"{run}-{task.id}" for task in spec.tasks}
        self._place = {task.id: place for place, _, tasks in self._plan for task in tasks}
        # Lanes whose worker is being restarted (a cancel restarted it): handed over once
        # it is back, under its name at a new address.
        self._waiting: list[tuple[Place, list[Task]]] = []
        self.core_of: dict[int, int | None] = {
            task.id: core for _, core, tasks in self._plan for task in tasks
        }
        n = len(spec.tasks)
        self.counts = [0] * n
        self.starts = [math.nan] * n
        self.ends = [math.nan] * n
        self.results = [math.nan] * n

    def start(self) -> ClusterRun:
        self.started_at = time.perf_counter()
        self.state = "running"
        left = self.cluster.events.left
        for place, _, tasks in self._plan:
            if place.address in left:
                self._waiting.append((place, tasks))
            else:
                self._submit(place, tasks)
        return self

    def _submit(self, place: Place, tasks: list[Task]) -> None:
        for order, task in enumerate(tasks):
            self._place[task.id] = place
            self.cluster.submit(self._keys[task.id], task, self.spec.workload, place, order)

    def _rejoined(self, now: float) -> Place | None:
        """Hand each waiting lane to its worker once it is back; the worker of one that
        waited for longer than REJOIN_S, which is then taken as gone."""
        waiting, self._waiting = self._waiting, []
        for place, tasks in waiting:
            back = self.cluster.place(place.name)
            if back.address != place.address:
                self._submit(back, tasks)
            elif now - self.started_at > REJOIN_S:
                return place
            else:
                self._waiting.append((place, tasks))
        return None

    def poll(self) -> bool:
        """Update from the workers' ticks and the tasks' outcomes; True once ended."""
        if self.state != "running":
            return True
        events = self.cluster.events
        now = time.perf_counter()
        gone = self._rejoined(now)
        if gone is not None:
            self._stop("failed", cluster_left_text(gone.label))
            return True
        waiting = {task.id for _, tasks in self._waiting for task in tasks}
        for task in self.spec.tasks:
            if not math.isnan(self.ends[task.id]) or task.id in waiting:
                continue
            place = self._place[task.id]
            outcome = self.cluster.outcome(self._keys[task.id])
            if isinstance(outcome, BaseException):
                self._stop("failed", failure_text(place.label, outcome))
                return True
            if outcome is not None:
                start, end, result = outcome
                self.starts[task.id] = events.local(place.address, start)
                self.ends[task.id] = events.local(place.address, end)
                self.results[task.id], self.counts[task.id] = result, task.size
                continue
            tick = events.ticks.get(place.address)
            heard = tick.at if tick is not None else self.started_at
            if place.address in events.left or now - heard > SILENT_S:
                self._stop("failed", cluster_left_text(place.label))
                return True
            entry = tick.tasks.get(self._keys[task.id]) if tick is not None else None
            if entry is not None:
                self.starts[task.id] = events.local(place.address, entry[0])
                self.counts[task.id] = int(entry[1])
        if any(math.isnan(end) for end in self.ends):
            return False
        self._stop("done", None)
        return True

    def cancel(self, reason: str = "cancelled") -> None:
        if self.state == "running":
            self._stop("cancelled", reason)

    def kill_now(self) -> None:
        """Nothing to do from a signal handler: a LocalCluster's workers die with this
        process (Dask's own watchdog), and an external cluster drops the tasks of a
        client that has gone (the kernel looks after each chunk)."""

    def _stop(self, state: RunState, reason: str | None) -> None:
        """Drop the run's tasks, and wait until every worker has left them: one that
        cannot (a user's function in a long C call) is restarted, and the run says so."""
        self.stopped_at = max(self.ends) if state == "done" else time.perf_counter()
        self.state, self.reason = state, reason
        self.cluster.cancel()
        if state == "done":
            return
        since = time.perf_counter()
        busy = self._busy(since)
        while busy and time.perf_counter() < since + CANCEL_WAIT_S:
            time.sleep(0.01)
            busy = self._busy(since)
        if busy:
            self.cluster.restart([place.address for place in busy])
            self.notes += [cluster_restarted_text(place.label) for place in busy]

    def _busy(self, since: float) -> list[Place]:
        """The workers not yet seen idle since ``since``: their last tick shows one of
        this run's tasks, or came before then while they had one (one that has left
        the cluster runs nothing; one never heard from never started)."""
        events, keys = self.cluster.events, set(self._keys.values())
        pending = {
            place.address: place
            for task_id, place in self._place.items()
            if math.isnan(self.ends[task_id]) and place.address not in events.left
        }
        return [
            place
            for place in pending.values()
            if (tick := events.ticks.get(place.address)) is not None
            and (tick.at < since or keys & set(tick.tasks))
        ]

    # -- what the run shows ------------------------------------------------

    def lane_pids(self) -> list[tuple[Lane, int]]:
        """Each lane with its worker's pid: on a LocalCluster only, whose workers are
        this machine's processes."""
        pids = self.cluster.local_pids()
        lanes = [(self._place[tasks[0].id], core, tasks) for _, core, tasks in self._plan]
        return [
            ((core, tasks), pids[place.address])
            for place, core, tasks in lanes
            if place.address in pids
        ]


def add_options(parser: argparse.ArgumentParser, inherit: bool) -> None:
    parser.add_argument(
        "--cluster",
        nargs="?",
        const=LOCAL,
        type=_address,
        default=argparse.SUPPRESS if inherit else None,
        metavar="ADDRESS",
        help="run on Dask workers (pip install coremeter-parallel[cluster]): alone, a "
        "LocalCluster of one worker per core here; with tcp://HOST:8786, the workers of "
        "that scheduler (dask worker ADDRESS --nthreads 1). Dask runs pickled code from "
        "any client that can connect: keep its port to trusted machines, or use TLS",
    )
    parser.add_argument(
        "--connect-timeout",
        type=arguments.timeout,
        default=argparse.SUPPRESS if inherit else DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"seconds to reach the --cluster scheduler (default: {DEFAULT_TIMEOUT_S:g})",
    )


def _address(text: str) -> str:
    """A scheduler's address, host and port: ``coremeter --cluster bench`` would
    otherwise look for a scheduler named bench. ``local`` (--cluster alone) passes."""
    if text != LOCAL and ":" not in text:
        raise argparse.ArgumentTypeError(
            f"invalid address {text!r}: give tcp://HOST:PORT, or put --cluster alone after "
            "the command for a LocalCluster (coremeter bench --cluster)"
        )
    return text


def cluster_options(args: argparse.Namespace) -> ClusterOptions | None:
    """What ``--cluster`` asked for, if it was given."""
    if args.cluster is None:
        return None
    address = None if args.cluster == LOCAL else str(args.cluster)
    return ClusterOptions(address, args.connect_timeout)


@contextmanager
def connected(
    args: argparse.Namespace, machine: Machine, cores: list[int], error: Callable[[str], NoReturn]
) -> Iterator[tuple[Engine, Machine, list[int]]]:
    """Where the runs run while the command runs, the machine they run on, and its cores:
    this machine's processes, or with ``--cluster`` the cluster's workers, one core each.
    A cluster that cannot be used is ``error``'s one line, before any run."""
    asked = cluster_options(args)
    if asked is None:
        yield LOCAL_ENGINE, machine, cores
        return
    if asked.address is not None and args.cores is not None:
        error("--cores selects this machine's cores: on a cluster every worker runs")
    if "threads" in ([args.mode] if isinstance(args.mode, str) else args.mode):
        error(f"--mode threads: {CLUSTER_THREADS}")
    try:
        link = open_cluster(asked, cores)
    except ClusterError as exc:
        error(str(exc))
    try:
        yield link.engine(), link.machine(machine), link.cores
    finally:
        link.close()


class ClusterError(Exception):
    """Why ``--cluster`` cannot be used: one line."""


@dataclass
class Link:
    """A cluster in use: its run factory (Session.launch), and the cores a session
    selects on it, one per worker."""

    cluster: Cluster
    cores: list[int]
    # Python's, distributed's and coremeter's, the same on every machine of it.
    versions: dict[str, str]

    def launch(self, spec: RunSpec) -> ClusterRun:
        return ClusterRun(spec, self.cluster)

    @property
    def remote(self) -> bool:
        """Whether its workers run elsewhere (an external cluster), not on this machine."""
        return self.cluster.local is None

    def engine(self) -> Engine:
        """Its runs, named in the header and the caption; an external cluster's cores
        read from its workers' ticks, and named host:cpuN everywhere."""
        places = self.cluster.places
        hosts = len({place.host for place in places})
        where = cluster_line(self.cluster.address, hosts, len(places), self.versions)
        if not self.remote:
            return Engine(self.launch, where=where, hosts=hosts)
        name_cores({index: place.label for index, place in enumerate(places)})
        source = Source(self.read, list(range(len(places))), self.ours)
        return Engine(self.launch, source, self.busy, where, hosts)

    def machine(self, here: Machine) -> Machine:
        """What runs the work: this machine for a LocalCluster; else its workers, one
        core each, with none of this machine's siblings or quota."""
        if not self.remote:
            return here
        n = len(self.cores)
        return replace(
            here, usable_cores=list(self.cores), logical=n, physical=n, quota=None, siblings={}
        )

    def read(self) -> list[float]:
        """Each worker's core's busy percent, from its last tick (0 once it is silent)."""
        events, now = self.cluster.events, time.perf_counter()
        percents = []
        for place in self.cluster.places:
            tick = events.ticks.get(place.address)
            fresh = tick is not None and now - tick.at < SILENT_S and place.core < len(tick.cpu)
            percents.append(tick.cpu[place.core] if fresh and tick is not None else 0.0)
        return percents

    def ours(self, _workers: object) -> OwnReading:
        """The cores whose worker is in one of our tasks: their load is the run's."""
        ticks = self.cluster.events.ticks
        percents = self.read()
        return OwnReading(
            {
                index: percents[index]
                for index, place in enumerate(self.cluster.places)
                if (tick := ticks.get(place.address)) is not None and tick.tasks
            }
        )

    def busy(self) -> dict[int, float]:
        """Busy seconds of each worker's core so far (LoadHistory's reading)."""
        busy = self.cluster.events.busy
        return {index: busy.get(p.address, 0.0) for index, p in enumerate(self.cluster.places)}

    def close(self) -> None:
        self.cluster.close()


def open_cluster(options: ClusterOptions, cores: list[int]) -> Link:
    """Start a LocalCluster on ``cores`` or connect to the scheduler, check that every
    machine runs the same Python, distributed and coremeter; a ClusterError otherwise."""
    if importlib.util.find_spec("distributed") is None:
        raise ClusterError(f"--cluster needs Dask: pip install '{EXTRA}'")
    from coremeter import cluster

    if options.address is None:
        prepare()  # the resource tracker first, as for our own workers
        link = cluster.start_local(cores)
        return Link(link, [place.core for place in link.places], cluster.versions())
    try:
        remote = cluster.connect(options.address, options.timeout)
    except cluster.ClusterError as exc:
        raise ClusterError(str(exc)) from None
    if not cluster.uses_tls() and not _loopback(options.address):
        print(f"coremeter: warning: {cluster_plain_text(options.address)}", file=sys.stderr)
    try:
        check_versions(remote.versions())
    except ClusterError:
        remote.close()
        raise
    return Link(remote, list(range(len(remote.places))), cluster.versions())


def check_versions(found: dict[str, dict[str, str]]) -> None:
    """One line naming what differs from this machine, if anything does."""
    here = found["this machine"]
    for where, theirs in found.items():
        for name, version in theirs.items():
            if version != here[name]:
                raise ClusterError(
                    f"version skew: {name} {version} on {where}, {here[name]} on this "
                    "machine; install the same on every machine"
                )


def _loopback(address: str) -> bool:
    import ipaddress  # here: the command line pays nothing for --cluster until it is given

    host = address.split("://")[-1].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
