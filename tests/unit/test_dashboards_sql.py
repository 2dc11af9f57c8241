"""The parts of dashboards that need no data: the grid's arithmetic, the filters' SQL, the
check that a tile holds one query, and the records."""

from __future__ import annotations

import pytest

from aiser_desktop.core.dashboards import layout
from aiser_desktop.core.dashboards.filters import (
    filtered_sql,
    result_columns,
    single_query,
)
from aiser_desktop.core.dashboards.model import DashboardError, DashboardFilter, Tile
from aiser_desktop.core.engine import Engine


def no_overlaps(tiles: list[Tile]) -> bool:
    return not any(layout.overlaps(a, b) for i, a in enumerate(tiles) for b in tiles[i + 1 :])


def test_a_tile_dropped_on_others_pushes_them_down_and_keeps_their_order() -> None:
    tiles = [
        Tile("chart", "a", 0, 0, 6, 4),
        Tile("chart", "b", 6, 0, 6, 4),
        Tile("kpi", "c", 0, 4, 3, 2),
        Tile("table", "d", 0, 6, 6, 3),
    ]
    moved = layout.place(tiles, 1, tiles[1].moved(0, 0))  # b onto a
    assert (moved[1].x, moved[1].y) == (0, 0)
    assert moved[0].y == 4  # a pushed below b
    assert moved[2].y >= moved[0].y + moved[0].h  # c below a, d below c
    assert moved[3].y >= moved[2].y + moved[2].h
    assert no_overlaps(moved)


def test_tiles_snap_inside_the_columns_and_new_ones_take_the_first_free_place() -> None:
    assert layout.clamp(Tile("text", x=10, w=6)).x == 6
    assert layout.clamp(Tile("text", x=-3, y=-1, w=30, h=0)) == Tile("text", x=0, y=0, w=12, h=1)
    tiles = [Tile("chart", x=0, y=0, w=6, h=4), Tile("kpi", x=6, y=0, w=3, h=2)]
    assert layout.next_free(tiles, 3, 2) == (9, 0)
    assert layout.next_free(tiles, 6, 2) == (6, 2)
    assert layout.next_free(tiles, 12, 1) == (0, 4)


def test_the_filter_wraps_the_query_and_quotes_the_column() -> None:
    sql = 'select region as "sales ""region"", 2024", amount from sales -- by region'
    flt = DashboardFilter('sales "region", 2024', values=("north", "o'hara"))
    wrapped = filtered_sql(sql, [flt], ['sales "region", 2024', "amount"])
    assert wrapped == (
        "select * from (\n" + sql + "\n) as tile\n"
        "where \"sales \"\"region\"\", 2024\" in ('north', 'o''hara')"
    )
    assert filtered_sql(sql, [DashboardFilter("carrier", values=("AA",))], ["amount"]) == sql


def test_the_filtered_query_runs_in_duckdb(engine: Engine) -> None:
    engine.execute(
        "create table sales as select * from (values ('north', 10, date '2024-01-31'), "
        "('south', 5, date '2024-02-01'), ('north', 7, date '2024-03-01')) t(region, amount, day)"
    )
    sql = "select region, amount, day from sales -- a comment at the end"
    flts = [
        DashboardFilter("REGION", values=("north",)),
        DashboardFilter("day", "range", start="2024-01-01", end="2024-01-31"),
        DashboardFilter("amount", "range", start=None, end=None),  # empty: not applied
    ]
    wrapped = filtered_sql(sql, flts, ["region", "amount", "day"])
    assert engine.execute(wrapped).rows(0, 10) == [
        ("north", 10, __import__("datetime").date(2024, 1, 31))
    ]


def test_sqlglot_reads_the_result_columns_and_stars_need_the_schema() -> None:
    assert result_columns("select a, b + 1 as c, count(*) as n from t group by all") == [
        "a",
        "c",
        "n",
    ]
    assert result_columns("with x as (select 1 as k) select k as key from x") == ["key"]
    assert result_columns("select * from flights") is None
    assert result_columns(
        "select * from flights", {"flights": {"carrier": "TEXT", "dep_delay": "DOUBLE"}}
    ) == ["carrier", "dep_delay"]
    assert result_columns("select from where") is None  # DuckDB will tell what is wrong


def test_a_tile_holds_one_select() -> None:
    assert single_query("  select 1;  -- done\n") == "select 1"
    with pytest.raises(DashboardError, match=r"2 statements .* line 2"):
        single_query("select 1;\nselect 2")
    with pytest.raises(DashboardError, match="DROP"):
        single_query("drop table flights")
    with pytest.raises(DashboardError, match="empty"):
        single_query("-- nothing\n")


def test_records_refuse_what_they_cannot_draw() -> None:
    with pytest.raises(DashboardError, match="tile kind"):
        Tile("map").check()
    with pytest.raises(DashboardError, match="no query"):
        Tile("table", "t").check()
    with pytest.raises(DashboardError, match="chart spec"):
        Tile("kpi", "k", sql="select 1").check()
    with pytest.raises(DashboardError, match="filter kind"):
        DashboardFilter("c", "like")
    flt = DashboardFilter("day", "range", start="2013-01-01")
    assert DashboardFilter.from_dict(flt.to_dict()) == flt
    assert flt.label() == "day: 2013-01-01 to …"
