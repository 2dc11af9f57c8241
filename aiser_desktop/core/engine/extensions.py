"""DuckDB extensions loaded from the files installed with the app, never downloaded.

DuckDB 1.5.5's extensions ship as PyPI packages (``duckdb-extension-NAME``), each holding
``extensions/v1.5.5/NAME.duckdb_extension``. We find that file from the package's import spec
(which also works inside a PyInstaller bundle, where ``duckdb_extensions.import_extension`` does
not) and ``LOAD`` it by path, with auto-install switched off on every connection.

DuckDB derives an extension's entry point from its file name, and a few packages ship a file
named differently from the entry point; those are copied once under the right name into the
app's extension folder before loading.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from aiser_desktop.core.errors import ExtensionError

DUCKDB_VERSION = "1.5.5"

# Extensions compiled into the duckdb wheel: nothing to load.
BUILT_IN = frozenset({"json", "parquet", "icu", "core_functions"})

# Package file name -> the name DuckDB expects (the entry point is derived from it).
_ENTRYPOINT_NAMES = {
    "postgres": "postgres_scanner",
    "sqlite": "sqlite_scanner",
    "mysql": "mysql_scanner",
}


def extension_file(name: str) -> Path:
    """The installed file of extension ``name``.

    Raises:
        ExtensionError: The extension's package is not installed.
    """
    package = f"duckdb_extension_{name}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            f"The DuckDB extension {name!r} is not installed with this app.",
            hint=f"Install the package duckdb-extension-{name}=={DUCKDB_VERSION} "
            "(pip install 'duckdb-extension-" + name + f"=={DUCKDB_VERSION}').",
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions"
    candidates = sorted(folder.glob(f"v{DUCKDB_VERSION}/**/*.duckdb_extension"))
    if not candidates:
        raise ExtensionError(
            f"The package duckdb-extension-{name} has no file for DuckDB {DUCKDB_VERSION}.",
            hint=f"Reinstall it at version {DUCKDB_VERSION}, the version of the engine.",
        )
    return candidates[0]


def loadable_path(name: str, cache_dir: Path) -> Path:
    """The path to ``LOAD`` for extension ``name``, renamed into ``cache_dir`` if needed."""
    source = extension_file(name)
    wanted = _ENTRYPOINT_NAMES.get(name)
    if wanted is None:
        return source
    target = cache_dir / f"v{DUCKDB_VERSION}" / f"{wanted}.duckdb_extension"
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target
