"""The agent's read-only guard: each of its four locks holds on its own, on a real workspace
(an imported CSV, a linked CSV read through a view, an attached SQLite database)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.errors import QueryCancelledError, QueryError
from aiser_desktop.core.security.sql_guard import (
    CheckedSql,
    QueryTimeoutError,
    ReadOnlyRunner,
    Sandbox,
    UnsafeSqlError,
    _statement_of,
    check_sql,
    jsonable,
)
from aiser_desktop.core.workspace import Workspace


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("guard")
    (root / "sales.csv").write_text(
        "region,amount,sold_on\nnorth,10.5,2024-01-03\nsouth,7.25,2024-01-04\nnorth,3,2024-02-11\n"
    )
    (root / "visits.csv").write_text("page,hits\nhome,5\nabout,2\n")
    with sqlite3.connect(root / "shop.db") as con:
        con.execute("create table customers (id integer primary key, name text)")
        con.executemany("insert into customers values (?, ?)", [(1, "Ann"), (2, "Bo")])
    (root / "secret.txt").write_text("top secret\n")
    return root


@pytest.fixture(scope="module")
def ws(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path_factory.mktemp("ws") / "ws")
    workspace.sources.add_file(folder / "sales.csv", name="sales")
    workspace.sources.add_file(folder / "visits.csv", name="visits", mode="linked")
    workspace.sources.add(str(folder / "shop.db"), name="shop")
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def runner(ws: Workspace) -> Iterator[ReadOnlyRunner]:
    run = ReadOnlyRunner(ws.engine, ws.sources.catalog())
    try:
        yield run
    finally:
        run.close()


def _state(ws: Workspace) -> tuple[object, ...]:
    """Everything a hostile statement could change: tables and their rows, attached
    databases, loaded extensions, settings."""
    with ws.engine.cursor() as cur:
        tables = cur.execute(
            "select database_name, schema_name, table_name, estimated_size from duckdb_tables() "
            "order by all"
        ).fetchall()
        databases = cur.execute(
            "select database_name from duckdb_databases() order by 1"
        ).fetchall()
        loaded = cur.execute(
            "select extension_name from duckdb_extensions() where loaded order by 1"
        ).fetchall()
        access = cur.execute("select current_setting('enable_external_access')").fetchall()
        rows = cur.execute("select count(*) from sales").fetchall()
    return tables, databases, loaded, access, rows


# ---------------------------------------------------------------------- what is allowed
@pytest.mark.parametrize(
    "sql",
    [
        "select region, sum(amount) from sales group by region",
        "with t as (select * from sales) select count(*) from t",
        "from sales",
        "select * from main.sales",
        "select * from data.main.sales",
        "select * from visits",
        "select name from shop.customers order by id",
        "select s.region, v.hits from sales s cross join visits v",
        "describe sales",
        "describe select 1",
        "show tables",
        "summarize sales",
        "explain select * from sales",
        "values (1), (2)",
        "select 1 union all select 2",
        "select * from range(3)",
        "select * from sales;",
    ],
)
def test_read_only_queries_run(runner: ReadOnlyRunner, sql: str) -> None:
    result = runner.run(sql)
    assert result.columns


def test_results_keep_the_first_rows_and_count_the_rest(runner: ReadOnlyRunner) -> None:
    result = runner.run("select i, i * 2 as twice from range(5000) t(i)", max_rows=10)
    assert len(result.rows) == 10
    assert result.row_count == 5000
    assert result.truncated
    assert result.rows[3] == (3, 6)
    assert result.table is not None and result.table.num_rows == 10


def test_linked_sources_read_their_own_files(runner: ReadOnlyRunner) -> None:
    result = runner.run("select page, hits from visits order by hits desc")
    assert result.rows == (("home", 5), ("about", 2))


# ---------------------------------------------------------------------- lock 1: the parse
REFUSED = [
    ("drop table sales", "DROP"),
    ("delete from sales", "DELETE"),
    ("update sales set amount = 0", "UPDATE"),
    ("insert into sales values ('x', 1, null)", "INSERT"),
    ("create table t as select 1", "CREATE"),
    ("create temp table t as select 1", "CREATE"),
    ("alter table sales add column x int", "ALTER"),
    ("copy sales to '{tmp}/out.csv'", "COPY"),
    ("copy (select * from sales) to '{tmp}/out.parquet'", "COPY"),
    ("attach '{tmp}/evil.duckdb' as evil", "ATTACH"),
    ("detach shop", "DETACH"),
    ("install httpfs", "INSTALL"),
    ("load httpfs", "LOAD"),
    ("set enable_external_access = false", "SET"),
    ("pragma database_list", "PRAGMA"),
    ("use shop", "USE"),
    ("checkpoint", "checkpoint"),
    ("select * into t2 from sales", "INTO"),
    ("with x as (delete from sales returning *) select * from x", "DELETE"),
    ("select 1; drop table sales", "one statement"),
    ("select * from read_csv('/etc/passwd')", "read_csv"),
    ("select * from read_text('{tmp}/secret.txt')", "read_text"),
    ("select * from '{tmp}/secret.txt'", "no table"),
    ("select * from glob('/etc/*')", "glob"),
    ("select * from sniff_csv('/etc/passwd')", "sniff_csv"),
    ("select * from query('drop table sales')", "query"),
    ("select * from duckdb_secrets()", "duckdb_secrets"),
    ("select getenv('HOME')", "getenv"),
    ("select current_setting('threads')", "current_setting"),
    (
        "select * from sales where region in (select * from read_parquet('/x.parquet'))",
        "read_parquet",
    ),
    ("explain analyze drop table sales", "DROP"),
    ("select * from salez", "Did you mean sales"),
    ("show databases", "SHOW"),
    ("", "empty"),
]


@pytest.mark.parametrize(("sql", "why"), REFUSED)
def test_the_parse_check_refuses_anything_but_reading(
    ws: Workspace, runner: ReadOnlyRunner, folder: Path, sql: str, why: str
) -> None:
    before = _state(ws)
    text = sql.format(tmp=folder)
    with pytest.raises(UnsafeSqlError) as caught:
        runner.run(text)
    assert why.lower() in str(caught.value).lower()
    assert caught.value.hint  # says what to do instead
    assert _state(ws) == before
    assert not (folder / "out.csv").exists() and not (folder / "out.parquet").exists()
    assert not (folder / "evil.duckdb").exists()


def test_unknown_tables_are_named_with_the_known_ones(runner: ReadOnlyRunner) -> None:
    with pytest.raises(UnsafeSqlError) as caught:
        check_sql("select * from orders", runner.relations)
    assert "orders" in str(caught.value)
    assert "sales" in caught.value.hint and "shop.customers" in caught.value.hint


# ---------------------------------------------------------------------- lock 2: DuckDB's parse
@pytest.mark.parametrize(
    "sql", ["select 1; drop table t", "copy t to 'x.csv'", "attach 'x.db'", "install httpfs"]
)
def test_duckdb_must_see_one_query(sql: str) -> None:
    con = duckdb.connect()
    try:
        with pytest.raises(UnsafeSqlError):
            _statement_of(con, sql)
    finally:
        con.close()


# ---------------------------------------------------------------------- lock 3: the sandbox
@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/hostname')",
        "select * from glob('/etc/*')",
        "select * from read_parquet('/tmp/nothing.parquet')",
    ],
)
def test_the_sandbox_refuses_files_even_past_the_parse_check(
    runner: ReadOnlyRunner, sql: str
) -> None:
    # Handed straight to the sandbox, as if the parse check had missed it.
    with pytest.raises(UnsafeSqlError) as caught:
        runner._sandbox.check(CheckedSql(sql, ()), runner.relations)
    assert "file" in str(caught.value)


def test_the_sandbox_cannot_be_unlocked() -> None:
    sandbox = Sandbox()
    try:
        for statement in ("SET enable_external_access = true", "SET lock_configuration = false"):
            with pytest.raises(duckdb.Error):
                sandbox._con.execute(statement)
    finally:
        sandbox.close()


def test_the_sandbox_binds_stand_ins_with_the_real_names_and_types(
    runner: ReadOnlyRunner,
) -> None:
    checked = runner.check("select name from shop.customers where id > 1")
    assert checked.tables == ("shop.customers",)
    # A bad column is DuckDB's to report on the real table, not a refusal.
    with pytest.raises(QueryError) as caught:
        runner.run("select nme from shop.customers")
    assert not isinstance(caught.value, UnsafeSqlError)
    assert "nme" in str(caught.value)


# ---------------------------------------------------------------------- lock 4: read-only
@pytest.mark.parametrize(
    "statement",
    [
        "insert into sales values ('x', 1, null)",
        "drop table sales",
        "create table t as select 1",
        "insert into shop.customers values (3, 'Cy')",
    ],
)
def test_the_transaction_refuses_writes_even_past_the_other_locks(
    ws: Workspace, runner: ReadOnlyRunner, statement: str
) -> None:
    before = _state(ws)
    with pytest.raises(QueryError) as caught:
        runner.read_only(lambda cur: cur.execute(statement), sql=statement)
    assert "read-only" in str(caught.value).lower()
    assert _state(ws) == before


def test_agent_sql_does_not_share_the_persons_session(
    ws: Workspace, runner: ReadOnlyRunner
) -> None:
    ws.engine.execute("create or replace temp table scratch as select 42 as x")
    try:
        with pytest.raises(UnsafeSqlError):
            runner.run("select * from scratch")  # not a source
        assert ws.engine.execute("select x from scratch").rows() == [(42,)]
    finally:
        ws.engine.execute("drop table scratch")


# ---------------------------------------------------------------------- cancel and timeout
SLOW = "select count(*) from range(100000000000) a where a.range % 7 = 3"


def test_cancel_stops_a_running_query_at_once(runner: ReadOnlyRunner) -> None:
    timer = threading.Timer(0.3, runner.cancel)
    timer.start()
    started = time.perf_counter()
    with pytest.raises(QueryCancelledError):
        runner.run(SLOW)
    assert time.perf_counter() - started < 3
    with pytest.raises(QueryCancelledError):
        runner.run("select 1")  # until reset
    runner.reset()
    assert runner.run("select 1").rows == ((1,),)


def test_a_query_past_the_timeout_is_stopped_and_the_next_one_runs(
    runner: ReadOnlyRunner,
) -> None:
    runner.timeout = 0.3
    started = time.perf_counter()
    with pytest.raises(QueryTimeoutError) as caught:
        runner.run(SLOW)
    assert time.perf_counter() - started < 3
    assert "0.3 s" in str(caught.value)
    assert runner.run("select 2").rows == ((2,),)


def test_values_come_back_as_plain_json_data(runner: ReadOnlyRunner) -> None:
    result = runner.run(
        "select 1.50::decimal(5,2) as d, 2.0::decimal(5,1) as whole, date '2024-01-03' as day, "
        "'nan'::double as nan, [1, 2] as list, {'a': 1} as struct, interval 1 day as span, "
        "interval 90 minutes as minutes"
    )
    assert result.rows[0] == (1.5, 2, "2024-01-03", None, [1, 2], {"a": 1}, "1 day", "1:30:00")
    assert jsonable(b"abc") == "<3 bytes>"
