"""M4 downsampling in SQL: about four points per pixel column, whatever the row count.

Jugel, Jerzak, Hackenbroich and Markl, "M4: A Visualization-Oriented Time Series Data
Aggregation", VLDB 2014: a line drawn one pixel column at a time only ever shows, in each
column, the segment between the lowest and the highest point and the lines in from the left
and out to the right. So per pixel column it is enough to keep four points, the first and the
last (by x) and the lowest and the highest (by y), and the picture drawn from them is the
picture drawn from every row. The database does the grouping; the chart receives at most
``4 * pixels`` rows per measure (and per series).

Pixel column of a row: ``floor((x - lo) * W / (hi - lo))``, clamped to ``0 .. W-1``, with x in
axis units (:mod:`aiser_desktop.core.charts.sqlparts`). ``lo``/``hi`` are the visible range
(a zoom's ``x_range``), else the data's own min and max.

A scatter plot is thinned the same way in two dimensions: one point per pixel cell (W by H),
since a second point in the same cell would be drawn over the first.

The record of a pixel column (``n, x_first, y_first, x_last, y_last, x_min, y_min, x_max,
y_max``) combines: the record of a wider span is the min/max/first/last over its parts. The
pyramid (:mod:`aiser_desktop.core.charts.pyramid`) stores such records for fine buckets and
combines them per pixel column with :func:`combine_sql` and :func:`points_sql`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from aiser_desktop.core.charts.sqlparts import ROWS_IN, axis_expr, axis_literal, q

DEFAULT_PIXELS = 2000  # pixel columns when the caller gives none: a wide screen, drawn once
SCATTER_ASPECT = 0.6  # pixel rows per pixel column for a scatter's cells, when not given

RECORD = ("n", "x_first", "y_first", "x_last", "y_last", "x_min", "y_min", "x_max", "y_max")


def pixel_expr(xv_sql: str, pixels: int, lo: str = "lo", hi: str = "hi") -> str:
    """SQL of the pixel column (INTEGER, 0..pixels-1) of a value in axis units."""
    span = f"(CASE WHEN {hi} > {lo} THEN {hi} - {lo} ELSE 1 END)"
    return (
        f"CAST(least({pixels - 1}, greatest(0, floor(({xv_sql} - {lo}) * {pixels} / {span})))"
        " AS INTEGER)"
    )


def bounds_sql(xv_sql: str, x_range: tuple[float, float] | None, base: str = "base") -> str:
    """``SELECT lo, hi``: the given range, or the data's own extent."""
    if x_range is not None:
        lo, hi = x_range
        return f"SELECT CAST({float(lo)!r} AS DOUBLE) AS lo, CAST({float(hi)!r} AS DOUBLE) AS hi"
    return f"SELECT min({xv_sql}) AS lo, max({xv_sql}) AS hi FROM {base}"


def range_condition(x: str, kind: pa.DataType, x_range: tuple[float, float] | None) -> list[str]:
    """The zoom's range as a filter on the bare column (zone maps skip the rest)."""
    if x_range is None:
        return []
    lo, hi = x_range
    return [f"{q(x)} BETWEEN {axis_literal(lo, kind)} AND {axis_literal(hi, kind, low=False)}"]


def record_sql(x: str, y: str) -> str:
    """The M4 record of a group of raw rows (see the module's docstring)."""
    qx, qy = q(x), q(y)
    return (
        f"count(*) AS n, min({qx}) AS x_first, arg_min({qy}, {qx}) AS y_first, "
        f"max({qx}) AS x_last, arg_max({qy}, {qx}) AS y_last, "
        f"arg_min({qx}, {qy}) AS x_min, min({qy}) AS y_min, "
        f"arg_max({qx}, {qy}) AS x_max, max({qy}) AS y_max"
    )


def combine_sql() -> str:
    """The M4 record of a group of M4 records (finer buckets of the same data)."""
    return (
        "CAST(sum(n) AS BIGINT) AS n, "
        "min(x_first) AS x_first, arg_min(y_first, x_first) AS y_first, "
        "max(x_last) AS x_last, arg_max(y_last, x_last) AS y_last, "
        "arg_min(x_min, y_min) AS x_min, min(y_min) AS y_min, "
        "arg_max(x_max, y_max) AS x_max, max(y_max) AS y_max"
    )


