"""Command line: ``coremeter`` opens the dashboard, ``coremeter bench`` runs headless,
``coremeter serve`` shows the dashboard in a browser.

Textual is imported only when the dashboard opens or is served, so ``bench`` and
the worker processes never pay for it. Bad input is one line on stderr and exit
code 2, found before any work starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import coremeter
from coremeter import arguments, clusterrun
from coremeter.bench import bench, claim_stdout
from coremeter.compare import add_compare_command, compare_command
from coremeter.cores import CoreError, Machine, parse_core_list
from coremeter.export import (
    DEFAULT_FOLDER,
    ExportError,
    check_csv_path,
    check_file_path,
    check_folder,
)
from coremeter.options import (
    LOCAL,
    BenchOptions,
    DashboardOptions,
    Engine,
    RecordOptions,
    ServeOptions,
)
from coremeter.replay import RECORDINGS_HELP, add_replay_command, recordings
from coremeter.results import MODES
from coremeter.schedule import DEFAULT_SCHEDULE, SCHEDULES
from coremeter.userfunc import resolve
from coremeter.workload import (
    BUILTINS,
    DEFAULT_SCALE,
    MAX_SCALE,
    SHAPES,
    WorkloadError,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# The Textual driver textual-serve runs each browser tab's dashboard with, on pipes.
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
NO_TERMINAL = (
    "the dashboard needs a terminal on stdin and stdout: run it in one (ssh -t for a "
    "remote machine), or use `coremeter bench` in scripts"
)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, but a line never breaks inside a hyphenated name: a theme such as
    coremeter-projector must be copyable from --help."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line and exit 2, with no usage block."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"coremeter: error: {message}\n")


class _ThemeNames(Sequence[str]):
    """The names ``--theme`` accepts, looked up only when argparse checks one or prints
    them: they come from Textual, which ``bench`` never imports."""

    @staticmethod
    def _names() -> list[str]:
        from coremeter.tui.themes import theme_names

        return theme_names()

    def __getitem__(self, index: Any) -> Any:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()


def _workload_options(parser: argparse.ArgumentParser, inherit: bool) -> None:
    """The workload's options. A subcommand inherits what was given before its name
    (``coremeter --scale 0.1 bench``) rather than silently resetting it."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if inherit else value

    names = ", ".join(w.name for w in BUILTINS)
    parser.add_argument(
        "--workload",
        default=default("seed"),
        metavar="NAME",
        help=f"what to run: {names}, or a function of yours as FILE.py:FUNC or "
        "package.module:FUNC, mapped over range(--items) (default: seed)",
    )
    parser.add_argument(
        "--items",
        type=arguments.items,
        default=default(None),
        metavar="N",
        help="how many ints a function of yours is mapped over, split into tasks by --shape",
    )
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default=default("seed"),
        help="seed: three tasks of 1:2:3 units, as in the article; "
        "balanced: the same work in one equal task per core (default: seed)",
    )
    parser.add_argument(
        "--scale",
        type=arguments.scale,
        default=default(DEFAULT_SCALE),
        metavar="X",
        help=f"work relative to the article's ranges; 1.0 reproduces them exactly, "
        f"{DEFAULT_SCALE:g} takes 7-9 s sequential on a current laptop "
        f"(default: {DEFAULT_SCALE:g}, at most {MAX_SCALE:g})",
    )
    parser.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=default(DEFAULT_SCHEDULE),
        help="how tasks go to the cores: longest-first (the bound, 2.0 for the seed on 2 "
        "cores) or in-order, the article's Pool (4 units where 3 would do: 1.5) "
        f"(default: {DEFAULT_SCHEDULE})",
    )
    parser.add_argument(
        "--cores",
        metavar="LIST",
        default=default(None),
        help="cores to use, like 0,2-3, chosen from those this process may run on "
        "(default: all usable cores)",
    )
    clusterrun.add_options(parser, inherit)


