"""A column's profile: its range, missing and distinct values, and a histogram, from DuckDB.

:func:`profile_column` works on any relation DuckDB can read (a table, a view, a registered
result), in a few scans: one for the counts and the range, one for the histogram. Numbers,
dates and times get :data:`BINS` equal-width bins; text, booleans and the rest get their most
common values. Beyond :data:`EXACT_LIMIT` rows the distinct count is DuckDB's HyperLogLog
estimate and the common values come from ``approx_top_k`` (then counted exactly), so a profile
of 100 million rows costs seconds, not a hash table of every value.

:func:`profile` runs it on a query's result, on the engine's worker, as a cancellable job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.engine.derive import ResultJob
    from aiser_desktop.core.engine.result import ResultHandle
    from aiser_desktop.core.engine.session import Engine

BINS = 20
TOP_VALUES = 10
EXACT_LIMIT = 1_000_000

_NUMBER_TYPES = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
)  # fmt: skip


@dataclass(frozen=True)
class Bin:
    """One bar of a histogram.

    Attributes:
        label: For people: the bin's lower edge, or the value.
        count: Rows in it.
        low: The lower edge (numbers, dates, times), else the value itself.
        high: The upper edge, or None for a value.
    """

    label: str
    count: int
    low: Any = None
    high: Any = None


@dataclass(frozen=True)
class ColumnProfile:
    """What one column holds.

    Attributes:
        column: The column's name.
        type: DuckDB's type name.
        kind: "number", "date", "timestamp", "text", "bool" or "other".
        rows: Rows in the relation.
        nulls: Of them, NULL.
        distinct: Distinct non-NULL values (an estimate when ``approximate``).
        approximate: True when ``distinct`` (and the common values) are estimates.
        min: The smallest value (None when every value is NULL).
        max: The largest.
        bins: Equal-width bins (``histogram == "bins"``) or the most common values
            (``histogram == "top"``).
        histogram: "bins" or "top".
        other: For "top": the non-NULL rows not in the listed values.
        seconds: How long the profile took.
    """

    column: str
    type: str
    kind: str
    rows: int
    nulls: int
    distinct: int
    approximate: bool
    min: Any
    max: Any
    bins: tuple[Bin, ...]
    histogram: str
    other: int = 0
    seconds: float = 0.0


def kind_of(duckdb_type: str) -> str:
    """The family of a DuckDB type name: number, date, timestamp, text, bool or other."""
    upper = duckdb_type.upper()
    if upper.endswith("]") or upper.startswith(("STRUCT", "MAP", "UNION")):
        return "other"
    base = upper.split("(")[0].strip()
    if base in _NUMBER_TYPES:
        return "number"
    if base == "DATE":
        return "date"
    if base.startswith("TIMESTAMP"):
        return "timestamp"
    if base in ("VARCHAR", "UUID", "ENUM") or base.startswith("ENUM"):
        return "text"
    if base == "BOOLEAN":
        return "bool"
    return "other"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def profile_column(con: DuckDBPyConnection, relation: str, column: str) -> ColumnProfile:
    """Profiles ``column`` of ``relation`` in DuckDB.

    Args:
        con: A DuckDB connection that can read ``relation``.
        relation: A table or view name, or a registered result, usable after ``FROM``.
        column: The column's name (quoted here; any text works).

    Raises:
        duckdb.Error: The relation or column does not exist.
    """
    start = time.perf_counter()
    col = _quote(column)
    described = con.execute(f"DESCRIBE SELECT {col} FROM {relation}").fetchall()
    duck_type = str(described[0][1])
    kind = kind_of(duck_type)
    # Lists and structs are compared as their text, which every aggregate understands.
    value = f"CAST({col} AS VARCHAR)" if kind == "other" else col
    finite = f"{value} IS NOT NULL" + (
        f" AND isfinite({value})" if duck_type.upper() in ("FLOAT", "DOUBLE") else ""
    )
    rows, non_null = con.execute(f"SELECT count(*), count({value}) FROM {relation}").fetchone() or (
        0,
        0,
    )
    approximate = rows > EXACT_LIMIT
    distinct_sql = f"approx_count_distinct({value})" if approximate else f"count(DISTINCT {value})"
    found = con.execute(
        f"SELECT {distinct_sql}, min({value}) FILTER ({finite}), "
        f"max({value}) FILTER ({finite}) FROM {relation}"
    ).fetchone()
    distinct, low, high = found if found is not None else (0, None, None)
    distinct = min(int(distinct or 0), int(non_null))
    if kind in ("number", "date", "timestamp") and low is not None:
        bins: tuple[Bin, ...] = _bins(con, relation, value, finite, kind, low, high)
        histogram, other = "bins", 0
    else:
        bins, other = _top(con, relation, value, int(non_null), approximate)
        histogram = "top"
    return ColumnProfile(
        column=column,
        type=duck_type,
        kind=kind,
        rows=int(rows),
        nulls=int(rows) - int(non_null),
        distinct=distinct,
        approximate=approximate,
        min=low,
        max=high,
        bins=bins,
        histogram=histogram,
        other=other,
        seconds=time.perf_counter() - start,
    )


def _bins(
    con: DuckDBPyConnection,
    relation: str,
    value: str,
    finite: str,
    kind: str,
    low: Any,
    high: Any,
) -> tuple[Bin, ...]:
    """Equal-width bins between ``low`` and ``high`` (epoch seconds for dates and times)."""
    as_number = f"epoch({value})" if kind in ("date", "timestamp") else f"CAST({value} AS DOUBLE)"
    lo, hi = _number(low), _number(high)
    span = hi - lo
    count, width = BINS, span / BINS
    whole = kind == "number" and isinstance(low, int) and isinstance(high, int)
    if span == 0:
        count, width = 1, 1.0
    elif kind == "date" or whole:
        # Whole days and whole numbers: bins of a whole number of them, so edges read well.
        unit = 86_400.0 if kind == "date" else 1.0
        units = span / unit
        step = max(1, math.ceil((units + 1) / BINS))
        count, width = int(units // step) + 1, step * unit
    found = con.execute(
        f"SELECT least(greatest(floor(({as_number} - ?) / ?), 0), ?)::BIGINT AS b, count(*) "
        f"FROM {relation} WHERE {finite} GROUP BY 1 ORDER BY 1",
        [lo, width, count - 1],
    ).fetchall()
    counts = dict.fromkeys(range(count), 0)
    for number, n in found:
        counts[int(number)] = int(n)
    out = []
    for number in range(count):
        edge = lo + number * width
        upper = hi if number == count - 1 else lo + (number + 1) * width
        out.append(
            Bin(
                _label(edge, kind, low),
                counts[number],
                _back(edge, kind, low),
                _back(upper, kind, low),
            )
        )
    return tuple(out)


def _number(value: Any) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return float(value.timestamp())
    if isinstance(value, dt.date):
        return float((value - dt.date(1970, 1, 1)).days * 86_400)
    return float(value)


def _back(edge: float, kind: str, like: Any) -> Any:
    """A bin edge in its column's own terms (a date, a time, a number)."""
    if kind == "date":
        return dt.date(1970, 1, 1) + dt.timedelta(seconds=edge)
    if kind == "timestamp":
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=edge)
        return moment if getattr(like, "tzinfo", None) else moment.replace(tzinfo=None)
    if isinstance(like, int) and float(edge).is_integer():
        return int(edge)
    return edge


