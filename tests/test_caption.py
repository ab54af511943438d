"""The caption the tool writes and the panel's truth: what the room reads beside the
pictures, from the runs themselves (real tiny runs, or frozen ones for exact words)."""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Awaitable, Callable

from fakes import FrozenRun, fake_sampler, machine, record
from helpers import TINY
from textual.pilot import Pilot

from coremeter.cores import Machine
from coremeter.options import DashboardOptions
from coremeter.runner import Run
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.caption import IDLE_CAPTION, ended, load, running, with_story
from coremeter.tui.widgets.caption import Caption
from coremeter.tui.widgets.run_panel import RunPanel

SEQUENTIAL = record("sequential", [(0, 1, 0, 0.0, 1.2), (1, 2, 0, 1.2, 3.7)], 3.7, speedup=1.0)


def test_a_core_counts_as_busy_above_half_and_the_total_adds_their_shares() -> None:
    now = load([100.0, 51.0, 50.0, 0.0])
    assert (now.busy, now.cores) == (2, 4) and math.isclose(now.total, 2.01)


def test_the_running_caption_counts_busy_cores_and_threads_name_the_gil() -> None:
    assert running("parallel", 2, load([100, 97]), 1.42, gil=True) == (
        "parallel · 2 of 2 cores busy · 1.4 s"
    )
    assert running("sequential", 1, load([99]), 0.5, gil=True) == (
        "sequential · 1 of 1 core busy · 0.5 s"
    )
    assert running("threads", 2, load([52, 48]), 3.0, gil=True) == (
        "threads: 2 threads, 1.0 of 2 cores busy: the GIL runs one thread at a time"
    )
    # Without the GIL threads are counted like processes.
    assert running("threads", 2, load([99, 98]), 3.0, gil=False).startswith("threads · 2 of 2")


def test_the_ended_caption_says_what_the_run_gained_against_its_bound() -> None:
    parallel = record("parallel", [(0, 1, 1, 0.0, 1.2), (1, 2, 0, 0.0, 1.9)], 1.92)
    assert ended(parallel, 1.93, gil=True) == "parallel took 1.92 s: 1.93x sequential (bound 2.00x)"
    threads = record("threads", [(0, 1, 1, 0.0, 3.5), (1, 2, 0, 0.0, 3.9)], 3.96)
    assert ended(threads, 0.93, gil=True).endswith(": the GIL ran one thread at a time")
    assert ended(SEQUENTIAL, 1.0, gil=True).startswith("sequential took 3.70 s on one core")
    assert "no sequential run of seed×0.2" in ended(parallel, None, gil=True)
    cancelled = record("parallel", [(0, 1, 1, 0.0, None)], 0.4, state="cancelled",
                       reason="cancelled: sequential was started")  # fmt: skip
    assert ended(cancelled, None, gil=True) == (
        "parallel cancelled at 0.40 s: sequential was started"
    )


def test_a_story_goes_in_front_of_the_caption() -> None:
    assert with_story("step 2 of 4", "parallel took 1 s") == "step 2 of 4 · parallel took 1 s"
    assert with_story(None, IDLE_CAPTION) == IDLE_CAPTION


# -- on screen ---------------------------------------------------------------------


def drive(app: Dashboard, script: Callable[[Pilot], Awaitable[None]]) -> None:
    async def main() -> None:
        async with app.run_test(size=(120, 35)) as pilot:
            await script(pilot)

    asyncio.run(main())


async def until(pilot: Pilot, condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the dashboard"
        await pilot.pause(0.05)


def caption(app: Dashboard) -> str:
    return app.query_one(Caption).text


def panel(app: Dashboard) -> str:
    return str(app.query_one(RunPanel).query_one("#status").render())


def frozen(percents: list[float], seconds: float = 2.5) -> Dashboard:
    box = machine()
    return create_app(
        box,
        box.usable_cores,
        DashboardOptions(scale=0.2),
        sampler=fake_sampler(percents),
        clock=lambda run: seconds,
    )


def test_mid_run_the_caption_reads_the_meters_and_the_gauge_sums_them() -> None:
    app = frozen([52.0, 48.0])

    async def script(pilot: Pilot) -> None:
        app.session.mode = "threads"
        app.session.run = FrozenRun(app.session.spec("threads"), {1: (0.3, 0.0, None)})
        await until(pilot, lambda: caption(app).startswith("threads: 2 threads"))
        assert caption(app).endswith("1.0 of 2 cores busy: the GIL runs one thread at a time")
        gauge = "".join(s.text for s in app.query_one(Caption).row_segments(1, 100))
        assert gauge.endswith(" 1.0 / 2.0")
        assert "threads · seed×0.2 · cores 0-1" in panel(app) and "running" in panel(app)

    drive(app, script)


def test_the_demo_can_tell_its_step_in_the_caption() -> None:
    app = frozen([0.0, 0.0])

    async def script(pilot: Pilot) -> None:
        app.say("1 of 4: sequential, one core")
        assert caption(app) == f"1 of 4: sequential, one core · {IDLE_CAPTION}"
        app.say(None)
        assert caption(app) == IDLE_CAPTION

    drive(app, script)


def test_at_scale_1_the_articles_result_shows_with_its_check() -> None:
    box = machine()
    app = create_app(box, box.usable_cores, DashboardOptions(scale=1.0),
                     sampler=fake_sampler([0.0, 0.0]), clock=Run.elapsed)  # fmt: skip

    async def script(pilot: Pilot) -> None:
        spec = app.session.spec("sequential")
        run = FrozenRun(spec, {t.id: (1.0, 0.0, 1.0 + t.id) for t in spec.tasks})
        run.state, run.stopped_at = "done", 3.0
        for task in spec.tasks:
            run.results[task.id] = (task.size - 1) * task.size / 2
        app.session.run = run
        await until(pilot, lambda: "result" in caption(app))
        assert caption(app).endswith("result 6.99999997e+16 ✓ as in the article")

    drive(app, script)


def test_the_panel_shows_the_runs_own_settings_and_the_next_ones_apart(machine: Machine) -> None:
    """The rehearsal's false line: after b and -, the panel read the next run's settings
    beside the last run's time. Sequential also claimed both cores."""
    app = create_app(machine, machine.usable_cores, DashboardOptions(scale=TINY))
    first = machine.usable_cores[0]

    async def script(pilot: Pilot) -> None:
        assert "next run: sequential · seed×0.002 · core " in panel(app)
        await pilot.press("s")
        await until(pilot, lambda: len(app.session.log.runs) == 1)
        await until(pilot, lambda: "done" in panel(app))
        assert f"sequential · seed×0.002 · core {first}" in panel(app)
        assert "next run" not in panel(app)
        assert re.fullmatch(r"sequential took \d+\.\d\d s on one core: .*", caption(app))
        await pilot.press("b", "minus")
        await until(pilot, lambda: "next run" in panel(app))
        lines = panel(app).splitlines()
        assert lines[0] == f"sequential · seed×0.002 · core {first}"
        assert lines[-1] == "next run: sequential · balanced×0.001 · core " + str(first)
        # The time beside them is still the sequential run's own.
        assert app.query_one("#timer").value == f"{app.session.log.runs[0].wall_s:.2f}"
        await pilot.press("p")
        await until(pilot, lambda: len(app.session.log.runs) == 2)
        await until(pilot, lambda: caption(app).startswith("parallel took"))
        assert "no sequential run of balanced×0.001" in caption(app)
        assert panel(app).splitlines()[0].startswith("parallel · balanced×0.001 · cores")

    drive(app, script)
