"""Dask's side of a cluster run: the only module that imports Dask.

It is imported only when ``--cluster`` is given, by coremeter.clusterrun, and by the
Dask workers, which run :func:`run_task` and :class:`Pinner` from here; so coremeter
must be installed, at the same version, on every worker.

What Dask does not do for us, measured with distributed 2026.8.0: a task restricted to
a worker that dies waits for ever (so the run watches the workers' ticks and the
scheduler's ``remove-worker``); ``client.cancel`` does not stop a running loop (so the
kernel checks its task's state after each chunk); ``Client(address)`` hangs for over
a minute on a port that answers but is not Dask (so it is made in a thread with a
deadline); the worker profiler slows the loop by 6% (so it is stopped).
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import signal
import threading
import time
from contextlib import suppress
from dataclasses import replace
from typing import Any

import dask
import distributed
import psutil
from distributed import Client, Future, LocalCluster, get_worker
from distributed.comm.core import connect as comm_connect
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.security import Security
from tornado.ioloop import PeriodicCallback

import coremeter
from coremeter.clusterstate import Events, Place
from coremeter.cores import pin
from coremeter.workload import Kernel, Task, Workload

TOPIC = "coremeter"
PLUGIN = "coremeter-pin"
# How often each worker says where its task is and how busy its host's cores are: the
# meters' rate, and the heartbeat a run watches.
TICK_S = 0.1
# A worker a second past its last task ticks every IDLE_TICK_S instead: idle ticks were
# 1.2% of a core in the process of a LocalCluster's scheduler. Still well within the
# 1.5 s a run allows a silent worker (coremeter.clusterrun.SILENT_S).
IDLE_TICK_S = 0.5
# Dask's own settings for the LocalCluster we start. No profiler (6% of the loop); no
# spilling or pausing on a memory figure that means nothing for a CPU loop; no work
# stealing (restrictions hold the plan anyway). Its scheduler and nannies live in
# coremeter's process: their event-loop watch every 20 ms took 3-4% of a core there
# (idle, 2 workers: 6.0% of a core in all, 2.3% with it at 1 s).
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.target": False,
    "distributed.worker.memory.spill": False,
    "distributed.worker.memory.pause": False,
    "distributed.worker.memory.terminate": False,
    "distributed.scheduler.work-stealing": False,
    "distributed.admin.tick.interval": "1s",
}
# Dask's logs: none on the terminal, where they would draw over the dashboard.
LOGS_OFF = logging.CRITICAL + 10
# What a worker task may be in once the client no longer wants it.
DROPPED = {"cancelled", "released", "forgotten"}


class ClusterError(Exception):
    """Why the cluster cannot run coremeter: one line for the user."""


class NotDask(Exception):
    """What answered at the address speaks another protocol."""


class Cancelled(Exception):
    """Raised inside a task whose run was cancelled, or whose client left."""


# -- on the workers -----------------------------------------------------------

# This worker process's tasks in progress: key -> [start (perf_counter), units done].
_PROGRESS: dict[str, list[float]] = {}
_KERNELS: dict[Workload, Kernel] = {}
# When this worker last ticked, and last had a task in progress (perf_counter).
_LAST = {"sent": 0.0, "busy": 0.0}


def pin_process(core: int) -> None:
    """Pin every thread of this process: sched_setaffinity pins only the thread it names,
    and Dask's event loop, executor and comm threads all exist by now."""
    for tid in os.listdir("/proc/self/task"):
        with suppress(ProcessLookupError, PermissionError):
            os.sched_setaffinity(int(tid), {core})


class Pinner(WorkerPlugin):
    """Installed on every worker of the cluster, restarted ones too: pins the process to
    its core (``cores`` by worker name), stops the profiler and starts the tick."""

    def __init__(self, cores: dict[str, int]) -> None:
        self.cores = cores

    def setup(self, worker: Any) -> None:
        core = self.cores.get(str(worker.name))
        if core is not None and hasattr(os, "sched_setaffinity"):
            pin_process(core)
        for name in ("profile", "profile-cycle"):
            callback = worker.periodic_callbacks.pop(name, None)
            if callback is not None:
                callback.stop()
        old = worker.periodic_callbacks.pop(TOPIC, None)
        if old is not None:
            old.stop()
        psutil.cpu_percent(percpu=True)  # the first call only starts the measure
        tick = PeriodicCallback(lambda: _tick(worker, core), TICK_S * 1000)
        worker.periodic_callbacks[TOPIC] = tick
        tick.start()

    def teardown(self, worker: Any) -> None:
        callback = worker.periodic_callbacks.pop(TOPIC, None)
        if callback is not None:
            callback.stop()


def _tick(worker: Any, core: int | None) -> None:
    now = time.perf_counter()
    if _PROGRESS:
        _LAST["busy"] = now
    elif now - _LAST["busy"] > 1.0 and now - _LAST["sent"] < IDLE_TICK_S:
        return
    _LAST["sent"] = now
    worker.log_event(
        TOPIC,
        {
            "worker": worker.address,
            "name": str(worker.name),
            "core": core,
            "sent": now,
            "cpu": psutil.cpu_percent(percpu=True),
            "tasks": {key: list(entry) for key, entry in _PROGRESS.items()},
        },
    )


