"""Restricted cores end to end: taskset, a cgroup cpuset, a CPU quota, no affinity API.

The article's failure, pinning to a core that is not there, must be impossible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import TINY

pytestmark = pytest.mark.e2e

CORES = sorted(os.sched_getaffinity(0))
CGROUP = Path("/sys/fs/cgroup")


def bench(*args: str, prefix: list[str] = (), env: dict | None = None, **kw):
    command = [*prefix, sys.executable, "-m", "coremeter", "bench", "--scale", str(TINY), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, **kw)


@pytest.mark.parametrize("core", CORES)
def test_one_core_under_taskset(core: int) -> None:
    result = bench(prefix=["taskset", "-c", str(core)])
    assert result.returncode == 0, result.stderr
    assert "one core selected: parallel runs on it alone" in result.stderr
    assert f"cores {core} of {core} usable" in result.stdout
    # Asking for a core outside the mask is the article's crash: here a one-line error.
    other = next(c for c in range(len(CORES) + 1) if c != core)
    refused = bench("--cores", str(other), prefix=["taskset", "-c", str(core)])
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"coremeter: error: core {other} is not usable here; usable cores: {core}"
    )


@contextmanager
def cgroup(controller: str, settings: dict[str, str]) -> Iterator[Path]:
    """A child cgroup of our own (v1), removed afterwards; skips where we cannot make one."""
    path = CGROUP / controller / f"coremeter-test-{os.getpid()}"
    try:
        path.mkdir()
        for name, value in settings.items():
            (path / name).write_text(value)
    except OSError as exc:
        if path.exists():
            path.rmdir()
        pytest.skip(f"cannot make a {controller} cgroup here: {exc}")
    try:
        yield path
    finally:
        for _ in range(50):  # the fork server may need a moment to leave
            try:
                path.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def run_in(group: Path, *args: str) -> subprocess.CompletedProcess:
    script = f'echo $$ > {group}/cgroup.procs && exec "$@"'
    return bench(*args, prefix=["sh", "-c", script, "sh"])


def test_cpuset_cgroup_limits_the_usable_cores() -> None:
    core = CORES[-1]
    mems = (CGROUP / "cpuset" / "cpuset.mems").read_text().strip() if CGROUP.exists() else "0"
    with cgroup("cpuset", {"cpuset.cpus": str(core), "cpuset.mems": mems}) as group:
        result = run_in(group, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["machine"]["usable_cores"] == [core]
    assert all(t["core"] == core for run in doc["runs"] for t in run["tasks"])


def test_cpu_quota_is_reported_and_warned_about() -> None:
    with cgroup("cpu", {"cpu.cfs_quota_us": "50000"}) as group:
        text = run_in(group)
        doc = json.loads(run_in(group, "--json").stdout)
    assert text.returncode == 0, text.stderr
    assert "quota 0.5 cores" in text.stdout
    assert "a CPU quota of 0.5 cores limits parallel runs" in text.stderr
    assert doc["machine"]["quota"] == 0.5


NO_AFFINITY = """
import os, psutil
for name in ("sched_getaffinity", "sched_setaffinity"):
    if hasattr(os, name):
        delattr(os, name)
if hasattr(psutil.Process, "cpu_affinity"):
    del psutil.Process.cpu_affinity
"""


def test_without_an_affinity_api_workers_run_unpinned(tmp_path: Path) -> None:
    # What macOS looks like: no sched_*affinity in os, no cpu_affinity in psutil.
    (tmp_path / "sitecustomize.py").write_text(NO_AFFINITY)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    result = bench("--json", env=env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["machine"]["affinity"] is False
    for run in doc["runs"]:
        assert run["ok"] and all(t["core"] is None for t in run["tasks"])
    text = bench(env=env)
    assert "no CPU affinity API: workers run unpinned" in text.stderr
    assert "affinity no" in text.stdout


def test_where_only_a_whole_process_can_be_pinned_threads_run_unpinned(tmp_path: Path) -> None:
    # What Windows looks like: psutil's cpu_affinity, which moves the whole process, and
    # no per-thread sched_setaffinity. Pinning each thread would move them all to one core.
    (tmp_path / "sitecustomize.py").write_text(NO_AFFINITY.split("if hasattr(psutil")[0])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    result = bench("--mode", "threads,parallel", "--json", env=env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["machine"]["affinity"] is True
    assert doc["machine"]["thread_affinity"] is False
    threads, parallel = doc["runs"]
    assert threads["ok"] and all(t["core"] is None for t in threads["tasks"])
    assert parallel["ok"] and all(t["core"] in CORES for t in parallel["tasks"])
    text = bench("--mode", "threads", env=env)
    assert "this platform pins whole processes only: threads run unpinned" in text.stderr
    assert "affinity per process" in text.stdout
    # Without a threads run the note is noise.
    assert "threads run unpinned" not in bench("--mode", "parallel", env=env).stderr
