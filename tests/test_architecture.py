"""The import contract and the code's shape: the engine knows nothing of Textual, the
dashboard (coremeter/tui/) sits on top, its layout is pure, and neither front end
imports the other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import coremeter

PACKAGE = Path(coremeter.__file__).parent
TESTS = Path(__file__).parent
TEXTUAL = {"textual", "textual_serve"}
# The top-level modules that may import Textual: the browser front end. cli opens the
# dashboard and serve with function-level imports only.
FRONT = {"serve"}
ENGINE = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in FRONT)
DASK = {"dask", "distributed"}
# The one module that imports Dask, and the one that imports it, once --cluster is given.
CLUSTER = "cluster"
CLUSTER_GATE = "clusterrun"
MAX_LINES = 450
MAX_PARAMS = 5


def modules(folder: Path = PACKAGE) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool = False) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    return [n for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))]


def imported_names(path: Path, top_level_only: bool = False) -> set[str]:
    names = set()
    for node in imports(path, top_level_only):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif node.module:
            names.add(node.module)
    return names


def offending(names: set[str], forbidden: set[str]) -> set[str]:
    """The names that are, or are inside, a forbidden package or module."""
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)}


def test_the_engine_modules_exist() -> None:
    assert {"cores", "workload", "schedule", "runner", "worker", "sampler", "results"} <= set(
        ENGINE
    )


def test_no_engine_module_imports_textual_or_the_dashboard() -> None:
    for stem in ENGINE:
        names = imported_names(PACKAGE / f"{stem}.py", top_level_only=stem == "cli")
        bad = offending(names, TEXTUAL | {"coremeter.tui", "coremeter.serve"})
        assert not bad, f"coremeter/{stem}.py imports {bad}"


def test_the_layout_is_pure() -> None:
    for path in modules(PACKAGE / "tui" / "layout"):
        bad = offending(imported_names(path), TEXTUAL | {"rich"})
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_bench_and_the_dashboard_never_import_each_other() -> None:
    assert not offending(imported_names(PACKAGE / "bench.py"), {"coremeter.tui"})
    for path in modules(PACKAGE / "tui"):
        bad = offending(imported_names(path), {"coremeter.bench"})
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_importing_the_engine_and_the_layout_loads_no_textual() -> None:
    layout = [module_name(p) for p in modules(PACKAGE / "tui" / "layout")]
    engine = [f"coremeter.{m}" for m in ENGINE if m != CLUSTER]
    names = ", ".join([*engine, *layout])
    code = f"import sys, {names}; print(sorted(m for m in sys.modules if 'textual' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_only_the_cluster_module_imports_dask() -> None:
    for path in modules():
        if module_name(path) == f"coremeter.{CLUSTER}":
            continue
        bad = offending(imported_names(path), DASK)
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"
        if module_name(path) != f"coremeter.{CLUSTER_GATE}":
            names = imported_names(path) | {
                f"{n.module}.{a.name}"
                for n in imports(path)
                if isinstance(n, ast.ImportFrom) and n.module
                for a in n.names
            }
            bad = offending(names, {f"coremeter.{CLUSTER}"})
            assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_nothing_but_cluster_loads_dask() -> None:
    """Every module imported, the dashboard's too, and no Dask: --cluster alone pays."""
    names = ", ".join(m for m in map(module_name, modules()) if m != f"coremeter.{CLUSTER}")
    dask = f"m.split('.')[0] in {sorted(DASK)}"
    code = f"import sys, {names}; print(sorted(m for m in sys.modules if {dask}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_private_name_is_imported_from_another_module() -> None:
    for path in modules():
        for node in imports(path):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.relative_to(PACKAGE)} imports {private}"


def test_no_module_is_over_the_limit() -> None:
    for path in modules():
        lines = len(path.read_text().splitlines())
        assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)}: {lines} lines"


def test_wide_signatures_take_a_dataclass() -> None:
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                params = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
                params = [p for p in params if p not in ("self", "cls")]
                where = f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"
                assert len(params) <= MAX_PARAMS, f"{where} takes {len(params)} parameters"


def test_no_test_module_imports_another() -> None:
    tests = {p.stem for p in TESTS.glob("test_*.py")}
    for path in TESTS.glob("*.py"):
        bad = imported_names(path) & tests
        assert not bad, f"tests/{path.name} imports {bad}"
