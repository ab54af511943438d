"""Engine benchmarks: speedup against the bound, the article's in-order Pool against longest
first, instrumentation cost, start and cancel latency.

    python benchmarks/bench_engine.py            # the README's figures (about 7 minutes on 2 cores)
    python benchmarks/bench_engine.py --quick    # a smoke run of every part
    python benchmarks/bench_engine.py --json     # the same figures as JSON

Medians and ratios come from one run of this script; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from coremeter.cores import Machine, pin
from coremeter.results import ResultsLog, RunRecord
from coremeter.runner import context, local_run, prepare
from coremeter.schedule import SCHEDULES, Schedule
from coremeter.spec import RunSpec
from coremeter.workload import DEFAULT_SCALE, SEED, Workload, make_tasks, seed_loop


def speedups(cores: list[int], scale: float, repeat: int) -> list[dict]:
    """Sequential then parallel, in pairs, per shape. The speedup is the median of the
    pairs' ratios, so a slow spell of a shared host hits one pair, not one side.

    Two more figures say where a shortfall from the bound comes from: how fast each
    core ran its loop with every core busy against alone (the hardware and its
    neighbours), and the parallel run's wall time outside the longest lane's loops
    (coremeter's own: starting workers, handing over tasks, collecting them)."""
    rows = []
    for shape in ("seed", "balanced"):
        pairs = []
        for _ in range(repeat):
            seq, par = (run_once(mode, shape, scale, cores) for mode in ("sequential", "parallel"))
            pairs.append((seq, par))
        walls = {
            mode: statistics.median(pair[i].wall_s for pair in pairs)
            for i, mode in enumerate(("sequential", "parallel"))
        }
        rows.append(
            {
                "shape": shape,
                "cores": len(cores),
                "sequential_s": walls["sequential"],
                "parallel_s": walls["parallel"],
                "speedup": statistics.median(s.wall_s / p.wall_s for s, p in pairs),
                "bound": pairs[0][1].bound,
                "efficiency": statistics.median(s.wall_s / p.wall_s / p.bound for s, p in pairs),
                "core_speed": statistics.median(core_rate(p) / core_rate(s) for s, p in pairs),
                "outside_loops_ms": _ms(statistics.median(outside_loops(p) for _, p in pairs)),
            }
        )
    return rows


def schedules(cores: list[int], scale: float, repeat: int) -> dict:
    """The seed on two cores, where the schedules differ: a sequential run, then one
    parallel run per schedule, in rounds. Each speedup is against its round's sequential
    run; a figure is the median over the rounds, its factors those of the median run."""
    two = cores[:2]
    runs: dict[Schedule, list[RunRecord]] = {schedule: [] for schedule in SCHEDULES}
    for _ in range(repeat):
        log = ResultsLog()
        log.add(run_once("sequential", "seed", scale, two))
        for schedule in SCHEDULES:
            runs[schedule].append(log.add(run_once("parallel", "seed", scale, two, schedule)))
    rows = {}
    for schedule, records in runs.items():
        ranked = sorted(records, key=lambda r: r.speedup or 0.0)
        middle = ranked[len(ranked) // 2]
        assert middle.speedup is not None and middle.factors is not None
        rows[schedule] = {
            "speedup": middle.speedup,
            "bound": middle.bound,
            "efficiency": middle.efficiency,
            "core_speed": middle.factors.core_speed,
            "overhead": middle.factors.overhead,
        }
    return {"cores": len(two), "rounds": repeat, **rows}


def run_once(
    mode: str,
    shape: str,
    scale: float,
    cores: list[int],
    schedule: Schedule = "longest-first",
    workload: Workload = SEED,
) -> RunRecord:
    run = local_run(
        RunSpec.build(mode, shape, scale, cores, schedule=schedule).with_workload(workload)
    ).start()
    run.wait()
    record = run.record()
    assert record.ok, record.reason
    return record


def core_rate(record: RunRecord) -> float:
    """Iterations (units) per second of one core while it ran a task."""
    return sum(t.size for t in record.tasks) / sum(t.end_s - t.start_s for t in record.tasks)


def outside_loops(record: RunRecord) -> float:
    """Wall time not spent in the busiest core's loops."""
    busy: dict[int, float] = {}
    for t in record.tasks:
        busy[t.core] = busy.get(t.core, 0.0) + t.end_s - t.start_s
    return record.wall_s - max(busy.values())


def _bare_seed(core: int, sizes: list[int], out) -> None:
    """The article's loop, uninstrumented, pinned like a worker; returns its time."""
    pin(core)
    start = time.perf_counter()
    for size in sizes:
        seed_loop(size)
    out.value = time.perf_counter() - start


def instrumentation(core: int, scale: float, repeat: int) -> dict:
    """coremeter's sequential tasks against the bare loop, same core and sizes,
    in pairs; the overhead is the median of the pairs' ratios, so drift hits both alike."""
    ctx = context()
    sizes = [t.size for t in make_tasks("seed", scale, 1)]
    bare, counted = [], []
    for _ in range(repeat):
        out = ctx.RawValue("d", 0.0)
        process = ctx.Process(target=_bare_seed, args=(core, sizes, out))
        process.start()
        process.join()
        bare.append(out.value)
        run = local_run(RunSpec.build("sequential", "seed", scale, [core])).start()
        run.wait()
        tasks = run.record().tasks
        counted.append(tasks[-1].end_s - tasks[0].start_s)
    return {
        "core": core,
        "bare_s": statistics.median(bare),
        "instrumented_s": statistics.median(counted),
        "overhead": statistics.median(c / b for b, c in zip(bare, counted, strict=True)) - 1,
    }


def start_latency(cores: list[int], repeat: int) -> dict:
    """From start() until the last worker runs its code, parallel on every core."""
    latencies = []
    for _ in range(repeat):
        run = local_run(RunSpec.build("parallel", "balanced", 1e-4, cores)).start()
        run.wait()
        latencies.append(run.worker_start_latency())
    return {
        "workers": len(cores),
        "median_ms": _ms(statistics.median(latencies)),
        "max_ms": _ms(max(latencies)),
    }


def cancel_latency(cores: list[int], repeat: int) -> dict:
    """From cancel() until every worker has exited, mid-run."""
    latencies = []
    for _ in range(repeat):
        run = local_run(RunSpec.build("parallel", "balanced", 5.0, cores)).start()
        while not all(t.done for t in run.tasks()):
            time.sleep(0.01)
        start = time.perf_counter()
        run.cancel()
        latencies.append(time.perf_counter() - start)
    return {
        "workers": len(cores),
        "median_ms": _ms(statistics.median(latencies)),
        "max_ms": _ms(max(latencies)),
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scale, repeat, latency_repeat = (0.002, 1, 3) if args.quick else (args.scale, args.repeat, 20)

    prepare()
    machine = Machine.detect()
    cores = machine.usable_cores
    figures = {
        "machine": machine.to_json(),
        "speedup": speedups(cores, scale, repeat),
        "schedules": schedules(cores, scale, repeat),
        "instrumentation": instrumentation(cores[0], scale / 2, max(repeat, 3)),
        "start_latency": start_latency(cores, latency_repeat),
        "cancel_latency": cancel_latency(cores, latency_repeat),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"# {machine.cpu_model}, {len(cores)} usable cores, Python {machine.python}, scale {scale}"
    )
    print(
        "| shape | cores | sequential s | parallel s | speedup | bound | efficiency "
        "| core speed, all busy vs alone | parallel wall outside the loops |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in figures["speedup"]:
        print(
            f"| {row['shape']} | {row['cores']} | {row['sequential_s']:.2f} "
            f"| {row['parallel_s']:.2f} | {row['speedup']:.2f}x | {row['bound']:.2f}x "
            f"| {row['efficiency']:.0%} | {row['core_speed']:.0%} "
            f"| {row['outside_loops_ms']} ms |"
        )
    compared = figures["schedules"]
    print(f"\nseed on {compared['cores']} cores by schedule, median of {compared['rounds']} rounds")
    print("| schedule | speedup | bound | efficiency | core speed | overhead |")
    print("|---|---|---|---|---|---|")
    for schedule in SCHEDULES:
        row = compared[schedule]
        print(
            f"| {schedule} | {row['speedup']:.2f}x | {row['bound']:.2f}x | "
            f"{row['efficiency']:.0%} | {row['core_speed']:.0%} | {row['overhead']:.1%} |"
        )
    inst = figures["instrumentation"]
    print(
        f"\ninstrumentation on cpu{inst['core']}: bare {inst['bare_s']:.3f} s, "
        f"instrumented {inst['instrumented_s']:.3f} s, overhead {inst['overhead']:+.1%}"
    )
    for name in ("start_latency", "cancel_latency"):
        f = figures[name]
        label = name.replace("_", " ")
        print(f"{label} ({f['workers']} workers): median {f['median_ms']} ms, max {f['max_ms']} ms")


if __name__ == "__main__":
    main()
