"""A time series from a table: one value per period, aggregated in DuckDB.

The table may have millions of rows; the series has at most a few thousand points (DuckDB does
the grouping), and only those reach numpy. The grain is chosen from the time span so that the
series has enough points to show a pattern but not so many that a day's noise hides it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.insights.common import columns_of, find_column, quote

if TYPE_CHECKING:
    import numpy as np
    from duckdb import DuckDBPyConnection

GRAINS = ("hour", "day", "week", "month", "quarter", "year")
SEASON = {"hour": 24, "day": 7, "week": 52, "month": 12, "quarter": 4, "year": 1}
AGGREGATIONS = ("count", "sum", "avg", "min", "max", "median", "count_distinct")
MAX_POINTS = 5000


@dataclass(frozen=True)
class Series:
    """Values by period.

    Attributes:
        periods: The start of each period (dates or datetimes), in order, without gaps
            (missing periods are filled with 0 for counts and sums, else carried over).
        values: One float per period.
        grain: "hour", "day", "week", "month", "quarter" or "year".
        measure: What was aggregated, in words ("count of rows", "sum of amount").
        sql: The query that gives the series (period, value).
        season: Periods per season (7 for days, 12 for months...).
        complete: False when the last period looks cut short (fewer days than the others).
    """

    periods: list[Any]
    values: np.ndarray
    grain: str
    measure: str
    sql: str
    time_column: str
    value_name: str
    season: int

    def __len__(self) -> int:
        return len(self.periods)


def choose_grain(low: Any, high: Any) -> str:
    """A grain giving roughly 30 to 1,500 points over ``low`` .. ``high``."""
    if low is None or high is None:
        return "day"
    span = _as_datetime(high) - _as_datetime(low)
    days = span.total_seconds() / 86_400
    if days <= 7:
        return "hour"
    if days <= 1500:
        return "day"
    if days <= 365 * 12:
        return "month"
    if days <= 365 * 40:
        return "quarter"
    return "year"


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise AiserError(f"{value!r} is not a date or a time.", hint="Choose a date or time column.")


def series_sql(
    relation: str,
    time_column: str,
    grain: str,
    value: str | None = None,
    aggregation: str = "count",
    where: str = "",
) -> tuple[str, str]:
    """The SQL of a series and its value column's name."""
    if aggregation not in AGGREGATIONS:
        raise AiserError(
            f"There is no aggregation {aggregation!r}.", hint=f"Use one of {AGGREGATIONS}."
        )
    if grain not in GRAINS:
        raise AiserError(f"There is no grain {grain!r}.", hint=f"Use one of {GRAINS}.")
    period = f"date_trunc('{grain}', {quote(time_column)})"
    if value is None or aggregation == "count":
        expr, name = "count(*)", "rows"
    elif aggregation == "count_distinct":
        expr, name = f"count(DISTINCT {quote(value)})", f"distinct_{value}"
    else:
        expr, name = f"{aggregation}({quote(value)})", f"{aggregation}_{value}"
    filters = f"{quote(time_column)} IS NOT NULL" + (f" AND ({where})" if where else "")
    sql = (
        f"SELECT {period} AS period, {expr} AS {quote(name)} FROM {relation} "
        f"WHERE {filters} GROUP BY 1 ORDER BY 1"
    )
    return sql, name


def time_series(
    con: DuckDBPyConnection,
    relation: str,
    time_column: str,
    value: str | None = None,
    aggregation: str = "count",
    grain: str | None = None,
    where: str = "",
) -> Series:
    """Aggregates ``relation`` by period of ``time_column``.

    Args:
        value: The column to aggregate (None: count rows).
        aggregation: One of :data:`AGGREGATIONS`.
        grain: One of :data:`GRAINS`; chosen from the time span when None.
        where: A condition on the rows (SQL), or "".

    Raises:
        AiserError: An unknown column, or a time column that is not a date or a time, or
            more than :data:`MAX_POINTS` periods.
    """
    import numpy as np

    columns = columns_of(con, relation)
    column = find_column(columns, time_column, relation)
    if column.kind not in ("date", "timestamp"):
        raise AiserError(
            f"{relation}.{column.name} is {column.type}, not a date or a time.",
            hint="Name a DATE or TIMESTAMP column (cast it in a view if it is text).",
        )
    if value is not None:
        value = find_column(columns, value, relation).name
    if grain is None:
        row = con.execute(
            f"SELECT min({quote(column.name)}), max({quote(column.name)}) FROM {relation}"
        ).fetchone()
        grain = choose_grain(*(row or (None, None)))
    sql, name = series_sql(relation, column.name, grain, value, aggregation, where)
    rows = con.execute(sql + f" LIMIT {MAX_POINTS + 1}").fetchall()
    if len(rows) > MAX_POINTS:
        raise AiserError(
            f"{relation}.{column.name} spans more than {MAX_POINTS:,} {grain}s.",
            hint="Choose a coarser grain (week, month, quarter or year).",
        )
    periods, values = _fill(rows, grain, aggregation)
    measure = "rows" if value is None or aggregation == "count" else f"{aggregation} of {value}"
    return Series(
        periods=periods,
        values=np.asarray(values, dtype=float),
        grain=grain,
        measure=measure,
        sql=sql,
        time_column=column.name,
        value_name=name,
        season=SEASON[grain],
    )


def _fill(
    rows: list[tuple[Any, Any]], grain: str, aggregation: str
) -> tuple[list[Any], list[float]]:
    """Periods without rows filled in: 0 for counts and sums, the last value otherwise."""
    if not rows:
        return [], []
    zero = aggregation in ("count", "sum", "count_distinct")
    by_period = {_key(p): (p, v) for p, v in rows}
    out_p: list[Any] = []
    out_v: list[float] = []
    current = rows[0][0]
    last = rows[-1][0]
    previous = 0.0
    while _key(current) <= _key(last) and len(out_p) <= MAX_POINTS:
        found = by_period.get(_key(current))
        if found is not None and found[1] is not None:
            value = float(found[1])
        else:
            value = 0.0 if zero else previous
        out_p.append(found[0] if found is not None else current)
        out_v.append(value)
        previous = value
        current = step(current, grain)
    return out_p, out_v


def _key(value: Any) -> dt.datetime:
    return _as_datetime(value)


def step(value: Any, grain: str, n: int = 1) -> Any:
    """The start of the period ``n`` periods after ``value``."""
    if grain in ("hour", "day", "week"):
        delta = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1),
                 "week": dt.timedelta(days=7)}[grain]  # fmt: skip
        if grain == "hour" and not isinstance(value, dt.datetime):
            value = _as_datetime(value)
        return value + delta * n
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * n
    total = value.year * 12 + value.month - 1 + months
    return value.replace(year=total // 12, month=total % 12 + 1, day=1)
