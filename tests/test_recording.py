"""The recording file: its size, its round trip, and every way a file is not one."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from fakes import BAD_FILES, ScriptedRun, fake_sampler, json_file, quiet_load, recording_document
from fakes import machine as fake_machine

from coremeter.cores import Machine
from coremeter.recorder import Recorder
from coremeter.recording import (
    FORMAT,
    RecordedRun,
    Recording,
    RecordingError,
    Samples,
    load,
    save,
)
from coremeter.sampler import CpuSampler
from coremeter.session import Session
from coremeter.synthetic import synthetic

MB = 1_000_000


@pytest.fixture(scope="module")
def minute() -> Recording:
    """One minute of 256 cores at 10 Hz."""
    return synthetic(cores=256, seconds=60.0)


def test_a_minute_of_256_cores_fits_in_a_few_mb_and_reads_back_whole(
    minute: Recording, tmp_path: Path
) -> None:
    plain, zipped = save(minute, tmp_path / "m.json"), save(minute, tmp_path / "m.json.gz")
    assert plain.stat().st_size < 4 * MB
    assert zipped.stat().st_size < 1 * MB
    assert gzip.decompress(zipped.read_bytes()) == plain.read_bytes()
    for path in (plain, zipped):
        back = load(path)
        samples = back.runs[0].samples
        assert len(samples) == 600 and len(samples.cores) == 256
        assert back == minute  # its readings were already to 0.1


def test_every_field_comes_back(minute: Recording, tmp_path: Path) -> None:
    back = load(save(minute, tmp_path / "m.json.gz"))
    assert back.machine == minute.machine  # the SMT siblings included
    assert (back.label, back.recorded_at, back.python_build) == (
        minute.label,
        minute.recorded_at,
        minute.python_build,
    )
    run, original = back.runs[0], minute.runs[0]
    assert run.spec == original.spec
    assert run.record == json.loads(json.dumps(original.record))
    assert run.run_record().tasks == original.run_record().tasks
    assert run.samples.done == original.samples.done


def test_a_reading_is_to_a_tenth_and_a_core_without_own_time_reads_zero() -> None:
    samples = Samples(
        t=(0.1, 0.2),
        cores={0: (12.34, 100.0), 1: (0.0, 55.55)},
        own={0: (12.0, 99.96), 1: (0.0, 0.0)},
        unplaced=(0.0, 0.0),
        dashboard=(1.26, 0.0),
        done={0: (10, 20)},
    )
    data = json.loads(json.dumps(samples.to_json()))
    assert data["cores"] == {"0": [12.3, 100], "1": [0, 55.5]}
    assert data["own"] == {"0": [12, 100]}  # core 1 used nothing: left out
    back = Samples.from_json(data)
    assert back.read(1) == [100.0, 55.5]
    assert back.ours(1).cores == {0: 100.0} and back.ours(0).dashboard == 1.3
    assert back.progress(1) == {0: 20}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_one_line_and_left_as_it_was(case: str, tmp_path: Path) -> None:
    write, said = BAD_FILES[case]
    path = write(tmp_path, synthetic(cores=4, seconds=1.0))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(RecordingError) as caught:
        load(path)
    message = str(caught.value)
    assert said in message and "\n" not in message
    assert message.startswith(f"cannot read recording {str(path)!r}: ")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_missing_file_and_a_folder_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"r\.json': no such file$"):
        load(tmp_path / "r.json")
    with pytest.raises(RecordingError, match="it is a directory$"):
        load(tmp_path)


def test_a_recording_of_another_format_is_refused(tmp_path: Path) -> None:
    data = recording_document(synthetic(cores=2, seconds=0.5))
    assert data["format"] == FORMAT
    path = json_file({**data, "format": "something-else"})(tmp_path, synthetic(cores=2))
    with pytest.raises(RecordingError, match="not a coremeter recording$"):
        load(path)


def test_fields_added_within_a_version_are_ignored(tmp_path: Path) -> None:
    """What lets a later coremeter add a field without a new version."""
    recording = synthetic(cores=2, seconds=0.5)
    data = recording_document(recording)
    data["new_field"] = {"anything": 1}
    data["runs"][0]["samples"]["new_series"] = [1, 2, 3]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    assert load(path) == recording


def test_nothing_is_written_without_a_run(tmp_path: Path) -> None:
    empty = Recording(synthetic(cores=2).machine, (), "2026-12-07T10:00:00+00:00")
    with pytest.raises(RecordingError, match="no run has ended"):
        save(empty, tmp_path / "r.json.gz")
    assert list(tmp_path.iterdir()) == []


def test_a_recorded_run_rebuilds_its_record() -> None:
    run: RecordedRun = synthetic(cores=4, seconds=1.0).runs[0]
    record = run.run_record()
    assert (record.mode, record.shape, len(record.tasks), record.ok) == (
        "parallel",
        "balanced",
        4,
        True,
    )
    assert record.wall_s == run.record["wall_s"]


def _session(machine: Machine) -> Session:
    session = Session(machine, machine.usable_cores, "seed", 0.01)
    session.launch = ScriptedRun
    session.load = quiet_load(machine.usable_cores)
    return session


def _ticks(recorder: Recorder, session: Session, sampler: CpuSampler, n: int) -> None:
    for _ in range(n):
        sampler.sample()
        recorder.tick(session.run, session.log, sampler)


def _run(
    recorder: Recorder, session: Session, sampler: CpuSampler, ticks: int, wall_s: float
) -> ScriptedRun:
    """A sequential run seen by ``ticks`` ticks, done in ``wall_s``, and the tick after."""
    run = session.start("sequential")
    assert isinstance(run, ScriptedRun)
    _ticks(recorder, session, sampler, ticks)
    run.finish(wall_s)
    session.poll()
    _ticks(recorder, session, sampler, 1)
    return run


def test_the_recorder_keeps_each_logged_run_with_its_ticks() -> None:
    machine = fake_machine(2)
    session, sampler = _session(machine), fake_sampler([100.0, 40.0], others=[0.0, 30.0])
    recorder = Recorder(machine, "talk")
    run = _run(recorder, session, sampler, ticks=3, wall_s=2.0)
    slip = session.start("parallel")
    _ticks(recorder, session, sampler, 2)
    session.cancel()  # a slip: logged nowhere, so recorded nowhere
    assert not slip.running and len(session.log.runs) == 1
    session.clear()  # the log numbers its runs from 1 again
    _run(recorder, session, sampler, ticks=2, wall_s=1.5)
    recording = recorder.recording()
    assert recording.label == "talk" and recording.machine == machine
    assert [r.record["wall_s"] for r in recording.runs] == [2.0, 1.5]
    first = recording.runs[0].samples
    assert len(first) == 3 and first.read(0) == [100.0, 40.0]
    assert first.ours(0).cores == {0: 100.0, 1: 10.0}
    assert set(first.done) == {task.id for task in run.spec.tasks}


def test_a_run_that_ended_before_any_tick_is_recorded_without_samples() -> None:
    machine = fake_machine(2)
    session, sampler = _session(machine), fake_sampler([100.0, 0.0])
    recorder = Recorder(machine)
    _run(recorder, session, sampler, ticks=0, wall_s=0.05)
    assert [len(r.samples) for r in recorder.recording().runs] == [0]
