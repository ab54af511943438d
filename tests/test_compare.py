"""compare: two recordings side by side, and refused when they ran different work."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from coremeter.compare import CompareError, compare, run
from coremeter.recording import RecordedRun, Recording, save
from coremeter.synthetic import synthetic


def _with_record(recording: Recording, **changes: object) -> Recording:
    runs = tuple(replace(r, record={**r.record, **changes}) for r in recording.runs)
    return replace(recording, runs=runs)


def _pair() -> tuple[Recording, Recording]:
    """The same recording twice, but B ran on another machine, twice as fast."""
    a = replace(synthetic(cores=4, seconds=1.0), label=None)
    machine = replace(a.machine, cpu_model="Other CPU 9000")
    b = _with_record(replace(a, machine=machine), wall_s=a.runs[0].record["wall_s"] / 2)
    return a, b


def test_two_machines_side_by_side_with_b_over_a(tmp_path: Path) -> None:
    a, b = _pair()
    rows = compare(a, b)
    assert [(row.work[:3], row.mode) for row in rows] == [(("seed", "balanced", 1.0), "parallel")]
    assert rows[0].ratio("wall_s") == 0.5 and rows[0].ratio("bound") == 1.0
    paths = (save(a, tmp_path / "a.json.gz"), save(b, tmp_path / "b.json.gz"))
    out = io.StringIO()
    run(paths, False, out)
    text = out.getvalue()
    assert text.splitlines()[0].startswith("A  Synthetic CPU, 4 cores, CPython")
    assert text.splitlines()[1].startswith("B  Other CPU 9000, 4 cores, CPython")
    assert "parallel   wall s            1.00       0.50   0.50" in text
    out = io.StringIO()
    run(paths, True, out)
    document = json.loads(out.getvalue())
    assert document["b"]["machine"]["cpu_model"] == "Other CPU 9000"
    assert document["rows"][0]["wall_s"] == {"a": 1.0, "b": 0.5, "ratio": 0.5}


def test_a_label_names_its_side() -> None:
    a, _ = _pair()
    assert replace(a, label="before the change").name == "before the change"


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"workload": "hash"}, "different workloads: seed in A, hash in B"),
        ({"shape": "seed"}, "different shapes: balanced in A, seed in B"),
        ({"scale": 0.5}, "different scales: 1 in A, 0.5 in B"),
    ],
)
def test_different_work_is_refused_naming_what_differs(changes: dict, said: str) -> None:
    a, b = _pair()
    with pytest.raises(CompareError) as caught:
        compare(a, _with_record(b, **changes))
    assert str(caught.value) == f"cannot compare them: {said}"


def test_different_sizes_are_refused_but_a_split_over_more_cores_is_not() -> None:
    a, _ = _pair()
    many = synthetic(cores=8, seconds=0.5)  # the same units, over 8 cores
    assert compare(a, many)[0].runs == (1, 1)
    b: RecordedRun = a.runs[0]
    tasks = [{**t, "size": t["size"] + 1} for t in b.record["tasks"]]
    with pytest.raises(CompareError, match="different sizes: 80,000,000 units in A, 80,000,004"):
        compare(a, _with_record(a, tasks=tasks))
