"""Periods and grains read from questions, and made concrete against the data's dates."""

from __future__ import annotations

from datetime import date

from aiser_desktop.core.agent.rules.periods import Period, combine, materialize, spread_years
from aiser_desktop.core.agent.rules.timeparse import parse_time
from aiser_desktop.core.agent.schema_index import tokenize


def read(question: str):  # type: ignore[no-untyped-def]
    return parse_time([w.lower() for w in tokenize(question)])


def test_named_periods() -> None:
    (july4,) = read("flights on July 4th").periods
    assert (july4.months, july4.day, july4.years) == ((7,), 4, ())
    (iso,) = read("on 2013-12-25").periods
    assert (iso.years, iso.months, iso.day) == ((2013,), (12,), 25)
    (q1,) = read("in Q1 2024").periods
    assert (q1.years, q1.months) == ((2024,), (1, 2, 3))
    (q4,) = read("in the fourth quarter").periods
    assert q4.months == (10, 11, 12)
    (half,) = read("the first half of 2013").periods
    assert (half.years, half.months) == ((2013,), (1, 2, 3, 4, 5, 6))
    (summer,) = read("in the summer of 2013").periods
    assert (summer.years, summer.months) == ((2013,), (6, 7, 8))
    assert read("December 2013").periods[0].label == "December 2013"


def test_numbers_that_are_not_years() -> None:
    assert read("flights over 2000 miles").periods == []
    assert read("top 2000 customers").periods == []
    assert read("may I see delays").periods == []  # "may" is a verb here


def test_ranges_lists_and_comparisons() -> None:
    spring = read("between March and May")
    assert combine(spring.periods, spring.link) == Period((), (3, 4, 5), label="March to May")
    both = read("in January and July")
    assert combine(both.periods, both.link).months == (1, 7)  # type: ignore[union-attr]
    versus = read("Q1 vs Q2 2024")
    assert versus.compare and [p.months for p in versus.periods] == [(1, 2, 3), (4, 5, 6)]
    assert [p.years for p in spread_years(versus.periods)] == [(2024,), (2024,)]
    assert read("in March compared with September").compare


def test_grains() -> None:
    assert read("number of flights per month").grain == "month"
    assert read("daily average temperature").grain == "day"
    which = read("which day had the highest delay")
    assert which.grain == "day" and which.which
    assert read("busiest day of the week").grain == "weekday"
    assert read("average delay by hour of day").grain == "hour"
    assert read("the trend over time").trend


def test_periods_relative_to_the_data() -> None:
    first, last = date(2023, 1, 1), date(2024, 12, 31)
    (summer,) = read("last summer").periods
    concrete, note = materialize(summer, first, last)
    assert (concrete.years, concrete.months) == ((2024,), (6, 7, 8)) and "2024" in note
    (since,) = read("since October").periods
    concrete, _note = materialize(since, date(2013, 1, 1), date(2013, 12, 31))
    assert concrete.start == "2013-10-01"
    concrete, _note = materialize(since, first, date(2024, 3, 31))
    assert concrete.start == "2023-10-01"  # the latest October that has begun
    (last_month,) = read("last month").periods
    concrete, _note = materialize(last_month, first, date(2024, 3, 15))
    assert (concrete.years, concrete.months) == ((2024,), (2,))
    (days,) = read("the last 30 days").periods
    concrete, _note = materialize(days, first, last)
    assert (concrete.start, concrete.end) == ("2024-12-02", "2025-01-01")
