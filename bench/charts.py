"""A line chart over 1M, 10M and 100M rows: request to pixels, first frame and zoom.

A generated time series (``t`` TIMESTAMP one second apart, ``v`` DOUBLE: a slow wave plus
noise), stored in x order in a DuckDB file (cached under ``~/.cache/aiser-bench``). For each
size, in one process, the chart ``SELECT t, v FROM ts_N`` drawn 1200 px wide:

- first ever: the very first request, before any pyramid exists: with ``preview=True`` it is
  answered at once by M4 over a sample of about 250K rows (whole row groups, so DuckDB reads
  only those), while the pyramid builds in the background.
- pyramid build: that one-off summary of the table (``core/charts/pyramid.py``), from the
  first request until it is stored; not part of any request below.
- first frame: ``fetch_chart_data`` (the pyramid's records, combined per pixel column) and
  charts-ui's ``render_image`` (a real pyqtgraph paint into a QImage). Median of the runs.
- zoom: the same with ``x_range`` set to a random 10 % window, and a deep zoom to 0.05 %
  (narrower than the pyramid's finest level: read from the table, where DuckDB's zone maps
  skip the row groups outside the range).
- M4 over the rows: the same first frame from the rows themselves (no pyramid), once.
- naive: fetch every row as Arrow and draw them all, where that fits (1M, 10M).

Goal: first frame and zoom < 300 ms at 100M rows, flat in the row count; the ratios printed are
naive / app and each size / the smallest.

Usage:
    python bench/charts.py                       # 1M, 10M, 100M (generating 100M: a minute)
    python bench/charts.py --smoke               # tiny and fast, what the test runs
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _common import fmt_ratio, goal, load, machine, ms, ratio, say, secs, table

GOAL_S = 0.3
WIDTH, HEIGHT = 1200, 500
NAIVE_MAX = 1_000_000  # rows the naive path is tried on by default (10M takes minutes)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000,100000000",
                        help="row counts, comma-separated")  # fmt: skip
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement")
    parser.add_argument("--dir", type=Path, default=None, help="where the data file is cached")
    parser.add_argument("--naive-max", type=int, default=NAIVE_MAX,
                        help="largest size the naive path is run on")  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few runs")
    return parser.parse_args(argv)


def ensure_tables(engine: Any, sizes: list[int]) -> None:
    for rows in sizes:
        name = f"ts_{rows}"
        with engine.cursor() as cur:
            found = cur.execute(
                f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{name}'"
            ).fetchone()
        if found and found[0]:
            continue
        start = time.perf_counter()
        engine.execute(
            f"CREATE TABLE {name} AS SELECT TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS t, "
            f"sin(i / {max(1, rows // 40)}.0) * 10 + (hash(i) % 1000) / 250.0 AS v "
            f"FROM range({rows}) r(i)"
        )
        say(f"  generated {name} in {secs(time.perf_counter() - start)}")


def median_of(runs: int, fn: Any) -> tuple[float, Any]:
    times, last = [], None
    for _ in range(runs):
        start = time.perf_counter()
        last = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), last


class Timed:
    """Request-to-pixels split in two: DuckDB's part (fetch_chart_data) and the paint."""

    def __init__(self, fetch: Any, draw: Any) -> None:
        self.fetch, self.draw = fetch, draw
        self.data: list[float] = []
        self.pixels: list[float] = []

    def __call__(self, *args: Any, **kw: Any) -> Any:
        start = time.perf_counter()
        data = self.fetch(*args, **kw)
        middle = time.perf_counter()
        self.draw(data)
        self.data.append(middle - start)
        self.pixels.append(time.perf_counter() - start)
        return data

    def medians(self) -> tuple[float, float]:
        out = (statistics.median(self.data), statistics.median(self.pixels))
        self.data, self.pixels = [], []
        return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from aiser_desktop.core.charts import pyramid
    from aiser_desktop.core.charts.data import fetch_chart_data
    from aiser_desktop.core.charts.spec import ChartSpec
    from aiser_desktop.core.engine import Engine

    try:
        from aiser_desktop.ui.charts.render import render_image
    except ImportError as exc:  # charts-ui not installed: data only
        say(f"note: no renderer ({exc}); times are request-to-data, not pixels")
        render_image = None

    sizes = [int(s) for s in args.sizes.split(",")]
    runs = args.runs
    if args.smoke:
        sizes, runs = [20_000, 200_000], 2
        pyramid.MIN_ROWS, pyramid.ROWS_PER_BUCKET = 10_000, 1
    folder = args.dir or Path.home() / ".cache" / "aiser-bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("charts-smoke.duckdb" if args.smoke else "charts.duckdb")
    say(f"charts: a line over {', '.join(f'{s:,}' for s in sizes)} rows, {WIDTH}x{HEIGHT} px")
    say(f"{machine()}; load {load()}")
    engine = Engine(path)
    rng = random.Random(7)
    results: dict[int, dict[str, Any]] = {}
    try:
        ensure_tables(engine, sizes)
        spec = ChartSpec("line", x="t", y=["v"])

        def draw(data: Any) -> Any:
            if render_image is not None:
                image = render_image(data, width=WIDTH, height=HEIGHT)
                assert not image.isNull()
            return data

        draw(fetch_chart_data(engine, "SELECT i AS t, i AS v FROM range(10) r(i)", spec))  # warm
        for rows in sizes:
            results[rows] = measure(engine, rows, runs, draw, rng, naive=rows <= args.naive_max)
            say(f"  {rows:,} rows: done")
    finally:
        engine.close()
    report(results, sizes)
    return 0


