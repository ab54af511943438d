"""The import contract: the engine knows nothing of Textual; the dashboard sits on top."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import coremeter

PACKAGE = Path(coremeter.__file__).parent
# The dashboard: the only modules allowed to import Textual.
DASHBOARD = {"app", "widgets", "charts", "serve", "themes"}
ENGINE = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in DASHBOARD)


def imported_names(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_engine_modules_exist() -> None:
    assert {"cores", "workload", "schedule", "runner", "worker", "sampler", "results"} <= set(
        ENGINE
    )


def test_no_engine_module_imports_textual_or_the_dashboard() -> None:
    for stem in ENGINE:
        # cli opens the dashboard with a function-level import; nothing else may.
        names = imported_names(PACKAGE / f"{stem}.py", top_level_only=stem == "cli")
        offending = {
            n
            for n in names
            if n.split(".")[0] in {"textual", "textual_serve"}
            or n in {f"coremeter.{d}" for d in DASHBOARD}
        }
        assert not offending, f"coremeter/{stem}.py imports {offending}"


def test_importing_the_engine_loads_no_textual() -> None:
    modules = ", ".join(f"coremeter.{m}" for m in ENGINE)
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if 'textual' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
