"""Formatting with sqlglot: pretty, faithful, and the text left alone on a parse error."""

from __future__ import annotations

import duckdb

from aiser_desktop.core.sql.format import format_sql


def test_formats_each_statement_and_keeps_what_is_between() -> None:
    sql = "select a, count(*) from t group by a; -- per a\n\nselect 1"
    result = format_sql(sql)
    assert result.error == ""
    assert result.text.startswith("SELECT\n  a,\n  COUNT(*)\nFROM t\nGROUP BY\n  a;")
    assert "; -- per a\n\nSELECT\n  1" in result.text


def test_formatted_sql_means_the_same() -> None:
    con = duckdb.connect()
    con.execute("create table t as select i as a, i % 3 as g from range(10) r(i)")
    sql = (
        "select g, sum(a) as s, list(a order by a) l from t where a > 2 "
        "group by g having sum(a) > 1 order by g"
    )
    result = format_sql(sql)
    assert result.error == ""
    assert result.text != sql
    assert con.execute(result.text).fetchall() == con.execute(sql).fetchall()


def test_comments_are_kept() -> None:
    result = format_sql("-- top\nselect a /* why */ from t -- end")
    assert "top" in result.text
    assert "why" in result.text
    assert "end" in result.text


def test_a_parse_error_leaves_the_text_and_says_where() -> None:
    sql = "select 1;\nselect * fro t"
    result = format_sql(sql)
    assert result.text == sql
    assert "line 2" in result.error
    assert sql[result.error_offset :].startswith("t")


def test_statements_sqlglot_cannot_print_faithfully_stay_as_written() -> None:
    sql = "select $$it's$$ as x, y -> y + 1 as f"  # sqlglot rewrites both
    result = format_sql(sql)
    assert result.error == ""
    assert result.text == sql
    assert result.kept == 1


def test_empty_and_comment_only_text() -> None:
    assert format_sql("").text == ""
    assert format_sql("-- nothing").text == "-- nothing"
