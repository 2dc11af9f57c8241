"""Adding, listing and removing a workspace's sources.

Naming rule: a single-table source is a table named after the source (``select * from sales``);
a source with several tables is a schema (``select * from finance.budget``). A name that is
already taken, by a source, a table or a schema, is refused with a clear error rather than
overwritten.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import (
    NameClashError,
    QueryCancelledError,
    SourceError,
    SourceNotFoundError,
    missing_file,
)
from aiser_desktop.core.events import EventHub, SourcesChanged
from aiser_desktop.core.sources import registry
from aiser_desktop.core.sources.base import Connector, quote_ident, sql_string
from aiser_desktop.core.state.store import SourceRow, StateStore

log = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
RESERVED = frozenset({"main", "temp", "system", "information_schema", "pg_catalog", "memory"})


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str


@dataclass(frozen=True)
class TableInfo:
    """A queryable table.

    Attributes:
        sql_name: How to write it in SQL (``sales`` or ``finance.budget``).
        table: The table's name inside its source ("" for a single-table source).
    """

    sql_name: str
    table: str
    row_count: int
    columns: tuple[ColumnInfo, ...]


@dataclass(frozen=True)
class SourceInfo:
    name: str
    connector: str
    location: str
    created_at: datetime
    tables: tuple[TableInfo, ...]


def default_name(path: Path) -> str:
    """A SQL-friendly source name from a file name: "Sales 2024.csv" -> "sales_2024"."""
    # "Übersicht" -> "Ubersicht": letters keep their base form instead of vanishing.
    stem = unicodedata.normalize("NFKD", path.name.split(".")[0])
    stem = stem.encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", stem).strip("_").lower() or "source"
    if name[0].isdigit():
        name = f"t_{name}"
    if name in RESERVED:  # "temp.csv" must not give a name that add_file then refuses
        name = f"{name}_data"
    return name[:63]


class SourceManager:
    """The sources of one workspace: records in state.sqlite, tables in data.duckdb."""

    def __init__(self, engine: Engine, store: StateStore, hub: EventHub) -> None:
        self._engine = engine
        self._store = store
        self._hub = hub

    # ------------------------------------------------------------------ adding
    def add_file(
        self,
        path: str | Path,
        name: str | None = None,
        connector: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> SourceRow:
        """Imports a file into the workspace as a new source.

        Args:
            path: The file.
            name: The source name; derived from the file name when omitted.
            connector: A connector name; chosen from the file's suffix when omitted.
            options: Reading options for the connector (for CSV, DuckDB's ``read_csv``
                options such as ``nullstr``); kept with the source.

        Raises:
            SourceNotFoundError: The file does not exist.
            UnsupportedFormatError: No connector reads the file.
            NameClashError: The name is taken.
            SourceError: The file could not be read (the message says where).
        """
        path = Path(path).expanduser()
        if not path.exists():
            raise missing_file(path)
        conn: Connector = registry.get(connector) if connector else registry.for_path(path)
        conn.check(str(path))
        location = str(path.resolve())
        name = name or default_name(path)
        self._check_name(name)
        options = dict(options or {})
        tables = conn.tables(location, options)
        self._engine.call(
            lambda cur: self._create(cur, conn, name, location, tables, options)
        ).result()
        try:
            self._store.add_source(name, conn.name, location, tables, options)
        except Exception:
            self._engine.call(lambda cur: self._drop(cur, name, tables)).result()
            raise
        log.info("added source %s from %s", name, location)
        self._hub.publish(SourcesChanged((name,)))
        return next(s for s in self._store.sources() if s.name == name)

    def remove(self, name: str) -> None:
        """Removes a source and its tables.

        Raises:
            SourceNotFoundError: No source has that name.
        """
        row = self._find(name)
        self._engine.call(lambda cur: self._drop(cur, row.name, row.tables)).result()
        self._store.remove_source(row.name)
        self._hub.publish(SourcesChanged((row.name,)))

    # ------------------------------------------------------------------ reading
    def records(self) -> list[SourceRow]:
        """The stored source records, by name."""
        return self._store.sources()

    def catalog(self, with_counts: bool = True) -> list[SourceInfo]:
        """Every source with its tables, columns and (optionally) row counts."""
        rows = self._store.sources()
        infos: list[SourceInfo] = []
        with self._engine.cursor() as cur:
            columns: dict[tuple[str, str], list[ColumnInfo]] = {}
            for schema, table, column, dtype in cur.execute(
                "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
                "WHERE database_name = current_database() ORDER BY schema_name, table_name, "
                "column_index"
            ).fetchall():
                columns.setdefault((schema.lower(), table.lower()), []).append(
                    ColumnInfo(column, dtype)
                )
            for row in rows:
                tables = []
                for table in row.tables:
                    schema, rel = ("main", row.name) if not table else (row.name, table)
                    sql_name = _sql_name(schema, rel)
                    count = -1
                    if with_counts:
                        result = cur.execute(f"SELECT count(*) FROM {sql_name}").fetchone()
                        count = int(result[0]) if result else 0
                    cols = tuple(columns.get((schema.lower(), rel.lower()), []))
                    tables.append(TableInfo(sql_name, table, count, cols))
                infos.append(
                    SourceInfo(row.name, row.connector, row.location, row.created_at, tuple(tables))
                )
        return infos

    # ------------------------------------------------------------------ internals
    def _find(self, name: str) -> SourceRow:
        for row in self._store.sources():
            if row.name.lower() == name.lower():
                return row
        known = ", ".join(r.name for r in self._store.sources()) or "none yet"
        raise SourceNotFoundError(
            f"There is no source named {name!r}.", hint=f"Sources in this workspace: {known}."
        )

    def _check_name(self, name: str) -> None:
        if not _NAME_RE.match(name) or name.lower() in RESERVED:
            raise SourceError(
                f"{name!r} cannot be a source name.",
                hint="Use letters, digits and underscores, starting with a letter "
                "(for example sales_2024), and none of: " + ", ".join(sorted(RESERVED)) + ".",
            )
        for row in self._store.sources():
            if row.name.lower() == name.lower():
                raise NameClashError(
                    f"A source named {row.name!r} already exists (from {row.location}).",
                    hint="Choose another name with --name, or remove the existing source first.",
                )
        with self._engine.cursor() as cur:
            # The name goes in as a literal: a parameterised query makes DuckDB's Python
            # package import pandas (0.6 s) the first time.
            literal = sql_string(name.lower())
            taken = cur.execute(
                f"SELECT 'table' FROM duckdb_tables() WHERE lower(table_name) = {literal} "
                "AND schema_name = 'main' "
                f"UNION ALL SELECT 'view' FROM duckdb_views() WHERE lower(view_name) = {literal} "
                "AND schema_name = 'main' AND NOT internal "
                "UNION ALL SELECT 'schema' FROM duckdb_schemas() "
                f"WHERE lower(schema_name) = {literal}"
            ).fetchone()
        if taken:
            raise NameClashError(
                f"The name {name!r} is already used by a {taken[0]} in this workspace.",
                hint="Choose another name with --name.",
            )

    def _create(
        self,
        cur: Any,
        conn: Connector,
        name: str,
        location: str,
        tables: list[str],
        options: dict[str, Any],
    ) -> None:
        multi = tables != [""]
        try:
            cur.execute("BEGIN TRANSACTION")
            if multi:
                cur.execute(f"CREATE SCHEMA {quote_ident(name)}")
            for table in tables:
                target = _sql_name(name, table) if multi else quote_ident(name)
                scan = conn.scan_sql(location, table, options)
                cur.execute(f"CREATE TABLE {target} AS SELECT * FROM {scan}")
            cur.execute("COMMIT")
        except Exception as exc:
            cur.execute("ROLLBACK")
            error = translate(exc, "")
            if isinstance(error, QueryCancelledError):
                raise error from exc
            raise SourceError(
                f"Cannot read {location!r} as {conn.label}: {error.message}",
                hint=error.hint
                or "Check that the file is complete and in the format its name says.",
            ) from exc

    @staticmethod
    def _drop(cur: Any, name: str, tables: list[str]) -> None:
        if tables == [""]:
            cur.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
        else:
            cur.execute(f"DROP SCHEMA IF EXISTS {quote_ident(name)} CASCADE")


def _sql_name(schema: str, table: str) -> str:
    plain = re.compile(r"^[a-z_][a-z0-9_]*$")
    parts = [p if plain.match(p) else quote_ident(p) for p in (schema, table) if p]
    if parts[0] == "main" and len(parts) == 2:
        parts = parts[1:]
    return ".".join(parts)
