"""Balanced-shape scaling from one core to every usable core, and whether those cores
are physical cores or hyperthreads.

    python benchmarks/bench_scaling.py             # scale 1.0: about 4 minutes on 16 cores
    python benchmarks/bench_scaling.py --quick     # a smoke run of every part
    python benchmarks/bench_scaling.py --json

Made for the many-core machine; it needs only the engine and psutil, not Textual.
The balanced shape keeps its total work whatever the core count, so one sequential
run (before and after the parallel ones; their median) is every count's baseline.
Cores are taken one per physical core first, then their hyperthread siblings, so
the curve shows where the physical cores run out.

Whether the cores are hyperthreads is answered twice: by the kernel's topology
(thread_siblings_list, psutil's physical count), which a VM may hide or invent,
and by measurement: each core's loop speed with N cores busy against alone. On
physical cores it stays near 100% up to every core; on hyperthreads it drops to
about 55-65% once siblings share a physical core.
"""

from __future__ import annotations

import argparse
import json
import statistics

from bench_engine import core_rate, outside_loops, run_once

from coremeter.cores import Machine
from coremeter.runner import prepare


def physical_first(machine: Machine) -> list[int]:
    """The usable cores, the first of each physical core's siblings first."""
    first, rest, seen = [], [], set()
    for core in machine.usable_cores:
        group = tuple(machine.siblings.get(core, [core]))
        (rest if group in seen else first).append(core)
        seen.add(group)
    return first + rest


def counts(n_cores: int, n_physical: int) -> list[int]:
    """1, 2, 4, ... up to every core, with the physical count and every core included."""
    chosen = {n_cores, min(n_physical, n_cores)}
    n = 1
    while n < n_cores:
        chosen.add(n)
        n *= 2
    return sorted(chosen)


def scaling(order: list[int], n_physical: int, scale: float, repeat: int) -> dict:
    before = run_once("sequential", "balanced", scale, order[:1])
    rows = []
    for n in counts(len(order), n_physical):
        runs = [run_once("parallel", "balanced", scale, order[:n]) for _ in range(repeat)]
        rows.append((n, runs))
    after = run_once("sequential", "balanced", scale, order[:1])
    sequential_s = statistics.median([before.wall_s, after.wall_s])
    alone = statistics.median([core_rate(before), core_rate(after)])
    return {
        "sequential_s": sequential_s,
        "rows": [
            {
                "cores": n,
                "parallel_s": (wall := statistics.median(r.wall_s for r in runs)),
                "speedup": sequential_s / wall,
                "bound": runs[0].bound,
                "efficiency": sequential_s / wall / runs[0].bound,
                "core_speed": statistics.median(core_rate(r) for r in runs) / alone,
                "outside_loops_ms": round(statistics.median(outside_loops(r) for r in runs) * 1000),
            }
            for n, runs in rows
        ],
    }


def topology(machine: Machine) -> dict:
    groups = {tuple(machine.siblings.get(c, [c])) for c in machine.usable_cores}
    return {
        "usable": len(machine.usable_cores),
        "logical": machine.logical,
        "physical (psutil)": machine.physical,
        "physical (thread_siblings_list)": len(groups) if machine.siblings else None,
        "sibling pairs among the usable": len(machine.sibling_pairs(machine.usable_cores)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scale, repeat = (0.005, 1) if args.quick else (args.scale, args.repeat)

    prepare()
    machine = Machine.detect()
    order = physical_first(machine)
    physical = topology(machine)["physical (thread_siblings_list)"] or machine.physical
    figures = {
        "machine": machine.to_json(),
        "topology": topology(machine),
        "order": order,
        "scale": scale,
        **scaling(order, physical, scale, repeat),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"# {machine.cpu_model}, Python {machine.python}, balanced shape, scale {scale}")
    print("# " + ", ".join(f"{k} {v}" for k, v in figures["topology"].items()))
    print(f"# cores in the order taken: {order}")
    print(f"# sequential (one core): {figures['sequential_s']:.2f} s")
    print(
        "| cores | parallel s | speedup | bound | efficiency "
        "| core speed, all busy vs alone | parallel wall outside the loops |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in figures["rows"]:
        print(
            f"| {row['cores']} | {row['parallel_s']:.2f} | {row['speedup']:.2f}x "
            f"| {row['bound']:.2f}x | {row['efficiency']:.0%} | {row['core_speed']:.0%} "
            f"| {row['outside_loops_ms']} ms |"
        )


if __name__ == "__main__":
    main()
