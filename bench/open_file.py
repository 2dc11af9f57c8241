"""Opening a large CSV: the first page of rows with the file linked, the memory that takes, and a
full import, each against plain DuckDB in the same run.

The file is generated once with DuckDB's COPY (10M rows, about 1 GB: integers, text, a
category, decimals, timestamps, booleans, hashes) and kept under ``--dir`` (default
``~/.cache/aiser-bench``) for the next run. It is read once before measuring, so every side
finds it in the OS file cache.

Every measurement runs in a fresh Python process of its own, so its peak memory (the child's
``ru_maxrss``, printed beside the RSS it had before the measured step) is honest: nothing is
left over from an earlier measurement, and the start of one process is the same for both sides.

- first page: the app adds the file as a linked source (``workspace.sources.add(path,
  mode="linked")``: the sniff, the view, the catalog) and runs ``select * from t limit 100``
  through the engine, fetching the page from the ``ResultHandle``. Plain DuckDB runs the same
  query on ``read_csv(path)`` in a fresh connection. Goal: app < 0.3 s and < 300 MB peak.
- import: the app adds the file as imported (the table in data.duckdb, the catalog with its
  row count and semantic types); plain DuckDB runs ``CREATE TABLE t AS SELECT * FROM
  read_csv(path)`` into a fresh database file in the same folder. The sides take turns, the
  median is shown. Goal: ratio app/plain <= 1.1.

Usage:
    python bench/open_file.py                      # 10M rows, cached under ~/.cache/aiser-bench
    python bench/open_file.py --rows 2000 --dir D  # a small run (what the smoke test does)
    python bench/open_file.py --smoke              # 2,000 rows in a temp folder, one run each
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import fmt_ratio, goal, load, machine, median, ratio, say, secs, table

HERE = Path(__file__).resolve().parent
PAGE_ROWS = 100
DEFAULT_ROWS = 10_000_000
FIRST_PAGE_GOAL_S = 0.3
MEMORY_GOAL_MB = 300.0
IMPORT_RATIO_GOAL = 1.1

GENERATE_SQL = """
COPY (
  SELECT i AS id,
         'customer_' || (i % 50000) AS customer,
         ['north', 'south', 'east', 'west'][1 + (i % 4)::INT] AS region,
         round((i % 100000) * 0.37 + 1, 2) AS amount,
         (i * 7) % 1000 AS quantity,
         TIMESTAMP '2020-01-01' + to_seconds((i * 13) % 126230400) AS sold_at,
         i % 11 = 0 AS returned,
         md5(i::VARCHAR) AS note
  FROM range({rows}) t(i)
) TO '{path}' (HEADER)
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=None, help=f"rows (default {DEFAULT_ROWS:,})")
    parser.add_argument("--dir", type=Path, default=None, help="keep the CSV here")
    parser.add_argument("--runs", type=int, default=None, help="imports per side (default 3)")
    parser.add_argument("--page-runs", type=int, default=None, help="first pages per side")
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, one run each")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.rows = args.rows or (2000 if args.smoke else DEFAULT_ROWS)
    args.runs = args.runs or (1 if args.smoke else 3)
    args.page_runs = args.page_runs or (1 if args.smoke else 5)
    return args


# ---------------------------------------------------------------------- in the child process
def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux /proc; peak where it is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2
    except (OSError, ValueError):
        return peak_mb()


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024**2


