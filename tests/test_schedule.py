"""Longest first against the article's in-order Pool."""

from __future__ import annotations

import random

import pytest

from coremeter.schedule import bound, in_order, longest_first, makespan
from coremeter.workload import Task

SEED = [Task(0, 1), Task(1, 2), Task(2, 3)]


def test_seed_on_two_cores_longest_first_takes_three_units_in_order_four() -> None:
    assert makespan(longest_first(SEED, 2)) == 3
    assert makespan(in_order(SEED, 2)) == 4
    assert bound(longest_first(SEED, 2)) == 2.0
    assert bound(in_order(SEED, 2)) == 1.5


def test_longest_first_assignment_on_two_cores() -> None:
    lanes = longest_first(SEED, 2)
    assert [[t.id for t in lane] for lane in lanes] == [[2], [1, 0]]


@pytest.mark.parametrize(("lanes", "span"), [(1, 6), (3, 3), (16, 3)])
def test_seed_makespans(lanes: int, span: int) -> None:
    assert makespan(longest_first(SEED, lanes)) == span


def test_longest_first_assigns_every_task_within_grahams_bound() -> None:
    rng = random.Random(7)
    for _ in range(500):
        tasks = [Task(i, rng.randint(1, 100)) for i in range(rng.randint(1, 12))]
        lanes = rng.randint(1, 6)
        lpt = longest_first(tasks, lanes)
        assert sorted(t.id for lane in lpt for t in lane) == [t.id for t in tasks]
        # Graham's bound for LPT: within 4/3 of the optimum, which is >= total/lanes.
        assert (
            makespan(lpt)
            <= (4 / 3) * max(sum(t.size for t in tasks) / lanes, max(t.size for t in tasks)) + 1e-9
        )


def test_no_lanes_is_an_error() -> None:
    with pytest.raises(ValueError):
        longest_first(SEED, 0)


def test_each_task_goes_to_the_least_loaded_lane_the_lowest_numbered_on_a_tie() -> None:
    """The plan as a scan of every lane for each task makes it, for any sizes."""

    def scanned(ordered: list[Task], lanes: int) -> list[list[Task]]:
        plan: list[list[Task]] = [[] for _ in range(lanes)]
        loads = [0] * lanes
        for task in ordered:
            lane = loads.index(min(loads))
            plan[lane].append(task)
            loads[lane] += task.size
        return plan

    rng = random.Random(7)
    for _ in range(500):
        lanes = rng.randint(1, 12)
        count = rng.randint(1, 40)
        tasks = [Task(i, rng.choice([1, 2, 3, rng.randint(1, 99)])) for i in range(count)]
        assert in_order(tasks, lanes) == scanned(tasks, lanes)
        by_size = sorted(tasks, key=lambda t: (-t.size, t.id))
        assert longest_first(tasks, lanes) == scanned(by_size, lanes)
