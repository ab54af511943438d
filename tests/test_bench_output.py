"""What `coremeter bench` hands over, whatever happens: an interrupted bench keeps what it
measured, its report stays clean of what a function prints, every value round-trips
through strict JSON, a file is written whole or not at all, and an ASCII terminal reads
plain glyphs. Real bench processes, real workers, real signals."""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import TINY, bench, run_modes, wait_gone

from coremeter.cores import Machine
from coremeter.export import json_text
from coremeter.recording import load
from coremeter.session import Session
from coremeter.userfunc import parse_spec

HOSTILE = Path(__file__).parent / "hostile"
# A sequential seed run of two seconds or more here: long enough to be caught running.
WATCHED = 0.05


def strict(text: str) -> dict:
    """JSON as a strict reader takes it: NaN, Infinity and -Infinity are refused."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def start_bench(*args: str, cwd: Path) -> subprocess.Popen:
    """bench as a shell starts it in the foreground: Ctrl+C at its default (a script's
    background job would start with SIGINT ignored)."""
    return subprocess.Popen(
        [sys.executable, "-m", "coremeter", "bench", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def workers(pid: int) -> list[psutil.Process]:
    """bench's workers: the fork server's children."""
    try:
        parent = psutil.Process(pid)
        return [w for child in parent.children() for w in child.children()]
    except psutil.NoSuchProcess:
        return []


def running_after_runs(pid: int, seen_at_least: int, timeout: float = 120) -> list[int]:
    """Wait until ``seen_at_least`` workers have come and a run has just begun (a worker
    started within the last 0.3 s, so the run is still going when a signal follows); the
    pids seen. Not by CPU use: on a loaded machine no worker may reach 50% of a core.

    A sequential run has one worker, a parallel run of the seed two: five seen means two
    runs have ended (three with the fork server's warm-up missed)."""
    first_seen: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while (now := time.monotonic()) < deadline:
        for worker in workers(pid):
            first_seen.setdefault(worker.pid, now)
            young = now - first_seen[worker.pid] < 0.3
            with contextlib.suppress(psutil.NoSuchProcess):
                running = worker.status() != psutil.STATUS_ZOMBIE
                if young and running and len(first_seen) >= seen_at_least:
                    return sorted(first_seen)
        time.sleep(0.02)
    raise AssertionError(f"saw {len(first_seen)} workers, and no run beginning")


def interrupt(proc: subprocess.Popen, signals: tuple[int, ...]) -> tuple[str, str, list[int]]:
    """Send ``signals`` (a few ms apart) once two runs have ended; stdout, stderr and the
    workers seen."""
    try:
        pids = running_after_runs(proc.pid, seen_at_least=5)
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.005)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()  # a failed test must not leave a benchmark running
        proc.wait()
    return out, err, pids


@pytest.mark.parametrize(
    "signals",
    [
        # One signal in the quick tier; every other one in the slow tier, since each takes
        # a real bench several seconds.
        pytest.param((signal.SIGINT,), marks=pytest.mark.slow),
        (signal.SIGTERM,),
        pytest.param((signal.SIGHUP,), marks=pytest.mark.slow),
        pytest.param((signal.SIGINT, signal.SIGINT), marks=pytest.mark.slow),
    ],
    ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGINT-twice"],
)
def test_an_interrupted_bench_reports_what_it_measured(
    signals: tuple[int, ...], tmp_path: Path
) -> None:
    args = ("--repeat", "8", "--json", "--csv", "runs.csv", "--scale", str(WATCHED))
    args += ("--record", "runs.json.gz")
    out, err, pids = interrupt(start_bench(*args, cwd=tmp_path), signals)
    name = signal.Signals(signals[0]).name
    # One line, whatever came twice; the exit code says which signal ended it.
    assert err.splitlines() == [f"coremeter: cancelled ({name}); no worker left"], err
    runs = strict(out)["runs"]
    states = [run["state"] for run in runs]
    assert len(states) >= 3 and set(states[:-1]) == {"done"} and states[-1] == "cancelled"
    assert runs[-1]["reason"] == f"cancelled: {name}"
    with open(tmp_path / "runs.csv", newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    assert {int(row["run"]) for row in rows} == set(range(1, len(runs) + 1))
    assert {row["state"] for row in rows if int(row["run"]) == len(runs)} == {"cancelled"}
    # The recording too is whole, with the cancelled run's samples up to the signal.
    recorded = load(tmp_path / "runs.json.gz").runs
    assert [run.record for run in recorded] == runs
    assert len(recorded[-1].samples) > 0
    assert wait_gone(pids, timeout=1.0) == []


def test_an_interrupted_bench_prints_its_summary(tmp_path: Path) -> None:
    args = ("--repeat", "8", "--scale", str(WATCHED))
    out, err, pids = interrupt(start_bench(*args, cwd=tmp_path), (signal.SIGINT,))
    assert "Traceback" not in err
    rows = [line for line in out.splitlines() if line.startswith(("sequential", "parallel"))]
    assert len(rows) >= 5  # three runs or more, then the per-mode lines "over runs"
    assert rows[-3].endswith("  cancelled: SIGINT") and "over runs" in out
    assert wait_gone(pids, timeout=1.0) == []


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_what_a_function_prints_goes_to_stderr(as_json: bool, tmp_path: Path) -> None:
    """At its import in bench and in every worker, from Python and on fd 1 directly."""
    spec = f"{HOSTILE / 'noisy_output.py'}:shout"
    modes = "sequential,parallel,threads"
    args = ["--workload", spec, "--items", "6", "--mode", modes] + ["--json"] * as_json
    result = bench(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "noisy_output: " not in result.stdout
    if as_json:
        assert [run["result"] for run in strict(result.stdout)["runs"]] == [15.0] * 3
    for said in ("print at import", "fd 1 at import", "print in call 5", "fd 1 in call 5"):
        assert f"noisy_output: {said}" in result.stderr


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


def test_an_ascii_terminal_reads_plain_glyphs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env |= {"LC_ALL": "C", "PYTHONUTF8": "0"}
    result = bench("--scale", str(TINY), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # The machine line's parts, separated by "-" where a terminal takes "·".
    assert result.stdout.isascii() and " - " in result.stdout.splitlines()[0]


def test_a_closed_stdout_is_no_traceback(tmp_path: Path) -> None:
    """`coremeter bench >&-`: nothing to report to, and the runs still run."""
    result = bench("--scale", str(TINY), cwd=tmp_path, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0 and result.stderr == ""
