"""``--cluster``: runs on real Dask workers, a LocalCluster and a loopback scheduler with
two workers started here; their faults, read from the processes themselves (/proc,
psutil), each with a bounded deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import HTTPServer, SimpleHTTPRequestHandler
from threading import Thread

import psutil
import pytest
from helpers import (
    LOOPBACK,
    Terminal,
    alive,
    bench,
    free_port,
    threads_cores,
    wait_for,
    wait_gone,
    working,
)

from coremeter import schedule
from coremeter.clusterrun import ClusterError, ClusterRun, Link, check_versions, open_cluster
from coremeter.cores import Machine
from coremeter.options import ClusterOptions
from coremeter.report import CLUSTER_THREADS, cluster_restarted_text
from coremeter.runner import prepare
from coremeter.session import Session
from coremeter.spec import RunSpec
from coremeter.userfunc import resolve
from coremeter.workload import SEED

pytest.importorskip("distributed")
pytestmark = [pytest.mark.cluster]
CORES = sorted(os.sched_getaffinity(0))[:2]


def finish(run: ClusterRun, timeout: float = 60) -> ClusterRun:
    wait_for(run.poll, timeout, "the run to end", tick=0.02)
    return run


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def idle_within(pids: list[int], since: float, deadline: float) -> None:
    """By ``deadline`` s after ``since``, the processes use no more CPU than their ticks:
    over the next 0.5 s, under a tenth of a core between them (a loop still running
    would take about a whole one)."""
    time.sleep(max(0.0, since + deadline - time.perf_counter()))
    before = cpu_of(pids)
    time.sleep(0.5)
    assert cpu_of(pids) - before < 0.1 * len(pids) / 2, "a worker still computes"


@pytest.fixture(scope="module")
def local() -> Iterator[Link]:
    prepare()
    link = open_cluster(ClusterOptions(None), CORES)
    yield link
    link.close()


def test_a_localcluster_run_is_pinned_placed_as_planned_and_exact(local: Link) -> None:
    spec = RunSpec.build("parallel", "seed", 0.05, local.cores)
    run = ClusterRun(spec, local.cluster).start()
    keys = {task.id: f"-{task.id}" for task in spec.tasks}
    seen: dict[int, set[str]] = {task.id: set() for task in spec.tasks}
    partial = set()
    while not run.poll():
        for address, tick in local.cluster.events.ticks.items():
            for key, (_, done) in tick.tasks.items():
                task = next(t for t, end in keys.items() if key.endswith(end))
                seen[task].add(address)
                if 0 < done < spec.tasks[task].size:
                    partial.add(task)
        time.sleep(0.01)
    assert run.state == "done", run.reason
    places = local.cluster.places
    pids = local.cluster.local_pids()
    for place, core in zip(places, local.cores, strict=True):
        assert place.core == core
        assert threads_cores(pids[place.address]) == {str(core)}
    plan = schedule.assign(spec.schedule, spec.tasks, len(local.cores))
    for lane, place in zip(plan, places, strict=False):
        for task in lane:
            assert seen[task.id] <= {place.address}
            assert run.tasks()[task.id].core == place.core
    assert partial, "no progress was seen before the tasks ended"
    for record in run.tasks():
        assert record.result == SEED.expected(spec.tasks[record.id])
        assert record.done == record.size
        assert record.start_s is not None and record.end_s is not None
        assert 0 <= record.start_s < record.end_s <= run.elapsed() + 1e-9


def test_a_task_that_cannot_be_interrupted_has_its_worker_restarted(local: Link, tmp_path) -> None:
    (tmp_path / "naps.py").write_text("import time\n\ndef nap(i):\n    time.sleep(600)\n")
    workload = resolve(f"{tmp_path}/naps.py:nap", 4)
    spec = RunSpec.build("parallel", "balanced", 1.0, local.cores).with_workload(workload)
    run = ClusterRun(spec, local.cluster).start()
    pids = list(local.cluster.local_pids().values())
    wait_for(
        lambda: (
            len({key for t in local.cluster.events.ticks.values() for key in t.tasks}) == len(pids)
        ),
        30,
        "every worker in its task",
    )
    run.cancel()  # waits 0.4 s for the kernels to stop, then kills the workers
    labels = [place.label for place in local.cluster.places]
    assert run.notes == [cluster_restarted_text(label) for label in labels]
    assert not wait_gone(pids, 0.5)
    # The nannies start them again, pinned, and the next run is exact.
    wait_for(lambda: set(local.cluster.local_pids().values()).isdisjoint(pids), 30, "new workers")
    again = finish(
        ClusterRun(RunSpec.build("parallel", "seed", 0.01, local.cores), local.cluster).start()
    )
    assert again.state == "done", again.reason


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A real ``dask scheduler`` and two single-threaded ``dask worker``s on 127.0.0.1."""
    port = free_port()
    address = f"tcp://{LOOPBACK}:{port}"
    bin_dir = os.path.dirname(sys.executable)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [f"{bin_dir}/dask", "scheduler", "--host", LOOPBACK, "--port", str(port)]
        + ["--dashboard-address", f"{LOOPBACK}:0"],
        **quiet,
    )
    workers = [
        subprocess.Popen(
            [f"{bin_dir}/dask", "worker", address, "--nthreads", "1", "--host", LOOPBACK]
            + ["--dashboard-address", f"{LOOPBACK}:0"],
            **quiet,
        )
        for _ in range(2)
    ]
    try:
        yield address, [scheduler, *workers]
    finally:
        for process in (*workers, scheduler):
            process.terminate()
        for process in (*workers, scheduler):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def joined(address: str) -> Link:
    """A link to the loopback cluster once both its workers are in (a killed one's
    nanny starts it again)."""

    def both() -> Link | None:
        try:
            link = open_cluster(ClusterOptions(address, 10), CORES)
        except ClusterError:  # no worker has joined yet
            return None
        if len(link.cluster.places) == 2:
            return link
        link.close()
        return None

    return wait_for(both, 60, "two workers", tick=0.5)


