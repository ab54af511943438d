"""The parent's side of a worker process: when it should have exited, and why it failed.

The words for a worker that failed are here, beside the only code that tells how.
"""

from __future__ import annotations

import math
import multiprocessing
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

from coremeter.cores import core_label, start_method
from coremeter.lifeline import FORK_SERVER_DIED, fork_server_died
from coremeter.spec import Lane

# A worker exits the moment its tasks are done; one still there this long after is
# held up by the user's code (a thread holding the GIL, a stream that never flushes).
EXIT_GRACE_S = 0.5


@dataclass
class WorkerProcess:
    """The parent's handle on one worker process: its lanes, the pipe its failure comes
    through, and how it ended."""

    process: multiprocessing.process.BaseProcess
    reader: Connection
    writer: Connection
    lanes: list[Lane]
    # When the parent first saw every task of this worker ended.
    done_at: float | None = None

    @property
    def where(self) -> str:
        return ",".join(core_label(core) for core, _ in self.lanes)

    @property
    def task_ids(self) -> list[int]:
        return [task.id for _, tasks in self.lanes for task in tasks]

    def lingers(self, ends: Sequence[float], now: float) -> bool:
        """Whether its tasks have all ended but it has not exited for EXIT_GRACE_S."""
        if self.done_at is None:
            if any(math.isnan(ends[task_id]) for task_id in self.task_ids):
                return False
            self.done_at = now
        return now - self.done_at > EXIT_GRACE_S

    def failure(self) -> str:
        """Why this worker failed: its own message, else how it exited."""
        if self.reader.poll():
            try:
                return str(self.reader.recv())
            except (EOFError, OSError):
                pass
        where = self.where
        code = self.process.exitcode
        # Under forkserver, a worker whose fork server died reads as exit code 255.
        if code == 255 and start_method() == "forkserver" and fork_server_died():
            return FORK_SERVER_DIED
        if code is not None and code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return f"worker on {where} (pid {self.process.pid}) {how}"
