"""The demo autopilot's story, step by step, without a screen: each picture is held for
its pause, measured from when the run ended, and a run that cannot start ends the demo."""

from __future__ import annotations

from fakes import FakeClock, FakeHost

from coremeter.options import DemoPauses
from coremeter.tui.demo import Autopilot

PAUSES = DemoPauses(after_run=3.0, comparison=10.0)


def test_the_story_is_sequential_parallel_then_the_comparison_and_again() -> None:
    host, clock = FakeHost(), FakeClock()
    pilot = Autopilot(host, PAUSES, clock)
    assert pilot.begin()
    assert host.calls == ["tasks", "sequential"]
    clock.now = 60.0  # a long run: the pause starts when it ends, not when it started
    assert pilot.advance() and host.calls == ["tasks", "sequential"]
    host.end_run()
    assert pilot.advance()
    clock.now = 62.9
    assert pilot.advance() and host.calls == ["tasks", "sequential"]
    clock.now = 63.0
    assert pilot.advance() and host.calls[-1] == "parallel"
    host.end_run()
    assert pilot.advance()
    clock.now = 66.0
    assert pilot.advance() and host.calls[-1] == "charts"
    clock.now = 75.9
    assert pilot.advance() and host.calls[-1] == "charts"
    clock.now = 76.0
    assert pilot.advance()
    assert host.calls[-2:] == ["tasks", "sequential"]


def test_a_run_that_cannot_start_ends_the_demo() -> None:
    host, clock = FakeHost(fail="parallel"), FakeClock()
    pilot = Autopilot(host, PAUSES, clock)
    assert pilot.begin()
    host.end_run()
    assert pilot.advance()
    clock.now = 3.0
    assert not pilot.advance()
    assert host.calls == ["tasks", "sequential", "parallel"]
    assert not Autopilot(FakeHost(fail="sequential"), PAUSES, clock).begin()
