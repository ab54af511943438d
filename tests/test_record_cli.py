"""``bench --record`` and ``compare`` from the command line: a real bench recorded and
read back field by field, two recordings compared, and bad files and paths refused
with one line and exit 2. Real bench processes and workers."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import BAD_FILES
from helpers import bench

from coremeter.cli import main
from coremeter.cores import Machine
from coremeter.recording import VERSION, load, machine_json, python_build

# Long enough for a few ticks of each mode here, short enough for the quick tier.
SCALE = "0.01"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A real bench of the three modes, recorded; with what bench --json printed."""
    folder = tmp_path_factory.mktemp("recorded")
    args = ("--mode", "sequential,parallel,threads", "--scale", SCALE, "--json")
    done = bench(*args, "--record", "seed.json.gz", "--label", "two cores", cwd=folder)
    assert done.returncode in (0, 1), done.stderr  # 1: a run's speedup not trusted is fine
    return folder / "seed.json.gz", json.loads(done.stdout)


def test_a_recorded_bench_reads_back_every_field(
    recorded: tuple[Path, dict], machine: Machine
) -> None:
    path, printed = recorded
    recording = load(path)
    assert recording.label == "two cores" and recording.python_build == python_build()
    assert machine_json(recording.machine) == machine_json(machine)
    assert [run.record for run in recording.runs] == printed["runs"]
    for run in recording.runs:
        record, spec, samples = run.record, run.spec, run.samples
        assert (spec.mode, spec.shape, spec.workload) == (record["mode"], "seed", "seed")
        assert [size for _, size, _ in spec.tasks] == [t["size"] for t in record["tasks"]]
        assert sorted(t for _, tasks in spec.lanes for t in tasks) == [0, 1, 2]
        assert len(samples) > 0 and list(samples.cores) == machine.usable_cores
        assert samples.t == tuple(sorted(samples.t))
        assert samples.t[-1] <= record["wall_s"] + 0.5
        for task in record["tasks"]:
            counts = samples.done[task["id"]]
            assert len(counts) == len(samples) and list(counts) == sorted(counts)
            assert counts[-1] <= task["done"] == task["size"]
        assert all(0 <= v <= 100 for series in samples.cores.values() for v in series)
    threads = next(run for run in recording.runs if run.spec.mode == "threads")
    assert any(task["cpu"] for task in threads.record["tasks"])  # per-thread CPU shares


def _edited_copy(path: Path, target: Path, edit: dict) -> Path:
    data = json.loads(gzip.decompress(path.read_bytes()))
    data.update(edit)
    target.write_bytes(gzip.compress(json.dumps(data).encode()))
    return target


def test_compare_sets_two_machines_side_by_side(
    recorded: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = recorded
    data = json.loads(gzip.decompress(path.read_bytes()))
    other = {**data["machine"], "cpu_model": "Big Server 9000", "usable_cores": list(range(64))}
    copy = _edited_copy(path, tmp_path / "server.json.gz", {"machine": other, "label": None})
    assert main(["compare", str(path), str(copy)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("A  two cores · recorded ")
    assert out[1].startswith(f"B  Big Server 9000, 64 cores, {python_build()} · recorded ")
    walls = [line for line in out if "wall s" in line]
    assert [line.split()[0] for line in walls] == ["sequential", "parallel", "threads"]
    assert all(line.endswith(" 1.00") for line in walls)
    assert main(["compare", str(path), str(copy), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [row["wall_s"]["ratio"] for row in rows] == [1.0, 1.0, 1.0]


def test_compare_refuses_a_recording_of_another_workload(
    recorded: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = recorded
    args = ("--workload", "hash", "--mode", "sequential", "--scale", SCALE)
    done = bench(*args, "--record", "hash.json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    with pytest.raises(SystemExit) as exited:
        main(["compare", str(path), str(tmp_path / "hash.json")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "coremeter: error: cannot compare them: different workloads: seed in A, hash in B\n"
    )


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_compare_of_a_bad_file_is_one_line_and_exit_2(
    case: str, recorded: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write, said = BAD_FILES[case]
    bad = write(tmp_path, load(recorded[0]))
    before = bad.read_bytes()
    with pytest.raises(SystemExit) as exited:
        main(["compare", str(recorded[0]), str(bad)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err and err.startswith("coremeter: error: ")
    assert bad.read_bytes() == before


def test_a_newer_format_says_which(recorded: tuple[Path, dict], tmp_path: Path) -> None:
    newer = _edited_copy(recorded[0], tmp_path / "newer.json.gz", {"version": VERSION + 1})
    done = compare_in_shell(recorded[0], newer)
    assert done == (
        2,
        f"coremeter: error: cannot read recording {str(newer)!r}: made by a newer coremeter: "
        f"format {VERSION + 1}, this one reads {VERSION}\n",
    )


def compare_in_shell(a: Path, b: Path) -> tuple[int, str]:
    """compare as a shell runs it: its exit code and stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "coremeter", "compare", str(a), str(b)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("", "cannot write the recording to '': give a file name"),
        ("{tmp}", "cannot write the recording to '{tmp}': it is a directory"),
        ("{tmp}/a file/r.json", "is not a directory"),
    ],
)
def test_a_bad_record_path_is_one_line_before_any_run(
    given: str, said: str, tmp_path: Path
) -> None:
    (tmp_path / "a file").write_text("")
    given, said = given.format(tmp=tmp_path), said.format(tmp=tmp_path)
    done = bench("--record", given, "--scale", SCALE, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
    assert done.stdout == ""  # no run started: not even the machine's header
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]


def test_record_is_refused_where_nothing_would_be_recorded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--record", "r.json", "serve"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "coremeter: error: --record is for the dashboard and bench, not for serve\n"
    )