def child(kind: str, csv: Path, work: Path) -> dict[str, Any]:
    """One measurement; returns what the parent prints."""
    import duckdb

    path = str(csv)
    literal = path.replace("'", "''")
    if kind == "page-plain":
        start_rss = rss_mb()
        start = time.perf_counter()
        con = duckdb.connect()
        got = con.execute(f"SELECT * FROM read_csv('{literal}') LIMIT {PAGE_ROWS}").fetchall()
        total = time.perf_counter() - start
        con.close()
        return {"total": total, "rows": len(got), "start_rss": start_rss, "peak": peak_mb()}
    if kind == "import-plain":
        # Like the app's side: connected before the clock starts, stopped once the table is
        # committed and counted (closing, which checkpoints, is left out on both sides).
        con = duckdb.connect(str(work / "plain.duckdb"))
        start_rss = rss_mb()
        start = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{literal}')")
        count = con.execute("SELECT count(*) FROM t").fetchone()
        total = time.perf_counter() - start
        con.close()
        rows = int(count[0]) if count else 0
        return {"total": total, "rows": rows, "start_rss": start_rss, "peak": peak_mb()}
    # Imported only by the app's sides, so plain DuckDB's process starts as light as it can.
    from aiser_desktop.core.workspace import Workspace

    if kind == "page-app":
        opened = time.perf_counter()
        ws = Workspace.open(work / "ws")
        opened = time.perf_counter() - opened
        try:
            start_rss = rss_mb()
            start = time.perf_counter()
            ws.sources.add(path, name="t", mode="linked")
            added = time.perf_counter()
            handle = ws.engine.execute(f"select * from t limit {PAGE_ROWS}")
            got = handle.rows(0, PAGE_ROWS)
            end = time.perf_counter()
            peak = peak_mb()
        finally:
            ws.close()
        return {
            "open": opened,
            "add": added - start,
            "query": end - added,
            "total": end - start,
            "rows": len(got),
            "start_rss": start_rss,
            "peak": peak,
        }
    if kind == "import-app":
        ws = Workspace.open(work / "ws")
        try:
            start_rss = rss_mb()
            start = time.perf_counter()
            ws.sources.add(path, name="t", mode="imported")
            total = time.perf_counter() - start
            [info] = ws.sources.catalog()
            rows = info.tables[0].row_count
            peak = peak_mb()
        finally:
            ws.close()
        return {"total": total, "rows": rows, "start_rss": start_rss, "peak": peak}
    raise SystemExit(f"unknown measurement {kind!r}")


