"""The current run's tasks, one bar each: id, size, core, progress, and own time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.segment import Segment

from coremeter.cores import core_label
from coremeter.report import counted
from coremeter.results import TaskRecord
from coremeter.tui.layout.blocks import compact_count
from coremeter.tui.layout.cache import Cached
from coremeter.tui.layout.grid import Fit, Form, Grid, grid, summary_grid
from coremeter.tui.widgets.lines import LinesWidget, bar_segments


class TaskBars(LinesWidget):
    """One bar per task of the current run: id, size, core, progress, and its own time.

    More tasks than rows (a balanced run has one per core) spread over columns of short
    bars; past what those hold, a summary row counts the rest, done, running and waiting.
    """

    COMPONENT_CLASSES = {
        "task--label",
        "task--fill",
        "task--done",
        "task--empty",
        "task--time",
        "task--summary",
    }
    DEFAULT_CSS = """
    TaskBars {
        & > .task--label { color: $text-muted; }
        & > .task--fill { color: $primary; }
        & > .task--done { color: $success; }
        & > .task--empty { background: $surface-lighten-1; }
        & > .task--time { text-style: bold; }
        & > .task--summary { color: $text-muted; }
    }
    """
    # The percent and the time after a full bar; a short bar has the percent only.
    PERCENT, CLOCK = 5, 9

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tasks: list[TaskRecord] = []
        self.seconds: list[float | None] = []
        self._where = 6
        self.unit = "it"
        self._grid: Cached[tuple[int, int, int, int], Grid] = Cached(self._lay_out)

    def show(
        self, tasks: Sequence[TaskRecord], seconds: Sequence[float | None], unit: str = "it"
    ) -> None:
        """``seconds``: each task's own time so far, None before it starts; ``unit``: what
        a task's size counts, short (the workload's ``short_unit``)."""
        self.tasks, self.seconds, self.unit = list(tasks), list(seconds), unit
        # Once per update, not per row: every row asks, and 256 tasks made it the
        # costliest line of a many-core run.
        self._where = max([6, *(len(core_label(task.core)) for task in self.tasks)])
        self.redraw_changed_rows()

    def _digits(self) -> int:
        """Task ids are 0 to n-1; two digits at least, as the seed's rows always had."""
        return max(2, len(str(len(self.tasks) - 1)))

    def _where_width(self) -> int:
        """The core column: six cells ("cpu0  " as it always was), more for "unpinned"."""
        return self._where

    def _text_width(self, full: bool) -> int:
        """What a bar shares its cell with: the label, the percent and, when full, the time."""
        if full:
            where = " " * self._where_width()
            label = f"task {0:<{self._digits()}} {0:>6} {self.unit}  {where} "
            return len(label) + self.PERCENT + self.CLOCK
        return len(f"t{0:<{self._digits()}} ") + self.PERCENT

    def grid(self, width: int) -> Grid:
        """Full rows while the tasks fit one a row, else columns of short bars, else as
        many of those as fit and a summary; laid out once per task count and size."""
        where = self._where_width() + len(self.unit)  # the label's width changes with either
        return self._grid.get((len(self.tasks), where, width, self.max_rows))

    def _lay_out(self, size: tuple[int, int, int, int]) -> Grid:
        count, _, width, max_rows = size
        full = Form("full", self._text_width(full=True) + 10)
        short = Form("short", self._text_width(full=False) + 3)
        laid_out = grid(count, width, max_rows, (full, short), Fit(prefer_rows=max_rows))
        return laid_out or summary_grid(count, width, max_rows, short)

    def rows(self, width: int) -> int:
        return self.grid(width).height

    def _bar_width(self, layout: Grid) -> int:
        return layout.cell - self._text_width(full=layout.form.name == "full")

    def row_key(self, y: int, width: int) -> tuple[object, ...]:
        layout = self.grid(width)
        if y == layout.rows:
            return (self._summary(layout),)
        bar = self._bar_width(layout)
        keys = []
        for index in layout.items(y):
            task, seconds = self.tasks[index], self.seconds[index]
            keys.append(
                (
                    task.id,
                    task.size,
                    task.core,
                    task.end_s is not None,
                    round(task.fraction * bar * 8),
                    round(task.fraction * 100),
                    None if seconds is None else round(seconds, 2),
                )
            )
        return tuple(keys)

    def row_segments(self, y: int, width: int) -> list[Segment]:
        layout = self.grid(width)
        if y == layout.rows:
            return [Segment(self._summary(layout), self.style("task--summary"))]
        segments: list[Segment] = []
        for index in layout.items(y):
            if segments:
                segments.append(Segment(" " * layout.form.gutter))
            segments.extend(self._draw_task(index, layout))
        return segments

    def _draw_task(self, index: int, layout: Grid) -> list[Segment]:
        task, seconds = self.tasks[index], self.seconds[index]
        digits = self._digits()
        fill = self.style("task--done" if task.end_s is not None else "task--fill")
        bar = bar_segments(task.fraction, self._bar_width(layout), fill, self.style("task--empty"))
        if layout.form.name != "full":
            label = Segment(f"t{task.id:<{digits}} ", self.style("task--label"))
            return [label, *bar, Segment(f"{task.fraction:5.0%}")]
        where = core_label(task.core).ljust(self._where_width())
        text = f"task {task.id:<{digits}} {compact_count(task.size):>6} {self.unit}  {where} "
        clock = "waiting" if seconds is None else f"{seconds:7.2f}s"
        return [
            Segment(text, self.style("task--label")),
            *bar,
            Segment(f"{task.fraction:5.0%}"),
            Segment(f" {clock:>8}", self.style("task--time")),
        ]

    def _summary(self, layout: Grid) -> str:
        rest = self.tasks[layout.shown :]
        done = sum(task.end_s is not None for task in rest)
        waiting = sum(task.start_s is None for task in rest)
        counts = ((done, "done"), (len(rest) - done - waiting, "running"), (waiting, "waiting"))
        return f"+ {counted(len(rest), 'more task')}: " + ", ".join(
            f"{n} {what}" for n, what in counts if n
        )
