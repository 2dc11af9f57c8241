"""The SQL of each chart kind that is not downsampled by pixels: bars, pies, histograms,
boxes, heatmaps, KPI numbers, and lines over categories.

Each function takes the resolved spec and the filtered rows (a SELECT) and returns the SELECT
whose result is exactly the table the renderer draws (the shapes are listed in
:mod:`aiser_desktop.core.charts.data`). A ``__aiser_groups`` column, where present, is the
number of categories before the limit (for the note "top 20 of 312 categories"); it is dropped
before the table reaches the renderer.
"""

from __future__ import annotations

import pyarrow as pa

from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.charts.sqlparts import GROUPS, agg, column_type, is_number, q, text_literal
from aiser_desktop.core.errors import AiserError

MAX_BARS = 200  # categories a bar chart shows when the spec sets no limit
PIE_SLICES = 10  # slices a pie shows when the spec sets no limit; the rest become "Other"
MAX_BOXES = 50
MAX_HEAT = 60  # categories along each side of a heatmap
MAX_LINE_POINTS = 5000  # a line over categories (text x) cannot be downsampled by pixels
AUTO_BINS = (5, 100)  # the bins a histogram chooses lie in this range


def aggregated(spec: ChartSpec, rel: str, keys: list[str], measures: list[str]) -> str:
    """``rel`` grouped by ``keys`` with each measure aggregated; "none" keeps the rows."""
    key_sql = [q(k) for k in keys]
    if spec.aggregation == "none":
        return f"SELECT {', '.join(key_sql + [q(m) for m in measures])} FROM ({rel}) AS f"
    values = [f"{agg(spec, m)} AS {q(m)}" for m in measures]
    group = f" GROUP BY {', '.join(key_sql)}" if key_sql else ""
    return f"SELECT {', '.join(key_sql + values)} FROM ({rel}) AS f{group}"


def _summed(spec: ChartSpec) -> ChartSpec:
    """Pies and heatmaps need one value per cell: "none" becomes "sum" (a sum of one row is
    that row's value)."""
    if spec.aggregation != "none":
        return spec
    from dataclasses import replace

    return replace(spec, aggregation="sum")


def bar_sql(spec: ChartSpec, rel: str) -> str:
    """Bars: one row per category (and series), the top ``limit`` categories by the first
    measure, in the spec's order (by the first measure, or by x)."""
    x = spec.x or ""
    measures = [*spec.y, *spec.y2]
    keys = [x, *([spec.series] if spec.series else [])]
    limit = spec.limit or MAX_BARS
    first = measures[0]
    pick = "ASC" if spec.sort == "asc" else "DESC"
    order = {
        "desc": "c.total DESC NULLS LAST",
        "asc": "c.total ASC NULLS LAST",
    }.get(spec.sort or "", f"c.{q(x)} ASC NULLS LAST")
    columns = ", ".join(f"a.{q(c)}" for c in [*keys, *measures])
    series_order = f", a.{q(spec.series)}" if spec.series else ""
    return (
        f"WITH a AS ({aggregated(spec, rel, keys, measures)}), "
        f"c AS (SELECT {q(x)}, sum({q(first)}) AS total, count(*) OVER () AS groups FROM a "
        f"GROUP BY {q(x)} ORDER BY total {pick} NULLS LAST LIMIT {int(limit)}) "
        f"SELECT {columns}, c.groups AS {q(GROUPS)} FROM a JOIN c "
        f"ON a.{q(x)} IS NOT DISTINCT FROM c.{q(x)} ORDER BY {order}{series_order}"
    )


def pie_sql(spec: ChartSpec, rel: str) -> str:
    """Slices: the largest ``limit - 1`` categories, and "Other" for the rest (when there
    are more than ``limit``), largest first."""
    spec = _summed(spec)
    x, y = spec.x or "", spec.y[0]
    limit = max(2, spec.limit or PIE_SLICES)
    return (
        f"WITH a AS ({aggregated(spec, rel, [x], [y])}), "
        f"r AS (SELECT CAST({q(x)} AS VARCHAR) AS label, {q(y)} AS v, "
        f"row_number() OVER (ORDER BY {q(y)} DESC NULLS LAST) AS rk, "
        f"count(*) OVER () AS groups FROM a) "
        f"SELECT label AS {q(x)}, v AS {q(y)}, groups AS {q(GROUPS)} FROM ("
        f"SELECT label, v, rk, groups FROM r WHERE groups <= {limit} OR rk < {limit} "
        f"UNION ALL SELECT 'Other', sum(v), {limit}, any_value(groups) FROM r "
        f"WHERE groups > {limit} AND rk >= {limit} HAVING count(*) > 0) ORDER BY rk"
    )


