"""Core selection is validated against the usable set; the quota is read from the cgroup."""

from __future__ import annotations

import os

import pytest

from coremeter import cores
from coremeter.cores import CoreError, Machine, format_core_list, parse_core_list


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("0", [0]), ("0,2-3", [0, 2, 3]), ("3-3", [3]), (" 1 , 0 ", [0, 1]), ("0,0,1", [0, 1])],
)
def test_parse_core_list(spec: str, expected: list[int]) -> None:
    assert parse_core_list(spec, [0, 1, 2, 3]) == expected


@pytest.mark.parametrize("spec", ["", "x", "1-", "-1", "1,,2", "0.5", "3-1", "0-99999999"])
def test_garbage_core_lists_are_one_line_errors(spec: str) -> None:
    with pytest.raises(CoreError) as error:
        parse_core_list(spec, [0, 1])
    assert "\n" not in str(error.value)


def test_a_core_outside_the_usable_set_is_refused() -> None:
    # The article pinned to core 2 on a 2-core machine; psutil would silently drop it.
    with pytest.raises(CoreError, match="core 2 is not usable here; usable cores: 0-1"):
        parse_core_list("0-2", [0, 1])
    with pytest.raises(CoreError, match="core 0 is not usable"):
        parse_core_list("0", [1])


def test_format_core_list_inverts_parse() -> None:
    usable = [0, 1, 2, 3, 5, 8, 9, 10]
    assert format_core_list(usable) == "0-3,5,8-10"
    assert parse_core_list(format_core_list(usable), usable) == usable


def test_usable_cores_honour_the_affinity_mask(machine: Machine) -> None:
    assert machine.usable_cores == sorted(os.sched_getaffinity(0))
    assert machine.affinity
    assert machine.logical >= len(machine.usable_cores)
    assert machine.physical >= 1


def test_quota_from_cgroup_v2(tmp_path, monkeypatch) -> None:
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    monkeypatch.setattr(cores, "_CGROUP", tmp_path)
    assert cores.cpu_quota() == 0.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cores.cpu_quota() is None


def test_quota_from_cgroup_v1(tmp_path, monkeypatch) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("150000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    monkeypatch.setattr(cores, "_CGROUP", tmp_path)
    assert cores.cpu_quota() == 1.5
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cores.cpu_quota() is None


def test_sibling_pairs_mark_hyperthreads() -> None:
    machine = Machine(
        usable_cores=[0, 1, 2, 3],
        logical=4,
        physical=2,
        python="3",
        gil=True,
        start_method="forkserver",
        affinity=True,
        quota=None,
        siblings={0: [0, 2], 2: [0, 2], 1: [1, 3], 3: [1, 3]},
    )
    assert machine.sibling_pairs([0, 1]) == []
    assert machine.sibling_pairs([0, 1, 2]) == [(0, 2)]
