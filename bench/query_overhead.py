"""What the app's engine adds to a query, against plain DuckDB in the same process.

Three columns, the same SQL on the same data:

- raw: ``cursor.execute(sql).to_arrow_table()`` on a plain ``duckdb`` connection;
- app: ``Engine.execute(sql)``: the worker thread, the progress monitor, error translation,
  events and the Arrow ``ResultHandle``;
- workspace: ``Workspace.open(dir).engine.execute(sql)``, which is what a person's queries go
  through: the same engine plus the query history written to state.sqlite.

Both sides fetch the whole result as Arrow, so neither gets away with a lazy result.

The data is TPC-H (the tpch extension package, loaded by path on both sides), generated once
into ``<workdir>/data.duckdb``. All three sides open that one file at the same time, in this
process, with the same connection settings (the engine's offline config and the workspace's
extension folder). DuckDB's Python client then gives them one shared database instance: one
buffer pool, one thread pool, the same tables. That is what makes the comparison fair: a side
never reads from a colder cache or a copy of the file. The sides take turns query by query (the
order rotates each round), after one untimed warm-up run per side, and the median of the timed
runs is reported. After each app and workspace run the script waits, untimed, until the engine's
worker is idle again, so the history write of one run (done on the worker after the result was
handed over) never overlaps the next measurement; that wait is reported as "history write".

Printed: each query's median time per side and its ratios app/raw and workspace/raw, and the
median of those ratios over the 22 queries. A query's ratio is the median of its per-round
ratios (the app's time over the raw time of the same round, measured back to back), which holds
up better than a ratio of medians when other work on the machine comes and goes. Then the fixed
overhead (median time of ``select 42`` over many runs, app minus raw) and the cancel latency (a
long query is started, cancelled after 0.5 s, and the time from ``cancel()`` to the job ending
is measured, for a big scan and for a runaway join; plain DuckDB's ``interrupt()`` from another
thread is the reference). The load average is printed at the start and the end: other work on
the machine shows up as noise in every column.

Goals: median ratio <= 1.05, fixed overhead <= 5 ms, cancel <= 200 ms.

Usage:
    python bench/query_overhead.py                # TPC-H sf 1, five timed runs per query
    python bench/query_overhead.py --smoke        # sf 0.01, a few seconds
    python bench/query_overhead.py --workdir DIR  # keep (and reuse) the generated data in DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
from _common import fmt_ratio, goal, load, machine, median, ms, ratio, say, secs, table, timed

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.engine.extensions import extension_file
from aiser_desktop.core.errors import QueryCancelledError
from aiser_desktop.core.workspace import DATA_FILE, Workspace

# Nothing installed or downloaded while generating the data (the app's engine says the same).
OFFLINE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
# Settings DuckDB derives from the database path; passing them would not make the configs equal.
DERIVED_SETTINGS = frozenset({"temp_directory"})
MARKER = "tpch-sf.txt"

# Two kinds of query a person cancels, both far longer than the wait before the cancel at any
# scale factor: a big scan and aggregate, and a runaway join (building and probing hash tables).
LONG_QUERIES = {
    "scan+aggregate": "SELECT sum(hash(l_comment, r.range)) FROM lineitem, range(100000) r",
    "runaway join": (
        "SELECT count(*) FROM lineitem a JOIN lineitem b ON a.l_suppkey = b.l_suppkey "
        "JOIN lineitem c ON c.l_suppkey = b.l_suppkey"
    ),
}
TRIVIAL_QUERY = "select 42"
SIDES = ("raw", "app", "workspace")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sf", type=float, default=None, help="TPC-H scale factor (default 1)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per query and side")
    parser.add_argument("--trivial-runs", type=int, default=None, help="runs of `select 42`")
    parser.add_argument("--cancels", type=int, default=None, help="cancel measurements")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here")
    parser.add_argument("--smoke", action="store_true", help="sf 0.01 and few runs")
    args = parser.parse_args(argv)
    smoke = args.smoke
    args.sf = args.sf if args.sf is not None else (0.01 if smoke else 1.0)
    args.runs = args.runs or (2 if smoke else 7)
    args.trivial_runs = args.trivial_runs or (30 if smoke else 300)
    args.cancels = args.cancels or (2 if smoke else 5)
    args.cancel_after = 0.2 if smoke else 0.5
    return args


def prepare(folder: Path, sf: float) -> float:
    """Generates TPC-H at ``sf`` into ``folder/data.duckdb`` unless it is there; returns seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    if marker.exists() and marker.read_text().strip() == repr(sf):
        return 0.0
    for name in (DATA_FILE, DATA_FILE + ".wal", MARKER):
        (folder / name).unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect(str(folder / DATA_FILE), config=OFFLINE_CONFIG)
    try:
        con.execute(f"LOAD '{extension_file('tpch')}'")
        con.execute(f"CALL dbgen(sf = {sf})")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    marker.write_text(repr(sf))
    return time.perf_counter() - start


