"""The per-core meters: which cores are busy, now and over the last seconds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size

from coremeter.cores import core_label
from coremeter.notes import BUSY
from coremeter.report import OTHER_PROGRAMS, counted
from coremeter.tui.layout.blocks import SPARKS, sparkline
from coremeter.tui.layout.cache import Cached
from coremeter.tui.layout.grid import (
    STRIP,
    STRIP_GROUP,
    Fit,
    Form,
    Grid,
    grid,
    physical_groups,
    strip_grid,
    thread_mark,
)
from coremeter.tui.widgets.lines import OTHERS_GLYPH, LinesWidget, Part, stacked_bar


class CoreMeters(LinesWidget):
    """One meter per core: label, load bar, percent, then a short history and who is
    pinned there where they fit. The bar fills with the run's load (and the dashboard's
    few percent), then with other programs' in a second colour; a core only others keep
    busy says so where the pinned column fits. More cores than rows spread over columns,
    as htop does; with more, meters shrink to a number and a bar, then to one gauge per
    core in a strip with a summary row; never is a core left out without a word. The
    hyperthreads of one physical core stand together, their labels joined by a bracket
    (┌ └)."""

    COMPONENT_CLASSES = {
        "meter--label",
        "meter--fill",
        "meter--hot",
        "meter--others",
        "meter--empty",
        "meter--history",
        "meter--pinned",
        "meter--summary",
    }
    DEFAULT_CSS = """
    CoreMeters {
        & > .meter--label { text-style: bold; }
        & > .meter--fill { color: $success; }
        & > .meter--hot { color: $warning; }
        & > .meter--others { color: $text-muted; }
        & > .meter--empty { background: $surface-lighten-1; }
        & > .meter--history { color: $foreground-darken-3; }
        & > .meter--pinned { color: $text-muted; }
        & > .meter--summary { color: $text-muted; }
    }
    """
    HOT = 80.0
    DEADBAND = 3.0

    def __init__(
        self,
        cores: Sequence[int],
        siblings: Mapping[int, Sequence[int]] | None = None,
        share: float | None = None,
        **kwargs: Any,
    ) -> None:
        """``siblings``: Machine.siblings, each core's hyperthreads (itself included).
        ``share``: of the screen's height, past which meters get more compact (columns,
        then a strip with a summary row) instead of pushing the rest off screen."""
        super().__init__(**kwargs)
        self.share = share
        self.cores = list(cores)
        self.percent = dict.fromkeys(self.cores, 0.0)
        self.others = dict.fromkeys(self.cores, 0.0)
        self.history: dict[int, tuple[float, ...]] = {core: () for core in self.cores}
        self.pinned = dict.fromkeys(self.cores, "")
        groups = physical_groups(self.cores, siblings or {})
        self.order = [core for group in groups for core in group]
        self.threads = any(len(group) > 1 for group in groups)
        self.marks = {
            core: thread_mark(index, len(group)) if self.threads else ""
            for group in groups
            for index, core in enumerate(group)
        }
        sizes = {len(group) for group in groups}
        self._group = sizes.pop() if len(sizes) == 1 else 1
        self._physical = len(groups)
        top = max(self.cores)
        # "cpu0  " as it always was; wider for cpu100 and up, never cut to an ambiguous "cpu10",
        # and for a cluster's host:cpuN.
        self._label = max(6, *(len(core_label(core)) + 1 for core in self.cores))
        self._digits = len(str(top))
        mark = 1 if self.threads else 0
        # What a meter holds besides its bar: the label and the percent (" 100%"); a mini
        # meter's number has its bar straight after it (the track tells them apart).
        self._meter_text = mark + self._label + 5
        self._mini_text = mark + self._digits + 4
        self._meter = Form("meter", self._meter_text + 4)
        self._mini = Form("mini", self._mini_text + 2)
        self._grid: Cached[tuple[int, int], Grid] = Cached(self._lay_out)

    def show(
        self,
        percent: Mapping[int, float],
        history: Mapping[int, Iterable[float]],
        pinned: Mapping[int, str],
        others: Mapping[int, float] | None = None,
    ) -> None:
        """Take new values; a row is redrawn only when what it shows changes.
        ``others``: the part of each core's percent other programs used (none: nothing).

        A 100 ms reading moves in steps of about 10 points (/proc/stat counts 100
        ticks a second), so a change under DEADBAND points is noise, not news: it
        would cost a screen update for nothing. 0 and 100 are always shown exactly.
        A value is kept to the whole percent the meter reads, which its bar then draws:
        99.6 reads 100% and fills the bar to its end.
        """
        for core in self.cores:
            self.percent[core] = self._steady(percent[core], self.percent[core])
            other = min(others.get(core, 0.0), percent[core]) if others else 0.0
            self.others[core] = min(self._steady(other, self.others[core]), self.percent[core])
            self.history[core] = tuple(history[core])
            self.pinned[core] = pinned.get(core, "")
        self.redraw_changed_rows()

    def _steady(self, new: float, old: float) -> float:
        if abs(new - old) >= self.DEADBAND or (round(new) in (0, 100) and round(new) != round(old)):
            return float(round(new))
        return old

    def grid(self, width: int) -> Grid:
        """Meters if they fit, else mini meters, else the strip; laid out once per size."""
        return self._grid.get((width, self.max_rows))

    def _lay_out(self, size: tuple[int, int]) -> Grid:
        width, max_rows = size
        count = len(self.order)
        forms = (self._meter, self._mini)
        laid_out = grid(count, width, max_rows, forms, Fit(group=self._group))
        if laid_out is None:
            label = len(self._number(self.order[0])) + 1
            laid_out = strip_grid(count, width, max_rows, label, self._group)
        return laid_out

    def take_room(self, container: Size, viewport: Size) -> None:
        """The grid is laid out in ``share`` of the screen's height; tall meters
        (``tall``) may take more than that, which is why the share is not a max-height."""
        if self.share is not None:
            self.max_rows = max(1, int(viewport.height * self.share))
        self._laid_tall = self.tall

    def rows(self, width: int) -> int:
        return self.grid(width).height * self._tall(width)

    def natural_rows(self, width: int) -> int:
        """Rows at one text row a meter, and how many it could grow (none past meters)."""
        return self.grid(width).height

    def stretches(self, width: int) -> bool:
        return self.grid(width).form is self._meter

    def _tall(self, width: int) -> int:
        return self._laid_tall if self.stretches(width) else 1

    def _row(self, y: int, width: int) -> tuple[int, bool]:
        """The grid row that text row ``y`` draws, and whether it carries the words (the
        middle one of a tall meter's rows) or only the bar."""
        tall = self._tall(width)
        row, part = divmod(y, tall)
        return row, part == (tall - 1) // 2

    def _meter_widths(self, cell: int) -> tuple[int, int, int]:
        """Bar, history and pinned widths for a meter ``cell`` wide."""
        history = 16 if cell >= 70 else 8 if cell >= 50 else 0
        pinned = 20 if cell >= 60 else 0
        extras = (history + 1 if history else 0) + (pinned + 1 if pinned else 0)
        return max(4, cell - self._meter_text - extras), history, pinned

    def _mini_bar(self, cell: int) -> int:
        return max(2, cell - self._mini_text)

    def row_key(self, y: int, width: int) -> tuple[object, ...]:
        layout = self.grid(width)
        y, words = self._row(y, width)
        if not words:
            bar, _, _ = self._meter_widths(layout.cell)
            return tuple(self._eighths(core, bar) for core in self._cores(layout, y))
        if y == layout.rows:
            return (self._summary(layout),)
        cores = self._cores(layout, y)
        if layout.form is STRIP:
            return tuple(self._gauge(core) for core in cores)
        if layout.form is self._mini:
            bar, history, pinned = self._mini_bar(layout.cell), 0, 0
        else:
            bar, history, pinned = self._meter_widths(layout.cell)
        return tuple(
            (
                round(self.percent[core]),
                self._eighths(core, bar),
                sparkline(self.history[core][-history:]) if history else "",
                self._who(core) if pinned else "",
            )
            for core in cores
        )

    def row_segments(self, y: int, width: int) -> list[Segment]:
        layout = self.grid(width)
        y, words = self._row(y, width)
        if not words:
            return self._join(
                layout, [self._draw_bar(core, layout.cell) for core in self._cores(layout, y)]
            )
        if y == layout.rows:
            return [Segment(self._summary(layout), self.style("meter--summary"))]
        cores = self._cores(layout, y)
        if layout.form is STRIP:
            return self._strip(cores, layout.cell)
        draw = self._draw_mini if layout.form is self._mini else self._draw_meter
        return self._join(layout, [draw(core, layout.cell) for core in cores])

    def _cores(self, layout: Grid, y: int) -> list[int]:
        return [self.order[i] for i in layout.items(y)]

    @staticmethod
    def _join(layout: Grid, cells: list[list[Segment]]) -> list[Segment]:
        """Cells side by side, the form's gutter between them."""
        segments: list[Segment] = []
        for index, cell in enumerate(cells):
            if index:
                segments.append(Segment(" " * layout.form.gutter))
            segments.extend(cell)
        return segments

    def _fill(self, core: int) -> Style:
        return self.style("meter--hot" if self.percent[core] >= self.HOT else "meter--fill")

    def _eighths(self, core: int, bar: int) -> tuple[int, int]:
        """What a bar ``bar`` cells wide draws of a core: its eighths in all, and others'."""
        return round(self.percent[core] * bar * 8 / 100), round(self.others[core] * bar * 8 / 100)

    def _bar(self, core: int, bar: int) -> list[Segment]:
        """The core's bar: the run's part in the fill colour, then other programs'."""
        others = self.others[core]
        parts = [
            Part((self.percent[core] - others) / 100, self._fill(core)),
            Part(others / 100, self.style("meter--others"), OTHERS_GLYPH),
        ]
        return stacked_bar(parts, bar, self.style("meter--empty"))

    def _who(self, core: int) -> str:
        """Who is pinned on the core; on one that only other programs keep busy, them."""
        taken = self.others[core] >= BUSY * 100
        return self.pinned[core] or (OTHER_PROGRAMS if taken else "")

    def _draw_meter(self, core: int, cell: int) -> list[Segment]:
        bar, history, pinned = self._meter_widths(cell)
        percent = self.percent[core]
        segments = [
            self._core_label(core),
            *self._bar(core, bar),
            Segment(f"{percent:4.0f}%"),
        ]
        if history:
            spark = sparkline(self.history[core][-history:]).rjust(history, SPARKS[0])
            segments.append(Segment(" " + spark, self.style("meter--history")))
        if pinned:
            label = self._who(core)[:pinned].ljust(pinned)
            segments.append(Segment(" " + label, self.style("meter--pinned")))
        return segments

    def _draw_bar(self, core: int, cell: int) -> list[Segment]:
        """A tall meter's other rows: its bar alone, in line with the words' row."""
        bar, _, _ = self._meter_widths(cell)
        return [Segment(" " * (len(self.marks[core]) + self._label)), *self._bar(core, bar)]

    def _core_label(self, core: int) -> Segment:
        return Segment(
            self.marks[core] + core_label(core).ljust(self._label), self.style("meter--label")
        )

    def _draw_mini(self, core: int, cell: int) -> list[Segment]:
        label = Segment(self._number(core), self.style("meter--label"))
        return [
            label,
            *self._bar(core, self._mini_bar(cell)),
            Segment(f"{self.percent[core]:4.0f}"),
        ]

    def _number(self, core: int) -> str:
        """A short label: the core's number, right-aligned, after its thread mark."""
        return f"{self.marks[core]}{core:>{self._digits}}"

    def _gauge(self, core: int) -> tuple[str, bool, bool]:
        """One core in a strip: a block as high as its load, whether it is hot, and
        whether most of it is other programs' (then drawn in their colour)."""
        percent = self.percent[core]
        return sparkline([percent]), percent >= self.HOT, self.others[core] * 2 > percent

    def _strip(self, cores: list[int], gauge: int) -> list[Segment]:
        """The row's first core as its label, then the gauges, a blank between runs."""
        track = Style(bgcolor=self.style("meter--empty").bgcolor)
        segments = [Segment(self._number(cores[0]) + " ", self.style("meter--label"))]
        for index, core in enumerate(cores):
            if index and index % STRIP_GROUP == 0:
                segments.append(Segment(" "))
            block, _, theirs = self._gauge(core)
            colour = self.style("meter--others") if theirs else self._fill(core)
            segments.append(Segment(block * max(1, gauge - 1), colour + track))
            if gauge > 1:
                segments.append(Segment(" "))
        return segments

    def _summary(self, layout: Grid) -> str:
        """The average load and the busy count of the cores not drawn, or of all of them
        under a strip, whose gauges show no figures."""
        rest = self.order[layout.shown :]
        percents = [self.percent[core] for core in rest or self.order]
        load = f"avg {sum(percents) / len(percents):.0f}%, "
        load += f"{sum(p >= self.HOT for p in percents)} busy"
        if rest:
            return f"+ {counted(len(rest), 'more core')}: {load}"
        threads = f", {self._physical} physical (┌ └: one core's threads)" if self.threads else ""
        return f"{counted(len(self.order), 'core')}{threads}: {load}"
