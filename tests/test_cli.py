"""The command line as a script sees it: exit codes, one-line errors, JSON, no Textual."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import psutil
import pytest
from helpers import TINY, wait_gone, working

import coremeter as coremeter_package
from coremeter.bench import summary
from coremeter.cli import WEB_DRIVER
from coremeter.cores import Machine
from coremeter.report import fit_parts, machine_line

CORES = sorted(os.sched_getaffinity(0))


@pytest.fixture(scope="module")
def no_textual(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment in which importing Textual fails."""
    folder = tmp_path_factory.mktemp("no-textual")
    (folder / "textual").mkdir()
    (folder / "textual" / "__init__.py").write_text("raise ImportError('blocked by this test')\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path])}


def coremeter(*args: str, env: dict | None = None, timeout: float = 120, **kw):
    return subprocess.run(
        [sys.executable, "-m", "coremeter", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kw,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["bench", "--scale", "-1"],
        ["bench", "--scale", "0"],
        ["bench", "--scale", "nan"],
        ["bench", "--scale", "inf"],
        ["bench", "--scale", "1e400"],
        ["bench", "--scale", "101"],
        ["bench", "--scale", "abc"],
        ["bench", "--cores", "99"],
        ["bench", "--cores", "0-"],
        ["bench", "--cores", "a,b"],
        ["bench", "--cores", ""],
        ["bench", "--mode", "fast"],
        ["bench", "--shape", "square"],
        ["bench", "--schedule", "random"],
        ["--schedule", "first"],
        ["serve", "--schedule", "in_order"],
        ["bench", "--repeat", "0"],
        ["bench", "--repeat", "x"],
        ["bench", "--bogus"],
        ["--scale", "-3"],
        ["--cores", "1000"],
        ["--mode", "compare"],
        ["nosuchcommand"],
        ["bench", "--csv", ""],
        ["bench", "--csv", "/"],
        ["bench", "--csv", "results/"],
        ["bench", "--csv", "/dev/null/runs.csv"],
        ["bench", "--csv", "/proc/runs.csv"],
        ["--out", "/dev/null"],
        ["--out", "/dev/null/results"],
        ["serve", "--out", "/dev/null/results"],
        ["serve", "--port", "0"],
        ["serve", "--port", "65536"],
        ["serve", "--port", "http"],
        ["serve", "--host", ""],
        ["serve", "--host", "999.1.1.1"],
        ["serve", "--host", "example.invalid"],
        ["serve", "--scale", "0"],
        ["--theme", "no-such-theme"],
        ["--theme"],
        ["serve", "--theme", "no-such-theme"],
        ["bench", "--theme", "nord"],
        ["--demo=yes"],
        ["bench", "--demo"],
        # Every option of every command at least once, each check's edge cases once.
        ["--scale", "nan"],
        ["--scale", "1e9"],
        ["--scale"],
        ["serve", "--scale", "-0"],
        ["bench", "--scale", "1e-400"],
        ["bench", "--scale", "0x10"],
        ["--cores", "a,b"],
        ["serve", "--cores", "99"],
        ["bench", "--cores", "-1"],
        ["bench", "--cores", "0,,1"],
        ["bench", "--cores", "1-0"],
        ["bench", "--cores", "0-1-2"],
        ["bench", "--cores", "0-99999999999"],
        ["bench", "--cores", "99999999999999999999999"],
        ["bench", "--cores", "\u0661"],  # an Arabic-Indic one: int() reads it as 1
        ["--shape", "square"],
        ["serve", "--shape", ""],
        ["--mode", ""],
        ["serve", "--mode", "compare"],
        ["bench", "--repeat", "-1"],
        ["bench", "--repeat", "1001"],
        ["bench", "--repeat", "1.5"],
        ["serve", "--port", "-1"],
        ["serve", "--port", "99999999999999999999"],
        ["serve", "--host", "::g"],
        ["serve", "--host", "localhost:80"],
        ["serve", "--host", "192.0.2.1"],  # a documentation address: on no machine
        ["--out", ""],
        ["--out", "/proc/x"],
        ["bench", "--json", "--csv", "/proc/x/runs.csv"],
        ["--mode", "sequential,threads"],
        ["serve", "--mode", "sequential,threads"],
        ["--mode", "compare,threads", "serve"],
        ["bench", "--mode", "sequential,"],
        ["--workload", "no-such-file.py:f", "--items", "3"],
        ["--workload", "hash", "--items", "3"],
        ["--items", "0"],
        ["serve", "--workload", "no-such-file.py:f", "--items", "3"],
        ["serve", "--workload", "nosuchworkload"],
        ["bench", "--workload", ""],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], no_textual: dict[str, str]) -> None:
    # With Textual blocked: the dashboard refuses bad input before it could take over the
    # terminal (serve, and a theme's name, need Textual to be checked at all).
    needs_textual = args[0] == "serve" or "--theme" in args
    result = coremeter(*args, env=None if needs_textual else no_textual)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coremeter: error: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ("100.0000001", "scale 100.0000001 is above the limit of 100 (about an hour sequential)"),
        ("1e400", "scale 1e400 is above the limit of 100 (about an hour sequential)"),
        ("1e-400", "invalid scale 1e-400: too small, it rounds to 0"),
        ("-0", "invalid scale -0: must be a number above 0"),
    ],
)
def test_a_refused_scale_is_shown_as_given(scale: str, message: str, no_textual) -> None:
    result = coremeter("bench", f"--scale={scale}", env=no_textual)
    assert result.returncode == 2
    assert result.stderr == f"coremeter: error: argument --scale: {message}\n"


