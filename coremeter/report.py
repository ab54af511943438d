"""The words both front ends use: the machine line, its caveats, and how a speedup,
an efficiency or a workload is written.

The dashboard and ``coremeter bench`` say the same things about the same runs; written
once here, a figure never reads one way on screen and another in a terminal log. Plain
strings only: nothing here imports Textual or rich.
"""

from __future__ import annotations

import codecs
import io
import textwrap
from collections.abc import Callable, Sequence
from typing import TextIO

from coremeter.cores import Machine, core_label, format_core_list
from coremeter.factors import Factors
from coremeter.results import RunRecord
from coremeter.stall import Stall
from coremeter.verdict import BAND, Cause, Verdict
from coremeter.workload import Workload

# What a stream whose encoding lacks our glyphs (LC_ALL=C: ASCII only) shows instead; any
# other character it lacks, a CPU's name or a function's, reads "?".
PLAIN_GLYPHS = {"·": "-", "×": "x", "…": "...", "⚠": "!"}
PLAIN_ERRORS = "coremeter-plain"


def _plain(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    lacking = error.object[error.start : error.end]
    return "".join(PLAIN_GLYPHS.get(char, "?") for char in lacking), error.end


def plain_glyphs(stream: TextIO) -> TextIO:
    """``stream``, writing in plain ASCII what its encoding cannot: the one place a glyph
    falls back, chosen by the encoding itself (a UTF-8 stream never asks)."""
    codecs.register_error(PLAIN_ERRORS, _plain)
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors=PLAIN_ERRORS)
    return stream


def counted(n: float, noun: str) -> str:
    """A count and its noun agreeing, everywhere a count is written: "1 core", "2 cores",
    "0.5 cores", "1 more task". Only the last word takes the plural."""
    number = str(n) if isinstance(n, int) else f"{n:g}"
    return f"{number} {noun}{'' if n == 1 else 's'}"


def times(value: float) -> str:
    """A speedup or a bound: ``2.04x``."""
    return f"{value:.2f}x"


def speedup_text(speedup: float | None) -> str:
    """A run's speedup, or ``-`` where it has no baseline to be compared with."""
    return "-" if speedup is None else times(speedup)


def efficiency_text(efficiency: float | None) -> str:
    """How much of its bound a run achieved, as a percent; ``-`` without a speedup."""
    return "-" if efficiency is None else f"{efficiency:.0%}"


def factors_text(speedup: float, factors: Factors) -> str:
    """A speedup as the product of its factors, each as a person would say it:
    ``1.93x = 2 cores × 100% balance × 97% core speed × 99.5% overhead``."""
    return (
        f"{times(speedup)} = {factors.cores} cores × {factors.balance:.0%} balance"
        f" × {factors.core_speed:.0%} core speed × {factors.overhead:.1%} overhead"
    )


def explanation(record: RunRecord) -> str | None:
    """A parallel or threads run's speedup as the product of its factors; None for a
    sequential run (its own baseline) or a run with no speedup to explain."""
    if record.mode == "sequential" or record.speedup is None or record.factors is None:
        return None
    return factors_text(record.speedup, record.factors)


def parallelism_text(factors: Factors) -> str:
    """The speedup with the core speed taken out (cores × balance × overhead), said as such."""
    return f"what the parallelism gave: {times(factors.parallelism)} (core speed taken out)"


def _cause_text(cause: Cause, verdict: Verdict) -> str:
    speed = f"{verdict.core_speed or 0:.0%}"
    if cause == "other work":
        return "its baseline ran other work"
    if cause == "fast cores":
        return f"the cores ran at {speed} of the baseline's speed: the baseline met a slow spell"
    if cause == "slow cores":
        return f"the cores ran at {speed} of the baseline's speed: this run met a slow spell"
    if cause == "over cores":
        return f"{times(verdict.speedup)} is more than {counted(verdict.cores, 'core')} can give"
    competed = {"run competed", "baseline competed"} <= set(verdict.causes)
    whose = (
        "both runs'" if competed else "this run's" if cause == "run competed" else "the baseline's"
    )
    return f"another program competed for {whose} cores"


def verdict_reason(verdict: Verdict, rerun: Callable[[str], str] = str) -> str | None:
    """Why a speedup cannot be trusted, and which runs to run again (``rerun`` names a
    mode as the reader starts it: the dashboard's key); None when it can be."""
    if verdict.comparable:
        return None
    return f"{causes_text(verdict)}: rerun {' and '.join(map(rerun, verdict.rerun))}"


def causes_text(verdict: Verdict) -> str:
    """What spoiled a comparison, each cause in words; empty for a comparable one."""
    # dict.fromkeys: competition on both runs is said once.
    return "; ".join(dict.fromkeys(_cause_text(cause, verdict) for cause in verdict.causes))


def verdict_short(verdict: Verdict) -> str:
    """The verdict in a table's cell, under the heading "comparable": ``yes, vs 3`` (the
    baseline's number), or ``no:`` and the causes, ``no: core speed 201%, over 2 cores``."""
    if verdict.comparable:
        return f"yes, vs {verdict.baseline}"
    return "no: " + ", ".join(dict.fromkeys(_cause_short(c, verdict) for c in verdict.causes))


