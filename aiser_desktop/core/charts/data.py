"""From a spec and a query to the small Arrow table a chart draws, computed in DuckDB.

A chart never receives a whole result: :func:`chart_sql` wraps the person's query in the SQL
that filters, aggregates, bins or downsamples it to exactly what will be drawn, and
:func:`fetch_chart_data` runs that SQL (on a cursor of its own, cancellable) and returns a
:class:`ChartData`. The table shapes handed to the renderer (the chart contract):

- line, area, bar, scatter: columns named exactly ``spec.x``, each of ``spec.y`` and
  ``spec.y2``, and ``spec.series`` when set (long format: one row per x per series), plus
  ``spec.size`` for a scatter; sorted by x (bar: in the order to draw). A downsampled line
  with several measures has NULL in a measure's column on the rows of the other measures'
  points: draw each measure over its non-null rows.
- histogram: ``bin_start``, ``bin_end``, ``count`` (float, float, int64), every bin.
- box: ``min``, ``q1``, ``median``, ``q3``, ``max``, ``n``; grouped boxes also have the
  grouping column under its own name (as text): ``spec.x`` when ``spec.y`` is set (x groups,
  ``y[0]`` is measured), else ``spec.series`` (``x`` is measured). Outliers are not drawn.
- heatmap: ``spec.x``, ``spec.series`` (the y categories) and ``spec.y[0]`` (the cell).
- pie: ``spec.x`` (as text; "Other" gathers the smallest slices) and ``spec.y[0]``.
- kpi: ``value``, ``previous`` (nullable), ``label``.

x in *axis units* (``x_range``): numbers for a numeric x, seconds since 1970 UTC for a date
or time x (see :mod:`aiser_desktop.core.charts.sqlparts`).

Lines, areas and scatters are downsampled to the pixels (:mod:`aiser_desktop.core.charts.m4`).
A line over a big table read plainly (``SELECT x, y FROM t``) is answered from a pyramid of
M4 records built once in the background (:mod:`aiser_desktop.core.charts.pyramid`), so the
first frame and a zoom cost milliseconds at any row count.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from aiser_desktop.core.charts import m4, shapes
from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.charts.sqlparts import (
    GROUPS,
    META_PREFIX,
    ROWS_IN,
    column_type,
    filtered,
    is_number,
    is_time,
    q,
    source_relation,
    to_axis,
)
from aiser_desktop.core.errors import AiserError, QueryCancelledError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)
T = TypeVar("T")

CONTINUOUS = ("line", "area", "scatter")
_NEEDS_Y = ("line", "area", "scatter")


@dataclass(frozen=True)
class ChartData:
    """What a renderer draws.

    Attributes:
        table: The rows to draw (shapes in the module's docstring).
        spec: The resolved spec: a title chosen, ``y`` filled in for a count, etc.
        rows_in: Rows the chart summarises (in the visible range), when known.
        downsampled: Fewer rows were drawn than there were (M4, or thinned cells).
        note: A sentence for the person, e.g. "top 20 of 312 categories", or "".
        x_range: The visible x range in axis units (None when not continuous).
        method: How it was computed: "rows" (SQL over the query), "pyramid" (stored M4
            records) or "m4"/"cells" (downsampled in SQL over the query's rows).
        seconds: Time spent in DuckDB.
        pending: Set on a preview: the build of the full chart's pyramid (a Future); fetch
            again when it is done.
    """

    table: pa.Table
    spec: ChartSpec
    rows_in: int | None = None
    downsampled: bool = False
    note: str = ""
    x_range: tuple[float, float] | None = None
    method: str = "rows"
    seconds: float = 0.0
    pending: Future[Any] | None = None


# ---------------------------------------------------------------------- the spec, resolved
def resolve(spec: ChartSpec, schema: pa.Schema | None = None) -> ChartSpec:
    """The spec with its gaps filled: a count when nothing is measured, a title.

    Raises:
        AiserError: A column is missing from the result, or the kind needs a column the spec
            does not name.
    """
    available = list(schema.names) if schema is not None else spec.columns()
    if spec.aggregation == "count":
        available.append("count")  # a resolved count names its measure "count"
    spec.validate(available)
    out = replace(spec, y=list(spec.y), y2=list(spec.y2))
    if out.kind in ("line", "area") and not out.y and out.aggregation == "count":
        out.y = ["count"]  # rows per x
    if out.kind in ("histogram", "box") and not out.x:
        raise AiserError(f"A {out.kind} needs a column to measure (x).", hint="Set x.")
    if out.kind in _NEEDS_Y and (not out.x or not out.y):
        raise AiserError(
            f"A {out.kind} chart needs an x column and at least one y column.",
            hint="Set x and y, or let Aiser recommend a chart.",
        )
    if out.kind in ("bar", "pie", "heatmap") and not out.x:
        raise AiserError(f"A {out.kind} chart needs categories (x).", hint="Set x.")
    if out.kind == "heatmap" and not out.series:
        raise AiserError(
            "A heatmap needs a second category (series) for its rows.", hint="Set series."
        )
    if out.kind in ("bar", "pie", "heatmap", "kpi") and not out.y:
        out.y, out.aggregation = ["count"], "count"
    if not out.title:
        out.title = _title(out)
    return out


def _title(spec: ChartSpec) -> str:
    measures = ", ".join(spec.y + spec.y2)
    if spec.aggregation not in ("none", "count") and measures:
        measures = f"{spec.aggregation.replace('_', ' ')} of {measures}"
    if spec.kind == "histogram":
        return f"Distribution of {spec.x}"
    if spec.kind == "box":
        if spec.y:
            return f"{spec.y[0]} by {spec.x}"
        return f"{spec.x} by {spec.series}" if spec.series else f"Distribution of {spec.x}"
    if spec.kind == "kpi":
        return measures
    if spec.kind == "heatmap":
        return f"{measures} by {spec.x} and {spec.series}"
    if spec.kind == "scatter":
        return f"{spec.y[0]} against {spec.x}"
    by = f", per {spec.series}" if spec.series and spec.kind != "pie" else ""
    return f"{measures} by {spec.x}{by}"


# ---------------------------------------------------------------------- SQL
def chart_sql(
    spec: ChartSpec,
    source_sql: str,
    *,
    pixels: int | None = None,
    x_range: tuple[Any, Any] | None = None,
    schema: pa.Schema | None = None,
) -> str:
    """The SQL that turns the query's result into exactly what the chart draws.

    Args:
        spec: The chart.
        source_sql: The person's query (its result is the chart's input).
        pixels: The plot's width in pixels: lines, areas and scatters are downsampled to it
            (None: :data:`~aiser_desktop.core.charts.m4.DEFAULT_PIXELS`).
        x_range: The visible range (lo, hi) in axis units (or as dates/datetimes): only it is
            read and downsampled.
        schema: The query's result schema. Needed to downsample (the x axis's kind) and to
            refuse a text histogram; :func:`fetch_chart_data` looks it up.

    Raises:
        AiserError: The spec does not fit the result.
    """
    resolved = resolve(spec, schema)
    inner = _sql(resolved, source_sql, pixels, _axis_range(x_range), schema)
    return f"SELECT COLUMNS(c -> NOT starts_with(c, '{META_PREFIX}')) FROM ({inner})"


def _axis_range(x_range: tuple[Any, Any] | None) -> tuple[float, float] | None:
    if x_range is None:
        return None
    lo, hi = (to_axis(v) for v in x_range)
    return (min(lo, hi), max(lo, hi))


def _sql(
    spec: ChartSpec,
    source_sql: str,
    pixels: int | None,
    x_range: tuple[float, float] | None,
    schema: pa.Schema | None,
) -> str:
    """The chart's SELECT, with the ``__aiser_`` bookkeeping columns."""
    rel = filtered(spec, source_sql)
    width = max(1, pixels or m4.DEFAULT_PIXELS)
    kind = spec.kind
    if kind == "bar":
        return shapes.bar_sql(spec, rel)
    if kind == "pie":
        return shapes.pie_sql(spec, rel)
    if kind == "histogram":
        return shapes.histogram_sql(spec, rel, schema)
    if kind == "box":
        return shapes.box_sql(spec, rel)
    if kind == "heatmap":
        return shapes.heatmap_sql(spec, rel)
    if kind == "kpi":
        return shapes.kpi_sql(spec, rel)
    x = spec.x or ""
    x_type = column_type(schema, x)
    if x_type is None or not (is_time(x_type) or is_number(x_type)):
        if schema is None:
            raise AiserError(
                "Downsampling a line needs the result's column types.",
                hint="Pass schema=, or use fetch_chart_data, which looks them up.",
            )
        return shapes.category_line_sql(spec, rel)
    series = [spec.series] if spec.series else []
    if kind == "scatter":
        y_type = column_type(schema, spec.y[0])
        if y_type is None or not (is_number(y_type) or is_time(y_type)):
            return shapes.category_line_sql(spec, rel)
        carried = [*spec.y[1:], *spec.y2, *([spec.size] if spec.size else []), *series]
        if spec.aggregation != "none":
            keys = [x, *series]
            rel = shapes.aggregated(spec, rel, keys, [*spec.y, *spec.y2])
        return m4.scatter_sql(rel, x, x_type, spec.y[0], y_type, carried, width, None, x_range)
    measures = [*spec.y, *spec.y2]
    if spec.aggregation != "none":
        rel = shapes.aggregated(spec, rel, [x, *series], measures)
    else:
        columns = ", ".join(q(c) for c in dict.fromkeys([x, *measures, *series]))
        rel = f"SELECT {columns} FROM ({rel}) AS f"
    return m4.m4_sql(rel, x, x_type, measures, width, x_range, spec.series)


