"""A LocalCluster's parallel runs against the local engine's, on the same cores.

    python benchmarks/bench_cluster.py            # the README's figures (a few minutes)
    python benchmarks/bench_cluster.py --quick    # a smoke run
    python benchmarks/bench_cluster.py --json     # the same figures as JSON

Each round runs the sequential baseline, then the local engine's parallel run and the
cluster's, one after another, each engine first every other round. A speedup is the
median over rounds of the round's own ratio, so a slow spell of a shared host hits
one round, not one side. Two more
figures keep the overhead apart from the warm-worker effect (Dask's workers are
started once, ours per run): the wall time outside the critical lane's loops, and
how fast a core ran its loop against the baseline (core speed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from bench_dashboard import Dashboard

from coremeter import runner
from coremeter.clusterrun import open_cluster
from coremeter.cores import Machine
from coremeter.options import ClusterOptions
from coremeter.results import RunRecord
from coremeter.run import Launcher
from coremeter.runner import prepare
from coremeter.spec import RunSpec
from coremeter.workload import DEFAULT_SCALE

ENGINES = ("local", "cluster")


def run_once(launch: Launcher, mode: str, shape: str, scale: float, cores: list[int]) -> RunRecord:
    run = launch(RunSpec.build(mode, shape, scale, cores)).start()
    run.wait()
    record = run.record()
    assert record.ok, record.reason
    return record


def core_rate(record: RunRecord) -> float:
    """Units per second of one core while it ran a task."""
    return sum(t.size for t in record.tasks) / sum(
        (t.end_s or 0.0) - (t.start_s or 0.0) for t in record.tasks
    )


def outside_loops(record: RunRecord) -> float:
    """Wall time not spent in the busiest core's loops: starting, handing over, collecting."""
    busy: dict[int | None, float] = {}
    for t in record.tasks:
        busy[t.core] = busy.get(t.core, 0.0) + (t.end_s or 0.0) - (t.start_s or 0.0)
    return record.wall_s - max(busy.values())


def compare(launchers: dict[str, Launcher], cores: list[int], scale: float, repeat: int) -> list:
    rows = []
    for shape in ("seed", "balanced"):
        rounds = []
        for index in range(repeat):
            seq = run_once(launchers["local"], "sequential", shape, scale, cores)
            # Each engine goes first every other round: the run right after another
            # meets a warmer (or throttled) machine, and that must not be one engine's.
            order = ENGINES if index % 2 == 0 else ENGINES[::-1]
            par = {e: run_once(launchers[e], "parallel", shape, scale, cores) for e in order}
            rounds.append((seq, par))
        bound = rounds[0][1]["local"].bound
        row: dict[str, object] = {"shape": shape, "cores": len(cores), "bound": bound}
        for engine in ENGINES:
            row[engine] = {
                "parallel_s": statistics.median(p[engine].wall_s for _, p in rounds),
                "speedup": statistics.median(s.wall_s / p[engine].wall_s for s, p in rounds),
                "core_speed": statistics.median(
                    core_rate(p[engine]) / core_rate(s) for s, p in rounds
                ),
                "outside_loops_ms": round(
                    1000 * statistics.median(outside_loops(p[engine]) for _, p in rounds), 1
                ),
            }
        row["sequential_s"] = statistics.median(s.wall_s for s, _ in rounds)
        rows.append(row)
    return rows


def dashboard_cpu(scale: float, repeat: int, expected_s: float) -> dict:
    """The dashboard's own CPU (its process: a LocalCluster's scheduler and client live
    in it) idle and during a parallel run, in tmux at 120x35, as bench_dashboard.py
    measures it without a cluster."""
    idle, run = [], []
    for _ in range(repeat):
        command = f"{sys.executable} -m coremeter --cluster --scale {scale} --shape balanced"
        dashboard = Dashboard(command, (120, 35))
        try:
            time.sleep(2.0)
            idle.append(dashboard.idle_percent(3.0))
            run.append(dashboard.parallel_run(expected_s)[0])
        finally:
            dashboard.quit()
    return {"idle": statistics.median(idle), "run": statistics.median(run), "runs": run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scale, repeat = (0.002, 1) if args.quick else (args.scale, args.repeat)

    prepare()
    machine = Machine.detect()
    cores = machine.usable_cores
    link = open_cluster(ClusterOptions(None), cores)
    try:
        rows = compare({"local": runner.local_run, "cluster": link.launch}, cores, scale, repeat)
    finally:
        link.close()
    local = rows[1]["local"]
    assert isinstance(local, dict)
    cpu = dashboard_cpu(max(scale, 0.1), repeat, max(local["parallel_s"], 1.0))
    if args.json:
        figures = {"machine": machine.to_json(), "scale": scale, "rows": rows, "dashboard": cpu}
        print(json.dumps(figures, indent=2))
        return
    print(f"# {machine.cpu_model}, {len(cores)} cores, scale {scale}, median of {repeat} rounds")
    print("| shape | engine | parallel s | speedup | bound | core speed | outside the loops |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        for engine in ENGINES:
            f = row[engine]
            assert isinstance(f, dict)
            print(
                f"| {row['shape']} | {engine} | {f['parallel_s']:.2f} | {f['speedup']:.2f}x "
                f"| {row['bound']:.2f}x | {f['core_speed']:.0%} | {f['outside_loops_ms']} ms |"
            )
    print(
        f"\ndashboard's own CPU with a LocalCluster, tmux 120x35: idle {cpu['idle']:.2f}%, "
        f"during a balanced parallel run {cpu['run']:.2f}% of one core (target <= 6)"
    )


if __name__ == "__main__":
    main()
