"""A whole table's profile in one scan: per column its type, missing and distinct values,
range and distribution (quantiles for numbers, the commonest values for text and the rest).

One aggregate query covers every column (DuckDB computes them in parallel in a single pass),
instead of a query per statistic per column; distinct counts are HyperLogLog estimates and
quantiles come from a reservoir of 8,192 values per column (``reservoir_quantile``: ten times
cheaper than the t-digest of ``approx_quantile``, and as good for a histogram's or an outlier
fence's purpose), so memory stays flat whatever the size. Tables beyond
``common.SAMPLE_ABOVE`` rows are profiled on a sample, and the profile says so.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.insights.common import (
    Column,
    Scope,
    columns_of,
    literal,
    quote,
    screened,
)

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

QUANTILES = (0.01, 0.25, 0.5, 0.75, 0.99)
TOP = 5


@dataclass(frozen=True)
class ColumnSummary:
    """One column, as the profile saw it.

    Attributes:
        nulls: Missing values (in the rows read); ``null_share`` the same in percent.
        distinct: Distinct non-missing values (an estimate).
        quantiles: p1, p25, p50, p75, p99 (numbers), else empty.
        top: The commonest values with their counts (text, booleans), else empty.
    """

    name: str
    type: str
    kind: str
    nulls: int
    null_share: float
    distinct: int
    min: Any
    max: Any
    mean: float | None = None
    std: float | None = None
    quantiles: tuple[Any, ...] = ()
    top: tuple[tuple[Any, int], ...] = ()


@dataclass(frozen=True)
class TableProfile:
    """A table's profile.

    Attributes:
        rows: Rows in the table; ``sampled`` rows were read (0: all of them).
    """

    table: str
    rows: int
    sampled: int
    columns: tuple[ColumnSummary, ...]
    seconds: float

    def column(self, name: str) -> ColumnSummary | None:
        return next((c for c in self.columns if c.name.lower() == name.lower()), None)

    def to_json(self) -> dict[str, Any]:
        from aiser_desktop.core.insights.common import plain

        data = asdict(self)
        data["read"] = (
            f"a sample of {self.sampled:,} of {self.rows:,} rows"
            if self.sampled
            else f"all {self.rows:,} rows"
        )
        return dict(plain(data))


def profile_table(
    con: DuckDBPyConnection, relation: str, *, rows: int | None = None, scope: Scope | None = None
) -> TableProfile:
    """Profiles every column of ``relation``.

    Args:
        con: A DuckDB connection (or cursor) that reads ``relation``.
        relation: A table or view as written in SQL.
        rows: Its row count when known (saves a count).
        scope: Read this scope (a sample already taken) instead of taking one.
    """
    start = time.perf_counter()
    if scope is not None:
        summaries = summarize(con, scope, columns_of(con, scope.relation))
        return TableProfile(relation, scope.rows, scope.sample, summaries, _since(start))
    with screened(con, relation, rows) as found:
        summaries = summarize(con, found, columns_of(con, found.relation))
        return TableProfile(relation, found.rows, found.sample, summaries, _since(start))


def summarize(
    con: DuckDBPyConnection, scope: Scope, columns: list[Column], *, count_top: bool = True
) -> tuple[ColumnSummary, ...]:
    """The summaries of ``columns`` of ``scope``, in one aggregate query (and one more to
    count the commonest values exactly, unless ``count_top`` is off: then their counts are
    0, which is all a screen needs)."""
    if not columns:
        return ()
    parts: list[str] = ["count(*)"]
    for c in columns:
        col = quote(c.name) if c.kind != "other" else f"CAST({quote(c.name)} AS VARCHAR)"
        parts += [f"count({col})", f"approx_count_distinct({col})", f"min({col})", f"max({col})"]
        if c.kind == "number":
            as_double = f"CAST({col} AS DOUBLE)"
            parts += [
                f"avg({as_double})",
                f"stddev_samp({as_double})",
                f"reservoir_quantile({as_double}, {list(QUANTILES)})",  # any number type
            ]
        elif c.kind not in ("date", "timestamp"):
            parts.append(f"approx_top_k({col}, {TOP})")
    row = con.execute(f"SELECT {', '.join(parts)} FROM {scope.relation}").fetchone()
    assert row is not None
    read = int(row[0])
    values = iter(row[1:])
    out: list[ColumnSummary] = []
    for c in columns:
        non_null, distinct, low, high = (next(values) for _ in range(4))
        mean = std = None
        quantiles: tuple[Any, ...] = ()
        top: tuple[tuple[Any, int], ...] = ()
        if c.kind == "number":
            mean, std, qs = next(values), next(values), next(values)
            quantiles = tuple(qs or ())
        elif c.kind not in ("date", "timestamp"):
            top = tuple((v, 0) for v in (next(values) or ()) if v is not None)
        nulls = read - int(non_null)
        out.append(
            ColumnSummary(
                name=c.name,
                type=c.type,
                kind=c.kind,
                nulls=nulls,
                null_share=round(100.0 * nulls / read, 3) if read else 0.0,
                distinct=min(int(distinct or 0), int(non_null)),
                min=low,
                max=high,
                mean=float(mean) if mean is not None else None,
                std=float(std) if std is not None else None,
                quantiles=quantiles,
                top=top,
            )
        )
    return tuple(_count_top(con, scope, out) if count_top else out)


def _count_top(
    con: DuckDBPyConnection, scope: Scope, summaries: list[ColumnSummary]
) -> list[ColumnSummary]:
    """Counts the commonest values ``approx_top_k`` picked (one query for all columns)."""
    with_top = [s for s in summaries if s.top]
    if not with_top:
        return summaries
    # literals, not parameters: a parameter list makes DuckDB's Python client import pandas
    # the first time (over a second), and these are a few short values
    parts = [
        f"count(*) FILTER (CAST({quote(s.name)} AS VARCHAR) = {literal(str(_text(v)))})"
        for s in with_top
        for v, _ in s.top
    ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {scope.relation}").fetchone()
    counts = iter(row or ())
    counted = {
        s.name: tuple(sorted(((v, int(next(counts))) for v, _ in s.top), key=lambda p: -p[1]))
        for s in with_top
    }
    return [
        ColumnSummary(**{**asdict(s), "top": counted[s.name]}) if s.name in counted else s
        for s in summaries
    ]


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 4)


def as_number(value: Any) -> float | None:
    """A number, date or time as a float (dates and times: epoch seconds); None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.timestamp()
    if isinstance(value, dt.date):
        return float((value - dt.date(1970, 1, 1)).days * 86_400)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    """A value as DuckDB casts it to VARCHAR (booleans are "true"/"false")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
