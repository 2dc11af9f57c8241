"""EXPLAIN and EXPLAIN ANALYZE from a real DuckDB, drawn as a readable tree."""

from __future__ import annotations

import duckdb
import pytest

from aiser_desktop.core.sql.explain import explain, explain_sql, readable


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create table t as select i, i % 10 as g from range(50000) r(i)")
    con.execute("create table u as select i as g, 'n' || i as name from range(10) r(i)")
    return con


QUERY = "select u.name, count(*) as c from t join u using (g) where i > $lo group by 1 limit 5;"


def test_explain_shows_operators_tables_and_estimates(con: duckdb.DuckDBPyConnection) -> None:
    text = explain(con, QUERY, False, {"lo": 10})
    lines = text.splitlines()
    assert lines[0].startswith("EXPLAIN:")
    assert any("HASH_JOIN" in line and "Conditions: g = g" in line for line in lines)
    assert any("SEQ_SCAN t" in line and "(estimated)" in line for line in lines)
    assert any(line.lstrip("│ ").startswith(("└─ ", "├─ ")) for line in lines[2:])
    assert "__internal" not in text


def test_explain_analyze_shows_actual_rows_and_times(con: duckdb.DuckDBPyConnection) -> None:
    text = explain(con, QUERY, True, {"lo": 10})
    lines = text.splitlines()
    assert lines[0].startswith("EXPLAIN ANALYZE:")
    assert "5 rows returned" in lines[0]
    scan = next(line for line in lines if "SEQ_SCAN t" in line)
    assert "49,989 rows" in scan  # i > 10 of 50,000
    assert " ms (" in scan
    assert "EXPLAIN_ANALYZE" not in text


def test_readable_takes_arrow_and_plain_text(con: duckdb.DuckDBPyConnection) -> None:
    table = con.execute(explain_sql("select * from t", False)).to_arrow_table()
    assert "SEQ_SCAN t" in readable(table)
    boxes = con.execute("explain select * from t").fetchall()
    assert readable(boxes).strip() == str(boxes[0][1]).strip()


def test_explain_sql_drops_the_semicolon() -> None:
    assert explain_sql("select 1;", True) == "EXPLAIN (ANALYZE, FORMAT JSON) select 1"
