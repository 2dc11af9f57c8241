"""The results grid on a 100-million-row result: first paint, jumps and memory, against 1M rows.

A query makes the rows in DuckDB (``SELECT i, i * 2, md5(i) FROM range(N)``: three columns, about
52 bytes a row), the engine fetches them into a ``ResultHandle`` (1M rows stay in memory, 100M
are spilled to an Arrow IPC file as they stream), and the real grid widget
(``ui.results_view.ResultsView``, offscreen, 1200x700) shows them. Each size runs in a fresh
Python process of its own, so its memory figures are its own.

What is measured, for each size:

- query: ``engine.execute(sql)`` until the handle is ready (fetching and, for 100M, spilling);
  beside it plain DuckDB reading the same rows as Arrow batches and dropping them, the floor.
- first paint: ``set_result(handle)`` then a grab of the widget (a full paint), from the moment
  the query has ended. Goal: < 300 ms.
- jump to the last row: Ctrl+End in the grid, then a grab. Goal: < 50 ms.
- random jumps: the scroll bar set to 20 random rows, a grab each; the median.
- page down: 30 Page Down keys from the middle, a grab each; the median.
- memory: resident memory (RSS) after all of the above, and its peak while the query ran,
  minus the RSS before the query (Qt and the widget already warmed up). Goal: growth < 200 MB.

The ratios 100M/1M show how the costs grow with the rows: for the grid they should be near
1x, as a page costs the same anywhere in any result.

Usage:
    python bench/grid.py                         # 100M against 1M rows (a few minutes)
    python bench/grid.py --rows 20000 --small 2000 --spill-rows 5000   # the smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import fmt_ratio, goal, load, machine, ms, ratio, say, secs, table

HERE = Path(__file__).resolve().parent
DEFAULT_ROWS = 100_000_000
DEFAULT_SMALL = 1_000_000
FIRST_PAINT_GOAL_S = 0.3
JUMP_GOAL_S = 0.05
MEMORY_GOAL_MB = 200.0
SQL = "SELECT i, i * 2 AS twice, md5(i::VARCHAR) AS hash FROM range({rows}) t(i)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows of the big result")
    parser.add_argument("--small", type=int, default=DEFAULT_SMALL, help="rows of the small one")
    parser.add_argument(
        "--spill-rows", type=int, default=None, help="spill results above this many rows"
    )
    parser.add_argument("--dir", type=Path, default=None, help="work folder (spill files)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------- in the child process
def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 1024**2


class PeakWatch:
    """Samples RSS every 20 ms on a thread; ``peak`` is the highest seen."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())
        return self.peak


