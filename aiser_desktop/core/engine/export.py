"""Writing results to files: CSV, Parquet and JSON, by DuckDB's streaming ``COPY``."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from aiser_desktop.core.errors import AiserError

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}

_COPY_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "tsv": "FORMAT csv, HEADER true, DELIMITER '\t'",
    "parquet": "FORMAT parquet",
    "json": "FORMAT json, ARRAY true",
    "ndjson": "FORMAT json",
}


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


def write_arrow(table: pa.Table, path: Path, fmt: str | None = None) -> Path:
    """Writes an Arrow table to ``path`` in the chosen format and returns the path."""
    import duckdb

    chosen = format_for(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        con.register("aiser_result", table)
        target = str(path).replace("'", "''")
        con.execute(f"COPY aiser_result TO '{target}' ({_COPY_OPTIONS[chosen]})")
    finally:
        con.close()
    return path
