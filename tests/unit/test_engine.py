"""The DuckDB engine: Arrow results by page, one session, cancel, progress, events, offline."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.errors import (
    AiserError,
    QueryCancelledError,
    QueryError,
    WorkspaceLockedError,
)
from aiser_desktop.core.events import (
    Message,
    QueryCancelled,
    QueryFailed,
    QueryFinished,
    QueryProgress,
    QueryStarted,
)

# A table scan with a group by over tens of millions of rows: DuckDB reports progress for it
# (range() alone reports none), and it runs for seconds, so there is time to cancel it.
BIG_ROWS = 20_000_000
SLOW_SQL = "SELECT i % 100000 AS g, max(md5(i::VARCHAR)) FROM big GROUP BY g"


def make_big(engine: Engine) -> None:
    engine.execute(f"CREATE TABLE big AS SELECT i FROM range({BIG_ROWS}) t(i)")


@pytest.fixture(scope="module")
def big_engine() -> Iterator[Engine]:
    """An engine with the big table, shared by the tests that run the slow query."""
    eng = Engine()
    make_big(eng)
    try:
        yield eng
    finally:
        eng.close()


def collect(
    engine: Engine, kind: type[Message] = Message
) -> tuple[list[Message], Callable[[], None]]:
    seen: list[Message] = []
    return seen, engine.hub.subscribe(kind, seen.append)


def progress_flag(engine: Engine, count: int = 1) -> tuple[threading.Event, Callable[[], None]]:
    """An event set once ``count`` progress messages have arrived."""
    reached = threading.Event()
    seen: list[QueryProgress] = []

    def on_progress(message: QueryProgress) -> None:
        seen.append(message)
        if len(seen) >= count:
            reached.set()

    return reached, engine.hub.subscribe(QueryProgress, on_progress)


# ---------------------------------------------------------------------- results
def test_results_come_as_arrow_with_the_right_rows(engine: Engine) -> None:
    handle = engine.execute("SELECT i, i * 2 AS twice FROM range(5) t(i) ORDER BY i")
    assert isinstance(handle.table, pa.Table)
    assert handle.row_count == 5
    assert handle.column_count == 2
    assert handle.column_names == ["i", "twice"]
    assert handle.schema.field("twice").type == pa.int64()
    assert handle.table.column("twice").to_pylist() == [0, 2, 4, 6, 8]
    assert handle.rows(1, 2) == [(1, 2), (2, 4)]
    assert handle.seconds > 0


def test_page_slices_without_copying(engine: Engine) -> None:
    handle = engine.execute("SELECT i FROM range(1000) t(i) ORDER BY i")
    whole = handle.table.column("i").chunk(0)

    page = handle.page(100, 50)

    assert page.num_rows == 50
    assert page.column("i").to_pylist() == list(range(100, 150))
    data = page.column("i").chunk(0).buffers()[1]
    assert data.address == whole.buffers()[1].address  # the same memory, not a copy


def test_page_handles_the_last_partial_page_and_beyond(engine: Engine) -> None:
    handle = engine.execute("SELECT i FROM range(1000) t(i) ORDER BY i")
    last = handle.page(990, 50)
    assert last.num_rows == 10
    assert last.column("i").to_pylist() == list(range(990, 1000))
    assert handle.page(1000, 50).num_rows == 0
    assert handle.page(5000, 50).num_rows == 0
    with pytest.raises(ValueError):
        handle.page(-1, 10)


def test_a_result_of_several_batches_pages_across_them(engine: Engine) -> None:
    handle = engine.execute("SELECT i FROM range(300000) t(i) ORDER BY i")
    assert handle.row_count == 300_000
    page = handle.page(131_000, 100)
    assert page.column("i").to_pylist() == list(range(131_000, 131_100))
    assert sum(b.num_rows for b in handle.batches(50_000)) == 300_000


def test_statements_without_a_result_give_an_empty_handle(engine: Engine) -> None:
    handle = engine.execute("CREATE TABLE t (a INTEGER)")
    assert handle.row_count == 0
    assert handle.rows() == []
    assert engine.execute("SET VARIABLE answer = 42").row_count == 0


def test_temp_tables_and_settings_carry_across_statements(engine: Engine) -> None:
    engine.execute("CREATE TEMP TABLE scratch AS SELECT 7 AS x")
    engine.execute("SET VARIABLE answer = 42")
    engine.execute("SET default_null_order = 'nulls_first'")

    assert engine.execute("SELECT x FROM scratch").rows() == [(7,)]
    assert engine.execute("SELECT getvariable('answer')").rows() == [(42,)]
    (order,) = engine.execute("SELECT current_setting('default_null_order')").rows()[0]
    assert order.lower() == "nulls_first"
    nulls = engine.execute("SELECT v FROM (VALUES (1), (NULL)) t(v) ORDER BY v").rows()
    assert nulls == [(None,), (1,)]


def test_parameters(engine: Engine) -> None:
    assert engine.execute("SELECT ? + ?, ?", [40, 2, "x"]).rows() == [(42, "x")]
    engine.execute("CREATE TABLE p (name VARCHAR)")
    engine.execute("INSERT INTO p VALUES (?)", ["O'Brien; DROP TABLE p"])
    assert engine.execute("SELECT name FROM p").rows() == [("O'Brien; DROP TABLE p",)]


def test_queries_run_off_the_calling_thread(engine: Engine) -> None:
    threads: list[str] = []
    engine.hub.subscribe(QueryStarted, lambda _m: threads.append(threading.current_thread().name))
    engine.execute("SELECT 1")
    assert threads
    assert threads[0] != threading.current_thread().name
    assert threads[0].startswith("aiser-query")


# ---------------------------------------------------------------------- events
def test_events_go_started_then_finished(engine: Engine) -> None:
    seen, _ = collect(engine)
    handle = engine.execute("SELECT 1 AS a, 2 AS b")

    kinds = [type(m) for m in seen if not isinstance(m, QueryProgress)]
    assert kinds == [QueryStarted, QueryFinished]
    started, finished = (m for m in seen if not isinstance(m, QueryProgress))
    assert started.query_id == finished.query_id == handle.query_id
    assert finished.sql == "SELECT 1 AS a, 2 AS b"
    assert (finished.rows, finished.columns) == (1, 2)
    assert finished.result is handle


def test_a_failed_query_publishes_query_failed_with_the_error(engine: Engine) -> None:
    seen, _ = collect(engine)
    job = engine.submit("SELECT * FROM no_such_table")
    with pytest.raises(QueryError) as caught:
        job.result()

    kinds = [type(m) for m in seen]
    assert kinds == [QueryStarted, QueryFailed]
    failed = seen[1]
    assert isinstance(failed, QueryFailed)
    assert failed.query_id == job.id
    assert failed.error is caught.value
    assert "no_such_table" in str(failed.error)


def test_query_ids_increase(engine: Engine) -> None:
    first = engine.submit("SELECT 1")
    second = engine.submit("SELECT 2")
    assert second.id > first.id
    assert second.result().rows() == [(2,)]
    assert first.done()


# ---------------------------------------------------------------------- cancel and progress
@pytest.mark.slow
def test_progress_is_reported_for_a_long_scan(big_engine: Engine) -> None:
    seen, unsubscribe = collect(big_engine, QueryProgress)
    reached, stop = progress_flag(big_engine, count=3)
    try:
        job = big_engine.submit(SLOW_SQL)
        assert reached.wait(20), "no progress reported for a long scan"
        job.cancel()
        with pytest.raises(QueryCancelledError):
            job.result(10)
    finally:
        unsubscribe()
        stop()
    percents = [m.percent for m in seen if isinstance(m, QueryProgress)]
    assert len(percents) >= 3
    assert all(0 <= p <= 100 for p in percents)
    assert all(m.query_id == job.id for m in seen if isinstance(m, QueryProgress))
    assert job.progress is not None and 0 <= job.progress <= 100


@pytest.mark.slow
def test_cancel_stops_a_running_query_within_a_second(big_engine: Engine) -> None:
    seen, unsubscribe = collect(big_engine)
    reached, stop = progress_flag(big_engine)
    try:
        job = big_engine.submit(SLOW_SQL)
        assert reached.wait(20), "the slow query never reported progress"
        assert not job.done()
        cancelled_at = time.perf_counter()
        job.cancel()
        assert job.done()  # the job ends at once; DuckDB unwinds behind it
        with pytest.raises(QueryCancelledError):
            job.result(10)
        latency = time.perf_counter() - cancelled_at
    finally:
        unsubscribe()
        stop()
    print(f"cancel latency: {latency * 1000:.1f} ms")
    assert latency < 1.0
    cancelled = [m for m in seen if isinstance(m, QueryCancelled)]
    assert [m.query_id for m in cancelled] == [job.id]
    assert not any(isinstance(m, (QueryFinished, QueryFailed)) for m in seen)


@pytest.mark.slow
def test_after_a_cancel_the_next_query_works(big_engine: Engine) -> None:
    reached, stop = progress_flag(big_engine)
    try:
        job = big_engine.submit(SLOW_SQL)
        assert reached.wait(20)
        job.cancel()
        with pytest.raises(QueryCancelledError):
            job.result(10)
    finally:
        stop()
    # No interrupt is left over to kill the next statement.
    assert big_engine.execute("SELECT count(*) FROM big").rows() == [(BIG_ROWS,)]
    assert big_engine.execute("SELECT 42").rows() == [(42,)]


def test_cancelling_a_finished_query_changes_nothing(engine: Engine) -> None:
    job = engine.submit("SELECT 1")
    assert job.result().rows() == [(1,)]
    job.cancel()
    assert job.result().rows() == [(1,)]
    assert engine.execute("SELECT 2").rows() == [(2,)]


@pytest.mark.slow
def test_a_queued_job_cancelled_before_it_starts_never_runs(big_engine: Engine) -> None:
    seen, unsubscribe = collect(big_engine)
    reached, stop = progress_flag(big_engine)
    try:
        running = big_engine.submit(SLOW_SQL)
        queued = big_engine.submit("CREATE TABLE never_made AS SELECT 1 AS x")
        queued.cancel()
        assert reached.wait(20)
        running.cancel()
        for job in (running, queued):
            with pytest.raises(QueryCancelledError):
                job.result(10)
    finally:
        unsubscribe()
        stop()
    started = [m.query_id for m in seen if isinstance(m, QueryStarted)]
    assert queued.id not in started
    assert queued.id in [m.query_id for m in seen if isinstance(m, QueryCancelled)]
    exists = big_engine.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'never_made'"
    ).rows()
    assert exists == [(0,)]


@pytest.mark.slow
def test_a_cancel_at_the_start_of_a_query_is_not_lost(big_engine: Engine) -> None:
    """A cancel that lands after the query is picked up, before DuckDB runs it, still stops it."""
    jobs = {}

    def cancel_on_start(message: QueryStarted) -> None:
        if message.query_id in jobs:
            jobs[message.query_id].cancel()

    unsubscribe = big_engine.hub.subscribe(QueryStarted, cancel_on_start)
    try:
        job = big_engine.submit(SLOW_SQL)
        jobs[job.id] = job
        began = time.perf_counter()
        with pytest.raises(QueryCancelledError):
            job.result(30)
        elapsed = time.perf_counter() - began
    finally:
        unsubscribe()
    assert elapsed < 1.0
    assert big_engine.execute("SELECT 1").rows() == [(1,)]


@pytest.mark.slow
def test_close_while_a_query_runs_returns_promptly() -> None:
    engine = Engine()
    make_big(engine)
    reached, _ = progress_flag(engine)
    running = engine.submit(SLOW_SQL)
    queued = engine.submit("SELECT 2")
    assert reached.wait(20)

    began = time.perf_counter()
    engine.close()
    took = time.perf_counter() - began

    print(f"close took {took * 1000:.1f} ms")
    assert took < 1.0
    # Both jobs end as cancelled: nobody waiting on them hangs.
    for job in (running, queued):
        with pytest.raises(QueryCancelledError):
            job.result(5)
    with pytest.raises(AiserError, match="closed"):
        engine.submit("SELECT 1")
    engine.close()  # closing twice is harmless


def test_close_interrupts_the_apps_own_work_on_the_writer(
    wait_until: Callable[..., None],
) -> None:
    """Closing the window during a long import must not wait for the import to finish."""
    engine = Engine()
    statements = []

    def long_import(cur: object) -> None:
        # Several statements, as an import runs: each one must be interrupted.
        for _ in range(3):
            statements.append(1)
            cur.execute(  # type: ignore[attr-defined]
                "SELECT count(DISTINCT md5(i::VARCHAR)) FROM range(300000000) t(i)"
            ).fetchall()

    work = engine.call(long_import)
    wait_until(lambda: statements)
    began = time.perf_counter()
    engine.close()
    took = time.perf_counter() - began
    print(f"close during an import took {took * 1000:.1f} ms")
    assert took < 1.0
    with pytest.raises(duckdb.InterruptException):
        work.result(5)


def test_close_right_after_a_cancel_at_the_start_returns_promptly() -> None:
    """A cancel that lands before DuckDB begins the statement, then close(): no runaway query."""
    for _ in range(5):
        engine = Engine()
        started = threading.Event()
        engine.hub.subscribe(QueryStarted, lambda _m, event=started: event.set())
        job = engine.submit("SELECT sum(a.x * b.y) FROM range(200000) a(x), range(200000) b(y)")
        assert started.wait(10)
        job.cancel()
        began = time.perf_counter()
        engine.close()
        took = time.perf_counter() - began
        assert took < 2.0, f"close took {took:.2f} s"


def test_interrupt_stops_work_started_with_call(
    engine: Engine, wait_until: Callable[..., None]
) -> None:
    started = threading.Event()

    def long_work(cur: object) -> None:
        started.set()
        cur.execute(  # type: ignore[attr-defined]
            "SELECT count(DISTINCT md5(i::VARCHAR)) FROM range(300000000) t(i)"
        ).fetchall()

    work = engine.call(long_work)
    assert started.wait(10)
    engine.interrupt()
    with pytest.raises(duckdb.InterruptException):
        work.result(5)
    assert engine.execute("SELECT 3").rows() == [(3,)]


@pytest.mark.parametrize(
    ("max_rows", "rows", "truncated"),
    [(0, 0, True), (3, 3, True), (10, 10, False), (11, 10, False), (None, 10, False)],
)
def test_a_row_limit_knows_when_it_was_hit(
    engine: Engine, max_rows: int | None, rows: int, truncated: bool
) -> None:
    handle = engine.execute("SELECT i FROM range(10) t(i) ORDER BY i", max_rows=max_rows)
    assert handle.row_count == rows
    assert handle.truncated is truncated
    assert handle.column_names == ["i"]
    assert [r[0] for r in handle.rows(0, 100)] == list(range(rows))


def test_a_row_limit_on_a_big_result_keeps_only_what_was_asked(engine: Engine) -> None:
    handle = engine.execute("SELECT i FROM range(5000000) t(i)", max_rows=250_000)
    assert (handle.row_count, handle.truncated) == (250_000, True)
    # The session is ready for the next statement after stopping early.
    assert engine.execute("SELECT 42").rows() == [(42,)]


# ---------------------------------------------------------------------- offline
def test_the_connection_never_installs_or_loads_extensions_by_itself(engine: Engine) -> None:
    settings = engine.execute(
        "SELECT current_setting('autoinstall_known_extensions'), "
        "current_setting('autoload_known_extensions')"
    ).rows()
    assert settings == [(False, False)]


def test_a_function_of_an_extension_not_loaded_fails_instead_of_downloading(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(QueryError) as caught:
        engine.execute(f"SELECT * FROM read_xlsx('{tmp_path / 'book.xlsx'}')")
    assert "excel" in str(caught.value)
    loaded = engine.execute(
        "SELECT count(*) FROM duckdb_extensions() WHERE extension_name = 'excel' AND loaded"
    ).rows()
    assert loaded == [(0,)]


def test_install_looks_on_this_disk_not_the_internet(engine: Engine) -> None:
    with pytest.raises(QueryError) as caught:
        engine.execute("INSTALL httpfs")
    message = str(caught.value)
    assert "httpfs" in message
    assert "http://" not in message and "https://" not in message
    assert "extensions.duckdb.org" not in message
    installed = engine.execute(
        "SELECT count(*) FROM duckdb_extensions() WHERE extension_name = 'httpfs' AND installed"
    ).rows()
    assert installed == [(0,)]


def test_a_database_file_held_by_another_program_is_a_locked_error(tmp_path: Path) -> None:
    path = tmp_path / "data.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(WorkspaceLockedError) as caught:
            Engine(path)
        assert str(path) in str(caught.value)
        assert "in use by another program" in str(caught.value)
    finally:
        holder.communicate("", timeout=30)
    with Engine(path) as engine:  # free again once the other program is gone
        assert engine.execute("SELECT 1").rows() == [(1,)]