def engine_config(engine: Engine) -> dict[str, Any]:
    """The global settings the engine's connection changed from DuckDB's defaults.

    DuckDB lets a second ``connect()`` of the same file share the open instance only when the
    configuration is the same (same names, same values of the same types), so the raw side
    passes exactly these, read back from the engine rather than copied from its source.
    """
    query = "SELECT name, value, input_type FROM duckdb_settings() WHERE scope = 'GLOBAL'"
    defaults = {name: value for name, value, _ in duckdb.connect().execute(query).fetchall()}
    with engine.cursor() as cur:
        current = cur.execute(query).fetchall()
    casts: dict[str, Callable[[str], Any]] = {
        "BOOLEAN": lambda v: v.lower() == "true",
        "BIGINT": int,
        "UBIGINT": int,
        "INTEGER": int,
        "DOUBLE": float,
    }
    return {
        name: casts.get(kind, str)(value)
        for name, value, kind in current
        if value != defaults.get(name) and name not in DERIVED_SETTINGS
    }


class Sides:
    """The three ways to run a query, open on one shared DuckDB instance."""

    def __init__(self, folder: Path) -> None:
        database = str(folder / DATA_FILE)
        # Opened first: its engine decides the instance's settings (with its extension folder).
        self.workspace = Workspace.open(folder)
        self.raw_con = duckdb.connect(database, config=engine_config(self.workspace.engine))
        self.raw_con.execute(f"LOAD '{extension_file('tpch')}'")
        self.raw = self.raw_con.cursor()
        self.engine = Engine(database, extension_dir=folder / ".extensions")
        self.engine.load_extension("tpch")
        self.workspace.engine.load_extension("tpch")

    def run(self, side: str, sql: str) -> tuple[float, int]:
        """Runs ``sql`` on ``side``; returns (seconds, rows). Waits for the worker, untimed."""
        if side == "raw":
            start = time.perf_counter()
            result = self.raw.execute(sql).to_arrow_table()
            return time.perf_counter() - start, result.num_rows
        engine = self.engine if side == "app" else self.workspace.engine
        start = time.perf_counter()
        handle = engine.execute(sql)
        seconds = time.perf_counter() - start
        return seconds, handle.row_count

    def settle(self, side: str) -> float:
        """Waits until ``side``'s worker is idle (its history write done); returns seconds."""
        if side == "raw":
            return 0.0
        engine = self.engine if side == "app" else self.workspace.engine
        return timed(lambda: engine.call(lambda _cur: None).result())

    def close(self) -> None:
        self.engine.close()
        self.raw.close()
        self.raw_con.close()
        self.workspace.close()


def rotations(i: int) -> tuple[str, ...]:
    k = i % len(SIDES)
    return SIDES[k:] + SIDES[:k]


def measure(sides: Sides, sql: str, runs: int) -> tuple[dict[str, list[float]], list[float]]:
    """Warm-up, then ``runs`` rounds with the side order rotating; times per side, settle times."""
    times: dict[str, list[float]] = {s: [] for s in SIDES}
    settles: list[float] = []
    rows: dict[str, int] = {}
    for side in SIDES:
        _, rows[side] = sides.run(side, sql)
        sides.settle(side)
    if len(set(rows.values())) != 1:
        raise RuntimeError(f"the sides disagree on the row count of {sql!r}: {rows}")
    for i in range(runs):
        for side in rotations(i):
            seconds, _ = sides.run(side, sql)
            times[side].append(seconds)
            settled = sides.settle(side)
            if side == "workspace":
                settles.append(settled)
    return times, settles


def paired_ratio(side: list[float], raw: list[float]) -> float:
    """The median over rounds of ``side / raw``, each pair measured in the same round."""
    return median([ratio(s, r) for s, r in zip(side, raw, strict=True)])


def cancel_app(engine: Engine, sql: str, after: float) -> tuple[float, float]:
    """Seconds from ``cancel()`` to the job ending (what the person waits for), and to the
    engine running the next query (when DuckDB has finished unwinding)."""
    ended: list[float] = []
    job = engine.submit(sql)
    job.add_done_callback(lambda _job: ended.append(time.perf_counter()))
    time.sleep(after)
    if job.done():
        raise RuntimeError("the long query ended before it was cancelled")
    start = time.perf_counter()
    job.cancel()
    try:
        job.result(timeout=30)
    except QueryCancelledError:
        pass
    else:
        raise RuntimeError("the cancelled query finished instead")
    engine.execute("SELECT 1")
    free = time.perf_counter()
    return ended[0] - start, free - start


