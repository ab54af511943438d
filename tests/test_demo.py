"""The demo autopilot's story, step by step, without a screen: each picture is held for
its pause, measured from when the run ended; each step says what the room is watching;
a lap forgets the previous lap's runs; a run that cannot start ends the demo."""

from __future__ import annotations

from dataclasses import replace

from fakes import FakeClock, FakeHost

from coremeter.options import DemoPauses
from coremeter.spec import RunSpec
from coremeter.tui.demo import Autopilot, run_text
from coremeter.workload import Hash

PAUSES = DemoPauses(after_run=3.0, comparison=10.0)


def pilot_for(host: FakeHost, clock: FakeClock) -> Autopilot:
    return Autopilot(host, host.log, PAUSES, clock)


def finish(
    pilot: Autopilot, host: FakeHost, clock: FakeClock, wall_s: float, speed: float | None = None
) -> None:
    """End the run in progress (its critical lane at ``speed`` units/s) and hold its
    picture for the pause."""
    host.end_run(wall_s, speed)
    assert pilot.advance()
    clock.now += PAUSES.after_run
    assert pilot.advance()


def test_the_story_is_sequential_parallel_threads_then_the_summary_and_again() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = pilot_for(host, clock)
    assert pilot.begin()
    assert host.calls == ["tasks", "sequential"]
    clock.now = 60.0  # a long run: the pause starts when it ends, not when it started
    assert pilot.advance() and host.calls == ["tasks", "sequential"]
    host.end_run(6.0)
    assert pilot.advance()
    clock.now = 62.9
    assert pilot.advance() and host.calls == ["tasks", "sequential"]
    clock.now = 63.0
    assert pilot.advance() and host.calls[-1] == "parallel"
    finish(pilot, host, clock, 3.0)
    assert host.calls[-1] == "threads"
    finish(pilot, host, clock, 6.0)
    assert host.calls[-1] == "charts"
    assert pilot.step is not None and pilot.step.stage == "summary"
    clock.now += PAUSES.comparison - 0.1
    assert pilot.advance() and host.calls[-1] == "charts"
    clock.now += 0.1
    assert pilot.advance()
    assert host.calls[-2:] == ["tasks", "sequential"]


def test_each_step_says_what_the_room_is_watching() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = pilot_for(host, clock)
    pilot.begin()
    for wall_s in (6.0, 3.0, 6.0):
        finish(pilot, host, clock, wall_s)
    assert [step.stage for step in host.steps] == ["sequential", "parallel", "threads", "summary"]
    assert [step.text for step in host.steps] == [
        "sequential: one core runs all 3 tasks, one after another",
        "parallel: 2 workers, one process pinned to each core, share the 3 tasks",
        "threads: 2 threads in one process; the GIL lets one thread run Python at a time",
        # The lap's own figures, against its sequential run.
        "summary: parallel 2.00x sequential, threads 1.00x: under the GIL, threads take turns",
    ]
    assert pilot.step == host.steps[-1]


def test_the_words_follow_the_run_the_work_and_the_python() -> None:
    one_core = RunSpec.build("parallel", "seed", 0.2, [3])
    assert run_text(one_core).startswith("parallel: 1 worker, ")
    balanced = replace(RunSpec.build("threads", "balanced", 0.2, [0, 1, 2, 3]), gil=False)
    assert run_text(balanced) == (
        "threads: 4 threads in one process, and no GIL: they use 4 cores at once"
    )
    hashing = replace(balanced, gil=True).with_workload(Hash())  # C code that lets go of the GIL
    assert run_text(hashing).endswith("this work releases the GIL: 4 cores at once")
    assert "one core runs all 4 tasks" in run_text(
        RunSpec.build("sequential", "balanced", 0.2, [0, 1, 2, 3])
    )
    host, clock = FakeHost(gil=False), FakeClock()
    pilot = pilot_for(host, clock)
    pilot.begin()
    for wall_s in (6.0, 3.0, 3.0):
        finish(pilot, host, clock, wall_s)
    assert host.steps[-1].text.endswith("threads 2.00x: nothing held the threads to one core")


def test_a_lap_replaces_the_previous_lap_once_complete_but_not_the_runs_before_the_demo() -> None:
    host, clock = FakeHost(), FakeClock()
    host.start_mode("parallel")
    host.end_run(3.0)  # the presenter's own run, before the demo
    pilot = pilot_for(host, clock)
    pilot.begin()
    for lap in range(3):
        for wall_s in (6.0, 3.0, 6.0):
            finish(pilot, host, clock, wall_s)
        numbers = [number for number, _ in host.log.numbered()]
        assert numbers == [1, 2 + 3 * lap, 3 + 3 * lap, 4 + 3 * lap]
        clock.now += PAUSES.comparison
        assert pilot.advance()  # the next lap starts: the last whole lap stays meanwhile
        assert [number for number, _ in host.log.numbered()] == numbers
    assert [r.mode for r in host.log.runs] == ["parallel", "sequential", "parallel", "threads"]