# ---------------------------------------------------------------------- running it
def fetch_chart_data(
    target: Any,
    source_sql: str,
    spec: ChartSpec,
    *,
    pixels: int | None = None,
    x_range: tuple[Any, Any] | None = None,
    cancel: threading.Event | None = None,
    build_pyramid: bool = True,
    preview: bool = False,
) -> ChartData:
    """Runs the chart's SQL and returns what to draw.

    Args:
        target: An ``Engine`` (a cursor of its own, never the person's session; may build a
            pyramid in the background), a ``ReadOnlyRunner`` (the agent: read-only), or a
            DuckDB connection.
        source_sql: The person's query.
        spec: The chart.
        pixels: The plot's width in pixels (lines, areas, scatters).
        x_range: The visible range after a zoom or pan, in axis units.
        cancel: Set it to stop the request (a newer zoom): DuckDB is interrupted and
            ``QueryCancelledError`` raised.
        build_pyramid: Let a line over a big table build its pyramid (an ``Engine`` only).
        preview: While that pyramid builds, answer at once from a sample of the rows
            (``method`` "preview", ``pending`` set) instead of waiting for it (seconds at
            100M rows). Request again when ``pending`` is done for the full chart.

    Raises:
        AiserError: The spec does not fit the result, or DuckDB failed (positioned message).
        QueryCancelledError: ``cancel`` was set.
    """
    from aiser_desktop.core.charts import pyramid

    start = time.perf_counter()
    axis = _axis_range(x_range)
    width = max(1, pixels or m4.DEFAULT_PIXELS)
    schema = _run(target, lambda cur: _schema(cur, source_sql), cancel, source_sql)
    resolved = resolve(spec, schema)
    if resolved.kind in ("line", "area") and not resolved.filters:
        fast = pyramid.answer(
            target, source_sql, resolved, schema, width, axis, cancel,
            build=build_pyramid, preview=preview,
        )  # fmt: skip
        if fast is not None:
            data = _finish(fast.table, resolved, fast.rows_in, fast.x_range, fast.method, start)
            if fast.method == "preview":
                data = replace(data, note=fast.note, downsampled=True, pending=fast.pending)
            return data
    sql = _sql(resolved, source_sql, width, axis, schema)
    table = _run(target, lambda cur: cur.execute(sql).to_arrow_table(), cancel, sql)
    rows_in = _meta(table, ROWS_IN)
    method = "rows"
    if resolved.kind in CONTINUOUS and ROWS_IN in table.schema.names:
        method = "cells" if resolved.kind == "scatter" else "m4"
    used = axis
    if used is None and method != "rows" and table.num_rows:
        used = _extent(table, resolved.x or "")
    return _finish(table, resolved, rows_in, used, method, start)


