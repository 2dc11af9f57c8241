"""The layering rules, checked in a fresh interpreter (Harlequin's test_import_hygiene).

import-linter checks the static imports; these tests check what actually lands in
``sys.modules``, which also catches imports hidden in functions run at import time.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import aiser_desktop.core

FORBIDDEN_IN_CORE = ("PySide6", "shiboken6", "pyqtgraph", "fastapi", "uvicorn")


def _core_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(aiser_desktop.core.__path__, "aiser_desktop.core.")
        if ".migrations" not in m.name  # Alembic runs those files itself, by path
    )


def _loaded_after(statements: str) -> set[str]:
    code = f"import sys, json\n{statements}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}


def test_every_core_module_imports_without_qt_or_server_libraries() -> None:
    modules = _core_modules()
    assert "aiser_desktop.core.engine.session" in modules  # the walk found the tree
    code = (
        "import importlib, sys, json\n"
        f"bad = {FORBIDDEN_IN_CORE!r}\n"
        "found = {}\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    hit = sorted(m for m in sys.modules if m.split('.')[0] in bad)\n"
        "    if hit: found[name] = hit; break\n"
        "print(json.dumps(found))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert json.loads(out) == {}


def test_version_does_not_load_heavy_libraries() -> None:
    loaded = _loaded_after("from aiser_desktop.cli import main\nmain(['--version'])")
    assert not loaded & {"duckdb", "pyarrow", "PySide6", "sqlalchemy", "alembic", "pandas"}


def test_headless_query_does_not_load_qt() -> None:
    loaded = _loaded_after(
        "from aiser_desktop.cli import main\n"
        "import tempfile\n"
        "main(['query', 'select 1', '--workspace', tempfile.mkdtemp()])"
    )
    assert "duckdb" in loaded  # the query really ran
    assert not loaded & {"PySide6", "shiboken6", "pyqtgraph", "pandas"}
