"""Replay: a recording played back through the live engine and the same dashboard code,
in-process with a clock the test moves, so that what is on screen is known exactly."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from fakes import machine as fake_machine
from fakes import settle
from helpers import drive, toasts, until
from textual.pilot import Pilot
from textual.widget import Widget

from coremeter.cores import Machine
from coremeter.export import run_json
from coremeter.options import DashboardOptions
from coremeter.recording import Recording, load, save
from coremeter.replay import SLOWEST, Player, ReplayError, ReplayRun, logged
from coremeter.sampler import CpuSampler
from coremeter.synthetic import synthetic
from coremeter.tui.app import Dashboard, create_app
from coremeter.tui.layout.beside import Beside, beside_speedups, beside_timeline
from coremeter.tui.layout.rows import Axis, Header, Note
from coremeter.tui.replay import ReplayDashboard, create_replay
from coremeter.tui.widgets.charts import SpeedupChart, Timeline
from coremeter.tui.widgets.meters import CoreMeters
from coremeter.tui.widgets.tasks import TaskBars

# About 1.5 s of parallel work on 2 cores: a capture at its fifth tick is mid-run even
# when a loaded machine makes the ticks lag (at 0.05, CI saw a lane already done).
SCALE = 0.1
SIZES = [(40, 12), (80, 24), (120, 35), (200, 60)]


class Clock:
    """A clock that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def text(widget: Widget) -> list[str]:
    """What a Line API widget shows, row by row, without trailing blanks."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def small() -> Recording:
    """Four made-up cores, one parallel run of one second."""
    return synthetic(cores=4, seconds=1.0)


# -- the engine --------------------------------------------------------------------


def test_a_replayed_run_follows_its_clock_and_ends_as_recorded() -> None:
    clock = Clock()
    recorded = small().runs[0]
    run = ReplayRun(recorded, clock).start()
    assert run.running and run.elapsed() == 0.0
    assert all(t.start_s is None and t.done == 0 for t in run.tasks())
    clock.now = 0.5
    assert not run.poll()
    tasks = run.tasks()
    tick = run.tick()
    assert recorded.samples.t[tick] <= 0.5 < recorded.samples.t[tick + 1]
    assert [t.done for t in tasks] == [recorded.samples.done[t.id][tick] for t in tasks]
    assert all(t.start_s == 0.01 and t.end_s is None for t in tasks)
    live = run.record()
    assert live.state == "running" and live.wall_s == 0.5 and live.mode == "parallel"
    clock.now = 1.0
    assert run.poll() and run.state == "done"
    assert run.record() == recorded.run_record()
    assert run.elapsed() == recorded.run_record().wall_s


def test_speed_changes_play_on_from_where_the_run_is() -> None:
    clock = Clock()
    player = Player(small(), clock)
    run = player.launch(player.first_spec()).start()
    clock.now = 0.2
    assert player.set_speed(2) == 2
    clock.now = 0.3
    assert run.elapsed() == pytest.approx(0.4)
    for _ in range(20):
        player.set_speed(0.5)
    assert player.speed == SLOWEST
    run.cancel("cancelled with escape")
    stopped = run.elapsed()
    clock.now = 5.0
    assert run.elapsed() == stopped and run.state == "cancelled"
    assert run.record().state == "cancelled" and run.workers() == [] and run.lane_pids() == []


def test_the_sampler_reads_what_was_recorded_at_the_replays_time() -> None:
    clock = Clock()
    recording = small()
    player = Player(recording, clock)
    source = player.source([0, 1, 2, 3, 4])
    assert source.read() == [0.0] * 5  # nothing plays: idle
    run = player.launch(player.first_spec()).start()
    clock.now = 0.35
    tick = run.tick()
    samples = recording.runs[0].samples
    assert source.read() == [*(samples.cores[c][tick] for c in range(4)), 0.0]
    assert source.ours([]) == samples.ours(tick)


def test_a_mode_with_no_recorded_run_is_refused_in_one_line() -> None:
    player = Player(small())
    spec = replace(player.first_spec(), mode="threads")
    refusal = r"^this recording has no threads run \(it has parallel\)$"
    with pytest.raises(ReplayError, match=refusal):
        player.launch(spec)


# -- two recordings ----------------------------------------------------------------


def two_machines() -> tuple[Recording, Recording]:
    a = synthetic(cores=8, seconds=2.0)
    b = replace(synthetic(cores=16, seconds=1.0, seed=1), label="sixteen cores")
    return a, b


def test_two_recordings_share_one_time_scale_each_under_its_name() -> None:
    a, b = two_machines()
    beside = Beside((a.name, b.name), tuple(logged(b)))
    mine = logged(a)
    drawn = beside.timeline_runs(mine)
    rows = beside_timeline(drawn, len(mine), beside, 100, None)
    notes = [r.text for r in rows if isinstance(r, Note)]
    assert notes[0] == f"A  {a.name}" and notes[1] == "B  sixteen cores"
    headers = [i for i, r in enumerate(rows) if isinstance(r, Header)]
    assert rows.index(Note("B  sixteen cores")) == headers[1] - 1
    axes = [r for r in rows if isinstance(r, Axis)]
    assert len(axes) == 1  # one time scale: the longer run's, 2 s
    assert axes[0].ticks[-1][1] == "2s"


def test_speedup_bars_of_two_recordings_share_one_scale() -> None:
    a, b = two_machines()
    seq = replace(a.runs[0].run_record(), mode="sequential", wall_s=16.0)
    mine = [seq, a.runs[0].run_record()]
    for number, record in enumerate(mine, 1):
        record.number = number
    mine[1].speedup = 8.0
    other = [replace(seq, wall_s=16.0), replace(b.runs[0].run_record(), speedup=16.0)]
    beside = Beside(("A", "B"), tuple(other))
    rows = beside_speedups(mine, beside, 100)
    assert [r.text for r in rows if isinstance(r, Note)] == ["A  A", "B  B"]
    assert sum(isinstance(r, Axis) for r in rows) == 1


# -- the dashboard -----------------------------------------------------------------


def replay_app(recordings: list[Recording], clock: Clock | None = None) -> ReplayDashboard:
    return create_replay(recordings, DashboardOptions(), clock or Clock())


@pytest.mark.parametrize("size", SIZES)
def test_the_banner_says_replay_of_what_machine_and_when_at_every_size(
    size: tuple[int, int],
) -> None:
    recording = replace(synthetic(cores=64, seconds=1.0), label=None)
    recording = replace(recording, machine=replace(recording.machine, cpu_model="AMD EPYC 9654"))
    app = replay_app([recording])

    async def script(pilot: Pilot) -> None:
        await pilot.pause(0.2)
        header = str(app.query_one("#machine").render())
        assert header.startswith("replay")
        if size[0] >= 80:
            assert "replay · recorded on AMD EPYC 9654, 64 cores, 2026-12-07" in header.replace(
                "\n", " "
            )
        assert app.query_one("#machine").region.height >= 1

    drive(app, script, size=size)


@pytest.mark.parametrize("size", [(120, 35), (200, 60)])
def test_256_recorded_cores_play_without_dropping_one(size: tuple[int, int]) -> None:
    clock = Clock()
    app = replay_app([synthetic(cores=256, seconds=2.0)], clock)

    async def script(pilot: Pilot) -> None:
        await pilot.press("p")
        clock.now = 1.0
        await until(pilot, lambda: app.sampler.percent[255] > 50)
        await pilot.pause(0.3)
        meters = app.query_one(CoreMeters)
        laid_out = meters.grid(meters.size.width)
        assert laid_out.shown == 256  # a strip sums them up too, beneath
        assert sorted(meters.order) == list(range(256))
        assert "replay" in str(app.query_one("#machine").render())
        assert app.session.run is not None and app.session.run.running

    drive(app, script, size=size)


def test_a_key_whose_mode_was_not_recorded_says_so(machine: Machine) -> None:
    app = replay_app([small()])

    async def script(pilot: Pilot) -> None:
        await pilot.press("t")
        await until(pilot, lambda: "no threads run" in toasts(app))
        assert app.session.run is None
        await pilot.press("p")
        assert app.session.run is not None and app.session.run.spec.mode == "parallel"

    drive(app, script, notifications=True)


def test_comma_and_full_stop_halve_and_double_the_speed_and_say_so() -> None:
    app = replay_app([small()])

    async def script(pilot: Pilot) -> None:
        await pilot.press("full_stop")
        await pilot.press("full_stop")
        assert app.player.speed == 4
        assert "replay at 4x" in str(app.query_one("#machine").render())
        await pilot.press("comma")
        assert app.player.speed == 2

    drive(app, script)


def test_two_recordings_draw_in_the_charts_under_their_names() -> None:
    a, b = two_machines()
    app = replay_app([a, b])

    async def script(pilot: Pilot) -> None:
        await pilot.press("v")
        await pilot.pause(0.3)
        timeline = "\n".join(text(app.query_one(Timeline)))
        speedup = "\n".join(text(app.query_one(SpeedupChart)))
        assert f"A  {a.name}" in timeline and "B  sixteen cores" in timeline
        assert "A  " in speedup and "B  sixteen cores" in speedup

    drive(app, script)


# -- the same screen as live --------------------------------------------------------

PID = re.compile(r"pid \d+( · task \d+)?")


def meters_text(app: Dashboard) -> list[str]:
    """The meters less the live run's pinned labels: a recording keeps no pids."""
    return [PID.sub("", line).rstrip() for line in text(app.query_one(CoreMeters))]


