"""How the dashboard fills a tall terminal: the timer's size, and how many text rows
each meter and each timeline lane gets.

A projector's screen is the talk's slide: rows left blank are lost on the people at
the back. Everything else keeps its natural height; the rows left over go to the
meters and the timeline's lanes, which grow in whole steps (a meter 3 rows tall, a
lane 2), so what stays blank is less than one step of each.
"""

from __future__ import annotations

from dataclasses import dataclass

# From this height both views are on screen: the timeline beside the task bars (``v`` not
# needed).
BOTH_VIEWS_HEIGHT = 30
# Timer font sizes by terminal height: Digits' 3 rows, then 5 and 10 (layout.numerals).
TIMER_STEPS = ((50, 2), (BOTH_VIEWS_HEIGHT, 1))
# A lane taller than this is no easier to read; meters may grow as far as their share.
MOST_LANE_ROWS = 6
# The share of the screen's height tall meters may take (a few cores, many rows each).
METERS_SHARE = 0.5
# Fewer rows than this left for the live timeline beside the task bars (many cores on a
# screen just tall enough), and it waits for v, as on a small screen.
LEAST_TIMELINE_ROWS = 4
# The results table's rows kept in view below the charts (the rest scroll).
RESULTS_ROWS = 4


def both_views_fit(height: int) -> bool:
    """Whether a terminal this tall shows the live timeline beside the task bars."""
    return height >= BOTH_VIEWS_HEIGHT


def timer_step(height: int) -> int:
    return next((step for least, step in TIMER_STEPS if height >= least), 0)


@dataclass(frozen=True)
class Stage:
    """What is to be stretched: ``meters`` rows at one row a meter, at most ``meters_most``
    rows (their share of the screen; ``meters_grow`` False for the many-core forms); the
    timeline's ``timeline`` rows at one row a lane, ``lanes`` of them able to grow, within
    ``timeline_most`` rows."""

    meters: int
    meters_most: int
    meters_grow: bool
    timeline: int
    lanes: int
    timeline_most: int


def stretch(room: int, stage: Stage) -> tuple[int, int]:
    """Rows per meter row and per timeline lane for ``room`` rows shared by the meters and
    the timeline: the lanes as tall as they can be while the meters stay at least as
    tall (the live picture comes first), then the meters take what is left."""
    meters_top = max(1, stage.meters_most // stage.meters) if stage.meters_grow else 1

    def meters_fit(left: int) -> int:
        return max(1, min(meters_top, left // stage.meters)) if stage.meters else 1

    lanes = stage.lanes
    for lane in range(MOST_LANE_ROWS, 1, -1):
        timeline = stage.timeline + lanes * (lane - 1)
        if not lanes or timeline > stage.timeline_most:
            continue
        tall = meters_fit(room - timeline)
        if tall >= lane and stage.meters * tall + timeline <= room:
            return tall, lane
    return meters_fit(room - stage.timeline), 1
