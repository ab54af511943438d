"""Exports as a user opens them: real files in real folders, parsed back."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TINY, disk_full_for, run_modes

from coremeter.cores import Machine
from coremeter.export import (
    CSV_COLUMNS,
    ExportError,
    check_csv_path,
    check_folder,
    document,
    export_session,
)
from coremeter.results import RunRecord, TaskRecord
from coremeter.session import Session


@pytest.fixture(scope="module")
def records(machine: Machine) -> list[RunRecord]:
    """A real session's log: sequential then parallel on every usable core."""
    session = Session(machine, machine.usable_cores, "seed", TINY)
    return run_modes(session, ("sequential", "parallel"))


def cancelled_run() -> RunRecord:
    """A run stopped midway: unknown times, an unpinned task and a reason."""
    tasks = [
        TaskRecord(id=0, size=100, core=None, done=100, start_s=0.0, end_s=0.5, result=4950.0),
        TaskRecord(id=1, size=200, core=None, done=0, start_s=None, end_s=None, result=None),
    ]
    return RunRecord(
        mode="threads",
        shape="seed",
        scale=1e-7,
        cores=[0],
        state="cancelled",
        reason="cancelled: a, b",
        wall_s=0.75,
        result=None,
        expected=24850.0,
        ok=False,
        bound=1.0,
        tasks=tasks,
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


def test_an_export_writes_json_and_csv_that_read_back(
    records: list[RunRecord], machine: Machine, tmp_path: Path
) -> None:
    folder = tmp_path / "talk" / "results"  # missing, two levels deep
    json_path, csv_path = export_session(records, machine, folder)
    assert json_path.parent == folder and json_path.suffix == ".json"
    assert csv_path.parent == folder and csv_path.suffix == ".csv"
    assert json.loads(json_path.read_text()) == json.loads(json.dumps(document(records, machine)))

    rows = read_csv(csv_path)
    assert len(rows) == sum(len(run.tasks) for run in records)
    sequential = [row for row in rows if row["run"] == "1"]
    parallel = [row for row in rows if row["run"] == "2"]
    assert {row["mode"] for row in sequential} == {"sequential"}
    assert {row["mode"] for row in parallel} == {"parallel"}
    for row in rows:
        assert row["state"] == "done" and row["ok"] == "true" and row["reason"] == ""
        assert float(row["scale"]) == TINY and row["shape"] == "seed"
        start, end, took = float(row["start_s"]), float(row["end_s"]), float(row["task_s"])
        assert 0 <= start <= end <= float(row["wall_s"]) + 1e-6
        assert took == pytest.approx(end - start, abs=2e-6)
        assert int(row["done"]) == int(row["size"])
    assert {row["speedup"] for row in sequential} == {"1.0"}
    assert float(parallel[0]["speedup"]) == pytest.approx(records[1].speedup, abs=1e-6)
    assert {int(row["core"]) for row in parallel} == set(records[1].cores)
    assert parallel[0]["cores"] == " ".join(map(str, machine.usable_cores))
    # The schedule, the speedup's factors and the notes, as the JSON has them.
    assert {row["schedule"] for row in rows} == {"longest-first"}
    factors = records[1].factors
    assert factors is not None
    for column in ("balance", "core_speed", "overhead"):
        assert float(parallel[0][column]) == pytest.approx(getattr(factors, column), abs=1e-6)
    assert parallel[0]["notes"] == " | ".join(records[1].notes)
    doc = json.loads(json_path.read_text())
    assert [run["schedule"] for run in doc["runs"]] == ["longest-first"] * 2
    assert set(doc["runs"][1]["factors"]) == {"cores", "balance", "core_speed", "overhead"}
    assert [s["mode"] for s in doc["summary"]] == ["sequential", "parallel"]
    assert doc["summary"][1]["median_speedup"] == pytest.approx(records[1].speedup)


def test_a_second_export_never_overwrites_the_first(
    records: list[RunRecord], machine: Machine, tmp_path: Path
) -> None:
    first = export_session(records[:1], machine, tmp_path)
    second = export_session(records, machine, tmp_path)
    assert set(first).isdisjoint(second)
    assert all(path.name.startswith("coremeter-") for path in first + second)
    assert len(json.loads(first[0].read_text())["runs"]) == 1
    assert len(json.loads(second[0].read_text())["runs"]) == 2


def test_the_screenshot_callable_writes_the_svg_beside_the_data(
    records: list[RunRecord], machine: Machine, tmp_path: Path
) -> None:
    def screenshot() -> str:
        return "<svg xmlns='http://www.w3.org/2000/svg'/>"

    json_path, csv_path, svg_path = export_session(records, machine, tmp_path, screenshot)
    assert svg_path.suffix == ".svg" and svg_path.read_text().startswith("<svg")
    assert json_path.stem == csv_path.stem == svg_path.stem


def test_unknown_values_are_blank_cells(machine: Machine, tmp_path: Path) -> None:
    _, csv_path = export_session([cancelled_run()], machine, tmp_path)
    done, waiting = read_csv(csv_path)
    assert done["core"] == "" and done["task_s"] == "0.5" and done["speedup"] == ""
    assert waiting["start_s"] == waiting["end_s"] == waiting["task_s"] == ""
    assert done["state"] == "cancelled" and done["ok"] == "false"
    assert done["reason"] == "cancelled: a, b"
    assert done["scale"] == "1e-07"  # as given, not rounded to the microsecond


def test_a_non_finite_number_reads_the_same_in_json_and_csv(
    machine: Machine, tmp_path: Path
) -> None:
    run = cancelled_run()
    run.result, run.speedup, run.bound = math.nan, math.inf, -math.inf
    json_path, csv_path = export_session([run], machine, tmp_path)
    # Strict JSON: a reader that refuses NaN and Infinity literals takes it.
    written = json.loads(json_path.read_text(), parse_constant=pytest.fail)["runs"][0]
    assert (written["result"], written["speedup"], written["bound"]) == (
        "NaN",
        "Infinity",
        "-Infinity",
    )
    assert {(row["speedup"], row["bound"]) for row in read_csv(csv_path)} == {
        ("Infinity", "-Infinity")
    }


def test_no_runs_is_a_header_and_an_empty_list(machine: Machine, tmp_path: Path) -> None:
    json_path, csv_path = export_session([], machine, tmp_path)
    assert json.loads(json_path.read_text())["runs"] == []
    assert read_csv(csv_path) == []


def test_a_file_in_the_way_is_a_one_line_error(machine: Machine, tmp_path: Path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    for folder in (blocker, blocker / "deeper"):
        with pytest.raises(ExportError, match="not a directory") as caught:
            check_folder(folder)
        assert "\n" not in str(caught.value)
        with pytest.raises(ExportError, match="[Nn]ot a directory"):
            export_session([], machine, folder)
    with pytest.raises(ExportError, match="is a directory"):
        check_csv_path(str(tmp_path))


@pytest.mark.parametrize(
    ("suffix", "part"), [(".json", "the JSON"), (".csv", "the CSV"), (".svg", "the screenshot")]
)
def test_a_full_disk_leaves_no_file_and_names_the_part(
    suffix: str, part: str, records: list[RunRecord], machine: Machine, tmp_path: Path, monkeypatch
) -> None:
    """Whole or not at all: no empty or cut file, nor a complete one beside a cut one."""
    disk_full_for(monkeypatch, suffix)
    with pytest.raises(ExportError) as caught:
        export_session(records, machine, tmp_path, lambda: "<svg>" + " " * 100_000 + "</svg>")
    assert str(caught.value).startswith(f"cannot write {part} ")
    assert str(caught.value).endswith(f"{suffix}': No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_checking_a_folder_creates_nothing(tmp_path: Path) -> None:
    check_folder(tmp_path / "a" / "b")
    check_csv_path(str(tmp_path / "c" / "runs.csv"))
    assert list(tmp_path.iterdir()) == []


def coremeter(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coremeter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_bench_csv_matches_its_json(tmp_path: Path) -> None:
    result = coremeter(
        "bench", "--json", "--scale", str(TINY), "--csv", "out/runs.csv", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]  # --json keeps stdout one JSON document
    rows = read_csv(tmp_path / "out" / "runs.csv")
    assert len(rows) == sum(len(run["tasks"]) for run in runs)
    for row in rows:
        run = runs[int(row["run"]) - 1]
        task = run["tasks"][int(row["task"])]
        assert row["mode"] == run["mode"] and int(row["size"]) == task["size"]
        assert float(row["wall_s"]) == pytest.approx(run["wall_s"], abs=1e-6)
        assert float(row["start_s"]) == pytest.approx(task["start_s"], abs=1e-6)


def test_bench_csv_says_where_it_wrote(tmp_path: Path) -> None:
    result = coremeter(
        "bench", "--mode", "sequential", "--scale", str(TINY), "--csv", "r.csv", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "wrote r.csv"
    assert len(read_csv(tmp_path / "r.csv")) == 3
