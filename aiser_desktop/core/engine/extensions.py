"""DuckDB extensions loaded from the files installed with the app, never downloaded.

DuckDB 1.5.5's extensions ship as PyPI packages (``duckdb-extension-NAME``), each holding
``extensions/v1.5.5/NAME.duckdb_extension``. We find that file from the package's import spec
(which also works inside a PyInstaller bundle, where ``duckdb_extensions.import_extension`` does
not) and ``LOAD`` it by path, with auto-install switched off on every connection.

DuckDB derives an extension's entry point from its file name, and a few packages ship a file
named differently from the entry point; those are copied once under the right name into the
app's extension folder before loading.

The one-folder bundle (``make package``) ships each file zstd-compressed
(``NAME.duckdb_extension.zst`` with a ``.json`` of its size and SHA-256): about a quarter of
the size. The first time one is needed it is unpacked into the app's data folder, checked
against its SHA-256, and used from there ever after.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from pathlib import Path

from aiser_desktop.core.errors import ExtensionError

DUCKDB_VERSION = "1.5.5"

# Extensions compiled into the duckdb wheel: nothing to load.
PACK_LEVEL = 9  # zstd level for the bundle's extension files

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
        packed = sorted(folder.glob(f"v{DUCKDB_VERSION}/**/*.duckdb_extension.zst"))
        if packed:
            return _unpacked(packed[0])
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


def _unpacked(packed: Path) -> Path:
    """The file a bundle's compressed extension unpacks to (unpacked once, then reused).

    Raises:
        ExtensionError: The compressed file or its record is damaged.
    """
    import pyarrow as pa

    from aiser_desktop.core.config import data_dir

    try:
        record = json.loads(packed.with_name(packed.name + ".json").read_text())
        size, digest = int(record["size"]), str(record["sha256"])
    except (OSError, ValueError, KeyError) as exc:
        raise ExtensionError(
            f"The bundled DuckDB extension {packed.name} has no readable record.",
            hint="The bundle is damaged: copy the aiser folder again.",
        ) from exc
    target = data_dir() / "extensions" / f"v{DUCKDB_VERSION}" / packed.name.removesuffix(".zst")
    if target.exists() and target.stat().st_size == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    sha = hashlib.sha256()
    with pa.CompressedInputStream(str(packed), "zstd") as src, tmp.open("wb") as out:
        while chunk := src.read(1 << 22):
            sha.update(chunk)
            out.write(chunk)
    if sha.hexdigest() != digest:
        tmp.unlink(missing_ok=True)
        raise ExtensionError(
            f"The bundled DuckDB extension {packed.name} does not match its checksum.",
            hint="The bundle is damaged: copy the aiser folder again.",
        )
    tmp.replace(target)
    return target


def pack(source: Path, target_dir: Path) -> Path:
    """Writes ``source`` zstd-compressed into ``target_dir``, with its size and SHA-256 beside it
    (what :func:`extension_file` unpacks; used by packaging/aiser.spec)."""
    import pyarrow as pa

    target_dir.mkdir(parents=True, exist_ok=True)
    packed = target_dir / f"{source.name}.zst"
    data = source.read_bytes()
    # One zstd frame at a high level: packing runs once, at build time; unpacking streams it.
    packed.write_bytes(pa.Codec("zstd", compression_level=PACK_LEVEL).compress(data).to_pybytes())
    record = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    packed.with_name(packed.name + ".json").write_text(json.dumps(record))
    return packed