def _cause_short(cause: Cause, verdict: Verdict) -> str:
    if cause in ("fast cores", "slow cores"):
        return f"core speed {verdict.core_speed or 0:.0%}"
    if cause == "over cores":
        return f"over {counted(verdict.cores, 'core')}"
    return "other work" if cause == "other work" else "another program"


def verdict_text(verdict: Verdict, rerun: Callable[[str], str] = str) -> str:
    """``comparable with run 3``, or ``not comparable:`` and why (verdict_reason)."""
    reason = verdict_reason(verdict, rerun)
    if reason is None:
        return f"comparable with run {verdict.baseline}"
    return f"not comparable: {reason}"


# How the band is written where the rules are told (help, README).
BAND_TEXT = f"{BAND[0]:.0%}-{BAND[1]:.0%}"


def notes_text(notes: list[str], sep: str = "\n") -> str:
    """Notes as the dashboard shows them: each behind a warning sign."""
    return sep.join(f"⚠ {note}" for note in notes)


def competition_note(core: int, share: float) -> str:
    """A core another program kept busy just before a run."""
    return (
        f"{core_label(core)} was {share:.0%} busy before the run: another program competes for it"
    )


def stall_text(stall: Stall) -> str:
    """``stalled: worker on cpu1 is stopped (no progress for 5 s)``: on screen, on
    bench's stderr, and in the notes of a run that ended so."""
    quiet = f"no progress for {stall.seconds:.0f} s"
    return f"stalled: worker on {stall.where} is {stall.state} ({quiet})"


def cluster_left_text(worker: str) -> str:
    """Why a cluster run failed: one of its workers died, or went silent."""
    return f"worker {worker} left the cluster"


def cluster_restarted_text(worker: str) -> str:
    """A cancelled cluster run's worker that had to be restarted to stop its task."""
    return f"worker {worker} was restarted: its task could not be interrupted"


def cluster_line(address: str, hosts: int, workers: int, versions: dict[str, str]) -> str:
    """The header's line for a Dask cluster, in the place of the machine's."""
    parts = [
        f"Dask {address}",
        counted(hosts, "host"),
        f"{counted(workers, 'worker')}, a core each",
        *(f"{name} {version}" for name, version in versions.items() if name != "coremeter"),
    ]
    return " · ".join(parts)


CLUSTER_THREADS = "threads share one process: on a cluster, run sequential or parallel"


def cluster_plain_text(address: str) -> str:
    """A scheduler reached without TLS, off this machine: Dask runs pickled code."""
    return (
        f"{address} is reached without TLS: anyone who can reach it can run code on "
        "its workers (Dask runs pickled code from any client)"
    )


OTHER_PROGRAMS = "other programs"


def others_text(cores: float) -> str:
    """Other programs' load beside a run's own, in cores' worth."""
    return f"{cores:.1f} more by {OTHER_PROGRAMS}"


def result_text(result: float | None) -> str:
    """A run's result: whole numbers in full up to 14 digits (a count reads as one)."""
    return "-" if result is None else f"{result:.14g}"


# A value quoted in a message, at most: a longer one is cut at the end of a word.
VALUE_CHARS = 48


def value_text(value: object) -> str:
    """A value a function of yours gave, as your code would print it (its repr), shortened
    at a word's end; an object with no repr of its own reads as Python writes it, less its
    address, which means nothing in a message: ``<mine.Cls object>``."""
    kind = type(value)
    named = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if kind.__repr__ is object.__repr__:
        return f"<{named} object>"
    try:
        return shortened(repr(value), VALUE_CHARS)
    except Exception:  # noqa: BLE001 - a user's __repr__ can raise anything
        return f"<{named} object>"


