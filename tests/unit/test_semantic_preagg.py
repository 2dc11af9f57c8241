"""Pre-aggregations: used when they cover a query, equal to the raw query, kept fresh."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aiser_desktop.core.semantic import compile_query, load_model, run_query
from aiser_desktop.core.semantic.preagg import PreAggregations, derivable
from aiser_desktop.core.semantic.store import get_rollup
from aiser_desktop.core.workspace import Workspace
from tests.unit.semantic_support import SHOP_SQL, write_shop_model

TABLE = '_aiser_semantic."orders__by_day"'


@pytest.fixture
def shop(workspace: Workspace) -> Workspace:
    workspace.engine.execute(SHOP_SQL)
    write_shop_model(workspace.path, rollup=True)
    PreAggregations.of(workspace).check_every = 0.0  # look at the sources on every query
    return workspace


def plain(table: Any) -> list[tuple[Any, ...]]:
    out = []
    for row in table.to_pylist():
        out.append(tuple(float(v) if isinstance(v, (Decimal, float)) else v for v in row.values()))
    return out


def raw_and_rollup(ws: Workspace, query: dict[str, Any]) -> tuple[Any, Any, Any]:
    model, errors = load_model(ws.path)
    assert errors == []
    compiled, table = run_query(ws, model, query)
    _, raw = run_query(ws.engine, model, query)  # an engine alone never reads rollups
    return compiled, plain(table), plain(raw)


@pytest.mark.parametrize(
    "query",
    [
        {"measures": ["orders.count", "orders.revenue"], "dimensions": ["orders.status"]},
        {
            "measures": ["orders.count", "orders.avg_amount"],
            "timeDimensions": [{"dimension": "orders.created_at", "granularity": "month"}],
        },
        {
            "measures": ["orders.revenue"],
            "dimensions": ["orders.status"],
            "timeDimensions": [
                {
                    "dimension": "orders.created_at",
                    "granularity": "week",
                    "dateRange": ["2024-01-01", "2024-03-31"],
                }
            ],
            "filters": [{"member": "orders.status", "operator": "notEquals", "values": ["new"]}],
        },
        {
            "measures": ["orders.customers"],
            "dimensions": ["orders.status"],
            "timeDimensions": [{"dimension": "orders.created_at", "granularity": "day"}],
        },
    ],
)
def test_a_covered_query_reads_the_rollup_and_gives_the_same_numbers(
    shop: Workspace, query: dict[str, Any]
) -> None:
    compiled, from_rollup, raw = raw_and_rollup(shop, query)
    assert compiled.pre_aggregation == "orders.by_day"
    assert TABLE in compiled.sql and "FROM orders" not in compiled.sql
    assert from_rollup == raw and raw


@pytest.mark.parametrize(
    "query",
    [
        {"measures": ["orders.count"], "dimensions": ["users.city"]},  # not in the rollup
        {"measures": ["orders.customers"], "dimensions": ["orders.status"]},  # distinct, regrouped
        {
            "measures": ["orders.count"],
            "timeDimensions": [{"dimension": "orders.created_at", "granularity": "hour"}],
        },  # finer than a day
        {
            "measures": ["orders.count"],
            "timeDimensions": [
                {
                    "dimension": "orders.created_at",
                    "dateRange": ["2024-01-01T06:00:00", "2024-01-02T00:00:00"],
                }
            ],
        },  # inside a day
        {"measures": ["orders.max_amount"]},  # a measure it does not store
        {"measures": ["orders.count"], "segments": ["orders.big"]},
    ],
)
def test_a_query_the_rollup_cannot_answer_reads_the_tables(
    shop: Workspace, query: dict[str, Any]
) -> None:
    compiled, from_tables, raw = raw_and_rollup(shop, query)
    assert compiled.pre_aggregation is None
    assert "_aiser_semantic" not in compiled.sql
    assert from_tables == raw


def test_the_rollup_is_rebuilt_after_the_source_changes(shop: Workspace) -> None:
    query = {"measures": ["orders.count", "orders.revenue"]}
    model, _ = load_model(shop.path)
    compiled, table = run_query(shop, model, query)
    assert compiled.pre_aggregation == "orders.by_day"
    assert plain(table) == [(6, 410.0)]
    first = get_rollup(shop.state, "orders.by_day")
    assert first is not None and first.rows == 6  # six days with orders
    shop.engine.execute(
        "INSERT INTO orders VALUES (7, 1, 'paid', 5.0, TIMESTAMP '2025-02-01 08:00')"
    )
    compiled, table = run_query(shop, model, query)
    assert compiled.pre_aggregation == "orders.by_day"
    assert plain(table) == [(7, 415.0)]
    second = get_rollup(shop.state, "orders.by_day")
    assert second is not None and second.rows == 7 and second.built_at > first.built_at


def test_a_changed_definition_rebuilds_and_refresh_forces(shop: Workspace) -> None:
    model, _ = load_model(shop.path)
    rollups = PreAggregations.of(shop)
    built = rollups.refresh(model, force=False)
    assert [(b.name, b.rebuilt) for b in built] == [("orders.by_day", True)]
    assert [b.rebuilt for b in rollups.refresh(model, force=False)] == [False]
    assert [b.rebuilt for b in rollups.refresh(model)] == [True]
    path = shop.path / "model/cubes/orders.yml"
    path.write_text(path.read_text().replace("granularity: day", "granularity: month"))
    model, _ = load_model(shop.path)
    assert [b.rebuilt for b in rollups.refresh(model, force=False)] == [True]
    month = {
        "measures": ["orders.count"],
        "timeDimensions": [{"dimension": "orders.created_at", "granularity": "day"}],
    }
    assert compile_query(model, month, rollups=rollups.ready(model)).pre_aggregation is None


def test_which_granularities_derive_from_which() -> None:
    assert derivable("day", "month") and derivable("day", "week") and derivable("hour", "year")
    assert not derivable("week", "month") and not derivable("month", "day")
    assert derivable("month", "quarter") and not derivable("month", "week")


def test_a_query_waits_only_for_the_rollups_it_could_use(shop: Workspace) -> None:
    model, _ = load_model(shop.path)
    run_query(shop, model, {"measures": ["users.count"]})
    assert get_rollup(shop.state, "orders.by_day") is None  # not built for a users query
    run_query(shop, model, {"measures": ["orders_view.count"]})
    assert get_rollup(shop.state, "orders.by_day") is not None