class _Counts(list[int]):
    """What the kernel stores its count in after each chunk: here it also notes the count
    for the tick, and ends the task once the client no longer wants it."""

    def __init__(self, task: Task, key: str, worker: Any) -> None:
        super().__init__([0] * (task.id + 1))
        self.entry = _PROGRESS[key] = [time.perf_counter(), 0.0]
        self.key, self.worker = key, worker

    def __setitem__(self, index: Any, value: Any) -> None:
        self.entry[1] = value
        state = self.worker.state.tasks.get(self.key)
        if state is None or state.state in DROPPED:
            raise Cancelled(self.key)


def run_task(task: Task, workload: Workload, core: int | None) -> tuple[float, float, float]:
    """Run one task on this worker, pinned; returns its start and end (this process's
    perf_counter, taken here, not by Dask) and its result."""
    pin(core)  # the worker's plugin pinned it already, unless its name was not known
    worker = get_worker()
    key = str(worker.get_current_task())
    kernel = _KERNELS.get(workload)
    if kernel is None:
        kernel = _KERNELS[workload] = workload.prepare()
    counts = _Counts(task, key, worker)
    try:
        result = kernel(task, counts)
        return counts.entry[0], time.perf_counter(), result
    finally:
        _PROGRESS.pop(key, None)


# -- on the client ------------------------------------------------------------


class Cluster:
    """A connected client (and the LocalCluster it started, if any), its workers in lane
    order, and the events its workers send."""

    def __init__(self, client: Client, local: LocalCluster | None, cores: list[int]) -> None:
        self.client, self.local = client, local
        self.address = str(client.scheduler_info()["address"])
        self.events = Events()
        client.subscribe_topic(TOPIC, self.events.tick)
        client.subscribe_topic("all", self.events.any)
        self._places = self._find(cores)
        client.register_plugin(Pinner({p.name: p.core for p in self._places}), name=PLUGIN)
        self.futures: dict[str, Future[Any]] = {}
        self._pids: dict[str, int] = {}

    @property
    def places(self) -> list[Place]:
        """The workers in lane order, each at its latest address."""
        return [self.place(place.name) for place in self._places]

    def place(self, name: str) -> Place:
        """The worker of that name, at its latest address (a worker its nanny restarted
        keeps its name)."""
        place = next(p for p in self._places if p.name == name)
        return replace(place, address=self.events.addresses.get(name, place.address))

    def _find(self, cores: list[int]) -> list[Place]:
        """The workers, by host then name; each pinned to the core of its name in
        ``cores`` (LocalCluster names them 0, 1, ...), else to the next core of its host."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        if not workers:
            raise ClusterError(f"the cluster at {self.address} has no workers")
        places: list[Place] = []
        by_host: dict[str, int] = {}
        for address, info in sorted(workers.items(), key=lambda w: (w[1]["host"], w[0])):
            host, name = str(info["host"]), str(info.get("name", address))
            if self.local is not None:
                core = cores[int(name)]
            else:
                core = by_host.get(host, 0)
                by_host[host] = core + 1
            places.append(Place(address, host, core, name))
        return sorted(places, key=lambda p: (p.host, p.core))

    def submit(self, key: str, task: Task, workload: Workload, place: Place, order: int) -> None:
        """Run ``task`` on ``place`` alone: no other worker may take it, or the plan is
        gone; a worker runs its tasks in ``order``."""
        self.futures[key] = self.client.submit(
            run_task,
            task,
            workload,
            place.core,
            key=key,
            workers=[place.address],
            allow_other_workers=False,
            pure=False,
            priority=-order,
        )

    def outcome(self, key: str) -> tuple[float, float, float] | BaseException | None:
        """A task's (start, end, result), its exception, or None while it runs."""
        future = self.futures[key]
        if not future.done():
            return None
        if future.status == "error":
            error = future.exception()
            return error if isinstance(error, BaseException) else RuntimeError(str(error))
        if future.status != "finished":
            return RuntimeError(f"task {future.status}")
        value: tuple[float, float, float] = future.result()
        return value

    def cancel(self) -> None:
        self.client.cancel(list(self.futures.values()), force=True)
        self.futures.clear()

    def restart(self, addresses: list[str]) -> None:
        """Restart workers whose task cannot be interrupted (a user's call that never
        returns to the kernel), without waiting for it: a LocalCluster's are killed and
        their nannies start them again, an external cluster's nannies are asked to."""
        pids = self.local_pids()
        for address in addresses:
            if address in pids:
                with suppress(ProcessLookupError):
                    os.kill(pids[address], signal.SIGKILL)
        remote = [address for address in addresses if address not in pids]
        if remote:
            threading.Thread(
                target=self.client.restart_workers,
                args=(remote,),
                kwargs={"timeout": 30, "raise_for_error": False},
                name="coremeter-restart",
                daemon=True,
            ).start()

    def versions(self) -> dict[str, dict[str, str]]:
        """Python, distributed and coremeter here, on the scheduler and on each worker
        (the scheduler needs no coremeter: it never unpickles our code)."""
        scheduler: dict[str, Any] = self.client.get_versions()["scheduler"]  # type: ignore[index]
        python = ".".join(str(scheduler["host"]["python"]).split(".")[:3])
        found = {
            "this machine": versions(),
            "the scheduler": {
                "Python": python,
                "distributed": str(scheduler["packages"]["distributed"]),
            },
        }
        workers = self.client.run(versions, on_error="return")
        for address, value in workers.items():
            found[f"worker {address}"] = (
                value if isinstance(value, dict) else {"coremeter": "not installed"}
            )
        return found

    def local_pids(self) -> dict[str, int]:
        """A LocalCluster's worker processes by address (this machine's, so their pids
        mean something here), asked again once a worker was restarted; none otherwise."""
        if self.local is None:
            return {}
        if set(self._pids) != {place.address for place in self.places}:
            self._pids = self.client.run(os.getpid, on_error="ignore")
        return self._pids

    def close(self) -> None:
        """Leave the cluster as found: an external one's workers stop ticking."""
        with suppress(Exception):
            self.cancel()
        if self.local is None:
            with suppress(Exception):
                self.client.unregister_worker_plugin(PLUGIN)
        with suppress(Exception):
            self.client.close(timeout=2)
        if self.local is not None:
            with suppress(Exception):
                self.local.close(timeout=2)


