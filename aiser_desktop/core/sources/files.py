"""The built-in file connectors: CSV, Parquet and JSON, all read by DuckDB itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiser_desktop.core.sources.base import Connector, sql_string


class CsvConnector(Connector):
    """CSV and TSV files; DuckDB sniffs the delimiter, header and types."""

    name = "csv"
    label = "CSV file"
    suffixes = (".csv", ".tsv", ".txt")

    def scan_sql(self, location: str, table: str, options: Mapping[str, Any]) -> str:
        return f"read_csv({sql_string(location)}, auto_detect = true)"


class ParquetConnector(Connector):
    name = "parquet"
    label = "Parquet file"
    suffixes = (".parquet", ".pq")

    def scan_sql(self, location: str, table: str, options: Mapping[str, Any]) -> str:
        return f"read_parquet({sql_string(location)})"


class JsonConnector(Connector):
    """JSON arrays or objects, and newline-delimited JSON."""

    name = "json"
    label = "JSON file"
    suffixes = (".json", ".ndjson", ".jsonl")

    def scan_sql(self, location: str, table: str, options: Mapping[str, Any]) -> str:
        return f"read_json_auto({sql_string(location)})"
