"""The chart a result asks for: each case of recommend()'s table, on small Arrow results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from aiser_desktop.core.charts.recommend import recommend
from aiser_desktop.core.charts.spec import ChartSpec

DAYS = [dt.date(2024, 1, d) for d in range(1, 11)]


def best(columns: dict[str, list[Any]]) -> ChartSpec | None:
    table = pa.table(columns)
    found = recommend(table.schema, table)
    for spec in found:
        spec.validate([*table.schema.names, "count"])
    return found[0] if found else None


def kinds(columns: dict[str, list[Any]]) -> list[str]:
    table = pa.table(columns)
    return [s.kind for s in recommend(table.schema, table)]


CASES: list[tuple[str, dict[str, list[Any]], dict[str, Any] | None]] = [
    ("no rows", {"a": pa.array([], pa.int64())}, None),
    ("one number", {"total": [42]}, {"kind": "kpi", "y": ["total"]}),
    (
        "time and a measure: line",
        {"day": DAYS, "sales": list(range(10))},
        {"kind": "line", "x": "day", "y": ["sales"]},
    ),
    (
        "time and three measures",
        {"day": DAYS, "a": [1.0] * 10, "b": [2.0] * 10, "c": [3] * 10},
        {"kind": "line", "x": "day", "y": ["a", "b", "c"]},
    ),
    (
        "a year as an integer is time",
        {"year": list(range(2000, 2010)), "n": list(range(10))},
        {"kind": "line", "x": "year", "y": ["n"]},
    ),
    (
        "time, a few categories, a measure: a line each",
        {"day": DAYS * 2, "carrier": ["AA"] * 10 + ["BB"] * 10, "n": list(range(20))},
        {"kind": "line", "x": "day", "y": ["n"], "series": "carrier"},
    ),
    (
        "time only: rows over time",
        {"day": DAYS},
        {"kind": "line", "x": "day", "aggregation": "count"},
    ),
    (
        "category and measure: sorted bar",
        {"carrier": ["AA", "BB", "CC"], "delay": [3.0, 9.0, 1.0]},
        {"kind": "bar", "x": "carrier", "y": ["delay"], "sort": "desc"},
    ),
    (
        "a category that repeats is summed",
        {"region": ["n", "s", "n", "e"], "amount": [1, 2, 3, 4]},
        {"kind": "bar", "x": "region", "y": ["amount"], "aggregation": "sum", "sort": "desc"},
    ),
    (
        "long labels lie down",
        {"airport": ["John F Kennedy International", "LaGuardia Airport New York"], "n": [5, 3]},
        {"kind": "bar", "x": "airport", "y": ["n"], "sort": "desc", "horizontal": True},
    ),
    (
        "few shares: pie",
        {"segment": ["a", "b", "c"], "share_pct": [50.0, 30.0, 20.0]},
        {"kind": "pie", "x": "segment", "y": ["share_pct"]},
    ),
    (
        "two categories and a measure: heatmap",
        {"origin": ["JFK", "JFK", "LGA"], "carrier": ["AA", "BB", "AA"], "n": [1, 2, 3]},
        {"kind": "heatmap", "x": "origin", "series": "carrier", "y": ["n"], "aggregation": "sum"},
    ),
    (
        "a category alone: counted",
        {"city": ["a", "b", "a"]},
        {"kind": "bar", "x": "city", "aggregation": "count", "sort": "desc"},
    ),
    (
        "two measures: scatter",
        {"dist": [5.0, 1.0, 3.0], "delay": [1.0, 2.0, 0.5]},
        {"kind": "scatter", "x": "dist", "y": ["delay"]},
    ),
    (
        "three measures: sized scatter",
        {"dist": [5.0, 1.0, 3.0], "delay": [1.0, 2.0, 0.5], "seats": [100, 50, 70]},
        {"kind": "scatter", "x": "dist", "y": ["delay"], "size": "seats"},
    ),
    (
        "a first number that counts up: line",
        {"step": [1, 2, 3, 4], "loss": [0.9, 0.5, 0.4, 0.3]},
        {"kind": "line", "x": "step", "y": ["loss"]},
    ),
    (
        "one measure: histogram",
        {"delay": [1.0, 5.0, 2.0, 8.0]},
        {"kind": "histogram", "x": "delay"},
    ),
    (
        "identifiers are not measures",
        {"flight_id": [1, 2, 3], "delay": [1.0, 5.0, 2.0]},
        {"kind": "histogram", "x": "delay"},
    ),
    (
        "text only, every value distinct: a table says it better",
        {"name": ["a", "b"], "city": ["x", "y"]},
        None,
    ),
]


@pytest.mark.parametrize(("case", "columns", "expected"), CASES, ids=[c[0] for c in CASES])
def test_recommend_chooses_the_chart_the_result_asks_for(
    case: str, columns: dict[str, list[Any]], expected: dict[str, Any] | None
) -> None:
    found = best(columns)
    assert (found.to_dict() if found else None) == expected


def test_the_alternatives_are_one_click_away() -> None:
    assert kinds({"day": DAYS, "sales": list(range(10))}) == ["line", "area", "bar", "kpi"]
    assert kinds({"carrier": ["AA", "BB", "CC"], "delay": [3.0, 9.0, 1.0]}) == ["bar", "pie"]
    assert kinds({"region": ["n", "s", "n"], "amount": [1, 2, 3]}) == ["bar", "pie", "box"]
    assert kinds({"delay": [1.0, 5.0]}) == ["histogram", "box"]
