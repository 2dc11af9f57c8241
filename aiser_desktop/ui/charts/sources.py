"""Where a chart's data comes from: a query's result (scanned where it lies) or its SQL, and
the work a chart request does on a worker (recommend, choose, fetch).

No widgets here: these run on the canvas's task threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from aiser_desktop.core.charts.data import ChartData, fetch_chart_data
from aiser_desktop.core.charts.spec import ChartSpec
from aiser_desktop.core.errors import AiserError

if TYPE_CHECKING:
    from aiser_desktop.core.engine import Engine, ResultHandle

SAMPLE_ROWS = 2_000
RESCAN_ROWS = 1_000_000  # a plain SELECT bigger than this is charted from its SQL
Fetch = Callable[[ChartSpec, int, "tuple[float, float] | None", threading.Event], ChartData]


class HeldCursor:
    """A cursor lent to the core for one request: the core closes what it is given, and this
    one must stay open until the result it scans is unregistered."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def cursor(self) -> HeldCursor:
        return self

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def plain_select(sql: str) -> bool:
    """One SELECT (or WITH/FROM) statement: safe to run again for a chart."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S).strip().rstrip(";").strip()
    return bool(re.match(r"(?is)^(select|with|from)\b", text)) and ";" not in text


def fetch_for_handle(engine: Engine, handle: ResultHandle) -> Fetch:
    """How to fetch a chart of ``handle``'s rows (see the module docstring)."""
    if handle.row_count > RESCAN_ROWS and plain_select(handle.sql) and not handle.truncated:
        sql = handle.sql.strip().rstrip(";")
        return lambda spec, px, rng, cancel: fetch_chart_data(
            engine, sql, spec, pixels=px, x_range=rng, cancel=cancel, preview=True
        )

    def fetch(
        spec: ChartSpec, px: int, rng: tuple[float, float] | None, cancel: threading.Event
    ) -> ChartData:
        with engine.cursor() as cursor, handle.scan(cursor) as name:
            return fetch_chart_data(
                HeldCursor(cursor), f"SELECT * FROM {name}", spec, pixels=px, x_range=rng,
                cancel=cancel,
            )  # fmt: skip

    return fetch


def spec_for_column(specs: list[ChartSpec], schema: pa.Schema, column: str) -> ChartSpec:
    """The chart for "Chart this" on ``column``: the first recommendation that names it, else
    its distribution (a number), its rows over time (a date) or its rows per value."""
    for spec in specs:
        if column in (spec.x, *spec.y):
            return spec
    kind = schema.field(column).type if column in schema.names else pa.string()
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return ChartSpec("histogram", x=column)
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return ChartSpec("line", x=column, aggregation="count")
    return ChartSpec("bar", x=column, aggregation="count", sort="desc", limit=30)


def plan(
    fetch: Fetch,
    spec: ChartSpec | None,
    column: str | None,
    sample: Callable[[], pa.Table] | None,
    pixels: int,
    x_range: tuple[float, float] | None,
    cancel: threading.Event,
) -> tuple[list[ChartSpec], ChartSpec, ChartData]:
    """On a worker: the recommendations (when asked), the spec chosen, and its data."""
    specs: list[ChartSpec] = []
    if spec is None or column is not None:
        from aiser_desktop.core.charts.recommend import recommend

        rows = sample() if sample is not None else pa.table({})
        specs = recommend(rows.schema, rows)
        if column is not None:
            chosen = spec_for_column(specs, rows.schema, column)
            specs = [chosen, *[s for s in specs if s != chosen]]
        if not specs:
            raise AiserError(
                "This result has nothing to chart.",
                hint="A chart needs at least one row and a column to measure or count.",
            )
        spec = specs[0]
    return specs, spec, fetch(spec, pixels, x_range, cancel)