def histogram_sql(spec: ChartSpec, rel: str, schema: pa.Schema | None) -> str:
    """Bins of equal width over ``x``: ``bin_start``, ``bin_end``, ``count``, every bin
    present (empty ones with 0). With ``bins`` set, exactly that many over min..max; else a
    count from the Freedman-Diaconis rule (Sturges' when the quartiles coincide), widened to
    a round width (1, 2 or 5 times a power of ten) and aligned to it.

    Raises:
        AiserError: ``x`` is not a number.
    """
    x = spec.x or ""
    kind = column_type(schema, x)
    if kind is not None and not is_number(kind):
        raise AiserError(
            f"A histogram needs a number column; {x!r} is {kind}.",
            hint="For dates, chart a count per month as bars instead.",
        )
    low, high = AUTO_BINS
    if spec.bins:
        sizing = (
            f"SELECT lo, hi, {int(spec.bins)} AS k, "
            f"CASE WHEN hi > lo THEN (hi - lo) / {int(spec.bins)} ELSE 1.0 END AS width FROM st"
        )
    else:
        raw = (
            "CASE WHEN iqr > 0 THEN 2 * iqr / pow(n, 1.0 / 3) "
            "ELSE (hi - lo) / (ceil(log2(n)) + 1) END"
        )
        nice = (
            "CASE WHEN rw / pow(10, floor(log10(rw))) <= 1 THEN 1 "
            "WHEN rw / pow(10, floor(log10(rw))) <= 2 THEN 2 "
            "WHEN rw / pow(10, floor(log10(rw))) <= 5 THEN 5 ELSE 10 END "
            "* pow(10, floor(log10(rw)))"
        )
        sizing = (
            "SELECT floor(lo / width) * width AS lo, hi, "
            "CAST(greatest(1, ceil((hi - floor(lo / width) * width) / width)) AS INTEGER) AS k, "
            "width "
            f"FROM (SELECT *, CASE WHEN hi > lo THEN {nice} ELSE 1.0 END AS width "
            f"FROM (SELECT *, greatest((hi - lo) / {high}, least((hi - lo) / {low}, {raw})) "
            "AS rw FROM st))"
        )
    return (
        f"WITH v AS (SELECT CAST({q(x)} AS DOUBLE) AS v FROM ({rel}) AS f "
        f"WHERE {q(x)} IS NOT NULL AND isfinite(CAST({q(x)} AS DOUBLE))), "
        "st AS (SELECT min(v) AS lo, max(v) AS hi, count(*) AS n, "
        "quantile_cont(v, 0.75) - quantile_cont(v, 0.25) AS iqr FROM v HAVING count(*) > 0), "
        f"w AS ({sizing}), "
        "c AS (SELECT least(k - 1, CAST(floor((v - lo) / width) AS BIGINT)) AS i, "
        "count(*) AS cnt FROM v, w GROUP BY i), "
        "b AS (SELECT unnest(range(k)) AS i FROM w) "
        "SELECT lo + b.i * width AS bin_start, lo + (b.i + 1) * width AS bin_end, "
        "CAST(coalesce(c.cnt, 0) AS BIGINT) AS count FROM b CROSS JOIN w "
        "LEFT JOIN c ON b.i = c.i ORDER BY b.i"
    )


def box_sql(spec: ChartSpec, rel: str) -> str:
    """Five numbers and a count per box. With ``y``: ``x`` groups the boxes (its column keeps
    its name, as text) and ``y[0]`` is measured. Without ``y``: ``x`` is measured, in one box,
    or one per ``series`` value (that column keeps its name).

    ``min`` and ``max`` are the whiskers (Tukey's): the most extreme values within 1.5 times
    the box's height of the box; the values beyond are outliers and are not drawn.
    """
    if spec.y:
        group, value = spec.x, spec.y[0]
    else:
        group, value = spec.series, spec.x or ""
    v = q(value)
    g = q(group) if group else None
    keys = f"CAST({g} AS VARCHAR) AS {g}, " if g else ""
    quartiles = (
        "quantile_cont(v, 0.25) AS q1, median(v) AS median, quantile_cont(v, 0.75) AS q3, "
        "count(*) AS n"
    )
    if g:
        boxes = (
            f"SELECT {g}, {quartiles}, count(*) OVER () AS groups FROM d GROUP BY {g} "
            f"ORDER BY n DESC LIMIT {MAX_BOXES}"
        )
        join = f"JOIN s ON d.{g} IS NOT DISTINCT FROM s.{g}"
        group_by = f"GROUP BY s.{g}, s.q1, s.median, s.q3, s.n, s.groups"
        head, tail = f"s.{g}, ", f", s.groups AS {q(GROUPS)}"
        order = f" ORDER BY s.{g} NULLS LAST"
    else:
        boxes = f"SELECT {quartiles} FROM d HAVING count(*) > 0"
        join, group_by, head, tail, order = "CROSS JOIN s", "GROUP BY ALL", "", "", ""
    low, high = "s.q1 - 1.5 * (s.q3 - s.q1)", "s.q3 + 1.5 * (s.q3 - s.q1)"
    return (
        f"WITH d AS (SELECT {keys}{v} AS v FROM ({rel}) AS f WHERE {v} IS NOT NULL), "
        f"s AS ({boxes}) "
        f"SELECT {head}min(d.v) FILTER (WHERE d.v >= {low}) AS min, s.q1, s.median, s.q3, "
        f"max(d.v) FILTER (WHERE d.v <= {high}) AS max, s.n{tail} "
        f"FROM d {join} {group_by}{order}"
    )


