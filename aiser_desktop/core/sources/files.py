"""The built-in file connectors: CSV, Parquet and JSON, all read by DuckDB itself."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from aiser_desktop.core.errors import SourceError
from aiser_desktop.core.sources.base import Connector, SourceSpec, file_pattern, sql_string

_OPTION_RE = re.compile(r"^[a-z_]+$")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return sql_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    raise SourceError(f"A reading option cannot be {value!r}.")


def _options_sql(options: Mapping[str, Any]) -> str:
    """``options`` as extra named arguments of a DuckDB reader: ", nullstr = 'NA'"."""
    for key in options:
        if not _OPTION_RE.match(key):
            raise SourceError(f"{key!r} is not a reading option.")
    return "".join(f", {key} = {_literal(value)}" for key, value in options.items())


class DuckDBFileConnector(Connector):
    """A file format DuckDB reads with a table function; reading options become its named
    arguments (``read_csv('x.csv', nullstr = ['NA'])``)."""

    reader: ClassVar[str]
    defaults: ClassVar[Mapping[str, Any]] = {}

    def scan_sql(self, spec: SourceSpec, table: str) -> str:
        arguments = {**self.defaults, **spec.options}
        return f"{self.reader}({sql_string(file_pattern(spec.location))}{_options_sql(arguments)})"


class CsvConnector(DuckDBFileConnector):
    """CSV and TSV files; DuckDB sniffs the delimiter, header and types."""

    name = "csv"
    label = "CSV file"
    suffixes = (".csv", ".tsv", ".txt")
    reader = "read_csv"
    defaults: ClassVar[Mapping[str, Any]] = {"auto_detect": True}


class ParquetConnector(DuckDBFileConnector):
    name = "parquet"
    label = "Parquet file"
    suffixes = (".parquet", ".pq")
    reader = "read_parquet"
    CHEAP_COUNT = True


class JsonConnector(DuckDBFileConnector):
    """JSON arrays or objects, and newline-delimited JSON."""

    name = "json"
    label = "JSON file"
    suffixes = (".json", ".ndjson", ".jsonl")
    reader = "read_json_auto"
