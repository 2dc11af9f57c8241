"""Highlight spans from sqlglot's tokenizer: kinds, comments, unfinished text, line carry."""

from __future__ import annotations

import itertools

import pytest

from aiser_desktop.core.sql.tokens import highlight, highlight_line, lex


def kinds(sql: str) -> list[tuple[str, str]]:
    return [(sql[s.start : s.end], s.kind) for s in highlight(sql)]


def test_every_kind_in_one_statement() -> None:
    sql = (
        "select o.id, count(*) as n, 'it''s; here' -- why;\n"
        "from orders o where o.total > 1.5e3 and o.code = $code and x = ? /* b; */"
    )
    got = kinds(sql)
    assert ("select", "keyword") in got
    assert ("count", "function") in got
    assert ("'it''s; here'", "string") in got
    assert ("-- why;", "comment") in got
    assert ("/* b; */", "comment") in got
    assert ("1.5e3", "number") in got
    assert ("$code", "parameter") in got
    assert ("?", "parameter") in got
    assert ("orders", "identifier") in got
    assert (">", "operator") in got
    # Nothing inside the string or the comments is a token of its own.
    assert not [t for t, _k in got if t in ("here", "why", "b")]


def test_spans_are_ordered_and_do_not_overlap() -> None:
    sql = "select a, /* x */ 'y' from t -- z\nwhere b in (1, 2)"
    spans = highlight(sql)
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start
    assert all(0 <= s.start < s.end <= len(sql) for s in spans)


def test_keywords_before_a_paren_and_duckdb_functions_named_like_keywords() -> None:
    got = dict(kinds("select left(name, 2), replace(a, 'x', 'y') from t where a in (1)"))
    assert got["left"] == "function"
    assert got["replace"] == "function"
    assert got["in"] == "keyword"


def test_duckdb_strings_and_quoted_names() -> None:
    got = kinds("select $$a;b$$, E'x\\'y', \"Order Date\" from t")
    assert ("$$a;b$$", "string") in got
    assert ("E'x\\'y'", "string") in got
    assert ('"Order Date"', "identifier") in got


def test_explain_argument_is_highlighted_as_sql() -> None:
    # sqlglot keeps EXPLAIN's statement as one string; it must still look like SQL.
    got = kinds("explain analyze select * from t where a = 'x'")
    assert ("explain", "keyword") in got
    assert ("select", "keyword") in got
    assert ("'x'", "string") in got
    assert not [t for t, k in got if k == "string" and "select" in t]


@pytest.mark.parametrize(
    ("sql", "tail", "kind"),
    [
        ("select 'abc", "'abc", "string"),
        ('select "abc', '"abc', "identifier"),
        ("select 1 /* open", "/* open", "comment"),
        ("select $$abc", "$$abc", "string"),
    ],
)
def test_unfinished_text_is_marked_to_the_end(sql: str, tail: str, kind: str) -> None:
    got = kinds(sql)
    assert got[0] == ("select", "keyword")
    assert got[-1] == (tail, kind)


def test_lex_never_raises_on_junk() -> None:
    for junk in ["'", '"', "/*", "$$", "0x", "select 0xZZ", "\\", "@@@", "é€", "\x00"]:
        lex(junk)  # no exception


def test_line_by_line_carries_open_strings_and_comments() -> None:
    lines = ["select 'first", "second' as s, 1 /* note", "still note */ from t"]
    carry = ""
    results = []
    for line in lines:
        spans, carry = highlight_line(line, carry)
        results.append([(line[s.start : s.end], s.kind) for s in spans])
    assert results[0][-1] == ("'first", "string")
    assert results[1][0] == ("second'", "string")
    assert ("1", "number") in results[1]
    assert results[1][-1] == ("/* note", "comment")
    assert results[2][0] == ("still note */", "comment")
    assert ("from", "keyword") in results[2]
    assert carry == ""


def test_line_comment_does_not_carry() -> None:
    spans, carry = highlight_line("select 1 -- note 'x")
    assert carry == ""
    assert spans[-1].kind == "comment"


def test_nested_block_comments_carry_their_depth() -> None:
    _spans, carry = highlight_line("/* a /* b */ still")
    assert carry == "/*"
    spans, carry = highlight_line("end */ select", carry)
    assert carry == ""
    assert [s.kind for s in spans] == ["comment", "keyword"]
