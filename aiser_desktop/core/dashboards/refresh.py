"""Running a dashboard's tiles: each tile's query, with the dashboard's filters, on a cursor
of its own, cancellable at any moment.

Tiles run on DuckDB cursors of their own (``engine.cursor()``), not on the person's query
session: a refresh neither waits behind a long query in the editor nor fills the history with
six statements every few minutes. :class:`Cancel` interrupts every cursor it handed out, so
closing a dashboard or pressing Cancel stops all its queries at once.

What comes back is small: a table tile's first :data:`TABLE_ROWS` rows, a chart's or KPI's
drawn data (``core.charts.data.fetch_chart_data``: aggregated and downsampled in SQL).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiser_desktop.core.dashboards.filters import (
    Schema,
    applicable,
    filtered_sql,
    result_columns,
    single_query,
)
from aiser_desktop.core.dashboards.model import Dashboard, DashboardError, SavedChart, Tile
from aiser_desktop.core.errors import AiserError, QueryCancelledError

if TYPE_CHECKING:
    import pyarrow as pa
    from duckdb import DuckDBPyConnection

    from aiser_desktop.core.engine import Engine

log = logging.getLogger(__name__)

TABLE_ROWS = 200  # a table tile shows its first rows; the export the same


class Cancel:
    """Stops a refresh: every cursor it lent out is interrupted, and no new one is lent.

    Thread-safe; one per refresh (or per open dashboard, renewed on each refresh).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cursors: set[DuckDBPyConnection] = set()
        self.event = threading.Event()  # what the chart core watches (fetch_chart_data)

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self.event.set()
            cursors = list(self._cursors)
        for cursor in cursors:
            with contextlib.suppress(Exception):
                cursor.interrupt()

    def check(self) -> None:
        """Raises QueryCancelledError once cancelled."""
        if self.event.is_set():
            raise QueryCancelledError("The dashboard's refresh was cancelled.")

    @contextlib.contextmanager
    def cursor(self, engine: Engine) -> Iterator[DuckDBPyConnection]:
        """A cursor of the engine's database that :meth:`cancel` interrupts."""
        with engine.cursor() as cur:
            # Errors with their position, as the person's own session reports them.
            cur.execute("SET errors_as_json = true")
            with self._lock:
                if self.event.is_set():
                    raise QueryCancelledError("The dashboard's refresh was cancelled.")
                self._cursors.add(cur)
            try:
                yield cur
            finally:
                with self._lock:
                    self._cursors.discard(cur)


@dataclass
class TileResult:
    """What one tile shows after a refresh.

    Attributes:
        tile: The tile that ran.
        table: Table tiles: the first rows; chart and KPI tiles: the drawn data.
        chart: Chart and KPI tiles: the ``ChartData`` (spec resolved, notes), else None.
        error: Why the tile could not be drawn (None when it was).
        sql: The SQL that ran (the tile's own, wrapped by the filters that apply).
        filters: Labels of the dashboard filters applied to this tile.
        columns: The columns of the tile's own query (what a dashboard filter can use).
        more_rows: Table tiles: the result had more than the rows kept.
        seconds: How long the tile took.
    """

    tile: Tile
    table: pa.Table | None = None
    chart: Any = None
    error: AiserError | None = None
    sql: str = ""
    filters: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    more_rows: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def tile_query(tile: Tile, charts: Mapping[int, SavedChart]) -> tuple[str, dict[str, Any] | None]:
    """The SQL and chart spec a tile draws from (its saved chart's, or its own).

    Raises:
        DashboardError: Its saved chart was deleted, or it has no query.
    """
    if tile.kind == "chart" and tile.chart_id is not None:
        chart = charts.get(tile.chart_id)
        if chart is None:
            raise DashboardError(
                f"The saved chart of the tile {tile.title!r} was deleted.",
                hint="Remove the tile, or add the chart again from its query.",
            )
        return chart.sql, chart.spec
    if not (tile.sql or "").strip():
        raise DashboardError(f"The tile {tile.title!r} has no query.", hint="Give it a query.")
    return tile.sql or "", tile.spec


def columns_sql(sql: str) -> str:
    return f"select * from (\n{sql}\n) as tile limit 0"


def columns_of(cursor: DuckDBPyConnection, sql: str) -> list[str]:
    """The result's column names, from DuckDB (binding only: no row is read)."""
    relation = cursor.execute(columns_sql(sql))
    return [d[0] for d in relation.description or []]


