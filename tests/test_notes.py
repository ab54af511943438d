"""Competition for a run's cores, read from their load just before it, ours taken out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import TINY, run_modes

from coremeter import notes
from coremeter.cores import Machine
from coremeter.notes import competition
from coremeter.report import machine_line
from coremeter.sampler import LoadHistory
from coremeter.session import Session


class Clock:
    """A clock the test moves; sleeping moves it too."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def history(clock: Clock, busy_per_s: dict[int, float], own_per_s: float = 0.0) -> LoadHistory:
    """A load history whose cores and own process have been busy at a steady rate."""
    return LoadHistory(
        busy=lambda: {core: rate * clock.now for core, rate in busy_per_s.items()},
        own=lambda: own_per_s * clock.now,
        clock=clock,
    )


def test_a_core_busy_with_another_program_gets_a_note_naming_it() -> None:
    clock = Clock()
    load = history(clock, {0: 0.05, 1: 0.97})
    for _ in range(20):
        load.read()
        clock.sleep(0.1)
    assert competition(load, [0, 1], []) == [
        "cpu1 was 97% busy before the run: another program competes for it"
    ]
    assert competition(load, [0], []) == []  # only the run's own cores count


def test_our_own_workers_and_process_are_not_competition() -> None:
    clock = Clock()
    load = history(clock, {0: 1.0, 1: 0.3}, own_per_s=0.1)
    for _ in range(20):
        load.read()
        clock.sleep(0.1)
    # Our worker kept cpu0 busy for the whole last second; 0.1 of cpu1's 0.3 was this
    # process itself (which could have run anywhere): 0.2 is too little to mention.
    ours = [(0, clock.now - 5.0, clock.now)]
    assert competition(load, [0, 1], ours) == []
    load = history(clock, {0: 1.0, 1: 0.3})
    for _ in range(20):
        load.read()
        clock.sleep(0.1)
    ours = [(0, clock.now - 5.0, clock.now)]
    assert competition(load, [0, 1], ours) == [
        "cpu1 was 30% busy before the run: another program competes for it"
    ]
    # An unpinned worker of ours could have been on either core: taken from both.
    unpinned = [(None, clock.now - 5.0, clock.now)]
    assert competition(load, [0, 1], unpinned) == []


def test_the_look_back_is_about_a_second() -> None:
    clock = Clock()
    rates = {0: 0.0}
    load = LoadHistory(busy=lambda: {0: rates[0]}, own=lambda: 0.0, clock=clock, every_s=0.05)
    load.read()
    for step in range(40):  # busy for 2 s, then idle for 2 s
        clock.sleep(0.1)
        rates[0] += 0.1 if step < 20 else 0.0
        load.read()
    seconds, busy = load.others([0], [])
    assert seconds == pytest.approx(1.0, abs=0.1) and busy == {0: 0.0}


def test_with_no_history_it_looks_for_a_fifth_of_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr(notes.time, "sleep", clock.sleep)
    load = history(clock, {0: 0.9})
    assert competition(load, [0], []) == [
        "cpu0 was 90% busy before the run: another program competes for it"
    ]
    assert clock.now == pytest.approx(100.0 + notes.LEAST_S)


def test_every_run_carries_its_notes_the_machine_caveats_included(machine: Machine) -> None:
    clock = Clock()
    quiet = history(clock, dict.fromkeys(machine.usable_cores, 0.0))
    core = machine.usable_cores[0]
    session = Session(machine, [core], "seed", TINY)
    session.load = quiet
    sequential, parallel = run_modes(session, ("sequential", "parallel"))
    assert sequential.notes == []
    assert parallel.notes == ["one core selected: parallel runs on it alone and cannot be faster"]
    assert sequential.to_json()["notes"] == []


def test_where_threads_cannot_be_pinned_a_threads_run_says_it_runs_unpinned(
    machine: Machine,
) -> None:
    """Windows pins whole processes only: threads run unpinned there, and say so."""
    windows = replace(machine, thread_affinity=False)
    session = Session(windows, windows.usable_cores, "seed", TINY)
    session.load = history(Clock(), dict.fromkeys(windows.usable_cores, 0.0))
    unpinned = "this platform pins whole processes only: threads run unpinned"
    threads, parallel = session.spec("threads"), session.spec("parallel")
    assert not threads.pinned and parallel.pinned
    assert unpinned in session.caveats(threads)
    assert unpinned not in session.caveats(parallel)
    assert "affinity per process" in machine_line(windows, windows.usable_cores)
