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
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from coremeter import export
from coremeter.cores import Machine, core_label, format_core_list
from coremeter.export import ExportError
from coremeter.options import BenchOptions
from coremeter.recorder import Recorder
from coremeter.recording import RecordingError, save
from coremeter.report import (
    efficiency_text,
    explanation,
    fit_parts,
    ok_text,
    parallelism_text,
    plain_glyphs,
    result_text,
    speedup_text,
    stall_text,
    times,
    verdict_text,
    warnings,
    workload_line,
)
from coremeter.results import RunRecord, Summary, summarise
from coremeter.run import Run
from coremeter.runner import prepare
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.shutdown import Handler, watch_terminal

if TYPE_CHECKING:  # rich is imported only when bars are drawn
    from rich.console import Console


class _Signals:
    """Ctrl+C, SIGTERM and SIGHUP while bench works, each noted, never raised; one left
    alone where it was ignored (a script's background job, nohup).

    The runs look at ``signum`` between waits of a tenth of a second and stop, so what
    they measured is reported; the exit code is then 128 + the first signal's number.
    Nothing is raised: a second Ctrl+C while the workers stop and the report is written
    cuts no document in half and prints no traceback. SIGKILL still ends bench at once.
    """

    WANTED = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Handler] = {}

    def __enter__(self) -> _Signals:
        for signum in (getattr(signal, name) for name in self.WANTED if hasattr(signal, name)):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _note(self, signum: int, _frame: object) -> None:
        if self.signum is None:
            self.signum = signum

    @property
    def name(self) -> str | None:
        return None if self.signum is None else signal.Signals(self.signum).name


def claim_stdout() -> TextIO:
    """Where bench's report goes: the stdout it was given, while fd 1 points at stderr
    from now on.

    A function of yours runs in this process at its import and in the workers, which
    inherit fd 1 through the fork server (started after this): whatever it prints, from
    Python or from C, must reach stderr, never a JSON document. The report keeps
    stdout's encoding; a glyph that encoding lacks falls back to ASCII (plain_glyphs)."""
    if sys.stdout is None:  # started with stdout closed: the report has nowhere to go
        return open(os.devnull, "w", encoding="utf-8")
    sys.stdout.flush()
    report = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding=sys.stdout.encoding)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    plain_glyphs(sys.stderr)
    return plain_glyphs(report)


def _tell_stall(run: Run, told: set[int], say: Callable[[str], object]) -> None:
    """One line when a worker of the run stalls, once per worker (coremeter.stall)."""
    stall = run.stall
    if stall is not None and stall.pid not in told:
        told.add(stall.pid)
        say(f"coremeter: {stall_text(stall)}")


def _watch(session: Session, run: Run, signals: _Signals, tick: Callable[[], object]) -> None:
    """Live progress per task on a terminal; just wait elsewhere; until the run ends or a
    signal came. Either way the session is polled, so it keeps the cores' recent load for
    the next run's notes, and a stalled worker is told on stderr; ``tick`` then runs,
    about every tenth of a second."""
    told: set[int] = set()

    def going() -> bool:
        tick()
        return not run.wait(timeout=0.1) and signals.signum is None

    if not sys.stderr.isatty():
        while going():
            session.poll()
            _tell_stall(run, told, partial(print, file=sys.stderr, flush=True))
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
        say = partial(progress.console.print, markup=False, highlight=False)
        while going():
            session.poll()
            _tell_stall(run, told, say)
            for task in run.tasks():
                if task.start_s is not None:
                    progress.start_task(bars[task.id])
                progress.update(bars[task.id], completed=task.done)
    finally:
        # After a hangup, clearing the bars fails (EIO): that must not hide the SIGHUP
        # that is why they stop.
        with contextlib.suppress(OSError):
            progress.stop()


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def _check(record: RunRecord) -> str:
    if record.ok:
        return ok_text(record, with_sum=False)
    if record.reason:
        return f"{record.state}{record.detail}"
    return f"{record.state}: WRONG"


def summary(records: list[RunRecord], shown: Iterable[str] = ()) -> str:
    """One row per run; under a run with a speedup to explain, its factors, what the
    parallelism gave, whether the speedup can be trusted, and its notes but those in
    ``shown`` (the machine's, printed before the runs)."""
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
        if explained is not None and r.factors is not None:
            lines.append(f"{indent}{explained} · {parallelism_text(r.factors)}")
        if r.verdict is not None:
            lines.append(indent + verdict_text(r.verdict))
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


