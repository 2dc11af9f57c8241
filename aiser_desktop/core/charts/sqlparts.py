"""Small pieces of chart SQL shared by every kind: names, literals, axis units, filters.

Charts speak about x in *axis units*: plain numbers for a numeric x, and seconds since
1970-01-01 UTC (a float) for a date or time x, which is what a date axis in pyqtgraph uses.
A zoom's ``x_range`` comes in those units; :func:`axis_expr` turns a column into them inside
SQL and :func:`axis_literal` turns a value back into the column's own type, so a range filter
stays a plain comparison on the column and DuckDB can skip row groups by their zone maps.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from aiser_desktop.core.charts.spec import ChartFilter, ChartSpec
from aiser_desktop.core.errors import AiserError

META_PREFIX = "__aiser_"  # columns a chart query adds for bookkeeping; dropped before drawing
ROWS_IN = META_PREFIX + "rows_in"
GROUPS = META_PREFIX + "groups"

AGG_SQL = {
    "sum": "sum({})",
    "avg": "avg({})",
    "count": "count({})",
    "count_distinct": "count(DISTINCT {})",
    "min": "min({})",
    "max": "max({})",
    "median": "median({})",
}


def q(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def source_relation(source_sql: str) -> str:
    """The person's query as a subquery: its semicolon and what follows go, and a line break
    keeps a trailing ``-- comment`` from eating the closing parenthesis.

    Raises:
        AiserError: The text is empty.
    """
    from aiser_desktop.core.sql.statements import split

    statements = split(source_sql)
    if not statements:
        raise AiserError("There is no query to chart.", hint="Run a SELECT first.")
    if len(statements) > 1:
        raise AiserError(
            f"A chart is drawn from one query; this text holds {len(statements)}.",
            hint="Keep only the SELECT whose result you want to chart.",
        )
    return f"(\n{statements[0].text}\n)"


# ---------------------------------------------------------------------- column kinds
def is_time(kind: pa.DataType) -> bool:
    return bool(pa.types.is_timestamp(kind) or pa.types.is_date(kind))


def is_number(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
    )


def column_type(schema: pa.Schema | None, name: str | None) -> pa.DataType | None:
    """The type of ``name`` in ``schema`` (matched without regard to case), or None."""
    if schema is None or name is None:
        return None
    for field in schema:
        if field.name == name:
            return field.type
    lowered = name.lower()
    for field in schema:
        if field.name.lower() == lowered:
            return field.type
    return None


def axis_expr(column_sql: str, kind: pa.DataType) -> str:
    """SQL giving ``column_sql`` in axis units (DOUBLE): seconds since 1970 UTC for a time.

    Raises:
        AiserError: The column is neither a number nor a date or time.
    """
    if pa.types.is_date(kind):
        return f"(epoch_us(CAST({column_sql} AS TIMESTAMP)) / 1e6)"
    if pa.types.is_timestamp(kind):
        return f"(epoch_us({column_sql}) / 1e6)"
    if is_number(kind):
        return f"CAST({column_sql} AS DOUBLE)"
    raise AiserError(
        f"A {kind} column cannot be placed along a continuous axis.",
        hint="Choose a number, date or time column for x, or a bar chart for categories.",
    )


def axis_literal(value: float, kind: pa.DataType, *, low: bool = True) -> str:
    """A value in axis units as a literal of the column's own type, so a range filter stays a
    comparison on the bare column and DuckDB can skip row groups by their zone maps.

    Args:
        value: In axis units.
        kind: The column's type.
        low: The lower end of a range (an integer column rounds it up, the upper end down).
    """
    if is_number(kind):
        if pa.types.is_integer(kind):
            return repr(math.ceil(value) if low else math.floor(value))
        return repr(float(value))
    when = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=round(value * 1e6))
    if pa.types.is_date(kind):
        return f"DATE '{when.date().isoformat()}'"
    assert isinstance(kind, pa.TimestampType)
    text = when.isoformat(sep=" ")
    if kind.tz:
        return f"TIMESTAMPTZ '{text}+00'"
    return f"TIMESTAMP '{text}'"


def to_axis(value: Any) -> float:
    """A Python value (number, date, datetime) in axis units."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return float(value.timestamp())
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    return float(value)


# ---------------------------------------------------------------------- filters
def literal(value: Any) -> str:
    """A filter's value as a SQL literal (values are never pasted in as text)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"'{value}'::DOUBLE"
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return f"{value}"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return text_literal(value)
    raise AiserError(
        f"A chart filter cannot compare with {value!r}.",
        hint="Use a number, text, true/false, a date, or a list of those.",
    )


def filter_sql(flt: ChartFilter) -> str:
    """One filter as a SQL condition.

    Raises:
        AiserError: The value does not suit the operator (``in`` wants a list, ``between``
            two values).
    """
    column = q(flt.column)
    op = flt.op
    if op == "is null":
        return f"{column} IS NULL"
    if op == "not null":
        return f"{column} IS NOT NULL"
    if op in ("in", "not in"):
        values = flt.value if isinstance(flt.value, (list, tuple)) else [flt.value]
        if not values:
            return "false" if op == "in" else "true"
        items = ", ".join(literal(v) for v in values)
        return f"{column} {op.upper()} ({items})"
    if op == "between":
        if not isinstance(flt.value, (list, tuple)) or len(flt.value) != 2:
            raise AiserError(
                f"The filter 'between' on {flt.column!r} needs two values, got {flt.value!r}.",
                hint="Give a list of two values: [low, high].",
            )
        low, high = flt.value
        return f"{column} BETWEEN {literal(low)} AND {literal(high)}"
    return f"{column} {op} {literal(flt.value)}"


def where_sql(filters: Sequence[ChartFilter], extra: Sequence[str] = ()) -> str:
    """`` WHERE a AND b`` for the filters and any extra conditions, or the empty string."""
    parts = [f"({filter_sql(f)})" for f in filters] + [f"({e})" for e in extra]
    return " WHERE " + " AND ".join(parts) if parts else ""


def filtered(spec: ChartSpec, source_sql: str, extra: Sequence[str] = ()) -> str:
    """``SELECT * FROM (source) WHERE filters``: the rows the chart starts from."""
    return f"SELECT * FROM {source_relation(source_sql)} AS src{where_sql(spec.filters, extra)}"


def agg(spec: ChartSpec, column: str) -> str:
    """The aggregation of ``column``; "none" keeps the value (one row per x expected)."""
    if spec.aggregation == "count" and column == "count":
        return "count(*)"
    template = AGG_SQL.get(spec.aggregation)
    if template is None:
        return q(column)
    return template.format(q(column))
