"""Time to findings: the findings job against a naive full profile (SUMMARIZE on every column).

    python bench/insights.py            # the sample (336,776 flights) and a 10M-row table
    python bench/insights.py --smoke    # the sample's small tables and a 300,000-row table

Both sides run in one workspace on the same tables, three times each with the order
alternating; the medians are shown. The sides:

- ``findings``: ``core/insights/findings.find_findings`` on the source, everything a person
  gets: the data-quality checks (screened on a 200,000-row sample beyond 1M rows, counted on all
  rows), missing values with what goes with them, the series over time with its trend,
  season, spikes and level shifts, the driver of the last change; ranked, 3 to 5 kept.
- ``profile``: ``core/insights/profile_table`` alone (the screen's profile of every column).
- ``SUMMARIZE``: DuckDB's ``SUMMARIZE`` of the whole table: min, max, distinct, average,
  standard deviation, quartiles and null share of every column, on all rows. That is only the
  naive approach's first step: it still has no finding to show when it ends.

The 10M-row table is a linked Parquet file (about 250 MB, generated once under
``~/.cache/aiser-bench``): orders with an id, customers, regions, amounts, quantities (one in
100,000 negative), two years of timestamps, and a text column with 2.5 % missing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from _common import fmt_ratio, load, machine, median, secs

RUNS = 3


def big_parquet(rows: int) -> Path:
    """The generated orders table as a Parquet file (made once per size)."""
    import duckdb

    folder = Path(os.environ.get("AISER_BENCH_CACHE", Path.home() / ".cache" / "aiser-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"insights-orders-{rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        with duckdb.connect() as con:
            con.execute(
                f"""COPY (
                SELECT i AS order_id,
                       CAST(hash(i) % 50000 AS INTEGER) AS customer_id,
                       ['north', 'south', 'east', 'west', 'centre'][1 + i % 5] AS region,
                       round(10 + (hash(i * 7) % 10000) / 100.0, 2) AS amount,
                       CASE WHEN i % 100000 = 0 THEN -1 ELSE 1 + i % 9 END AS quantity,
                       TIMESTAMP '2023-01-01' + to_seconds(CAST(i * (63072000 // {rows}) AS BIGINT))
                           AS ordered_at,
                       CASE WHEN i % 40 = 0 THEN NULL ELSE 'note ' || (i % 1000) END AS note
                FROM range({rows}) t(i)) TO '{tmp}' (FORMAT parquet)"""
            )
        tmp.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def measure(ws: object, source: str, runs: int) -> dict[str, float]:
    """Median seconds of each side on ``source`` (a single-table source)."""
    from aiser_desktop.core.insights.findings import find_findings
    from aiser_desktop.core.insights.profile_table import profile_table

    catalog = ws.sources.catalog()  # type: ignore[attr-defined]
    info = next(s for s in catalog if s.name == source)
    table = info.tables[0].sql_name
    times: dict[str, list[float]] = {"findings": [], "profile": [], "summarize": []}
    found = 0
    with ws.engine.cursor() as cur:  # type: ignore[attr-defined]
        sides = {
            "findings": lambda: find_findings(cur, info, catalog),
            "profile": lambda: profile_table(cur, table),
            "summarize": lambda: cur.execute(f"SUMMARIZE {table}").fetchall(),
        }
        for run in range(runs):
            order = list(sides) if run % 2 == 0 else list(reversed(sides))
            for side in order:
                started = time.perf_counter()
                result = sides[side]()
                times[side].append(time.perf_counter() - started)
                if side == "findings":
                    found = len(result.findings)  # type: ignore[attr-defined]
    out = {side: median(values) for side, values in times.items()}
    out["found"] = found
    return out


def report(label: str, rows: int, m: dict[str, float]) -> None:
    print(f"\n{label} ({rows:,} rows): {int(m['found'])} findings")
    print(f"  findings job        {secs(m['findings'])}")
    print(f"  profile_table       {secs(m['profile'])}")
    print(f"  SUMMARIZE (naive)   {secs(m['summarize'])}")
    print(f"  ratio findings/SUMMARIZE: {fmt_ratio(m['findings'] / m['summarize'])}")
    print(f"  ratio profile/SUMMARIZE: {fmt_ratio(m['profile'] / m['summarize'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small tables, one run")
    parser.add_argument("--rows", type=int, default=0, help="rows of the generated table")
    args = parser.parse_args(argv)
    rows = args.rows or (300_000 if args.smoke else 10_000_000)
    runs = 1 if args.smoke else RUNS
    print(machine())
    print(f"load average: {load()}")
    from aiser_desktop.core.sample import load_sample
    from aiser_desktop.core.workspace import Workspace

    with (
        tempfile.TemporaryDirectory(prefix="aiser-bench-insights-") as tmp,
        Workspace.open(Path(tmp) / "ws") as ws,
    ):
        load_sample(ws)
        table = "planes" if args.smoke else "flights"
        sample = measure(ws, table, runs)
        n = next(s for s in ws.sources.catalog() if s.name == table).tables[0].row_count
        report(f"sample: {table}", n, sample)
        path = big_parquet(rows)
        ws.sources.add(path, name="orders", mode="linked")
        big = measure(ws, "orders", runs)
        report("generated: orders (linked Parquet)", rows, big)
    print(f"\nload average: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
