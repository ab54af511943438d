"""The machine's cores: which ones this process may use, and how to pin to them.

Counts from ``os.cpu_count()`` ignore taskset and cpusets, and psutil silently
drops some invalid cores, so everything here starts from the usable set this
process really has and validates against it.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

_SYS_CPU = Path("/sys/devices/system/cpu")
_CGROUP = Path("/sys/fs/cgroup")


class CoreError(ValueError):
    """A core selection that cannot be honoured; its message is one line for the user."""


def affinity_available() -> bool:
    """Whether this platform lets a process choose its cores (macOS does not)."""
    if hasattr(os, "sched_getaffinity"):
        return True
    return hasattr(psutil.Process, "cpu_affinity")


def thread_affinity_available() -> bool:
    """Whether one thread can be pinned alone: Linux's ``sched_setaffinity(0, ...)``.
    Windows has only psutil's ``cpu_affinity``, which moves the whole process, so a
    threads run pinned there would put every thread on the last thread's core."""
    return hasattr(os, "sched_setaffinity")


def usable_cores() -> list[int]:
    """The cores this process may run on: taskset and cpusets included."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    if hasattr(psutil.Process, "cpu_affinity"):
        return sorted(psutil.Process().cpu_affinity())
    return list(range(os.cpu_count() or 1))


def pin(core: int | None) -> None:
    """Pin the calling thread (Linux) or process to one core; None leaves it unpinned.

    On Linux ``sched_setaffinity(0, ...)`` applies to the calling thread only, which
    is what lets the threads mode put each thread on its own core.
    """
    if core is None:
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})
    elif hasattr(psutil.Process, "cpu_affinity"):
        psutil.Process().cpu_affinity([core])


def parse_core_list(spec: str, usable: list[int]) -> list[int]:
    """Parse ``0,2-3`` into sorted core ids, each checked against the usable set."""
    cores: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        # ASCII digits only: int() would also take "١" (Arabic-Indic one) for core 1.
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part, re.ASCII)
        if not match:
            raise CoreError(f"invalid core list {spec!r}: expected numbers and ranges like 0,2-3")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if high < low:
            raise CoreError(f"invalid core range {part!r}: the end is below the start")
        if high - low > 65536:
            raise CoreError(f"invalid core range {part!r}: too many cores")
        cores.update(range(low, high + 1))
    missing = sorted(cores.difference(usable))
    if missing:
        raise CoreError(
            f"core {missing[0]} is not usable here; usable cores: {format_core_list(usable)}"
        )
    return sorted(cores)


# The names of the cores this process shows where they are not this machine's: a Dask
# cluster's workers, ``host:cpuN`` by lane (coremeter.clusterrun names them once).
_NAMES: dict[int, str] = {}


def name_cores(names: dict[int, str]) -> None:
    """Name the cores every screen and message shows from now on: a cluster's."""
    _NAMES.clear()
    _NAMES.update(names)


def core_label(core: int | None) -> str:
    """How every screen and message names a core, or a worker the OS places anywhere."""
    if core is None:
        return "unpinned"
    return _NAMES.get(core) or f"cpu{core}"


