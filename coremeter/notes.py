"""What a run's figures need said beside them, one line each.

The machine's caveats (no affinity API, a CPU quota, one core, hyperthreads sharing a
physical core), and competition: a core of the run that another program kept busy
just before it, which would slow the run without any count showing why. Every run
carries its notes; they are empty when there is nothing to say.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from coremeter.cores import Machine
from coremeter.sampler import LoadHistory, Span

# Above this share of a core busy with work not ours, the core is said to be taken:
# a run's own dashboard stays under 5%, and a competing loop reads 50-100%.
BUSY = 0.25
WINDOW_S = 1.0
# A shorter look than this reads the kernel's 100 Hz tick too coarsely to trust.
LEAST_S = 0.2


def warnings(
    machine: Machine, cores: list[int], workers: list[int], parallel: bool = True
) -> list[str]:
    """What a user should know before trusting the figures of this machine.

    ``workers``: the cores a parallel run puts its workers on (RunSpec.worker_cores),
    which depend on the shape: the seed's three tasks use only the first three cores, so
    hyperthreads elsewhere in the selection slow nothing down. ``parallel``: whether a
    parallel run will happen at all; without one, the notes about it are noise.
    """
    notes = []
    if not machine.affinity:
        notes.append("this platform has no CPU affinity API: workers run unpinned")
    if not parallel:
        return notes
    if machine.quota is not None and machine.quota < len(cores):
        notes.append(
            f"a CPU quota of {machine.quota:g} cores limits parallel runs on {len(cores)} cores"
        )
    if len(cores) == 1:
        notes.append("one core selected: parallel runs on it alone and cannot be faster")
    pairs = machine.sibling_pairs(workers)
    if pairs:
        notes.append(_siblings_note(pairs))
    return notes


def _siblings_note(pairs: list[tuple[int, int]]) -> str:
    """One line at 80 columns however many pairs: the first ones named, the rest counted."""
    named = [f"cpu{a}+cpu{b}" for a, b in pairs]
    if len(pairs) == 1:
        where = f"cpu{pairs[0][0]} and cpu{pairs[0][1]}: hyperthreads sharing one physical core"
    elif len(pairs) == 2:
        where = f"{named[0]} and {named[1]}: hyperthreads sharing a physical core"
    else:
        where = f"{len(pairs)} hyperthread pairs: {named[0]}, {named[1]}, …"
    return f"parallel workers on {where}"


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
    return [
        f"cpu{core} was {share:.0%} busy before the run: another program competes for it"
        for core, share in busy.items()
        if share > BUSY
    ]
