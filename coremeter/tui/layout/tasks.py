"""What the live widgets say about the run's tasks: each task's own time, and which
worker is pinned on each core, from the lanes the Run says it runs."""

from __future__ import annotations

from collections.abc import Sequence

from coremeter.results import TaskRecord
from coremeter.spec import Lane


def own_time(task: TaskRecord, elapsed: float) -> float | None:
    """Seconds the task has run, up to ``elapsed`` while it runs; None before it starts."""
    if task.start_s is None:
        return None
    end = task.end_s if task.end_s is not None else elapsed
    return max(0.0, end - task.start_s)


def pinned_labels(lanes: Sequence[tuple[Lane, int]], tasks: Sequence[TaskRecord]) -> dict[int, str]:
    """Core -> "pid P · task T" for each lane's worker (Run.lane_pids), while its lane has
    work; unpinned lanes have no core to name."""
    running = {t.id for t in tasks if t.start_s is not None and t.end_s is None}
    finished = {t.id for t in tasks if t.end_s is not None}
    labels = {}
    for (core, lane), pid in lanes:
        if core is None or all(task.id in finished for task in lane):
            continue
        now = next((task.id for task in lane if task.id in running), None)
        labels[core] = f"pid {pid}" + ("" if now is None else f" · task {now}")
    return labels
