"""What the dashboard offers: each action once, as a key, a button and a palette entry,
and the help that explains them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding

from coremeter.report import BAND_TEXT
from coremeter.results import Mode
from coremeter.workload import Workload


@dataclass(frozen=True)
class Command:
    """One action, offered as a key (with its footer label), a button and a palette entry."""

    binding: Binding
    title: str
    help: str


RUN_GROUP = Binding.Group("run")
SCALE_GROUP = Binding.Group("scale", compact=True)


def run_command(key: str, mode: Mode, label: str, what: str) -> Command:
    """A key that starts ``mode``: the three modes' keys differ only in these."""
    return Command(Binding(key, f"run('{mode}')", label, group=RUN_GROUP), f"Run {mode}", what)


COMMANDS = (
    run_command("s", "sequential", "seq", "Every task in order on one core"),
    run_command("p", "parallel", "par", "One pinned worker process per core"),
    run_command("t", "threads", "threads", "Pinned threads in one process"),
    Command(
        Binding("m", "other_mode", "toggle"), "Toggle sequential/parallel", "Run the other one"
    ),
    Command(Binding("space", "rerun", "rerun", key_display="␣"), "Rerun", "The last mode again"),
    Command(Binding("escape", "cancel", "cancel"), "Cancel the run", "Stop every worker now"),
    Command(
        Binding("plus", "scale(2)", "scale×2", group=SCALE_GROUP),
        "Double the scale",
        "Twice the work from the next run",
    ),
    Command(
        Binding("minus", "scale(0.5)", "scale÷2", group=SCALE_GROUP),
        "Halve the scale",
        "Half the work from the next run",
    ),
    Command(
        Binding("w", "workload", "work"),
        "Switch workload",
        "seed, io, hash (and your function): when threads pay, when only processes do",
    ),
    Command(Binding("b", "shape", "shape"), "Switch shape", "seed (tasks of 1:2:3) or balanced"),
    # Not in the footer: at 120 columns it would push quit off the edge. Its button, the
    # help and the palette offer it.
    Command(
        Binding("o", "schedule", "order", show=False),
        "Switch schedule",
        "Longest first, or in order as the article's Pool (4 units where 3 would do)",
    ),
    Command(Binding("r", "clear", "clear"), "Clear results", "Empty the results table"),
    Command(
        Binding("v", "view", "charts"),
        "Switch view",
        "Task bars, or the timeline and speedup chart",
    ),
    Command(
        Binding("d", "demo", "demo"),
        "Demo autopilot",
        "Sequential, parallel, threads, the summary, in a loop; any key stops it",
    ),
    Command(Binding("e", "export", "export"), "Export", "JSON, CSV and an SVG of the screen"),
    Command(Binding("question_mark", "help", "help"), "Help", "What each mode does"),
)
# q asks first when there are results to lose; ctrl+q and ctrl+c quit at once.
QUIT = Binding("q", "ask_quit", "quit")


def workload_entries(
    workloads: Sequence[Workload], choose: Callable[[str], object]
) -> list[SystemCommand]:
    """The palette's entry for each workload, named with its lesson."""
    return [
        SystemCommand(f"Workload {w.name}", w.lesson, partial(choose, w.name)) for w in workloads
    ]


# Escape and a key in one read of the terminal (tmux send-keys, keys typed over a laggy
# ssh) reach Textual as one alt+key: it stands for both, in order, so neither is lost.
AFTER_ESCAPE = [
    Binding(f"alt+{b.key}", f"after_escape({b.action!r})", show=False)
    for b in (*(c.binding for c in COMMANDS), QUIT)
    if b.key != "escape"
]
# Actions a narrow footer can leave out: their buttons, the help and the palette stay.
SPARE_KEYS = frozenset({"other_mode", "workload", "shape", "clear"})
DEMO_KEY = next(c.binding.key for c in COMMANDS if c.binding.action == "demo")


def mode_key(mode: str) -> str:
    """The key that starts ``mode``: what a verdict tells the presenter to press again."""
    return next(c.binding.key for c in COMMANDS if c.binding.action == f"run({mode!r})")


HELP = f"""\
A workload run on the selected cores, each run compared with the last sequential run \
of the same work. [b $accent]w[/] switches workload: [b]seed[/b], the article's loop \
[b](n*(n+1))/2[/b] over a range (pure Python: only processes pay); [b]io[/b], blocking \
waits (threads pay, the cores stay idle); [b]hash[/b], sha256 of large buffers (C code \
that drops the GIL: threads pay too); and a function of yours (--workload FILE.py:FUNC).

[b $accent]s[/] [b]sequential[/]: every task runs in order in one worker process pinned to \
the first selected core. It is the baseline: one core lights up, and its time is what \
the work costs without parallelism.

[b $accent]p[/] [b]parallel[/]: one worker process per core, each pinned to its core, takes \
the tasks longest first, or in order with [b $accent]o[/], as the article's Pool did: on two \
cores 4 units where 3 would do. Every selected core lights up; [i]bound[/] is the best \
speedup the schedule allows, [i]eff[/] how much of it the run achieved, and under the \
state the speedup is split into cores × balance × core speed × overhead.

[b $accent]t[/] [b]threads[/]: the same lanes as parallel, run as threads of one process, \
each pinned to its core. With the GIL on, only one thread runs Python at a time, so the \
cores take turns: the bound is 1.0x, for work that holds the GIL (the seed, a function \
of yours); io and hash let go of it and are bound like parallel, as on a free-threaded Python.

A speedup is [i]comparable[/] when its baseline ran the same work, the cores ran at \
{BAND_TEXT} of the baseline's speed, it does not pass the core count, and no other program \
competed for the cores; else the caption, the panel and the table say why not, and \
which run to press again.

[b $accent]m[/] the other of sequential and parallel  [b $accent]space[/] rerun  \
[b $accent]escape[/] cancel  [b $accent]+ -[/] double or halve the work  \
[b $accent]b[/] the seed's 1:2:3 tasks or one equal task per core  [b $accent]o[/] longest \
first or in order  [b $accent]r[/] clear \
the table  [b $accent]v[/] task bars, or the [b]timeline[/] and [b]speedup chart[/]  \
[b $accent]d[/] [b]demo[/]: sequential, parallel, threads, the summary, until any key  \
[b $accent]e[/] export JSON, CSV and SVG into --out  [b $accent]q[/] quit (asks when \
there are results; ctrl+q does not)  \
[b $accent]ctrl+p[/] every action by name, and Theme (coremeter-projector for a projector)
"""
