"""Lake tables: Delta and Iceberg, read by DuckDB's delta and iceberg extensions.

A lake table is a folder of Parquet files plus a log (Delta's ``_delta_log``) or metadata files
(Iceberg's ``metadata/*.metadata.json``) that say which files make up the current version.
DuckDB reads both directly, so a lake is linked by default (a view over ``delta_scan`` or
``iceberg_scan``, nothing copied) and imported on request.

Object storage (``s3://``, ``gs://``) works the same way once the person allowed the network for
the source; httpfs is then loaded and a password (the secret access key) becomes a temporary
DuckDB secret for that bucket only.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import AiserError, SourceError, missing_file
from aiser_desktop.core.security import secrets
from aiser_desktop.core.sources.base import (
    Connector,
    Kind,
    SourceSpec,
    format_suffix,
    sql_string,
    url_scheme,
)
from aiser_desktop.core.sources.web import OBJECT_STORE_SCHEMES, prepare_object_store

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

_METADATA_SUFFIX = ".metadata.json"
# "00003-1f0c….metadata.json" (pyiceberg, Java catalogs) or "v3.metadata.json" (Hadoop tables).
_VERSION_RE = re.compile(r"^v?(\d+)")
_FILE_RE = re.compile(r'(?:file|File) "?([^"]+?)"?(?::|$| )')


def _is_remote(location: str) -> bool:
    return url_scheme(location) in OBJECT_STORE_SCHEMES


def _first_line(text: str) -> str:
    # Delta kernel errors carry a Rust backtrace after the first line.
    return text.strip().splitlines()[0] if text.strip() else text


class _LakeConnector(Connector):
    """What Delta and Iceberg share: a folder (or a bucket URL) holding one table."""

    KIND = Kind.LAKE
    # A Delta folder is also a folder of Parquet files: the lake reading must win.
    PRIORITY = 10
    # Counting reads only the log and the Parquet footers (or Iceberg's manifests).
    CHEAP_COUNT = True
    schemes = OBJECT_STORE_SCHEMES

    def tables(self, con: DuckDBPyConnection, spec: SourceSpec) -> list[str]:
        if _is_remote(spec.location):
            prepare_object_store(con, spec)
        return [""]

    def attach(self, con: DuckDBPyConnection, spec: SourceSpec) -> None:
        # Not called for lakes today (they do not ATTACH); kept so that a linked lake on
        # object storage gets its credentials back if the manager re-attaches every linked
        # source when a workspace opens.
        if _is_remote(spec.location):
            prepare_object_store(con, spec)

    def _message(self, spec: SourceSpec, exc: Exception) -> str:
        error = exc if isinstance(exc, AiserError) else translate(exc, "")
        return secrets.redact(_first_line(error.message), spec.secret)


class DeltaConnector(_LakeConnector):
    """A Delta Lake table: a folder holding ``_delta_log``."""

    name = "delta"
    label = "Delta table"
    EXTENSIONS = ("delta",)

    def accepts(self, location: str) -> bool:
        if url_scheme(location):
            # A bucket folder ("s3://lake/sales/") rather than a file is taken for a Delta
            # table; an Iceberg table on object storage is given by its metadata file.
            path = urlsplit(location).path
            return _is_remote(location) and not format_suffix(Path(path))
        return (Path(location) / "_delta_log").is_dir()

    def check(self, spec: SourceSpec) -> None:
        if _is_remote(spec.location):
            return
        folder = Path(spec.location)
        if not folder.exists():
            raise missing_file(folder, "folder")
        log = folder / "_delta_log"
        if not log.is_dir():
            raise SourceError(
                f"{str(folder)!r} is not a Delta table: it has no _delta_log folder.",
                hint="Choose the table's own folder (the one that holds _delta_log), or add "
                "its Parquet files with the Parquet connector.",
            )
        if not any(p.suffix in (".json", ".parquet") for p in log.iterdir()):
            raise SourceError(
                f"The Delta table {str(folder)!r} has no commits: {str(log)!r} is empty.",
                hint="Copy the whole table folder again, including the files in _delta_log.",
            )

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        return f"delta_scan({sql_string(spec.location.rstrip('/'))})"

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        message = self._message(spec, exc)
        where = secrets.redact(spec.location, spec.secret)
        missing = _FILE_RE.search(message)
        if "Cannot open file" in message and missing:
            return SourceError(
                f"A data file of the Delta table {where!r} is missing: {missing.group(1)!r}.",
                hint="The table's log names a file that is gone (a partial copy, or files "
                "removed by hand). Copy the whole table folder again.",
            )
        damaged = re.search(r"'([^']+)'", message)
        if "magic bytes" in message and damaged:
            return SourceError(
                f"A data file of the Delta table {where!r} is damaged (not a complete "
                f"Parquet file): {damaged.group(1)!r}.",
                hint="Copy the table folder again, or restore the file from a backup.",
            )
        if "DeltaKernel" in message:
            detail = message.split(": ", 1)[-1]
            if "log segment" in message or "Json error" in message:
                what = "its _delta_log folder is damaged or incomplete"
                hint = "Copy the whole table folder again, including _delta_log."
            else:
                what = "the Delta reader refused it"
                hint = "Check that the folder is a complete Delta table."
            return SourceError(
                f"Cannot read the Delta table {where!r}: {what} ({detail}).", hint=hint
            )
        return None


class IcebergConnector(_LakeConnector):
    """An Iceberg table: its folder (``metadata/*.metadata.json`` and ``data/``), or one of its
    metadata files to read that version.

    Tables written through a catalog (pyiceberg's SqlCatalog, say) have no ``version-hint.text``,
    so the newest metadata file is found here and named to DuckDB; the table is then read as of
    that version until the source is refreshed. A table with a version hint is followed by
    DuckDB itself, so a linked one shows new commits at once.
    """

    name = "iceberg"
    label = "Iceberg table"
    # iceberg reads its manifests with the avro extension.
    EXTENSIONS = ("avro", "iceberg")

    def accepts(self, location: str) -> bool:
        if url_scheme(location):
            return _is_remote(location) and urlsplit(location).path.endswith(_METADATA_SUFFIX)
        path = Path(location)
        if path.is_file():
            return path.name.endswith(_METADATA_SUFFIX)
        if path.name == "metadata":  # the table's metadata folder stands for the table
            path = path.parent
        return path.is_dir() and any((path / "metadata").glob(f"*{_METADATA_SUFFIX}"))

    def check(self, spec: SourceSpec) -> None:
        if _is_remote(spec.location):
            return
        path = Path(spec.location)
        if not path.exists():
            raise missing_file(path, "folder")
        self._resolve(path)

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        if _is_remote(spec.location):
            return f"iceberg_scan({sql_string(spec.location)})"
        folder, metadata, pinned = self._resolve(Path(spec.location))
        arguments: dict[str, Any] = {}
        if pinned or not (folder / "metadata" / "version-hint.text").is_file():
            arguments["version"] = metadata.name[: -len(_METADATA_SUFFIX)]
        if metadata.name.endswith(".gz" + _METADATA_SUFFIX):
            arguments["metadata_compression_codec"] = "gzip"
        if _moved(folder, metadata):
            # The files name their absolute paths where the table was written.
            arguments["allow_moved_paths"] = True
        extra = "".join(
            f", {key} = {value if isinstance(value, bool) else sql_string(str(value))}"
            for key, value in arguments.items()
        )
        return f"iceberg_scan({sql_string(str(folder))}{extra})"

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        message = self._message(spec, exc)
        where = secrets.redact(spec.location, spec.secret)
        missing = _FILE_RE.search(message)
        if "Cannot open file" in message and missing:
            return SourceError(
                f"A file of the Iceberg table {where!r} is missing: {missing.group(1)!r}.",
                hint="Copy the whole table folder again (metadata and data), or restore the "
                "missing file.",
            )
        if _is_remote(spec.location) and "version" in message.lower():
            return SourceError(
                f"Cannot find the current version of the Iceberg table {where!r}: {message}",
                hint="Give the URL of the table's newest metadata file "
                "(…/metadata/NNNNN-….metadata.json).",
            )
        return None

    @staticmethod
    def _resolve(path: Path) -> tuple[Path, Path, bool]:
        """The table folder, the metadata file to read, and whether the person chose that
        file (rather than the newest).

        Raises:
            SourceError: No metadata file is there.
        """
        if path.is_file():
            if not path.name.endswith(_METADATA_SUFFIX):
                raise SourceError(
                    f"{str(path)!r} is not an Iceberg metadata file (*.metadata.json).",
                    hint="Choose the table's folder, or a file in its metadata folder.",
                )
            return path.parent.parent, path, True
        folder = path.parent if path.name == "metadata" else path
        found = list((folder / "metadata").glob(f"*{_METADATA_SUFFIX}"))
        if not found:
            raise SourceError(
                f"{str(folder)!r} is not an Iceberg table: it has no "
                "metadata/*.metadata.json file.",
                hint="Choose the table's own folder (the one holding metadata/ and data/).",
            )
        return folder, max(found, key=_version_key), False


def _version_key(path: Path) -> tuple[int, float]:
    match = _VERSION_RE.match(path.name)
    return (int(match.group(1)) if match else -1, path.stat().st_mtime)


def _moved(folder: Path, metadata: Path) -> bool:
    """True when the table was written somewhere else than where it is now."""
    opener: Any = gzip.open if metadata.name.endswith(".gz" + _METADATA_SUFFIX) else open
    try:
        with opener(metadata, "rt", encoding="utf-8") as handle:
            recorded = str(json.load(handle).get("location", ""))
    except (OSError, ValueError) as exc:
        raise SourceError(
            f"The Iceberg metadata file {str(metadata)!r} cannot be read: {exc}.",
            hint="Copy the table folder again, or choose an older *.metadata.json file.",
        ) from exc
    if url_scheme(recorded) and url_scheme(recorded) != "file":
        return True
    written = urlsplit(recorded).path if recorded.startswith("file:") else recorded
    try:
        return Path(written).resolve() != folder.resolve()
    except OSError:
        return True