@pytest.fixture
def busy(loopback) -> Iterator[tuple[Link, ClusterRun, list[int]]]:
    """A run on the loopback cluster's two workers, both in their tasks; its link, and
    the workers' pids."""
    address, processes = loopback
    link = joined(address)
    try:
        run = ClusterRun(RunSpec.build("parallel", "balanced", 1.0, link.cores), link.cluster)
        run.start()
        wait_for(lambda: run.poll() or all(t.done for t in run.tasks()), 30, "progress")
        pids = [c.pid for n in processes[1:] for c in psutil.Process(n.pid).children()]
        yield link, run, pids
    finally:
        link.close()


def test_a_worker_killed_mid_run_fails_it_within_2_s(busy) -> None:
    link, run, _ = busy
    victim = link.cluster.places[1]
    pid = link.cluster.client.run(os.getpid, workers=[victim.address])[victim.address]
    os.kill(pid, signal.SIGKILL)
    killed = time.perf_counter()
    wait_for(run.poll, 2.0, "the run to fail", tick=0.01)
    assert time.perf_counter() - killed < 2.0
    assert run.state == "failed"
    assert run.reason == f"worker {victim.label} left the cluster"


def test_a_cancel_leaves_both_workers_idle_within_half_a_second(busy) -> None:
    _, run, pids = busy
    cancelled = time.perf_counter()
    run.cancel("cancelled: a test")
    assert run.state == "cancelled"
    assert run.notes == []  # the kernel stopped: no worker had to be restarted
    idle_within(pids, cancelled, 0.5)