def _label(edge: float, kind: str, like: Any) -> str:
    value = _back(edge, kind, like)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0 or (1e-3 <= abs(value) < 1e15):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return f"{value:.3g}" if math.isfinite(value) else str(value)


def _top(
    con: DuckDBPyConnection, relation: str, value: str, non_null: int, approximate: bool
) -> tuple[tuple[Bin, ...], int]:
    """The most common values and their counts, and the rows of all the others."""
    if approximate:
        # approx_top_k picks the values in one pass of bounded memory; counted exactly after.
        picked = con.execute(
            f"SELECT approx_top_k({value}, {TOP_VALUES}) FROM {relation}"
        ).fetchone()
        values = [v for v in (picked[0] if picked else None) or [] if v is not None]
        if not values:
            return (), non_null
        found = con.execute(
            f"SELECT {value} AS v, count(*) AS n FROM {relation} "
            f"WHERE {value} IN (SELECT unnest(?)) GROUP BY 1 ORDER BY 2 DESC, 1",
            [values],
        ).fetchall()
    else:
        found = con.execute(
            f"SELECT {value} AS v, count(*) AS n FROM {relation} WHERE {value} IS NOT NULL "
            f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP_VALUES}"
        ).fetchall()
    bins = tuple(Bin(_text(v), int(n), v) for v, n in found)
    return bins, non_null - sum(b.count for b in bins)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def profile(engine: Engine, handle: ResultHandle, column: str | int) -> ResultJob[ColumnProfile]:
    """Profiles one column of a query's result, on the engine's worker.

    The result's rows are read where they are (memory or the spilled file); the query is not
    run again.

    Args:
        engine: The engine that made ``handle``.
        handle: The result.
        column: The column's name, or its position when two columns share a name.

    Raises:
        FilterError: At once, when the result has no such column (or two of that name).
    """
    from aiser_desktop.core.engine.derive import ResultJob, column_index, on_writer

    index = column_index(handle.schema, column)
    own, name = handle.column_names[index], handle.sql_names[index]
    job: ResultJob[ColumnProfile] = ResultJob(f"Profiling {own}")

    def work(con: DuckDBPyConnection) -> ColumnProfile:
        with handle.scan(con) as relation:
            found = profile_column(con, relation, name)
        return dataclasses.replace(found, column=own)

    on_writer(engine, job, work)
    return job
