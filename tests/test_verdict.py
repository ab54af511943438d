"""A verdict on every speedup, against a scripted noisy baseline: a baseline that met a
slow spell, a speedup past the core count, another program on a core. Each says in
words why the speedup cannot be trusted, the same in the bench summary, JSON and CSV."""

from __future__ import annotations

from dataclasses import replace

from fakes import machine, record

from coremeter.bench import summary
from coremeter.export import csv_rows, document
from coremeter.report import verdict_text
from coremeter.results import ResultsLog, RunRecord
from coremeter.verdict import judge

SEQ_TASKS = [(0, 1, 0, 0.0, 1.0), (1, 2, 0, 1.0, 3.0), (2, 3, 0, 3.0, 6.0)]
PAR_TASKS = [(0, 1, 1, 2.0, 3.0), (1, 2, 1, 0.0, 2.0), (2, 3, 0, 0.0, 3.0)]
COMPETES = "cpu1 was 90% busy before the run: another program competes for it"


def sequential(wall_s: float, speed: float) -> RunRecord:
    """A sequential run whose one core ran ``speed`` units of work per second."""
    return replace(record("sequential", SEQ_TASKS, wall_s, bound=1.0), critical_speed=speed)


def parallel(wall_s: float, speed: float, mode: str = "parallel") -> RunRecord:
    return replace(record(mode, PAR_TASKS, wall_s), critical_speed=speed)


def compared(baseline: RunRecord, run: RunRecord) -> RunRecord:
    log = ResultsLog()
    log.add(baseline)
    return log.add(run)


def test_a_quiet_pair_is_comparable_with_its_baseline() -> None:
    run = compared(sequential(6.1, 1.0), parallel(3.2, 1.0))
    assert run.verdict is not None and run.verdict.comparable
    assert verdict_text(run.verdict) == "comparable with run 1"


def test_a_baseline_at_half_speed_is_not_comparable_and_says_why() -> None:
    # The sequential run met a slow spell: its core did half the work per second.
    run = compared(sequential(12.2, 0.5), parallel(4.1, 1.0))
    assert run.speedup is not None and run.speedup > 2
    assert run.verdict is not None and not run.verdict.comparable
    assert verdict_text(run.verdict) == (
        "not comparable: the cores ran at 200% of the baseline's speed: the"
        " baseline met a slow spell; 2.98x is more than 2 cores can give: rerun sequential"
    )


def test_threads_at_twice_the_baselines_speed_name_the_speed_not_the_gil() -> None:
    # Seen: "threads 2.01x = 2 cores × 50% balance × 201% core speed" with the GIL on.
    run = compared(sequential(6.0, 0.5), replace(parallel(3.05, 1.0, "threads"), bound=1.0))
    assert run.verdict is not None and run.verdict.causes == ("fast cores",)
    assert verdict_text(run.verdict, rerun=lambda mode: mode[0]).endswith(
        "the baseline met a slow spell: rerun s"
    )


def test_a_run_slower_than_the_band_points_at_the_run() -> None:
    run = compared(sequential(6.1, 1.0), parallel(5.0, 0.6))
    assert run.verdict is not None and run.verdict.causes == ("slow cores",)
    assert verdict_text(run.verdict).endswith("this run met a slow spell: rerun parallel")


def test_competition_on_either_run_spoils_the_comparison() -> None:
    run = compared(sequential(6.1, 1.0), replace(parallel(3.2, 1.0), competition=[COMPETES]))
    assert run.verdict is not None
    assert verdict_text(run.verdict).endswith(
        "another program competed for this run's cores: rerun parallel"
    )
    base = replace(sequential(6.1, 1.0), competition=[COMPETES])
    run = compared(base, parallel(3.2, 1.0))
    assert run.verdict is not None
    assert verdict_text(run.verdict).endswith(
        "another program competed for the baseline's cores: rerun sequential"
    )


def test_competition_on_both_runs_is_said_once() -> None:
    base = replace(sequential(6.1, 1.0), competition=[COMPETES])
    run = compared(base, replace(parallel(3.2, 1.0), competition=[COMPETES]))
    assert run.verdict is not None
    assert verdict_text(run.verdict) == (
        "not comparable: another program competed for both runs' cores: rerun sequential"
        " and parallel"
    )


def test_a_baseline_of_other_work_is_not_comparable() -> None:
    base = sequential(6.1, 1.0)
    run = compared(base, parallel(3.2, 1.0))
    balanced = replace(base, shape="balanced")
    verdict = judge(run, balanced)
    assert verdict.causes == ("other work",)
    assert "its baseline ran other work" in verdict_text(verdict)


def test_a_sequential_run_or_one_without_baseline_has_no_verdict() -> None:
    log = ResultsLog()
    assert log.add(parallel(3.2, 1.0)).verdict is None
    assert log.add(sequential(6.1, 1.0)).verdict is None


def test_bench_summary_json_and_csv_carry_the_same_verdict() -> None:
    base, run = sequential(12.2, 0.5), parallel(4.1, 1.0)
    compared(base, run)
    assert run.verdict is not None
    words = verdict_text(run.verdict)
    lines = summary([base, run]).splitlines()
    assert lines[-1].strip() == words
    assert "what the parallelism gave: " in lines[-2]
    runs = document([base, run], machine())["runs"]
    assert runs[0]["verdict"] is None
    assert runs[1]["verdict"] == {
        "comparable": False,
        "reason": words.removeprefix("not comparable: "),
        "baseline": 1,
    }
    rows = csv_rows([base, run])
    assert rows[0]["comparable"] == "" and rows[-1]["comparable"] == "false"
    assert rows[-1]["comparable_reason"] == runs[1]["verdict"]["reason"]