def test_stopping_mid_lap_keeps_the_last_whole_lap() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = pilot_for(host, clock)
    pilot.begin()
    for wall_s in (6.0, 3.0, 6.0):
        finish(pilot, host, clock, wall_s)
    clock.now += PAUSES.comparison
    assert pilot.advance()
    finish(pilot, host, clock, 6.0)  # the second lap's sequential run, then stopped
    modes = [record.mode for record in host.log.runs]
    assert modes == ["sequential", "parallel", "threads", "sequential"]


def noisy_lap(pilot: Autopilot, host: FakeHost, clock: FakeClock, baseline_speed: float) -> None:
    """A lap whose sequential runs meet a slow spell (``baseline_speed`` units/s against
    the parallel runs' 1.0): parallel reads 2.93x on 2 cores, core speed 1/baseline."""
    pilot.begin()
    while pilot.step is not None and pilot.step.stage != "summary":
        sequential = pilot.step.stage == "sequential"
        wall_s = 6.0 if sequential else 6.0 / 2.93
        host.end_run(wall_s, speed=baseline_speed if sequential else 1.0)
        assert pilot.advance()
        clock.now += PAUSES.after_run
        assert pilot.advance()


def test_a_spoiled_comparison_is_measured_again_then_the_lap_says_the_machine_is_too_busy() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = pilot_for(host, clock)
    noisy_lap(pilot, host, clock, baseline_speed=0.5)
    # Parallel measured again twice, each time baseline first.
    modes = [call for call in host.calls if call not in ("tasks", "charts")]
    assert modes[:6] == [
        "sequential",
        "parallel",
        "sequential",
        "parallel",
        "sequential",
        "parallel",
    ]
    again = [step.text for step in host.steps if step.text.startswith("again")]
    assert again and all("could not be trusted" in text for text in again)
    summary = host.steps[-1].text
    assert summary.startswith("summary: the machine is too busy to show the lesson: parallel 2.93x")
    assert "the cores ran at 200% of the baseline's speed: the baseline met a slow spell" in summary
    assert "2.93x is more than 2 cores can give" in summary
    assert "parallel 2.93x sequential" not in summary and "under the GIL" not in summary


def test_a_comparison_clean_once_measured_again_tells_the_lesson_with_its_own_numbers() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = pilot_for(host, clock)
    pilot.begin()
    finish(pilot, host, clock, 6.0, speed=0.5)  # the baseline meets a slow spell
    finish(pilot, host, clock, 6.0 / 2.93, speed=1.0)  # 2.93x on 2 cores
    assert host.steps[-1].text.startswith("again, the last comparison could not be trusted")
    assert host.steps[-1].stage == "sequential"
    for wall_s in (6.0, 3.2, 6.0):  # a quiet machine again
        finish(pilot, host, clock, wall_s, speed=1.0)
    assert host.steps[-1].text == (
        "summary: parallel 1.88x sequential, threads 1.00x: under the GIL, threads take turns"
    )


def test_competition_for_the_cores_is_measured_again_and_named() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = pilot_for(host, clock)
    pilot.begin()
    busy = ("cpu1 was 90% busy before the run: another program competes for it",)
    while pilot.step is not None and pilot.step.stage != "summary":
        host.end_run(6.0 if pilot.step.stage == "sequential" else 3.0, competition=busy)
        assert pilot.advance()
        clock.now += PAUSES.after_run
        assert pilot.advance()
    assert "another program competed for both runs' cores" in host.steps[-1].text
    assert host.calls.count("sequential") == 5  # the first, then twice for each comparison


def test_a_run_that_cannot_start_ends_the_demo() -> None:
    host, clock = FakeHost(fail="threads"), FakeClock()
    pilot = pilot_for(host, clock)
    assert pilot.begin()
    finish(pilot, host, clock, 6.0)
    host.end_run(3.0)
    assert pilot.advance()
    clock.now += PAUSES.after_run
    assert not pilot.advance()
    assert host.calls == ["tasks", "sequential", "parallel", "threads"]
    assert not pilot_for(FakeHost(fail="sequential"), clock).begin()
