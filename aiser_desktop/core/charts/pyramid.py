"""A multi-resolution pyramid of M4 records, so a line over 100M rows draws in milliseconds.

Why a pyramid: one M4 ``GROUP BY`` over 100M rows takes 1-2 s on two cores however it is
written, because every row is read. A zoom into a narrow range is cheap when the table is
stored in x order (DuckDB skips row groups by their min/max zone maps), but the first frame
and wide zooms read most of the table. So the first time a line is drawn over a big table
(``SELECT x, y FROM t``, at least :data:`MIN_ROWS` rows), the rows are summarised once into M4
records over fixed buckets of x, at several resolutions (2^finest buckets, then a quarter,
a sixteenth... down to 2^8), stored in ``data.duckdb`` in the private schema
``_aiser_charts`` (bookkeeping in ``_aiser_charts.pyramids``). A request for W pixel columns
over a range reads the coarsest level with at least :data:`OVERSAMPLE` buckets per pixel
column and combines those records per pixel column (:func:`m4.combine_sql`): at most
``4 * OVERSAMPLE * W`` records instead of 100M rows. When even the finest level is too coarse
for the range (a deep zoom), the range holds few enough rows to be read directly.

Exactness: every point drawn is a real row, and every bucket's four points are kept or beaten
by a point of the same pixel column. When the pixel columns fall on bucket edges (W a power of
two over the whole range) the result equals the exact M4. Otherwise a column edge cuts one
bucket (1/OVERSAMPLE of a column or less); that bucket keeps its own four points, and a
column's extreme that lies in it may be drawn a fraction of a pixel away, in the neighbouring
column (the tests bound this: within one column).

Freshness: a pyramid records the table's oid and row count; a replaced or grown table (a
source refresh) gets a new one. Views (linked files) are read directly, not summarised.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from aiser_desktop.core.charts import m4
from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.charts.sqlparts import (
    ROWS_IN,
    axis_expr,
    column_type,
    is_number,
    is_time,
    q,
    text_literal,
)
from aiser_desktop.core.errors import QueryCancelledError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.engine.session import Engine

log = logging.getLogger(__name__)

SCHEMA = "_aiser_charts"
MIN_ROWS = 1_000_000  # below this an M4 over the rows takes about 100 ms (2 cores)
OVERSAMPLE = 8  # buckets per pixel column at least
ROWS_PER_BUCKET = 64  # the finest level's buckets hold about this many rows
FINEST_MAX = 20  # 2^20 buckets at most (about 1.4M records for all levels)
COARSEST = 8
PREVIEW_ROWS = 250_000  # rows a preview samples while a pyramid builds

_builds: dict[tuple[int, str], Future[Pyramid]] = {}
_builds_lock = threading.Lock()


@dataclass(frozen=True)
class Target:
    """A (table, x, y) pair a pyramid summarises."""

    database: str
    schema: str
    table: str
    x: str
    y: str
    oid: int
    rows: int

    @property
    def relation(self) -> str:
        return f"{q(self.database)}.{q(self.schema)}.{q(self.table)}"

    @property
    def name(self) -> str:
        key = f"{self.database}.{self.schema}.{self.table}|{self.x}|{self.y}".lower()
        return "p_" + hashlib.sha1(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Pyramid:
    """A built pyramid: its table, x's extent in axis units, and its levels."""

    table: str
    lo: float
    hi: float
    rows: int
    finest: int
    seconds: float

    def levels(self) -> list[int]:
        return list(range(self.finest, COARSEST - 1, -2))[::-1]


