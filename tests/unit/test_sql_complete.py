"""Completion from the cached catalog: context, aliases, ranking, and its speed."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aiser_desktop.core.sources.catalog import ColumnInfo, SourceInfo, TableInfo
from aiser_desktop.core.sql.complete import Completer, split_name
from aiser_desktop.core.workspace import Workspace

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def table(sql_name: str, *columns: str, rows: int = 10) -> TableInfo:
    return TableInfo(
        sql_name, sql_name.split(".")[-1], rows, tuple(ColumnInfo(c, "VARCHAR") for c in columns)
    )


CATALOG = [
    SourceInfo(
        "shop",
        "postgres",
        "postgresql://h/shop",
        NOW,
        (
            table("shop.orders", "id", "customer_id", "amount", "order date"),
            table("shop.customers", "id", "name", "country"),
        ),
    ),
    SourceInfo("sales", "csv", "/d/sales.csv", NOW, (table("sales", "region", "amount"),)),
]


def complete(sql: str, cursor: int | None = None) -> list[tuple[str, str]]:
    result = Completer(CATALOG).complete(sql, len(sql) if cursor is None else cursor)
    return [(c.text, c.kind) for c in result.items]


def texts(sql: str, cursor: int | None = None) -> list[str]:
    return [t for t, _k in complete(sql, cursor)]


def test_alias_defined_after_the_cursor() -> None:
    sql = "select o. from shop.orders o"
    got = complete(sql, sql.index(".") + 1)
    assert {t for t, _ in got} == {"id", "customer_id", "amount", '"order date"'}
    assert {k for _, k in got} == {"column"}


def test_alias_with_as_and_a_prefix() -> None:
    sql = "select c.na from shop.customers as c"
    assert texts(sql, sql.index("na") + 2) == ["name"]


def test_table_name_as_qualifier_and_join_aliases() -> None:
    sql = "select customers.c, o.a from shop.orders o join shop.customers on true"
    assert texts(sql, sql.index("customers.c") + len("customers.c")) == ["country"]
    assert texts(sql, sql.index("o.a") + 3)[0] == "amount"


def test_after_from_tables_come_first() -> None:
    got = complete("select * from ")
    kinds = [k for _t, k in got]
    assert kinds[: kinds.index("function")].count("table") == 3
    assert ("shop", "schema") in got
    # Only table functions make sense here: read_csv, not abs.
    functions = [t for t, k in got if k == "function"]
    assert "abs" not in functions
    assert "read_csv" in texts("select * from read_c")


def test_after_join_and_comma_in_from() -> None:
    assert texts("select * from sales s join sh")[0] == "shop"
    assert texts("select * from sales, shop.o") == ["orders", "customers"]


def test_a_sources_table_is_found_by_its_own_name() -> None:
    got = complete("select * from ord")
    assert got[0] == ("shop.orders", "table")  # before the keyword "order"


def test_schema_qualifier_offers_its_tables() -> None:
    assert texts("select * from shop.") == ["customers", "orders"]


def test_after_select_the_statements_columns_come_first() -> None:
    sql = "select re from sales"
    got = complete(sql, sql.index("re") + 2)
    assert got[0] == ("region", "column")
    # Columns of tables the statement does not use are not offered once it uses one.
    assert ("country", "column") not in complete("select co from sales", len("select co"))


def test_columns_of_every_table_before_from_is_written() -> None:
    assert ("country", "column") in complete("select coun")


def test_prefix_matches_rank_before_contains_matches() -> None:
    got = texts("select amount fr")
    assert got[0] == "from"
    contains = texts("select * from shop.customers where untr")
    assert contains[0] == "country"  # "untr" is inside "country"


def test_keyword_case_follows_the_typing() -> None:
    assert texts("SEL")[0] == "SELECT"
    assert texts("sel")[0] == "select"


def test_no_completions_inside_strings_comments_or_numbers() -> None:
    for sql in ("select 'na", "select 1 -- na", "select /* na", "select 12"):
        result = Completer(CATALOG).complete(sql, len(sql))
        assert result.items == [], sql
        assert result.context == "none"


def test_replacement_range_is_the_word_being_typed() -> None:
    sql = "select * from sal"
    result = Completer(CATALOG).complete(sql, len(sql))
    assert (result.start, result.prefix) == (len("select * from "), "sal")
    assert result.items[0].text == "sales"


def test_statement_boundaries_and_ctes() -> None:
    sql = "select * from shop.orders o; select o."
    assert texts(sql) == []  # that alias belongs to the other statement
    assert texts("with recent as (select 1) select * from re")[0] == "recent"


def test_quoted_names_split() -> None:
    assert split_name('finance."Q1 ""plan"""') == ["finance", 'Q1 "plan"']
    assert split_name("sales") == ["sales"]


def test_editing_a_long_script_reuses_what_it_lexed() -> None:
    completer = Completer(CATALOG)
    script = "select 1 from sales;\n" * 2000 + "select * from shop.orders o where o."
    result = completer.complete(script, len(script))
    assert [c.text for c in result.items][:1] == ['"order date"']
    # Typing at the end again: the 2,000 statements before are not lexed again.
    script2 = script + "am"
    start = time.perf_counter()
    result = completer.complete(script2, len(script2))
    took = time.perf_counter() - start
    assert [c.text for c in result.items] == ["amount"]
    assert took < 0.05


def test_catalog_read_from_a_real_workspace(tmp_path: Path, sample_csv: Path) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add_file(sample_csv, name="sales")
        catalog = ws.sources.catalog()
    completer = Completer(catalog)
    sql = "select s. from sales s"
    got = [c.text for c in completer.complete(sql, sql.index(".") + 1).items]
    assert set(got) == {"region", "product", "amount", "sold_on"}


def big_catalog(tables: int = 500, columns: int = 20) -> list[SourceInfo]:
    sources = []
    for s in range(10):
        infos = tuple(
            table(f"src{s}.table_{s}_{t}", *(f"col_{t}_{c}" for c in range(columns)))
            for t in range(tables // 10)
        )
        sources.append(SourceInfo(f"src{s}", "postgres", "x", NOW, infos))
    return sources


@pytest.mark.parametrize(
    "sql",
    [
        "select t. from src3.table_3_7 t",
        "select col_7 from src3.table_3_7",
        "select * from src",
        "select * from src4.",
        "select c",
        "select * from src3.table_3_7 where col_7_1",
    ],
)
def test_completion_is_instant_on_500_tables(sql: str) -> None:
    completer = Completer(big_catalog())
    cursor = sql.index(".") + 1 if sql.startswith("select t.") else len(sql)
    completer.complete(sql, cursor)  # the first call reads DuckDB's function list
    times = []
    for _ in range(30):
        start = time.perf_counter()
        result = completer.complete(sql, cursor)
        times.append(time.perf_counter() - start)
    assert result.items
    assert statistics.median(times) < 0.005


@pytest.mark.slow
def test_bench_complete_smoke() -> None:
    """bench/complete.py still runs and prints its table and goal line."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, str(repo / "bench" / "complete.py"), "--smoke"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "naive/app" in proc.stdout
    assert "completion median, slowest scenario:" in proc.stdout