def _dashboard_options(parser: argparse.ArgumentParser, inherit: bool) -> None:
    """What the dashboard takes, whether in a terminal or served to a browser.

    Before any subcommand, ``--mode`` also takes bench's ``compare`` (refused for the
    dashboard once the command is known), and the dashboard-only options default to
    None, so that :meth:`_MainParser.settle` can tell one given before ``bench``.
    """
    parser.add_argument(
        "--mode",
        choices=MODES if inherit else None,
        type=str if inherit else arguments.modes,
        default=argparse.SUPPRESS if inherit else None,
        help="mode preselected in the dashboard (default: sequential)"
        if inherit
        else "mode preselected in the dashboard (default: sequential); compare only with bench",
    )
    _workload_options(parser, inherit)
    parser.add_argument(
        "--autostart",
        action="store_true",
        default=argparse.SUPPRESS if inherit else None,
        help="start a run of --mode as soon as it opens",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if inherit else None,
        help="autopilot for a talk: sequential, parallel, then the two compared on the "
        "charts, over and over until any key is pressed (d in the dashboard starts it too)",
    )
    parser.add_argument(
        "--theme",
        choices=_ThemeNames(),
        default=argparse.SUPPRESS if inherit else None,
        metavar="NAME",
        help="colours: coremeter-projector is high-contrast and bold for a projector; "
        "any of %(choices)s (default: textual-dark; in the dashboard, ctrl+p then Theme "
        "switches live)",
    )
    parser.add_argument(
        "--out",
        type=arguments.folder,
        default=argparse.SUPPRESS if inherit else None,
        metavar="DIR",
        help=f"folder the e key exports into, created when missing (default: {DEFAULT_FOLDER}/)",
    )


def _record_options(parser: argparse.ArgumentParser, inherit: bool) -> None:
    """--record and --label, for the dashboard and bench (see coremeter.recording)."""
    default = argparse.SUPPRESS if inherit else None
    parser.add_argument(
        "--record",
        metavar="FILE",
        default=default,
        help="record the runs, their per-core samples and progress into FILE (gzipped when "
        "it ends in .gz), to replay or compare them elsewhere; written as coremeter ends",
    )
    parser.add_argument(
        "--label", metavar="TEXT", default=default, help="what the recording is called"
    )


DASHBOARD_ONLY = ("autostart", "demo", "theme", "out")


