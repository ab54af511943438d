"""A user's own function as a workload: ``FILE.py:FUNC`` or ``package.module:FUNC``.

FUNC takes one int and returns a number; coremeter maps it over ``range(items)``,
the items split into tasks by the shape. Its result is the sum of the returns, and
no value is known in advance: every mode must return the sequential run's sum.

The function is loaded twice: once in the parent, before any worker starts, so that
each way it can fail is one line and exit 2 instead of a run that fails later; then
in each worker process from its file or module, never through ``__main__`` (a fork
server's workers do not share the parent's ``__main__``). A file is imported as the
module its name makes, so that what it starts itself (a Pool) imports it too.
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import os
import re
import sys
import traceback
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import ClassVar

from coremeter.report import value_text
from coremeter.workload import (
    Kernel,
    Shape,
    Task,
    TaskFailure,
    Workload,
    WorkloadError,
    builtin,
    split_evenly,
)

MAX_ITEMS = 10**12
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def split_by_shape(shape: Shape, items: int, n_cores: int) -> list[int]:
    """``seed``: 1:2:3 of the items (empty parts dropped); ``balanced``: one equal part
    per core."""
    if shape == "balanced":
        return split_evenly(items, n_cores)
    cuts = [0, round(items / 6), round(items / 2), items]
    return [b - a for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


@dataclass(frozen=True)
class UserFunction(Workload):
    """``name`` is how it is shown: ``pi.py:hits`` (the file's name, wherever it was given
    from) or ``package.module:hits``; ``path`` is the file made absolute, or ``module``
    the dotted name searched for from ``search`` first."""

    name: str
    func: str
    items: int
    path: str | None = None
    module: str | None = None
    search: str = ""
    lesson: str = "your own function: processes pay for Python code, threads only if it waits"
    unit: ClassVar[str] = "items"
    short_unit: ClassVar[str] = "items"

    def sizes(self, shape: Shape, scale: float, n_cores: int) -> list[int]:
        return split_by_shape(shape, self.items, n_cores)

    @property
    def scaled(self) -> bool:
        return False

    def size_text(self, scale: float) -> str:
        return f"{self.items:,} items"

    def options(self) -> list[str]:
        # A module is found from the current folder, which a served tab shares.
        where = self.path if self.path is not None else self.module
        return ["--workload", f"{where}:{self.func}", "--items", str(self.items)]

    def load(self) -> Callable[[int], object]:
        """The function, imported afresh in this process; WorkloadError says why not."""
        where = self.path or self.module or ""
        try:
            module = self._import()
        except WorkloadError:
            raise
        except BaseException as exc:  # noqa: BLE001 - a user's module can raise anything
            raise WorkloadError(f"cannot import {where}: {one_line(exc)}") from None
        func = getattr(module, self.func, None)
        if func is None:
            raise WorkloadError(f"{where} has no {self.func!r}")
        if not callable(func):
            raise WorkloadError(f"{where}:{self.func} is not callable")
        return func  # type: ignore[no-any-return]

    def _import(self) -> ModuleType:
        if self.path is not None:
            return import_file(self.path)
        assert self.module is not None
        if self.search and self.search not in sys.path:
            sys.path.insert(0, self.search)
        try:
            return importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if self.module == missing or self.module.startswith(missing + "."):
                raise WorkloadError(f"no module named {missing!r}") from None
            raise

    def prepare(self) -> Kernel:
        func = self.load()
        shown = f"{self.func}"

        def kernel(task: Task, counts: MutableSequence[int]) -> float:
            total: object = 0
            for done, item in enumerate(range(task.start, task.start + task.size), start=1):
                try:
                    value = func(item)
                except Exception as exc:
                    raise TaskFailure(f"{shown}({item}) raised {one_line(exc)}") from None
                try:
                    total = total + value  # type: ignore[operator]
                except TypeError:
                    raise TaskFailure(
                        f"{shown}({item}) returned {value_text(value)}, not a number"
                    ) from None
                counts[task.id] = done
            try:
                return float(total)  # type: ignore[arg-type]
            except (TypeError, OverflowError) as exc:
                raise TaskFailure(f"the sum of {shown} over task {task.id}: {exc}") from None

        return kernel

    def expected(self, task: Task) -> None:
        return None


# The names this process imported a user's file under: such a module is the workload of
# the moment, and a later file of the same name replaces it instead of clashing with it.
_FILES: set[str] = set()


def import_file(path: str) -> ModuleType:
    """The file imported by its own name, from its folder put first on sys.path, as
    ``python FILE.py`` finds the files beside it: the processes a function of it starts
    (spawn, forkserver, fork) import it by that name to unpickle its functions and
    classes, so it must be a name they find, and find as this file."""
    file = Path(path)
    if file.is_dir():
        raise WorkloadError(f"{path} is a directory, not a Python file")
    if not file.is_file():
        raise WorkloadError(f"no such file: {path}")
    name = file.stem
    if not name.isidentifier() or keyword.iskeyword(name):
        raise WorkloadError(
            f"cannot import {path}: {name!r} is not a module name; rename the file "
            "to letters, digits and _ (not starting with a digit)"
        )
    loaded = sys.modules.get(name)
    if loaded is not None and not (name in _FILES or _is_file(loaded.__spec__, file)):
        raise WorkloadError(
            f"cannot import {path} as {name!r}: {_origin(loaded.__spec__)} already has "
            "that name; rename the file"
        )
    folder = str(file.parent)
    if folder in sys.path:
        sys.path.remove(folder)
    sys.path.insert(0, folder)
    importlib.invalidate_caches()  # the file may be newer than the finder's listing
    sys.modules.pop(name, None)
    found = importlib.util.find_spec(name)
    if not _is_file(found, file):
        sys.path.remove(folder)
        raise WorkloadError(
            f"cannot import {path} as {name!r}: an import of that name finds "
            f"{_origin(found)} first; rename the file"
        )
    module = importlib.import_module(name)
    _FILES.add(name)
    return module


def _is_file(spec: ModuleSpec | None, file: Path) -> bool:
    origin = spec.origin if spec is not None else None
    return origin is not None and os.path.isfile(origin) and file.samefile(origin)


def _origin(spec: ModuleSpec | None) -> str:
    """Where a module comes from: its file, or Python itself."""
    origin = spec.origin if spec is not None else None
    return origin if origin is not None and os.path.isfile(origin) else "a module built into Python"


def one_line(exc: BaseException) -> str:
    """``ZeroDivisionError: division by zero``: the last line Python would print."""
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def parse_spec(spec: str, items: int | None, cwd: str | None = None) -> UserFunction:
    """``FILE.py:FUNC`` or ``package.module:FUNC`` (and ``--items N``), loaded once here
    to find every mistake before a worker starts."""
    location, colon, func = spec.rpartition(":")
    if not colon or not location or not func.isidentifier():
        raise WorkloadError(
            f"invalid workload {spec!r}: expected seed, io, hash, FILE.py:FUNC "
            "or package.module:FUNC"
        )
    here = cwd or os.getcwd()
    if location.endswith(".py"):
        path = os.path.abspath(os.path.join(here, location))
        name = f"{os.path.basename(path)}:{func}"
        workload = UserFunction(name, func, items or 0, path=path)
    elif _MODULE.fullmatch(location):
        workload = UserFunction(spec, func, items or 0, module=location, search=here)
    else:
        raise WorkloadError(
            f"invalid workload {spec!r}: {location!r} is neither a .py file nor a module name"
        )
    workload.load()
    if items is None:
        raise WorkloadError(f"--workload {spec} needs --items N: how many ints to map it over")
    return workload


def check_items(text: str) -> int:
    """``--items``: a positive whole number, at most MAX_ITEMS."""
    try:
        value = int(text)
    except ValueError:
        raise WorkloadError(f"invalid items {text!r}: not a whole number") from None
    if not 1 <= value <= MAX_ITEMS:
        raise WorkloadError(f"invalid items {value}: must be 1 to {MAX_ITEMS:,}")
    return value


def resolve(name: str, items: int | None) -> Workload:
    """A built-in workload by name, or a user's function by its spec."""
    found = builtin(name)
    if found is not None:
        if items is not None:
            raise WorkloadError(f"--items is for a function of yours; {name} takes --scale")
        return found
    return parse_spec(name, items)
