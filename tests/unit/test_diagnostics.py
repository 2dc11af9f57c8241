"""DuckDB's errors as QueryError: the kind, the line and column, DuckDB's suggestions."""

from __future__ import annotations

import pytest

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.engine.diagnostics import translate
from aiser_desktop.core.errors import QueryCancelledError, QueryError, SqlPosition


@pytest.fixture
def sales_engine(engine: Engine) -> Engine:
    engine.execute("CREATE TABLE sales (region VARCHAR, amount DOUBLE)")
    return engine


def error_of(engine: Engine, sql: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        engine.execute(sql)
    return caught.value


def test_a_binder_error_in_multi_line_sql_points_to_its_line_and_column(
    sales_engine: Engine,
) -> None:
    sql = "SELECT region,\n       amout\nFROM sales"
    error = error_of(sales_engine, sql)
    assert error.kind == "Binder"
    assert error.position is not None
    assert (error.position.line, error.position.column) == (2, 8)
    assert sql[error.position.offset :].startswith("amout")
    assert '"amount"' in error.message  # DuckDB's candidate binding is kept
    assert error.sql == sql


def test_non_ascii_text_before_the_error_counts_characters_not_bytes(
    sales_engine: Engine,
) -> None:
    # "Zürich – Genève ✓" is 17 characters and 23 bytes in UTF-8.
    sql = "SELECT 'Zürich – Genève ✓' AS city, amout FROM sales"
    error = error_of(sales_engine, sql)
    assert error.position is not None
    assert error.position.line == 1
    assert error.position.column == sql.index("amout") + 1
    assert sql[error.position.offset :].startswith("amout")


def test_non_ascii_on_an_earlier_line_does_not_shift_the_column(sales_engine: Engine) -> None:
    sql = "SELECT 'naïve café' AS note,\n  région\nFROM sales"
    error = error_of(sales_engine, sql)
    assert error.position is not None
    assert (error.position.line, error.position.column) == (2, 3)


def test_a_syntax_error_at_the_end_of_the_input(sales_engine: Engine) -> None:
    sql = "SELECT *\nFROM sales\nWHERE amount >"
    error = error_of(sales_engine, sql)
    assert error.kind == "Parser"
    assert "end of input" in error.message
    assert error.position is not None
    assert error.position.line == 3
    assert error.position.column == len("WHERE amount >") + 1


def test_a_syntax_error_names_the_word(sales_engine: Engine) -> None:
    error = error_of(sales_engine, "SELECT 1;\nSELEC region FROM sales")
    assert error.kind == "Parser"
    assert "SELEC" in error.message
    assert error.position is not None
    assert (error.position.line, error.position.column) == (2, 1)


def test_a_missing_table_is_a_catalog_error_with_did_you_mean(sales_engine: Engine) -> None:
    error = error_of(sales_engine, "SELECT *\nFROM salse")
    assert error.kind == "Catalog"
    assert 'Did you mean "sales"' in error.message
    assert error.position is not None
    assert (error.position.line, error.position.column) == (2, 6)
    assert "sources" in error.hint  # says where to look next


def test_str_has_the_kind_the_position_and_a_caret_under_it(sales_engine: Engine) -> None:
    sql = "SELECT region,\n  amout\nFROM sales"
    text = str(error_of(sales_engine, sql))
    lines = text.splitlines()
    assert lines[0].startswith("Binder error at line 2, column 3:")
    excerpt = next(i for i, line in enumerate(lines) if line.startswith("  2 | "))
    assert lines[excerpt] == "  2 |   amout"
    caret = lines[excerpt + 1]
    assert caret.strip() == "^"
    assert lines[excerpt][caret.index("^")] == "a"  # the caret sits under "amout"


def test_an_error_without_a_position_still_reads_well(engine: Engine) -> None:
    error = error_of(engine, "SELECT CAST('abc' AS INTEGER) + 0 FROM range(1)")
    assert error.kind == "Conversion"
    assert "abc" in error.message
    assert "TRY_CAST" in str(error)


def test_translate_keeps_cancel_and_our_own_errors() -> None:
    import duckdb

    assert isinstance(translate(duckdb.InterruptException("x"), "select 1"), QueryCancelledError)
    ours = QueryError("already ours")
    assert translate(ours, "select 1") is ours


def test_translate_without_json_falls_back_to_the_text() -> None:
    import duckdb

    error = translate(
        duckdb.CatalogException("Catalog Error: Table with name x does not exist!\n\nLINE 1: ..."),
        "select * from x",
    )
    assert isinstance(error, QueryError)
    assert error.kind == "Catalog"
    assert error.message == "Table with name x does not exist!"
    assert error.position is None


def test_sql_position_from_offset() -> None:
    sql = "ab\ncd\nef"
    assert SqlPosition.from_offset(sql, 0) == SqlPosition(0, 1, 1)
    assert SqlPosition.from_offset(sql, 4) == SqlPosition(4, 2, 2)
    assert SqlPosition.from_offset(sql, 99) == SqlPosition(8, 3, 3)