class _MainParser(_Parser):
    """The top-level parser: once the command is known, it settles what depends on it."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        namespace, extras = super().parse_known_args(args, namespace)
        self.settle(namespace)
        return namespace, extras

    def settle(self, args: argparse.Namespace) -> None:
        """Refuse what the command cannot use, wherever it was given, and fill in the
        defaults that depend on the command."""
        modes = (args.mode,) if isinstance(args.mode, str) else args.mode
        if args.command in ("serve", "compare", "replay") and args.record is not None:
            self.error(f"--record is for the dashboard and bench, not for {args.command}")
        if args.command == "bench":
            given = [f"--{name}" for name in DASHBOARD_ONLY if getattr(args, name) is not None]
            if given:
                are = "is" if len(given) == 1 else "are"
                self.error(f"{' and '.join(given)} {are} for the dashboard, not for bench")
            # The modes to run, in order; compare is sequential then parallel.
            args.mode = [
                one
                for mode in modes or ("compare",)
                for one in (("sequential", "parallel") if mode == "compare" else (mode,))
            ]
        elif modes is None:
            args.mode = "sequential"
        elif "compare" in modes:
            choices = ", ".join(repr(mode) for mode in MODES)
            self.error(
                f"argument --mode: invalid choice: 'compare' (choose from {choices}; "
                "compare is for bench)"
            )
        elif len(modes) > 1:
            self.error(
                f"argument --mode: the dashboard starts in one mode; a list such as "
                f"{','.join(modes)} is for bench"
            )
        else:
            args.mode = modes[0]
        args.autostart = bool(args.autostart)
        args.demo = bool(args.demo)
        if args.out is None:
            args.out = DEFAULT_FOLDER


def build_parser() -> argparse.ArgumentParser:
    parser = _MainParser(
        prog="coremeter",
        description="A live terminal dashboard that makes parallelism visible: the same "
        "CPU-bound Python work run sequentially and in parallel on pinned worker processes.",
    )
    parser.add_argument("--version", action="version", version=f"coremeter {coremeter.__version__}")
    _dashboard_options(parser, inherit=False)
    _record_options(parser, inherit=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    bench = commands.add_parser(
        "bench",
        help="run headless and print a summary or JSON",
        description="Run the workload headless: for scripts, CI and measuring a machine. "
        "Exit 0 when every run is ok, 1 when one failed, 2 on bad arguments.",
    )
    bench.add_argument(
        "--mode",
        type=arguments.modes,
        default=argparse.SUPPRESS,
        metavar="LIST",
        help=f"modes to run in order, comma-separated, from {', '.join(MODES)} and compare, "
        "which runs sequential then parallel (default: compare)",
    )
    _workload_options(bench, inherit=True)
    # The dashboard's own options, hidden: given here or before "bench", each is the same
    # one-line error (see _MainParser.settle), not "unrecognized arguments".
    for name in ("autostart", "demo"):
        bench.add_argument(
            f"--{name}", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    for name in ("theme", "out"):
        bench.add_argument(f"--{name}", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    _record_options(bench, inherit=True)
    bench.add_argument(
        "--repeat",
        type=arguments.repeat,
        default=1,
        metavar="N",
        help=f"run each mode N times, 1 to {arguments.MAX_REPEAT} (default: 1)",
    )
    bench.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout and nothing else"
    )
    bench.add_argument(
        "--csv",
        metavar="FILE",
        help="also write the runs to FILE as CSV, one row per task per run (its folder is "
        "created when missing)",
    )
    serve = commands.add_parser(
        "serve",
        help="serve the dashboard to a web browser",
        description="Serve the dashboard over HTTP through textual-serve: each browser tab "
        "gets its own dashboard, running on this machine. Works without internet.",
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"IP address to listen on, or localhost; anything but loopback lets other "
        f"machines start CPU-heavy runs here (default: {DEFAULT_HOST})",
    )
    serve.add_argument(
        "--port",
        type=arguments.port,
        default=DEFAULT_PORT,
        help=f"TCP port (default: {DEFAULT_PORT})",
    )
    _dashboard_options(serve, inherit=True)
    serve.add_argument("--replay", type=Path, nargs="+", metavar="FILE", help=RECORDINGS_HELP)
    add_compare_command(commands)
    add_replay_command(commands)
    return parser


def resolve_cores(parser: argparse.ArgumentParser, spec: str | None, machine: Machine) -> list[int]:
    if spec is None:
        return list(machine.usable_cores)
    try:
        return parse_core_list(spec, machine.usable_cores)
    except CoreError as exc:
        parser.error(str(exc))


def has_display() -> bool:
    """Whether the dashboard has somewhere to show itself: a terminal, or a browser tab's
    pipes to ``coremeter serve``. Without one, Textual reads its input at end of file
    forever, a whole core, and draws into a pipe nobody watches."""
    if os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER:
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare_command(parser, args)
    if args.command == "replay":
        return _replay(parser, args)
    if args.command is None and not has_display():
        parser.error(NO_TERMINAL)
    machine = Machine.detect()
    cores = resolve_cores(parser, args.cores, machine)
    try:
        if args.command == "bench":
            if args.csv is not None:
                args.csv = check_csv_path(args.csv)
        else:
            check_folder(args.out)
        if args.record is not None:
            args.record = check_file_path(args.record, "the recording")
    except ExportError as exc:
        parser.error(str(exc))
    # bench's stdout is its report's alone, from before a function of yours is imported.
    report = claim_stdout() if args.command == "bench" else sys.stdout
    try:
        # A function of yours is imported here, once, so that every way it cannot be
        # loaded is one line before any worker starts.
        args.workload = resolve(args.workload, args.items)
    except WorkloadError as exc:
        parser.error(str(exc))
    if args.command == "serve":
        from coremeter.serve import ServeError, check_address, serve

        recordings(parser, args.replay or ())
        try:
            args.host = check_address(args.host, args.port)
        except ServeError as exc:
            parser.error(str(exc))
        return serve(serve_options(args))
    with clusterrun.connected(args, machine, cores, parser.error) as (engine, machine, cores):
        if args.command == "bench":
            return bench(machine, cores, bench_options(args, engine), report)
        from coremeter.tui.app import run_dashboard

        return run_dashboard(machine, cores, dashboard_options(args, engine))


def _replay(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``coremeter replay``: the files are checked before the terminal is."""
    found = recordings(parser, args.replay)
    if not has_display():
        parser.error(NO_TERMINAL)
    from coremeter.tui.replay import run_replay

    return run_replay(found, DashboardOptions(demo=args.demo, theme=args.theme, out=args.out))


def dashboard_options(args: argparse.Namespace, engine: Engine = LOCAL) -> DashboardOptions:
    """The dashboard's options from a parsed (and settled) command line."""
    return DashboardOptions(
        engine=engine,
        cluster=clusterrun.cluster_options(args),
        mode=args.mode,
        shape=args.shape,
        scale=args.scale,
        workload=args.workload,
        schedule=args.schedule,
        autostart=args.autostart,
        demo=args.demo,
        theme=args.theme,
        out=args.out,
        record=RecordOptions(args.record, args.label),
    )


def serve_options(args: argparse.Namespace) -> ServeOptions:
    replay = tuple(path.absolute() for path in args.replay or ())
    return ServeOptions(args.host, args.port, args.cores, dashboard_options(args), replay)


def bench_options(args: argparse.Namespace, engine: Engine = LOCAL) -> BenchOptions:
    csv = None if args.csv is None else Path(args.csv)
    given = (args.shape, args.scale, args.workload, args.repeat, args.json)
    record = RecordOptions(args.record, args.label)
    return BenchOptions(tuple(args.mode), *given, csv, args.schedule, record, engine)
