"""The pacer spaces a run's frames by what they cost: fast while cheap, slower when a
frame costs more, never outside its bounds, and not thrown by one costly frame."""

from __future__ import annotations

from fakes import FakeClock

from coremeter.tui.pace import DRAW_BUDGET, Pacer

TICK_S = 0.1


def frames(pacer: Pacer, cpu: FakeClock, costs: list[float]) -> list[int]:
    """Draw a frame costing each of ``costs`` CPU seconds, then a tick without one; the
    pacer's spacing after each frame."""
    spacing = []
    for cost in costs:
        pacer.tick()
        pacer.drew()
        cpu.now += cost
        pacer.tick()
        spacing.append(pacer.every)
    return spacing


def pacer(cpu: FakeClock) -> Pacer:
    return Pacer(TICK_S, fastest=2, slowest=10, cpu=cpu)


def test_cheap_frames_draw_at_the_fastest_pace() -> None:
    cpu = FakeClock()
    assert frames(pacer(cpu), cpu, [0.001] * 5) == [2] * 5


def test_a_frame_costing_more_spaces_frames_to_stay_within_the_budget() -> None:
    cpu = FakeClock()
    paced = pacer(cpu)
    # 8 ms a frame: 3% of a core allows 3.75 frames a second, a frame every 3 ticks.
    assert frames(paced, cpu, [0.008] * 5)[-1] == 3
    assert 0.008 / (paced.every * TICK_S) <= DRAW_BUDGET
    # 40 ms (256 cores at 200x60): the slowest pace, a frame a second.
    assert frames(paced, cpu, [0.040] * 5)[-1] == 10


def test_one_costly_frame_does_not_slow_the_pace() -> None:
    cpu = FakeClock()
    assert frames(pacer(cpu), cpu, [0.001, 0.001, 0.2, 0.001, 0.001]) == [2, 2, 2, 2, 2]


def test_the_pace_comes_back_when_frames_get_cheaper() -> None:
    cpu = FakeClock()
    paced = pacer(cpu)
    frames(paced, cpu, [0.040] * 5)
    assert frames(paced, cpu, [0.001] * 5)[-1] == 2


def test_ticks_without_a_frame_cost_nothing_to_the_pace() -> None:
    """The CPU between a tick that did not draw and the next is not a frame's."""
    cpu = FakeClock()
    paced = pacer(cpu)
    for _ in range(20):
        paced.tick()
        cpu.now += 0.05
    assert paced.every == 2
