"""Every workload on real pinned workers: its result, its check, its cores; a user's
function loaded from a file inside the workers, and each way it can fail."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from helpers import TINY, alive, assert_pinned, bench, threads_cores, wait_until_working

from coremeter.results import MODES, ResultsLog
from coremeter.run import Run
from coremeter.runner import local_run
from coremeter.spec import RunSpec
from coremeter.userfunc import UserFunction, parse_spec
from coremeter.workload import (
    BUILTINS,
    DIGESTS,
    WAIT_S,
    Hash,
    Io,
    Task,
    Workload,
    WorkloadError,
    hash_buffers,
    make_tasks,
)

CORES = sorted(os.sched_getaffinity(0))
# A tenth of a second or so per run of io and hash on these machines.
SMALL = {"seed": TINY, "io": 0.003, "hash": 0.002}

USER_CODE = '''
import os

def cube(n):
    return n ** 3

def where(n):
    """Appends the pid it runs in to a file beside this one: the workers load it."""
    with open(os.path.join(os.path.dirname(__file__), "pids.txt"), "a") as out:
        out.write(f"{os.getpid()}\\n")
    return n

def pid(n):
    return os.getpid()

def boom(n):
    if n == 7:
        raise ValueError("seven is not allowed")
    return n

def words(n):
    return "not a number" if n == 7 else n

def slow(n):
    x = 0
    for i in range(2_000_000):
        x += i
    return n

NOT_CALLABLE = 3
'''


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.py"
    path.write_text(USER_CODE)
    return path


def user(path: Path, func: str, items: int) -> UserFunction:
    return parse_spec(f"{path}:{func}", items)  # type: ignore[return-value]


def finished(spec: RunSpec, timeout: float = 60) -> Run:
    run = local_run(spec).start()
    assert run.wait(timeout=timeout)
    return run


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("workload", BUILTINS, ids=[w.name for w in BUILTINS])
def test_each_builtin_computes_its_exact_result_in_every_mode(workload, mode: str) -> None:
    spec = RunSpec.build(mode, "seed", SMALL[workload.name], CORES).with_workload(workload)
    record = finished(spec).record()
    assert record.state == "done", record.reason
    assert record.ok and record.workload == workload.name
    assert record.result == record.expected
    assert record.expected == sum(workload.expected(t) for t in spec.tasks)
    for task in record.tasks:
        assert task.done == task.size


def test_io_and_hash_count_what_they_did() -> None:
    # io: one wait per unit, counted; hash: one matching digest per buffer hashed.
    for workload in (Io(), Hash()):
        kernel = workload.prepare()
        counts = [0, 0]
        assert kernel(Task(1, 5, start=3), counts) == 5.0
        assert counts == [0, 5]


def test_hash_digests_are_the_known_sha256_values() -> None:
    buffers = hash_buffers()
    assert all(len(b) > 2047 for b in buffers)  # large enough for hashlib to drop the GIL
    assert [hashlib.sha256(b).hexdigest() for b in buffers] == list(DIGESTS)


def test_io_waits_without_using_its_core() -> None:
    spec = RunSpec.build("sequential", "seed", SMALL["io"], CORES).with_workload(Io())
    run = finished(spec)
    units = sum(t.size for t in spec.tasks)
    assert run.record().wall_s >= units * WAIT_S
    # The kernel's own CPU time, measured in this process: waits cost next to none.
    kernel, start = Io().prepare(), time.process_time()
    kernel(Task(0, 20), [0])
    assert time.process_time() - start < 20 * WAIT_S / 4


def check_pinned(mode: str, workload: Workload) -> None:
    """Midway through a long run: parallel, each worker process alone on its core;
    threads, one process whose threads are each pinned to a core (psutil and /proc)."""
    run = local_run(RunSpec.build(mode, "balanced", 5.0, CORES).with_workload(workload)).start()
    try:
        wait_until_working(run)
        if mode == "parallel":
            assert_pinned(run)
            assert sorted(core for core, _ in run.lanes) == CORES
        else:
            [pid] = run.pids
            assert {str(c) for c in CORES} <= threads_cores(pid)
    finally:
        run.cancel()
    assert alive(run.pids) == []


@pytest.mark.parametrize("mode", ["parallel", "threads"])
@pytest.mark.parametrize("workload", BUILTINS, ids=[w.name for w in BUILTINS])
def test_each_builtins_workers_are_pinned(workload: Workload, mode: str) -> None:
    if mode == "threads" and len(CORES) < 2:
        pytest.skip("needs two usable cores")
    check_pinned(mode, workload)


def test_a_user_function_is_split_by_the_shape() -> None:
    func = UserFunction("x.py:f", "f", 600, path="/x.py")
    seed = make_tasks("seed", 0.2, 2, func)
    assert [(t.start, t.size) for t in seed] == [(0, 100), (100, 200), (300, 300)]
    balanced = make_tasks("balanced", 0.2, 4, func)
    assert [(t.start, t.size) for t in balanced] == [(0, 150), (150, 150), (300, 150), (450, 150)]
    # Fewer items than parts: no empty task.
    assert [t.size for t in make_tasks("seed", 0.2, 2, UserFunction("x", "f", 2))] == [1, 1]


@pytest.mark.parametrize("mode", MODES)
def test_a_user_function_sums_over_every_item_in_every_mode(user_file: Path, mode: str) -> None:
    cube = user(user_file, "cube", 1000)
    log = ResultsLog()
    sequential = log.add(
        finished(RunSpec.build("sequential", "seed", 1.0, CORES).with_workload(cube)).record()
    )
    record = log.add(finished(RunSpec.build(mode, "seed", 1.0, CORES).with_workload(cube)).record())
    assert sequential.result == sequential.expected == float(sum(n**3 for n in range(1000)))
    assert record.state == "done" and record.ok, record.reason
    assert record.result == sequential.result
    assert [t.done for t in record.tasks] == [t.size for t in record.tasks]
    assert record.speedup is not None


def test_a_user_function_runs_in_the_pinned_workers(user_file: Path) -> None:
    where = user(user_file, "where", 60)
    run = finished(RunSpec.build("parallel", "seed", 1.0, CORES).with_workload(where))
    assert run.record().ok
    pids = [int(p) for p in (user_file.parent / "pids.txt").read_text().split()]
    assert len(pids) == 60
    assert set(pids) == set(run.pids)  # every worker ran it, and nothing else did
    assert os.getpid() not in pids


def test_a_user_functions_workers_are_pinned(user_file: Path) -> None:
    check_pinned("parallel", user(user_file, "slow", 10_000))


@pytest.mark.skipif(len(CORES) < 2, reason="needs two usable cores")
def test_a_sum_unlike_the_sequential_runs_fails_the_check(user_file: Path) -> None:
    # pid(n) returns the worker's pid: the sum depends on which process ran what.
    pid = user(user_file, "pid", 100)
    log = ResultsLog()
    sequential = log.add(
        finished(RunSpec.build("sequential", "seed", 1.0, CORES).with_workload(pid)).record()
    )
    parallel = log.add(
        finished(RunSpec.build("parallel", "seed", 1.0, CORES).with_workload(pid)).record()
    )
    assert sequential.ok
    assert parallel.state == "done"
    assert parallel.expected == sequential.result != parallel.result
    assert not parallel.ok and parallel.speedup is None


def test_a_sum_is_compared_only_within_its_workload(user_file: Path) -> None:
    log = ResultsLog()
    seed = log.add(finished(RunSpec.build("sequential", "seed", TINY, CORES)).record())
    cube = user(user_file, "cube", 100)
    parallel = log.add(
        finished(RunSpec.build("parallel", "seed", TINY, CORES).with_workload(cube)).record()
    )
    assert seed.ok and parallel.ok
    # No sequential run of this function yet: no speedup, no sum to compare with.
    assert parallel.speedup is None and parallel.expected is None


@pytest.mark.parametrize(
    ("func", "reason"),
    [
        ("boom", "boom(7) raised ValueError: seven is not allowed"),
        ("words", "words(7) returned 'not a number', not a number"),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_a_function_that_fails_fails_the_run_with_one_line(
    user_file: Path, func: str, reason: str, mode: str
) -> None:
    run = finished(RunSpec.build(mode, "seed", 1.0, CORES).with_workload(user(user_file, func, 20)))
    assert run.state == "failed"
    assert reason in run.reason and "\n" not in run.reason
    assert alive(run.pids) == []
    # The next run works.
    again = finished(
        RunSpec.build(mode, "seed", 1.0, CORES).with_workload(user(user_file, "cube", 20))
    )
    assert again.record().ok


def test_a_module_spec_loads_from_the_current_folder(tmp_path: Path) -> None:
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "work.py").write_text("def double(n):\n    return 2 * n\n")
    func = parse_spec("mypkg.work:double", 50, cwd=str(tmp_path))
    run = finished(RunSpec.build("parallel", "seed", 1.0, CORES).with_workload(func))
    assert run.record().result == float(sum(2 * n for n in range(50)))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("missing.py:f", "no such file: "),
        ("mine.py:nope", "mine.py has no 'nope'"),
        ("mine.py:NOT_CALLABLE", "mine.py:NOT_CALLABLE is not callable"),
        ("broken.py:f", "cannot import "),
        ("raises.py:f", "ZeroDivisionError: division by zero"),
        ("nosuchmodule.sub:f", "no module named 'nosuchmodule'"),
        ("mine.py", "invalid workload 'mine.py'"),
        ("mine.py:", "invalid workload 'mine.py:'"),
        ("mine.py:1x", "invalid workload 'mine.py:1x'"),
        ("a/b:f", "is neither a .py file nor a module name"),
    ],
)
def test_each_loading_error_is_one_line(user_file: Path, spec: str, message: str) -> None:
    (user_file.parent / "broken.py").write_text("import nosuchthing_here\n")
    (user_file.parent / "raises.py").write_text("x = 1 / 0\n")
    with pytest.raises(WorkloadError) as refused:
        parse_spec(spec, 10, cwd=str(user_file.parent))
    assert message in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "args",
    [
        ["--workload", "missing.py:f", "--items", "5"],
        ["--workload", "mine.py:nope", "--items", "5"],
        ["--workload", "mine.py:NOT_CALLABLE", "--items", "5"],
        ["--workload", "broken.py:f", "--items", "5"],
        ["--workload", "nosuchmodule:f", "--items", "5"],
        ["--workload", "mine.py", "--items", "5"],
        ["--workload", "mine.py:cube"],
        ["--workload", "mine.py:cube", "--items", "0"],
        ["--workload", "mine.py:cube", "--items", "-3"],
        ["--workload", "mine.py:cube", "--items", "2.5"],
        ["--workload", "hash", "--items", "5"],
        ["--workload", "io", "--mode", "sequential,fast"],
        ["--mode", "sequential,,threads"],
    ],
)
def test_bench_refuses_a_bad_workload_before_any_worker(user_file: Path, args: list[str]) -> None:
    (user_file.parent / "broken.py").write_text("import nosuchthing_here\n")
    result = bench(*args, cwd=user_file.parent)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coremeter: error: "), result.stderr


def test_bench_runs_a_list_of_modes_in_order_on_one_workload() -> None:
    result = bench("--workload", "io", "--mode", "sequential,threads", "--scale", "0.003", "--json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [(r["mode"], r["workload"], r["ok"]) for r in runs] == [
        ("sequential", "io", True),
        ("threads", "io", True),
    ]
    assert runs[1]["speedup"] is not None


def test_bench_runs_a_user_function_in_every_mode_with_one_sum(user_file: Path) -> None:
    args = ["--workload", "mine.py:cube", "--items", "3000", "--mode", "compare,threads"]
    result = bench(*args, "--json", cwd=user_file.parent)
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [r["mode"] for r in runs] == ["sequential", "parallel", "threads"]
    assert {r["result"] for r in runs} == {float(sum(n**3 for n in range(3000)))}
    assert all(r["ok"] and r["workload"] == "mine.py:cube" for r in runs)
    shown = bench(*args, cwd=user_file.parent)
    assert "workload mine.py:cube" in shown.stdout
    assert shown.stdout.count(" ok") == 3


def test_bench_fails_with_the_functions_one_line(user_file: Path) -> None:
    result = bench(
        "--workload", "mine.py:boom", "--items", "20", "--mode", "parallel", cwd=user_file.parent
    )
    assert result.returncode == 1
    assert "boom(7) raised ValueError: seven is not allowed" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_bench_says_when_a_sum_had_nothing_to_be_checked_against(user_file: Path) -> None:
    result = bench(
        "--workload", "mine.py:cube", "--items", "100", "--mode", "parallel", cwd=user_file.parent
    )
    assert result.returncode == 0, result.stderr
    assert "ok, no sequential sum to check" in result.stdout
