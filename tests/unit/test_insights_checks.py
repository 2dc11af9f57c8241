"""Each insight check on a small crafted table with one planted problem, and on a clean table
(no false alarm): duplicate keys and rows, missing keys, negative ages, future dates, broken
foreign keys, outliers, spikes and level shifts; and the trend, the forecast's intervals on a
known seasonal series, and the driver of a change between two periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import numpy as np
import pytest

from aiser_desktop.core.errors import AiserError
from aiser_desktop.core.insights.anomalies import find_level_shifts, find_spikes, value_anomalies
from aiser_desktop.core.insights.forecast import forecast
from aiser_desktop.core.insights.profile_table import profile_table
from aiser_desktop.core.insights.quality import data_quality
from aiser_desktop.core.insights.segments import compare_segments
from aiser_desktop.core.insights.series import Series, time_series
from aiser_desktop.core.insights.trend import trend
from aiser_desktop.core.sources.catalog import ColumnInfo, ForeignKeyInfo, TableInfo

TODAY = dt.date(2024, 6, 30)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    # a clean table: 200 people, unique ids, ages 18-77, birthdays in the past
    connection.execute(
        "CREATE TABLE people AS SELECT i AS id, 'p' || i AS name, 18 + i % 60 AS age, "
        "DATE '1950-01-01' + to_days(CAST(i * 97 AS INTEGER)) AS born, i % 5 AS team_id "
        "FROM range(200) t(i)"
    )
    connection.execute(
        "CREATE TABLE teams AS SELECT i AS team_id, 't' || i AS label FROM range(5) t(i)"
    )
    try:
        yield connection
    finally:
        connection.close()


def issues(report: object, check: str) -> list[object]:
    return [i for i in report.issues if i.check == check]  # type: ignore[attr-defined]


def table_info(con: duckdb.DuckDBPyConnection, name: str, **keys: object) -> TableInfo:
    columns = tuple(
        ColumnInfo(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {name}").fetchall()
    )
    rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
    return TableInfo(name, "", int(rows), columns, **keys)  # type: ignore[arg-type]


def test_a_clean_table_raises_no_alarm(con: duckdb.DuckDBPyConnection) -> None:
    others = [table_info(con, "teams", primary_key=("team_id",))]
    report = data_quality(con, "people", info=table_info(con, "people"), others=others, today=TODAY)
    assert report.issues == ()
    assert report.screened == "all 200 rows"


def test_a_duplicate_key_is_found_and_counted(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO people VALUES (7, 'again', 30, DATE '1990-01-01', 1)")
    report = data_quality(con, "people", today=TODAY)
    [found] = issues(report, "duplicate_keys")
    assert (found.column, found.count, found.examples[0]) == ("id", 1, 7)
    assert con.execute(found.sql).fetchone()[0] == 1  # the SQL gives the same number


def test_a_missing_key_is_found(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO people VALUES (NULL, 'nobody', 30, DATE '1990-01-01', 1)")
    [found] = issues(data_quality(con, "people", today=TODAY), "missing_keys")
    assert (found.column, found.count) == ("id", 1)


def test_duplicate_rows_are_counted(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO people SELECT * FROM people WHERE id IN (3, 4)")
    report = data_quality(con, "people", today=TODAY)
    assert [i.count for i in issues(report, "duplicate_rows")] == [2]
    assert [i.count for i in issues(report, "duplicate_keys")] == [2]


def test_a_negative_age_is_impossible(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO people VALUES (900, 'young', -4, DATE '1990-01-01', 1)")
    [found] = issues(data_quality(con, "people", today=TODAY), "negative")
    assert (found.column, found.count, found.severity, found.examples) == ("age", 1, "error", (-4,))


def test_a_future_date_is_impossible_unless_the_name_says_so(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("INSERT INTO people VALUES (900, 'later', 30, DATE '2031-05-01', 1)")
    con.execute("CREATE TABLE tasks AS SELECT DATE '2031-05-01' AS due_date, 1 AS n")
    [found] = issues(data_quality(con, "people", today=TODAY), "future_dates")
    assert (found.column, found.count) == ("born", 1)
    assert not issues(data_quality(con, "tasks", today=TODAY), "future_dates")


def test_a_broken_foreign_key_is_found_declared_or_inferred(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("INSERT INTO people VALUES (900, 'lost', 30, DATE '1990-01-01', 42)")
    teams = table_info(con, "teams", primary_key=("team_id",))
    declared = table_info(
        con, "people", foreign_keys=(ForeignKeyInfo(("team_id",), "teams", ("team_id",)),)
    )
    [found] = issues(
        data_quality(con, "people", info=declared, others=[teams], today=TODAY),
        "broken_foreign_key",
    )
    assert (found.column, found.count, found.severity, found.examples) == (
        "team_id", 1, "error", (42,),
    )  # fmt: skip
    # the same link found from the names alone (teams.team_id is unique), as a warning
    [inferred] = issues(
        data_quality(con, "people", others=[table_info(con, "teams")], today=TODAY),
        "broken_foreign_key",
    )
    assert (inferred.count, inferred.severity) == (1, "warning")


def test_outliers_beyond_the_far_fences(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE weights AS SELECT 70 + (i % 21) - 10 AS weight_kg FROM range(500) t(i)"
    )
    assert not issues(data_quality(con, "weights", today=TODAY), "outliers")
    con.execute("INSERT INTO weights VALUES (700)")
    [found] = issues(data_quality(con, "weights", today=TODAY), "outliers")
    assert (found.count, found.examples) == (1, (700,))
    found = value_anomalies(con, "weights", "weight_kg")
    assert (found.count, found.examples) == (1, (700,))
    assert value_anomalies(con, "weights", "weight_kg", "iqr").count == 1


def test_value_anomalies_need_a_number(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(AiserError, match="anomalies need numbers"):
        value_anomalies(con, "people", "name")


def test_a_big_table_is_screened_on_a_sample_and_says_so() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE big AS SELECT i AS id, i % 7 AS qty FROM range(1200000) t(i)")
    con.execute("INSERT INTO big VALUES (5, -1)")
    report = data_quality(con, "big", today=TODAY)
    assert report.screened.startswith("a sample of ") and report.screened.endswith(
        " of 1,200,001 rows"
    )
    # the counts themselves are taken on all rows
    assert [(i.check, i.count) for i in report.issues if i.severity == "error"] == [
        ("duplicate_keys", 1), ("negative", 1),
    ]  # fmt: skip
    profile = profile_table(con, "big")
    assert profile.sampled and profile.rows == 1_200_001
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)


# ---------------------------------------------------------------------- time series
def daily(values: np.ndarray) -> Series:
    start = dt.date(2024, 1, 1)
    periods = [start + dt.timedelta(days=i) for i in range(values.size)]
    return Series(periods, values.astype(float), "day", "rows", "", "day", "rows", 7)


def weekly_pattern(n: int = 140, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100 + 15 * (np.arange(n) % 7 >= 5) + rng.normal(0, 3, n)


def test_a_spike_is_found_and_a_clean_series_has_none() -> None:
    clean = weekly_pattern()
    assert find_spikes(daily(clean)) == []
    spiked = clean.copy()
    spiked[90] += 60
    [spike] = find_spikes(daily(spiked))
    assert (spike.index, spike.direction) == (90, "up")
    assert spike.period == dt.date(2024, 3, 31)


def test_a_level_shift_is_found_and_a_clean_series_has_none() -> None:
    clean = weekly_pattern(seed=2)
    assert find_level_shifts(daily(clean)) == []
    shifted = clean.copy()
    shifted[60:] += 30
    [shift] = find_level_shifts(daily(shifted))
    assert abs(shift.index - 60) <= 2 and shift.direction == "up"
    assert shift.value - shift.expected == pytest.approx(30, abs=4)


def test_trend_direction_growth_and_season() -> None:
    rising = weekly_pattern(seed=3) + np.arange(140) * 0.5
    found = trend(daily(rising))
    assert found["direction"] == "up" and found["growth_total_pct"] > 40
    assert found["seasonality"] > 0.4  # the weekend bump
    flat = trend(daily(np.random.default_rng(4).normal(100, 3, 140)))
    assert flat["direction"] == "flat" and flat["seasonality"] < 0.4


def test_the_forecast_intervals_cover_a_known_seasonal_series() -> None:
    covered = total = 0
    for seed in range(8):
        rng = np.random.default_rng(seed)
        t = np.arange(120 + 24)
        y = 50 + 0.2 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1.5, t.size)
        start = dt.date(2010, 1, 1)
        periods = [dt.date(2010 + (start.month - 1 + i) // 12, (i % 12) + 1, 1) for i in range(120)]
        series = Series(periods, y[:120], "month", "rows", "", "month", "rows", 12)
        found = forecast(series, 24)
        future = y[120:]
        for point, actual in zip(found["forecast"], future, strict=True):
            covered += point["low"] <= actual <= point["high"]
            total += 1
        assert found["model"] == "holt_winters"
        assert found["backtest"]["holt_winters"]["mae"] < found["backtest"]["seasonal_naive"]["mae"]
    assert covered / total >= 0.88  # 95 % intervals, over 192 future points
    assert found["forecast"][0]["period"] == dt.date(2020, 1, 1)


def test_a_forecast_needs_enough_history() -> None:
    with pytest.raises(AiserError, match="too few to forecast"):
        forecast(daily(np.arange(10.0)), 7)


def test_a_series_comes_from_sql_with_gaps_filled(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE sales AS SELECT * FROM (VALUES (DATE '2024-01-01', 5), "
        "(DATE '2024-01-01', 1), (DATE '2024-01-03', 2)) t(sold_on, amount)"
    )
    series = time_series(con, "sales", "sold_on", "amount", "sum", "day")
    assert list(series.values) == [6.0, 0.0, 2.0]
    with pytest.raises(AiserError, match="not a date or a time"):
        time_series(con, "sales", "amount")


def test_the_driver_of_a_change_between_two_months(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE orders AS "
        "SELECT DATE '2024-01-05' AS day, 'north' AS region FROM range(40) UNION ALL "
        "SELECT DATE '2024-01-06', 'south' FROM range(20) UNION ALL "
        "SELECT DATE '2024-02-05', 'north' FROM range(70) UNION ALL "
        "SELECT DATE '2024-02-06', 'south' FROM range(15) UNION ALL "
        "SELECT DATE '2024-02-28', 'west' FROM range(3)"
    )
    found = compare_segments(con, "orders", "day", "region")
    assert (found["before"]["value"], found["after"]["value"], found["change"]) == (60, 88, 28)
    assert found["driver"] == "north"
    north = found["segments"][0]
    assert (north["change"], north["share_of_change_pct"]) == (30, pytest.approx(107.14, 0.01))
    assert sum(s["change"] for s in found["segments"]) == 28


def test_the_findings_job_raises_no_alarm_on_a_clean_table(
    con: duckdb.DuckDBPyConnection,
) -> None:
    import datetime as dt

    from aiser_desktop.core.insights.findings import find_findings
    from aiser_desktop.core.sources.catalog import SourceInfo

    people = table_info(con, "people")
    teams = table_info(con, "teams", primary_key=("team_id",))
    source = SourceInfo("people", "csv", "people.csv", dt.datetime.now(dt.UTC), (people,))
    other = SourceInfo("teams", "csv", "teams.csv", dt.datetime.now(dt.UTC), (teams,))
    found = find_findings(con, source, [source, other], today=TODAY)
    assert [f.kind for f in found.findings] == []
    assert found.tables == [{"table": "people", "rows": 200, "read": "all 200 rows"}]
    con.execute("INSERT INTO people VALUES (7, 'again', -1, DATE '2030-01-01', 9)")
    kinds = {f.kind for f in find_findings(con, source, [source, other], today=TODAY).findings}
    assert kinds == {"duplicate_keys", "negative", "future_dates", "broken_foreign_key"}