def test_kill_9_of_a_client_stops_its_tasks_within_1_s(loopback) -> None:
    address, processes = loopback
    client = subprocess.Popen(
        [sys.executable, "-m", "coremeter", "bench", "--cluster", address]
        + ["--mode", "parallel", "--shape", "balanced", "--scale", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def workers() -> list[psutil.Process]:
        return [c for n in processes[1:] for c in psutil.Process(n.pid).children()]

    try:
        computing = working(workers, count=2, timeout=60)
    finally:
        client.kill()
    killed = time.perf_counter()
    client.wait()
    idle_within(computing, killed, 1.0)


def test_bench_runs_on_the_loopback_cluster_and_names_it(loopback) -> None:
    address, _ = loopback
    joined(address).close()
    result = bench("--cluster", address, "--scale", "0.02", env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Dask {address} · 1 host · 2 workers, a core each · Python ")
    runs = [line.split()[0] for line in lines if line.split()[-1:] == ["ok"]]
    assert runs == ["sequential", "parallel"]


@pytest.mark.e2e
def test_the_dashboard_shows_the_cluster_by_host(loopback) -> None:
    address, _ = loopback
    joined(address).close()
    with Terminal() as term:
        term.start("--cluster", address, "--mode", "parallel", "--autostart", "--scale", "1")
        screen = term.wait_screen("parallel on 1 host · ", timeout=60)
        assert screen.splitlines()[0].strip().startswith(f"Dask {address} · 1 host")
        for label in ("127.0.0.1:cpu0", "127.0.0.1:cpu1"):
            assert sum(line.lstrip().startswith(label) for line in screen.splitlines()) >= 2
        term.keys("Escape")
        term.wait_screen("parallel cancelled")


def test_threads_on_a_cluster_are_refused_and_the_run_in_progress_goes_on(local: Link) -> None:
    """Refused before anything starts: no failed row, no worker restarted, and the run in
    progress is not cancelled by a key that cannot start another."""
    session = Session(Machine.detect(), local.cores, "seed", 0.01)
    session.launch = local.launch
    running = session.start("parallel")
    with pytest.raises(ValueError, match=CLUSTER_THREADS):
        session.start("threads")
    assert session.run is running and running.running
    assert running.wait(60)
    session.poll()
    assert [(r.mode, r.state) for r in session.log.runs] == [("parallel", "done")]


def test_unreachable_or_not_dask_exits_2_within_the_deadline() -> None:
    closed = free_port()
    http = HTTPServer((LOOPBACK, 0), SimpleHTTPRequestHandler)
    Thread(target=http.serve_forever, daemon=True).start()
    try:
        for port in (closed, http.server_address[1]):
            began = time.perf_counter()
            result = bench(
                "--cluster", f"tcp://{LOOPBACK}:{port}", "--connect-timeout", "2", timeout=30
            )
            took = time.perf_counter() - began
            assert result.returncode == 2, result.stderr
            assert result.stderr.count("\n") == 1, result.stderr
            assert f"{LOOPBACK}:{port}" in result.stderr
            # The deadline, plus Python's and Dask's start-up on a busy machine.
            assert took < 2 + 8
    finally:
        http.shutdown()


def test_without_dask_cluster_is_one_line_naming_the_extra() -> None:
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from coremeter.cli import main; sys.exit(main(['bench', '--cluster']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "coremeter: error: --cluster needs Dask: pip install 'coremeter-parallel[cluster]'"
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--cluster", "bench"], "invalid address 'bench': give tcp://HOST:PORT"),
        (["bench", "--connect-timeout", "0"], "invalid timeout 0"),
        (["bench", "--cluster", "tcp://127.0.0.1:1", "--cores", "0"], "--cores selects"),
        (["bench", "--cluster", "--mode", "parallel,threads"], "--mode threads: threads share"),
    ],
)
def test_cluster_options_that_cannot_work_are_one_line(args: list[str], said: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coremeter", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("coremeter: error: ") and said in line


def test_version_skew_is_one_line_naming_what_differs() -> None:
    same = {"Python": "3.11.7", "distributed": "2026.8.0", "coremeter": "1.0"}
    check_versions({"this machine": same, "worker tcp://a:1": dict(same)})
    with pytest.raises(Exception, match=r"^version skew: distributed 2026\.7\.0 on worker"):
        check_versions(
            {"this machine": same, "worker tcp://a:1": {**same, "distributed": "2026.7.0"}}
        )


@pytest.mark.e2e
def test_kill_9_of_the_dashboard_leaves_no_cluster_process_within_1_s() -> None:
    with Terminal() as term:
        term.start("--cluster", "--mode", "parallel", "--autostart", "--scale", "1")
        app = term.app()

        def computing() -> list[int]:
            family = [p.pid for p in app.children(recursive=True)]
            return family if len(family) >= len(CORES) and cpu_of(family) > 0.5 else []

        family = wait_for(computing, 60, "the cluster's workers")
        os.kill(app.pid, signal.SIGKILL)
        wait_for(lambda: not alive(family), 1.0, "no cluster process left", tick=0.01)