# ---------------------------------------------------------------------- in the parent
def prepare(folder: Path, rows: int) -> tuple[Path, float]:
    """The CSV of ``rows`` rows in ``folder``, generated unless it is there; (path, seconds)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sales_{rows}.csv"
    if path.exists():
        return path, 0.0
    partial = folder / f"sales_{rows}.csv.partial"
    start = time.perf_counter()
    with duckdb.connect() as con:
        sql = GENERATE_SQL.format(rows=rows, path=str(partial).replace("'", "''"))
        con.execute(sql)
    partial.replace(path)  # a run stopped half-way never leaves a file that looks complete
    return path, time.perf_counter() - start


def warm(path: Path) -> float:
    """Reads the file once so that every side finds it in the OS cache; returns seconds."""
    start = time.perf_counter()
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass
    return time.perf_counter() - start


def measure(kind: str, csv: Path, scratch: Path) -> dict[str, Any]:
    """Runs one measurement in a fresh process with private XDG folders."""
    work = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=scratch))
    env = dict(os.environ)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        (work / var.lower()).mkdir()
        env[var] = str(work / var.lower())
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HERE.parent), env.get("PYTHONPATH", "")) if p
    )
    try:
        proc = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                kind,
                "--csv",
                str(csv),
                "--work",
                str(work),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
            check=False,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"measurement {kind} failed:\n{proc.stdout}\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def mb(value: float) -> str:
    return f"{value:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.csv, args.work)), flush=True)
        return 0
    import duckdb

    own_dir = args.dir is None and args.smoke
    folder = Path(tempfile.mkdtemp(prefix="aiser-bench-")) if own_dir else args.dir
    folder = (folder or Path.home() / ".cache" / "aiser-bench").expanduser().resolve()
    say(f"open_file: {args.rows:,} rows, duckdb {duckdb.__version__}, {machine()}")
    say(f"load average (1, 5, 15 min) at the start: {load()}")
    scratch = Path(tempfile.mkdtemp(prefix="aiser-open-file-", dir=folder if folder else None))
    try:
        csv, generated = prepare(folder, args.rows)
        size = csv.stat().st_size
        how = f"generated in {secs(generated)}" if generated else "reused"
        say(
            f"file: {csv} ({size / 1024**2:,.0f} MB, {how}; read into the OS cache in "
            f"{secs(warm(csv))})"
        )
        return report(args, csv, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if own_dir:
            shutil.rmtree(folder, ignore_errors=True)


def report(args: argparse.Namespace, csv: Path, scratch: Path) -> int:
    say()
    say(f"first page ({PAGE_ROWS} rows), linked; median of {args.page_runs} fresh processes")
    pages: dict[str, list[dict[str, Any]]] = {"page-plain": [], "page-app": []}
    for i in range(args.page_runs):
        order = ["page-plain", "page-app"] if i % 2 == 0 else ["page-app", "page-plain"]
        for kind in order:
            pages[kind].append(measure(kind, csv, scratch))
    for kind, runs in pages.items():
        if any(r["rows"] != PAGE_ROWS for r in runs):
            raise RuntimeError(f"{kind} did not return {PAGE_ROWS} rows: {runs}")
    plain, app = pages["page-plain"], pages["page-app"]
    page_rows = [
        [
            "plain duckdb",
            "-",
            "-",
            secs(median([r["total"] for r in plain])),
            mb(median([r["start_rss"] for r in plain])),
            mb(median([r["peak"] for r in plain])),
        ],
        [
            "app (linked)",
            secs(median([r["add"] for r in app])),
            secs(median([r["query"] for r in app])),
            secs(median([r["total"] for r in app])),
            mb(median([r["start_rss"] for r in app])),
            mb(median([r["peak"] for r in app])),
        ],
    ]
    say(table(["side", "add", "query", "first page", "RSS before", "peak RSS"], page_rows))
    say(f"(app: opening the workspace first took {secs(median([r['open'] for r in app]))})")

    say()
    say(f"full import; sides take turns, median of {args.runs}")
    imports: dict[str, list[dict[str, Any]]] = {"import-plain": [], "import-app": []}
    for i in range(args.runs):
        order = ["import-plain", "import-app"] if i % 2 == 0 else ["import-app", "import-plain"]
        for kind in order:
            imports[kind].append(measure(kind, csv, scratch))
    counts = {r["rows"] for runs in imports.values() for r in runs}
    if len(counts) != 1:
        raise RuntimeError(f"the sides disagree on the row count: {imports}")
    rows = counts.pop()
    import_rows = []
    for kind, label in (("import-plain", "plain duckdb"), ("import-app", "app (imported)")):
        seconds = median([r["total"] for r in imports[kind]])
        import_rows.append(
            [
                label,
                secs(seconds),
                f"{ratio(rows, seconds):,.0f}",
                mb(median([r["peak"] for r in imports[kind]])),
            ]
        )
    say(table(["side", "seconds", "rows/s", "peak RSS"], import_rows))
    plain_s = median([r["total"] for r in imports["import-plain"]])
    app_s = median([r["total"] for r in imports["import-app"]])
    import_ratio = ratio(app_s, plain_s)

    say()
    first = median([r["total"] for r in app])
    peak = median([r["peak"] for r in app])
    say(goal("first page app (linked)", first, FIRST_PAGE_GOAL_S, secs(first), "0.3 s"))
    say(goal("first page app peak memory", peak, MEMORY_GOAL_MB, mb(peak), "300 MB"))
    say(
        goal(
            "import ratio app/plain",
            import_ratio,
            IMPORT_RATIO_GOAL,
            fmt_ratio(import_ratio),
            "1.1x",
        )
    )
    say(f"load average (1, 5, 15 min) at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
