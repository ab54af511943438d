"""A user's ``FILE.py`` works as the same file imported as a module would: its own child
processes import it by name, its functions and classes pickle, and it imports the files
beside it. The misbehaving functions live in tests/hostile/."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from helpers import alive, bench

from coremeter.report import shortened
from coremeter.run import Run
from coremeter.runner import local_run
from coremeter.spec import RunSpec
from coremeter.userfunc import parse_spec
from coremeter.workload import WorkloadError

CORES = sorted(os.sched_getaffinity(0))
HOSTILE = Path(__file__).parent / "hostile"
# A pool started per item takes well under a second; a hang must fail, not stall the suite.
DEADLINE_S = 60


def finished(spec: RunSpec) -> Run:
    run = local_run(spec).start()
    if not run.wait(timeout=DEADLINE_S):
        run.kill_now()
        pytest.fail(f"still running after {DEADLINE_S} s: {run.state}")
    return run


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_a_file_maps_its_own_function_over_its_own_pool(method: str) -> None:
    func = parse_spec(f"{HOSTILE / 'own_pool.py'}:{method}", 2)
    run = finished(RunSpec.build("sequential", "seed", 1.0, CORES).with_workload(func))
    record = run.record()
    assert record.state == "done", record.reason
    # Items 0 and 1 each map Box(n), Box(n + 1) to their squares: 0+1 and 1+4.
    assert record.result == 6.0
    assert alive(run.pids) == []


def test_a_file_imports_the_files_beside_it(tmp_path: Path) -> None:
    (tmp_path / "helper_beside.py").write_text("def triple(n):\n    return 3 * n\n")
    (tmp_path / "uses_helper.py").write_text(
        "from helper_beside import triple\n\ndef f(n):\n    return triple(n)\n"
    )
    func = parse_spec(f"{tmp_path / 'uses_helper.py'}:f", 10)
    record = finished(RunSpec.build("parallel", "seed", 1.0, CORES).with_workload(func)).record()
    assert record.state == "done", record.reason
    assert record.result == float(sum(3 * n for n in range(10)))


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("my-work.py", "'my-work' is not a module name; rename the file"),
        ("class.py", "'class' is not a module name; rename the file"),
        ("json.py", "as 'json': /"),
        ("coremeter.py", "as 'coremeter': /"),
    ],
)
def test_a_file_whose_name_no_import_can_reach_is_one_line(
    tmp_path: Path, file: str, message: str
) -> None:
    (tmp_path / file).write_text("def f(n):\n    return n\n")
    with pytest.raises(WorkloadError) as refused:
        parse_spec(f"{file}:f", 3, cwd=str(tmp_path))
    text = str(refused.value)
    assert message in text and "\n" not in text
    if file in ("json.py", "coremeter.py"):
        assert "already has that name; rename the file" in text


def test_a_file_named_as_a_module_built_into_python_is_one_line(tmp_path: Path) -> None:
    name = next(n for n in sys.builtin_module_names if n not in sys.modules)
    (tmp_path / f"{name}.py").write_text("def f(n):\n    return n\n")
    with pytest.raises(WorkloadError) as refused:
        parse_spec(f"{name}.py:f", 3, cwd=str(tmp_path))
    assert str(refused.value).endswith(
        f"as {name!r}: an import of that name finds a module built into Python first; "
        "rename the file"
    )
    assert str(tmp_path) not in sys.path


def test_a_folder_named_like_a_file_is_called_a_folder(tmp_path: Path) -> None:
    (tmp_path / "x.py").mkdir()
    result = bench("--workload", "x.py:f", "--items", "3", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"coremeter: error: {tmp_path / 'x.py'} is a directory, not a Python file"
    ]


@pytest.mark.parametrize(
    ("func", "reason"),
    [
        ("instance", "instance(0) returned <returns_object.Cls object>, not a number"),
        ("no_repr", "no_repr(0) returned <returns_object.NoRepr object>, not a number"),
        (
            "long_text",
            "long_text(0) returned 'a sentence far longer than any message about a…, not a number",
        ),
        ("own_error", "own_error(0) raised returns_object.Oops: item 0 is not welcome"),
    ],
)
def test_a_message_names_the_users_objects_as_written(func: str, reason: str) -> None:
    spec = f"{HOSTILE / 'returns_object.py'}:{func}"
    run = finished(
        RunSpec.build("sequential", "seed", 1.0, CORES).with_workload(parse_spec(spec, 3))
    )
    assert run.state == "failed"
    assert run.reason.startswith("worker on ") and run.reason.endswith(f": {reason}")


def test_the_bench_maps_a_files_own_pool_to_its_result() -> None:
    """The reproduction as a user met it: the whole program, the pool's children and all."""
    result = bench(
        "--workload",
        f"{HOSTILE / 'own_pool.py'}:spawn",
        "--items",
        "2",
        "--json",
        timeout=DEADLINE_S,
    )
    assert result.returncode == 0, result.stderr
    [run] = [r for r in json.loads(result.stdout)["runs"] if r["mode"] == "parallel"]
    assert run["ok"] and run["result"] == 6.0


def test_a_value_is_shortened_after_a_whole_word() -> None:
    assert shortened("one two three", 13) == "one two three"
    assert shortened("one two three", 12) == "one two…"
    assert shortened("one two three", 8) == "one two…"
    assert shortened("onetwothree", 6) == "onetw…"
