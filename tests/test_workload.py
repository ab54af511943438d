"""The instrumented kernel computes exactly what the article's loop computes."""

from __future__ import annotations

import math

import pytest

from coremeter.workload import (
    MAX_SCALE,
    SEED_RANGES,
    WorkloadError,
    check_scale,
    counted_loop,
    expected_result,
    make_tasks,
    seed_loop,
    total_result,
)


@pytest.mark.parametrize("r", [1, 2, 3, 999, 1000, 1001, 12_345])
@pytest.mark.parametrize("chunk", [1, 7, 1000, 1_000_000])
def test_counted_loop_is_bit_identical_to_the_seed(r: int, chunk: int) -> None:
    counts = [0]
    assert counted_loop(r, counts, 0, chunk) == seed_loop(r) == expected_result(r)
    assert counts[0] == r


def test_counts_progress_after_each_chunk() -> None:
    class Recorder(list):
        def __setitem__(self, index, value):
            self.append(value)

    seen = Recorder()
    counted_loop(25, seen, 0, chunk=10)
    assert seen == [10, 20, 25]


def test_zero_iterations_fail_like_the_seed() -> None:
    with pytest.raises(UnboundLocalError):
        seed_loop(0)
    with pytest.raises(UnboundLocalError):
        counted_loop(0, [0], 0)


def test_the_formula_matches_the_seeds_printed_result() -> None:
    # The article prints "Result: 6.99999997e+16" for its three ranges.
    assert f"{total_result([expected_result(r) for r in SEED_RANGES]):.8e}" == "6.99999997e+16"
    # Exact for large sizes too: (r-1)*r is an int before the one rounding division.
    r = 300_000_000
    assert expected_result(r) == float((r - 1) * r) / 2


def test_seed_shape_at_scale_one_is_the_article_exactly() -> None:
    assert [t.size for t in make_tasks("seed", 1.0, 2)] == list(SEED_RANGES)
    assert [t.size for t in make_tasks("seed", 0.5, 16)] == [50_000_000, 100_000_000, 150_000_000]


@pytest.mark.parametrize("n_cores", [1, 2, 3, 7, 16, 256])
def test_balanced_splits_the_same_work_evenly(n_cores: int) -> None:
    seed_total = sum(t.size for t in make_tasks("seed", 0.2, n_cores))
    tasks = make_tasks("balanced", 0.2, n_cores)
    assert len(tasks) == n_cores
    assert sum(t.size for t in tasks) == seed_total
    assert max(t.size for t in tasks) - min(t.size for t in tasks) <= 1


@pytest.mark.parametrize("scale", [0, -1, math.nan, math.inf, MAX_SCALE * 2])
def test_bad_scales_are_refused(scale: float) -> None:
    with pytest.raises(WorkloadError):
        make_tasks("seed", scale, 2)


def test_unknown_shape_is_refused() -> None:
    with pytest.raises(WorkloadError, match="unknown shape"):
        make_tasks("triangle", 1.0, 2)


def test_tiny_scales_still_give_every_task_work() -> None:
    assert all(t.size >= 1 for t in make_tasks("seed", 1e-9, 2))


@pytest.mark.parametrize(
    ("scale", "shown"),
    [(100.0000001, "100.0000001"), (100.00000000000001, "100.00000000000001"), (101.0, "101")],
)
def test_a_scale_just_above_the_limit_is_shown_as_given(scale: float, shown: str) -> None:
    with pytest.raises(WorkloadError) as refused:
        check_scale(scale)
    assert str(refused.value) == (
        f"scale {shown} is above the limit of 100 (about an hour sequential)"
    )


def test_scale_messages_show_the_text_given() -> None:
    with pytest.raises(WorkloadError, match=r"^scale 1e400 is above the limit"):
        check_scale(math.inf, "1e400")
    with pytest.raises(WorkloadError, match=r"^invalid scale -0: must be a number above 0$"):
        check_scale(-0.0, "-0")
