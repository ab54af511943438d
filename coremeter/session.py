"""A session: the current settings, at most one live run, and the log of past runs.

Both front ends drive the engine through this one class, so the rules (starting a
mode cancels the run in progress; pressing the running mode again does not
restart it; a slip leaves no row; ``m`` runs the baseline first) hold for the
dashboard and ``coremeter bench`` alike.
"""

from __future__ import annotations

from coremeter.cores import Machine
from coremeter.results import Mode, ResultsLog, RunRecord
from coremeter.runner import Run, RunSpec
from coremeter.workload import MAX_SCALE, SHAPES, check_scale

# The scales the dashboard's keys reach: below the least, a task is a few iterations.
MIN_KEY_SCALE = 1e-6
# A run cancelled sooner than this after its start was a slip of the finger (a key on
# the way to another, keys mashed): it leaves no row, so slips never crowd the results
# out of the picture. Long enough for a key pressed by mistake, short enough that no
# run worth comparing is lost.
SLIP_S = 1.0


class Session:
    def __init__(
        self,
        machine: Machine,
        cores: list[int],
        shape: str,
        scale: float,
        keep: int | None = None,
    ) -> None:
        """``keep``: how many runs the log holds (see ResultsLog); None for all."""
        self.machine = machine
        self.cores = cores
        self.shape = shape
        self.scale = check_scale(scale)
        self.mode: Mode = "sequential"
        self.run: Run | None = None
        self.log = ResultsLog(keep)
        self._logged: Run | None = None

    def spec(self, mode: Mode) -> RunSpec:
        return RunSpec.build(mode, self.shape, self.scale, self.cores, self.machine.affinity)

    def start(self, mode: Mode) -> Run:
        """Start ``mode``, cancelling a run in progress; the same run in progress is kept."""
        spec = self.spec(mode)
        if self.run is not None and self.run.running and self.run.spec == spec:
            return self.run
        self.cancel(f"cancelled: {mode} was started")
        self.mode = mode
        self.run = Run(spec).start()
        return self.run

    def toggle(self) -> Run:
        """Run the other of sequential and parallel (see toggle_mode)."""
        return self.start(self.toggle_mode())

    def toggle_mode(self) -> Mode:
        """The other of sequential and parallel; but sequential while the workload has no
        sequential run to compare with, since a parallel run alone shows no speedup."""
        return "parallel" if self.mode == "sequential" and self.has_baseline() else "sequential"

    def has_baseline(self) -> bool:
        """Whether the next run's workload has a sequential run to be compared with."""
        return self.log.baseline(self.spec("sequential").workload) is not None

    def rerun(self) -> Run:
        return self.start(self.mode)

    def cancel(self, reason: str = "cancelled") -> RunRecord | None:
        """Cancel the run in progress, if any, and log it; a slip (SLIP_S) is not logged."""
        run = self.run
        if run is None or not run.running:
            return None
        run.cancel(reason)
        if run.elapsed() < SLIP_S:
            self._logged = run
            return None
        return self.poll()

    def kill_now(self) -> None:
        """Stop the run's workers at once, from a signal handler (see Run.kill_now)."""
        if self.run is not None:
            self.run.kill_now()

    def poll(self) -> RunRecord | None:
        """Advance the current run; returns its record the moment it ends."""
        run = self.run
        if run is None or run is self._logged or not run.poll():
            return None
        self._logged = run
        return self.log.add(run.record())

    def set_scale(self, scale: float) -> float:
        """Applies to the next run; clamped to what a workload allows."""
        self.scale = check_scale(min(max(scale, MIN_KEY_SCALE), MAX_SCALE))
        return self.scale

    def step_scale(self, factor: float) -> bool:
        """Multiply the scale, unless that passes a limit: then it stays, so halving
        after doubling always returns to where it was. False if it stayed."""
        scale = self.scale * factor
        if not MIN_KEY_SCALE <= scale <= MAX_SCALE:
            return False
        self.set_scale(scale)
        return True

    def next_shape(self) -> str:
        self.shape = SHAPES[(SHAPES.index(self.shape) + 1) % len(SHAPES)]
        return self.shape

    def close(self) -> None:
        """End the run in progress, logged however short: quitting is no slip."""
        if self.run is not None:
            self.run.cancel("cancelled: coremeter quit")
        self.poll()