def measure(engine: Any, rows: int, runs: int, draw: Any, rng: random.Random,
            naive: bool) -> dict[str, Any]:  # fmt: skip
    """The figures of one size (see the module's docstring)."""
    from aiser_desktop.core.charts import pyramid
    from aiser_desktop.core.charts.data import fetch_chart_data
    from aiser_desktop.core.charts.spec import ChartSpec

    spec = ChartSpec("line", x="t", y=["v"])
    sql = f"SELECT t, v FROM ts_{rows}"
    row: dict[str, Any] = {}
    engine.execute(f"DROP SCHEMA IF EXISTS {pyramid.SCHEMA} CASCADE")
    timed = Timed(fetch_chart_data, draw)
    start = time.perf_counter()
    first = timed(engine, sql, spec, pixels=WIDTH, preview=True)  # starts the build
    row["preview_data"], row["preview"] = timed.medians()
    row["preview_method"] = first.method
    if first.pending is not None:
        first.pending.result()
        row["build"] = time.perf_counter() - start
    else:
        row["build"] = float("nan")
    for _ in range(runs):
        data = timed(engine, sql, spec, pixels=WIDTH)
    row["first_data"], row["first"] = timed.medians()
    row["points"] = data.table.num_rows
    lo, hi = data.x_range
    for key, share in (("zoom", 0.10), ("deep", 0.0005)):
        for _ in range(runs):
            begin = lo + (hi - lo) * rng.random() * (1 - share)
            window = (begin, begin + (hi - lo) * share)
            zoomed = timed(engine, sql, spec, pixels=WIDTH, x_range=window)
        row[key + "_data"], row[key] = timed.medians()
        row[key + "_method"] = zoomed.method
    start = time.perf_counter()
    draw(fetch_chart_data(engine, sql + " WHERE true", spec, pixels=WIDTH))  # no pyramid
    row["m4"] = time.perf_counter() - start
    row["naive"] = float("nan")
    if naive:

        def everything() -> Any:
            with engine.cursor() as cur:
                return draw((spec, cur.execute(sql).to_arrow_table()))

        row["naive"], _ = median_of(1 if rows > 1_000_000 else 3, everything)
    return row


def report(results: dict[int, dict[str, Any]], sizes: list[int]) -> None:
    smallest = results[sizes[0]]
    rows = []
    for size in sizes:
        r = results[size]
        rows.append([
            f"{size:,}", f"{ms(r['preview_data'])} / {ms(r['preview'])}",
            secs(r["build"]) if r["build"] == r["build"] else "none",
            f"{ms(r['first_data'])} / {ms(r['first'])}",
            f"{ms(r['zoom_data'])} / {ms(r['zoom'])}",
            f"{ms(r['deep_data'])} / {ms(r['deep'])}", f"{int(r['points']):,}", secs(r["m4"]),
            secs(r["naive"]) if r["naive"] == r["naive"] else "not run",
            fmt_ratio(ratio(r["naive"], r["first"]), 0),
            fmt_ratio(ratio(r["first_data"], smallest["first_data"])),
            fmt_ratio(ratio(r["zoom_data"], smallest["zoom_data"])),
        ])  # fmt: skip
    say()
    say("each cell: data (DuckDB) / request to pixels (data + paint); medians")
    say(table(["rows", "first ever (preview)", "pyramid build (once)", "first frame",
               "zoom 10%", "deep zoom 0.05%", "points", "M4 over rows", "naive", "naive/app",
               "data first/smallest", "data zoom/smallest"], rows))  # fmt: skip
    methods = ", ".join(
        f"{size:,}: {results[size]['preview_method']}/{results[size]['zoom_method']}/"
        f"{results[size]['deep_method']}"
        for size in sizes
    )
    say(f"how (first ever/zoom/deep zoom): {methods}")
    biggest = results[sizes[-1]]
    say()
    for label, key in (("first frame", "first"), ("zoom", "zoom"), ("deep zoom", "deep")):
        for part, suffix in (("data", "_data"), ("pixels", "")):
            value = biggest[key + suffix]
            say(goal(f"{label} at {sizes[-1]:,} rows, {part}", value, GOAL_S, ms(value),
                     "300 ms"))  # fmt: skip
    say(f"ratio first frame {sizes[-1]:,}/{sizes[0]:,}: "
        f"{fmt_ratio(ratio(biggest['first'], smallest['first']))}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
