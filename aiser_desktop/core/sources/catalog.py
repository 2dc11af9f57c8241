"""The cached catalog: every source's tables, columns, keys and row counts.

It is built when a source is added or refreshed and kept in state.sqlite, so the app starts
offline knowing every source's schema at once, without touching a file or a database. The
records here are what the sources tree, autocomplete, the agent and ``aiser sources --json``
read.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.sources.base import Connector, SourceSpec, TableKeys, quote_ident
from aiser_desktop.core.sources.semantic_types import infer_semantic_types

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.state.store import SourceRow

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class ColumnInfo:
    """A column: its DuckDB type, and what it holds in words ("date", "currency", "id",
    "category", "email", "geo"; "" when nothing more is known)."""

    name: str
    type: str
    semantic: str = ""


@dataclass(frozen=True)
class ForeignKeyInfo:
    columns: tuple[str, ...]
    references: str  # the referenced table's sql_name
    references_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableInfo:
    """A queryable table.

    Attributes:
        sql_name: How to write it in SQL (``sales`` or ``finance.budget``).
        table: The table's name inside its source ("" for a single-table source).
        row_count: Rows, or -1 when counting would read the whole source (a linked CSV).
    """

    sql_name: str
    table: str
    row_count: int
    columns: tuple[ColumnInfo, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKeyInfo, ...] = ()


@dataclass(frozen=True)
class SourceInfo:
    """A source with its cached tables.

    Attributes:
        mode: "linked" or "imported".
        refreshed_at: When its data was last copied in (None for a linked source).
        status: "" when usable; otherwise why not (a database that did not answer).
    """

    name: str
    connector: str
    location: str
    created_at: datetime
    tables: tuple[TableInfo, ...]
    mode: str = "imported"
    network: bool = False
    refreshed_at: datetime | None = None
    status: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["refreshed_at"] = self.refreshed_at.isoformat() if self.refreshed_at else None
        return data


@cache
def _keywords() -> frozenset[str]:
    """DuckDB's reserved words: a table called ``order`` must be written ``"order"``."""
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category <> 'unreserved'"
        ).fetchall()
    return frozenset(str(r[0]) for r in rows)


def needs_quotes(name: str) -> bool:
    return not _PLAIN.match(name) or name in _keywords()


def sql_name(schema: str, table: str) -> str:
    """``schema.table`` as written in SQL, quoted only where needed; ``main`` is left out."""
    parts = [quote_ident(p) if needs_quotes(p) else p for p in (schema, table) if p]
    if parts[0] == "main" and len(parts) == 2:
        parts = parts[1:]
    return ".".join(parts)


def table_sql_name(source: str, table: str) -> str:
    """The SQL name of ``table`` of source ``source`` ("" for a single-table source)."""
    return sql_name("main", source) if not table else sql_name(source, table)


def describe(
    con: DuckDBPyConnection,
    connector: Connector,
    spec: SourceSpec,
    tables: list[str],
    *,
    count: bool,
) -> list[dict[str, Any]]:
    """Catalog entries (plain JSON data) for ``tables`` of a source already in the session.

    Args:
        count: Count rows (only where counting is cheap: imported tables, Parquet).
    """
    keys: dict[str, TableKeys] = {k.table: k for k in connector.keys(con, spec)}
    entries: list[dict[str, Any]] = []
    for table in tables:
        name = table_sql_name(spec.name, table)
        described = con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
        columns = [(str(row[0]), str(row[1])) for row in described]
        semantic = infer_semantic_types(con, name, columns)
        rows = -1
        if count:
            result = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            rows = int(result[0]) if result else 0
        key = keys.get(table)
        entries.append(
            {
                "table": table,
                "sql_name": name,
                "row_count": rows,
                "columns": [
                    {"name": c, "type": t, "semantic": semantic.get(c, "")} for c, t in columns
                ],
                "primary_key": list(key.primary_key) if key else [],
                "foreign_keys": [
                    {
                        "columns": list(fk.columns),
                        "references": table_sql_name(spec.name, fk.references_table),
                        "references_columns": list(fk.references_columns),
                    }
                    for fk in (key.foreign_keys if key else ())
                ],
            }
        )
    return entries


def source_info(row: SourceRow, status: str = "") -> SourceInfo:
    """A stored source and its cached catalog as a :class:`SourceInfo`."""
    tables = []
    for entry in row.catalog:
        tables.append(
            TableInfo(
                sql_name=str(entry["sql_name"]),
                table=str(entry["table"]),
                row_count=int(entry.get("row_count", -1)),
                columns=tuple(
                    ColumnInfo(str(c["name"]), str(c["type"]), str(c.get("semantic", "")))
                    for c in entry.get("columns", [])
                ),
                primary_key=tuple(entry.get("primary_key", [])),
                foreign_keys=tuple(
                    ForeignKeyInfo(
                        tuple(fk["columns"]),
                        str(fk["references"]),
                        tuple(fk["references_columns"]),
                    )
                    for fk in entry.get("foreign_keys", [])
                ),
            )
        )
    return SourceInfo(
        name=row.name,
        connector=row.connector,
        location=row.location,
        created_at=row.created_at,
        tables=tuple(tables),
        mode=row.mode,
        network=row.network,
        refreshed_at=row.refreshed_at,
        status=status,
    )
