"""The rules interpreter on the sample workspace: each kind of question it covers, checked by
running its SQL on the real data against a reference query written by hand."""

from __future__ import annotations

import pytest

from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import answer, rows, same_result, shared_workspace, single_select


@pytest.fixture(scope="session")
def flights(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("flights", tmp_path_factory, request)


MONTHLY = "date_trunc('month', make_date(year, month, day))"

CASES = [
    # totals, averages, counts, min/max
    ("How many flights are there?", "SELECT count(*) FROM flights", "kpi"),
    ("total distance flown by DL", "SELECT sum(distance) FROM flights WHERE carrier = 'DL'", "kpi"),
    ("What is the average departure delay?", "SELECT avg(dep_delay) FROM flights", "kpi"),
    ("maximum temperature at LGA", "SELECT max(temp) FROM weather WHERE origin = 'LGA'", "kpi"),
    ("What is the shortest air time?", "SELECT min(air_time) FROM flights", "kpi"),
    ("How many different destinations are there?", "SELECT count(DISTINCT dest) FROM flights",
     "kpi"),
    ("How many airlines are there?", "SELECT count(*) FROM airlines", "kpi"),
    # breakdowns by a category
    ("Average arrival delay by carrier",
     "SELECT carrier, avg(arr_delay) FROM flights GROUP BY carrier", "bar"),
    ("Number of planes per manufacturer",
     "SELECT manufacturer, count(*) FROM planes GROUP BY manufacturer", "bar"),
    ("Average arrival delay by origin and carrier",
     "SELECT origin, carrier, avg(arr_delay) FROM flights GROUP BY ALL", "bar"),
    # top and bottom N
    ("Top 5 destinations by number of flights",
     "SELECT dest, count(*) n FROM flights GROUP BY dest ORDER BY n DESC LIMIT 5", "bar"),
    ("Bottom 3 carriers by number of flights",
     "SELECT carrier, count(*) n FROM flights GROUP BY carrier ORDER BY n LIMIT 3", "bar"),
    ("Which carrier has the highest average departure delay?",
     "SELECT carrier FROM flights GROUP BY carrier ORDER BY avg(dep_delay) DESC LIMIT 1", "bar"),
    ("Which destination from LGA has the highest average arrival delay?",
     "SELECT dest FROM flights WHERE origin = 'LGA' GROUP BY dest "
     "ORDER BY avg(arr_delay) DESC NULLS LAST LIMIT 1", "bar"),
    ("Which 5 planes flew the most miles?",
     "SELECT tailnum, sum(distance) s FROM flights WHERE tailnum IS NOT NULL GROUP BY tailnum "
     "ORDER BY s DESC LIMIT 5", "bar"),
    # trends by day, week, month, quarter, year
    ("Daily flight count in July",
     "SELECT make_date(year, month, day) d, count(*) FROM flights WHERE month = 7 GROUP BY d "
     "ORDER BY d", "line"),
    ("Weekly number of flights from JFK",
     "SELECT date_trunc('week', make_date(year, month, day)) w, count(*) FROM flights "
     "WHERE origin = 'JFK' GROUP BY w ORDER BY w", "line"),
    ("Monthly average departure delay",
     f"SELECT {MONTHLY} m, avg(dep_delay) FROM flights GROUP BY m ORDER BY m", "line"),
    ("Quarterly total distance",
     "SELECT date_trunc('quarter', make_date(year, month, day)) q, sum(distance) FROM flights "
     "GROUP BY q ORDER BY q", "line"),
    ("Number of flights per year", "SELECT DATE '2013-01-01', count(*) FROM flights", "line"),
    # periods compared
    ("Compare the average departure delay in January and July",
     "SELECT avg(dep_delay) FROM flights WHERE month IN (1, 7) GROUP BY month ORDER BY month",
     "bar"),
    ("JFK vs LGA average departure delay",
     "SELECT origin, avg(dep_delay) FROM flights WHERE origin IN ('JFK', 'LGA') GROUP BY origin",
     "bar"),
    # filters on values present in the data
    ("How many flights departed from JFK in 2013?",
     "SELECT count(*) FROM flights WHERE origin = 'JFK'", "kpi"),
    ("Average departure delay where carrier is UA",
     "SELECT avg(dep_delay) FROM flights WHERE carrier = 'UA'", "kpi"),
    ("Number of flights from LGA in July",
     "SELECT count(*) FROM flights WHERE origin = 'LGA' AND month = 7", "kpi"),
    ("How many flights had an arrival delay of more than 60 minutes?",
     "SELECT count(*) FROM flights WHERE arr_delay > 60", "kpi"),
    ("Average temperature at LGA between March and May",
     "SELECT avg(temp) FROM weather WHERE origin = 'LGA' AND month BETWEEN 3 AND 5", "kpi"),
    # a related table's column or value (joins)
    ("Average departure delay by airline name",
     "SELECT a.name, avg(dep_delay) FROM flights f JOIN airlines a USING (carrier) "
     "GROUP BY a.name", "bar"),
    ("How many flights did JetBlue Airways operate?",
     "SELECT count(*) FROM flights WHERE carrier = 'B6'", "kpi"),
    ("Number of flights to each destination time zone",
     "SELECT a.tzone, count(*) FROM flights f JOIN airports a ON f.dest = a.faa "
     "GROUP BY a.tzone", "bar"),
    ("Average air time of flights on planes with more than 300 seats",
     "SELECT avg(air_time) FROM flights f JOIN planes p USING (tailnum) WHERE p.seats > 300",
     "kpi"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "reference", "chart"), CASES)
def test_questions_get_the_reference_answer(
    flights: Workspace, question: str, reference: str, chart: str
) -> None:
    found = answer(flights, question)
    assert single_select(found.sql), found.sql
    ordered = "ORDER BY" in reference.upper() and "GROUP BY ALL" not in reference
    assert same_result(flights, found, reference, ordered=ordered), found.sql
    assert found.chart is not None and found.chart["kind"] == chart
    assert 0.0 < found.confidence <= 1.0 and found.explanation


def test_a_month_is_read_from_the_data_calendar(flights: Workspace) -> None:
    """flights keeps year/month/day (New York time) and time_hour (UTC): 88 flights of
    31 December are in January 2014 by time_hour, so months come from the parts."""
    found = answer(flights, "Number of flights per month")
    assert "make_date" in found.sql.lower() and "time_hour" not in found.sql
    assert len(rows(flights, found.sql)) == 12


def test_assumptions_and_confidence_are_said(flights: Workspace) -> None:
    plain = answer(flights, "Average arrival delay by carrier")
    assert plain.assumptions == ()
    guessed = answer(flights, "distance by carrier")  # no aggregate named
    assert any("averaged" in a or "added up" in a for a in guessed.assumptions)
    assert guessed.confidence < plain.confidence
    partial = answer(flights, "How many flights went to Honolulu?")
    assert any("Honolulu Intl" in a for a in partial.assumptions)
    assert rows(flights, partial.sql) == [(707,)]


def test_details_hold_the_plan_for_follow_ups(flights: Workspace) -> None:
    found = answer(flights, "Top 3 origins by total distance in July")
    plan = found.details["plan"]
    assert plan["table"] == "flights" and plan["limit"] == 3 and plan["order"] == "desc"
    assert plan["measures"][0] == {
        "agg": "sum",
        "column": {"table": "flights", "column": "distance", "path": ()},
    }
    assert plan["period"]["months"] == (7,)
    assert found.details["columns"] == ["origin", "sum_distance"]


def test_listings_and_shares(flights: Workspace) -> None:
    listing = answer(flights, "Which airports are in the America/Chicago time zone?")
    assert same_result(
        flights,
        listing,
        "SELECT faa FROM airports WHERE tzone = 'America/Chicago'",
        ordered=False,
    )
    highest = answer(flights, "Which airport has the highest altitude?")
    assert rows(flights, highest.sql)[0][0] == "TEX"
    share = answer(flights, "What share of flights departed from EWR?")
    value = rows(flights, share.sql)[0][0]
    assert value == pytest.approx(100.0 * 120835 / 336776)
