"""The agent's insight tools: profile_table, data_quality, find_anomalies, trend, forecast and
compare_segments, in the same registry as the other tools (``tools.py`` imports this module).

Each names a table as written in SQL, checked against the catalog, and runs its own SQL (made
here, from checked names) on a cursor in a read-only transaction through the guard's runner,
so it stops on cancel and on the timeout like run_sql. The numbers come back with the SQL
that gives them, so the model and the person can check them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any, Literal

from pydantic import Field

from aiser_desktop.core.agent.tools import ToolContext, _Args, tool
from aiser_desktop.core.errors import AiserError

Grain = Literal["hour", "day", "week", "month", "quarter", "year"]
Aggregation = Literal["count", "sum", "avg", "min", "max", "median", "count_distinct"]


class TableOnlyArgs(_Args):
    table: str = Field(max_length=200, description="The table, as written in SQL.")


class AnomalyArgs(_Args):
    table: str = Field(max_length=200, description="The table, as written in SQL.")
    column: str = Field(
        default="", max_length=200, description="A number column (empty: count rows over time)."
    )
    time_column: str = Field(
        default="",
        max_length=200,
        description="A date or time column: look for spikes and level shifts over time.",
    )
    method: Literal["robust_z", "iqr"] = Field(
        default="robust_z", description="For values: robust z-score or IQR fences."
    )


class SeriesArgs(_Args):
    table: str = Field(max_length=200, description="The table, as written in SQL.")
    time_column: str = Field(max_length=200, description="The date or time column.")
    value: str = Field(
        default="", max_length=200, description="The column to aggregate (empty: count rows)."
    )
    aggregation: Aggregation = Field(default="count", description="How values are aggregated.")
    grain: Grain | None = Field(default=None, description="The period (default: from the span).")


class ForecastArgs(SeriesArgs):
    horizon: int = Field(default=0, ge=0, le=366, description="Periods ahead (0: one season).")


class SegmentArgs(_Args):
    table: str = Field(max_length=200, description="The table, as written in SQL.")
    time_column: str = Field(max_length=200, description="The date or time column.")
    segment: str = Field(max_length=200, description="The category column to split by.")
    value: str = Field(
        default="", max_length=200, description="The column measured (empty: count rows)."
    )
    aggregation: Literal["count", "sum", "avg"] = Field(default="count")
    before: list[str] = Field(
        default_factory=list, max_length=2,
        description="The earlier period: [start, end) as ISO dates (empty: the last two "
        "whole months).",
    )  # fmt: skip
    after: list[str] = Field(
        default_factory=list, max_length=2, description="The later period: [start, end)."
    )


def _run(ctx: ToolContext, what: str, fn: Any) -> Any:
    return ctx.runner.read_only(fn, sql=what)


def _column(ctx: ToolContext, table: str, name: str) -> str:
    info = ctx.table(table)
    for c in info.columns:
        if c.name.lower() == name.lower():
            return c.name
    raise AiserError(
        f"The table {info.sql_name} has no column {name!r}.",
        hint=f"Columns: {', '.join(c.name for c in info.columns)}.",
    )


@tool
def profile_table(ctx: ToolContext, args: TableOnlyArgs) -> dict[str, Any]:
    """Every column of a table: type, missing and distinct values, range, quantiles or top
    values."""
    from aiser_desktop.core.insights.profile_table import profile_table as profile

    info = ctx.table(args.table)
    rows = info.row_count if info.row_count >= 0 else None
    found = _run(
        ctx, f"profile {info.sql_name}", lambda cur: profile(cur, info.sql_name, rows=rows)
    )
    return found.to_json()  # type: ignore[no-any-return]


@tool
def data_quality(ctx: ToolContext, args: TableOnlyArgs) -> dict[str, Any]:
    """Data-quality problems of a table: duplicate rows and keys, missing keys, outliers,
    impossible values (negative ages, future dates), broken foreign keys."""
    from aiser_desktop.core.insights.quality import data_quality as check

    info = ctx.table(args.table)
    others = [t for s in ctx.catalog if not s.status for t in s.tables]
    found = _run(
        ctx, f"data quality of {info.sql_name}",
        lambda cur: check(cur, info.sql_name, info=info, others=others),
    )  # fmt: skip
    data = found.to_json()
    data["issues"] = data["issues"][:25]
    return data  # type: ignore[no-any-return]


@tool
def find_anomalies(ctx: ToolContext, args: AnomalyArgs) -> dict[str, Any]:
    """Unusual values of a number column (robust z-score or IQR), or, with a time column,
    spikes and level shifts over time."""
    from aiser_desktop.core.insights import anomalies
    from aiser_desktop.core.insights.series import time_series

    info = ctx.table(args.table)
    column = _column(ctx, args.table, args.column) if args.column else None
    if args.time_column:
        when = _column(ctx, args.table, args.time_column)
        aggregation = "sum" if column else "count"
        return _run(  # type: ignore[no-any-return]
            ctx, f"anomalies of {info.sql_name}",
            lambda cur: anomalies.series_anomalies(
                time_series(cur, info.sql_name, when, column, aggregation)
            ),
        )  # fmt: skip
    if column is None:
        raise AiserError(
            "find_anomalies needs a column, a time_column, or both.",
            hint="Give column (a number) for unusual values, time_column for spikes over time.",
        )
    found = _run(
        ctx, f"anomalies of {info.sql_name}.{column}",
        lambda cur: anomalies.value_anomalies(cur, info.sql_name, column, args.method),
    )  # fmt: skip
    return asdict(found)


def _series(ctx: ToolContext, args: SeriesArgs, cur: Any) -> Any:
    from aiser_desktop.core.insights.series import time_series

    info = ctx.table(args.table)
    when = _column(ctx, args.table, args.time_column)
    value = _column(ctx, args.table, args.value) if args.value else None
    return time_series(cur, info.sql_name, when, value, args.aggregation, args.grain)


@tool
def trend(ctx: ToolContext, args: SeriesArgs) -> dict[str, Any]:
    """The trend of a measure over time: direction (Mann-Kendall), growth rates and seasonality."""
    from aiser_desktop.core.insights.trend import trend as measure

    return _run(  # type: ignore[no-any-return]
        ctx, f"trend of {args.table}", lambda cur: measure(_series(ctx, args, cur))
    )


@tool
def forecast(ctx: ToolContext, args: ForecastArgs) -> dict[str, Any]:
    """A forecast of a measure over time (Holt-Winters or seasonal naive) with prediction
    intervals and its backtest error."""
    from aiser_desktop.core.insights.forecast import forecast as predict

    return _run(  # type: ignore[no-any-return]
        ctx, f"forecast of {args.table}",
        lambda cur: predict(_series(ctx, args, cur), args.horizon or None),
    )  # fmt: skip


@tool
def compare_segments(ctx: ToolContext, args: SegmentArgs) -> dict[str, Any]:
    """Which category drives the change of a measure between two periods (each segment's
    share of the change)."""
    from aiser_desktop.core.insights.segments import compare_segments as compare

    info = ctx.table(args.table)
    when = _column(ctx, args.table, args.time_column)
    segment = _column(ctx, args.table, args.segment)
    value = _column(ctx, args.table, args.value) if args.value else None
    before, after = _period(args.before, "before"), _period(args.after, "after")
    return _run(  # type: ignore[no-any-return]
        ctx, f"segments of {info.sql_name}",
        lambda cur: compare(cur, info.sql_name, when, segment, value=value,
                            aggregation=args.aggregation, before=before, after=after),
    )  # fmt: skip


def _period(values: list[str], name: str) -> tuple[dt.date, dt.date] | None:
    if not values:
        return None
    try:
        start, end = (dt.date.fromisoformat(v[:10]) for v in values)
    except ValueError:
        raise AiserError(
            f"{name} must be two ISO dates [start, end), not {values!r}.",
            hint='For example ["2013-11-01", "2013-12-01"].',
        ) from None
    return start, end
