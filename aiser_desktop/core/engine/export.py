"""Writing a whole result to a file: CSV, TSV, Parquet, JSON, NDJSON or Excel.

DuckDB's streaming ``COPY`` does the writing. It reads the result (the Arrow table in memory, or
the spilled file of a big result) through a reader that counts the rows as DuckDB pulls them,
which gives an exact progress figure and a place to stop when the export is cancelled. The file
is written under a temporary name beside the target and renamed at the end, so a failed or
cancelled export never leaves half a file behind, nor replaces a good one.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from aiser_desktop.core.errors import AiserError, QueryCancelledError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.engine.derive import ResultJob
    from aiser_desktop.core.engine.result import ResultHandle
    from aiser_desktop.core.engine.session import Engine

log = logging.getLogger(__name__)

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "xlsx",
}

_COPY_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "tsv": "FORMAT csv, HEADER true, DELIMITER '\t'",
    "parquet": "FORMAT parquet, COMPRESSION zstd",
    "json": "FORMAT json, ARRAY true",
    "ndjson": "FORMAT json",
    "xlsx": "FORMAT xlsx, HEADER true",
}

# What a person picks from the grid's Export menu: label, format, suffix.
CHOICES = (
    ("CSV", "csv", ".csv"),
    ("Parquet", "parquet", ".parquet"),
    ("Excel", "xlsx", ".xlsx"),
    ("JSON", "json", ".json"),
)

EXCEL_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header


@dataclass(frozen=True)
class Exported:
    """A finished export.

    Attributes:
        path: The file written.
        rows: The rows in it.
        seconds: How long it took.
    """

    path: Path
    rows: int
    seconds: float


def format_for(path: Path, fmt: str | None = None) -> str:
    """The output format for ``path``: ``fmt`` if given, else from the suffix.

    Raises:
        AiserError: The suffix or format is not one we write.
    """
    chosen = fmt or FORMATS.get(path.suffix.lower())
    if chosen not in _COPY_OPTIONS:
        known = ", ".join(sorted(FORMATS))
        raise AiserError(
            f"Cannot tell which format to write to {str(path)!r}.",
            hint=f"Use one of the suffixes {known}.",
        )
    return chosen


def check_target(handle: ResultHandle, path: Path, fmt: str | None = None) -> str:
    """Checks, before any work, that ``handle`` can be written to ``path``; returns the format.

    Raises:
        AiserError: Unknown format, too many rows for Excel, or a folder that cannot be made.
    """
    chosen = format_for(path, fmt)
    if chosen == "xlsx" and handle.row_count > EXCEL_MAX_ROWS:
        raise AiserError(
            f"The result has {handle.row_count:,} rows; an Excel sheet holds at most "
            f"{EXCEL_MAX_ROWS:,}, so {str(path)!r} was not written.",
            hint="Export to CSV or Parquet instead, or filter the result first.",
        )
    if path.is_dir():
        raise AiserError(
            f"{str(path)!r} is a folder.", hint="Choose a file name inside it to export to."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AiserError(
            f"Cannot create the folder {str(path.parent)!r}: {exc.strerror}.",
            hint="Choose a folder this user can write to.",
        ) from exc
    return chosen


def _copy(
    con: DuckDBPyConnection,
    handle: ResultHandle,
    path: Path,
    fmt: str,
    on_rows: Callable[[int], None] | None = None,
) -> Exported:
    """Writes ``handle`` to ``path`` through ``con``; the caller has checked the target."""
    start = time.perf_counter()
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    done = 0

    # Two columns of one name (from a join) are written as x and x_1, as DuckDB names them.
    names = handle.sql_names
    schema = pa.schema([f.with_name(n) for f, n in zip(handle.schema, names, strict=True)])

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal done
        for batch in handle.batches(65_536):
            yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)
            done += batch.num_rows
            if on_rows is not None:
                on_rows(done)  # may raise to stop

    reader = pa.RecordBatchReader.from_batches(schema, counted())
    name = f"aiser_export_{uuid.uuid4().hex[:8]}"
    con.register(name, reader)
    target = str(partial).replace("'", "''")
    try:
        con.execute(f"COPY (SELECT * FROM {name}) TO '{target}' ({_COPY_OPTIONS[fmt]})")
        partial.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError):
            raise AiserError(
                f"Cannot write {str(path)!r}: {exc.strerror or exc}.",
                hint="Check the folder is writable and the disk has room.",
            ) from exc
        raise
    finally:
        with contextlib.suppress(Exception):
            con.unregister(name)
    return Exported(path, handle.row_count, time.perf_counter() - start)


def write_result(handle: ResultHandle, path: Path, fmt: str | None = None) -> Path:
    """Writes the whole of ``handle`` to ``path`` and waits (a private DuckDB connection).

    Raises:
        AiserError: See :func:`check_target`; or the file cannot be written.
    """
    import duckdb

    chosen = check_target(handle, path, fmt)
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    try:
        if chosen == "xlsx":
            from aiser_desktop.core.engine import extensions

            quoted = str(extensions.extension_file("excel")).replace("'", "''")
            con.execute(f"LOAD '{quoted}'")
        _copy(con, handle, path, chosen)
    finally:
        con.close()
    return path


def write_arrow(table: pa.Table, path: Path, fmt: str | None = None) -> Path:
    """Writes an Arrow table to ``path`` in the chosen format and returns the path."""
    from aiser_desktop.core.engine.result import ResultHandle

    return write_result(ResultHandle(0, "", table), path, fmt)


def export_result(
    engine: Engine, handle: ResultHandle, path: Path, fmt: str | None = None
) -> ResultJob[Exported]:
    """Exports the whole of ``handle`` (every row, not only those seen) in the background.

    It runs on a thread and DuckDB cursor of its own, so the person can go on querying; the
    job's ``progress`` is the share of rows written so far, and ``cancel()`` stops it and
    removes the partial file.

    Args:
        engine: The engine that made ``handle``.
        handle: The result.
        path: The file to write; it is replaced only once the export has succeeded.
        fmt: One of :data:`FORMATS`' values; from ``path``'s suffix if omitted.

    Raises:
        AiserError: At once, for a target that cannot be written (see :func:`check_target`).
    """
    from aiser_desktop.core.engine.derive import ResultJob, on_thread

    chosen = check_target(handle, path, fmt)
    if chosen == "xlsx":
        engine.load_extension("excel")
    job: ResultJob[Exported] = ResultJob(f"Exporting to {path.name}")
    job.progress = 0.0
    total = max(1, handle.row_count)

    def on_rows(done: int) -> None:
        job.check()
        job.progress = min(100.0, 100.0 * done / total)

    def work(con: DuckDBPyConnection) -> Exported:
        try:
            result = _copy(con, handle, path, chosen, on_rows)
        except QueryCancelledError:
            log.info("export to %s cancelled", path)
            raise
        log.info("exported %d rows to %s in %.2f s", result.rows, path, result.seconds)
        return result

    on_thread(engine, job, work)
    return job
