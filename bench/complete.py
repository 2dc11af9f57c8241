"""Completion latency in the SQL editor, against a naive linear scan, on a generated catalog.

The catalog has ``--tables`` tables (500 by default) of ``--columns`` columns (20) in ten
multi-table sources, as the cached catalog gives them. Each scenario is a cursor position a
person reaches while typing; each is asked ``--runs`` times (after one untimed call) and the
median and 95th percentile are shown.

- app: ``core.sql.complete.Completer.complete`` (the statement under the cursor is lexed with
  sqlglot's tokenizer; names are kept sorted with a joined copy for substring search).
- naive: what a first version would do: lex the whole text with sqlglot, then scan every
  table, column, function and keyword name with ``startswith`` and ``in`` and sort the hits.
  It knows nothing of aliases, so it is less useful as well as slower; it is the floor of
  "simple", not a strawman of the app.

Goal: **app median < 5 ms** in every scenario (the editor answers a key within a frame).

Usage:
    python bench/complete.py            # 500 tables x 20 columns, 200 runs per scenario
    python bench/complete.py --smoke    # 50 tables, 20 runs (what the smoke test does)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime

from _common import fmt_ratio, goal, load, machine, ms, ratio, say, table

from aiser_desktop.core.sources.catalog import ColumnInfo, SourceInfo, TableInfo
from aiser_desktop.core.sql.complete import CatalogIndex, Completer, duckdb_names, warm
from aiser_desktop.core.sql.tokens import lex

GOAL_S = 0.005
TYPES = ("INTEGER", "VARCHAR", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN", "DECIMAL(18,2)")
WORDS = ("order", "customer", "amount", "region", "status", "created", "product", "price")


def catalog(tables: int, columns: int) -> list[SourceInfo]:
    """Ten sources, ``tables`` tables in all, ``columns`` columns each."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    per = max(1, tables // 10)
    sources = []
    for s in range(10):
        infos = []
        for t in range(per):
            cols = tuple(
                ColumnInfo(f"{WORDS[(t + c) % len(WORDS)]}_{c}", TYPES[c % len(TYPES)])
                for c in range(columns)
            )
            infos.append(TableInfo(f"db{s}.{WORDS[t % len(WORDS)]}s_{t}", f"t{t}", 1000, cols))
        sources.append(SourceInfo(f"db{s}", "postgres", "x", now, tuple(infos)))
    return sources


def scenarios(n_tables: int) -> list[tuple[str, str, int]]:
    """(label, text, cursor) for each case; the cursor is at the end unless marked with |."""
    t = min(7, n_tables // 10 - 1)
    table = f"db3.{WORDS[t % len(WORDS)]}s_{t}"
    script = f"select * from {table} where amount_1 > 0;\n" * 500
    cases = [
        ("alias dot, alias defined after", f"select o.| from {table} o"),
        ("column prefix after select", f"select amo| from {table}"),
        ("table after from", "select * from ord"),
        ("schema dot", "select * from db4."),
        ("where, contains match", f"select * from {table} where tus"),
        ("no table yet", "select cust"),
        ("end of a 500-statement script", script + f"select o.| from {table} o"),
    ]
    out = []
    for label, text in cases:
        cursor = text.index("|") if "|" in text else len(text)
        out.append((label, text.replace("|", ""), cursor))
    return out


class Naive:
    """Every name in one list, scanned in full for each request."""

    def __init__(self, sources: list[SourceInfo]) -> None:
        funcs, words = duckdb_names()
        names = [f.text for f in funcs] + [w.text for w in words]
        for source in sources:
            for info in source.tables:
                names.append(info.sql_name)
                names.extend(c.name for c in info.columns)
        self.names = names

    def complete(self, sql: str, cursor: int) -> list[str]:
        lex(sql)  # it has to know whether the cursor is in a string or a comment
        start = cursor
        while start > 0 and (sql[start - 1].isalnum() or sql[start - 1] == "_"):
            start -= 1
        prefix = sql[start:cursor].lower()
        first = sorted(n for n in self.names if n.lower().startswith(prefix))
        then = sorted(n for n in self.names if prefix in n.lower()[1:])
        return (first + then)[:50]


def measure(fn: object, sql: str, cursor: int, runs: int) -> list[float]:
    call = fn.complete  # type: ignore[attr-defined]
    call(sql, cursor)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call(sql, cursor)
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=None)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--smoke", action="store_true", help="50 tables, 20 runs")
    args = parser.parse_args(argv)
    n_tables = args.tables or (50 if args.smoke else 500)
    runs = args.runs or (20 if args.smoke else 200)

    say(f"# completion latency: {n_tables} tables x {args.columns} columns, {runs} runs")
    say(f"# {machine()}; load {load()}")
    sources = catalog(n_tables, args.columns)
    warm()  # DuckDB's function and keyword lists: a worker reads them at the app's start
    start = time.perf_counter()
    index = CatalogIndex(sources)
    built = time.perf_counter() - start
    start = time.perf_counter()
    _ = index.all_columns
    all_columns = time.perf_counter() - start
    app = Completer(index)
    naive = Naive(sources)

    rows = []
    worst = 0.0
    for label, sql, cursor in scenarios(n_tables):
        mine = measure(app, sql, cursor, runs)
        theirs = measure(naive, sql, cursor, max(5, runs // 10))
        first = app.complete(sql, cursor).items[:3]
        med = statistics.median(mine)
        worst = max(worst, med)
        rows.append(
            [
                label,
                ms(med),
                ms(p95(mine)),
                ms(statistics.median(theirs)),
                fmt_ratio(ratio(statistics.median(theirs), med), 1),
                ", ".join(c.text for c in first),
            ]
        )
    say(table(["scenario", "app median", "app p95", "naive median", "naive/app", "top 3"], rows))
    say()
    say(f"index build ({n_tables} tables): {ms(built)}")
    say(f"index of every column, built on first use: {ms(all_columns)}")
    say(goal("completion median, slowest scenario", worst, GOAL_S, ms(worst), "5 ms"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