def points_sql(
    records: str,
    x: str,
    y: str,
    series: str | None = None,
    which: Sequence[str] = ("first", "last", "min", "max"),
) -> str:
    """The distinct points of M4 records: first, last, lowest and highest of each group."""
    keep = f"{q(series)}, " if series else ""
    parts = [
        f"SELECT {keep}x_{part} AS {q(x)}, y_{part} AS {q(y)} FROM {records}" for part in which
    ]
    return " UNION ".join(parts)


def m4_sql(
    relation_sql: str,
    x: str,
    x_type: pa.DataType,
    measures: Sequence[str],
    pixels: int,
    x_range: tuple[float, float] | None = None,
    series: str | None = None,
) -> str:
    """M4 of ``relation_sql`` (a SELECT with columns ``x``, the measures and ``series``).

    Returns:
        SQL with columns ``x``, each measure (NULL on the rows of the other measures' points),
        ``series`` if given, and :data:`~aiser_desktop.core.charts.sqlparts.ROWS_IN` (rows that
        fell in the range), sorted by x.
    """
    xv = axis_expr(q(x), x_type)
    conditions = [f"{q(x)} IS NOT NULL", *range_condition(x, x_type, x_range)]
    ctes = [
        f"base AS NOT MATERIALIZED (SELECT * FROM ({relation_sql}) AS r "
        f"WHERE {' AND '.join(conditions)})",
        f"bounds AS ({bounds_sql(xv, x_range)})",
    ]
    group_keys = f"{q(series)}, px" if series else "px"
    selects = []
    for i, measure in enumerate(measures):
        ctes.append(
            f"g{i} AS (SELECT {q(series) + ', ' if series else ''}{pixel_expr(xv, pixels)} AS px, "
            f"{record_sql(x, measure)} FROM base, bounds WHERE {q(measure)} IS NOT NULL "
            f"GROUP BY {group_keys})"
        )
        selects.append(f"SELECT * FROM ({points_sql(f'g{i}', x, measure, series)})")
    union = " UNION ALL BY NAME ".join(selects)
    rows_in = "(SELECT coalesce(sum(n), 0) FROM g0)"
    columns = ", ".join(q(c) for c in [x, *measures, *([series] if series else [])])
    return (
        f"WITH {', '.join(ctes)} SELECT {columns}, {rows_in} AS {q(ROWS_IN)} "
        f"FROM ({union}) ORDER BY {q(x)}{', ' + q(series) if series else ''}"
    )


def scatter_sql(
    relation_sql: str,
    x: str,
    x_type: pa.DataType,
    y: str,
    y_type: pa.DataType,
    carried: Sequence[str],
    pixels: int,
    height: int | None = None,
    x_range: tuple[float, float] | None = None,
) -> str:
    """One point per pixel cell (the first by x): what a scatter of any size can show.

    Args:
        carried: Other columns kept with each point (more measures, size, series).
    """
    rows = max(1, height or round(pixels * SCATTER_ASPECT))
    xv, yv = axis_expr(q(x), x_type), axis_expr(q(y), y_type)
    conditions = [f"{q(x)} IS NOT NULL", f"{q(y)} IS NOT NULL"]
    conditions += range_condition(x, x_type, x_range)
    names = list(dict.fromkeys([x, y, *carried]))
    packed = ", ".join(f"{text(n)}: {q(n)}" for n in names)
    unpacked = ", ".join(f"pt[{text(n)}] AS {q(n)}" for n in names)
    return (
        f"WITH base AS NOT MATERIALIZED (SELECT * FROM ({relation_sql}) AS r "
        f"WHERE {' AND '.join(conditions)}), "
        f"bounds AS (SELECT * FROM ({bounds_sql(xv, x_range)}), "
        f"(SELECT min({yv}) AS ylo, max({yv}) AS yhi FROM base)), "
        f"cells AS (SELECT {pixel_expr(xv, pixels)} AS px, "
        f"{pixel_expr(yv, rows, 'ylo', 'yhi')} AS py, count(*) AS n, "
        f"arg_min({{{packed}}}, {xv}) AS pt FROM base, bounds GROUP BY px, py) "
        f"SELECT {unpacked}, sum(n) OVER () AS {q(ROWS_IN)} FROM cells ORDER BY 1"
    )


def text(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"
