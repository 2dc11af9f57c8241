"""Every chart kind's SQL against answers worked out by hand on a five-row table."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from aiser_desktop.core.charts.data import chart_sql, fetch_chart_data
from aiser_desktop.core.charts.spec import ChartFilter, ChartSpec
from aiser_desktop.core.engine import Engine
from aiser_desktop.core.errors import AiserError, QueryCancelledError

SALES = """
SELECT * FROM (VALUES
    ('north', 'apples', 10, DATE '2024-01-01'),
    ('north', 'pears', 5, DATE '2024-01-02'),
    ('south', 'apples', 7, DATE '2024-01-01'),
    ('south', 'pears', 3, DATE '2024-01-03'),
    ('east', 'apples', 1, DATE '2024-01-02')
) AS t(region, product, amount, day)
"""


def rows(engine: Engine, spec: ChartSpec, sql: str = SALES, **kw: object) -> list[dict]:
    return fetch_chart_data(engine, sql, spec, **kw).table.to_pylist()  # type: ignore[arg-type]


def test_bars_sum_per_category_largest_first(engine: Engine) -> None:
    spec = ChartSpec("bar", x="region", y=["amount"], aggregation="sum", sort="desc")
    assert rows(engine, spec) == [
        {"region": "north", "amount": 15},
        {"region": "south", "amount": 10},
        {"region": "east", "amount": 1},
    ]


def test_bars_without_a_sort_follow_x_and_a_limit_says_what_it_dropped(engine: Engine) -> None:
    spec = ChartSpec("bar", x="region", y=["amount"], aggregation="sum")
    assert [r["region"] for r in rows(engine, spec)] == ["east", "north", "south"]
    limited = fetch_chart_data(
        engine, SALES, ChartSpec("bar", x="region", y=["amount"], aggregation="sum", limit=2)
    )
    assert [r["region"] for r in limited.table.to_pylist()] == ["north", "south"]
    assert limited.note == "top 2 of 3 categories" and limited.rows_in == 3


def test_bars_count_rows_when_nothing_is_measured(engine: Engine) -> None:
    data = fetch_chart_data(engine, SALES, ChartSpec("bar", x="region", sort="desc"))
    assert data.spec.y == ["count"] and data.spec.title == "count by region"
    assert data.table.to_pylist()[0] == {"region": "north", "count": 2}
    assert {r["region"]: r["count"] for r in data.table.to_pylist()} == {
        "north": 2,
        "south": 2,
        "east": 1,
    }


def test_stacked_bars_keep_one_row_per_category_and_series(engine: Engine) -> None:
    spec = ChartSpec(
        "bar",
        x="region",
        y=["amount"],
        series="product",
        aggregation="sum",
        sort="desc",
        stacked=True,
    )
    assert rows(engine, spec) == [
        {"region": "north", "product": "apples", "amount": 10},
        {"region": "north", "product": "pears", "amount": 5},
        {"region": "south", "product": "apples", "amount": 7},
        {"region": "south", "product": "pears", "amount": 3},
        {"region": "east", "product": "apples", "amount": 1},
    ]


def test_filters_apply_before_anything_else(engine: Engine) -> None:
    spec = ChartSpec(
        "bar",
        x="region",
        y=["amount"],
        aggregation="sum",
        sort="desc",
        filters=[ChartFilter("region", "!=", "east"), ChartFilter("amount", "between", [4, 10])],
    )
    assert rows(engine, spec) == [
        {"region": "north", "amount": 15},
        {"region": "south", "amount": 7},
    ]
    spec.filters = [
        ChartFilter("product", "in", ["pears"]),
        ChartFilter("day", ">", dt.date(2024, 1, 2)),
    ]
    assert rows(engine, spec) == [{"region": "south", "amount": 3}]


def test_a_pie_gathers_the_smallest_slices_as_other(engine: Engine) -> None:
    data = fetch_chart_data(engine, SALES, ChartSpec("pie", x="region", y=["amount"], limit=2))
    assert data.table.to_pylist() == [
        {"region": "north", "amount": 15},
        {"region": "Other", "amount": 11},
    ]
    assert "Other" in data.note
    whole = rows(engine, ChartSpec("pie", x="product", y=["amount"]))
    assert whole == [{"product": "apples", "amount": 18}, {"product": "pears", "amount": 8}]


def test_a_histogram_with_set_bins_spans_min_to_max(engine: Engine) -> None:
    data = rows(engine, ChartSpec("histogram", x="amount", bins=4))
    assert [(r["bin_start"], r["bin_end"], r["count"]) for r in data] == [
        (1.0, 3.25, 2),
        (3.25, 5.5, 1),
        (5.5, 7.75, 1),
        (7.75, 10.0, 1),
    ]


def test_a_histogram_chooses_round_bins_and_keeps_empty_ones(engine: Engine) -> None:
    data = rows(engine, ChartSpec("histogram", x="i"), "SELECT i FROM range(100) t(i)")
    # Freedman-Diaconis: 2 * IQR / n^(1/3) = 21.3, capped at range / 5 = 19.8, rounded to 20
    assert [(r["bin_start"], r["bin_end"], r["count"]) for r in data] == [
        (0.0, 20.0, 20),
        (20.0, 40.0, 20),
        (40.0, 60.0, 20),
        (60.0, 80.0, 20),
        (80.0, 100.0, 20),
    ]
    gaps = rows(
        engine, ChartSpec("histogram", x="v", bins=3), "SELECT * FROM (VALUES (0), (1), (9)) t(v)"
    )
    assert [r["count"] for r in gaps] == [2, 0, 1]
    with pytest.raises(AiserError, match="number column"):
        rows(engine, ChartSpec("histogram", x="region"))


def test_boxes_give_five_numbers_and_a_count(engine: Engine) -> None:
    assert rows(engine, ChartSpec("box", x="amount")) == [
        {"min": 1, "q1": 3.0, "median": 5.0, "q3": 7.0, "max": 10, "n": 5}
    ]
    grouped = rows(engine, ChartSpec("box", x="region", y=["amount"]))
    assert grouped[1] == {
        "region": "north",
        "min": 5,
        "q1": 6.25,
        "median": 7.5,
        "q3": 8.75,
        "max": 10,
        "n": 2,
    }
    assert [g["region"] for g in grouped] == ["east", "north", "south"]
    # Whiskers stop at the last value within 1.5 box heights; 100 is an outlier, not drawn.
    tukey = rows(engine, ChartSpec("box", x="v"), "SELECT unnest([1,2,3,4,5,6,7,8,9,100]) AS v")
    assert tukey == [{"min": 1, "q1": 3.25, "median": 5.5, "q3": 7.75, "max": 9, "n": 10}]


def test_a_heatmap_has_one_cell_per_pair(engine: Engine) -> None:
    cells = rows(engine, ChartSpec("heatmap", x="region", series="product", y=["amount"]))
    assert {(c["region"], c["product"]): c["amount"] for c in cells} == {
        ("east", "apples"): 1,
        ("north", "apples"): 10,
        ("north", "pears"): 5,
        ("south", "apples"): 7,
        ("south", "pears"): 3,
    }


def test_a_kpi_is_the_total_or_the_latest_against_the_one_before(engine: Engine) -> None:
    total = rows(engine, ChartSpec("kpi", y=["amount"], aggregation="sum"))
    assert total == [{"value": 26.0, "previous": None, "label": "sum of amount"}]
    latest = rows(engine, ChartSpec("kpi", x="day", y=["amount"], aggregation="sum", title="Sales"))
    assert latest == [{"value": 3.0, "previous": 6.0, "label": "Sales"}]


def test_a_line_aggregates_per_x_and_a_zoom_reads_only_its_range(engine: Engine) -> None:
    spec = ChartSpec("line", x="day", y=["amount"], aggregation="sum")
    data = fetch_chart_data(engine, SALES, spec, pixels=100)
    assert [(r["day"], r["amount"]) for r in data.table.to_pylist()] == [
        (dt.date(2024, 1, 1), 17),
        (dt.date(2024, 1, 2), 6),
        (dt.date(2024, 1, 3), 3),
    ]
    assert not data.downsampled and data.rows_in == 3
    zoom = fetch_chart_data(
        engine, SALES, spec, pixels=100, x_range=(dt.date(2024, 1, 2), dt.date(2024, 1, 3))
    )
    assert [r["day"] for r in zoom.table.to_pylist()] == [dt.date(2024, 1, 2), dt.date(2024, 1, 3)]
    assert zoom.x_range == (1704153600.0, 1704240000.0)  # seconds since 1970, UTC


def test_series_and_several_measures_come_in_long_format(engine: Engine) -> None:
    split = rows(engine, ChartSpec("line", x="day", y=["amount"], series="region"), pixels=50)
    assert {"day", "amount", "region"} == set(split[0])
    assert sorted((r["region"], r["amount"]) for r in split if r["region"] == "north") == [
        ("north", 5),
        ("north", 10),
    ]
    two = rows(
        engine,
        ChartSpec("line", x="i", y=["a", "b"]),
        "SELECT i, i * 2 AS a, -i AS b FROM range(5) t(i)",
    )
    assert [(r["i"], r["a"]) for r in two if r["a"] is not None] == [(i, 2 * i) for i in range(5)]
    assert [(r["i"], r["b"]) for r in two if r["b"] is not None] == [(i, -i) for i in range(5)]


def test_a_scatter_keeps_size_and_one_point_per_cell(engine: Engine) -> None:
    sql = "SELECT i % 10 AS x, i % 10 AS y, i AS s FROM range(1000) t(i)"
    data = fetch_chart_data(engine, sql, ChartSpec("scatter", x="x", y=["y"], size="s"), pixels=20)
    assert data.table.num_rows == 10 and data.downsampled and data.rows_in == 1000
    assert data.table.to_pylist()[0] == {"x": 0, "y": 0, "s": 0}


def test_a_spec_that_does_not_fit_the_result_is_refused_by_name(engine: Engine) -> None:
    with pytest.raises(AiserError, match="no column 'nope'"):
        fetch_chart_data(engine, SALES, ChartSpec("bar", x="nope", y=["amount"]))
    with pytest.raises(AiserError, match="needs an x column"):
        fetch_chart_data(engine, SALES, ChartSpec("line", x="day"))
    with pytest.raises(AiserError, match="between"):
        fetch_chart_data(
            engine,
            SALES,
            ChartSpec("bar", x="region", filters=[ChartFilter("amount", "between", 3)]),
        )


def test_chart_sql_is_the_sql_that_runs(engine: Engine) -> None:
    spec = ChartSpec("bar", x="region", y=["amount"], aggregation="sum", sort="desc")
    sql = chart_sql(spec, SALES + "; -- a comment")
    assert engine.execute(sql).table.to_pylist()[0] == {"region": "north", "amount": 15}


def test_a_chart_request_can_be_cancelled(engine: Engine) -> None:
    slow = "SELECT i AS x, i AS y FROM range(3000000000) t(i)"
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    start = time.perf_counter()
    with pytest.raises(QueryCancelledError):
        fetch_chart_data(engine, slow, ChartSpec("line", x="x", y=["y"]), cancel=cancel)
    assert time.perf_counter() - start < 5
    assert rows(engine, ChartSpec("kpi", y=["amount"], aggregation="sum"))[0]["value"] == 26.0
