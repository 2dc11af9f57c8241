"""The semantic layer: a dashboard query with and without a pre-aggregation, and compile time.

A workspace holds a fact table ``sales`` (10M rows: a store, a status, an amount and a time
over two years) and a ``stores`` table (200 rows), with a model in Cube's syntax and one
rollup (count, revenue and average amount by status and day). Printed, side by side:

- hand-written SQL on the raw table (the reference), the semantic query compiled to the raw
  tables (``run_query`` on the engine), and the same query answered from the rollup
  (``run_query`` on the workspace), with the ratios raw/rollup (goal >= 20x) and
  compiled/hand-written (the cost of the compiler's SQL shape, goal <= 1.2x);
- the rollup path again with its freshness check on every query (``check_every = 0``: a row
  count and a max over the source);
- the time to build the rollup;
- compile time per query, median over several query shapes, with the SQL cache emptied
  before each (goal < 5 ms), and the same query again from the cache.

Each timed line is the median of several runs after one untimed warm-up.

Usage:
    python bench/semantic.py            # 10M rows
    python bench/semantic.py --smoke    # 200k rows, a few seconds
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import fmt_ratio, load, median, ms, timed

MODEL = """\
cubes:
  - name: sales
    sql_table: sales
    joins:
      - name: stores
        sql: "{CUBE}.store_id = {stores}.id"
        relationship: many_to_one
    measures:
      - name: count
        type: count
      - name: revenue
        sql: amount
        type: sum
      - name: avg_amount
        sql: amount
        type: avg
      - name: stores_selling
        sql: store_id
        type: count_distinct
      - name: revenue_7d
        sql: amount
        type: sum
        rolling_window:
          trailing: 7 day
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: status
        type: string
      - name: sold_at
        sql: sold_at
        type: time
    pre_aggregations:
      - name: by_day
        measures: [CUBE.count, CUBE.revenue, CUBE.avg_amount]
        dimensions: [CUBE.status]
        time_dimension: CUBE.sold_at
        granularity: day
  - name: stores
    sql_table: stores
    measures:
      - name: count
        type: count
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: region
        sql: region
        type: string