def quiet() -> None:
    """Dask's logs off: on the terminal they would draw over the dashboard. Its own
    config gives some loggers a level of their own (distributed.client), so each is set."""
    names = [*logging.root.manager.loggerDict, "distributed", "tornado", "bokeh", "asyncio"]
    for name in names:
        if name.split(".")[0] in ("distributed", "tornado", "bokeh", "asyncio"):
            logging.getLogger(name).setLevel(LOGS_OFF)


def start_local(cores: list[int]) -> Cluster:
    """A LocalCluster of one single-threaded worker process per core, on loopback only,
    its logs kept off the terminal (they would draw over the dashboard)."""
    quiet()
    with dask.config.set(LOCAL_CONFIG):
        local = LocalCluster(
            n_workers=len(cores),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=LOGS_OFF,
            memory_limit=0,
        )
        client = Client(local, set_as_default=False)
    return Cluster(client, local, cores)


def connect(address: str, timeout: float) -> Cluster:
    """Connect to the scheduler at ``address`` within ``timeout`` seconds, with the
    user's Dask TLS configuration as it is; a ClusterError otherwise.

    A Client is made only once a scheduler has answered: one made against a port that
    is not Dask hangs for over a minute, and one that failed blocks the exit for more."""
    quiet()
    security = Security()
    answer: list[BaseException | None] = []

    def probe() -> None:
        try:
            asyncio.run(asyncio.wait_for(_identity(address, timeout, security), timeout))
            answer.append(None)
        except BaseException as exc:  # noqa: BLE001 - told to the user as one line
            answer.append(exc)

    thread = threading.Thread(target=probe, name="coremeter-connect", daemon=True)
    thread.start()
    thread.join(timeout)
    if not answer or isinstance(answer[0], (TimeoutError, asyncio.TimeoutError)):
        raise ClusterError(f"no Dask scheduler answered at {address} within {timeout:g} s")
    if isinstance(answer[0], NotDask):
        raise ClusterError(f"{address} answers, but is not a Dask scheduler")
    if answer[0] is not None:
        raise ClusterError(f"cannot reach a Dask scheduler at {address}: {_one_line(answer[0])}")
    client = Client(address, timeout=timeout, security=security, set_as_default=False)
    try:
        return Cluster(client, None, [])
    except ClusterError:
        client.close()
        raise


async def _identity(address: str, timeout: float, security: Security) -> None:
    """Ask ``address`` who it is, as a client would; a ValueError if not a scheduler."""
    args = security.get_connection_args("client")
    try:
        comm = await comm_connect(address, timeout=timeout, **args)
    except (OSError, TimeoutError, ValueError):
        raise
    except Exception as exc:  # its handshake read a stranger's bytes as Dask's
        raise NotDask from exc
    try:
        await comm.write({"op": "identity", "reply": True})
        reply = await comm.read()
    except Exception as exc:  # a stranger's bytes read as Dask's: any error at all
        raise NotDask from exc
    finally:
        comm.abort()
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise NotDask


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."


def uses_tls() -> bool:
    """Whether the user's Dask configuration sets up TLS for clients."""
    return bool(dask.config.get("distributed.comm.tls.client.cert", None))


def versions() -> dict[str, str]:
    """What must be the same on every machine of a run, as this process has it."""
    return {
        "Python": platform.python_version(),
        "distributed": str(getattr(distributed, "__version__", "?")),
        "coremeter": coremeter.__version__,
    }