def format_core_list(cores: list[int]) -> str:
    """Format core ids compactly, the inverse of :func:`parse_core_list`."""
    parts: list[str] = []
    ordered = sorted(cores)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def cpu_quota() -> float | None:
    """The cgroup CPU quota in cores (cpu.max on v2, cfs_quota_us on v1), or None.

    A quota slows parallel runs without changing any core count, so it has to be
    read from the cgroup itself.
    """
    for path in _cgroup_dirs("cpu.max"):
        try:
            quota, period = path.read_text().split()[:2]
        except (OSError, ValueError):
            continue
        return None if quota == "max" else int(quota) / int(period)
    for path in _cgroup_dirs("cpu.cfs_quota_us", v1="cpu"):
        try:
            quota_us = int(path.read_text())
            period_us = int(path.with_name("cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return None if quota_us <= 0 else quota_us / period_us
    return None


def _cgroup_dirs(filename: str, v1: str | None = None) -> list[Path]:
    """Candidate files for this process's cgroup, its own path first, then the root."""
    root = _CGROUP / v1 if v1 else _CGROUP
    candidates = []
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, rel = line.split(":", 2)
            if (v1 is None and controllers == "") or (v1 and v1 in controllers.split(",")):
                candidates.append(root / rel.lstrip("/") / filename)
    except (OSError, ValueError):
        pass
    candidates.append(root / filename)
    return [path for path in candidates if path.is_file()]


def smt_siblings() -> dict[int, list[int]]:
    """For each core, the logical cores sharing its physical core (itself included)."""
    siblings: dict[int, list[int]] = {}
    for path in _SYS_CPU.glob("cpu[0-9]*/topology/thread_siblings_list"):
        core = int(path.parent.parent.name[3:])
        try:
            siblings[core] = parse_kernel_list(path.read_text().strip())
        except (OSError, ValueError):
            continue
    return siblings


def parse_kernel_list(text: str) -> list[int]:
    """The kernel's own core lists (``0-3,8``, as in /sys): trusted, unlike user input."""
    cores: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        cores.extend(range(int(low), int(high or low) + 1))
    return cores


def cpu_model() -> str:
    """A human name for the processor, for the header line."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def gil_enabled() -> bool:
    """Whether this interpreter runs with the GIL, which caps threads at one core's worth.

    ``sys._is_gil_enabled()`` (3.13+) says whether it is on now: a free-threaded build
    turns it back on for an extension that needs it, or under PYTHON_GIL=1. Without it,
    the build decides; ``Py_GIL_DISABLED`` is None before 3.13 and 0 on a normal build,
    so only its truth counts.
    """
    check = getattr(sys, "_is_gil_enabled", None)
    if check is not None:
        return bool(check())
    return not sysconfig.get_config_var("Py_GIL_DISABLED")


def start_method() -> str:
    """forkserver on Linux, spawn elsewhere; never fork, since the dashboard runs threads."""
    return "forkserver" if sys.platform.startswith("linux") else "spawn"


@dataclass(frozen=True)
class Machine:
    """What the header line and the JSON ``machine`` object report."""

    usable_cores: list[int]
    logical: int
    physical: int
    python: str
    gil: bool
    start_method: str
    affinity: bool
    quota: float | None
    thread_affinity: bool = True
    cpu_model: str = ""
    siblings: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def detect(cls) -> Machine:
        return cls(
            usable_cores=usable_cores(),
            logical=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
            physical=psutil.cpu_count(logical=False) or psutil.cpu_count() or 1,
            python=platform.python_version(),
            gil=gil_enabled(),
            start_method=start_method(),
            affinity=affinity_available(),
            quota=cpu_quota(),
            thread_affinity=thread_affinity_available(),
            cpu_model=cpu_model(),
            siblings=smt_siblings(),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("siblings")
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Machine:
        """A machine as ``to_json`` wrote it, with ``siblings`` where a recording added
        them (coremeter.recording)."""
        siblings = {int(core): list(others) for core, others in data.get("siblings", {}).items()}
        return cls(
            usable_cores=list(data["usable_cores"]),
            logical=int(data["logical"]),
            physical=int(data["physical"]),
            python=str(data["python"]),
            gil=bool(data["gil"]),
            start_method=str(data["start_method"]),
            affinity=bool(data["affinity"]),
            quota=data.get("quota"),
            thread_affinity=bool(data.get("thread_affinity", True)),
            cpu_model=str(data.get("cpu_model", "")),
            siblings=siblings,
        )

    def sibling_pairs(self, cores: list[int]) -> list[tuple[int, int]]:
        """Pairs of the given cores that are hyperthreads of one physical core."""
        chosen = set(cores)
        pairs = set()
        for core in cores:
            for other in self.siblings.get(core, []):
                if other != core and other in chosen:
                    pairs.add((min(core, other), max(core, other)))
        return sorted(pairs)
