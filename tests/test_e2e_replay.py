"""``coremeter replay`` for real: a real bench recorded, then replayed in a tmux terminal;
and every file that cannot be played refused with one line and exit 2."""

from __future__ import annotations

import shlex
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from fakes import BAD_FILES
from helpers import Terminal, bench

from coremeter.cli import build_parser, main, serve_options
from coremeter.recording import load, save
from coremeter.serve import dashboard_command
from coremeter.userfunc import resolve

SCALE = "0.02"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bench of sequential and parallel here, recorded."""
    folder = tmp_path_factory.mktemp("recorded")
    done = bench(
        "--mode", "sequential,parallel", "--scale", SCALE, "--record", "r.json.gz", cwd=folder
    )
    assert done.returncode in (0, 1), done.stderr
    return folder / "r.json.gz"


def test_a_recorded_bench_replays_in_a_terminal_and_says_so(recorded: Path) -> None:
    recording = load(recorded)
    model = recording.machine.cpu_model
    with Terminal(120, 35) as terminal:
        terminal.start("replay", str(recorded))
        terminal.wait_screen(f"replay · recorded on {model}")
        terminal.keys("s")
        terminal.wait_screen("sequential took")
        terminal.keys("p")
        screen = terminal.wait_screen("parallel took")
        assert screen.startswith(" replay")
        terminal.keys("t")
        terminal.wait_screen("no threads run")
        for size in [(40, 12), (80, 24), (200, 60)]:
            terminal.resize(*size)
            terminal.wait_until(lambda s: s.startswith(" replay"), 10, f"replay at {size}")
        terminal.keys("q")


def test_two_recordings_replay_one_above_the_other(recorded: Path, tmp_path: Path) -> None:
    other = tmp_path / "b.json"
    save(replace(load(recorded), label="the other one"), other)
    with Terminal(120, 35) as terminal:
        terminal.start("replay", str(recorded), str(other))
        terminal.wait_screen("replay · recorded on")
        terminal.keys("v")
        terminal.wait_screen("B  the other one")


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_replay_of_a_bad_file_is_one_line_and_exit_2(
    case: str, recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write, said = BAD_FILES[case]
    bad = write(tmp_path, load(recorded))
    before = bad.read_bytes()
    for argv in (
        ["replay", str(bad)],
        ["replay", str(recorded), str(bad)],
        ["serve", "--replay", str(bad)],
    ):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err and err.startswith("coremeter: error: ")
    assert bad.read_bytes() == before


def test_a_missing_file_or_three_files_are_one_line_and_exit_2(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, said in [
        (["replay", "/nonexistent/r.json"], "no such file"),
        (["replay", str(recorded)] * 1 + [str(recorded)] * 2, "not 3"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err


def test_serve_replay_gives_every_tab_the_replay(recorded: Path, monkeypatch) -> None:
    """Each browser tab runs ``coremeter replay`` of the files given, from any folder."""
    monkeypatch.chdir(recorded.parent)
    given = ["serve", "--theme", "textual-light", "--replay", recorded.name]
    args = build_parser().parse_args(given)
    args.workload = resolve(args.workload, args.items)
    command = shlex.split(dashboard_command(serve_options(args)))
    assert command[:4] == ["exec", sys.executable, "-m", "coremeter"]
    monkeypatch.chdir("/")
    tab = build_parser().parse_args(command[4:])
    assert tab.command == "replay" and tab.replay == [recorded]
    assert tab.theme == "textual-light"


def test_record_is_refused_for_a_replay(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--record", "again.json", "replay", str(recorded)])
    assert exited.value.code == 2
    assert "--record is for the dashboard and bench, not for replay" in capsys.readouterr().err
