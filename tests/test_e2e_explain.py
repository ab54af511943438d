"""The numbers explained, end to end: a competing program is named, and the article's
in-order Pool really leaves a core waiting at the end."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator

import psutil
import pytest
from helpers import TINY, wait_for, working

pytestmark = pytest.mark.e2e

CORES = sorted(os.sched_getaffinity(0))


def bench(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "coremeter", "bench", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def busy_core() -> Iterator[int]:
    """Another program spinning on the last usable core, until the test ends."""
    core = CORES[-1]
    spin = f"import os\nos.sched_setaffinity(0, {{{core}}})\nwhile True: pass"
    hog = subprocess.Popen([sys.executable, "-c", spin])
    try:
        process = psutil.Process(hog.pid)
        # Pinned, then spinning: the loop is all the hog does once it has pinned itself.
        wait_for(lambda: process.cpu_affinity() == [core], 10, "the hog to pin itself")
        working(lambda: [process], timeout=10)
        yield core
    finally:
        hog.kill()
        hog.wait()


def test_a_program_busy_on_a_core_is_named_in_the_run_notes(busy_core: int) -> None:
    doc = bench("--mode", "parallel", "--scale", str(TINY))
    (run,) = doc["runs"]
    named = [note for note in run["notes"] if note.startswith(f"cpu{busy_core} was ")]
    assert named, run["notes"]
    assert named[0].endswith("% busy before the run: another program competes for it")
    share = int(named[0].split()[2].rstrip("%"))
    assert 25 < share <= 100


@pytest.mark.slow  # medians of repeated runs; test_app runs the article's Pool once
@pytest.mark.skipif(len(CORES) < 2, reason="needs two usable cores")
def test_in_order_leaves_a_core_idle_and_measures_about_one_and_a_half() -> None:
    first, second = CORES[:2]
    doc = bench(
        "--schedule", "in-order", "--cores", f"{first},{second}", "--scale", "0.02",
        "--repeat", "3",
    )  # fmt: skip
    parallel = [run for run in doc["runs"] if run["mode"] == "parallel"]
    assert len(parallel) == 3
    for run in parallel:
        assert run["ok"] and run["schedule"] == "in-order" and run["bound"] == 1.5
        tasks = {task["id"]: task for task in run["tasks"]}
        # The article's Pool: tasks 0 and 2 (1 + 3 units) on one core, task 1 on the other.
        assert [tasks[i]["core"] for i in (0, 1, 2)] == [first, second, first]
        factors = run["factors"]
        assert factors["balance"] == 0.75
        product = factors["cores"] * factors["balance"] * factors["core_speed"]
        assert product * factors["overhead"] == pytest.approx(run["speedup"], rel=0.01)
    # Raw speedups depend on the host: one pair whose sequential run met a slow spell
    # read 1.99x, and two of three 1.90x on CI, where the schedule allows 1.5. core_speed
    # says by how much each pair's cores differed; taken out, what is left is the
    # schedule's 1.5 less the run's own overhead, on a quiet host or not.
    schedule = [run["speedup"] / run["factors"]["core_speed"] for run in parallel]
    assert 1.3 < statistics.median(schedule) < 1.6, schedule
    # The core with 2 units of 4 waits at the end: on a quiet host, for about half the run;
    # longest first would leave it waiting for almost none of it. The median of the three
    # runs, since a slow spell on that core alone shortens its wait in one run (CI saw 0.17).
    for run in parallel:
        assert run["tasks"][1]["end_s"] < run["tasks"][2]["end_s"]
    waits = [(run["wall_s"] - run["tasks"][1]["end_s"]) / run["wall_s"] for run in parallel]
    if not any(run["notes"] for run in doc["runs"]):
        assert 0.2 < statistics.median(waits) < 0.7, waits
    (summary,) = [s for s in doc["summary"] if s["mode"] == "parallel"]
    assert summary["runs"] == 3
    assert summary["median_speedup"] == statistics.median(r["speedup"] for r in parallel)