def shortened(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut after a whole word with an ellipsis;
    a first word longer than that alone is cut within it."""
    if len(text) <= width:
        return text
    head = text[: width - 1]
    if text[width - 1] != " " and " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip() + "…"


def ok_text(record: RunRecord, with_sum: bool = True) -> str:
    """A good run's check. A function of yours has no known result: before a sequential
    run of it, its sum was compared with nothing, and the check says so. ``with_sum``:
    a function of yours shows its sum too, where nothing else says it (the dashboard's
    table; bench has a result column)."""
    said = "ok" if record.expected is not None else "ok, no sequential sum to check"
    if with_sum and _yours(record.workload):
        said += f" · sum {result_text(record.result)}"
    return said


def _yours(workload: str) -> bool:
    """Whether a workload is a function of the user's (FILE.py:FUNC), sized by --items."""
    return ":" in workload


def shape_text(workload: str, shape: str, scale: float) -> str:
    """A run's shape and size: ``seed×0.01``; a function of yours, which --items sizes
    rather than the scale, its shape alone."""
    return shape if _yours(workload) else f"{shape}×{scale:g}"


def workload_line(workload: Workload) -> str:
    """The workload and its lesson, so a summary or a panel says what its speedups mean."""
    return f"workload {workload.name} · {workload.lesson}"


def workload_text(workload: str, shape: str, scale: float) -> str:
    """A run's work in a few cells: ``seed×0.01`` for the reference (its shape and scale,
    as always), ``hash seed×0.01`` for another built-in, ``pi.py:hits seed`` for a
    function of yours, which --items sizes rather than the scale."""
    sized = shape_text(workload, shape, scale)
    return sized if workload == "seed" else f"{workload} {sized}"


def replay_line(cpu_model: str, cores: int, recorded_at: str, speed: float = 1.0) -> str:
    """What a replay's screen says throughout, first in its header, so that no room takes
    it for a run on the machine in front of it: "replay · recorded on AMD EPYC 9654, 64
    cores, 2026-12-07", with the speed when it is not real time ("replay at 2x")."""
    pace = "" if speed == 1 else f" at {speed:g}x"
    where = f"recorded on {cpu_model or 'an unknown CPU'}, {counted(cores, 'core')}"
    return f"replay{pace} · {where}, {recorded_at[:10]}"


def machine_line(machine: Machine, cores: list[int], model: bool = True) -> str:
    """The machine in one line; the affinity API and a quota only when they change what a
    run does (no pinning, fewer cores' worth of time), so it fits 120 columns. Without
    its ``model`` where a replay's banner has named it."""
    parts = [
        *([machine.cpu_model] if model else []),
        f"cores {format_core_list(cores)} of {format_core_list(machine.usable_cores)} usable, "
        f"{machine.logical} logical, {machine.physical} physical",
        f"Python {machine.python} (GIL {'on' if machine.gil else 'off'})",
        machine.start_method,
    ]
    if not machine.affinity:
        parts.append("affinity no")
    elif not machine.thread_affinity:
        parts.append("affinity per process")
    if machine.quota is not None:
        parts.append(f"quota {counted(machine.quota, 'core')}")
    return " · ".join(parts)


def fit_parts(line: str, width: int, sep: str = " · ") -> str:
    """Break a line of parts only between parts, so a terminal never wraps one mid-word;
    a part wider than the terminal alone breaks between words. A width under one column
    (a terminal shrunk to nothing, less its margins) takes one word a line."""
    width = max(width, 1)
    lines: list[str] = []
    for part in line.split(sep):
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines += textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


def fit_line(parts: Sequence[str], width: int, drop: Sequence[int] = (), sep: str = " · ") -> str:
    """``parts`` on one line of at most ``width`` characters, never one cut short (a
    number cut mid-way reads as another number): parts are left out whole, first those
    at the indexes in ``drop``, in that order, then from the end, a "…" in their place.
    Only a first part wider than the line alone is cut, between words."""
    if width <= 0 or not parts:
        return ""
    kept = list(range(len(parts)))
    more = False

    def line() -> str:
        return sep.join(parts[i] for i in kept) + (" …" if more else "")

    for index in drop:
        if len(line()) <= width:
            break
        kept.remove(index)
    while len(kept) > 1 and len(line()) > width:
        kept.pop()
        more = True
    said = line()
    return said if len(said) <= width else textwrap.shorten(said, width, placeholder="…")


def warnings(
    machine: Machine,
    cores: list[int],
    workers: list[int],
    parallel: bool = True,
    threads: bool = True,
) -> list[str]:
    """What a user should know before trusting the figures of this machine.

    ``workers``: the cores a parallel run puts its workers on (RunSpec.worker_cores),
    which depend on the shape: the seed's three tasks use only the first three cores, so
    hyperthreads elsewhere in the selection slow nothing down. ``parallel``, ``threads``:
    whether a parallel or threads run will happen at all; without one, the notes about
    it are noise.
    """
    notes = []
    if not machine.affinity:
        notes.append("this platform has no CPU affinity API: workers run unpinned")
    elif threads and not machine.thread_affinity:
        notes.append("this platform pins whole processes only: threads run unpinned")
    if not parallel:
        return notes
    if machine.quota is not None and machine.quota < len(cores):
        notes.append(
            f"a CPU quota of {counted(machine.quota, 'core')} limits parallel runs "
            f"on {counted(len(cores), 'core')}"
        )
    if len(cores) == 1:
        notes.append("one core selected: parallel runs on it alone and cannot be faster")
    pairs = machine.sibling_pairs(workers)
    if pairs:
        notes.append(_siblings_note(pairs))
    return notes


def _siblings_note(pairs: list[tuple[int, int]]) -> str:
    """One line at 80 columns however many pairs: the first ones named, the rest counted."""
    named = [f"{core_label(a)}+{core_label(b)}" for a, b in pairs]
    if len(pairs) == 1:
        first, second = pairs[0]
        where = (
            f"{core_label(first)} and {core_label(second)}: hyperthreads sharing one physical core"
        )
    elif len(pairs) == 2:
        where = f"{named[0]} and {named[1]}: hyperthreads sharing a physical core"
    else:
        where = f"{counted(len(pairs), 'hyperthread pair')}: {named[0]}, {named[1]}, …"
    return f"parallel workers on {where}"
