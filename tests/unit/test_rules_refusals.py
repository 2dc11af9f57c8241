"""The rules refuse plainly rather than guess: changes to data, words the data does not
have, ambiguous words, periods outside the data, predictions and opinions. What they answer
is always one SELECT, with the question's words as quoted literals."""

from __future__ import annotations

import pytest

from aiser_desktop.core.agent.types import Interpretation, Refusal
from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import ask, rows, shared_workspace, single_select


@pytest.fixture(scope="session")
def flights(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("flights", tmp_path_factory, request)


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("Delete all flights from EWR", "only read"),
        ("Drop the weather table", "only read"),
        ("please update the name of carrier UA to United", "only read"),
        ("Set every arrival delay to zero", "only read"),
        ("insert into airlines values ('ZZ', 'Aiser Air')", "only read"),
        ("What is the total revenue by carrier?", "revenue"),
        ("How many passengers flew to LAX?", "passengers"),
        ("How many flights went to Paris?", "Paris"),
        ("Which pilot flew the most flights?", "pilot"),
        ("What is the average ticket price from JFK?", "ticket"),
        ("Average delay by carrier", "arr_delay"),  # departure or arrival: asks which
        ("How many flights were there in 2019?", "2013-01-01 to 2013-12-31"),
        ("What's the average altitude of planes?", "cannot relate"),
        ("Average delay of flights to ORD", "arr_delay"),
        ("What will the average departure delay be next month?", "predict"),
        ("Why are flights delayed?", "not causes"),
        ("Tell me a joke", "not causes"),
        ("", "Ask a question"),
    ],
)
def test_refusals_say_why(flights: Workspace, question: str, said: str) -> None:
    found = ask(flights, question)
    assert isinstance(found, Refusal), getattr(found, "sql", found)
    assert said in found.reason + " ".join(found.suggestions)


def test_ambiguity_comes_with_suggestions(flights: Workspace) -> None:
    found = ask(flights, "Average delay by carrier")
    assert isinstance(found, Refusal)
    assert any("dep delay" in s for s in found.suggestions)
    assert any("arr delay" in s for s in found.suggestions)


@pytest.mark.parametrize(
    "question",
    [
        "How many flights went to 'JFK'; DROP TABLE flights; --",
        "flights where carrier is UA' OR '1'='1",
        'average distance for carrier "); DELETE FROM flights; --',
    ],
)
def test_hostile_words_never_become_sql(flights: Workspace, question: str) -> None:
    found = ask(flights, question)
    if isinstance(found, Interpretation):
        assert single_select(found.sql), found.sql
        assert "DROP" not in found.sql.upper() and "DELETE" not in found.sql.upper()
        rows(flights, found.sql)
    assert rows(flights, "SELECT count(*) FROM flights") == [(336776,)]


def test_a_value_with_a_quote_is_an_escaped_literal(flights: Workspace) -> None:
    # airports has "Martha\\'s Vineyard"-like names; a listing by a quoted name stays valid
    found = ask(flights, "How many airports are in the America/Chicago time zone?")
    assert isinstance(found, Interpretation)
    assert "'America/Chicago'" in found.sql and rows(flights, found.sql) == [(342,)]