def bench(machine: Machine, cores: list[int], options: BenchOptions, report: TextIO) -> int:
    """Run the modes asked for and write the report (see claim_stdout); exit 0 if every
    run is ok, 1 if one failed, 128 + the signal's number if interrupted (its runs' records
    kept), 141 if the reader of the report left. No worker is left behind."""
    signals = _Signals()
    try:
        with signals:
            code = _bench(machine, cores, options, report, signals)
            report.flush()
    except OSError as exc:
        # The reader left (`coremeter bench | head`), or a hangup took the terminal.
        # Point the report at devnull so Python's flush at exit has nowhere to fail, and
        # end as a shell program killed by the signal would.
        if signals.signum is None and not isinstance(exc, BrokenPipeError):
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), report.fileno())
        return 128 + (signals.signum or signal.SIGPIPE)
    return code if signals.signum is None else 128 + signals.signum


def _bench(
    machine: Machine, cores: list[int], options: BenchOptions, report: TextIO, signals: _Signals
) -> int:
    session = Session(machine, cores, options.shape, options.scale)
    options.engine.attach(session)
    session.use(options.workload)
    session.schedule = options.schedule
    shown: list[str] = []
    watch_terminal()
    recorder = None if options.record.path is None else Recorder(machine, options.record.label)
    tick: Callable[[], object] = _unrecorded
    try:
        prepare()
        if recorder is not None:
            tick = partial(recorder.follow, session, CpuSampler(cores))
        if not options.json:
            shown = _header(machine, cores, session, options, report)
        for mode in [mode for _ in range(options.repeat) for mode in options.modes]:
            if signals.signum is not None:
                break
            _watch(session, session.start(mode), signals, tick)
            session.poll()
    finally:
        # Whatever ends the runs (a signal: its run is logged as cancelled and reported
        # with the others), no worker outlives bench: at exit, multiprocessing would wait
        # for each one to finish its work.
        session.close(signals.name)
        tick()  # the last run's record, logged as it closed
    if signals.name is not None:
        with contextlib.suppress(OSError):  # after a hangup there is no terminal to tell
            print(f"coremeter: cancelled ({signals.name}); no worker left", file=sys.stderr)
    records = session.log.runs
    if options.json:
        print(export.json_text(records, machine), file=report)
    else:
        print(summary(records, shown), file=report)
        if options.repeat > 1:
            print("\n" + repeat_summary(summarise(records)), file=report)
    writes: list[tuple[Path, Callable[[Path], object]]] = []
    if options.csv is not None:
        writes.append((options.csv, partial(export.write_csv, records)))
    if recorder is not None and options.record.path is not None:
        writes.append((options.record.path, partial(save, recorder.recording())))
    written = all([_write(path, write, None if options.json else report) for path, write in writes])
    return 0 if session.log.all_ok and written else 1


def _unrecorded() -> None:
    """Bench's tick when nothing is recorded: the runs then pay for no sampling at all."""


def _write(path: Path, write: Callable[[Path], object], report: TextIO | None) -> bool:
    """Write one file the command line asked for, and say so on ``report`` (None: not a
    word there, the JSON's); False, with one line on stderr, when it cannot be."""
    try:
        write(path)
    except (ExportError, RecordingError) as exc:
        print(f"coremeter: {exc}", file=sys.stderr)
        return False
    if report is not None:
        print(f"wrote {path}", file=report)
    return True


def _header(
    machine: Machine, cores: list[int], session: Session, options: BenchOptions, report: TextIO
) -> list[str]:
    """The machine and the workload on the report, the machine's notes on stderr; returns
    the notes, which the summary then does not repeat."""
    width = shutil.get_terminal_size().columns  # 80 when not a terminal
    print(fit_parts(options.engine.header(machine, cores), width), file=report)
    print(fit_parts(workload_line(options.workload), width), file=report, flush=True)
    workers = session.spec("parallel").worker_cores
    shown = warnings(
        machine, cores, workers, "parallel" in options.modes, threads="threads" in options.modes
    )
    for note in shown:
        print(f"note: {note}", file=sys.stderr)
    return shown
