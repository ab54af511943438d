"""Workload gallery: threads and parallel speedups per workload, against the issue's targets.

    python benchmarks/bench_workloads.py            # the README's table (about 3 minutes)
    python benchmarks/bench_workloads.py --quick    # a smoke run of every part
    python benchmarks/bench_workloads.py --json     # the same figures as JSON

Each round runs every workload sequential, threads and parallel on the same cores
(the first two usable, as the targets are for two cores); a speedup is the median
of the rounds' ratios, so a slow spell of a shared host hits one round, not one
side. Where a target is missed, the script says why from what it measured: how
fast each core ran with every core busy against alone, and the wall time outside
the tasks. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass

from bench_engine import core_rate, outside_loops, run_once

from coremeter.cores import Machine
from coremeter.results import RunRecord
from coremeter.runner import prepare
from coremeter.workload import BUILTINS, DEFAULT_SCALE


@dataclass(frozen=True)
class Target:
    workload: str
    mode: str
    at_least: float | None = None
    at_most: float | None = None

    def met(self, speedup: float) -> bool:
        low = self.at_least is None or speedup >= self.at_least
        return low and (self.at_most is None or speedup <= self.at_most)

    def __str__(self) -> str:
        return f">= {self.at_least}x" if self.at_least is not None else f"<= {self.at_most}x"


TARGETS = (
    Target("io", "threads", at_least=1.9),
    Target("hash", "threads", at_least=1.7),
    Target("seed", "threads", at_most=1.05),
    Target("seed", "parallel", at_least=1.9),
    Target("hash", "parallel", at_least=1.8),
)
MODES = ("sequential", "threads", "parallel")


def measure(cores: list[int], scale: float, repeat: int) -> list[dict]:
    rounds: dict[str, list[dict[str, RunRecord]]] = {w.name: [] for w in BUILTINS}
    for _ in range(repeat):
        for workload in BUILTINS:
            rounds[workload.name].append(
                {
                    mode: run_once(mode, "balanced", scale, cores, workload=workload)
                    for mode in MODES
                }
            )
    rows = []
    for workload in BUILTINS:
        runs = rounds[workload.name]
        row: dict = {
            "workload": workload.name,
            "lesson": workload.lesson,
            "cores": len(cores),
            "bound": runs[0]["parallel"].bound,
            "sequential_s": statistics.median(r["sequential"].wall_s for r in runs),
        }
        for mode in ("threads", "parallel"):
            row[mode] = statistics.median(r["sequential"].wall_s / r[mode].wall_s for r in runs)
            row[f"{mode}_core_speed"] = statistics.median(
                core_rate(r[mode]) / core_rate(r["sequential"]) for r in runs
            )
            row[f"{mode}_outside_ms"] = round(
                1000 * statistics.median(outside_loops(r[mode]) for r in runs), 1
            )
        rows.append(row)
    return rows


def why(target: Target, row: dict, machine: Machine) -> str:
    """What the measurements say about a missed target."""
    if row["cores"] < 2:
        return "one usable core: nothing can run beside it"
    speed = row[f"{target.mode}_core_speed"]
    outside = row[f"{target.mode}_outside_ms"] / 1000
    if target.at_most is not None:
        if not machine.gil:
            return "the GIL is off in this Python: threads run Python code in parallel"
        return "threads beat the GIL's one core: noise in the sequential run, rerun"
    if target.mode == "threads" and row["workload"] == "hash" and speed < 0.8:
        return (
            f"each thread hashed at {speed:.0%} of one alone: the GIL is held between "
            "buffers, or the two cores share a cache or memory bandwidth"
        )
    if speed < 0.9:
        return (
            f"each core ran at {speed:.0%} of its speed alone: other load on the host or "
            "shared hardware (hyperthreads, turbo), not coremeter"
        )
    if outside > 0.05 * row["sequential_s"] / row["bound"]:
        return (
            f"{outside * 1000:.0f} ms of each run outside its tasks (starting and ending "
            "workers): the runs are too short, raise --scale"
        )
    return "noise on a shared host: the per-core speed and overhead look right, rerun"


def verdicts(rows: list[dict], machine: Machine) -> list[dict]:
    by_name = {row["workload"]: row for row in rows}
    out = []
    for target in TARGETS:
        row = by_name[target.workload]
        speedup = row[target.mode]
        met = target.met(speedup)
        out.append(
            {
                "workload": target.workload,
                "mode": target.mode,
                "target": str(target),
                "speedup": speedup,
                "met": met,
                "why": None if met else why(target, row, machine),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE / 2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scale, repeat = (0.003, 1) if args.quick else (args.scale, args.repeat)

    prepare()
    machine = Machine.detect()
    cores = machine.usable_cores[:2]
    rows = measure(cores, scale, repeat)
    figures = {
        "machine": machine.to_json(),
        "scale": scale,
        "rows": rows,
        "targets": verdicts(rows, machine),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"# {machine.cpu_model}, cores {cores}, Python {machine.python} "
        f"(GIL {'on' if machine.gil else 'off'}), scale {scale}, median of {repeat}"
    )
    print("| workload | sequential s | threads | parallel | bound |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['workload']} | {row['sequential_s']:.2f} | {row['threads']:.2f}x "
            f"| {row['parallel']:.2f}x | {row['bound']:.2f}x |"
        )
    print()
    for v in figures["targets"]:
        verdict = "met" if v["met"] else f"MISSED: {v['why']}"
        print(f"{v['workload']} {v['mode']} {v['speedup']:.2f}x (target {v['target']}): {verdict}")


if __name__ == "__main__":
    main()
