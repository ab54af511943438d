"""The benchmark scripts still run, and the scaling script takes cores the way it says.

Their figures are measured by running them (README, Benchmarks); here each runs its
--quick smoke pass, so a change to the engine cannot silently break them: in the slow
tier, and in the quick one each script at least imports what it uses and starts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from coremeter.cores import Machine

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from bench_scaling import counts, physical_first  # noqa: E402


def quick(script: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("script", sorted(path.name for path in BENCHMARKS.glob("bench_*.py")))
def test_each_script_starts(script: str) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--quick" in result.stdout


@pytest.mark.slow
def test_bench_engine_quick_measures_every_figure(machine: Machine) -> None:
    figures = quick("bench_engine.py")
    assert [row["shape"] for row in figures["speedup"]] == ["seed", "balanced"]
    for row in figures["speedup"]:
        assert row["speedup"] > 0 and row["core_speed"] > 0 and row["outside_loops_ms"] >= 0
    compared = figures["schedules"]
    assert compared["cores"] == min(2, len(machine.usable_cores))
    if compared["cores"] == 2:
        assert (compared["in-order"]["bound"], compared["longest-first"]["bound"]) == (1.5, 2.0)
    for schedule in ("in-order", "longest-first"):
        assert compared[schedule]["speedup"] > 0 and compared[schedule]["core_speed"] > 0
    assert figures["start_latency"]["workers"] == len(machine.usable_cores)
    assert figures["cancel_latency"]["median_ms"] > 0


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal")
def test_bench_dashboard_quick_measures_every_size_and_the_simulated_machines() -> None:
    figures = quick("bench_dashboard.py")
    assert set(figures) == {
        "120x35",
        "200x60",
        *(f"{cores} cores {size}" for cores in (64, 256) for size in ("120x35", "200x60")),
    }
    for size in ("120x35", "200x60"):
        assert figures[size]["run"] > 0 and figures[size]["ratio"] > 0
    assert all(row["run"] > 0 for row in figures.values())


@pytest.mark.slow
def test_bench_workloads_quick_measures_every_workload_against_its_targets() -> None:
    figures = quick("bench_workloads.py")
    assert [row["workload"] for row in figures["rows"]] == ["seed", "io", "hash"]
    for row in figures["rows"]:
        assert row["threads"] > 0 and row["parallel"] > 0 and row["sequential_s"] > 0
    targets = {(v["workload"], v["mode"]): v for v in figures["targets"]}
    assert set(targets) == {
        ("io", "threads"),
        ("hash", "threads"),
        ("seed", "threads"),
        ("seed", "parallel"),
        ("hash", "parallel"),
    }
    for verdict in targets.values():
        # A miss always says why; a met target needs no excuse.
        assert (verdict["why"] is None) == verdict["met"]


@pytest.mark.slow
def test_bench_scaling_quick_runs_every_count(machine: Machine) -> None:
    figures = quick("bench_scaling.py")
    assert sorted(figures["order"]) == machine.usable_cores
    assert [row["cores"] for row in figures["rows"]] == counts(
        len(machine.usable_cores), figures["topology"]["physical (psutil)"]
    )
    assert all(row["speedup"] > 0 for row in figures["rows"])


@pytest.mark.parametrize(
    ("siblings", "order"),
    [
        ({}, list(range(16))),
        # Linux numbers a physical core's second thread after all the first threads...
        ({c: [c % 8, c % 8 + 8] for c in range(16)}, list(range(16))),
        # ...some firmware numbers them side by side.
        ({c: [c - c % 2, c - c % 2 + 1] for c in range(16)}, [*range(0, 16, 2), *range(1, 16, 2)]),
    ],
    ids=["no topology", "siblings 8 apart", "siblings adjacent"],
)
def test_scaling_takes_one_core_per_physical_core_first(
    machine: Machine, siblings: dict[int, list[int]], order: list[int]
) -> None:
    box = replace(machine, usable_cores=list(range(16)), siblings=siblings)
    assert physical_first(box) == order


def test_scaling_counts_include_the_physical_count_and_every_core() -> None:
    assert counts(16, 8) == [1, 2, 4, 8, 16]
    assert counts(12, 6) == [1, 2, 4, 6, 8, 12]
    assert counts(2, 2) == [1, 2]
    assert counts(1, 1) == [1]


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal")
def test_bench_replay_quick_measures_a_256_core_replay_at_both_sizes() -> None:
    figures = quick("bench_replay.py")
    assert set(figures) == {"256 cores 120x35", "256 cores 200x60"}
    assert all(row["run"] > 0 for row in figures.values())


@pytest.mark.slow
@pytest.mark.cluster
def test_bench_cluster_quick_compares_both_engines() -> None:
    pytest.importorskip("distributed")
    figures = quick("bench_cluster.py")
    assert [row["shape"] for row in figures["rows"]] == ["seed", "balanced"]
    for row in figures["rows"]:
        for engine in ("local", "cluster"):
            assert row[engine]["speedup"] > 0 and row[engine]["outside_loops_ms"] >= 0
