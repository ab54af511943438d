"""What `coremeter bench` hands over, whatever happens: every value round-trips through
strict JSON, and a file is written whole or not at all. Real bench processes, real
workers."""

from __future__ import annotations

import json
import math
import resource
from pathlib import Path

import pytest
from helpers import TINY, bench, run_modes

from coremeter.cores import Machine
from coremeter.export import json_text
from coremeter.session import Session
from coremeter.userfunc import parse_spec

HOSTILE = Path(__file__).parent / "hostile"


def strict(text: str) -> dict:
    """JSON as a strict reader takes it: NaN, Infinity and -Infinity are refused."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("func", "result"),
    [("nan_each", math.nan), ("inf_each", math.inf), ("minus_inf_each", -math.inf)],
)
def test_a_non_finite_sum_is_a_result_like_any_other(
    func: str, result: float, machine: Machine
) -> None:
    session = Session(machine, machine.usable_cores, "seed", TINY)
    session.use(parse_spec(f"{HOSTILE / 'nonfinite_sums.py'}:{func}", 12))
    for record in run_modes(session, ("sequential", "parallel", "threads")):
        assert record.ok and record.expected is not None
        assert record.result is not None
        assert math.isnan(record.result) if math.isnan(result) else record.result == result
        assert all(task.result is not None for task in record.tasks)
    # Strict JSON: each written as the string float() reads back.
    runs = strict(json_text(session.log.runs, machine))["runs"]
    assert all(float(run["result"]) == pytest.approx(result, nan_ok=True) for run in runs)


def test_bench_writes_a_nan_sum_as_a_string_and_checks_it(tmp_path: Path) -> None:
    spec = f"{HOSTILE / 'nonfinite_sums.py'}:nan_each"
    result = bench("--workload", spec, "--items", "6", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    runs = strict(result.stdout)["runs"]
    assert [(r["result"], r["expected"], r["ok"]) for r in runs] == [("NaN", "NaN", True)] * 2
    text = bench("--workload", spec, "--items", "6", cwd=tmp_path)
    assert "no sequential sum" not in text.stdout and text.stdout.count(" nan  ok") == 2


def test_a_csv_cut_short_by_the_disk_is_not_left_behind(tmp_path: Path) -> None:
    """A real failure mid-file: the kernel refuses writes past a file size limit (EFBIG),
    as a full disk does (ENOSPC). The limit leaves room for the runs' shared memory
    (files in /dev/shm of a few KB), not for 120 rows of CSV."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, resource.RLIM_INFINITY))

    args = ("--mode", "sequential", "--repeat", "40", "--scale", "0.0002", "--csv", "out/r.csv")
    result = bench(*args, cwd=tmp_path, preexec_fn=small_files)
    assert result.returncode == 1, result.stderr
    failed = "coremeter: cannot write the CSV 'out/r.csv': File too large"
    assert result.stderr.splitlines() == [failed]
    assert list((tmp_path / "out").iterdir()) == []
    assert "over runs" in result.stdout  # the summary is not lost with the file
