"""Splitting a script into statements by the tokenizer, and the statement under the cursor."""

from __future__ import annotations

import duckdb

from aiser_desktop.core.sql.statements import split, statement_at

SCRIPT = (
    "-- totals\n"
    "select 'a;b' as x, \"odd;name\" from t; -- first's note;\n"
    "\n"
    "/* second; */ select $$x;y$$;\n"
    "select 3 -- last\n"
)


def test_semicolons_in_strings_names_bodies_and_comments_do_not_split() -> None:
    texts = [s.text for s in split(SCRIPT)]
    assert texts == [
        "-- totals\nselect 'a;b' as x, \"odd;name\" from t",
        "/* second; */ select $$x;y$$",
        "select 3",
    ]


def test_offsets_point_into_the_script() -> None:
    for stmt in split(SCRIPT):
        assert SCRIPT[stmt.start : stmt.end] == stmt.text
        assert stmt.end <= stmt.region_end


def test_comment_only_pieces_are_not_statements() -> None:
    assert split("-- nothing\n/* here */;  ;\n") == []
    assert [s.text for s in split("select 1; -- bye")] == ["select 1"]


def test_each_statement_runs_in_duckdb() -> None:
    con = duckdb.connect()
    con.execute('create table t (x varchar, "odd;name" int)')
    for stmt in split(SCRIPT):
        con.execute(stmt.text)


def test_an_unfinished_string_keeps_the_rest_in_the_last_statement() -> None:
    texts = [s.text for s in split("select 1; select 'open; select 2")]
    assert texts == ["select 1", "select 'open; select 2"]


def test_statement_under_the_cursor() -> None:
    sql = "select 1;  -- one\n\nselect 2\n  from t;\nselect 3"
    at = {
        0: "select 1",
        5: "select 1",
        sql.index(";") + 1: "select 1",  # right after the semicolon
        sql.index("-- one") + 3: "select 1",  # in the comment on its line
        sql.index("\n\n") + 1: "select 2\n  from t",  # on the blank line: the next one
        sql.index("from"): "select 2\n  from t",
        len(sql): "select 3",
    }
    for cursor, expected in at.items():
        found = statement_at(sql, cursor)
        assert found is not None
        assert found.text == expected, cursor


def test_statement_at_with_no_statement() -> None:
    assert statement_at("", 0) is None
    assert statement_at("-- only a comment", 5) is None


def test_trailing_blank_lines_belong_to_the_last_statement() -> None:
    sql = "select 1;\nselect 2;\n\n\n"
    found = statement_at(sql, len(sql))
    assert found is not None
    assert found.text == "select 2"


def test_the_locator_agrees_with_a_full_split_while_the_text_changes() -> None:
    import random

    from aiser_desktop.core.sql.statements import StatementLocator

    rng = random.Random(7)
    pieces = ["select 1", "select 'a;b'", "-- c;\n", "\n\n", "select $$x;$$ ", "/* ; */", ";", " "]
    locator = StatementLocator()
    text = "select 0;\n" * 300
    for _ in range(60):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(pieces) + text[at:]
        for cursor in (at, rng.randrange(len(text) + 1), len(text)):
            assert locator.statement_at(text, cursor) == statement_at(text, cursor), cursor


def test_the_locator_looks_past_empty_statements() -> None:
    from aiser_desktop.core.sql.statements import StatementLocator

    for text in ("select 1; ; ; ;  ", "select 1;;;;; select 2", "select 1;\n;\n;\n;\n"):
        for cursor in range(len(text) + 1):
            expected = statement_at(text, cursor)
            assert StatementLocator().statement_at(text, cursor) == expected, (text, cursor)


def test_the_locator_lexes_only_near_the_cursor() -> None:
    import time

    from aiser_desktop.core.sql.statements import StatementLocator

    text = "select 1 from t where a = 'x;y';\n" * 20_000  # 660 KB
    locator = StatementLocator()
    locator.statement_at(text, len(text) - 5)  # the first call lexes up to the cursor
    edited = text[:-10] + " and b = 2;\n"
    start = time.perf_counter()
    found = locator.statement_at(edited, len(edited) - 3)
    took = time.perf_counter() - start
    assert found is not None
    assert found.text.endswith("and b = 2")
    assert took < 0.05
