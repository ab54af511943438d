"""``coremeter bench``: the engine without the dashboard, for scripts, CI and measuring.

It never imports Textual. On a terminal it shows one progress bar per task (rich,
which Textual brings along); with ``--json`` it prints one JSON document and
nothing else; ``--csv FILE`` also writes the runs as CSV (see coremeter.export).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from coremeter import export
from coremeter.cores import Machine, core_label, format_core_list
from coremeter.options import BenchOptions
from coremeter.report import (
    efficiency_text,
    explanation,
    fit_parts,
    machine_line,
    ok_text,
    result_text,
    speedup_text,
    times,
    warnings,
    workload_line,
)
from coremeter.results import RunRecord, Summary, summarise
from coremeter.runner import Run, prepare
from coremeter.session import Session
from coremeter.shutdown import watch_terminal


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


def _watch(session: Session, run: Run) -> None:
    """Live progress per task on a terminal; just wait elsewhere. Either way the
    session is polled, so it keeps the cores' recent load for the next run's notes."""
    if not sys.stderr.isatty():
        while not run.wait(timeout=0.1):
            session.poll()
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
            where = core_label(task.core)
            label = f"{run.spec.mode:<10} task {task.id} ({task.size:,}) on {where}"
            bars[task.id] = progress.add_task(label, total=task.size, start=False)
        while not run.wait(timeout=0.1):
            session.poll()
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


def _check(record: RunRecord) -> str:
    if record.ok:
        return ok_text(record.expected)
    if record.reason:
        return f"{record.state}: {record.reason}"
    return f"{record.state}: WRONG"


def summary(records: list[RunRecord], shown: Iterable[str] = ()) -> str:
    """One row per run; under a run with a speedup to explain, its factors, and its notes
    but those in ``shown`` (the machine's, printed before the runs)."""
    header = (
        f"{'mode':<10} {'schedule':<13} {'cores':<8} {'wall s':>8} {'speedup':>8} "
        f"{'bound':>6} {'eff':>5} {'result':>14}  check"
    )
    lines = [header]
    said = set(shown)
    indent = " " * 11
    for r in records:
        speedup, eff = speedup_text(r.speedup), efficiency_text(r.efficiency)
        schedule = "-" if r.mode == "sequential" else r.schedule
        lines.append(
            f"{r.mode:<10} {schedule:<13} {format_core_list(r.cores):<8} {r.wall_s:>8.2f} "
            f"{speedup:>8} {times(r.bound):>6} {eff:>5} {result_text(r.result):>14}  {_check(r)}"
        )
        explained = explanation(r)
        if explained is not None:
            lines.append(indent + explained)
        lines += [f"{indent}note: {note}" for note in r.notes if note not in said]
    return "\n".join(lines)


def repeat_summary(summaries: list[Summary]) -> str:
    """Per mode, how far apart its runs were: the median is the figure to quote."""
    lines = [
        f"{'over runs':<10} {'runs':>4} {'median s':>9} {'min s':>8} {'max s':>8} "
        f"{'spread':>7} {'median speedup':>15}"
    ]
    for s in summaries:
        speedup = speedup_text(s.median_speedup)
        lines.append(
            f"{s.mode:<10} {s.runs:>4} {s.median_wall_s:>9.2f} {s.min_wall_s:>8.2f} "
            f"{s.max_wall_s:>8.2f} {s.spread:>7.0%} {speedup:>15}"
        )
    lines.append("spread: (max - min) / median wall time; above a few %, quote medians")
    return "\n".join(lines)


def bench(machine: Machine, cores: list[int], options: BenchOptions) -> int:
    """Run the modes asked for; exit 0 if every run is ok, 1 if one failed, 130/143 if
    interrupted, 141 if the reader of its output left (no worker is left behind)."""
    try:
        return _bench(machine, cores, options)
    except BrokenPipeError:
        # The reader left (`coremeter bench | head`); the runs' workers were stopped on
        # the way out. Point stdout at devnull so Python's flush at exit has nowhere to
        # fail, and end as a shell program killed by SIGPIPE would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def _bench(machine: Machine, cores: list[int], options: BenchOptions) -> int:
    modes = options.modes
    session = Session(machine, cores, options.shape, options.scale)
    session.use(options.workload)
    session.schedule = options.schedule
    shown: list[str] = []
    watch_terminal()
    try:
        with _signals_cancel():
            prepare()
            if not options.json:
                width = shutil.get_terminal_size().columns  # 80 when not a terminal
                print(fit_parts(machine_line(machine, cores), width))
                print(fit_parts(workload_line(options.workload), width), flush=True)
                workers = session.spec("parallel").worker_cores
                shown = warnings(machine, cores, workers, parallel="parallel" in modes)
                for note in shown:
                    print(f"note: {note}", file=sys.stderr)
            for _ in range(options.repeat):
                for mode in modes:
                    _watch(session, session.start(mode))
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
    if options.json:
        print(export.json_text(records, machine))
    else:
        print(summary(records, shown))
        if options.repeat > 1:
            print("\n" + repeat_summary(summarise(records)))
    if options.csv is not None:
        try:
            export.write_csv(records, options.csv)
        except export.ExportError as exc:
            print(f"coremeter: {exc}", file=sys.stderr)
            return 1
        if not options.json:
            print(f"wrote {options.csv}")
    return 0 if session.log.all_ok else 1
