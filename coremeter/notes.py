"""What a run's figures need said beside them, one line each.

The machine's caveats (no affinity API, a CPU quota, one core, hyperthreads sharing a
physical core: report.warnings), and competition: a core of the run that another
program kept busy just before it, which would slow the run without any count showing
why. Every run carries its notes; they are empty when there is nothing to say.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from coremeter.report import competition_note
from coremeter.sampler import LoadHistory, Span

# Above this share of a core busy with work not ours, the core is said to be taken:
# a run's own dashboard stays under 5%, and a competing loop reads 50-100%.
BUSY = 0.25
WINDOW_S = 1.0
# A shorter look than this reads the kernel's 100 Hz tick too coarsely to trust.
LEAST_S = 0.2


def competition(load: LoadHistory, cores: Iterable[int], ours: Iterable[Span]) -> list[str]:
    """The cores another program kept busy over the last second, each in one line.

    ``ours``: when this session's own workers ran, which is not competition. With less
    than LEAST_S of readings (a run started the moment its session was made), it waits
    for that much: a note is worth a fifth of a second, once.
    """
    cores, spans = list(cores), list(ours)
    seconds, busy = load.others(cores, spans, WINDOW_S)
    if seconds < LEAST_S:
        time.sleep(LEAST_S - seconds)
        seconds, busy = load.others(cores, spans, WINDOW_S)
    return [competition_note(core, share) for core, share in busy.items() if share > BUSY]