"""

DASHBOARD = {
    "measures": ["sales.revenue", "sales.count", "sales.avg_amount"],
    "dimensions": ["sales.status"],
    "timeDimensions": [
        {
            "dimension": "sales.sold_at",
            "granularity": "month",
            "dateRange": ["2024-01-01", "2024-12-31"],
        }
    ],
}

HAND_WRITTEN = """
SELECT status, date_trunc('month', sold_at) AS month, sum(amount), count(*), avg(amount)
FROM sales
WHERE sold_at >= TIMESTAMP '2024-01-01' AND sold_at < TIMESTAMP '2025-01-01'
GROUP BY ALL ORDER BY month
"""

SHAPES = {
    "one measure": {"measures": ["sales.count"]},
    "dashboard (rollup)": DASHBOARD,
    "join + filters": {
        "measures": ["sales.revenue", "stores.count"],
        "dimensions": ["stores.region"],
        "filters": [
            {"member": "sales.status", "operator": "equals", "values": ["paid", "shipped"]},
            {
                "or": [
                    {"member": "sales.sold_at", "operator": "afterDate", "values": ["2024-06-01"]},
                    {"member": "stores.region", "operator": "contains", "values": ["north"]},
                ]
            },
        ],
    },
    "rolling window": {
        "measures": ["sales.revenue_7d"],
        "timeDimensions": [
            {"dimension": "sales.sold_at", "granularity": "day", "dateRange": "last 30 days"}
        ],
    },
}


def build(folder: Path, rows: int) -> None:
    from aiser_desktop.core.workspace import Workspace

    with Workspace.open(folder) as ws:
        ws.engine.execute(
            f"""
            CREATE TABLE stores AS
                SELECT i AS id, ['north', 'south', 'east', 'west'][i % 4 + 1] AS region
                FROM range(200) t(i);
            CREATE TABLE sales AS
                SELECT i AS id, i % 200 AS store_id,
                       ['paid', 'shipped', 'new', 'refunded', 'lost'][i % 5 + 1] AS status,
                       ((i * 7919) % 10000) / 100.0 AS amount,
                       TIMESTAMP '2023-01-01' + to_seconds((i * 63072000 // {rows})::BIGINT)
                           AS sold_at
                FROM range({rows}) t(i);
            """
        )
    cubes = folder / "model" / "cubes"
    cubes.mkdir(parents=True)
    (cubes / "sales.yml").write_text(MODEL, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="200k rows, a few seconds")
    parser.add_argument("--rows", type=int, default=0, help="rows in the fact table")
    parser.add_argument("--runs", type=int, default=0, help="timed runs per line")
    args = parser.parse_args()
    rows = args.rows or (200_000 if args.smoke else 10_000_000)
    runs = args.runs or (3 if args.smoke else 7)

    from aiser_desktop.core.semantic import compile_query, load_model, run_query
    from aiser_desktop.core.semantic.members import Expander
    from aiser_desktop.core.semantic.preagg import PreAggregations
    from aiser_desktop.core.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="aiser-bench-semantic-") as tmp:
        folder = Path(tmp) / "ws"
        started = time.perf_counter()
        build(folder, rows)
        print(f"load average at the start: {load()}")
        print(f"fact table: {rows:,} rows, made in {time.perf_counter() - started:.1f} s")
        model, errors = load_model(folder)
        if errors:
            print(*errors, sep="\n")
            return 1
        with Workspace.open(folder) as ws:
            rollups = PreAggregations.of(ws)
            built = rollups.refresh(model)[0]
            print(f"rollup {built.name}: {built.rows:,} rows, built in {built.seconds:.2f} s")

            def hand() -> object:
                return ws.engine.execute(HAND_WRITTEN).table

            def raw() -> object:
                return run_query(ws.engine, model, DASHBOARD)

            def rollup() -> object:
                compiled, _ = run_query(ws, model, DASHBOARD)
                assert compiled.pre_aggregation == "sales.by_day"
                return compiled

            results = {}
            for label, fn in (
                ("hand-written SQL", hand),
                ("compiled, raw", raw),
                ("from the rollup", rollup),
            ):
                fn()
                results[label] = median([timed(fn) for _ in range(runs)])
            rollups.check_every = 0.0
            rollup()
            results["rollup + freshness check"] = median([timed(rollup) for _ in range(runs)])
            print("\ndashboard query (revenue, count, average by status and month, one year):")
            for label, seconds in results.items():
                print(f"  {label:<26} {ms(seconds):>10}")
            speedup = results["compiled, raw"] / results["from the rollup"]
            checked = results["compiled, raw"] / results["rollup + freshness check"]
            shape = results["compiled, raw"] / results["hand-written SQL"]
            print(
                f"\nspeed-up raw/rollup: {fmt_ratio(speedup, 1)}  (goal >= 20x: "
                f"{'met' if speedup >= 20 else 'NOT met'})"
            )
            print(f"speed-up raw/(rollup + freshness check each query): {fmt_ratio(checked, 1)}")
            print(
                f"compiled/hand-written: {fmt_ratio(shape)}  (goal <= 1.2x: "
                f"{'met' if shape <= 1.2 else 'NOT met'})"
            )

        print("\ncompile time per query (median of 200; the SQL cache emptied before each,")
        print("the model's parsed member SQL warm; then the same query again, from the cache):")
        built_rollups = {"sales.by_day": '_aiser_semantic."sales__by_day"'}
        cache = Expander.of(model).compiled
        worst = 0.0

        def cold(query: dict) -> object:
            cache.clear()
            return compile_query(model, query, rollups=built_rollups)

        for label, query in SHAPES.items():
            cold(query)
            samples = [timed(lambda q=query: cold(q)) for _ in range(200)]
            seconds = median(samples)
            again = median(
                [
                    timed(lambda q=query: compile_query(model, q, rollups=built_rollups))
                    for _ in range(200)
                ]
            )
            worst = max(worst, seconds)
            print(
                f"  {label:<22} {ms(seconds):>10}   best: {ms(min(samples))}   again: {ms(again)}"
            )
        fresh, _ = load_model(folder)
        first = timed(lambda: compile_query(fresh, DASHBOARD))
        print(f"  first query of a freshly loaded model: {ms(first)}")
        print(
            f"compile time, slowest shape: {ms(worst)}  (goal < 5 ms: "
            f"{'met' if worst < 0.005 else 'NOT met'})"
        )
        print(f"load average at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