def heatmap_sql(spec: ChartSpec, rel: str) -> str:
    """One cell per (x, series) pair holding the aggregated ``y[0]``; at most
    :data:`MAX_HEAT` categories each way (the largest by total)."""
    spec = _summed(spec)
    x, s, y = spec.x or "", spec.series or "", spec.y[0]
    return (
        f"WITH a AS ({aggregated(spec, rel, [x, s], [y])}), "
        f"tx AS (SELECT {q(x)}, count(*) OVER () AS groups FROM a GROUP BY {q(x)} "
        f"ORDER BY sum({q(y)}) DESC NULLS LAST LIMIT {MAX_HEAT}), "
        f"ts AS (SELECT {q(s)} FROM a GROUP BY {q(s)} "
        f"ORDER BY sum({q(y)}) DESC NULLS LAST LIMIT {MAX_HEAT}) "
        f"SELECT a.{q(x)}, a.{q(s)}, a.{q(y)}, any_value(tx.groups) OVER () AS {q(GROUPS)} "
        f"FROM a JOIN tx ON a.{q(x)} IS NOT DISTINCT FROM tx.{q(x)} "
        f"JOIN ts ON a.{q(s)} IS NOT DISTINCT FROM ts.{q(s)} "
        f"ORDER BY a.{q(x)} NULLS LAST, a.{q(s)} NULLS LAST"
    )


def kpi_sql(spec: ChartSpec, rel: str) -> str:
    """``value``, ``previous`` and ``label``. With ``x`` (a time, say): the measure of the
    last x and of the one before it. Without: the measure over all rows (the first row's value
    when the aggregation is "none")."""
    y = spec.y[0]
    label = text_literal(spec.title or y)
    if spec.x:
        x = spec.x
        return (
            f"WITH a AS ({aggregated(spec, rel, [x], [y])}), "
            f"o AS (SELECT CAST({q(y)} AS DOUBLE) AS value, "
            f"lag(CAST({q(y)} AS DOUBLE)) OVER (ORDER BY {q(x)}) AS previous, "
            f"row_number() OVER (ORDER BY {q(x)} DESC) AS rk FROM a WHERE {q(x)} IS NOT NULL) "
            f"SELECT value, previous, {label} AS label FROM o WHERE rk = 1"
        )
    if spec.aggregation == "none":
        return (
            f"SELECT CAST({q(y)} AS DOUBLE) AS value, CAST(NULL AS DOUBLE) AS previous, "
            f"{label} AS label FROM ({rel}) AS f LIMIT 1"
        )
    return (
        f"SELECT CAST({agg(spec, y)} AS DOUBLE) AS value, CAST(NULL AS DOUBLE) AS previous, "
        f"{label} AS label FROM ({rel}) AS f"
    )


def category_line_sql(spec: ChartSpec, rel: str) -> str:
    """A line or area over a text x: the points in x order, at most
    :data:`MAX_LINE_POINTS` (no pixel columns to downsample by)."""
    x = spec.x or ""
    measures = [*spec.y, *spec.y2]
    keys = [x, *([spec.series] if spec.series else [])]
    cols = ", ".join(q(c) for c in [x, *measures, *([spec.series] if spec.series else [])])
    return (
        f"SELECT {cols}, count(*) OVER () AS {q(GROUPS)} "
        f"FROM ({aggregated(spec, rel, keys, measures)}) AS a "
        f"ORDER BY {', '.join(q(k) for k in keys)} LIMIT {MAX_LINE_POINTS}"
    )
