"""Which category drives a change between two periods.

For a measure that adds up (a count or a sum), the change between the periods is the sum of
each segment's change, so each segment's share of the change says exactly how much of it it
explains. For an average the change splits into a *mix* effect (the segments' weights moved)
and a *rate* effect (the segments' own averages moved); each segment gets both. One grouped
query in DuckDB does the work, whatever the table's size.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.insights.common import columns_of, find_column, literal, quote

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

TOP_SEGMENTS = 10
_AGGS = ("count", "sum", "avg")


def last_two_periods(
    con: DuckDBPyConnection, relation: str, time_column: str, grain: str = "month"
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """The last two whole periods of ``grain`` in the data: ((start, end), (start, end))."""
    col = quote(time_column)
    row = con.execute(f"SELECT max({col}), max({col}) FROM {relation}").fetchone()
    if not row or row[0] is None:
        raise AiserError(f"{relation}.{time_column} has no values.", hint="Choose another table.")
    starts = con.execute(
        f"SELECT DISTINCT date_trunc('{grain}', {col}) p FROM {relation} "
        f"WHERE {col} IS NOT NULL ORDER BY p DESC LIMIT 3"
    ).fetchall()
    periods = [r[0] for r in starts]
    if len(periods) < 2:
        raise AiserError(
            f"{relation}.{time_column} spans a single {grain}.",
            hint="Give the two periods to compare, or a finer grain.",
        )
    # the last period counts only when it is whole (the data may end in its middle)
    whole = _same_length(periods[0], row[1], grain) or len(periods) < 3
    after, before = (periods[0], periods[1]) if whole else (periods[1], periods[2])
    return (before, _next(before, grain)), (after, _next(after, grain))


def _same_length(start: Any, last: Any, grain: str) -> bool:
    end = _next(start, grain)
    span = (_naive(end) - _naive(start)).total_seconds()
    covered = (_naive(last) - _naive(start)).total_seconds()
    return covered >= 0.9 * span


def _naive(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


def _next(start: Any, grain: str) -> Any:
    from aiser_desktop.core.insights.series import step

    return step(start, grain)


def compare_segments(
    con: DuckDBPyConnection,
    relation: str,
    time_column: str,
    segment: str,
    *,
    value: str | None = None,
    aggregation: str = "count",
    before: tuple[Any, Any] | None = None,
    after: tuple[Any, Any] | None = None,
    grain: str = "month",
) -> dict[str, Any]:
    """Splits the change of a measure between two periods by the values of ``segment``.

    Args:
        time_column: The date or time column that places rows in a period.
        segment: The category column (carrier, region, product...).
        value: The column measured (None: rows are counted).
        aggregation: "count", "sum" or "avg".
        before, after: The periods as (start, end), end excluded; default: the last two
            whole periods of ``grain``.

    Raises:
        AiserError: Unknown columns, an aggregation other than count, sum or avg.
    """
    if aggregation not in _AGGS:
        raise AiserError(f"There is no aggregation {aggregation!r} here.", hint=f"Use {_AGGS}.")
    columns = columns_of(con, relation)
    tcol = find_column(columns, time_column, relation)
    scol = find_column(columns, segment, relation)
    if tcol.kind not in ("date", "timestamp"):
        raise AiserError(
            f"{relation}.{tcol.name} is {tcol.type}, not a date or a time.",
            hint="Name a DATE or TIMESTAMP column.",
        )
    vcol = find_column(columns, value, relation).name if value else None
    if aggregation != "count" and vcol is None:
        raise AiserError(f"{aggregation} needs a value column.", hint="Give value=COLUMN.")
    if before is None or after is None:
        (b0, b1), (a0, a1) = last_two_periods(con, relation, tcol.name, grain)
        before, after = before or (b0, b1), after or (a0, a1)
    t, s = quote(tcol.name), quote(scol.name)
    v = quote(vcol) if vcol else "1"
    in_b = f"{t} >= {_lit(before[0])} AND {t} < {_lit(before[1])}"
    in_a = f"{t} >= {_lit(after[0])} AND {t} < {_lit(after[1])}"
    sql = (
        f"SELECT {s} AS segment, "
        f"count(*) FILTER ({in_b}) AS rows_before, count(*) FILTER ({in_a}) AS rows_after, "
        f"sum({v}) FILTER ({in_b}) AS sum_before, sum({v}) FILTER ({in_a}) AS sum_after "
        f"FROM {relation} WHERE ({in_b}) OR ({in_a}) GROUP BY 1"
    )
    rows = con.execute(sql).fetchall()
    seg = []
    for name, nb, na, sb, sa in rows:
        seg.append((name, int(nb), int(na), float(sb or 0), float(sa or 0)))
    if aggregation == "avg":
        segments, total_before, total_after = _avg_effects(seg)
    else:
        index = 1 if aggregation == "count" else 3
        total_before = sum(r[index] for r in seg)
        total_after = sum(r[index + 1] for r in seg)
        change = total_after - total_before
        segments = []
        for r in seg:
            delta = r[index + 1] - r[index]
            segments.append(
                {
                    "segment": r[0],
                    "before": r[index],
                    "after": r[index + 1],
                    "change": delta,
                    "share_of_change_pct": round(100 * delta / change, 2) if change else None,
                }
            )
    change = total_after - total_before
    # the drivers: the largest moves in the direction of the total change first
    sign = 1 if change >= 0 else -1
    segments.sort(key=lambda r: -sign * r["change"])
    top = segments[0] if segments else None
    measure = "rows" if aggregation == "count" else f"{aggregation} of {vcol}"
    return {
        "measure": measure,
        "segment_column": scol.name,
        "before": {"from": before[0], "to": before[1], "value": _round(total_before)},
        "after": {"from": after[0], "to": after[1], "value": _round(total_after)},
        "change": _round(change),
        "change_pct": round(100 * change / abs(total_before), 2) if total_before else None,
        "driver": top["segment"] if top else None,
        "segments": segments[:TOP_SEGMENTS],
        "more_segments": max(0, len(segments) - TOP_SEGMENTS),
        "sql": sql,
    }


def _avg_effects(
    seg: list[tuple[Any, int, int, float, float]],
) -> tuple[list[dict[str, Any]], float, float]:
    """Mix and rate effects of each segment on the change of an average."""
    n_b = sum(r[1] for r in seg) or 1
    n_a = sum(r[2] for r in seg) or 1
    total_before = sum(r[3] for r in seg) / n_b
    total_after = sum(r[4] for r in seg) / n_a
    out = []
    for name, nb, na, sb, sa in seg:
        avg_b = sb / nb if nb else 0.0
        avg_a = sa / na if na else avg_b
        w_b, w_a = nb / n_b, na / n_a
        rate = w_a * (avg_a - avg_b)
        mix = (w_a - w_b) * (avg_b - total_before)
        out.append(
            {
                "segment": name,
                "before": _round(avg_b),
                "after": _round(avg_a),
                "rows_before": nb,
                "rows_after": na,
                "rate_effect": _round(rate),
                "mix_effect": _round(mix),
                "change": _round(rate + mix),
            }
        )
    return out, total_before, total_after


def _lit(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return f"TIMESTAMPTZ {literal(value.isoformat())}"
        return f"TIMESTAMP {literal(value.isoformat(sep=' '))}"
    if isinstance(value, dt.date):
        return f"DATE {literal(value.isoformat())}"
    return literal(value)


def _round(value: float) -> float:
    return round(float(value), 4)
