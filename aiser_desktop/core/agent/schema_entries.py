"""The records of the agent's schema index: columns, tables, joins and search hits.

Plain frozen data, built by :mod:`aiser_desktop.core.agent.schema_index` from the cached
catalog and read by the rules and the tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ColumnEntry:
    """A column as the agent sees it.

    Attributes:
        table: Its table's SQL name.
        kind: "integer", "number", "text", "date", "timestamp", "boolean" or "other".
        words: The words of its name.
        distinct: Distinct values (approximate; -1 unknown).
        low: The smallest value (numbers and dates; None unknown).
        high: The largest value.
        unique: Every value differs (a key), as read.
        values: Its distinct values (text columns of modest cardinality only).
        counts: How many rows hold each of ``values`` (as read).
        values_complete: ``values`` holds every value (the whole table was read).
    """

    table: str
    name: str
    type: str
    semantic: str
    kind: str
    words: tuple[str, ...]
    distinct: int = -1
    nulls: int = -1
    low: Any = None
    high: Any = None
    unique: bool = False
    values: tuple[str, ...] = ()
    counts: tuple[int, ...] = ()
    values_complete: bool = False

    @property
    def numeric(self) -> bool:
        """A number (integer or fractional)."""
        return self.kind in ("integer", "number")

    @property
    def temporal(self) -> bool:
        """A date or a timestamp."""
        return self.kind in ("date", "timestamp")


@dataclass(frozen=True)
class TableEntry:
    """A table: its SQL name, the words of its own name, its columns and keys.

    Attributes:
        parts_range: The first and last date of its year/month/day columns, when it keeps
            dates that way (see :func:`date_parts`).
    """

    sql_name: str
    source: str
    name: str
    words: tuple[str, ...]
    row_count: int
    columns: tuple[ColumnEntry, ...]
    primary_key: tuple[str, ...] = ()
    parts_range: tuple[Any, Any] | None = None

    def column(self, name: str) -> ColumnEntry | None:
        lowered = name.lower()
        for col in self.columns:
            if col.name.lower() == lowered:
                return col
        return None


@dataclass(frozen=True)
class Join:
    """A many-to-one link: each row of ``table`` has at most one row of ``other`` with
    ``other_columns`` equal to its ``columns``.

    Attributes:
        how: "declared" (a foreign key), "name" (same column name, unique on the other
            side) or "values" (the values are contained in the other side's unique values).
    """

    table: str
    columns: tuple[str, ...]
    other: str
    other_columns: tuple[str, ...]
    how: str


@dataclass(frozen=True)
class ValueHit:
    """A column that holds a value (``value`` as stored)."""

    table: str
    column: str
    value: str
    exact: bool = True
    count: int = 0  # rows holding it, as read (0 unknown)


@dataclass(frozen=True)
class SearchHit:
    """One table or column a question is about, with its score and why."""

    table: str
    column: str | None
    score: float
    reasons: tuple[str, ...] = ()


def kind_of(dtype: str) -> str:
    """A DuckDB type in the agent's words: integer, number, text, date, timestamp, boolean
    or other."""
    upper = dtype.upper()
    if upper.startswith(("TIMESTAMP", "DATETIME")):
        return "timestamp"
    if upper.startswith("DATE"):
        return "date"
    if upper.startswith(
        (
            "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "UTINYINT",
            "USMALLINT",
            "UINTEGER",
            "UBIGINT",
            "UHUGEINT",
            "INT",
        )
    ):
        return "integer"
    if upper.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC")):
        return "number"
    if upper.startswith(("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR", "ENUM", "UUID")):
        return "text"
    if upper.startswith("BOOL"):
        return "boolean"
    return "other"
