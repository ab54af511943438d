"""Dashboard overhead: its own CPU idle and during a run, and a parallel run's wall time under it.

    python benchmarks/bench_dashboard.py          # the README's figures (2-3 minutes on 2 cores)
    python benchmarks/bench_dashboard.py --quick  # a smoke run of every part

The real ``coremeter`` runs in tmux at 120x35, a real pseudo-terminal with a real
terminal emulator drawing it. Only the dashboard's own process is measured
(psutil cpu_times of its pid), not its workers or the fork server. Its parallel wall
time is read off the results table with capture-pane, and compared with
``coremeter bench --mode parallel --json`` at the same scale and shape; the two
alternate, so a change in the machine's load hits both. Run it on an otherwise idle
machine: other work on the cores shows up in the wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import psutil

from coremeter.workload import DEFAULT_SCALE

SIZE = ("120", "35")
# A results row: "#  mode  work  cores  wall s ..." as the dashboard's table draws it.
ROW = re.compile(r"^\s*(\d+)\s+(sequential|parallel|threads)\s+\S+\s+\S+\s+(\d+\.\d+)\s")
# Measured strictly inside the run: start a little after the key, stop a little before
# the end the bench run predicts, so neither start-up nor the idle tail dilutes it.
RUN_MARGIN_S = 0.3


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen(name: str) -> str:
    return tmux("capture-pane", "-p", "-t", name)


def rows(name: str) -> list[tuple[int, str, float]]:
    return [
        (int(m[1]), m[2], float(m[3]))
        for line in screen(name).splitlines()
        if (m := ROW.match(line))
    ]


def wait_for(condition, timeout: float, what: str, tick: float = 0.2):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(tick)
    return result


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def bench_wall(scale: float, shape: str) -> float:
    command = [sys.executable, "-m", "coremeter", "bench", "--mode", "parallel", "--json"]
    command += ["--scale", str(scale), "--shape", shape]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    (run,) = json.loads(result.stdout)["runs"]
    assert run["ok"], run
    return run["wall_s"]


class Dashboard:
    """``coremeter`` in its own tmux session; the process measured is the app itself."""

    def __init__(self, scale: float, shape: str) -> None:
        self.name = f"coremeter-bench-{os.getpid()}"
        command = f"{sys.executable} -m coremeter --scale {scale} --shape {shape}"
        tmux("new-session", "-d", "-s", self.name, "-x", SIZE[0], "-y", SIZE[1], command)
        pane = psutil.Process(int(tmux("display-message", "-p", "-t", self.name, "#{pane_pid}")))
        self.app = wait_for(lambda: self._find_app(pane), 10, "the dashboard's process")
        wait_for(lambda: "idle" in screen(self.name), 20, "the dashboard to draw")

    @staticmethod
    def _find_app(pane: psutil.Process) -> psutil.Process | None:
        """tmux's shell may exec the command or run it as a child."""
        for process in (pane, *pane.children()):
            if "coremeter" in " ".join(process.cmdline()):
                return process
        return None

    def idle_percent(self, seconds: float) -> float:
        before, start = cpu_seconds(self.app), time.monotonic()
        time.sleep(seconds)
        return 100 * (cpu_seconds(self.app) - before) / (time.monotonic() - start)

    def parallel_run(self, expected_s: float) -> tuple[float, float]:
        """Press p; returns the app's CPU percent inside the run and the table's wall time."""
        done = len(rows(self.name))
        tmux("send-keys", "-t", self.name, "p")
        time.sleep(RUN_MARGIN_S)
        before, start = cpu_seconds(self.app), time.monotonic()
        time.sleep(max(0.1, expected_s - 2 * RUN_MARGIN_S))
        percent = 100 * (cpu_seconds(self.app) - before) / (time.monotonic() - start)
        table = wait_for(lambda: rows(self.name)[done:], 10 * expected_s + 10, "the result row")
        (_, mode, wall_s) = table[0]
        assert mode == "parallel", table
        return percent, wall_s

    def quit(self) -> None:
        tmux("send-keys", "-t", self.name, "q")
        wait_for(lambda: not self.app.is_running(), 10, "the dashboard to quit", tick=0.05)
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def measure(scale: float, shape: str, repeat: int, idle_s: float, settle_s: float) -> dict:
    figures: dict[str, list[float]] = {"idle": [], "run": [], "bench": [], "dashboard": []}
    for _ in range(repeat):
        figures["bench"].append(bench_wall(scale, shape))
        dashboard = Dashboard(scale, shape)
        try:
            time.sleep(settle_s)
            figures["idle"].append(dashboard.idle_percent(idle_s))
            percent, wall_s = dashboard.parallel_run(figures["bench"][-1])
            figures["run"].append(percent)
            figures["dashboard"].append(wall_s)
        finally:
            dashboard.quit()
    ratios = [d / b for d, b in zip(figures["dashboard"], figures["bench"], strict=True)]
    medians = {key: statistics.median(values) for key, values in figures.items()}
    return {**medians, "ratio": statistics.median(ratios), "samples": figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke run")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--shape", choices=("seed", "balanced"), default="seed")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle measured")
    args = parser.parse_args()
    if args.quick:
        args.scale, args.repeat, args.idle = 0.02, 1, 1.0
    result = measure(
        args.scale, args.shape, args.repeat, args.idle, settle_s=1.0 if args.quick else 2.0
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"dashboard overhead: tmux {'x'.join(SIZE)}, {cores} cores, scale {args.scale:g}, "
        f"{args.shape}, {args.repeat} repeats, medians"
    )
    table = [
        ("dashboard CPU idle, % of one core", f"{result['idle']:.2f}", "<= 2"),
        ("dashboard CPU during a parallel run, %", f"{result['run']:.2f}", "<= 4"),
        ("parallel wall, coremeter bench (s)", f"{result['bench']:.3f}", ""),
        ("parallel wall, under the dashboard (s)", f"{result['dashboard']:.3f}", ""),
        ("wall ratio dashboard / bench", f"{result['ratio']:.3f}", "<= 1.03"),
    ]
    for label, value, target in table:
        print(f"  {label:<40} {value:>8}  {target}")


if __name__ == "__main__":
    main()
