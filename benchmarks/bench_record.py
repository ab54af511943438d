"""Recording: what a recording weighs, and what recording costs the run.

    python benchmarks/bench_record.py          # the figures (about 2 minutes on 2 cores)
    python benchmarks/bench_record.py --quick  # a smoke run of every part
    python benchmarks/bench_record.py --json   # the same figures as one JSON document

Size: one minute of 256 cores at 10 Hz (coremeter.synthetic: every core busy, with the
noise of real readings), written as JSON and gzipped, and the seconds each takes.

Cost, two ways. The real ``coremeter bench --mode parallel --json`` at one scale, with
and without ``--record``, in pairs whose order alternates, so a change in the machine's
load hits both sides: the median over pairs of the recorded run's wall time over the
unrecorded one's, 1.00 being no cost. On a shared machine that ratio is mostly noise, so
also what recording does, measured directly: the CPU time of each tick of bench's
recording (the cores sampled, the sample kept) during a real parallel run, and the share
of one core that is at 10 Hz. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from coremeter.cores import Machine
from coremeter.recorder import Recorder
from coremeter.recording import EVERY_S, load, save
from coremeter.runner import prepare
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.synthetic import synthetic


def size(cores: int, seconds: float) -> dict[str, Any]:
    recording = synthetic(cores=cores, seconds=seconds)
    figures: dict[str, Any] = {"cores": cores, "seconds": seconds}
    with tempfile.TemporaryDirectory() as folder:
        for name in ("json", "json.gz"):
            path = Path(folder) / f"minute.{name}"
            start = time.perf_counter()
            save(recording, path)
            written = time.perf_counter() - start
            start = time.perf_counter()
            load(path)
            figures[name] = {
                "bytes": path.stat().st_size,
                "write_s": written,
                "read_s": time.perf_counter() - start,
            }
    return figures


def wall_s(scale: float, record: Path | None) -> float:
    """The parallel run's wall time, as bench measured it."""
    command = [sys.executable, "-m", "coremeter", "bench", "--mode", "parallel"]
    command += ["--scale", str(scale), "--json"]
    command += ["--record", str(record)] if record is not None else []
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return float(json.loads(done.stdout)["runs"][0]["wall_s"])


def cost(scale: float, pairs: int) -> dict[str, Any]:
    ratios, plain, recorded = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "run.json.gz"
        for pair in range(pairs):
            # Alternate which goes first: the machine's drift then favours neither.
            first_recorded = pair % 2 == 1
            walls = {}
            for recording in (first_recorded, not first_recorded):
                walls[recording] = wall_s(scale, target if recording else None)
            plain.append(walls[False])
            recorded.append(walls[True])
            ratios.append(walls[True] / walls[False])
    return {
        "scale": scale,
        "pairs": pairs,
        "median_ratio": statistics.median(ratios),
        "ratios": ratios,
        "median_plain_s": statistics.median(plain),
        "median_recorded_s": statistics.median(recorded),
    }


def tick_cost(scale: float) -> dict[str, Any]:
    """The CPU each of bench's recording ticks takes, during a real parallel run."""
    prepare()
    machine = Machine.detect()
    session = Session(machine, machine.usable_cores, "seed", scale)
    recorder = Recorder(machine)
    sampler = CpuSampler(machine.usable_cores)
    costs = []
    try:
        run = session.start("parallel")
        while not run.wait(timeout=EVERY_S):
            session.poll()
            start = time.thread_time()
            recorder.follow(session, sampler)
            costs.append(time.thread_time() - start)
    finally:
        session.close()
    median = statistics.median(costs) if costs else 0.0
    return {
        "ticks": len(costs),
        "median_tick_us": median * 1e6,
        "core_percent": median / EVERY_S * 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few pairs: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--pairs", type=int, default=8)
    args = parser.parse_args()
    seconds, scale, pairs = (2.0, 0.005, 2) if args.quick else (60.0, args.scale, args.pairs)
    figures = {
        "size": size(256, seconds),
        "tick": tick_cost(scale),
        "cost": cost(scale, pairs),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    weight = figures["size"]
    print(f"# {weight['cores']} cores, {weight['seconds']:g} s at 10 Hz")
    for name in ("json", "json.gz"):
        part = weight[name]
        print(
            f"{name:<8} {part['bytes'] / 1e6:6.2f} MB  written in {part['write_s']:.2f} s, "
            f"read in {part['read_s']:.2f} s"
        )
    tick = figures["tick"]
    print(
        f"# a recording tick during a parallel run: {tick['median_tick_us']:.0f} us of CPU "
        f"(median of {tick['ticks']}), {tick['core_percent']:.2f}% of one core at 10 Hz"
    )
    paid = figures["cost"]
    print(
        f"# bench --mode parallel --scale {paid['scale']:g}, {paid['pairs']} pairs: "
        f"recorded / not recorded = {paid['median_ratio']:.3f} (median; "
        f"{paid['median_plain_s']:.2f} s against {paid['median_recorded_s']:.2f} s)"
    )


if __name__ == "__main__":
    main()