def child(rows: int, work: Path, spill_rows: int | None) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import duckdb
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from aiser_desktop.core.engine import Engine, result
    from aiser_desktop.ui import theme
    from aiser_desktop.ui.results_view import ResultsView

    if spill_rows is not None:
        result.MEMORY_ROWS = spill_rows
    app = QApplication.instance() or QApplication([])
    theme.apply(app)  # type: ignore[arg-type]
    view = ResultsView()
    view.resize(1200, 700)
    view.show()
    work.mkdir(parents=True, exist_ok=True)
    engine = Engine(work / "bench.duckdb")
    try:
        # Warm-up: Qt's fonts and styles, DuckDB's first query, the grid's code paths.
        view.set_engine(engine)
        view.set_result(engine.execute(SQL.format(rows=2000)))
        app.processEvents()
        view.grab()
        view.set_result(None)
        app.processEvents()

        sql = SQL.format(rows=rows)
        before = rss_mb()
        watch = PeakWatch()
        start = time.perf_counter()
        handle = engine.execute(sql)
        query = time.perf_counter() - start
        query_peak = watch.stop()

        start = time.perf_counter()
        view.set_result(handle)
        app.processEvents()
        view.grab()
        first_paint = time.perf_counter() - start

        table = view.table
        table.setFocus()
        start = time.perf_counter()
        QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
        view.grab()
        jump = time.perf_counter() - start
        assert view.current_row() == rows - 1, "Ctrl+End did not reach the last row"
        bottom = table.rowAt(table.viewport().height() - 2)
        last_shown = view.model.real_row(bottom if bottom >= 0 else view.model.rowCount() - 1)

        rng = random.Random(7)
        jumps = []
        for _ in range(20):
            target = rng.randrange(rows)
            start = time.perf_counter()
            view.scroll_to_row(target)  # what dragging the scroll bar does
            app.processEvents()
            view.grab()
            jumps.append(time.perf_counter() - start)
            shown = view.model.real_row(table.rowAt(1))
            assert abs(shown - target) <= 50, f"asked for row {target}, row {shown} is shown"

        view.scroll_to_row(rows // 2)
        app.processEvents()
        table.setCurrentIndex(table.model().index(table.rowAt(1), 0))
        steps = []
        for _ in range(30):
            start = time.perf_counter()
            QTest.keyClick(table, Qt.Key.Key_PageDown)
            app.processEvents()
            view.grab()
            steps.append(time.perf_counter() - start)
        after = rss_mb()
        spilled = handle.spilled
        spill_mb = handle.spill_path.stat().st_size / 1024**2 if handle.spill_path else 0.0
        cached_pages = view.model.cached_pages
        view.set_result(None)
        del handle

        # The floor: plain DuckDB streams the same rows as Arrow and drops them.
        con = duckdb.connect()
        start = time.perf_counter()
        reader = con.execute(sql).to_arrow_reader(1 << 17)
        streamed = sum(batch.num_rows for batch in reader)
        stream = time.perf_counter() - start
        con.close()
        assert streamed == rows
    finally:
        view.close()
        engine.close()
    return {
        "rows": rows,
        "spilled": spilled,
        "spill_mb": spill_mb,
        "query": query,
        "stream": stream,
        "first_paint": first_paint,
        "jump": jump,
        "last_row_shown": last_shown,
        "random_jump": statistics.median(jumps),
        "random_jump_max": max(jumps),
        "page_down": statistics.median(steps),
        "growth": after - before,
        "peak_growth": max(query_peak, after) - before,
        "cached_pages": cached_pages,
    }


# ---------------------------------------------------------------------- the parent
def run_child(rows: int, work: Path, spill_rows: int | None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(rows)]
    command += ["--dir", str(work)]
    if spill_rows is not None:
        command += ["--spill-rows", str(spill_rows)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=HERE.parent)
    if proc.returncode != 0:
        raise SystemExit(f"the {rows:,}-row run failed:\n{proc.stdout}\n{proc.stderr}")
    line = proc.stdout.strip().splitlines()[-1]
    return dict(json.loads(line))


def mb(value: float) -> str:
    return f"{value:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.dir, args.spill_rows)), flush=True)
        return 0
    work = args.dir or Path(tempfile.mkdtemp(prefix="aiser-bench-grid-"))
    work.mkdir(parents=True, exist_ok=True)
    say(f"grid: {args.rows:,} rows against {args.small:,} ({SQL.format(rows='N')})")
    say(machine())
    say(f"load average at start: {load()}")
    try:
        small = run_child(args.small, work / "small", args.spill_rows)
        big = run_child(args.rows, work / "big", args.spill_rows)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    say()
    rows = [
        ("kept as", *(("spilled" if r["spilled"] else "in memory") for r in (small, big)), ""),
        ("spill file", mb(small["spill_mb"]), mb(big["spill_mb"]), ""),
    ]
    for label, key, shown in (
        ("query (app: fetch, spill)", "query", secs),
        ("plain DuckDB streaming", "stream", secs),
        ("first paint", "first_paint", ms),
        ("jump to the last row", "jump", ms),
        ("random jump (median)", "random_jump", ms),
        ("random jump (slowest)", "random_jump_max", ms),
        ("page down (median)", "page_down", ms),
        ("memory growth", "growth", mb),
        ("memory growth at peak", "peak_growth", mb),
    ):
        rows.append(
            (label, shown(small[key]), shown(big[key]), fmt_ratio(ratio(big[key], small[key])))
        )
    say(table(["", f"{args.small:,} rows", f"{args.rows:,} rows", "ratio"], rows))
    say()
    say(f"query ratio app/plain DuckDB: {fmt_ratio(ratio(big['query'], big['stream']))} "
        f"({args.rows:,} rows), {fmt_ratio(ratio(small['query'], small['stream']))} "
        f"({args.small:,})")  # fmt: skip
    say(f"first paint ratio {args.rows:,}/{args.small:,}: "
        f"{fmt_ratio(ratio(big['first_paint'], small['first_paint']))}")  # fmt: skip
    say(f"jump ratio {args.rows:,}/{args.small:,}: {fmt_ratio(ratio(big['jump'], small['jump']))}")
    say(
        goal(
            "first paint", big["first_paint"], FIRST_PAINT_GOAL_S, ms(big["first_paint"]), "300 ms"
        )
    )
    say(goal("jump to the last row", big["jump"], JUMP_GOAL_S, ms(big["jump"]), "50 ms"))
    say(goal("memory growth", big["peak_growth"], MEMORY_GOAL_MB, mb(big["peak_growth"]), "200 MB"))
    say(f"load average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
