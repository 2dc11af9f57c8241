"""Preferences and business terms read from what a person says, without a model; questions
are never taken for statements; rephrased questions meet, different ones do not."""

from __future__ import annotations

import pytest

from aiser_desktop.core.agent.memory import read_statement
from aiser_desktop.core.agent.memory.recall import same_question


@pytest.mark.parametrize(
    ("said", "month"),
    [
        ("Our fiscal year starts in April", 4),
        ("our financial year begins on 1 July.", 7),
        ("FY starts in October", 10),
        ("Remember that the fiscal year starts in Sept", 9),
        ("Our fiscal year is the calendar year", 1),
    ],
)
def test_a_stated_fiscal_year_is_learned(said: str, month: int) -> None:
    learned = read_statement(said)
    assert learned is not None
    assert learned.preferences == {"fiscal_year_start": str(month)}
    assert learned.reply.startswith("Noted")


@pytest.mark.parametrize(
    ("said", "key", "value"),
    [
        ("use euros", "currency", "EUR"),
        ("Amounts are in GBP", "currency", "GBP"),
        ("use metric units", "units", "metric"),
        ("show distances in miles", "units", "imperial"),
        ("I prefer bar charts", "chart_kind", "bar"),
        ("always use line charts", "chart_kind", "line"),
        ("By default, exclude cancelled flights", "default_filter", "exclude cancelled flights"),
    ],
)
def test_preferences_are_learned(said: str, key: str, value: str) -> None:
    learned = read_statement(said)
    assert learned is not None and learned.preferences == {key: value}


def test_a_correction_replaces_and_says_so() -> None:
    learned = read_statement("No, our fiscal year starts in July")
    assert learned is not None
    assert learned.correction and learned.preferences == {"fiscal_year_start": "7"}


@pytest.mark.parametrize(
    ("said", "term", "definition"),
    [
        ("revenue means sum(price*qty)", "revenue", "sum(price*qty)"),
        (
            "active customer: ordered in the last 90 days",
            "active customer",
            "ordered in the last 90 days",
        ),
        ("Define lateness as avg(arr_delay + dep_delay)", "lateness", "avg(arr_delay + dep_delay)"),
        ("by long flight I mean distance > 1000", "long flight", "distance > 1000"),
    ],
)
def test_glossary_terms_are_learned(said: str, term: str, definition: str) -> None:
    learned = read_statement(said)
    assert learned is not None and learned.terms == ((term, definition),)


@pytest.mark.parametrize(
    "question",
    [
        "How many flights were there this year?",
        "what does revenue mean",
        "average delay by carrier",
        "flights in the fiscal year?",
        "total revenue means what",
        "which carrier has the most flights",
        "Is our fiscal year starting in April",
        "top 5 destinations from JFK",
        "Flights: by carrier",
        "delays: per month in 2013",
    ],
)
def test_questions_are_not_statements(question: str) -> None:
    assert read_statement(question) is None


def test_rephrased_questions_meet_and_different_ones_do_not() -> None:
    assert same_question("How many flights were there in 2013?", "number of flights in 2013")
    assert same_question("average delay per carrier", "mean delay for each carrier")
    assert not same_question("number of flights in 2013", "number of flights in 2014")
    assert not same_question("average delay by carrier", "total delay by carrier")
    assert not same_question("flights from JFK", "flights to JFK")
