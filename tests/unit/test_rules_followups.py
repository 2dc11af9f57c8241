"""Follow-ups: a short question refines the last one ("and by month?", "only for 2013",
"what about the top 5?", "and at LGA?"); the earlier plan travels in the turn's details."""

from __future__ import annotations

import pytest

from aiser_desktop.core.agent.types import Interpretation, Refusal, Turn
from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import ask, rows, same_result, shared_workspace


@pytest.fixture(scope="session")
def flights(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("flights", tmp_path_factory, request)


def converse(ws: Workspace, *questions: str) -> list[Interpretation | Refusal]:
    history: list[Turn] = []
    found: list[Interpretation | Refusal] = []
    for question in questions:
        result = ask(ws, question, history)
        found.append(result)
        sql = result.sql if isinstance(result, Interpretation) else None
        interpretation = result if isinstance(result, Interpretation) else None
        history.append(Turn(question, sql, interpretation))
    return found


def test_by_month_then_a_filter(flights: Workspace) -> None:
    _first, by_month, jfk = converse(
        flights, "Average arrival delay by carrier", "and by month?", "only for JFK"
    )
    assert isinstance(by_month, Interpretation) and isinstance(jfk, Interpretation)
    assert by_month.chart is not None and by_month.chart["kind"] == "line"
    reference = (
        "SELECT date_trunc('month', make_date(year, month, day)) m, avg(arr_delay) FROM flights "
        "WHERE origin = 'JFK' GROUP BY m ORDER BY m"
    )
    assert same_result(flights, jfk, reference, ordered=True)
    assert any("refinement" in a for a in jfk.assumptions)


def test_a_new_value_replaces_the_old_one(flights: Workspace) -> None:
    _lax, sfo, jfk = converse(
        flights, "How many flights went to LAX?", "what about SFO?", "and from JFK only?"
    )
    assert isinstance(sfo, Interpretation) and isinstance(jfk, Interpretation)
    assert rows(flights, sfo.sql) == [(13331,)]
    assert rows(flights, jfk.sql) == [(8204,)]  # dest SFO kept, origin JFK added


def test_top_n_and_direction(flights: Workspace) -> None:
    _first, top10, july = converse(
        flights,
        "Top 5 destinations by number of flights",
        "what about the top 10?",
        "only in July",
    )
    assert isinstance(top10, Interpretation) and isinstance(july, Interpretation)
    assert len(rows(flights, top10.sql)) == 10
    reference = (
        "SELECT dest, count(*) n FROM flights WHERE month = 7 GROUP BY dest "
        "ORDER BY n DESC LIMIT 10"
    )
    assert same_result(flights, july, reference, ordered=True)
    _highest, lowest = converse(
        flights, "Which carrier has the highest average arrival delay?", "and the lowest?"
    )
    assert isinstance(lowest, Interpretation)
    assert rows(flights, lowest.sql)[0][0] == "AS"


def test_measure_and_aggregate_changes(flights: Workspace) -> None:
    _first, _by_origin, arrival = converse(
        flights, "Average departure delay in 2013", "and by origin?", "what about arrival delay?"
    )
    assert isinstance(arrival, Interpretation)
    assert "AVG(arr_delay)" in arrival.sql and "GROUP BY origin" in arrival.sql
    _avg, maximum = converse(
        flights, "Average air time by destination for flights from EWR", "what about the maximum?"
    )
    assert isinstance(maximum, Interpretation) and "MAX(air_time)" in maximum.sql
    assert "origin = 'EWR'" in maximum.sql


def test_a_follow_up_without_history_is_a_question_of_its_own(flights: Workspace) -> None:
    alone = ask(flights, "only for JFK")
    assert isinstance(alone, Refusal) and "what to measure" in alone.reason  # nothing to refine
    refused = converse(flights, "How many flights left EWR in 2013?", "Delete them")[1]
    assert isinstance(refused, Refusal) and "only read" in refused.reason
