"""Dashboard overhead: its own CPU idle and during a run, and a parallel run's wall time under it.

    python benchmarks/bench_dashboard.py          # the README's figures (5-6 minutes on 2 cores)
    python benchmarks/bench_dashboard.py --quick  # a smoke run of every part
    python benchmarks/bench_dashboard.py --json   # the same figures as one JSON document

The real ``coremeter`` runs in tmux at 120x35 and at 200x60, a real pseudo-terminal
with a real terminal emulator drawing it. Only the dashboard's own process is measured
(psutil cpu_times of its pid), not its workers or the fork server. Its parallel wall
time is read off the results table with capture-pane, and compared with
``coremeter bench --mode parallel --json`` at the same scale and shape; the two
alternate, so a change in the machine's load hits both. Many cores are simulated: the
dashboard of a 64- or 256-core machine (tests/fakes.py's machine, a sampler reading
busy cores that move, and a balanced run whose tasks advance with the clock) runs in
the same terminal, started by this script with ``--simulate N``. Run it on an otherwise
idle machine: other work on the cores shows up in the wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

from coremeter.workload import DEFAULT_SCALE

SIZES = ((120, 35), (200, 60))
SIMULATED = (64, 256)
# Seconds a simulated run lasts: as long as a real parallel run at the default scale.
SIMULATED_RUN_S = 4.0
# A results row: "#  mode  workload  shape  cores  wall s ..." as the dashboard's table draws it.
ROW = re.compile(r"^\s*(\d+)\s+(sequential|parallel|threads)\s+\S+\s+\S+\s+\S+\s+(\d+\.\d+)\s")
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

    def __init__(self, command: str, size: tuple[int, int]) -> None:
        self.name = f"coremeter-bench-{os.getpid()}"
        width, height = map(str, size)
        # An explicit environment: a COLUMNS or LINES inherited would fix the app's size.
        command = f"env -u COLUMNS -u LINES {command}"
        tmux("new-session", "-d", "-s", self.name, "-x", width, "-y", height, command)
        pane = psutil.Process(int(tmux("display-message", "-p", "-t", self.name, "#{pane_pid}")))
        self.app = wait_for(lambda: self._find_app(pane), 10, "the dashboard's process")
        wait_for(lambda: "idle" in screen(self.name), 20, "the dashboard to draw")

    @staticmethod
    def _find_app(pane: psutil.Process) -> psutil.Process | None:
        """tmux's shell may exec the command or run it as a child."""
        for process in (pane, *pane.children()):
            command = " ".join(process.cmdline())
            if "-m coremeter" in command or "--simulate" in command:
                return process
        return None

    def idle_percent(self, seconds: float) -> float:
        before, start = cpu_seconds(self.app), time.monotonic()
        time.sleep(seconds)
        return 100 * (cpu_seconds(self.app) - before) / (time.monotonic() - start)

    def simulated_run(self, seconds: float) -> float:
        """Press p: the simulation's run; returns the app's CPU percent inside it."""
        tmux("send-keys", "-t", self.name, "p")
        wait_for(lambda: "running" in screen(self.name), 10, "the simulated run")
        time.sleep(RUN_MARGIN_S)
        return self.idle_percent(max(0.1, seconds - 2 * RUN_MARGIN_S))

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
        """q, and y where the dashboard asks before losing results on screen."""
        for key in ("q", "y"):
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], capture_output=True)
            try:
                wait_for(lambda: not self.app.is_running(), 3, "the dashboard to quit", tick=0.05)
                break
            except TimeoutError:
                continue
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def measure(
    scale: float, shape: str, repeat: int, idle_s: float, settle_s: float
) -> dict[str, dict]:
    """Per size: the app's CPU idle and in a parallel run, that run's wall time against
    bench's; then the simulated machines' CPU in a run. Medians, with every sample."""
    results: dict[str, dict] = {}
    for size in SIZES:
        figures: dict[str, list[float]] = {"idle": [], "run": [], "bench": [], "dashboard": []}
        for _ in range(repeat):
            figures["bench"].append(bench_wall(scale, shape))
            command = f"{sys.executable} -m coremeter --scale {scale} --shape {shape}"
            dashboard = Dashboard(command, size)
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
        results["x".join(map(str, size))] = {
            **medians,
            "ratio": statistics.median(ratios),
            "samples": figures,
        }
    for cores in SIMULATED:
        for size in SIZES:
            samples = []
            for _ in range(repeat):
                command = f"{sys.executable} {Path(__file__).resolve()} --simulate {cores}"
                dashboard = Dashboard(command, size)
                try:
                    time.sleep(settle_s)
                    samples.append(dashboard.simulated_run(SIMULATED_RUN_S))
                finally:
                    dashboard.quit()
            key = f"{cores} cores {'x'.join(map(str, size))}"
            results[key] = {"run": statistics.median(samples), "samples": samples}
    return results


