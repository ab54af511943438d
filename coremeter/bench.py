"""``coremeter bench``: the engine without the dashboard, for scripts, CI and measuring.

It never imports Textual. On a terminal it shows one progress bar per task (rich,
which Textual brings along); with ``--json`` it prints one JSON document and
nothing else; ``--csv FILE`` also writes the runs as CSV (see coremeter.export).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

from coremeter import export
from coremeter.cores import Machine, format_core_list
from coremeter.results import RunRecord
from coremeter.runner import Run, prepare
from coremeter.session import Session
from coremeter.shutdown import watch_terminal
from coremeter.workload import Workload


class Interrupted(Exception):
    """SIGTERM or SIGHUP arrived: cancel like Ctrl+C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _signals_cancel() -> Iterator[None]:
    def handler(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def machine_line(machine: Machine, cores: list[int]) -> str:
    """The machine in one line; the affinity API and a quota only when they change what a
    run does (no pinning, fewer cores' worth of time), so it fits 120 columns."""
    parts = [
        machine.cpu_model,
        f"cores {format_core_list(cores)} of {format_core_list(machine.usable_cores)} usable, "
        f"{machine.logical} logical, {machine.physical} physical",
        f"Python {machine.python} (GIL {'on' if machine.gil else 'off'})",
        machine.start_method,
    ]
    if not machine.affinity:
        parts.append("affinity no")
    if machine.quota is not None:
        parts.append(f"quota {machine.quota:g} cores")
    return " · ".join(parts)


def fit_parts(line: str, width: int, sep: str = " · ") -> str:
    """Break a line of parts only between parts, so a terminal never wraps one mid-word;
    a part wider than the terminal alone breaks between words."""
    lines: list[str] = []
    for part in line.split(sep):
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines += textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


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


def _watch(run: Run) -> None:
    """Live progress per task on a terminal; just wait elsewhere."""
    if not sys.stderr.isatty():
        run.wait()
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    progress = Progress(*columns, transient=True, console=_stderr_console())
    progress.start()
    try:
        bars = {}
        for task in run.tasks():
            where = "unpinned" if task.core is None else f"cpu{task.core}"
            label = f"{run.spec.mode:<10} task {task.id} ({task.size:,}) on {where}"
            bars[task.id] = progress.add_task(label, total=task.size, start=False)
        while not run.wait(timeout=0.1):
            for task in run.tasks():
                if task.start_s is not None:
                    progress.start_task(bars[task.id])
                progress.update(bars[task.id], completed=task.done)
    finally:
        # After a hangup, clearing the bars fails (EIO): that must not hide the SIGHUP
        # that is why they stop.
        with contextlib.suppress(OSError):
            progress.stop()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def workload_line(workload: Workload) -> str:
    """The workload and its lesson, so a summary says what its speedups mean."""
    return f"workload {workload.name} · {workload.lesson}"


def _check(record: RunRecord) -> str:
    if record.ok:
        # A function of yours has no known result: without a sequential run, its sum
        # was compared with nothing.
        return "ok" if record.expected is not None else "ok, no sequential sum to check"
    if record.reason:
        return f"{record.state}: {record.reason}"
    return f"{record.state}: WRONG"


def summary(records: list[RunRecord]) -> str:
    header = (
        f"{'mode':<10} {'cores':<8} {'wall s':>8} {'speedup':>8} {'bound':>6} {'eff':>5} "
        f"{'result':>14}  check"
    )
    lines = [header]
    for r in records:
        speedup = "-" if r.speedup is None else f"{r.speedup:.2f}x"
        eff = "-" if r.efficiency is None else f"{r.efficiency:.0%}"
        # Whole numbers in full up to 14 digits (a count of primes reads as one).
        result = "-" if r.result is None else f"{r.result:.14g}"
        lines.append(
            f"{r.mode:<10} {format_core_list(r.cores):<8} {r.wall_s:>8.2f} {speedup:>8} "
            f"{r.bound:>5.2f}x {eff:>5} {result:>14}  {_check(r)}"
        )
    return "\n".join(lines)


def bench(machine: Machine, cores: list[int], args: argparse.Namespace) -> int:
    """Run the modes asked for; exit 0 if every run is ok, 1 if one failed, 130/143 if
    interrupted (no worker is left behind either way)."""
    modes: list[str] = args.mode
    session = Session(machine, cores, args.shape, args.scale, workload=args.workload)
    watch_terminal()
    try:
        with _signals_cancel():
            prepare()
            if not args.json:
                width = shutil.get_terminal_size().columns  # 80 when not a terminal
                print(fit_parts(machine_line(machine, cores), width))
                print(fit_parts(workload_line(args.workload), width), flush=True)
                workers = session.spec("parallel").worker_cores
                parallel = "parallel" in modes
                for note in warnings(machine, cores, workers, parallel=parallel):
                    print(f"note: {note}", file=sys.stderr)
            for _ in range(args.repeat):
                for mode in modes:
                    _watch(session.start(mode))
                    session.poll()
    except (KeyboardInterrupt, Interrupted) as exc:
        session.close()
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        with contextlib.suppress(OSError):  # after a hangup there is no terminal to tell
            print(
                f"coremeter: cancelled ({signal.Signals(signum).name}); no worker left",
                file=sys.stderr,
            )
        return 128 + signum
    finally:
        # Whatever else ends the runs, no worker outlives bench: at exit, multiprocessing
        # would wait for each one to finish its work.
        session.close()
    records = session.log.runs
    if args.json:
        print(export.json_text(records, machine))
    else:
        print(summary(records))
    if args.csv is not None:
        try:
            args.csv.parent.mkdir(parents=True, exist_ok=True)
            export.write_csv(records, args.csv)
        except OSError as exc:
            print(
                f"coremeter: cannot write {str(args.csv)!r}: {exc.strerror or exc}", file=sys.stderr
            )
            return 1
        if not args.json:
            print(f"wrote {args.csv}")
    return 0 if session.log.all_ok else 1
