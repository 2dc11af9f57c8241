"""$name parameters: found by the tokenizer, typed from what a person typed, bound by DuckDB."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from aiser_desktop.core.sql.params import ParameterError, bind, find, names, parse_value


def test_parameters_outside_strings_and_comments() -> None:
    sql = "select '$no', $$ $nor $$, $a -- $not\n from t where b = $b and c > $a /* $x */"
    assert names(sql) == ["a", "b"]
    uses = find(sql)
    assert [sql[p.start : p.end] for p in uses] == ["$a", "$b", "$a"]


def test_positional_and_question_marks_are_not_named_parameters() -> None:
    assert names("select $1, ?, $2") == []


def test_keyword_names_are_parameters_too() -> None:
    assert names("select * from t limit $limit") == ["limit"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-7", -7),
        ("3.50", Decimal("3.50")),
        ("true", True),
        ("FALSE", False),
        ("null", None),
        ("'42'", "42"),
        ("'it''s'", "it's"),
        ("2024-01-31", "2024-01-31"),
        ("north", "north"),
        ("", ""),
    ],
)
def test_values_are_typed(text: str, value: object) -> None:
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


def test_bound_values_reach_duckdb() -> None:
    con = duckdb.connect()
    con.execute("create table t (region varchar, amount decimal(10,2), sold date)")
    con.execute("insert into t values ('north', 10.5, '2024-01-03'), ('south', 3, '2024-02-01')")
    sql = "select region from t where amount >= $min and sold < $before and region <> $skip"
    typed = {"min": parse_value("3.00"), "before": parse_value("2024-03-01"), "skip": "x"}
    params = bind(sql, {**typed, "unused": 1})
    assert set(params) == {"min", "before", "skip"}
    assert sorted(con.execute(sql, params).fetchall()) == [("north",), ("south",)]


def test_a_missing_value_names_the_parameter() -> None:
    with pytest.raises(ParameterError) as err:
        bind("select $a, $b, $c", {"a": 1})
    assert "$b, $c" in str(err.value)
    assert err.value.hint