def test_help_lists_the_options() -> None:
    result = coremeter("bench", "--help")
    assert result.returncode == 0
    for option in ("--mode", "--shape", "--scale", "--cores", "--repeat", "--json", "--csv"):
        assert option in result.stdout
    result = coremeter("serve", "--help")
    assert result.returncode == 0
    for option in ("--host", "--port", "--shape", "--scale", "--cores", "--out", "--demo"):
        assert option in result.stdout


def test_version_is_the_distributions_one_version() -> None:
    """The version lives in coremeter/__init__.py; the distribution's metadata reads it
    from there, so the two cannot disagree."""
    result = coremeter("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"coremeter {coremeter_package.__version__}\n"
    assert metadata.version("coremeter-parallel") == coremeter_package.__version__


def test_help_gives_the_readmes_default_scale_timing() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    found = re.search(r"default, \*\*([\d.]+)\*\*, is [^:]+: ([\d-]+ s) sequential", readme)
    assert found, "README no longer states the default scale's sequential time"
    scale, seconds = found.groups()
    for args in ([], ["bench"], ["serve"]):
        result = coremeter(*args, "--help")
        assert f"{scale} takes {seconds} sequential" in " ".join(result.stdout.split())


def test_bench_help_gives_the_repeat_range_and_default() -> None:
    result = coremeter("bench", "--help")
    assert "run each mode N times, 1 to 1000 (default: 1)" in " ".join(result.stdout.split())


def test_help_lists_the_themes() -> None:
    result = coremeter("--help")
    assert result.returncode == 0
    # argparse wraps the help: compare it with its line breaks taken out.
    text = " ".join(result.stdout.split())
    for name in ("coremeter-projector", "textual-dark", "textual-light", "nord"):
        assert name in text
    for option in ("--demo", "--theme NAME"):
        assert option in text


def test_a_bad_host_names_everything_serve_accepts() -> None:
    result = coremeter("serve", "--host", "example.invalid", timeout=30)
    assert result.returncode == 2
    assert result.stderr == (
        "coremeter: error: invalid host 'example.invalid': give localhost or an IP address "
        "such as 127.0.0.1, ::1 or 0.0.0.0 (no other host names)\n"
    )


def test_serve_on_a_taken_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = coremeter("serve", "--host", "127.0.0.1", "--port", port, timeout=30)
    assert result.returncode == 2
    assert (
        result.stderr == f"coremeter: error: cannot listen on http://127.0.0.1:{port}: "
        "Address already in use\n"
    )


def test_bench_json_is_one_document_with_the_schema() -> None:
    result = coremeter("bench", "--json", "--scale", str(TINY), "--shape", "balanced")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    machine = doc["machine"]
    assert machine["usable_cores"] == CORES
    for key in ("logical", "physical", "python", "gil", "start_method", "affinity", "quota"):
        assert key in machine
    sequential, parallel = doc["runs"]
    assert (sequential["mode"], parallel["mode"]) == ("sequential", "parallel")
    for run in doc["runs"]:
        assert run["ok"] is True and run["result"] == run["expected"]
        assert run["shape"] == "balanced" and run["scale"] == TINY
        for task in run["tasks"]:
            assert set(task) >= {"id", "size", "core", "start_s", "end_s"}
    assert sequential["speedup"] == 1.0 and parallel["speedup"] > 0
    assert parallel["bound"] == len(CORES)
    assert sorted(t["core"] for t in parallel["tasks"]) == CORES


def test_a_lone_parallel_run_has_no_speedup() -> None:
    result = coremeter("bench", "--json", "--mode", "parallel", "--scale", str(TINY))
    assert json.loads(result.stdout)["runs"][0]["speedup"] is None


def test_bench_summary_and_repeat() -> None:
    result = coremeter("bench", "--scale", str(TINY), "--repeat", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any("Python" in line for line in lines[: lines.index(summary_header())])
    table, repeats = "\n".join(lines[lines.index(summary_header()) :]).split("\n\n")
    rows = [line for line in table.splitlines() if line.startswith(("sequential", "parallel"))]
    assert len(rows) == 4 and all(row.endswith("ok") for row in rows)
    # Each parallel run explains its speedup as the product of its factors.
    explained = [line.split()[0] for line in table.splitlines() if "core speed" in line]
    assert explained == [row.split()[4] for row in rows if row.startswith("parallel")]
    # Then the runs of each mode summed up: 2 each, the median between min and max.
    per_mode = {line.split()[0]: line.split()[1:] for line in repeats.splitlines()[1:3]}
    assert set(per_mode) == {"sequential", "parallel"}
    for runs, median, low, high, _spread, _speedup in per_mode.values():
        assert runs == "2" and float(low) <= float(median) <= float(high)


@pytest.mark.skipif(len(CORES) < 2, reason="needs two usable cores")
def test_bench_under_taskset_uses_only_the_allowed_core() -> None:
    core = str(CORES[-1])
    result = subprocess.run(
        ["taskset", "-c", core, sys.executable, "-m", "coremeter", "bench", "--json"]
        + ["--scale", str(TINY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["machine"]["usable_cores"] == [int(core)]
    for run in doc["runs"]:
        assert run["ok"] and {t["core"] for t in run["tasks"]} == {int(core)}


def test_bench_works_with_textual_unimportable(no_textual: dict[str, str]) -> None:
    result = coremeter("bench", "--json", "--scale", str(TINY), env=no_textual)
    assert result.returncode == 0, result.stderr
    assert all(run["ok"] for run in json.loads(result.stdout)["runs"])
    # The blocker really blocks: the dashboard needs Textual and cannot start (run as a
    # browser tab's, since without a terminal it would refuse before any import).
    dashboard = coremeter("--scale", str(TINY), env={**no_textual, "TEXTUAL_DRIVER": WEB_DRIVER})
    assert dashboard.returncode != 0 and "blocked by this test" in dashboard.stderr


def busy_grandchildren(pid: int, timeout: float = 20) -> list[int]:
    """Working workers: children of the fork server, itself a child of coremeter."""
    parent = psutil.Process(pid)

    def grandchildren() -> list[psutil.Process]:
        try:
            return [worker for child in parent.children() for worker in child.children()]
        except psutil.NoSuchProcess:
            return []  # the fork server's warm-up process, already gone

    return working(grandchildren, timeout=timeout)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_bench_cancels_cleanly_on_signals(sig: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "coremeter", "bench", "--scale", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pids = busy_grandchildren(proc.pid)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()  # a failed test must not leave a benchmark running
        proc.wait()
    assert proc.returncode == 128 + sig, err
    assert "cancelled" in err and "Traceback" not in err
    assert wait_gone(pids, timeout=1.0) == []


def test_bench_into_a_reader_that_leaves_ends_quietly() -> None:
    """`coremeter bench | head -1`: the reader closes the pipe after one line; bench
    ends like any program whose pipe broke, without a traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "coremeter", "bench", "--scale", str(TINY)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert "Traceback" not in err, err
    assert proc.returncode == 128 + signal.SIGPIPE, err


def test_options_before_the_subcommand_are_kept() -> None:
    result = coremeter("--scale", str(TINY), "--shape", "balanced", "bench", "--json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [(r["mode"], r["shape"], r["scale"]) for r in runs] == [
        ("sequential", "balanced", TINY),
        ("parallel", "balanced", TINY),
    ]


def test_compare_before_bench_counts_like_after_it(no_textual: dict[str, str]) -> None:
    result = coremeter("--mode", "compare", "bench", "--json", "--scale", str(TINY), env=no_textual)
    assert result.returncode == 0, result.stderr
    assert [r["mode"] for r in json.loads(result.stdout)["runs"]] == ["sequential", "parallel"]
    # The dashboard itself has no compare mode, however it is reached.
    for args in (["--mode", "compare"], ["--mode", "compare", "serve"]):
        refused = coremeter(*args, env=no_textual)
        assert refused.returncode == 2
        assert refused.stderr.startswith("coremeter: error: argument --mode: invalid choice: ")
        assert refused.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--theme", "dracula", "bench"], "--theme is for the dashboard, not for bench"),
        (["bench", "--theme", "nope"], "--theme is for the dashboard, not for bench"),
        (["--demo", "bench"], "--demo is for the dashboard, not for bench"),
        (["bench", "--autostart"], "--autostart is for the dashboard, not for bench"),
        (["--out", "x", "bench"], "--out is for the dashboard, not for bench"),
        (
            ["--demo", "bench", "--out", "x"],
            "--demo and --out are for the dashboard, not for bench",
        ),
    ],
)
def test_dashboard_options_with_bench_are_refused_wherever_given(
    args: list[str], message: str
) -> None:
    result = coremeter(*args, "--json", "--scale", str(TINY))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"coremeter: error: {message}\n"


@pytest.mark.parametrize(
    ("mode", "noted"),
    [("sequential", False), ("threads", False), ("parallel", True), ("compare", True)],
)
def test_the_one_core_note_only_when_a_parallel_run_happens(mode: str, noted: bool) -> None:
    result = coremeter("bench", "--mode", mode, "--cores", str(CORES[0]), "--scale", str(TINY))
    assert result.returncode == 0, result.stderr
    assert ("one core selected: parallel runs on it alone" in result.stderr) == noted


def summary_header() -> str:
    return summary([])


@pytest.mark.parametrize("columns", [None, "60"])
def test_the_machine_line_breaks_between_parts_to_fit(columns: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    width = int(columns or 80)  # 80 when stdout is not a terminal
    result = coremeter("bench", "--mode", "sequential", "--scale", str(TINY), env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    above = lines[: lines.index(summary_header())]
    assert all(len(line) <= width for line in above), above
    machine = above[: next(i for i, line in enumerate(above) if line.startswith("workload seed"))]
    expected = machine_line(Machine.detect(), CORES)
    if all(len(part) <= width for part in expected.split(" · ")):
        assert " · ".join(machine) == expected  # broken only at the separators
    # --json is for scripts: untouched, whatever the width.
    doc = json.loads(coremeter("bench", "--json", "--scale", str(TINY), env=env).stdout)
    assert doc["machine"]["usable_cores"] == CORES


def test_a_part_wider_than_the_terminal_breaks_between_words() -> None:
    line = "AMD EPYC · cores 0-15 of 0-15 usable, 16 logical, 8 physical · Python 3.13"
    assert fit_parts(line, 30).splitlines() == [
        "AMD EPYC",
        "cores 0-15 of 0-15 usable, 16",
        "logical, 8 physical",
        "Python 3.13",
    ]
    assert fit_parts(line, 200) == line