def _finish(
    table: pa.Table,
    spec: ChartSpec,
    rows_in: int | None,
    x_range: tuple[float, float] | None,
    method: str,
    start: float,
) -> ChartData:
    groups = _meta(table, GROUPS)
    keep = [n for n in table.schema.names if not n.startswith(META_PREFIX)]
    table = table.select(keep)
    note = ""
    downsampled = False
    if method in ("m4", "cells", "pyramid") and rows_in is not None:
        downsampled = rows_in > table.num_rows
        if downsampled:
            how = "one point per pixel cell" if method == "cells" else "M4"
            note = f"{table.num_rows:,} points drawn for {rows_in:,} rows ({how})"
    elif groups is not None:
        rows_in = groups
        note = _group_note(spec, table, groups)
    return ChartData(
        table, spec, rows_in, downsampled, note, x_range, method, time.perf_counter() - start
    )


def _group_note(spec: ChartSpec, table: pa.Table, groups: int) -> str:
    if spec.kind == "pie":
        shown = table.num_rows
        if groups > shown:
            return f"{shown - 1} largest of {groups:,} categories; the rest as Other"
        return ""
    if spec.kind in ("bar", "box", "heatmap"):
        x = spec.x if spec.kind != "box" or spec.y else spec.series
        shown = len(table.column(x).unique()) if x and x in table.schema.names else 0
        if groups > shown:
            return f"top {shown:,} of {groups:,} categories"
    if spec.kind in ("line", "area") and groups > table.num_rows:
        return f"first {table.num_rows:,} of {groups:,} points"
    return ""