def run_tile(
    engine: Engine,
    dashboard: Dashboard,
    tile: Tile,
    charts: Mapping[int, SavedChart],
    cancel: Cancel,
    *,
    schema: Schema | None = None,
) -> TileResult:
    """Runs one tile with the dashboard's filters; errors are returned, not raised (one
    broken tile never stops the others), except cancellation.

    Raises:
        QueryCancelledError: ``cancel`` was cancelled before or while it ran.
    """
    started = time.perf_counter()
    out = TileResult(tile)
    if tile.kind == "text":
        return out
    sql, ran = tile.sql or "", ""
    try:
        cancel.check()
        sql, spec = tile_query(tile, charts)
        sql = single_query(sql)
        with cancel.cursor(engine) as cur:
            columns = result_columns(sql, schema)
            if columns is None:
                ran = columns_sql(sql)
                columns = columns_of(cur, sql)
            out.columns = list(columns)
            chosen = applicable(dashboard.filters, columns)
            out.filters = [f.label() for f in chosen]
            out.sql = filtered_sql(sql, chosen, columns)
            if tile.kind == "table":
                ran = first_rows_sql(out.sql)
                out.table, out.more_rows = _first_rows(cur, ran)
        if tile.kind != "table":
            out.chart = chart_data(engine, out.sql, spec or {}, cancel, tile.title)
            out.table = out.chart.table
    except QueryCancelledError:
        raise
    except AiserError as exc:
        if cancel.cancelled:
            raise QueryCancelledError("The dashboard's refresh was cancelled.") from exc
        out.error = _in_tile_sql(exc, sql)
    except Exception as exc:  # DuckDB's own error, in words a person can act on
        if cancel.cancelled:
            raise QueryCancelledError("The dashboard's refresh was cancelled.") from exc
        from aiser_desktop.core.engine.diagnostics import translate

        out.error = _in_tile_sql(translate(exc, ran or out.sql), sql)
    out.seconds = time.perf_counter() - started
    return out


def refresh_all(
    engine: Engine,
    dashboard: Dashboard,
    charts: Mapping[int, SavedChart],
    cancel: Cancel | None = None,
    *,
    schema: Schema | None = None,
    on_tile: Callable[[TileResult], None] | None = None,
) -> dict[int, TileResult]:
    """Runs every tile in turn (the CLI's export; the window runs tiles in parallel).

    Returns:
        Each tile's result by tile id (tiles not yet saved are keyed by their index).
    """
    cancel = cancel or Cancel()
    results: dict[int, TileResult] = {}
    for i, tile in enumerate(dashboard.tiles):
        result = run_tile(engine, dashboard, tile, charts, cancel, schema=schema)
        results[tile.id if tile.id is not None else i] = result
        if on_tile is not None:
            on_tile(result)
    return results


def first_rows_sql(sql: str) -> str:
    return f"select * from (\n{sql}\n) as shown limit {TABLE_ROWS + 1}"


def _first_rows(cur: DuckDBPyConnection, ran: str) -> tuple[pa.Table, bool]:
    table = _as_table(cur.execute(ran).arrow())
    if table.num_rows > TABLE_ROWS:
        return table.slice(0, TABLE_ROWS), True
    return table, False


def _in_tile_sql(error: AiserError, sql: str) -> AiserError:
    """A DuckDB error about the wrapped query, pointed at the tile's own SQL (the line and
    column the person wrote), when the position falls inside it."""
    from aiser_desktop.core.errors import QueryError, SqlPosition

    if not isinstance(error, QueryError) or not sql:
        return error
    start = error.sql.find(sql) if error.sql else -1
    position = None
    if error.position is not None and start >= 0:
        inside = error.position.offset - start
        if 0 <= inside <= len(sql):
            position = SqlPosition.from_offset(sql, inside)
    return QueryError(error.message, sql=sql, kind=error.kind, position=position, hint=error.hint)


def _as_table(result: Any) -> pa.Table:
    """DuckDB's ``arrow()`` is a table or a batch reader depending on the version."""
    read_all = getattr(result, "read_all", None)
    return read_all() if callable(read_all) else result


def chart_data(
    engine: Engine, sql: str, spec: dict[str, Any], cancel: Cancel, title: str = ""
) -> Any:
    """The chart's data from the chart core (aggregated, binned or downsampled in SQL, on a
    cursor of its own that ``cancel`` interrupts). A chart without a title of its own takes
    the tile's."""
    from aiser_desktop.core.charts.data import fetch_chart_data
    from aiser_desktop.core.charts.spec import ChartSpec

    chart = ChartSpec.from_dict(spec)
    if title and not chart.title:
        chart.title = title
    return fetch_chart_data(engine, sql, chart, cancel=cancel.event)


def charts_by_id(charts: list[SavedChart]) -> dict[int, SavedChart]:
    return {c.id: c for c in charts}