def simulate(cores: int) -> None:
    """The dashboard of a ``cores``-core machine that p runs a balanced run on: nothing
    real runs, so the figure is the dashboard's own cost of drawing that many cores."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
    from fakes import FrozenRun, machine

    from coremeter.options import DashboardOptions
    from coremeter.ownload import OwnReading
    from coremeter.sampler import CpuSampler, Source
    from coremeter.tui.app import create_app

    box = machine(cores)
    app = create_app(box, box.usable_cores, DashboardOptions(shape="balanced"))
    seconds = SIMULATED_RUN_S

    class SimulatedRun(FrozenRun):
        """Every task from the start, advancing with the clock until ``seconds``."""

        def __init__(self) -> None:
            spec = app.session.spec("parallel")
            super().__init__(spec, {})
            self.pids = [4101 + index for index, _ in enumerate(self.lanes)]
            self.started_at = time.perf_counter()
            for task in spec.tasks:
                self.starts[task.id] = self.started_at

        def poll(self) -> bool:
            done = min(1.0, (time.perf_counter() - self.started_at) / seconds)
            for task in self.spec.tasks:
                self.counts[task.id] = round(done * task.size)
            if done >= 1.0 and self.running:
                for task in self.spec.tasks:
                    self.ends[task.id] = time.perf_counter()
                    self.results[task.id] = (task.size - 1) * task.size / 2
                self.state, self.stopped_at = "done", time.perf_counter()
            return not self.running

    last: list[float] = []

    def busy() -> list[float]:
        running = app.session.run is not None and app.session.run.running
        last[:] = [random.uniform(85, 100) if running else 0.0 for _ in range(cores)]
        return last

    def ours(_workers: object) -> OwnReading:
        """The busy cores are the run's own, as a real run's would be: read from the
        fake pids, they were all "other programs", drawn shaded, a cost (and a lookup
        of 16 missing processes a tick) no real run has."""
        return OwnReading(dict(enumerate(last)))

    source = Source(busy, box.usable_cores, ours)
    app.sampler = CpuSampler(box.usable_cores, source=source)
    app.start_mode = lambda mode: setattr(app.session, "run", SimulatedRun())  # type: ignore[method-assign]
    app.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--shape", choices=("seed", "balanced"), default="seed")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle measured")
    parser.add_argument("--simulate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.simulate:
        simulate(args.simulate)
        return
    if args.quick:
        # A run long enough that its CPU, counted in 10 ms clock ticks, is not read as 0.
        args.scale, args.repeat, args.idle = 0.1, 1, 1.0
    result = measure(
        args.scale, args.shape, args.repeat, args.idle, settle_s=1.0 if args.quick else 2.0
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"dashboard overhead: tmux, {cores} cores, scale {args.scale:g}, "
        f"{args.shape}, {args.repeat} repeats, medians"
    )
    for key, figures in result.items():
        if "idle" not in figures:
            print(
                f"  {'CPU during a run, ' + key + ' simulated, %':<46} {figures['run']:>8.2f}  <= 6"
            )
            continue
        table = [
            (f"CPU idle at {key}, % of one core", f"{figures['idle']:.2f}", "<= 2"),
            (f"CPU during a parallel run at {key}, %", f"{figures['run']:.2f}", "<= 4"),
            ("parallel wall, coremeter bench (s)", f"{figures['bench']:.3f}", ""),
            ("parallel wall, under the dashboard (s)", f"{figures['dashboard']:.3f}", ""),
            (f"wall ratio dashboard / bench at {key}", f"{figures['ratio']:.3f}", "<= 1.03"),
        ]
        for label, value, target in table:
            print(f"  {label:<46} {value:>8}  {target}")


if __name__ == "__main__":
    main()