def percents(lines: list[str]) -> list[int]:
    return [int(n) for line in lines for n in re.findall(r"(\d+)%", line)]


def screen(app: Dashboard) -> dict[str, list[str]]:
    return {
        "meters": meters_text(app),
        "tasks": text(app.query_one(TaskBars)),
        "timeline": text(app.query_one(Timeline)),
    }


# The tick of the run at which both screens are compared: half a second in.
AT_TICK = 5


def record_live(machine: Machine, tmp_path: Path) -> tuple[dict[str, list[str]], Recording]:
    """A real parallel run in the live dashboard, recorded; at AT_TICK its workers are
    stopped for the tick (so that what the recording took and what is drawn are the same
    instant), the screen is drawn at the recorded time and read."""
    override: list[float | None] = [None]
    app = create_app(
        machine,
        machine.usable_cores,
        DashboardOptions(mode="parallel", scale=SCALE, autostart=True),
        clock=lambda run: run.elapsed() if override[0] is None else override[0],
    )
    seen: dict[str, list[str]] = {}
    ticks = [0]
    tick = app.tick

    def tick_and_capture() -> None:
        run = app.session.run
        if run is None or not run.running or ticks[0] != AT_TICK:
            if run is not None and run.running:
                ticks[0] += 1
            tick()
            return
        ticks[0] += 1
        # A worker whose lane is done has exited: its slots hold still without it.
        pids = [pid for _, pid in run.lane_pids() if psutil.pid_exists(pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        try:
            tick()
            # The time the recording took it at, as its file keeps it (to the ms).
            override[0] = round(app.exporter.recorder._taking[-1].t[-1], 3)
            app.draw()
            seen.update(screen(app))
        finally:
            override[0] = None
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    app.tick = tick_and_capture  # type: ignore[method-assign]

    async def script(pilot: Pilot) -> None:
        await until(pilot, lambda: app.session.log.runs, timeout=60)

    drive(app, script)
    assert seen, "the run ended before the tick to compare"
    recording = app.exporter.recorder.recording()
    save(recording, tmp_path / "live.json.gz")
    return seen, load(tmp_path / "live.json.gz")


def replay_at_tick(recording: Recording) -> dict[str, list[str]]:
    """The replay of the same run, each tick moved to the recorded tick's time."""
    clock = Clock()
    app = create_replay([recording], DashboardOptions(autostart=True), clock)
    times = recording.runs[-1].samples.t
    seen: dict[str, list[str]] = {}
    ticks = [0]
    tick = app.tick

    def tick_at_recorded_time() -> None:
        run = app.session.run
        if run is None or not run.running or ticks[0] > AT_TICK:
            tick()
            return
        clock.now = times[ticks[0]]
        tick()
        if ticks[0] == AT_TICK:
            app.draw()
            seen.update(screen(app))
        ticks[0] += 1

    app.tick = tick_at_recorded_time  # type: ignore[method-assign]

    async def script(pilot: Pilot) -> None:
        await until(pilot, lambda: seen)

    drive(app, script)
    return seen


def test_the_replayed_screen_shows_what_the_live_one_did_at_that_time(
    machine: Machine, tmp_path: Path
) -> None:
    live, recording = record_live(machine, tmp_path)
    played = replay_at_tick(recording)
    assert played["tasks"] == live["tasks"]
    assert played["timeline"] == live["timeline"]
    # Readings are recorded to a tenth of a percent: a meter may round the other way.
    assert len(played["meters"]) == len(live["meters"])
    for mine, theirs in zip(percents(played["meters"]), percents(live["meters"]), strict=True):
        assert abs(mine - theirs) <= 1
    assert any(p > 0 for p in percents(live["meters"]))


def test_no_process_is_started_by_a_replay() -> None:
    app = replay_app([small()])
    me = psutil.Process()

    async def script(pilot: Pilot) -> None:
        before = {p.pid for p in me.children(recursive=True)}
        await pilot.press("p")
        await pilot.pause(0.3)
        assert {p.pid for p in me.children(recursive=True)} <= before

    drive(app, script)


def test_the_demo_plays_the_recorded_runs() -> None:
    recording = synthetic(cores=4, seconds=0.5)
    seq = replace(recording.runs[0], spec=replace(recording.runs[0].spec, mode="sequential"))
    seq = replace(seq, record={**seq.record, "mode": "sequential", "wall_s": 2.0})
    recording = replace(recording, runs=(seq, recording.runs[0]))
    app = create_replay([recording], DashboardOptions())

    async def script(pilot: Pilot) -> None:
        await pilot.press("d")
        await until(pilot, lambda: app.session.run is not None)
        assert app.session.run is not None and app.session.run.spec.mode == "sequential"

    drive(app, script)


def test_a_fake_machine_is_what_the_layout_follows() -> None:
    """The replay lays out the recorded machine, not this one."""
    recording = replace(small(), machine=fake_machine(4))
    app = replay_app([recording])

    async def script(pilot: Pilot) -> None:
        assert app.session.machine == fake_machine(4)
        assert sorted(app.query_one(CoreMeters).order) == [0, 1, 2, 3]

    drive(app, script)


# -- snapshots -----------------------------------------------------------------------

EXAMPLE = Path(__file__).parent.parent / "examples" / "recordings" / "2-cores.json.gz"


def frozen_replay(recordings: list[Recording], clock: Clock) -> ReplayDashboard:
    """A replay whose meters read the recording at the clock's time, nothing smoothed and
    no history added while the snapshot is taken: the same picture every time."""
    app = create_replay(recordings, DashboardOptions(), clock)
    cores = app.session.cores
    source = app.player.source(cores)
    app.sampler = CpuSampler(cores, alpha=1.0, history_every=10**9, source=source)
    return app


def played_then_midway(clock: Clock, seconds: float) -> Callable[[Pilot], Awaitable[None]]:
    """Sequential played to its end, then parallel ``seconds`` in."""

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ReplayDashboard)
        if "sequential" in app.player.modes:
            await pilot.press("s")
            clock.now += 1000
            await until(pilot, lambda: app.session.log.runs)
        await pilot.press("p")
        clock.now += seconds
        # A tick samples the new time; a frame draws it whatever the pace of frames.
        cores = app.session.cores
        now = app.player.source(cores).read()
        await until(pilot, lambda: [app.sampler.percent[c] for c in cores] == now)
        app.draw()
        await settle(pilot)

    return run_before


def test_snapshot_a_real_recording_replayed_midway(snap_compare) -> None:
    clock = Clock()
    app = frozen_replay([load(EXAMPLE)], clock)
    run_before = played_then_midway(clock, 1.6)  # its parallel run took 3.32 s
    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_snapshot_64_cores_replayed_on_two(snap_compare) -> None:
    clock = Clock()
    app = frozen_replay([synthetic(cores=64, seconds=4.0)], clock)
    run_before = played_then_midway(clock, 2.0)
    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_replayed_runs_are_judged_as_they_were_live() -> None:
    """Competition for the cores is part of a verdict: a replay keeps what the recording
    saw, rather than read this machine's load (none, for a replay)."""
    recording = load(EXAMPLE)
    clock = Clock()
    app = replay_app([recording], clock)

    async def script(pilot: Pilot) -> None:
        for number, key in enumerate("spt", start=1):
            await pilot.press(key)
            clock.now += 1000
            await until(pilot, lambda n=number: len(app.session.log.runs) == n)

    drive(app, script)
    replayed = [run_json(record) for record in app.session.log.runs]
    for played, recorded in zip(replayed, recording.runs, strict=True):
        assert played["competition"] == recorded.record["competition"]
        assert played["verdict"] == recorded.record["verdict"]
        assert played["speedup"] == recorded.record["speedup"]
