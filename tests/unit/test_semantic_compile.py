"""The semantic compiler against answers worked out by hand on the shop of semantic_support.

Each query runs on a real DuckDB engine; the expected rows come from the table in
semantic_support's docstring.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.core.engine import Engine
from aiser_desktop.core.semantic import (
    SemanticModel,
    SemanticQueryError,
    compile_query,
    load_model,
    run_query,
)
from tests.unit.semantic_support import SHOP_SQL, write_shop_model

NOW = datetime(2024, 1, 5, 15, 30)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, SemanticModel]]:
    folder = write_shop_model(tmp_path_factory.mktemp("shop"))
    model, errors = load_model(folder)
    assert errors == []
    engine = Engine()
    engine.execute(SHOP_SQL)
    try:
        yield engine, model
    finally:
        engine.close()


def rows(shop: tuple[Engine, SemanticModel], query: dict[str, Any], now: datetime = NOW) -> list:
    engine, model = shop
    compiled, table = run_query(engine, model, query, now=now)
    assert table.column_names == compiled.columns
    return [tuple(_plain(v) for v in row.values()) for row in table.to_pylist()]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def count(shop: tuple[Engine, SemanticModel], *filters: dict[str, Any], **extra: Any) -> int:
    result = rows(shop, {"measures": ["orders.count"], "filters": list(filters), **extra})
    return int(result[0][0])


# ---------------------------------------------------------------------- fan-out traps
def test_a_many_to_one_join_keeps_each_order_once(shop: Any) -> None:
    # Paris: orders 1, 2, 4, 6 (users 1 and 3) = 100 + 50 + 200 + 10; Lyon: 3 and 5.
    got = rows(shop, {"measures": ["orders.count", "orders.revenue"], "dimensions": ["users.city"]})
    assert got == [("Paris", 4, 360.0), ("Lyon", 2, 50.0)]


def test_orders_are_not_multiplied_by_their_line_items(shop: Any) -> None:
    # A naive join counts order 1 three times: 100*3 + 50 + 30 + 200 + 20 + 10 = 610.
    got = rows(shop, {"measures": ["orders.revenue", "line_items.count", "line_items.quantity"]})
    assert got == [(410.0, 5, 12)]


def test_an_order_counts_once_per_product_it_holds(shop: Any) -> None:
    # ink: orders 1 and 4; pen: 1 and 2; pad: 1; no line items: 3, 5 and 6.
    got = rows(
        shop,
        {
            "measures": ["orders.revenue", "orders.count"],
            "dimensions": ["line_items.product"],
            "order": {"line_items.product": "asc"},
        },
    )
    assert got == [("ink", 300.0, 2), ("pad", 100.0, 1), ("pen", 150.0, 2), (None, 60.0, 3)]


def test_the_one_side_is_not_multiplied_when_split_by_the_many_side(shop: Any) -> None:
    # User 1 has two paid orders: a naive join gives paid = 10 + 10 + 20 = 40; right is 30.
    got = rows(
        shop,
        {
            "measures": ["users.total_credits"],
            "dimensions": ["orders.status"],
            "order": {"orders.status": "asc"},
        },
    )
    assert got == [("new", 30), ("paid", 30), ("refunded", 20), (None, 30)]
    filtered = rows(
        shop,
        {
            "measures": ["users.total_credits"],
            "filters": [{"member": "orders.status", "operator": "equals", "values": ["paid"]}],
        },
    )
    assert filtered == [(30,)]


def test_measures_of_two_cubes_meet_on_the_dimension(shop: Any) -> None:
    got = rows(
        shop,
        {
            "measures": ["users.count", "orders.count"],
            "dimensions": ["users.city"],
            "order": {"users.city": "asc"},
        },
    )
    assert got == [("Lyon", 1, 2), ("Paris", 2, 4)]


# ---------------------------------------------------------------------- time
@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        (
            "hour",
            [
                (datetime(2024, 1, 1, 10), 1),
                (datetime(2024, 1, 2, 11), 1),
                (datetime(2024, 1, 4, 9), 1),
                (datetime(2024, 2, 1, 9), 1),
                (datetime(2024, 4, 15, 12), 1),
                (datetime(2025, 1, 3), 1),
            ],
        ),
        (
            "day",
            [
                (datetime(2024, 1, 1), 1),
                (datetime(2024, 1, 2), 1),
                (datetime(2024, 1, 4), 1),
                (datetime(2024, 2, 1), 1),
                (datetime(2024, 4, 15), 1),
                (datetime(2025, 1, 3), 1),
            ],
        ),
        # Weeks start on Monday: 1 Feb 2024 is a Thursday, 3 Jan 2025 a Friday.
        (
            "week",
            [
                (datetime(2024, 1, 1), 3),
                (datetime(2024, 1, 29), 1),
                (datetime(2024, 4, 15), 1),
                (datetime(2024, 12, 30), 1),
            ],
        ),
        (
            "month",
            [
                (datetime(2024, 1, 1), 3),
                (datetime(2024, 2, 1), 1),
                (datetime(2024, 4, 1), 1),
                (datetime(2025, 1, 1), 1),
            ],
        ),
        (
            "quarter",
            [(datetime(2024, 1, 1), 4), (datetime(2024, 4, 1), 1), (datetime(2025, 1, 1), 1)],
        ),
        ("year", [(datetime(2024, 1, 1), 5), (datetime(2025, 1, 1), 1)]),
    ],
)
def test_each_granularity(shop: Any, granularity: str, expected: list) -> None:
    got = rows(
        shop,
        {
            "measures": ["orders.count"],
            "timeDimensions": [{"dimension": "orders.created_at", "granularity": granularity}],
        },
    )
    assert got == expected
    compiled = compile_query(
        shop[1],
        {
            "measures": ["orders.count"],
            "timeDimensions": [{"dimension": "orders.created_at", "granularity": granularity}],
        },
    )
    assert compiled.columns == [f"orders.created_at.{granularity}", "orders.count"]


@pytest.mark.parametrize(
    ("date_range", "now", "expected"),
    [
        (["2024-01-01", "2024-01-02"], NOW, 2),  # the end day counts whole
        (["2024-01-01T00:00:00", "2024-01-02T10:59:59"], NOW, 1),
        ("2024-01-04", NOW, 1),
        ("today", datetime(2024, 1, 4, 23, 0), 1),
        ("yesterday", NOW, 1),  # 4 January
        ("last 7 days", NOW, 3),  # 29 Dec to 4 Jan: orders 1, 2, 3
        ("this year", datetime(2024, 6, 1), 5),
        ("last year", datetime(2025, 6, 1), 5),
        ("this month", datetime(2024, 2, 10), 1),
        ("last 2 quarters", datetime(2024, 7, 1), 5),
        ("this week", NOW, 3),  # Monday 1 January to Sunday 7 January
        ("from 3 months ago to now", datetime(2024, 5, 1), 2),  # 1 Feb to 1 May
    ],
)
def test_date_ranges_absolute_and_relative(
    shop: Any, date_range: Any, now: datetime, expected: int
) -> None:
    got = rows(
        shop,
        {
            "measures": ["orders.count"],
            "timeDimensions": [{"dimension": "orders.created_at", "dateRange": date_range}],
        },
        now=now,
    )
    assert got == [(expected,)]


def test_a_trailing_rolling_window(shop: Any) -> None:
    # Each day sums the orders of that day and the day before: 1 Jan 100; 2 Jan 100 + 50;
    # 3 Jan 50; 4 Jan 30; 5 Jan 30.
    got = rows(
        shop,
        {
            "measures": ["orders.rolling_revenue"],
            "timeDimensions": [
                {
                    "dimension": "orders.created_at",
                    "granularity": "day",
                    "dateRange": ["2024-01-01", "2024-01-05"],
                }
            ],
        },
    )
    assert [v for _, v in got] == [100.0, 150.0, 50.0, 30.0, 30.0]
    assert got[0][0] == datetime(2024, 1, 1)


def test_an_unbounded_window_counts_everything_before(shop: Any) -> None:
    # Revenue so far at each month's end: Jan 180, Feb 380, Mar 380 (no orders), Apr 400.
    got = rows(
        shop,
        {
            "measures": ["orders.cumulative_revenue", "orders.count"],
            "timeDimensions": [
                {
                    "dimension": "orders.created_at",
                    "granularity": "month",
                    "dateRange": ["2024-01-01", "2024-04-30"],
                }
            ],
        },
    )
    assert got == [
        (datetime(2024, 1, 1), 180.0, 3),
        (datetime(2024, 2, 1), 380.0, 1),
        (datetime(2024, 3, 1), 380.0, None),
        (datetime(2024, 4, 1), 400.0, 1),
    ]


def test_a_leading_window_from_the_start_of_each_bucket(shop: Any) -> None:
    # Each day sums that day and the next: 1 Jan 100 + 50; 2 Jan 50; 3 Jan 30 (the 4th);
    # 4 Jan 30; 5 Jan nothing.
    got = rows(
        shop,
        {
            "measures": ["orders.next_two_days_revenue"],
            "timeDimensions": [
                {
                    "dimension": "orders.created_at",
                    "granularity": "day",
                    "dateRange": ["2024-01-01", "2024-01-05"],
                }
            ],
        },
    )
    assert [v for _, v in got] == [150.0, 50.0, 30.0, 30.0, None]


def test_a_rolling_measure_needs_a_granularity(shop: Any) -> None:
    with pytest.raises(SemanticQueryError, match="granularity"):
        compile_query(shop[1], {"measures": ["orders.rolling_revenue"]})


# ---------------------------------------------------------------------- filters
def f(member: str, operator: str, *values: Any) -> dict[str, Any]:
    return {"member": member, "operator": operator, "values": list(values)}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("orders.status", "equals", "paid"), 3),
        (f("orders.status", "equals", "paid", "new"), 4),
        (f("orders.status", "notEquals", "paid"), 3),  # new, refunded and the NULL one
        (f("orders.status", "contains", "AI"), 3),  # case-insensitive, as in Cube
        (f("orders.status", "notContains", "ai"), 3),
        (f("orders.status", "startsWith", "re"), 1),
        (f("orders.status", "notStartsWith", "re"), 5),
        (f("orders.status", "endsWith", "d"), 4),
        (f("orders.status", "notEndsWith", "d"), 2),
        (f("orders.amount", "gt", "50"), 2),
        (f("orders.amount", "gte", 50), 3),
        (f("orders.amount", "lt", "30"), 2),
        (f("orders.amount", "lte", "30"), 3),
        (f("orders.status", "set"), 5),
        (f("orders.status", "notSet"), 1),
        (f("orders.created_at", "inDateRange", "2024-01-01", "2024-01-02"), 2),
        (f("orders.created_at", "notInDateRange", "2024-01-01", "2024-01-02"), 4),
        (f("orders.created_at", "beforeDate", "2024-01-04"), 2),
        (f("orders.created_at", "beforeOrOnDate", "2024-01-04"), 3),
        (f("orders.created_at", "afterDate", "2024-01-04"), 3),
        (f("orders.created_at", "afterOrOnDate", "2024-01-04"), 4),
        (f("users.city", "equals", "Lyon"), 2),
        ({"or": [f("orders.status", "equals", "new"), f("orders.amount", "gt", "90")]}, 2),
        (
            {
                "and": [
                    f("orders.status", "equals", "paid"),
                    {"or": [f("orders.amount", "lt", "40"), f("orders.amount", "gt", "90")]},
                ]
            },
            2,
        ),
    ],
)
def test_every_filter_operator(shop: Any, flt: dict[str, Any], expected: int) -> None:
    assert count(shop, flt) == expected


def test_a_filter_on_a_measure_applies_after_aggregation(shop: Any) -> None:
    # Revenue by status: paid 180, new 200, refunded 20, NULL 10.
    got = rows(
        shop,
        {
            "measures": ["orders.revenue"],
            "dimensions": ["orders.status"],
            "filters": [f("orders.revenue", "gt", "100")],
        },
    )
    assert got == [("new", 200.0), ("paid", 180.0)]


def test_like_wildcards_in_values_are_literal(shop: Any) -> None:
    assert count(shop, f("orders.status", "contains", "%")) == 0


# ---------------------------------------------------------------------- measures
def test_each_measure_type(shop: Any) -> None:
    got = rows(
        shop,
        {
            "measures": [
                "orders.count",
                "orders.revenue",
                "orders.avg_amount",
                "orders.min_amount",
                "orders.max_amount",
                "orders.customers",
                "orders.customers_approx",
                "orders.paid_revenue",
                "orders.paid_share",
            ]
        },
    )
    (c, total, avg, low, high, customers, approx, paid, share) = got[0]
    assert (c, total, low, high, customers, approx, paid) == (6, 410.0, 10.0, 200.0, 3, 3, 180.0)
    assert avg == pytest.approx(410 / 6)
    assert share == pytest.approx(180 / 410)


def test_segments_restrict_the_rows(shop: Any) -> None:
    assert count(shop, segments=["orders.big"]) == 2  # 100 and 200


def test_a_view_shows_members_of_joined_cubes(shop: Any) -> None:
    got = rows(
        shop,
        {
            "measures": ["orders_view.count", "orders_view.users_people"],
            "dimensions": ["orders_view.users_city"],
        },
    )
    assert got == [("Paris", 4, 2), ("Lyon", 2, 1)]
    with pytest.raises(SemanticQueryError, match="min_amount"):
        compile_query(shop[1], {"measures": ["orders_view.min_amount"]})


def test_order_limit_and_offset(shop: Any) -> None:
    query = {
        "measures": ["orders.revenue"],
        "dimensions": ["orders.status"],
        "order": [["orders.revenue", "asc"]],
        "limit": 2,
    }
    assert rows(shop, query) == [(None, 10.0), ("refunded", 20.0)]
    assert rows(shop, {**query, "offset": 3}) == [("new", 200.0)]


def test_dimensions_alone_list_their_values(shop: Any) -> None:
    got = rows(shop, {"dimensions": ["users.city"], "order": {"users.city": "asc"}})
    assert got == [("Lyon",), ("Paris",)]


# ---------------------------------------------------------------------- mistakes
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"measures": ["orders.revenu"]}, "orders.revenue"),
        ({"measures": ["orders.status"]}, "not a measure"),
        (
            {"measures": ["orders.count"], "filters": [f("orders.status", "like", "x")]},
            "Unknown filter operator",
        ),
        (
            {
                "measures": ["orders.count"],
                "timeDimensions": [{"dimension": "orders.created_at", "granularity": "fortnight"}],
            },
            "fortnight",
        ),
        (
            {
                "measures": ["orders.count"],
                "timeDimensions": [
                    {"dimension": "orders.created_at", "dateRange": "next blue moon"}
                ],
            },
            "blue moon",
        ),
        ({"measures": ["orders.count"], "order": {"orders.revenue": "desc"}}, "does not select"),
        ({"measures": ["orders.count"], "limit": -1}, "limit"),
        ({"measures": ["orders.count"], "ungrouped": True}, "Ungrouped"),
        ({"measures": ["orders.count"], "sort": {}}, "Unknown query key 'sort'"),
    ],
)
def test_mistakes_in_a_query_say_what_to_fix(shop: Any, query: dict, message: str) -> None:
    with pytest.raises(SemanticQueryError, match=message):
        compile_query(shop[1], query)


def test_a_many_side_measure_without_a_primary_key_is_refused(tmp_path: Path) -> None:
    folder = write_shop_model(tmp_path)
    text = (folder / "model/cubes/orders.yml").read_text().replace("primary_key: true", "")
    (folder / "model/cubes/orders.yml").write_text(text)
    model, _ = load_model(folder)
    with pytest.raises(SemanticQueryError, match="primary key"):
        compile_query(model, {"measures": ["orders.count"], "dimensions": ["line_items.product"]})


def test_the_sql_cache_knows_what_now_resolved_a_range_to(shop: Any) -> None:
    """A query seen before comes from the model's SQL cache; a relative range asked on
    another day is compiled again, and gives that day's answer."""
    from aiser_desktop.core.semantic.members import Expander

    model = shop[1]
    cache = Expander.of(model).compiled
    query = {
        "measures": ["orders.count"],
        "timeDimensions": [{"dimension": "orders.created_at", "dateRange": "yesterday"}],
    }
    first = compile_query(model, query, now=NOW)
    size = len(cache)
    assert compile_query(model, query, now=NOW).sql == first.sql and len(cache) == size
    later = compile_query(model, query, now=datetime(2024, 1, 3, 8, 0))
    assert later.sql != first.sql and len(cache) == size + 1
    assert "2024-01-02 00:00:00" in later.sql and "2024-01-04 00:00:00" in first.sql