def _meta(table: pa.Table, name: str) -> int | None:
    if name not in table.schema.names or table.num_rows == 0:
        return 0 if name in table.schema.names else None
    value = table.column(name)[0].as_py()
    return int(value) if value is not None else None


def _extent(table: pa.Table, x: str) -> tuple[float, float] | None:
    import pyarrow.compute as pc

    bounds = pc.min_max(table.column(x))
    lo, hi = bounds["min"].as_py(), bounds["max"].as_py()
    if lo is None or hi is None:
        return None
    return (to_axis(lo), to_axis(hi))


def _schema(cur: DuckDBPyConnection, source_sql: str) -> pa.Schema:
    """The result's schema, from binding the query (no rows are read)."""
    return (
        cur.execute(f"SELECT * FROM {source_relation(source_sql)} LIMIT 0").to_arrow_table().schema
    )


def _run(
    target: Any, work: Callable[[DuckDBPyConnection], T], cancel: threading.Event | None, sql: str
) -> T:
    """``work(cursor)`` on a cursor of ``target``'s, interrupted when ``cancel`` is set."""
    import duckdb

    from aiser_desktop.core.engine.diagnostics import translate

    if cancel is not None and cancel.is_set():
        raise QueryCancelledError("The chart was cancelled.")

    def guarded(cur: DuckDBPyConnection) -> T:
        with _watch(cur, cancel):
            try:
                return work(cur)
            except duckdb.Error as exc:
                if cancel is not None and cancel.is_set():
                    raise QueryCancelledError("The chart was cancelled.") from exc
                raise translate(exc, sql) from exc

    if hasattr(target, "read_only"):  # the agent's ReadOnlyRunner
        result: T = target.read_only(guarded, sql=sql)
        return result
    with cursor_of(target) as cur:
        return guarded(cur)


@contextlib.contextmanager
def cursor_of(target: Any) -> Iterator[DuckDBPyConnection]:
    """A cursor of its own on an ``Engine`` or a DuckDB connection."""
    if hasattr(target, "cursor") and hasattr(target, "submit"):  # an Engine
        with target.cursor() as cur:
            yield cur
        return
    cur = target.cursor()
    try:
        yield cur
    finally:
        cur.close()


@contextlib.contextmanager
def _watch(cur: DuckDBPyConnection, cancel: threading.Event | None) -> Iterator[None]:
    """Interrupts ``cur`` while ``cancel`` is set, until the block ends (DuckDB clears an
    interrupt when a statement begins, so it is repeated)."""
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.01):
            if cancel.is_set():
                with contextlib.suppress(Exception):
                    cur.interrupt()

    thread = threading.Thread(target=watch, name="aiser-chart-cancel", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=1)