# ---------------------------------------------------------------------- which queries qualify
def plain_scan(source_sql: str) -> tuple[tuple[str, ...], dict[str, str], bool] | None:
    """``(table name parts, output name -> column, has *)`` when the query only reads columns
    of one table (``SELECT a, b AS c FROM t [ORDER BY ...]``), else None."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(source_sql.strip().rstrip(";"), read="duckdb")
    except Exception:
        return None
    if not isinstance(tree, exp.Select):
        return None
    for arg in (
        "joins",
        "where",
        "group",
        "having",
        "limit",
        "offset",
        "distinct",
        "qualify",
        "with",
        "laterals",
        "windows",
    ):
        if tree.args.get(arg):
            return None
    source = tree.args.get("from") or tree.args.get("from_")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        return None
    if table.args.get("sample") or table.args.get("joins"):
        return None
    parts = tuple(p.name for p in table.parts)
    mapping: dict[str, str] = {}
    star = False
    for item in tree.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and item.is_star):
            star = True
        elif isinstance(item, exp.Column):
            mapping[item.output_name] = item.name
        elif isinstance(item, exp.Alias) and isinstance(item.this, exp.Column):
            mapping[item.alias] = item.this.name
    return parts, mapping, star


def find_target(cur: DuckDBPyConnection, source_sql: str, x: str, y: str) -> Target | None:
    """The base table, x and y columns behind ``source_sql``, if it is a plain scan of a
    table (not a view) that DuckDB holds."""
    scan = plain_scan(source_sql)
    if scan is None:
        return None
    parts, mapping, star = scan
    lowered = {k.lower(): v for k, v in mapping.items()}
    base_x = lowered.get(x.lower(), x if star else None)
    base_y = lowered.get(y.lower(), y if star else None)
    if base_x is None or base_y is None or len(parts) > 3:
        return None
    name = text_literal(parts[-1].lower())
    if len(parts) == 1:
        where = "schema_name = 'main' AND database_name = current_database()"
    elif len(parts) == 2:
        first = text_literal(parts[0].lower())
        where = (
            f"((lower(schema_name) = {first} AND database_name = current_database()) OR "
            f"(lower(database_name) = {first} AND schema_name = 'main'))"
        )
    else:
        where = (
            f"lower(database_name) = {text_literal(parts[0].lower())} AND "
            f"lower(schema_name) = {text_literal(parts[1].lower())}"
        )
    row = cur.execute(
        "SELECT database_name, schema_name, table_name, table_oid, estimated_size "
        f"FROM duckdb_tables() WHERE lower(table_name) = {name} AND {where} LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return Target(row[0], row[1], row[2], base_x, base_y, int(row[3]), int(row[4]))


def lookup(cur: DuckDBPyConnection, target: Target) -> Pyramid | None:
    """The target's pyramid, if one was built for the table as it is now."""
    import duckdb

    try:
        row = cur.execute(
            f"SELECT lo, hi, rows, finest, seconds FROM {q(SCHEMA)}.pyramids WHERE name = "
            f"{text_literal(target.name)} AND table_oid = {target.oid} "
            f"AND table_rows = {target.rows}"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    return Pyramid(f"{q(SCHEMA)}.{q(target.name)}", *row)


# ---------------------------------------------------------------------- building
def compute(
    cur: DuckDBPyConnection, target: Target, x_type: pa.DataType, finest: int | None = None
) -> tuple[pa.Table, float, float, int, int]:
    """Reads the table once and returns the records of every level, with the x extent, the
    rows summarised and the finest level.

    For a date or time x the buckets are whole microseconds wide and found by integer
    division (about twice as fast over 100M rows as floating point); the extent's upper end
    is then the last bucket's end, a fraction of a second past the last row.
    """
    timed = is_time(x_type)
    xv = axis_expr(q(target.x), x_type)
    column = f"CAST({q(target.x)} AS TIMESTAMP)" if pa.types.is_date(x_type) else q(target.x)
    micros = f"epoch_us({column})" if timed else ""
    where = f"{q(target.x)} IS NOT NULL AND {q(target.y)} IS NOT NULL"
    extent = f"min({micros}), max({micros})" if timed else f"min({xv}), max({xv})"
    row = cur.execute(f"SELECT {extent}, count(*) FROM {target.relation} WHERE {where}").fetchone()
    assert row is not None
    rows = int(row[2])
    if finest is None:
        wanted = math.ceil(math.log2(max(2, rows / ROWS_PER_BUCKET)))
        finest = min(FINEST_MAX, max(COARSEST, wanted + (wanted - COARSEST) % 2))
    if timed:
        first_us, last_us = int(row[0] or 0), int(row[1] or 0)
        width = -(-(last_us - first_us + 1) // 2**finest)  # microseconds, rounded up
        pixel = f"CAST(({micros} - {first_us}) // {width} AS INTEGER)"
        lo, hi = first_us / 1e6, (first_us + width * 2**finest) / 1e6
    else:
        lo, hi = float(row[0] or 0.0), float(row[1] or 0.0)
        pixel = m4.pixel_expr(xv, 2**finest, repr(lo), repr(hi))
    fine = cur.execute(
        f"SELECT CAST({finest} AS TINYINT) AS level, {pixel} AS b, "
        f"{m4.record_sql(target.x, target.y)} FROM {target.relation} WHERE {where} GROUP BY b"
    ).to_arrow_table()
    fine = fine.rename_columns(["level", "b", *m4.RECORD])
    parts = [fine]
    cur.register("aiser_pyramid_fine", fine)
    try:
        for level in range(finest - 2, COARSEST - 1, -2):
            shift = finest - level
            parts.append(
                cur.execute(
                    f"SELECT CAST({level} AS TINYINT) AS level, CAST(b >> {shift} AS INTEGER) "
                    f"AS b, {m4.combine_sql()} FROM aiser_pyramid_fine GROUP BY 2"
                ).to_arrow_table()
            )
    finally:
        cur.unregister("aiser_pyramid_fine")
    table = pa.concat_tables([p.cast(fine.schema) for p in parts])
    return table, lo, hi, rows, finest


def build(
    engine: Engine, target: Target, x_type: pa.DataType, finest: int | None = None
) -> Pyramid:
    """Builds (or rebuilds) the target's pyramid: read on a cursor of its own, so the
    person's queries keep running, then written in one short step on the engine's writer."""
    start = time.perf_counter()
    with engine.cursor() as cur:
        records, lo, hi, rows, finest = compute(cur, target, x_type, finest)
    seconds = time.perf_counter() - start
    table = f"{q(SCHEMA)}.{q(target.name)}"

    def write(_session: DuckDBPyConnection) -> None:
        with engine.cursor() as cur:
            cur.register("aiser_pyramid_records", records)
            try:
                cur.execute("BEGIN TRANSACTION")
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {q(SCHEMA)}")
                cur.execute(
                    f"CREATE TABLE IF NOT EXISTS {q(SCHEMA)}.pyramids (name VARCHAR PRIMARY KEY, "
                    "relation VARCHAR, x VARCHAR, y VARCHAR, table_oid BIGINT, table_rows "
                    "BIGINT, lo DOUBLE, hi DOUBLE, rows BIGINT, finest INTEGER, seconds DOUBLE, "
                    "built_at TIMESTAMP)"
                )
                cur.execute(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM aiser_pyramid_records "
                    "ORDER BY level, b"
                )
                cur.execute(
                    f"INSERT OR REPLACE INTO {q(SCHEMA)}.pyramids VALUES ("
                    f"{text_literal(target.name)}, {text_literal(target.relation)}, "
                    f"{text_literal(target.x)}, {text_literal(target.y)}, {target.oid}, "
                    f"{target.rows}, {lo!r}, {hi!r}, {rows}, {finest}, {seconds!r}, "
                    "now()::TIMESTAMP)"
                )
                _forget_stale(cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.unregister("aiser_pyramid_records")

    engine.call(write).result()
    log.info("chart pyramid for %s (%s rows) built in %.2f s", target.relation, rows, seconds)
    return Pyramid(table, lo, hi, rows, finest, seconds)


def _forget_stale(cur: DuckDBPyConnection) -> None:
    """Drops the pyramids of tables that no longer exist (a removed or replaced source), so
    their records do not stay in the workspace's file."""
    stale = cur.execute(
        f"SELECT name FROM {q(SCHEMA)}.pyramids WHERE table_oid NOT IN "
        "(SELECT table_oid FROM duckdb_tables())"
    ).fetchall()
    for (name,) in stale:
        cur.execute(f"DROP TABLE IF EXISTS {q(SCHEMA)}.{q(name)}")
        cur.execute(f"DELETE FROM {q(SCHEMA)}.pyramids WHERE name = {text_literal(name)}")


def ensure(engine: Engine, target: Target, x_type: pa.DataType) -> Future[Pyramid]:
    """The target's pyramid, built once in the background however many charts ask for it."""
    key = (id(engine), target.name)
    with _builds_lock:
        running = _builds.get(key)
        if running is not None and not running.done():
            return running
        future: Future[Pyramid] = Future()
        _builds[key] = future

    def work() -> None:
        try:
            future.set_result(build(engine, target, x_type))
        except BaseException as exc:
            log.warning("chart pyramid for %s failed: %s", target.relation, exc)
            future.set_exception(exc)
        finally:
            with _builds_lock:
                if _builds.get(key) is future:
                    del _builds[key]

    threading.Thread(target=work, name="aiser-chart-pyramid", daemon=True).start()
    return future


# ---------------------------------------------------------------------- answering from it
def level_for(p: Pyramid, lo: float, hi: float, pixels: int) -> int | None:
    """The coarsest level with :data:`OVERSAMPLE` buckets per pixel column over lo..hi, or
    None when even the finest is too coarse (read the rows instead)."""
    span = (p.hi - p.lo) or 1.0
    share = max(0.0, min(hi, p.hi) - max(lo, p.lo)) / span
    for level in p.levels():
        if 2**level * share >= OVERSAMPLE * pixels:
            return level
    return None


def query_sql(
    p: Pyramid,
    x: str,
    y: str,
    x_type: pa.DataType,
    pixels: int,
    x_range: tuple[float, float] | None,
) -> str | None:
    """The M4 of the rows over ``x_range`` from the pyramid's records, or None when the
    range needs finer buckets than the pyramid has."""
    lo, hi = x_range if x_range is not None else (p.lo, p.hi)
    level = level_for(p, lo, hi, pixels)
    if level is None:
        return None
    span = (p.hi - p.lo) or 1.0
    first = max(0, math.floor((lo - p.lo) * 2**level / span))
    last = min(2**level - 1, math.floor((hi - p.lo) * 2**level / span))
    bounds = f"SELECT CAST({lo!r} AS DOUBLE) AS lo, CAST({hi!r} AS DOUBLE) AS hi"
    first_px = m4.pixel_expr(axis_expr("x_first", x_type), pixels)
    last_px = m4.pixel_expr(axis_expr("x_last", x_type), pixels)
    # Buckets inside one pixel column combine into that column's record; a bucket that a
    # column edge cuts keeps its own lowest and highest points, so they stay on their own
    # side (its first and last are no more the columns' first and last than any other).
    return (
        f"WITH p AS (SELECT * FROM {p.table} WHERE level = {level} "
        f"AND b BETWEEN {first} AND {last}), bounds AS ({bounds}), "
        f"t AS (SELECT p.*, {first_px} AS px, {last_px} AS px_last FROM p, bounds), "
        f"g AS (SELECT px, {m4.combine_sql()} FROM t WHERE px = px_last GROUP BY px), "
        "s AS (SELECT * FROM t WHERE px <> px_last) "
        f"SELECT {q(x)}, {q(y)}, (SELECT sum(n) FROM p) AS {q(ROWS_IN)} "
        f"FROM ({m4.points_sql('g', x, y)} UNION {m4.points_sql('s', x, y, which=('min', 'max'))}) "
        f"ORDER BY {q(x)}"
    )


def answer(
    target: Any,
    source_sql: str,
    spec: ChartSpec,
    schema: pa.Schema,
    pixels: int,
    x_range: tuple[float, float] | None,
    cancel: threading.Event | None,
    *,
    build: bool = True,
    preview: bool = False,
) -> Answer | None:
    """A line's table from pyramids (one per measure), or None when this chart is not one
    a pyramid serves (not a plain scan of a big table, aggregated, split into series, or a
    zoom finer than the finest level). A missing pyramid is built when ``target`` is an
    Engine: waited for, or with ``preview``, answered at once from a sample of the rows
    (DuckDB reads only the sampled row groups) while it builds.
    """
    from aiser_desktop.core.charts.data import _run

    x = spec.x or ""
    x_type = column_type(schema, x)
    if (
        spec.series
        or spec.aggregation != "none"
        or x_type is None
        or not (is_time(x_type) or is_number(x_type))
    ):
        return None
    measures = [*spec.y, *spec.y2]

    def locate(cur: DuckDBPyConnection) -> list[tuple[Target, Pyramid | None]] | None:
        found = []
        for measure in measures:
            tgt = find_target(cur, source_sql, x, measure)
            if tgt is None or tgt.rows < MIN_ROWS:
                return None
            found.append((tgt, lookup(cur, tgt)))
        return found

    located = _run(target, locate, cancel, source_sql)
    if located is None:
        return None
    pyramids: list[Pyramid] = []
    missing = [tgt for tgt, pyr in located if pyr is None]
    if missing and (not build or not hasattr(target, "submit")):
        return None
    if missing and preview:
        pending = [ensure(target, tgt, x_type) for tgt in missing][-1]
        return _preview(target, located, spec, x_type, pixels, x_range, cancel, pending)
    for tgt, pyr in located:
        if pyr is None:
            pyr = _wait(ensure(target, tgt, x_type), cancel)
            if pyr is None:
                return None
        pyramids.append(pyr)
    tables = []
    rows_in = 0
    for measure, pyr in zip(measures, pyramids, strict=True):
        sql = query_sql(pyr, x, measure, x_type, pixels, x_range)
        if sql is None:
            return None
        table = _run(target, _fetcher(sql), cancel, sql)
        if table.num_rows:
            rows_in = max(rows_in, int(table.column(ROWS_IN)[0].as_py() or 0))
        tables.append(table.drop_columns([ROWS_IN]))
    merged = tables[0] if len(tables) == 1 else _merge(tables, x)
    used = x_range if x_range is not None else (pyramids[0].lo, pyramids[0].hi)
    return Answer(merged, rows_in, used, "pyramid", "")


@dataclass(frozen=True)
class Answer:
    """What :func:`answer` found: the table to draw and how it was made."""

    table: pa.Table
    rows_in: int
    x_range: tuple[float, float] | None
    method: str
    note: str
    pending: Future[Pyramid] | None = None


def _preview(
    target: Any,
    located: list[tuple[Target, Pyramid | None]],
    spec: ChartSpec,
    x_type: pa.DataType,
    pixels: int,
    x_range: tuple[float, float] | None,
    cancel: threading.Event | None,
    pending: Future[Pyramid],
) -> Answer:
    """M4 over a system sample of the table (whole row groups, about
    :data:`PREVIEW_ROWS` rows): a first look while the pyramid builds."""
    from aiser_desktop.core.charts.data import _run

    first = located[0][0]
    share = min(100.0, max(0.001, PREVIEW_ROWS * 100.0 / max(1, first.rows)))
    columns = [f"{q(first.x)} AS {q(spec.x or '')}"]
    measures = [*spec.y, *spec.y2]
    columns += [f"{q(tgt.y)} AS {q(m)}" for (tgt, _p), m in zip(located, measures, strict=True)]
    sample = f"SELECT {', '.join(columns)} FROM {first.relation} TABLESAMPLE {share!r}% (system)"
    sql = m4.m4_sql(sample, spec.x or "", x_type, measures, pixels, x_range)
    table = _run(target, _fetcher(sql), cancel, sql)
    sampled = int(table.column(ROWS_IN)[0].as_py() or 0) if table.num_rows else 0
    table = table.drop_columns([ROWS_IN])
    used = x_range
    if used is None and table.num_rows:
        from aiser_desktop.core.charts.data import _extent

        used = _extent(table, spec.x or "")
    note = f"a first look from {sampled:,} of {first.rows:,} rows; the full chart is being prepared"
    return Answer(table, sampled, used, "preview", note, pending)


def _fetcher(sql: str) -> Callable[[DuckDBPyConnection], pa.Table]:
    return lambda cur: cur.execute(sql).to_arrow_table()


def _merge(tables: list[pa.Table], x: str) -> pa.Table:
    """Several measures' points in one long table (NULL where a row is another measure's)."""
    merged = pa.concat_tables(tables, promote_options="default")
    return merged.sort_by([(x, "ascending")])


def _wait(future: Future[Pyramid], cancel: threading.Event | None) -> Pyramid | None:
    """Waits for a build; None when it failed (the caller reads the rows instead)."""
    while True:
        if cancel is not None and cancel.is_set():
            raise QueryCancelledError("The chart was cancelled.")
        try:
            return future.result(timeout=0.05)
        except TimeoutError:
            continue
        except Exception:
            return None
