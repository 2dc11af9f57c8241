"""Importing a PostgreSQL table into the workspace, against plain SQLAlchemy + psycopg.

The table: ``--rows`` rows (1,000,000 by default) x 6 mixed columns (integer, bigint,
numeric(12,2), text, timestamptz, boolean) in the local PostgreSQL (RECIPES.md), in a schema
of its own (``aiser_bench_import_<rows>``, table ``mixed``), created on the first run and kept
for the next ones.

Each round times, in a rotating order:

- ``app``: ``Workspace.sources.add(url, mode="imported")`` into a new workspace: the DuckDB
  postgres scanner copying into data.duckdb, plus everything the app does around it (the
  transaction, the catalog with row counts and semantic types, the state record);
- ``duckdb scanner``: a reference, plain DuckDB ``ATTACH`` + ``CREATE TABLE AS`` into a new
  database file, to show what the app adds on top;
- ``sqlalchemy fetchall``: the baseline of the issue, ``create_engine("postgresql+psycopg://")``
  then ``conn.execute(select * ...).fetchall()`` (rows as Python tuples, nothing stored).

The median over ``--runs`` rounds (3) is shown, with rows/s and the ratio to the baseline.
Goals: the app >= 2M rows/s and >= 5x the baseline.

Usage:
    python bench/import_db.py                 # 1M rows, 3 rounds
    python bench/import_db.py --rows 20000    # a smaller table
    python bench/import_db.py --smoke         # 20,000 rows, 1 round: it runs, nothing more
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import fail, fmt_ratio, load, machine, median, say, secs, table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HOST, PORT, USER, DATABASE = "127.0.0.1", 5432, "postgres", "test"


def schema_for(rows: int) -> str:
    return f"aiser_bench_import_{rows}"


def ensure_table(rows: int) -> None:
    """Creates the bench table once (kept between runs)."""
    import psycopg

    schema = schema_for(rows)
    with psycopg.connect(host=HOST, port=PORT, user=USER, dbname=DATABASE, autocommit=True) as con:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name = 'mixed'",
            (schema,),
        ).fetchone()
        if found and found[0]:
            return
        say(f"creating {schema}.mixed ({rows:,} rows, kept for the next runs) ...")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(
            f"CREATE TABLE {schema}.mixed_tmp AS SELECT g::integer AS id, "
            "(g::bigint * 7919) AS big, round((g % 100000) * 1.37, 2)::numeric(12,2) AS amount, "
            "'customer ' || md5(g::text) AS note, "
            "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' AS placed_at, "
            "(g % 3 = 0) AS paid "
            f"FROM generate_series(1, {rows}) g"
        )
        con.execute(f"ALTER TABLE {schema}.mixed_tmp RENAME TO mixed")
        con.execute(f"ANALYZE {schema}.mixed")


def app_import(rows: int, folder: Path) -> float:
    from aiser_desktop.core.workspace import Workspace

    url = f"postgresql://{USER}@{HOST}:{PORT}/{DATABASE}"
    with Workspace.open(folder / "ws") as ws:
        start = time.perf_counter()
        ws.sources.add(url, name="bench", mode="imported", options={"schema": schema_for(rows)})
        seconds = time.perf_counter() - start
        count = ws.engine.execute("SELECT count(*) FROM bench.mixed").rows()[0][0]
    if count != rows:
        raise RuntimeError(f"app imported {count} rows, expected {rows}")
    return seconds


def duckdb_import(rows: int, folder: Path) -> float:
    import duckdb

    from aiser_desktop.core.engine import extensions

    con = duckdb.connect(
        str(folder / "plain.duckdb"), config={"autoinstall_known_extensions": False}
    )
    try:
        path = extensions.loadable_path("postgres", folder / "ext")
        con.execute(f"LOAD '{path}'")
        start = time.perf_counter()
        con.execute(
            f"ATTACH 'host={HOST} port={PORT} user={USER} dbname={DATABASE}' AS pg "
            "(TYPE postgres, READ_ONLY)"
        )
        con.execute(f"CREATE TABLE mixed AS SELECT * FROM pg.{schema_for(rows)}.mixed")
        seconds = time.perf_counter() - start
        count = con.execute("SELECT count(*) FROM mixed").fetchone()
    finally:
        con.close()
    if not count or count[0] != rows:
        raise RuntimeError(f"duckdb imported {count} rows, expected {rows}")
    return seconds


def sqlalchemy_fetchall(rows: int, folder: Path) -> float:
    import sqlalchemy as sa

    engine = sa.create_engine(f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{DATABASE}")
    try:
        start = time.perf_counter()
        with engine.connect() as conn:
            fetched = conn.execute(sa.text(f"SELECT * FROM {schema_for(rows)}.mixed")).fetchall()
        seconds = time.perf_counter() - start
    finally:
        engine.dispose()
    if len(fetched) != rows:
        raise RuntimeError(f"sqlalchemy fetched {len(fetched)} rows, expected {rows}")
    return seconds


SIDES: dict[str, Callable[[int, Path], float]] = {
    "app (sources.add, imported)": app_import,
    "duckdb scanner (reference)": duckdb_import,
    "sqlalchemy+psycopg fetchall": sqlalchemy_fetchall,
}
BASELINE = "sqlalchemy+psycopg fetchall"
APP = "app (sources.add, imported)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the table")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (median shown)")
    parser.add_argument("--smoke", action="store_true", help="20,000 rows, 1 round")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.runs = 20_000, 1

    # The bench never touches the person's settings, logs or keyring.
    home = Path(tempfile.mkdtemp(prefix="aiser-bench-home-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(home / var.lower())

    say(f"import_db: {args.rows:,} rows x 6 columns from PostgreSQL at {HOST}:{PORT}")
    say(f"{machine()}; load {load()}")
    try:
        ensure_table(args.rows)
    except Exception as exc:
        return fail(f"PostgreSQL is not usable at {HOST}:{PORT}: {exc}")

    times: dict[str, list[float]] = {side: [] for side in SIDES}
    names = list(SIDES)
    try:
        for round_no in range(args.runs + (0 if args.smoke else 1)):
            order = names[round_no % len(names) :] + names[: round_no % len(names)]
            for side in order:
                folder = Path(tempfile.mkdtemp(prefix="aiser-bench-", dir=home))
                try:
                    seconds = SIDES[side](args.rows, folder)
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
                if args.smoke or round_no > 0:  # the first full round warms caches, untimed
                    times[side].append(seconds)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    base = median(times[BASELINE])
    lines = []
    for side in names:
        seconds = median(times[side])
        lines.append(
            [side, secs(seconds), f"{args.rows / seconds:,.0f}", fmt_ratio(base / seconds)]
        )
    say()
    say(table(["path", "median", "rows/s", "x baseline"], lines))
    say()
    app = median(times[APP])
    rate, speedup = args.rows / app, base / app
    say(f"app rows/s: {rate:,.0f}  (goal >= 2,000,000: {'met' if rate >= 2e6 else 'NOT met'})")
    say(
        f"app ratio to sqlalchemy fetchall: {fmt_ratio(speedup)}  "
        f"(goal >= 5x: {'met' if speedup >= 5 else 'NOT met'})"
    )
    say(f"load at the end: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