def cancel_raw(con: Any, sql: str, after: float) -> float:
    """The same on a plain DuckDB cursor: ``interrupt()`` from another thread."""
    cur = con.cursor()
    ended: list[float] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            cur.execute(sql).to_arrow_table()
        except duckdb.InterruptException:
            ended.append(time.perf_counter())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(after)
    start = time.perf_counter()
    cur.interrupt()
    thread.join(timeout=30)
    cur.close()
    if errors or not ended:
        raise RuntimeError(f"the raw long query was not interrupted: {errors}")
    return ended[0] - start


def measure_cancels(sides: Sides, sql: str, after: float, n: int) -> dict[str, list[float]]:
    """``n`` cancels on each side, taking turns."""
    times: dict[str, list[float]] = {"raw": [], "app": [], "free": []}
    for _ in range(n):
        ended, free = cancel_app(sides.engine, sql, after)
        times["app"].append(ended)
        times["free"].append(free)
        times["raw"].append(cancel_raw(sides.raw_con, sql, after))
    return times


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    own_dir = args.workdir is None
    folder = Path(tempfile.mkdtemp(prefix="aiser-bench-")) if own_dir else args.workdir
    folder = folder.resolve()
    say(f"query_overhead: TPC-H sf {args.sf:g}, duckdb {duckdb.__version__}, {machine()}")
    say(f"load average (1, 5, 15 min) at the start: {load()}")
    try:
        generated = prepare(folder, args.sf)
        if generated:
            say(f"generated the data in {secs(generated)} ({folder / DATA_FILE})")
        else:
            say(f"reusing the data in {folder / DATA_FILE}")
        sides = Sides(folder)
        try:
            return report(sides, args)
        finally:
            sides.close()
    finally:
        if own_dir:
            shutil.rmtree(folder, ignore_errors=True)


def report(sides: Sides, args: argparse.Namespace) -> int:
    queries = sides.raw.execute("SELECT query_nr, query FROM tpch_queries() ORDER BY 1").fetchall()
    say(f"{len(queries)} queries, 1 warm-up + {args.runs} timed runs per side, median shown")
    say()
    rows: list[list[str]] = []
    app_ratios: list[float] = []
    ws_ratios: list[float] = []
    history: list[float] = []
    for nr, sql in queries:
        times, settles = measure(sides, sql, args.runs)
        history.extend(settles)
        raw, app, ws = (median(times[s]) for s in SIDES)
        app_ratios.append(paired_ratio(times["app"], times["raw"]))
        ws_ratios.append(paired_ratio(times["workspace"], times["raw"]))
        row = [f"Q{nr:02d}", ms(raw), ms(app), ms(ws)]
        rows.append([*row, fmt_ratio(app_ratios[-1]), fmt_ratio(ws_ratios[-1])])
    say(table(["query", "raw", "app", "workspace", "app/raw", "workspace/raw"], rows))
    say()

    trivial, _ = measure(sides, TRIVIAL_QUERY, args.trivial_runs)
    raw_t, app_t, ws_t = (median(trivial[s]) for s in SIDES)
    say(
        f"`{TRIVIAL_QUERY}`, median of {args.trivial_runs}: raw {ms(raw_t)}, app {ms(app_t)}, "
        f"workspace {ms(ws_t)}"
    )
    say(f"history write (on the worker, after the result is handed over): {ms(median(history))}")

    say()
    say(f"cancel after {args.cancel_after:g} s, {args.cancels} times per side: time to the end")
    cancel_rows = []
    cancels: dict[str, float] = {}
    for kind, sql in LONG_QUERIES.items():
        times = measure_cancels(sides, sql, args.cancel_after, args.cancels)
        cancels[kind] = median(times["app"])
        runs = ", ".join(f"{c * 1000:.0f}" for c in times["free"])
        cancel_rows.append(
            [
                kind,
                ms(median(times["raw"])),
                ms(cancels[kind]),
                ms(max(times["app"])),
                ms(median(times["free"])),
                runs,
            ]
        )
    say(
        table(
            [
                "query",
                "raw interrupt",
                "app job ends",
                "app max",
                "app engine free",
                "engine free runs (ms)",
            ],
            cancel_rows,
        )
    )
    say()
    app_median = median(app_ratios)
    say(goal("median ratio app/raw", app_median, 1.05, fmt_ratio(app_median, 3), "1.05x"))
    ws_median = median(ws_ratios)
    say(goal("median ratio workspace/raw", ws_median, 1.05, fmt_ratio(ws_median, 3), "1.05x"))
    overhead = app_t - raw_t
    say(goal("fixed overhead app-raw", overhead * 1000, 5, ms(overhead), "5 ms"))
    ws_overhead = ws_t - raw_t
    say(goal("fixed overhead workspace-raw", ws_overhead * 1000, 5, ms(ws_overhead), "5 ms"))
    for kind, cancel in cancels.items():
        say(goal(f"cancel latency app ({kind})", cancel * 1000, 200, ms(cancel), "200 ms"))
    say(f"load average (1, 5, 15 min) at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
